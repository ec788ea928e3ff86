/* huskd-load: N concurrent keep-alive clients on huskd's unix socket, each
 * repeating one pod's life for D seconds: POST it, LIST the namespace, GET
 * it every 200 ms until status.phase is Running, LIST again, DELETE it
 * (gracePeriodSeconds=0).  Prints per verb the request count, p50, p99 and
 * max latency (ms, from the request's first byte written to the answer's
 * last byte read) and the errors (non-2xx or broken connections), then how
 * many pods reached Running per second.  A benchmark's client, not part of
 * huskd: plain blocking sockets, one thread per client, so what it
 * measures is huskd's answer time and not a client's event loop.
 *
 *   huskd-load SOCKET NAMESPACE IMAGE CLIENTS SECONDS
 *
 * Output, one line per verb and one summary, `key=value` words:
 *   verb=get n=1234 p50_ms=1.2 p99_ms=8.0 max_ms=20.1 errors=0
 *   running=42 seconds=60.0 running_per_s=0.70 time_to_running_p50_ms=...
 */
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

enum verb { V_CREATE, V_GET, V_LIST, V_DELETE, VERBS };
static const char *const verb_names[VERBS] = { "create", "get", "list", "delete" };

struct samples {
  double *v;
  size_t n, cap;
};

struct client {
  pthread_t thread;
  int id, fd;
  struct samples lat[VERBS], to_running;
  unsigned errors[VERBS];
  unsigned running;
  char *buf; /* the last answer's body */
  size_t buf_len, buf_cap;
};

static const char *sock_path, *ns, *image;
static double deadline;

static double
now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

static void
add_sample (struct samples *s, double v)
{
  if (s->n == s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 256;
      s->v = realloc (s->v, s->cap * sizeof *s->v);
      if (!s->v)
        abort ();
    }
  s->v[s->n++] = v;
}

static int
connect_huskd (void)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  int fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  snprintf (addr.sun_path, sizeof addr.sun_path, "%s", sock_path);
  if (fd >= 0 && connect (fd, (struct sockaddr *) &addr, sizeof addr) < 0)
    {
      close (fd);
      return -1;
    }
  return fd;
}

static int
write_all (int fd, const char *p, size_t len)
{
  while (len > 0)
    {
      ssize_t w = send (fd, p, len, MSG_NOSIGNAL);
      if (w < 0 && errno == EINTR)
        continue;
      if (w <= 0)
        return -1;
      p += w;
      len -= (size_t) w;
    }
  return 0;
}

/* Reads until the buffer holds at least `need` bytes. */
static int
fill (struct client *c, size_t need)
{
  while (c->buf_len < need)
    {
      ssize_t r;
      if (c->buf_cap < need + 1)
        {
          c->buf_cap = need + 65536;
          c->buf = realloc (c->buf, c->buf_cap);
          if (!c->buf)
            abort ();
        }
      r = read (c->fd, c->buf + c->buf_len, c->buf_cap - c->buf_len - 1);
      if (r < 0 && errno == EINTR)
        continue;
      if (r <= 0)
        return -1;
      c->buf_len += (size_t) r;
    }
  c->buf[c->buf_len] = '\0';
  return 0;
}

/* The end of the headers in the buffer, read as far as needed. */
static char *
read_headers (struct client *c)
{
  char *end;
  c->buf_len = 0;
  if (fill (c, 1) < 0)
    return NULL;
  while (!(end = strstr (c->buf, "\r\n\r\n")))
    if (fill (c, c->buf_len + 1) < 0)
      return NULL;
  return end + 4;
}

/* Decodes a chunked body in place after the headers (huskd sends one
 * only for streams; answers to these verbs carry Content-Length). */
static int
read_chunked (struct client *c, size_t start)
{
  size_t out = start, pos = start;
  for (;;)
    {
      char *eol;
      size_t size;
      while (!(eol = strstr (c->buf + pos, "\r\n")))
        if (fill (c, c->buf_len + 1) < 0)
          return -1;
      size = strtoul (c->buf + pos, NULL, 16);
      pos = (size_t) (eol - c->buf) + 2;
      if (fill (c, pos + size + 2) < 0)
        return -1;
      memmove (c->buf + out, c->buf + pos, size);
      out += size;
      pos += size + 2;
      if (size == 0)
        break;
    }
  c->buf_len = out;
  c->buf[out] = '\0';
  return 0;
}

/* Sends one request and reads its answer: the status, -1 when the
 * connection broke.  *off: where the body starts in c->buf. */
static int
exchange (struct client *c, const char *method, const char *path, const char *body, size_t *off)
{
  char head[1024];
  size_t blen = body ? strlen (body) : 0, hlen;
  char *start, *cl, *close_hdr;
  int status;
  hlen = (size_t) snprintf (head, sizeof head,
                            "%s %s HTTP/1.1\r\nHost: huskd\r\nAccept: application/json\r\n"
                            "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
                            method, path, blen);
  if (write_all (c->fd, head, hlen) < 0 || (body && write_all (c->fd, body, blen) < 0)
      || !(start = read_headers (c)) || sscanf (c->buf, "HTTP/1.%*d %d", &status) != 1)
    return -1;
  *off = (size_t) (start - c->buf);
  start[-2] = '\0'; /* the header searches stop at the blank line */
  cl = strcasestr (c->buf, "\r\nContent-Length:");
  close_hdr = strcasestr (c->buf, "\r\nConnection: close");
  start[-2] = '\r';
  if (cl ? fill (c, *off + strtoul (cl + 17, NULL, 10)) < 0 : read_chunked (c, *off) < 0)
    return -1;
  return close_hdr ? -status : status;
}

/* One request on the client's connection; the body is left in c->buf
 * (NUL-terminated, after the headers).  Returns the status, -1 when the
 * connection broke (it is reopened on the next request). */
static int
request (struct client *c, const char *method, const char *path, const char *body,
         const char **answer)
{
  size_t off = 0;
  int status;
  if (c->fd < 0 && (c->fd = connect_huskd ()) < 0)
    return -1;
  status = exchange (c, method, path, body, &off);
  if (status < 0) /* broken, or answered with Connection: close */
    {
      close (c->fd);
      c->fd = -1;
      status = status == -1 ? -1 : -status;
    }
  *answer = status > 0 ? c->buf + off : "";
  return status;
}

/* A timed request of one verb; true on 2xx. */
static bool
timed (struct client *c, enum verb v, const char *method, const char *path, const char *body,
       const char **answer)
{
  double t0 = now ();
  int status = request (c, method, path, body, answer);
  add_sample (&c->lat[v], (now () - t0) * 1000);
  if (status < 200 || status > 299)
    {
      c->errors[v]++;
      return false;
    }
  return true;
}

static void
pod_cycle (struct client *c, unsigned n)
{
  char name[64], body[1024], path[512], list[256];
  const char *answer;
  double created;
  snprintf (name, sizeof name, "load-c%d-%u", c->id, n);
  snprintf (body, sizeof body,
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\"},"
            "\"spec\":{\"terminationGracePeriodSeconds\":0,\"containers\":[{\"name\":\"main\","
            "\"image\":\"%s\",\"command\":[\"sleep\",\"100000\"]}]}}",
            name, image);
  snprintf (list, sizeof list, "/api/v1/namespaces/%s/pods", ns);
  snprintf (path, sizeof path, "%s/%s", list, name);
  created = now ();
  if (!timed (c, V_CREATE, "POST", list, body, &answer))
    {
      usleep (200000);
      return;
    }
  timed (c, V_LIST, "GET", list, NULL, &answer);
  for (;;)
    {
      if (timed (c, V_GET, "GET", path, NULL, &answer) && strstr (answer, "\"phase\":\"Running\""))
        {
          c->running++;
          add_sample (&c->to_running, (now () - created) * 1000);
          break;
        }
      if (now () >= deadline)
        break;
      usleep (200000);
    }
  timed (c, V_LIST, "GET", list, NULL, &answer);
  snprintf (path, sizeof path, "%s/%s?gracePeriodSeconds=0", list, name);
  timed (c, V_DELETE, "DELETE", path, NULL, &answer);
}

static void *
client_main (void *arg)
{
  struct client *c = arg;
  for (unsigned n = 0; now () < deadline; n++)
    pod_cycle (c, n);
  if (c->fd >= 0)
    close (c->fd);
  return NULL;
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

/* Nearest-rank percentile of sorted samples. */
static double
percentile (const struct samples *s, double p)
{
  size_t rank;
  if (s->n == 0)
    return 0;
  rank = (size_t) (p / 100 * (double) s->n + 0.999999);
  return s->v[(rank < 1 ? 1 : rank > s->n ? s->n : rank) - 1];
}

static void
merge (struct samples *all, const struct samples *s)
{
  for (size_t i = 0; i < s->n; i++)
    add_sample (all, s->v[i]);
}

static void
report (struct client *clients, int n, double seconds)
{
  unsigned running = 0;
  struct samples ttr = { 0 };
  for (int v = 0; v < VERBS; v++)
    {
      struct samples all = { 0 };
      unsigned errors = 0;
      for (int i = 0; i < n; i++)
        {
          merge (&all, &clients[i].lat[v]);
          errors += clients[i].errors[v];
        }
      qsort (all.v, all.n, sizeof *all.v, cmp_double);
      printf ("verb=%s n=%zu p50_ms=%.1f p99_ms=%.1f max_ms=%.1f errors=%u\n", verb_names[v],
              all.n, percentile (&all, 50), percentile (&all, 99),
              all.n ? all.v[all.n - 1] : 0.0, errors);
      free (all.v);
    }
  for (int i = 0; i < n; i++)
    {
      running += clients[i].running;
      merge (&ttr, &clients[i].to_running);
    }
  qsort (ttr.v, ttr.n, sizeof *ttr.v, cmp_double);
  printf ("running=%u seconds=%.1f running_per_s=%.2f time_to_running_p50_ms=%.0f "
          "time_to_running_p99_ms=%.0f\n",
          running, seconds, (double) running / seconds, percentile (&ttr, 50),
          percentile (&ttr, 99));
  free (ttr.v);
}

int
main (int argc, char **argv)
{
  struct client *clients;
  int n;
  double t0;
  if (argc != 6 || (n = atoi (argv[4])) <= 0 || atof (argv[5]) <= 0)
    {
      fprintf (stderr, "usage: huskd-load SOCKET NAMESPACE IMAGE CLIENTS SECONDS\n");
      return 2;
    }
  sock_path = argv[1];
  ns = argv[2];
  image = argv[3];
  clients = calloc ((size_t) n, sizeof *clients);
  t0 = now ();
  deadline = t0 + atof (argv[5]);
  for (int i = 0; i < n; i++)
    {
      clients[i].id = i;
      clients[i].fd = -1;
      if (pthread_create (&clients[i].thread, NULL, client_main, &clients[i]) != 0)
        {
          fprintf (stderr, "huskd-load: cannot start client %d\n", i);
          return 1;
        }
    }
  for (int i = 0; i < n; i++)
    pthread_join (clients[i].thread, NULL);
  report (clients, n, now () - t0);
  return 0;
}

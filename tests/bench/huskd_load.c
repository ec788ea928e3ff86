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
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_samples.h"
#include "huskd_http.h"

enum verb { V_CREATE, V_GET, V_LIST, V_DELETE, VERBS };
static const char *const verb_names[VERBS] = { "create", "get", "list", "delete" };

struct client {
  pthread_t thread;
  int id;
  struct huskd_conn conn;
  struct samples lat[VERBS], to_running;
  unsigned errors[VERBS];
  unsigned running;
};

static const char *ns, *image;
static double deadline;

/* A timed request of one verb; true on 2xx. */
static bool
timed (struct client *c, enum verb v, const char *method, const char *path, const char *body,
       const char **answer)
{
  double t0 = bench_now ();
  int status = huskd_request (&c->conn, method, path, body, answer);
  samples_add (&c->lat[v], (bench_now () - t0) * 1000);
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
  created = bench_now ();
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
          samples_add (&c->to_running, (bench_now () - created) * 1000);
          break;
        }
      if (bench_now () >= deadline)
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
  for (unsigned n = 0; bench_now () < deadline; n++)
    pod_cycle (c, n);
  huskd_conn_close (&c->conn);
  return NULL;
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
          samples_merge (&all, &clients[i].lat[v]);
          errors += clients[i].errors[v];
        }
      samples_sort (&all);
      printf ("verb=%s n=%zu p50_ms=%.1f p99_ms=%.1f max_ms=%.1f errors=%u\n", verb_names[v],
              all.n, samples_percentile (&all, 50), samples_percentile (&all, 99),
              all.n ? all.v[all.n - 1] : 0.0, errors);
      free (all.v);
    }
  for (int i = 0; i < n; i++)
    {
      running += clients[i].running;
      samples_merge (&ttr, &clients[i].to_running);
    }
  samples_sort (&ttr);
  printf ("running=%u seconds=%.1f running_per_s=%.2f time_to_running_p50_ms=%.0f "
          "time_to_running_p99_ms=%.0f\n",
          running, seconds, (double) running / seconds, samples_percentile (&ttr, 50),
          samples_percentile (&ttr, 99));
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
  ns = argv[2];
  image = argv[3];
  clients = calloc ((size_t) n, sizeof *clients);
  t0 = bench_now ();
  deadline = t0 + atof (argv[5]);
  for (int i = 0; i < n; i++)
    {
      clients[i].id = i;
      clients[i].conn = (struct huskd_conn){ .sock_path = argv[1], .fd = -1 };
      if (pthread_create (&clients[i].thread, NULL, client_main, &clients[i]) != 0)
        {
          fprintf (stderr, "huskd-load: cannot start client %d\n", i);
          return 1;
        }
    }
  for (int i = 0; i < n; i++)
    pthread_join (clients[i].thread, NULL);
  report (clients, n, bench_now () - t0);
  return 0;
}

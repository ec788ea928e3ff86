/* huskd-churn: pod churn for huskd's memory benchmark.  CLIENTS threads,
 * each on its own pod name (churn-<client>), share CYCLES cycles; a cycle
 * is POST a one-container pod, GET it every 5 ms until status.phase is
 * Running, DELETE it (gracePeriodSeconds=0) and GET it every 5 ms until
 * 404.  Every cycle is a whole create/Running/delete/gone; a C client
 * keeps the client's own cost out of a run of 10,000 cycles (a shell loop
 * of curl and jq took 200-600 ms per cycle).
 *
 *   huskd-churn SOCKET NAMESPACE IMAGE CLIENTS CYCLES
 *
 * Prints `cycles=N clients=C seconds=S ms_per_cycle=M failures=F`, and a
 * progress line on stderr every 1,000 cycles. Exits 1 on any failure. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_samples.h"
#include "huskd_http.h"

#define POLL_US 5000
#define CYCLE_TIMEOUT_S 60

struct client {
  pthread_t thread;
  unsigned id;
  struct huskd_conn conn;
};

static const char *ns, *image;
static unsigned n_clients, n_cycles;
static atomic_uint done, failures;

/* GET path every POLL_US until `until` says yes, or CYCLE_TIMEOUT_S. */
static bool
poll_pod (struct client *c, const char *path, bool (*until) (int status, const char *answer))
{
  const char *answer;
  for (double end = bench_now () + CYCLE_TIMEOUT_S; bench_now () < end; usleep (POLL_US))
    {
      int status = huskd_request (&c->conn, "GET", path, NULL, &answer);
      if (until (status, answer))
        return true;
    }
  return false;
}

static bool
is_running (int status, const char *answer)
{
  return status == 200 && strstr (answer, "\"phase\":\"Running\"");
}

static bool
is_gone (int status, const char *answer)
{
  (void) answer;
  return status == 404;
}

static bool
cycle (struct client *c, unsigned n)
{
  char body[1024], list[256], path[320], del[384];
  const char *answer;
  int status;
  snprintf (body, sizeof body,
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"churn-%u\"},"
            "\"spec\":{\"terminationGracePeriodSeconds\":1,\"containers\":[{\"name\":\"main\","
            "\"image\":\"%s\",\"command\":[\"sleep\",\"100000\"]}]}}",
            c->id, image);
  snprintf (list, sizeof list, "/api/v1/namespaces/%s/pods", ns);
  snprintf (path, sizeof path, "%s/churn-%u", list, c->id);
  snprintf (del, sizeof del, "%s?gracePeriodSeconds=0", path);
  if ((status = huskd_request (&c->conn, "POST", list, body, &answer)) != 201)
    return fprintf (stderr, "huskd-churn: cycle %u: POST: %d %.300s\n", n, status, answer), false;
  if (!poll_pod (c, path, is_running))
    return fprintf (stderr, "huskd-churn: cycle %u: not Running\n", n), false;
  if ((status = huskd_request (&c->conn, "DELETE", del, NULL, &answer)) != 200)
    return fprintf (stderr, "huskd-churn: cycle %u: DELETE: %d\n", n, status), false;
  if (!poll_pod (c, path, is_gone))
    return fprintf (stderr, "huskd-churn: cycle %u: not deleted\n", n), false;
  return true;
}

static void *
client_main (void *arg)
{
  struct client *c = arg;
  for (unsigned n = c->id; n < n_cycles && !failures; n += n_clients)
    {
      if (!cycle (c, n))
        {
          failures++;
          break;
        }
      if (++done % 1000 == 0)
        fprintf (stderr, "huskd-churn: %u cycles\n", (unsigned) done);
    }
  huskd_conn_close (&c->conn);
  return NULL;
}

int
main (int argc, char **argv)
{
  struct client *clients;
  double t0, seconds;
  if (argc != 6 || atoi (argv[4]) <= 0 || atoi (argv[5]) <= 0)
    {
      fprintf (stderr, "usage: huskd-churn SOCKET NAMESPACE IMAGE CLIENTS CYCLES\n");
      return 2;
    }
  ns = argv[2];
  image = argv[3];
  n_clients = (unsigned) atoi (argv[4]);
  n_cycles = (unsigned) atoi (argv[5]);
  clients = calloc (n_clients, sizeof *clients);
  t0 = bench_now ();
  for (unsigned i = 0; i < n_clients; i++)
    {
      clients[i].id = i;
      clients[i].conn = (struct huskd_conn){ .sock_path = argv[1], .fd = -1 };
      if (pthread_create (&clients[i].thread, NULL, client_main, &clients[i]) != 0)
        return fprintf (stderr, "huskd-churn: cannot start client %u\n", i), 1;
    }
  for (unsigned i = 0; i < n_clients; i++)
    pthread_join (clients[i].thread, NULL);
  seconds = bench_now () - t0;
  printf ("cycles=%u clients=%u seconds=%.1f ms_per_cycle=%.1f failures=%u\n", (unsigned) done,
          n_clients, seconds, done ? seconds * 1000 / done : 0.0, (unsigned) failures);
  free (clients);
  return failures ? 1 : 0;
}

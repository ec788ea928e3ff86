/* huskd-latency: how long one-container pods take from their POST to the
 * watch event that says status.phase Running, one pod at a time.  For each
 * of N pods: open a watch on the pod's name, POST it, read the watch until
 * Running, then DELETE it (gracePeriodSeconds=0) and wait until GET says
 * 404.  The clock runs from the POST's first byte to the Running event's
 * arrival: huskd's time, with no client start-up or JSON parsing in it (a
 * shell loop of curl and jq spent 60-70 ms of its own per pod here).
 *
 *   huskd-latency SOCKET NAMESPACE IMAGE N
 *
 * Output, `key=value` words:
 *   post_to_running n=20 p50_ms=.. p90_ms=.. mean_ms=.. min_ms=.. max_ms=.. failures=0
 *   post_answered p50_ms=..
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_samples.h"
#include "huskd_http.h"

struct bench {
  const char *ns, *image;
  struct huskd_conn api, watch;
  struct samples to_running, post;
  unsigned failures;
};

static void
wait_gone (struct bench *b, const char *path)
{
  const char *answer;
  for (double end = bench_now () + 60; bench_now () < end; usleep (2000))
    if (huskd_request (&b->api, "GET", path, NULL, &answer) == 404)
      return;
  fprintf (stderr, "huskd-latency: %s still there after 60 s\n", path);
  exit (1);
}

static void
one_pod (struct bench *b, unsigned i)
{
  char name[64], body[1024], list[256], path[512], watch[512];
  const char *answer;
  double t0;
  int status;
  snprintf (name, sizeof name, "latency-%u", i);
  snprintf (body, sizeof body,
            "{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"%s\"},"
            "\"spec\":{\"terminationGracePeriodSeconds\":0,\"containers\":[{\"name\":\"main\","
            "\"image\":\"%s\",\"command\":[\"sleep\",\"100000\"]}]}}",
            name, b->image);
  snprintf (list, sizeof list, "/api/v1/namespaces/%s/pods", b->ns);
  snprintf (path, sizeof path, "%s/%s", list, name);
  snprintf (watch, sizeof watch, "%s?watch=1&fieldSelector=metadata.name%%3D%s", list, name);
  if (huskd_watch_open (&b->watch, watch) < 0)
    {
      fprintf (stderr, "huskd-latency: cannot reach huskd at %s\n", b->api.sock_path);
      exit (1);
    }
  t0 = bench_now ();
  status = huskd_request (&b->api, "POST", list, body, &answer);
  samples_add (&b->post, (bench_now () - t0) * 1000);
  if (status != 201)
    {
      fprintf (stderr, "huskd-latency: POST %s: %d %.300s\n", name, status, answer);
      exit (1);
    }
  if (huskd_watch_until (&b->watch, "\"phase\":\"Running\"", 60) == 0)
    samples_add (&b->to_running, (bench_now () - t0) * 1000);
  else
    b->failures++;
  huskd_conn_close (&b->watch);
  snprintf (path, sizeof path, "%s/%s?gracePeriodSeconds=0", list, name);
  huskd_request (&b->api, "DELETE", path, NULL, &answer);
  snprintf (path, sizeof path, "%s/%s", list, name);
  wait_gone (b, path);
}

int
main (int argc, char **argv)
{
  struct bench b = { 0 };
  int n;
  if (argc != 5 || (n = atoi (argv[4])) <= 0)
    {
      fprintf (stderr, "usage: huskd-latency SOCKET NAMESPACE IMAGE N\n");
      return 2;
    }
  b.ns = argv[2];
  b.image = argv[3];
  b.api = (struct huskd_conn){ .sock_path = argv[1], .fd = -1 };
  b.watch = (struct huskd_conn){ .sock_path = argv[1], .fd = -1 };
  for (unsigned i = 0; i < (unsigned) n; i++)
    one_pod (&b, i);
  samples_sort (&b.to_running);
  samples_sort (&b.post);
  printf ("post_to_running n=%zu p50_ms=%.1f p90_ms=%.1f mean_ms=%.1f min_ms=%.1f max_ms=%.1f "
          "failures=%u\n",
          b.to_running.n, samples_percentile (&b.to_running, 50),
          samples_percentile (&b.to_running, 90), samples_mean (&b.to_running),
          b.to_running.n ? b.to_running.v[0] : 0.0,
          b.to_running.n ? b.to_running.v[b.to_running.n - 1] : 0.0, b.failures);
  printf ("post_answered p50_ms=%.1f\n", samples_percentile (&b.post, 50));
  return b.failures ? 1 : 0;
}

/* huskd: serves the Kubernetes core/v1 pod API on a unix socket (and over
 * TLS with --listen) and runs the pods it is given. */
#include <errno.h>
#include <event2/thread.h>
#include <getopt.h>
#include <malloc.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cleanup.h"
#include "controller.h"
#include "cri.h"
#include "cri_streaming.h"
#include "events.h"
#include "huskd.h"
#include "openapi.h"
#include "probe.h"
#include "tls.h"

static void
usage (FILE *f)
{
  fprintf (f, "Usage: huskd [--socket PATH] [--state-dir DIR] [--listen ADDR:PORT] "
              "[--pod-root DIR]\n"
              "  --socket PATH     unix socket (default " HUSKD_DEFAULT_SOCKET ")\n"
              "  --state-dir DIR   objects, certificates, kubeconfig (default "
              HUSKD_DEFAULT_STATE_DIR ")\n"
              "  --listen ADDR     also serve over TLS there, e.g. 127.0.0.1:6443\n"
              "  --pod-root DIR    where pod sandboxes live (sandbox default)\n"
              "  --runtime PATH    OCI runtime for containers and exec (default:\n"
              "                    $HUSK_POD_RUNTIME, the husk beside huskd, husk on PATH)\n"
              "  --runtime-root D  its state root; --image-store DIR; --cgroup-parent P;\n"
              "  --cgroup-driver D cgroupfs (default) or systemd (kubelet's names): pods in\n"
              "                    <P>/kubepods/... or in slices kubepods-....slice\n"
              "  --cni-conf-dir D  CNI configuration for pod networks (replaces the default)\n"
              "  --pod-network M   default (a bridge made through the CNI plugins) or none\n"
              "  --pod-bridge NAME the default network's bridge (default "
              HUSKD_POD_BRIDGE_DEFAULT ")\n"
              "  --pod-subnet CIDR its subnet (default: the first free /16 from 10.89.0.0/16)\n"
              "  --pod-masquerade B, --pod-portmap B  masquerade and hostPort (true, false)\n"
              "  --resolv-conf F   the host resolvers pods get (default /etc/resolv.conf)\n"
              "  --registry-config PATH  registries.yaml (mirrors, credentials)\n"
              "  --cri-socket PATH serve the CRI v1 (kubelet, crictl) there (default "
              HUSKD_DEFAULT_CRI_SOCKET " with the default --socket)\n"
              "  --stream-address A  the CRI's streaming server (exec, attach, port-forward;\n"
              "                    default " HUSKD_STREAM_ADDRESS_DEFAULT ": loopback, any free port)\n"
              "  --event-ttl DUR   how long events are kept (kube-apiserver's flag; 1h, 90s, 1h30m)\n");
}

/* A Go duration as kube-apiserver's flags take it ("1h", "5m30s", "2s",
 * "500ms"); a bare number is seconds.  < 0 when it is none. */
static double
parse_duration (const char *s)
{
  static const struct { const char *unit; double seconds; } units[] = {
    { "ms", 1e-3 }, { "h", 3600 }, { "m", 60 }, { "s", 1 },
  };
  double total = 0;
  char *end;
  if (*s == '\0')
    return -1;
  while (*s)
    {
      double v = strtod (s, &end);
      size_t i;
      if (end == s || v < 0)
        return -1;
      if (*end == '\0' && total == 0)
        return v;
      for (i = 0; i < sizeof units / sizeof units[0]; i++)
        if (strncmp (end, units[i].unit, strlen (units[i].unit)) == 0)
          break;
      if (i == sizeof units / sizeof units[0])
        return -1;
      total += v * units[i].seconds;
      s = end + strlen (units[i].unit);
    }
  return total;
}

/* --flag true|false; *off is set for false. */
static int
parse_bool (const char *flag, const char *v, bool *off)
{
  if (strcmp (v, "true") == 0 || strcmp (v, "false") == 0)
    {
      *off = strcmp (v, "false") == 0;
      return 0;
    }
  fprintf (stderr, "huskd: %s: `%s` is not true or false\n", flag, v);
  return -1;
}

static int
parse_args (int argc, char **argv, struct huskd_options *o)
{
  static const struct option longopts[] = {
    { "socket", required_argument, NULL, 's' },   { "state-dir", required_argument, NULL, 'd' },
    { "listen", required_argument, NULL, 'l' },   { "pod-root", required_argument, NULL, 'p' },
    { "runtime", required_argument, NULL, 'r' },  { "runtime-root", required_argument, NULL, 'R' },
    { "image-store", required_argument, NULL, 'i' }, { "cgroup-parent", required_argument, NULL, 'g' },
    { "cni-conf-dir", required_argument, NULL, 'C' },
    { "pod-network", required_argument, NULL, 'N' }, { "pod-bridge", required_argument, NULL, 'B' },
    { "pod-subnet", required_argument, NULL, 'S' },
    { "pod-masquerade", required_argument, NULL, 'M' },
    { "pod-portmap", required_argument, NULL, 'P' },
    { "resolv-conf", required_argument, NULL, 'D' },
    { "registry-config", required_argument, NULL, 'G' },
    { "event-ttl", required_argument, NULL, 'E' },
    { "cri-socket", required_argument, NULL, 'K' },
    { "cgroup-driver", required_argument, NULL, 'X' },
    { "stream-address", required_argument, NULL, 'A' },
    { "help", no_argument, NULL, 'h' },           { "version", no_argument, NULL, 'v' },
    { NULL, 0, NULL, 0 },
  };
  int c;
  o->socket_path = getenv ("HUSK_SOCKET") ? getenv ("HUSK_SOCKET") : HUSKD_DEFAULT_SOCKET;
  o->state_dir = HUSKD_DEFAULT_STATE_DIR;
  o->event_ttl = API_EVENTS_TTL_DEFAULT;
  o->stream_address = HUSKD_STREAM_ADDRESS_DEFAULT;
  while ((c = getopt_long (argc, argv, "s:d:l:p:h", longopts, NULL)) != -1)
    switch (c)
      {
      case 's': o->socket_path = optarg; break;
      case 'd': o->state_dir = optarg; break;
      case 'l': o->listen = optarg; break;
      case 'p': o->pod_root = optarg; break;
      case 'r': o->runtime = optarg; break;
      case 'R': o->runtime_root = optarg; break;
      case 'i': o->image_store = optarg; break;
      case 'g': o->cgroup_parent = optarg; break;
      case 'C': o->cni_conf_dir = optarg; break;
      case 'N': o->pod_network.mode = optarg; break;
      case 'B': o->pod_network.bridge = optarg; break;
      case 'S': o->pod_network.subnet = optarg; break;
      case 'M':
      case 'P':
        if (parse_bool (c == 'M' ? "--pod-masquerade" : "--pod-portmap", optarg,
                        c == 'M' ? &o->pod_network.no_masquerade : &o->pod_network.no_portmap)
            < 0)
          return -1;
        break;
      case 'D': o->resolv_conf = optarg; break;
      case 'G': o->registry_config = optarg; break;
      case 'K': o->cri_socket = optarg; break;
      case 'X':
        if (strcmp (optarg, "systemd") != 0 && strcmp (optarg, "cgroupfs") != 0)
          {
            fprintf (stderr, "huskd: --cgroup-driver: `%s` is not systemd or cgroupfs\n", optarg);
            return -1;
          }
        o->systemd_cgroup = strcmp (optarg, "systemd") == 0;
        break;
      case 'A': o->stream_address = optarg; break;
      case 'E':
        if ((o->event_ttl = parse_duration (optarg)) <= 0)
          {
            fprintf (stderr, "huskd: --event-ttl: invalid duration `%s`\n", optarg);
            return -1;
          }
        break;
      case 'v': printf ("huskd %s\n", HUSK_VERSION); exit (0);
      case 'h': usage (stdout); exit (0);
      default: usage (stderr); return -1;
      }
  if (o->cri_socket == NULL && strcmp (o->socket_path, HUSKD_DEFAULT_SOCKET) == 0)
    o->cri_socket = HUSKD_DEFAULT_CRI_SOCKET;
  if (optind != argc)
    {
      usage (stderr);
      return -1;
    }
  return 0;
}

static void
on_signal (evutil_socket_t sig, short what, void *arg)
{
  event_base_loopbreak (arg);
}

/* The event loop answers every client: on a node busy starting pods (the
 * runtime, the holders, the containers themselves) it must not wait its
 * turn for a CPU behind them, or reads take seconds.  A higher priority
 * (nice -10) for this thread only: SCHED_RESET_ON_FORK gives the worker
 * threads and every process spawned (runtime, holders, exec'd processes)
 * the normal nice 0.  Without the privilege it stays as it was. */
#define HUSKD_LOOP_NICE (-10)

static void
prioritize_loop (void)
{
  struct sched_param param = { 0 };
  if (sched_setscheduler (0, SCHED_OTHER | SCHED_RESET_ON_FORK, &param) == 0)
    setpriority (PRIO_PROCESS, (id_t) gettid (), HUSKD_LOOP_NICE);
}

/* The CRI's second front door on the same pod library, with the env the
 * pod controller uses (the CRI's own files under <state-dir>/cri), and its
 * streaming server, bound first: the CRI answers URLs on it. */
static int
start_cri (struct huskd *d, struct husk_sandbox_env *env, struct husk_error **err)
{
  static char state[4096];
  struct cri_options o = { .socket_path = d->opts.cri_socket, .state_dir = state, .env = env,
                           .version = HUSK_VERSION, .registry_config = d->opts.registry_config };
  snprintf (state, sizeof state, "%s/cri", d->opts.state_dir);
  env->pods_root = d->opts.pod_root;
  env->husk_binary = d->opts.runtime;
  env->runtime_root = d->opts.runtime_root;
  env->image_store = d->opts.image_store;
  env->cgroup_parent = d->opts.cgroup_parent;
  env->systemd_cgroup = d->opts.systemd_cgroup;
  env->cni_conf_dir = d->pod_cni_conf_dir;
  env->resolv_conf = d->opts.resolv_conf;
  if (huskd_cri_streaming_listen (d->base, d->opts.stream_address, &d->cri_streaming,
                                  &o.stream_url, err)
          < 0
      || cri_server_start (d->base, &o, &d->cri, err) < 0)
    return -1;
  huskd_cri_streaming_serve (d->cri_streaming, d->cri, env, d->opts.state_dir);
  return 0;
}

static int
start (struct huskd *d, struct husk_error **err)
{
  static struct husk_sandbox_env cri_env;
  char objects[4096];
  snprintf (objects, sizeof objects, "%s/objects", d->opts.state_dir);
  if (api_store_open (objects, &d->store, err) < 0 || huskd_persist_start (d, err) < 0)
    return -1;
  /* --cni-conf-dir replaces the default network; the objects' directory
   * made the state dir the conflist goes in. */
  if (d->opts.cni_conf_dir)
    d->pod_cni_conf_dir = strdup (d->opts.cni_conf_dir);
  else if (huskd_pod_network_setup (&d->opts.pod_network, d->opts.state_dir,
                                    &d->pod_cni_conf_dir, err) < 0)
    return -1;
  if (huskd_namespaces_bootstrap (d, err) < 0
      || huskd_controller_new (d, &d->controller, err) < 0 || huskd_listen_unix (d, err) < 0)
    return -1;
  if (d->opts.listen && huskd_tls_start (d, err) < 0)
    return -1;
  if (d->opts.cri_socket && start_cri (d, &cri_env, err) < 0)
    return -1;
  return 0;
}

/* What start() made, whether it got to the end or not; a failed start
 * leaves no socket of ours (and removes none it did not bind). */
static void
release (struct huskd *d)
{
  if (d->http_unix)
    unlink (d->opts.socket_path);
  huskd_cri_streaming_free (d->cri_streaming);
  cri_server_free (d->cri);
  huskd_controller_free (d->controller);
  huskd_persist_stop (d);
  if (d->http_unix)
    evhttp_free (d->http_unix);
  huskd_tls_free (d);
  api_store_free (d->store);
  free (d->pod_cni_conf_dir);
  if (d->base)
    event_base_free (d->base);
  husk_probes_cleanup ();
}

int
main (int argc, char **argv)
{
  cleanup_error struct husk_error *err = NULL;
  struct huskd d = { 0 };
  struct event *sigterm, *sigint;
  /* A NOTIFY_SOCKET of ours (a systemd unit) is not the containers':
   * husk would give it to them and wait for their READY=1 on start. */
  unsetenv ("NOTIFY_SOCKET");

  if (parse_args (argc, argv, &d.opts) < 0)
    return 2;
  signal (SIGPIPE, SIG_IGN);
  /* One malloc arena for every thread: the workers' syncs otherwise each
   * get an arena of their own, whose freed pages stay with it.  120 pod
   * create/delete cycles by 4 clients left 1.46 MB more RSS than fresh
   * with an arena per thread, 1.10 MB with one (malloc_stats: 2.8 MB of
   * arenas for 1.4 MB in use, against 1.6 MB); the workers mostly wait for
   * husk and the holder, so they do not contend for it. */
  mallopt (M_ARENA_MAX, 1);
  evthread_use_pthreads ();
  prioritize_loop (); /* before any thread or child exists */
  if (husk_probes_init () < 0)
    return fprintf (stderr, "huskd: cannot initialise libcurl\n"), 1;
  d.base = event_base_new ();
  d.started = api_now ();
  huskd_openapi_build_in_background ();
  if (!d.base || start (&d, &err) < 0)
    {
      fprintf (stderr, "huskd: %s\n", err ? err->message : "cannot create the event loop");
      release (&d);
      return 1;
    }
  sigterm = evsignal_new (d.base, SIGTERM, on_signal, d.base);
  sigint = evsignal_new (d.base, SIGINT, on_signal, d.base);
  evsignal_add (sigterm, NULL);
  evsignal_add (sigint, NULL);
  fprintf (stderr, "huskd: serving on %s\n", d.opts.socket_path);
  if (d.opts.cri_socket)
    fprintf (stderr, "huskd: CRI on %s\n", d.opts.cri_socket);
  event_base_dispatch (d.base);
  /* Pods keep running: their holders outlive huskd, and the next huskd
   * finds them again. */
  event_free (sigterm);
  event_free (sigint);
  release (&d);
  return 0;
}

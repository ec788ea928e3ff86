/* huskctl: kubectl-like commands against huskd's unix socket. */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "huskctl.h"

static const struct
{
  const char *name;
  int (*run) (struct ctl *c, int argc, char **argv);
} verbs[] = {
  { "get", cmd_get },           { "apply", cmd_apply },     { "create", cmd_apply },
  { "delete", cmd_delete },     { "stop", cmd_stop },       { "logs", cmd_logs },
  { "exec", cmd_exec },         { "describe", cmd_describe }, { "events", cmd_events },
  { "probe", cmd_probe },       { "version", cmd_version }, { "kubeconfig", cmd_kubeconfig },
};

static void
usage (FILE *f)
{
  fprintf (f,
           "Usage: huskctl [--socket PATH] [-n NS | -A] COMMAND ...\n"
           "  apply -f FILE|-              create or update objects (YAML or JSON)\n"
           "  get pods|pod NAME|ns|events  [-o json|yaml|wide|name] [-l SELECTOR]\n"
           "  describe pod NAME\n"
           "  logs POD [-c C] [-f] [--tail N] [--since 5m] [--timestamps] [--previous]\n"
           "  exec POD [-c C] -- CMD [ARG...]\n"
           "  probe POD                    run the pod's probes now\n"
           "  stop POD [--grace-period N]  stop its containers, keep the pod\n"
           "  delete pod NAME [--grace-period N] [--wait=false]\n"
           "  events [POD]\n"
           "  version | kubeconfig\n"
           "The socket is --socket, else $HUSK_SOCKET, else /run/husk/huskd.sock.\n"
           "Exit status: 0 ok, 1 failed, 2 usage.\n");
}

enum { OPT_SOCKET = 256, OPT_TAIL, OPT_SINCE, OPT_TS, OPT_PREV, OPT_GRACE, OPT_WAIT, OPT_FS };

static int
parse (struct ctl *c, int argc, char **argv)
{
  static const struct option opts[] = {
    { "socket", required_argument, NULL, OPT_SOCKET },
    { "namespace", required_argument, NULL, 'n' },
    { "all-namespaces", no_argument, NULL, 'A' },
    { "output", required_argument, NULL, 'o' },
    { "selector", required_argument, NULL, 'l' },
    { "field-selector", required_argument, NULL, OPT_FS },
    { "container", required_argument, NULL, 'c' },
    { "filename", required_argument, NULL, 'f' },
    { "follow", no_argument, NULL, 'F' },
    { "tail", required_argument, NULL, OPT_TAIL },
    { "since", required_argument, NULL, OPT_SINCE },
    { "timestamps", no_argument, NULL, OPT_TS },
    { "previous", no_argument, NULL, OPT_PREV },
    { "grace-period", required_argument, NULL, OPT_GRACE },
    { "wait", required_argument, NULL, OPT_WAIT },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int o;
  /* "+" stops at the first non-option so `exec POD -- cmd -x` keeps -x */
  while ((o = getopt_long (argc, argv, "+n:Ao:l:c:f:ph", opts, NULL)) != -1)
    switch (o)
      {
      case OPT_SOCKET: c->socket = optarg; break;
      case 'n': c->ns = optarg; break;
      case 'A': c->all_namespaces = true; break;
      case 'o': c->output = optarg; break;
      case 'l': c->selector = optarg; break;
      case OPT_FS: c->field_selector = optarg; break;
      case 'c': c->container = optarg; break;
      case 'f': c->file = optarg; break;
      case 'F': c->follow = true; break;
      case OPT_TAIL: c->tail = strtol (optarg, NULL, 10); break;
      case OPT_SINCE: c->since = optarg; break;
      case OPT_TS: c->timestamps = true; break;
      case 'p': case OPT_PREV: c->previous = true; break;
      case OPT_GRACE: c->grace = strtol (optarg, NULL, 10); break;
      case OPT_WAIT: c->wait = strcmp (optarg, "false") != 0; break;
      case 'h': usage (stdout); exit (0);
      default: return -1;
      }
  return optind;
}

/* Options may come before or after the verb and its operands (kubectl
 * style): parse, take one operand, parse again, until none is left. */
static int
collect (struct ctl *c, int argc, char **argv, char **operands, int *n)
{
  int i = 1, end = 1;
  /* getopt never sees the first "--" nor what follows it: that is the
   * command of exec, verbatim (its own -c, -n, -qO- included) */
  while (end < argc && strcmp (argv[end], "--") != 0)
    end++;
  *n = 0;
  while (i < argc)
    {
      if (i == end)
        {
          while (i < argc)
            operands[(*n)++] = argv[i++];
          break;
        }
      optind = 0; /* glibc: 0 re-initialises getopt for a new argv */
      int used = parse (c, end - i + 1, argv + i - 1);
      if (used < 0)
        return -1;
      i += used - 1;
      if (i < end)
        operands[(*n)++] = argv[i++];
    }
  return 0;
}

int
main (int argc, char **argv)
{
  struct ctl c = { .ns = "default", .tail = -1, .grace = -1, .wait = true };
  /* pointers into argv, freed on every path out of main */
  cleanup_free char **operands = calloc ((size_t) argc + 1, sizeof (char *));
  int n;
  c.socket = getenv ("HUSK_SOCKET") && *getenv ("HUSK_SOCKET") ? getenv ("HUSK_SOCKET")
                                                                  : "/run/husk/huskd.sock";
  if (operands == NULL)
    return 1;
  /* -f is --filename for apply/delete and --follow for logs, as in kubectl:
   * the verb (the first operand) says which, not a later "logs" naming a
   * file or a pod.  A silent first pass finds the verb; a second one runs
   * with -f rewritten, or to report what the first found wrong. */
  struct ctl defaults = c;
  opterr = 0;
  int r = collect (&c, argc, argv, operands, &n);
  opterr = 1;
  bool logs = n > 0 && !strcmp (operands[0], "logs");
  for (int i = 1; logs && i < argc && strcmp (argv[i], "--"); i++)
    if (!strcmp (argv[i], "-f"))
      argv[i] = "--follow";
  if (r < 0 || logs)
    {
      c = defaults;
      r = collect (&c, argc, argv, operands, &n);
    }
  if (r < 0 || n == 0)
    {
      usage (stderr);
      return HUSKCTL_USAGE;
    }
  for (size_t v = 0; v < sizeof verbs / sizeof verbs[0]; v++)
    if (!strcmp (verbs[v].name, operands[0]))
      return verbs[v].run (&c, n, operands);
  fprintf (stderr, "huskctl: unknown command \"%s\"\n", operands[0]);
  usage (stderr);
  return HUSKCTL_USAGE;
}

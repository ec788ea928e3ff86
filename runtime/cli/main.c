/* husk: global flags, the verb table, and the one place errors are shown:
 * `husk: <verb> "<id>": <chain>` on stderr, and as JSON to --log. */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <seccomp.h>
#include <unistd.h>

#include "../cgroup/cgroup.h"

#include "../../oci/cleanup.h"
#include "../security/exe_seal.h"
#include "version.h"

static const struct
{
  const char *name;
  husk_cli_fn fn;
  const char *help;
  const char *args; /* the usage line after "[command options]" */
} verbs[] = {
  { "create", husk_cli_create, "create a container", "<container-id>" },
  { "delete", husk_cli_delete, "delete any resources held by the container", "<container-id>" },
  { "events", husk_cli_events, "display container events such as OOM notifications and stats",
    "<container-id>" },
  { "exec", husk_cli_exec, "execute new process inside the container",
    "<container-id> <command> [command options]  || -p process.json <container-id>" },
  { "features", husk_cli_features, "show the enabled features", "" },
  { "kill", husk_cli_kill, "kill sends the specified signal to the container's init process",
    "<container-id> [signal]" },
  { "list", husk_cli_list, "lists containers started by husk with the given root", "" },
  { "pause", husk_cli_pause, "pause suspends all processes inside the container",
    "<container-id>" },
  { "ps", husk_cli_ps, "ps displays the processes running inside a container",
    "<container-id> [ps options]" },
  { "resume", husk_cli_resume, "resumes all processes that have been previously paused",
    "<container-id>" },
  { "run", husk_cli_run, "create and run a container", "<container-id>" },
  { "spec", husk_cli_spec, "create a new specification file", "" },
  { "start", husk_cli_start, "executes the user defined process in a created container",
    "<container-id>" },
  { "state", husk_cli_state, "output the state of a container", "<container-id>" },
  { "update", husk_cli_update, "update container resource constraints", "<container-id>" },
};

enum {
  OPT_ROOT = 256,
  OPT_LOG,
  OPT_LOG_FORMAT,
  OPT_DEBUG,
  OPT_SYSTEMD_CGROUP,
  OPT_ROOTLESS,
  OPT_CRIU,
  OPT_HELP,
};

static const struct option global_options[] = {
  { "root", required_argument, NULL, OPT_ROOT },
  { "log", required_argument, NULL, OPT_LOG },
  { "log-format", required_argument, NULL, OPT_LOG_FORMAT },
  { "debug", no_argument, NULL, OPT_DEBUG },
  { "systemd-cgroup", no_argument, NULL, OPT_SYSTEMD_CGROUP },
  { "rootless", required_argument, NULL, OPT_ROOTLESS },
  { "criu", required_argument, NULL, OPT_CRIU },
  { "help", no_argument, NULL, 'h' },
  { "version", no_argument, NULL, 'v' },
  { NULL, 0, NULL, 0 },
};

static void
print_help (void)
{
  printf ("NAME:\n   husk - Open Container Initiative runtime\n\nUSAGE:\n"
          "   husk [global options] command [command options] [arguments...]\n\nCOMMANDS:\n");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    printf ("   %-10s%s\n", verbs[i].name, verbs[i].help);
  printf ("   %-10s%s\n", "pod", "manage pod sandboxes (husk-pod)");
  printf ("\nGLOBAL OPTIONS:\n"
          "   --debug                  enable debug logging\n"
          "   --log value              set the log file to write husk logs to (default is "
          "stderr)\n"
          "   --log-format value       set the log format ('text' (default), or 'json')\n"
          "   --root value             root directory for storage of container state (default: "
          "\"" HUSK_DEFAULT_STATE_ROOT "\")\n"
          "   --systemd-cgroup         enable systemd cgroup support, expects cgroupsPath to be of "
          "form \"slice:prefix:name\" for e.g. \"system.slice:husk:434234\"\n"
          "   --help, -h               show help\n"
          "   --version, -v            print the version\n");
}

/* runc's shape, which tools parse: "<name> version X", "commit: ...",
 * "spec: ..." on the first three lines. */
static void
print_version (void)
{
  const struct scmp_version *v = seccomp_version ();

  printf ("husk version %s\ncommit: %s\nspec: %s\nlibseccomp: %u.%u.%u\n", HUSK_VERSION,
          HUSK_COMMIT, OCI_VERSION, v->major, v->minor, v->micro);
  printf ("systemd cgroup driver: %s\n",
          husk_cgroup_systemd_built () ? "supported (--systemd-cgroup, sd-bus)" : "not built");
}

static void
print_verb_help (size_t i)
{
  printf ("NAME:\n   husk %s - %s\n\nUSAGE:\n   husk %s [command options] %s\n\n"
          "Run `husk --help` for the global options.\n",
          verbs[i].name, verbs[i].help, verbs[i].name, verbs[i].args);
}

/* -h or --help among the options before the first argument, as runc's
 * command-line library takes it on every command. */
static bool
wants_help (int argc, char **argv)
{
  for (int i = 1; i < argc && argv[i][0] == '-' && strcmp (argv[i], "--") != 0; i++)
    if (strcmp (argv[i], "-h") == 0 || strcmp (argv[i], "--help") == 0)
      return true;
  return false;
}

static int
parse_global (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  int c;

  opterr = 0;
  while ((c = getopt_long (argc, argv, "+hv", global_options, NULL)) != -1)
    switch (c)
      {
      case OPT_ROOT: cli->rt.state_root = optarg; break;
      case OPT_LOG:
        cli->rt.log_fd = open (optarg, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        if (cli->rt.log_fd < 0)
          return husk_error_set (err, errno, "open log file `%s`", optarg);
        break;
      case OPT_LOG_FORMAT:
        if (strcmp (optarg, "json") != 0 && strcmp (optarg, "text") != 0)
          return husk_cli_usage_error (err, "invalid log-format: %s", optarg);
        cli->rt.log_json = strcmp (optarg, "json") == 0;
        break;
      case OPT_DEBUG: cli->rt.debug = true; break;
      case OPT_SYSTEMD_CGROUP: cli->rt.systemd_cgroup = true; break;
      case OPT_ROOTLESS:
      case OPT_CRIU: break; /* accepted as runc does; nothing to do */
      case 'h': print_help (); exit (0);
      case 'v': print_version (); exit (0);
      default:
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
      }
  return 0;
}

static void
report (struct husk_cli *cli, struct husk_error *err)
{
  cleanup_free char *line = NULL;
  int n;

  if (cli->verb && cli->id)
    n = asprintf (&line, "%s \"%s\": %s", cli->verb, cli->id, err->message);
  else if (cli->verb)
    n = asprintf (&line, "%s: %s", cli->verb, err->message);
  else
    n = asprintf (&line, "%s", err->message);
  if (n < 0)
    return;
  if (cli->rt.log_fd >= 0)
    husk_log_line (cli->rt.log_fd, cli->rt.log_json, "error", line);
  fprintf (stderr, "husk: %s\n", line);
}

/* `husk pod ...` is husk-pod's: next to this binary when installed, in
 * sandbox/podctl/ of a build tree, else on PATH.  Our --root is its
 * --runtime-root. */
static int
exec_pod (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  char self[PATH_MAX], path[PATH_MAX + 64];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  cleanup_free char **args = calloc ((size_t) argc + 4, sizeof *args);
  int i = 0;

  if (n < 0)
    return husk_error_set (err, errno, "readlink /proc/self/exe");
  if (args == NULL)
    return husk_error_set (err, ENOMEM, "calloc");
  self[n] = '\0';
  args[i++] = (char *) "husk-pod";
  if (cli->rt.state_root)
    {
      args[i++] = (char *) "--runtime-root";
      args[i++] = (char *) cli->rt.state_root;
    }
  for (int j = 1; j < argc; j++)
    args[i++] = argv[j];
  dirname (self);
  snprintf (path, sizeof path, "%s/husk-pod", self);
  execv (path, args);
  snprintf (path, sizeof path, "%s/../../sandbox/podctl/husk-pod", self);
  execv (path, args);
  execvp ("husk-pod", args);
  return husk_error_set (err, errno, "exec husk-pod");
}

static int
dispatch (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  if (optind >= argc)
    {
      print_help ();
      return 0;
    }
  cli->verb = argv[optind];
  argv += optind;
  argc -= optind;
  if (strcmp (cli->verb, "help") == 0 && argc < 2)
    return print_help (), 0;
  if (strcmp (cli->verb, "help") == 0)
    cli->verb = argv[1];
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp (verbs[i].name, cli->verb) == 0)
      {
        if (argv[0] != cli->verb || wants_help (argc, argv))
          return print_verb_help (i), 0;
        return verbs[i].fn (cli, argc, argv, err);
      }
  if (strcmp (cli->verb, "pod") == 0)
    return exec_pod (cli, argc, argv, err);
  {
    const char *verb = cli->verb;
    cli->verb = NULL;
    return husk_cli_usage_error (err, "No help topic for '%s'", verb);
  }
}

/* The verbs whose processes enter a container run from a sealed copy of
 * husk (security/exe_seal.h): CVE-2019-5736. */
static int
seal_exe (int argc, char **argv, struct husk_error **err)
{
  static const char *const entering[] = { "create", "run", "exec" };

  if (optind >= argc)
    return 0;
  for (size_t i = 0; i < sizeof entering / sizeof entering[0]; i++)
    if (strcmp (argv[optind], entering[i]) == 0)
      return husk_exe_seal (argv, err);
  return 0;
}

int
main (int argc, char **argv)
{
  struct husk_cli cli = { .rt = { .log_fd = -1 } };
  cleanup_error struct husk_error *err = NULL;
  int code;

  /* A run's heap (the config, mountinfo) in one brk, never given back
   * before the exit: no grow and shrink on the way (pages untouched cost
   * no memory). */
  mallopt (M_TOP_PAD, 1 << 20);
  mallopt (M_TRIM_THRESHOLD, 8 << 20);
  /* sd_notify: what runc reads, "" being unset as for systemd */
  cli.rt.notify_socket = getenv ("NOTIFY_SOCKET");
  if (cli.rt.notify_socket && cli.rt.notify_socket[0] == '\0')
    cli.rt.notify_socket = NULL;
  if (parse_global (&cli, argc, argv, &err) < 0 || seal_exe (argc, argv, &err) < 0)
    code = -1;
  else
    code = dispatch (&cli, argc, argv, &err);
  if (code < 0)
    {
      report (&cli, err);
      return cli.error_exit ? cli.error_exit : 1;
    }
  fflush (stdout);
  return code;
}

/* Helpers shared by the verbs. */
#include "cli.h"
#include "errors.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int
husk_cli_usage_error (struct husk_error **err, const char *fmt, ...)
{
  va_list ap;
  va_start (ap, fmt);
  husk_error_plainv (err, EINVAL, fmt, ap);
  va_end (ap);
  return -1;
}

int
husk_cli_need_id (struct husk_cli *cli, int argc, char **argv, int min, int max,
                  struct husk_error **err)
{
  int n = argc - optind;

  if (n < min)
    return husk_cli_usage_error (err, "\"%s\" requires a minimum of %d argument%s", cli->verb,
                                 min, min == 1 ? "" : "s");
  if (max >= 0 && n > max)
    return husk_cli_usage_error (err, "\"%s\" requires a maximum of %d argument%s", cli->verb,
                                 max, max == 1 ? "" : "s");
  if (n > 0)
    cli->id = argv[optind];
  return 0;
}

int
husk_cli_parse_int (const char *flag, const char *value, int *out, struct husk_error **err)
{
  char *end;
  long v;

  errno = 0;
  v = strtol (value, &end, 10);
  if (errno || *end || end == value || v < 0 || v > 1 << 20)
    return husk_cli_usage_error (err, "invalid value \"%s\" for flag %s", value, flag);
  *out = (int) v;
  return 0;
}

/* One "<number><unit>" of a Go duration, in nanoseconds. */
static const char *
duration_part (const char *s, double *ns)
{
  static const struct { const char *unit; double ns; } units[] = {
    { "ns", 1 }, { "us", 1e3 }, { "\u00b5s", 1e3 }, { "\u03bcs", 1e3 }, { "ms", 1e6 },
    { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 },
  };
  char *end;
  double v;
  size_t best = 0, best_len = 0;

  if (!(*s >= '0' && *s <= '9') && !(*s == '.' && s[1] >= '0' && s[1] <= '9'))
    return NULL;
  errno = 0;
  v = strtod (s, &end);
  if (errno || end == s)
    return NULL;
  /* the longest unit that matches: "ms" before "m" */
  for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
    {
      size_t n = strlen (units[i].unit);
      if (strncmp (end, units[i].unit, n) == 0 && n > best_len)
        best = i, best_len = n;
    }
  if (best_len == 0)
    return NULL;
  *ns += v * units[best].ns;
  return end + best_len;
}

int
husk_cli_parse_duration (const char *flag, const char *value, long long *ms,
                         struct husk_error **err)
{
  const char *s = value;
  double ns = 0;

  if (*s == '+')
    s++;
  if (strcmp (s, "0") != 0)
    for (const char *p = s; *p;)
      if ((p = duration_part (p, &ns)) == NULL)
        return husk_cli_usage_error (err, "invalid value \"%s\" for flag %s: time: invalid "
                                     "duration \"%s\"", value, flag, value);
  if (*s == '\0' || ns > 1e18)
    return husk_cli_usage_error (err, "invalid value \"%s\" for flag %s", value, flag);
  *ms = (long long) ((ns + 999999) / 1e6);
  return 0;
}

int
husk_cli_print (const char *text)
{
  fputs (text, stdout);
  return 0;
}

enum {
  OPT_CONSOLE_SOCKET = 256,
  OPT_PID_FILE,
  OPT_NO_PIVOT,
  OPT_NO_NEW_KEYRING,
  OPT_PRESERVE_FDS,
  OPT_KEEP,
  OPT_NO_SUBREAPER,
};

static const struct option create_options[] = {
  { "bundle", required_argument, NULL, 'b' },
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "no-pivot", no_argument, NULL, OPT_NO_PIVOT },
  { "no-new-keyring", no_argument, NULL, OPT_NO_NEW_KEYRING },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "detach", no_argument, NULL, 'd' },
  { "keep", no_argument, NULL, OPT_KEEP },
  { "no-subreaper", no_argument, NULL, OPT_NO_SUBREAPER },
  { NULL, 0, NULL, 0 },
};

/* systemd socket activation meant for us passes on, as runc does. */
static int
listen_fds (void)
{
  const char *fds = getenv ("LISTEN_FDS"), *pid = getenv ("LISTEN_PID");

  if (fds == NULL || pid == NULL || atoi (pid) != getpid ())
    return 0;
  return atoi (fds) > 0 ? atoi (fds) : 0;
}

static int
create_flag (int c, bool run, struct husk_cli_create_flags *f, struct husk_error **err)
{
  switch (c)
    {
    case 'b': f->opts.bundle = optarg; return 0;
    case OPT_CONSOLE_SOCKET: f->opts.console_socket = optarg; return 0;
    case OPT_PID_FILE: f->opts.pid_file = optarg; return 0;
    case OPT_NO_PIVOT: f->opts.no_pivot = true; return 0;
    case OPT_NO_NEW_KEYRING: f->opts.no_new_keyring = true; return 0;
    case OPT_PRESERVE_FDS:
      return husk_cli_parse_int ("--preserve-fds", optarg, &f->opts.preserve_fds, err);
    case 'd':
      if (run)
        return f->detach = true, 0;
      break;
    case OPT_KEEP:
      if (run)
        return f->opts.keep = true, 0;
      break;
    case OPT_NO_SUBREAPER:
      return 0; /* accepted like runc; nothing to do */
    default:
      break;
    }
  return husk_cli_usage_error (err, "unknown option `%s`", optind > 0 ? "" : "");
}

int
husk_cli_parse_create (struct husk_cli *cli, int argc, char **argv, bool run,
                       struct husk_cli_create_flags *f, struct husk_error **err)
{
  int c;

  husk_create_options_init (&f->opts);
  f->detach = false;
  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "+b:d", create_options, NULL)) != -1)
    {
      if (c == '?')
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
      if (create_flag (c, run, f, err) < 0)
        return -1;
    }
  if (husk_cli_need_id (cli, argc, argv, 1, 1, err) < 0)
    return -1;
  f->opts.id = cli->id;
  f->opts.listen_fds = listen_fds ();
  return 0;
}

int
husk_cli_simple_id (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  static const struct option none[] = { { NULL, 0, NULL, 0 } };
  int c;

  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "+", none, NULL)) != -1)
    return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
  return husk_cli_need_id (cli, argc, argv, 1, 1, err);
}

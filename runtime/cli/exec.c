/* husk exec [flags] <id> <command> [args...]: the process is the
 * container's own (env, cwd, user, capabilities...) with the flags on top,
 * or --process's document as is. */
#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"

enum { OPT_CONSOLE_SOCKET = 256, OPT_PID_FILE, OPT_CWD, OPT_CAP, OPT_NNP, OPT_PRESERVE_FDS,
       OPT_IGNORED, OPT_IGNORE_PAUSED, OPT_CGROUP };

static const struct option options[] = {
  { "console-socket", required_argument, NULL, OPT_CONSOLE_SOCKET },
  { "cwd", required_argument, NULL, OPT_CWD },
  { "env", required_argument, NULL, 'e' },
  { "tty", no_argument, NULL, 't' },
  { "user", required_argument, NULL, 'u' },
  { "additional-gids", required_argument, NULL, 'g' },
  { "process", required_argument, NULL, 'p' },
  { "detach", no_argument, NULL, 'd' },
  { "pid-file", required_argument, NULL, OPT_PID_FILE },
  { "process-label", required_argument, NULL, OPT_IGNORED },
  { "apparmor", required_argument, NULL, OPT_IGNORED },
  { "no-new-privs", no_argument, NULL, OPT_NNP },
  { "cap", required_argument, NULL, 'c' },
  { "preserve-fds", required_argument, NULL, OPT_PRESERVE_FDS },
  { "ignore-paused", no_argument, NULL, OPT_IGNORE_PAUSED },
  { "cgroup", required_argument, NULL, OPT_CGROUP },
  { NULL, 0, NULL, 0 },
};

struct exec_flags {
  struct husk_exec_options opts;
  const char *process_file, *cwd, *user;
  char **env, **caps, **cgroups;
  size_t env_len, caps_len, cgroups_len;
  uint32_t *gids;
  size_t gids_len;
  bool tty, nnp;
};

/* Every return of the flag loop frees the lists (their strings are argv's). */
static void
exec_flags_clear (struct exec_flags *f)
{
  free (f->env);
  free (f->caps);
  free (f->cgroups);
  free (f->gids);
}
#define cleanup_exec_flags __attribute__ ((cleanup (exec_flags_clear)))

/* The flags' lists borrow argv's strings. */
static int
push (char ***v, size_t *len, const char *s, struct husk_error **err)
{
  char **grown = reallocarray (*v, *len + 1, sizeof **v);

  if (grown == NULL)
    return husk_error_set (err, ENOMEM, "realloc");
  *v = grown;
  (*v)[(*len)++] = (char *) s;
  return 0;
}

/* A decimal uint32 ending at `stop` or at the end of s, as runc's Atoi of
 * the parts of "uid:gid"; errors name the flag's whole value. */
static int
parse_uint (const char *flag, const char *value, const char *s, char stop, uint32_t *out,
            struct husk_error **err)
{
  char *end;
  unsigned long v;

  errno = 0;
  v = strtoul (s, &end, 10);
  if (errno || end == s || (*end && *end != stop) || v > UINT32_MAX || s[0] == '-')
    return husk_cli_usage_error (err, "invalid value \"%s\" for flag %s", value, flag);
  *out = (uint32_t) v;
  return 0;
}

static int
exec_flag (int c, struct exec_flags *f, struct husk_error **err)
{
  switch (c)
    {
    case OPT_CONSOLE_SOCKET: f->opts.console_socket = optarg; return 0;
    case OPT_PID_FILE: f->opts.pid_file = optarg; return 0;
    case OPT_CWD: f->cwd = optarg; return 0;
    case 'e': return push (&f->env, &f->env_len, optarg, err);
    case 'c': return push (&f->caps, &f->caps_len, optarg, err);
    case 't': f->tty = true; return 0;
    case 'u': f->user = optarg; return 0;
    case 'p': f->process_file = optarg; return 0;
    case 'd': f->opts.detach = true; return 0;
    case OPT_NNP: f->nnp = true; return 0;
    case OPT_IGNORED: return 0;
    case OPT_IGNORE_PAUSED: f->opts.ignore_paused = true; return 0;
    case OPT_CGROUP: return push (&f->cgroups, &f->cgroups_len, optarg, err);
    case OPT_PRESERVE_FDS:
      return husk_cli_parse_int ("--preserve-fds", optarg, &f->opts.preserve_fds, err);
    case 'g':
      {
        uint32_t gid = 0, *grown;
        if (parse_uint ("--additional-gids", optarg, optarg, '\0', &gid, err) < 0)
          return -1;
        if ((grown = reallocarray (f->gids, f->gids_len + 1, sizeof gid)) == NULL)
          return husk_error_set (err, ENOMEM, "realloc");
        f->gids = grown;
        f->gids[f->gids_len++] = gid;
        return 0;
      }
    default:
      return husk_cli_usage_error (err, "flag provided but not defined: %s", optarg ? optarg : "");
    }
}

static int
set_args (struct oci_process *p, int argc, char **argv)
{
  cleanup_strv char **args = calloc ((size_t) argc + 1, sizeof *args);

  if (args == NULL)
    return -1;
  for (int i = 0; i < argc; i++)
    if ((args[i] = strdup (argv[i])) == NULL)
      return -1;
  for (size_t i = 0; i < p->args_len; i++)
    free (p->args[i]);
  free (p->args);
  p->args = steal_pointer (&args);
  p->args_len = (size_t) argc;
  return 0;
}

static int
append_strv (char ***v, size_t *len, char **add, size_t add_len)
{
  char **grown = realloc (*v, (*len + add_len + 1) * sizeof **v);

  if (grown == NULL)
    return -1;
  *v = grown;
  for (size_t i = 0; i < add_len; i++, (*len)++)
    if (((*v)[*len] = strdup (add[i])) == NULL)
      return -1;
  (*v)[*len] = NULL;
  return 0;
}

/* --env KEY=V replaces the process's KEY: runc sets each with setenv, so
 * the last value wins, where a second entry in envp would lose to the
 * first in getenv. */
static int
merge_env (struct oci_process *p, char **add, size_t add_len)
{
  for (size_t i = 0; i < add_len; i++)
    {
      size_t key = strcspn (add[i], "=");
      bool replaced = false;
      for (size_t j = 0; j < p->env_len && !replaced; j++)
        {
          char *copy;
          if (strncmp (p->env[j], add[i], key) != 0 || (p->env[j][key] != '=' && p->env[j][key]))
            continue;
          if ((copy = strdup (add[i])) == NULL)
            return -1;
          free (p->env[j]);
          p->env[j] = copy;
          replaced = true;
        }
      if (!replaced && append_strv (&p->env, &p->env_len, &add[i], 1) < 0)
        return -1;
    }
  return 0;
}

static int
add_caps (struct oci_process *p, const struct exec_flags *f)
{
  struct oci_capabilities *c = p->capabilities;

  if (f->caps_len == 0)
    return 0;
  if (c == NULL && (c = p->capabilities = calloc (1, sizeof *c)) == NULL)
    return -1;
  if (append_strv (&c->bounding, &c->bounding_len, f->caps, f->caps_len) < 0
      || append_strv (&c->effective, &c->effective_len, f->caps, f->caps_len) < 0
      || append_strv (&c->permitted, &c->permitted_len, f->caps, f->caps_len) < 0)
    return -1;
  return 0;
}

/* The container's process with the command line's changes. */
static int
apply_flags (struct oci_process *p, const struct exec_flags *f, int argc, char **argv,
             struct husk_error **err)
{
  if (argc > 0 && set_args (p, argc, argv) < 0)
    return husk_error_set (err, ENOMEM, "args");
  if (f->env_len && merge_env (p, f->env, f->env_len) < 0)
    return husk_error_set (err, ENOMEM, "env");
  if (f->cwd && (free (p->cwd), p->cwd = strdup (f->cwd)) == NULL)
    return husk_error_set (err, ENOMEM, "cwd");
  if (f->user)
    {
      const char *colon = strchr (f->user, ':');
      if (parse_uint ("--user", f->user, f->user, ':', &p->user.uid, err) < 0
          || (colon && parse_uint ("--user", f->user, colon + 1, '\0', &p->user.gid, err) < 0))
        return -1;
    }
  if (f->gids_len)
    {
      free (p->user.additional_gids);
      p->user.additional_gids = malloc (f->gids_len * sizeof (uint32_t));
      if (p->user.additional_gids == NULL)
        return husk_error_set (err, ENOMEM, "gids");
      memcpy (p->user.additional_gids, f->gids, f->gids_len * sizeof (uint32_t));
      p->user.additional_gids_len = f->gids_len;
    }
  if (add_caps (p, f) < 0)
    return husk_error_set (err, ENOMEM, "capabilities");
  p->no_new_privileges |= f->nnp;
  p->terminal = f->tty;
  return 0;
}

static int
load_process_file (const char *path, struct oci_process **out, struct husk_error **err)
{
  cleanup_free char *data = NULL;
  size_t len;

  if (json_doc_read_file (path, &data, &len, err) < 0)
    return -1;
  return oci_process_parse_data (path, data, len, out, err);
}

static int
run_exec (struct husk_cli *cli, struct exec_flags *f, int argc, char **argv,
          struct husk_error **err)
{
  struct oci_config *config = NULL;
  struct oci_process *own = NULL;
  int exit_code = 0, ret;

  if (f->process_file)
    ret = load_process_file (f->process_file, &own, err);
  else if ((ret = husk_container_exec_config (&cli->rt, cli->id, &config, err)) == 0)
    {
      if (config->process == NULL)
        config->process = calloc (1, sizeof *config->process);
      ret = config->process ? apply_flags (config->process, f, argc, argv, err)
                            : husk_error_set (err, ENOMEM, "process");
    }
  f->opts.process = own ? own : config ? config->process : NULL;
  f->opts.config = config;
  if (ret == 0)
    ret = husk_container_exec (&cli->rt, &f->opts, NULL, &exit_code, err);
  if (own)
    oci_process_free (own);
  if (config)
    oci_config_free (config);
  return ret < 0 ? -1 : exit_code;
}

int
husk_cli_exec (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  cleanup_exec_flags struct exec_flags f = { 0 };
  int c;

  husk_exec_options_init (&f.opts);
  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "+e:tu:g:p:dc:", options, NULL)) != -1)
    {
      if (c == '?')
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
      if (exec_flag (c, &f, err) < 0)
        return -1;
    }
  if (husk_cli_need_id (cli, argc, argv, f.process_file ? 1 : 2, -1, err) < 0)
    return -1;
  f.opts.id = cli->id;
  f.opts.sub_cgroups = (const char *const *) f.cgroups;
  f.opts.sub_cgroups_len = f.cgroups_len;
  /* runc: exec's own failures are 255, apart from the command's codes */
  cli->error_exit = 255;
  return run_exec (cli, &f, argc - optind - 1, argv + optind + 1, err);
}

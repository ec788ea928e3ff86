/* config.json `process` (also the whole of an exec --process document). */
#include <errno.h>
#include <stdlib.h>

#include "cleanup.h"
#include "config_internal.h"

static int
parse_console_size (struct jr *r, yajl_val v, void *out)
{
  struct oci_console_size *cs = out;

  if (jr_u32 (r, v, "height", true, &cs->height) < 0
      || jr_u32 (r, v, "width", true, &cs->width) < 0)
    return -1;
  return 0;
}

static int
parse_additional_gids (struct jr *r, yajl_val user, struct oci_user *u)
{
  yajl_val arr;
  size_t mark;
  int ret = jr_array (r, user, "additionalGids", false, &arr);

  if (ret <= 0)
    return ret;
  u->additional_gids = calloc (arr->u.array.len + 1, sizeof *u->additional_gids);
  if (u->additional_gids == NULL)
    return husk_error_set (r->err, ENOMEM, "%s: process.user.additionalGids", r->filename);
  u->additional_gids_len = arr->u.array.len;
  mark = jr_enter_key (r, "additionalGids");
  for (size_t i = 0; i < arr->u.array.len; i++)
    {
      uint64_t gid = 0;
      size_t at = jr_enter_index (r, i);
      if (jr_u64_value (r, arr->u.array.values[i], UINT32_MAX, &gid) < 0)
        return -1;
      u->additional_gids[i] = (uint32_t) gid;
      jr_leave (r, at);
    }
  jr_leave (r, mark);
  return 1;
}

static int
parse_user (struct jr *r, yajl_val user, void *out)
{
  struct oci_user *u = out;
  return (jr_u32 (r, user, "uid", true, &u->uid) < 0
          || jr_u32 (r, user, "gid", true, &u->gid) < 0
          || jr_opt_u64 (r, user, "umask", UINT32_MAX, &u->umask) < 0
          || parse_additional_gids (r, user, u) < 0
          || jr_string (r, user, "username", false, &u->username) < 0)
             ? -1 : 0;
}

static int
parse_capabilities (struct jr *r, yajl_val v, void *out)
{
  struct oci_capabilities *c = out;

  if (jr_strv (r, v, "bounding", false, &c->bounding, &c->bounding_len) < 0
      || jr_strv (r, v, "effective", false, &c->effective, &c->effective_len) < 0
      || jr_strv (r, v, "inheritable", false, &c->inheritable, &c->inheritable_len) < 0
      || jr_strv (r, v, "permitted", false, &c->permitted, &c->permitted_len) < 0
      || jr_strv (r, v, "ambient", false, &c->ambient, &c->ambient_len) < 0)
    return -1;
  return 0;
}

static int
parse_rlimit (struct jr *r, yajl_val v, void *out)
{
  struct oci_rlimit *rl = out;

  if (jr_string (r, v, "type", true, &rl->type) < 0
      || jr_u64 (r, v, "soft", true, UINT64_MAX, &rl->soft) < 0
      || jr_u64 (r, v, "hard", true, UINT64_MAX, &rl->hard) < 0)
    return -1;
  return 0;
}

static int
parse_scheduler (struct jr *r, yajl_val v, void *out)
{
  struct oci_scheduler *s = out;

  if (jr_string (r, v, "policy", true, &s->policy) < 0
      || jr_opt_i64 (r, v, "nice", INT32_MIN, INT32_MAX, &s->nice) < 0
      || jr_opt_i64 (r, v, "priority", INT32_MIN, INT32_MAX, &s->priority) < 0
      || jr_strv (r, v, "flags", false, &s->flags, &s->flags_len) < 0
      || jr_opt_u64 (r, v, "runtime", UINT64_MAX, &s->runtime) < 0
      || jr_opt_u64 (r, v, "deadline", UINT64_MAX, &s->deadline) < 0
      || jr_opt_u64 (r, v, "period", UINT64_MAX, &s->period) < 0)
    return -1;
  return 0;
}

static int
parse_io_priority (struct jr *r, yajl_val v, void *out)
{
  struct oci_io_priority *p = out;

  if (jr_string (r, v, "class", true, &p->class) < 0
      || jr_i64 (r, v, "priority", false, INT32_MIN, INT32_MAX, &p->priority) < 0)
    return -1;
  return 0;
}

static int
parse_exec_cpu_affinity (struct jr *r, yajl_val v, void *out)
{
  struct oci_exec_cpu_affinity *a = out;

  if (jr_string (r, v, "initial", false, &a->initial) < 0
      || jr_string (r, v, "final", false, &a->final) < 0)
    return -1;
  return 0;
}

int
oci_parse_process (struct jr *r, yajl_val v, void *out)
{
  struct oci_process *p = out;

  if (jr_bool (r, v, "terminal", &p->terminal) < 0
      || jr_object_of (r, v, "consoleSize", sizeof *p->console_size, parse_console_size,
                       &p->console_size) < 0
      || jr_object_into (r, v, "user", false, parse_user, &p->user) < 0
      || jr_strv (r, v, "args", false, &p->args, &p->args_len) < 0
      || jr_string (r, v, "commandLine", false, &p->command_line) < 0
      || jr_strv (r, v, "env", false, &p->env, &p->env_len) < 0
      || jr_string (r, v, "cwd", true, &p->cwd) < 0
      || jr_object_of (r, v, "capabilities", sizeof *p->capabilities, parse_capabilities,
                       &p->capabilities) < 0
      || jr_array_of (r, v, "rlimits", sizeof *p->rlimits, parse_rlimit, &p->rlimits,
                      &p->rlimits_len) < 0
      || jr_bool (r, v, "noNewPrivileges", &p->no_new_privileges) < 0
      || jr_string (r, v, "apparmorProfile", false, &p->apparmor_profile) < 0
      || jr_opt_i64 (r, v, "oomScoreAdj", INT32_MIN, INT32_MAX, &p->oom_score_adj) < 0
      || jr_object_of (r, v, "scheduler", sizeof *p->scheduler, parse_scheduler,
                       &p->scheduler) < 0
      || jr_string (r, v, "selinuxLabel", false, &p->selinux_label) < 0
      || jr_object_of (r, v, "ioPriority", sizeof *p->io_priority, parse_io_priority,
                       &p->io_priority) < 0
      || jr_object_of (r, v, "execCPUAffinity", sizeof *p->exec_cpu_affinity,
                       parse_exec_cpu_affinity, &p->exec_cpu_affinity) < 0)
    return -1;
  return 0;
}

HUSK_DEFINE_CLEANUP (struct oci_process, oci_process_free)

int
oci_process_parse_data (const char *filename, const char *data, size_t len,
                        struct oci_process **out, struct husk_error **err)
{
  __attribute__ ((cleanup (oci_process_freep))) struct oci_process *p = calloc (1, sizeof *p);

  if (filename == NULL)
    filename = "process.json";
  if (p == NULL)
    return husk_error_set (err, ENOMEM, "%s", filename);
  if (oci_parse_document (filename, data, len, oci_parse_process, p, err) < 0
      || oci_process_validate (filename, p, err) < 0)
    return -1;
  *out = steal_pointer (&p);
  return 0;
}

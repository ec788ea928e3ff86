/* linux.seccomp of config.json. */
#include "config_internal.h"

static int
action_value (struct jr *r, yajl_val obj, const char *key, bool required,
              enum oci_seccomp_action *out)
{
  yajl_val v = jr_member (obj, key);
  size_t mark = jr_enter_key (r, key);
  int a;

  if (v == NULL && !required)
    {
      jr_leave (r, mark);
      return 0;
    }
  if (v == NULL)
    return jr_fail (r, "required");
  if (!YAJL_IS_STRING (v))
    return jr_fail_type (r, "a string", v);
  a = oci_seccomp_action_from_name (v->u.string);
  if (a < 0)
    return jr_fail (r, "unknown seccomp action \"%.64s\"", v->u.string);
  *out = (enum oci_seccomp_action) a;
  jr_leave (r, mark);
  return 1;
}

static int
op_value (struct jr *r, yajl_val obj, enum oci_seccomp_op *out)
{
  yajl_val v = jr_member (obj, "op");
  size_t mark = jr_enter_key (r, "op");
  int op;

  if (v == NULL)
    return jr_fail (r, "required");
  if (!YAJL_IS_STRING (v))
    return jr_fail_type (r, "a string", v);
  op = oci_seccomp_op_from_name (v->u.string);
  if (op < 0)
    return jr_fail (r, "unknown seccomp operator \"%.64s\"", v->u.string);
  *out = (enum oci_seccomp_op) op;
  jr_leave (r, mark);
  return 1;
}

static int
parse_arg (struct jr *r, yajl_val v, void *out)
{
  struct oci_seccomp_arg *a = out;

  if (jr_u32 (r, v, "index", true, &a->index) < 0
      || jr_u64 (r, v, "value", true, UINT64_MAX, &a->value) < 0
      || jr_opt_u64 (r, v, "valueTwo", UINT64_MAX, &a->value_two) < 0
      || op_value (r, v, &a->op) < 0)
    return -1;
  return 0;
}

static int
parse_syscall (struct jr *r, yajl_val v, void *out)
{
  struct oci_seccomp_syscall *s = out;

  if (jr_strv (r, v, "names", true, &s->names, &s->names_len) < 0
      || action_value (r, v, "action", true, &s->action) < 0
      || jr_opt_u64 (r, v, "errnoRet", UINT32_MAX, &s->errno_ret) < 0
      || jr_array_of (r, v, "args", sizeof *s->args, parse_arg, &s->args, &s->args_len) < 0)
    return -1;
  return 0;
}

int
oci_parse_seccomp (struct jr *r, yajl_val v, void *out)
{
  struct oci_seccomp *s = out;

  if (action_value (r, v, "defaultAction", true, &s->default_action) < 0
      || jr_opt_u64 (r, v, "defaultErrnoRet", UINT32_MAX, &s->default_errno_ret) < 0
      || jr_strv (r, v, "architectures", false, &s->architectures, &s->architectures_len) < 0
      || jr_strv (r, v, "flags", false, &s->flags, &s->flags_len) < 0
      || jr_string (r, v, "listenerPath", false, &s->listener_path) < 0
      || jr_string (r, v, "listenerMetadata", false, &s->listener_metadata) < 0
      || jr_array_of (r, v, "syscalls", sizeof *s->syscalls, parse_syscall, &s->syscalls,
                      &s->syscalls_len) < 0)
    return -1;
  return 0;
}

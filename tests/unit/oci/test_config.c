/* Valid config.json documents parse into the expected structs, field by
 * field: the default specs of runc and crun (saved from `runc spec` and
 * `crun spec`, with their rootless variants) and a kitchen-sink config
 * that uses every field of runtime-spec 1.2. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "config.h"
#include "tap.h"

static struct oci_config *
parse_fixture (const char *name)
{
  cleanup_free char *path = NULL;
  cleanup_error struct husk_error *err = NULL;
  struct oci_config *c = NULL;

  if (asprintf (&path, "%s/%s", HUSK_SPEC_FIXTURES, name) < 0)
    abort ();
  if (!ok (oci_config_parse_file (path, &c, &err) == 0, "%s parses", name))
    printf ("#   error: %s\n", err ? err->message : "(none)");
  return c;
}

static bool
strv_is (char **got, size_t len, const char *const *want)
{
  size_t n = 0;
  while (want[n])
    n++;
  if (len != n || got[len] != NULL)
    return false;
  for (size_t i = 0; i < n; i++)
    if (strcmp (got[i], want[i]) != 0)
      return false;
  return true;
}

static const char *const default_caps[]
    = { "CAP_AUDIT_WRITE", "CAP_KILL", "CAP_NET_BIND_SERVICE", NULL };

static void
check_default_process (const char *name, const struct oci_process *p)
{
  static const char *const env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL
  };
  static const char *const args[] = { "sh", NULL };

  if (!ok (p != NULL, "%s: process", name))
    return;
  ok (p->terminal, "%s: process.terminal", name);
  is_int (p->user.uid, 0, "%s: process.user.uid", name);
  is_int (p->user.gid, 0, "%s: process.user.gid", name);
  ok (strv_is (p->args, p->args_len, args), "%s: process.args", name);
  ok (strv_is (p->env, p->env_len, env), "%s: process.env", name);
  is_str (p->cwd, "/", "%s: process.cwd", name);
  ok (p->capabilities != NULL, "%s: process.capabilities", name);
  ok (strv_is (p->capabilities->bounding, p->capabilities->bounding_len, default_caps),
      "%s: capabilities.bounding", name);
  ok (strv_is (p->capabilities->effective, p->capabilities->effective_len, default_caps),
      "%s: capabilities.effective", name);
  ok (strv_is (p->capabilities->permitted, p->capabilities->permitted_len, default_caps),
      "%s: capabilities.permitted", name);
  is_int (p->rlimits_len, 1, "%s: one rlimit", name);
  is_str (p->rlimits[0].type, "RLIMIT_NOFILE", "%s: rlimits[0].type", name);
  is_int (p->rlimits[0].soft, 1024, "%s: rlimits[0].soft", name);
  is_int (p->rlimits[0].hard, 1024, "%s: rlimits[0].hard", name);
  ok (p->no_new_privileges, "%s: noNewPrivileges", name);
  ok (!p->oom_score_adj.set, "%s: oomScoreAdj unset", name);
}

static void
check_default_mounts (const char *name, const struct oci_config *c, bool rootless)
{
  static const char *const pts_opts[] = { "nosuid", "noexec", "newinstance", "ptmxmode=0666",
                                          "mode=0620", "gid=5", NULL };
  is_int (c->mounts_len, 7, "%s: 7 mounts", name);
  if (c->mounts_len < 7)
    return;
  is_str (c->mounts[0].destination, "/proc", "%s: mounts[0].destination", name);
  is_str (c->mounts[0].type, "proc", "%s: mounts[0].type", name);
  is_str (c->mounts[0].source, "proc", "%s: mounts[0].source", name);
  is_int (c->mounts[0].options_len, 0, "%s: mounts[0] has no options", name);
  is_str (c->mounts[2].destination, "/dev/pts", "%s: mounts[2].destination", name);
  if (!rootless)
    ok (strv_is (c->mounts[2].options, c->mounts[2].options_len, pts_opts),
        "%s: mounts[2].options", name);
  else
    is_int (c->mounts[2].options_len, 5, "%s: rootless devpts has no gid=5", name);
  is_str (c->mounts[6].destination, "/sys/fs/cgroup", "%s: mounts[6].destination", name);
}

static void
check_default_linux (const char *name, const struct oci_config *c, bool rootless)
{
  const struct oci_linux *l = c->linux_;

  if (!ok (l != NULL, "%s: linux", name))
    return;
  ok (oci_config_namespace (c, OCI_NS_PID) != NULL, "%s: pid namespace", name);
  ok (oci_config_namespace (c, OCI_NS_MOUNT) != NULL, "%s: mount namespace", name);
  ok (oci_config_namespace (c, OCI_NS_IPC) != NULL, "%s: ipc namespace", name);
  ok (oci_config_namespace (c, OCI_NS_UTS) != NULL, "%s: uts namespace", name);
  ok ((oci_config_namespace (c, OCI_NS_USER) != NULL) == rootless, "%s: user namespace iff "
      "rootless", name);
  ok (oci_config_namespace (c, OCI_NS_TIME) == NULL, "%s: no time namespace", name);
  ok (l->masked_paths_len >= 8, "%s: maskedPaths", name);
  is_str (l->masked_paths[0], "/proc/acpi", "%s: maskedPaths[0]", name);
  ok (l->masked_paths[l->masked_paths_len] == NULL, "%s: maskedPaths NULL terminated", name);
  ok (l->readonly_paths_len >= 5, "%s: readonlyPaths", name);
  is_str (l->readonly_paths[0], "/proc/bus", "%s: readonlyPaths[0]", name);
}

static void
check_runc_default (const char *file, bool rootless)
{
  struct oci_config *c = parse_fixture (file);

  if (c == NULL)
    return;
  is_str (c->oci_version, "1.0.2-dev", "%s: ociVersion", file);
  is_str (c->root->path, "rootfs", "%s: root.path", file);
  ok (c->root->readonly, "%s: root.readonly", file);
  is_str (c->hostname, "runc", "%s: hostname", file);
  check_default_process (file, c->process);
  check_default_mounts (file, c, rootless);
  check_default_linux (file, c, rootless);
  if (!rootless)
    {
      const struct oci_resources *res = c->linux_->resources;
      ok (res && res->devices_len == 1 && !res->devices[0].allow
              && strcmp (res->devices[0].access, "rwm") == 0 && res->devices[0].type == NULL
              && !res->devices[0].major.set,
          "%s: resources.devices deny all", file);
      ok (oci_config_namespace (c, OCI_NS_NETWORK) != NULL, "%s: network namespace", file);
    }
  else
    {
      const struct oci_linux *l = c->linux_;
      ok (l->uid_mappings_len == 1 && l->uid_mappings[0].container_id == 0
              && l->uid_mappings[0].size == 1, "%s: uidMappings", file);
      ok (l->gid_mappings_len == 1 && l->gid_mappings[0].size == 1, "%s: gidMappings", file);
      is_str (c->mounts[5].type, "none", "%s: rootless /sys is a bind", file);
    }
  oci_config_free (c);
}

static void
check_crun_default (const char *file, bool rootless)
{
  struct oci_config *c = parse_fixture (file);

  if (c == NULL)
    return;
  is_str (c->oci_version, "1.0.0", "%s: ociVersion", file);
  is_str (c->root->path, "rootfs", "%s: root.path", file);
  is_str (c->hostname, "crun", "%s: hostname", file);
  check_default_process (file, c->process);
  ok (c->process->capabilities->inheritable_len == 0
          && c->process->capabilities->inheritable != NULL,
      "%s: capabilities.inheritable is an empty array", file);
  check_default_mounts (file, c, rootless);
  check_default_linux (file, c, rootless);
  oci_config_free (c);
}

static void
check_file_errors (void)
{
  cleanup_error struct husk_error *err = NULL;
  struct oci_config *c = NULL;

  ok (oci_config_parse_file ("/nonexistent/config.json", &c, &err) < 0 && c == NULL,
      "missing file refused");
  is_str (err ? err->message : NULL,
          "open `/nonexistent/config.json`: No such file or directory", "missing file message");
  husk_error_release (&err);
  ok (oci_config_parse_file (HUSK_SPEC_FIXTURES, &c, &err) < 0, "directory refused");
  ok (err && err->errnum == EISDIR, "directory: EISDIR");
  husk_error_release (&err);
  ok (oci_config_parse_file (HUSK_SPEC_FIXTURES "/hostile/no-version.json", &c, &err) < 0,
      "file errors name the file");
  is_str (err ? err->message : NULL, HUSK_SPEC_FIXTURES "/hostile/no-version.json: ociVersion: "
          "required", "file error message");
}

static void
check_helpers (void)
{
  for (int t = 0; t < OCI_NS__COUNT; t++)
    is_int (oci_namespace_type_from_name (oci_namespace_type_name ((enum oci_namespace_type) t)),
            t, "namespace name %s round trips", oci_namespace_type_name ((enum oci_namespace_type) t));
  is_str (oci_namespace_type_name (OCI_NS_NETWORK), "network", "OCI_NS_NETWORK is network");
  is_int (oci_namespace_type_from_name ("net"), -1, "\"net\" is not a spec name");
  ok (oci_namespace_type_name (OCI_NS__COUNT) == NULL, "no name past the end");
  is_int (oci_seccomp_action_from_name ("SCMP_ACT_KILL_PROCESS"), OCI_SCMP_ACT_KILL_PROCESS,
          "seccomp action name");
  is_str (oci_seccomp_op_name (OCI_SCMP_CMP_MASKED_EQ), "SCMP_CMP_MASKED_EQ", "seccomp op name");
  ok (oci_map_get (NULL, "x") == NULL, "oci_map_get (NULL)");
  ok (oci_config_namespace (NULL, OCI_NS_PID) == NULL, "oci_config_namespace (NULL)");
}

/* runtime-spec 1.1+: a relative mount destination is relative to "/". */
static void
check_relative_destination (void)
{
  struct oci_config *c = parse_fixture ("mount-relative.json");
  if (c)
    is_str (c->mounts[0].destination, "/proc", "relative destination \"proc\" is \"/proc\"");
  oci_config_free (c);
}

int
main (void)
{
  check_file_errors ();
  check_helpers ();
  check_runc_default ("runc.json", false);
  check_runc_default ("runc-rootless.json", true);
  check_crun_default ("crun.json", false);
  check_crun_default ("crun-rootless.json", true);
  check_relative_destination ();
  return tap_done ();
}

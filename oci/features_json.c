/* features.json (runtime-spec features.md): what husk supports, printed by
 * `husk features`.  The lists come from the same tables the parser and the
 * validator use, so the three agree. */
#include <errno.h>
#include <seccomp.h> /* for SCMP_VER_* only: oci/ does not link libseccomp */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "json_writer.h"
#include "spec_names.h"
#include "state.h"

#define STR(x) #x
#define XSTR(x) STR (x)
#define LIBSECCOMP_VERSION XSTR (SCMP_VER_MAJOR) "." XSTR (SCMP_VER_MINOR) "." XSTR (SCMP_VER_MICRO)

static void
write_namespaces (struct jw *w)
{
  jw_key (w, "namespaces");
  jw_array_open (w);
  for (int i = 0; i < OCI_NS__COUNT; i++)
    jw_string (w, oci_namespace_type_name ((enum oci_namespace_type) i));
  jw_array_close (w);
}

/* Every capability husk has a name for. */
static void
write_capabilities (struct jw *w)
{
  jw_key (w, "capabilities");
  jw_array_open (w);
  for (int c = 0; c <= OCI_CAP_LAST; c++)
    jw_string (w, oci_names_capabilities[c]);
  jw_array_close (w);
}

static void
write_seccomp (struct jw *w)
{
  jw_key (w, "seccomp");
  jw_open (w);
  jw_key_bool (w, "enabled", true);
  jw_key (w, "actions");
  jw_array_open (w);
  for (int a = OCI_SCMP_ACT_KILL; a <= OCI_SCMP_ACT_NOTIFY; a++)
    jw_string (w, oci_seccomp_action_name ((enum oci_seccomp_action) a));
  jw_array_close (w);
  jw_key (w, "operators");
  jw_array_open (w);
  for (int op = OCI_SCMP_CMP_NE; op <= OCI_SCMP_CMP_MASKED_EQ; op++)
    jw_string (w, oci_seccomp_op_name ((enum oci_seccomp_op) op));
  jw_array_close (w);
  jw_key_strv (w, "archs", oci_names_seccomp_archs);
  jw_key_strv (w, "knownFlags", oci_names_seccomp_flags);
  jw_key_strv (w, "supportedFlags", oci_names_seccomp_flags_supported);
  jw_close (w);
}

static void
write_enabled (struct jw *w, const char *key, bool enabled)
{
  jw_key (w, key);
  jw_open (w);
  jw_key_bool (w, "enabled", enabled);
  jw_close (w);
}

static void
write_linux (struct jw *w, bool systemd)
{
  jw_key (w, "linux");
  jw_open (w);
  write_namespaces (w);
  write_capabilities (w);
  jw_key (w, "cgroup");
  jw_open (w);
  jw_key_bool (w, "v1", true);
  jw_key_bool (w, "v2", true);
  jw_key_bool (w, "systemd", systemd);
  /* the user manager's bus (rootless --systemd-cgroup) is not driven */
  jw_key_bool (w, "systemdUser", false);
  jw_key_bool (w, "rdma", true);
  jw_close (w);
  write_seccomp (w);
  write_enabled (w, "apparmor", false);
  write_enabled (w, "selinux", false);
  write_enabled (w, "intelRdt", false);
  jw_key (w, "mountExtensions");
  jw_open (w);
  write_enabled (w, "idmap", true);
  jw_close (w);
  jw_close (w);
}

/* The annotation keys runc prints, read by tools that drive runtimes
 * through runc's CLI (containerd, CRI-O). */
static void
write_annotations (struct jw *w)
{
  jw_key (w, "annotations");
  jw_open (w);
  jw_key_string (w, "io.github.seccomp.libseccomp.version", LIBSECCOMP_VERSION);
  jw_key_string (w, "org.opencontainers.runc.checkpoint.enabled", "false");
  jw_key_string (w, "org.opencontainers.runc.version", HUSK_VERSION);
  jw_key_string (w, "org.opencontainers.runc.commit", "husk-" HUSK_VERSION);
  /* NOTIFY_SOCKET is proxied as runc does (runtime/notify_socket.c) */
  jw_key_string (w, "org.husk.sd-notify.enabled", "true");
  jw_close (w);
}

int
oci_features_to_json (bool systemd, char **out, size_t *len, struct husk_error **err)
{
  cleanup_jw struct jw w = { 0 };

  if (jw_init (&w, "    ", err) < 0)
    return -1;
  jw_open (&w);
  jw_key_string (&w, "ociVersionMin", "1.0.0");
  jw_key_string (&w, "ociVersionMax", OCI_VERSION);
  jw_key_strv (&w, "hooks", oci_names_hooks);
  jw_key_strv (&w, "mountOptions", oci_names_mount_options);
  write_linux (&w, systemd);
  write_annotations (&w);
  jw_close (&w);
  return jw_finish (&w, "features.json", out, len, err);
}

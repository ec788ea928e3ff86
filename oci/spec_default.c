/* The config.json that `husk spec` writes: the same content as `runc spec`
 * (and `runc spec --rootless`), so bundles made for one work with the other. */
#include "spec_default.h"

#include <stdio.h>
#include <unistd.h>

#include "cleanup.h"
#include "json_writer.h"
#include "state.h"

struct default_mount {
  const char *destination, *type, *source;
  const char *const *options;
  /* The rootless variant, where it differs (NULL: same as above). */
  const char *const *rootless_options;
  const char *rootless_type, *rootless_source;
};

#define OPTS(...) ((const char *const[]){ __VA_ARGS__, NULL })

#define MOUNT(dest, typ, src, opts)                                            \
  .destination = (dest), .type = (typ), .source = (src), .options = (opts)

static const struct default_mount default_mounts[] = {
  { MOUNT ("/proc", "proc", "proc", NULL) },
  { MOUNT ("/dev", "tmpfs", "tmpfs", OPTS ("nosuid", "strictatime", "mode=755", "size=65536k")) },
  /* gid=5 (tty) may not be mapped in a rootless user namespace. */
  { MOUNT ("/dev/pts", "devpts", "devpts",
           OPTS ("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5")),
    .rootless_options = OPTS ("nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620") },
  { MOUNT ("/dev/shm", "tmpfs", "shm",
           OPTS ("nosuid", "noexec", "nodev", "mode=1777", "size=65536k")) },
  { MOUNT ("/dev/mqueue", "mqueue", "mqueue", OPTS ("nosuid", "noexec", "nodev")) },
  /* A user namespace that does not own the network namespace cannot mount
   * sysfs: the rootless variant binds the host's instead. */
  { MOUNT ("/sys", "sysfs", "sysfs", OPTS ("nosuid", "noexec", "nodev", "ro")),
    .rootless_options = OPTS ("rbind", "nosuid", "noexec", "nodev", "ro"),
    .rootless_type = "none", .rootless_source = "/sys" },
  { MOUNT ("/sys/fs/cgroup", "cgroup", "cgroup",
           OPTS ("nosuid", "noexec", "nodev", "relatime", "ro")) },
};

static const char *const default_caps[] = { "CAP_AUDIT_WRITE", "CAP_KILL",
                                            "CAP_NET_BIND_SERVICE", NULL };

static void
write_process (struct jw *w)
{
  static const char *const args[] = { "sh", NULL };
  static const char *const env[] = {
    "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "TERM=xterm", NULL
  };

  jw_key (w, "process");
  jw_open (w);
  jw_key_bool (w, "terminal", true);
  jw_key (w, "user");
  jw_open (w);
  jw_key_int (w, "uid", 0);
  jw_key_int (w, "gid", 0);
  jw_close (w);
  jw_key_strv (w, "args", args);
  jw_key_strv (w, "env", env);
  jw_key_string (w, "cwd", "/");
  jw_key (w, "capabilities");
  jw_open (w);
  jw_key_strv (w, "bounding", default_caps);
  jw_key_strv (w, "effective", default_caps);
  jw_key_strv (w, "permitted", default_caps);
  jw_key_strv (w, "ambient", default_caps);
  jw_close (w);
  jw_key (w, "rlimits");
  jw_array_open (w);
  jw_open (w);
  jw_key_string (w, "type", "RLIMIT_NOFILE");
  jw_key_int (w, "hard", 1024);
  jw_key_int (w, "soft", 1024);
  jw_close (w);
  jw_array_close (w);
  jw_key_bool (w, "noNewPrivileges", true);
  jw_close (w);
}

static const char *
variant (bool rootless, const char *normal, const char *rootless_value)
{
  return rootless && rootless_value ? rootless_value : normal;
}

static void
write_mount (struct jw *w, const struct default_mount *m, bool rootless)
{
  const char *const *options = rootless && m->rootless_options ? m->rootless_options : m->options;

  jw_open (w);
  jw_key_string (w, "destination", m->destination);
  jw_key_string (w, "type", variant (rootless, m->type, m->rootless_type));
  jw_key_string (w, "source", variant (rootless, m->source, m->rootless_source));
  if (options)
    jw_key_strv (w, "options", options);
  jw_close (w);
}

static void
write_id_mapping (struct jw *w, const char *key, unsigned host_id)
{
  jw_key (w, key);
  jw_array_open (w);
  jw_open (w);
  jw_key_int (w, "containerID", 0);
  jw_key_int (w, "hostID", host_id);
  jw_key_int (w, "size", 1);
  jw_close (w);
  jw_array_close (w);
}

static void
write_namespaces (struct jw *w, bool rootless)
{
  /* Rootless: no new network namespace, so the host's network still works
   * without a helper such as slirp4netns. */
  const char *const *names = rootless ? OPTS ("pid", "ipc", "uts", "mount", "user")
                                      : OPTS ("pid", "network", "ipc", "uts", "mount");
  jw_key (w, "namespaces");
  jw_array_open (w);
  for (; *names; names++)
    {
      jw_open (w);
      jw_key_string (w, "type", *names);
      jw_close (w);
    }
  jw_array_close (w);
}

void
oci_spec_write_default_devices (struct jw *w)
{
  jw_key (w, "devices");
  jw_array_open (w);
  jw_open (w);
  jw_key_bool (w, "allow", false);
  jw_key_string (w, "access", "rwm");
  jw_close (w);
  jw_array_close (w);
}

static void
write_linux (struct jw *w, bool rootless)
{
  static const char *const masked[] = {
    "/proc/acpi", "/proc/asound", "/proc/kcore", "/proc/keys", "/proc/latency_stats",
    "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug", "/sys/firmware",
    "/proc/scsi", NULL,
  };
  static const char *const readonly[] = {
    "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger", NULL,
  };

  jw_key (w, "linux");
  jw_open (w);
  if (rootless)
    {
      /* Map root in the container to whoever runs `husk spec`. */
      write_id_mapping (w, "uidMappings", geteuid ());
      write_id_mapping (w, "gidMappings", getegid ());
    }
  else
    {
      jw_key (w, "resources");
      jw_open (w);
      oci_spec_write_default_devices (w);
      jw_close (w);
    }
  write_namespaces (w, rootless);
  jw_key_strv (w, "maskedPaths", masked);
  jw_key_strv (w, "readonlyPaths", readonly);
  jw_close (w);
}

int
oci_spec_default_json (bool rootless, char **out, size_t *len, struct husk_error **err)
{
  cleanup_jw struct jw w = { 0 };

  if (jw_init (&w, "\t", err) < 0)
    return -1;
  jw_open (&w);
  jw_key_string (&w, "ociVersion", OCI_VERSION);
  write_process (&w);
  jw_key (&w, "root");
  jw_open (&w);
  jw_key_string (&w, "path", "rootfs");
  jw_key_bool (&w, "readonly", true);
  jw_close (&w);
  jw_key_string (&w, "hostname", "husk");
  jw_key (&w, "mounts");
  jw_array_open (&w);
  for (size_t i = 0; i < sizeof default_mounts / sizeof default_mounts[0]; i++)
    write_mount (&w, &default_mounts[i], rootless);
  jw_array_close (&w);
  write_linux (&w, rootless);
  jw_close (&w);
  return jw_finish (&w, "config.json", out, len, err);
}

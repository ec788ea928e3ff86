/* /etc/hosts, /etc/hostname and /etc/resolv.conf of a pod, written once in
 * its directory and bind-mounted into each of its containers, as the
 * kubelet does. */
#include "pod_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "../../oci/cleanup.h"
#include "pod_dns.h"
#include "pod_util.h"

static int
write_etc (const char *dir, const char *name, const char *text, struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/%s", dir, name);
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "%s", name);
  return pod_write_file_atomic (path, text, strlen (text), 0644, err);
}

/* kubelet's managedHostsFileContent; a hostNetwork pod gets the host's
 * own file (nodeHostsFileContent), and both get the hostAliases lines. */
static char *
hosts_text (const struct pod_spec *pod, const char *ip)
{
  cleanup_free char *aliases = pod_host_aliases_text (pod);
  cleanup_free char *host = NULL;
  struct husk_error *e = NULL;

  if (aliases == NULL)
    return NULL;
  if (pod->host_network)
    {
      if (pod_read_file ("/etc/hosts", &host, NULL, &e) < 0)
        husk_error_release (&e);
      return pod_path ("%s%s", host ? host : "", aliases);
    }
  return pod_path ("# Kubernetes-managed hosts file (husk).\n"
                   "127.0.0.1\tlocalhost\n"
                   "::1\tlocalhost ip6-localhost ip6-loopback\n"
                   "fe00::0\tip6-localnet\n"
                   "fe00::0\tip6-mcastprefix\n"
                   "fe00::1\tip6-allnodes\n"
                   "fe00::2\tip6-allrouters\n"
                   "%s\t%s\n%s",
                   ip ? ip : "127.0.1.1", pod->hostname, aliases);
}

static char *
read_or_null (const char *path)
{
  char *text = NULL;
  struct husk_error *e = NULL;
  if (pod_read_file (path, &text, NULL, &e) < 0)
    husk_error_release (&e);
  return text;
}

/* See pod_dns.h.  The systemd-resolved upstreams are looked for only
 * behind the default /etc/resolv.conf: a file given with --resolv-conf is
 * taken as the administrator wrote it. */
static char *
resolv_text (const struct pod_env *env, const struct pod_spec *pod)
{
  const char *path = env->resolv_conf ? env->resolv_conf : HUSK_RESOLV_CONF_DEFAULT;
  cleanup_free char *host = read_or_null (path);
  cleanup_free char *upstream = env->resolv_conf ? NULL : read_or_null (HUSK_RESOLV_CONF_UPSTREAM);
  char *text;

  return pod_resolv_conf_text (host, upstream, pod, &text) < 0 ? NULL : text;
}

int
pod_etc_write (const struct pod_env *env, const struct pod_spec *pod, const char *sandbox_id,
               const char *ip, struct husk_error **err)
{
  cleanup_free char *dir = pod_path ("%s/%s/etc", env->pods_root, sandbox_id);
  cleanup_free char *hosts = hosts_text (pod, ip);
  cleanup_free char *hostname = pod_path ("%s\n", pod->hostname);
  cleanup_free char *resolv = resolv_text (env, pod);

  if (dir == NULL || hosts == NULL || hostname == NULL || resolv == NULL)
    return husk_error_set (err, ENOMEM, "pod /etc files");
  if (mkdir (dir, 0755) < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "mkdir `%s`", dir);
  if (write_etc (dir, "hosts", hosts, err) < 0 || write_etc (dir, "hostname", hostname, err) < 0
      || write_etc (dir, "resolv.conf", resolv, err) < 0)
    return -1;
  return 0;
}

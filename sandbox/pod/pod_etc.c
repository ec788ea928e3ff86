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
#include "pod_util.h"

static int
write_etc (const char *dir, const char *name, const char *text, struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/%s", dir, name);
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "%s", name);
  return pod_write_file_atomic (path, text, strlen (text), 0644, err);
}

static char *
hosts_text (const struct pod_spec *pod, const char *ip)
{
  return pod_path ("# Kubernetes-managed hosts file (husk).\n"
                   "127.0.0.1\tlocalhost\n"
                   "::1\tlocalhost ip6-localhost ip6-loopback\n"
                   "fe00::0\tip6-localnet\n"
                   "fe00::0\tip6-mcastprefix\n"
                   "fe00::1\tip6-allnodes\n"
                   "fe00::2\tip6-allrouters\n"
                   "%s\t%s\n",
                   ip ? ip : "127.0.1.1", pod->hostname);
}

/* spec.dnsConfig as resolv.conf lines, after `base`. */
static char *
with_dns_config (const char *base, const struct pod_dns_config *d)
{
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&out, &len);
  if (f == NULL)
    return NULL;
  fputs (base, f);
  for (size_t i = 0; i < d->nameservers_len; i++)
    fprintf (f, "nameserver %s\n", d->nameservers[i]);
  if (d->searches_len)
    {
      fputs ("search", f);
      for (size_t i = 0; i < d->searches_len; i++)
        fprintf (f, " %s", d->searches[i]);
      fputs ("\n", f);
    }
  if (d->options_len)
    {
      fputs ("options", f);
      for (size_t i = 0; i < d->options_len; i++)
        fprintf (f, d->options[i].value ? " %s:%s" : " %s", d->options[i].name,
                 d->options[i].value);
      fputs ("\n", f);
    }
  if (fclose (f) != 0)
    {
      free (out);
      return NULL;
    }
  return out;
}

static bool
has_dns_config (const struct pod_dns_config *d)
{
  return d->nameservers_len || d->searches_len || d->options_len;
}

/* The host's resolver, unless it points at a loopback stub that the pod's
 * own network namespace cannot reach; spec.dnsConfig is added to it, or
 * with dnsPolicy None is all there is (what kubelet's CRI DNSConfig is). */
static char *
resolv_text (const struct pod_spec *pod)
{
  cleanup_free char *host = NULL;
  struct husk_error *e = NULL;

  if (pod->dns_policy && strcmp (pod->dns_policy, "None") == 0)
    return with_dns_config ("", &pod->dns_config);
  if (has_dns_config (&pod->dns_config))
    {
      cleanup_free char *base = NULL;
      if (pod_read_file ("/etc/resolv.conf", &base, NULL, &e) < 0)
        husk_error_release (&e);
      return with_dns_config (base ? base : "", &pod->dns_config);
    }
  if (pod_read_file ("/etc/resolv.conf", &host, NULL, &e) < 0)
    {
      husk_error_release (&e);
      return strdup ("");
    }
  if (!pod->host_network && strstr (host, "nameserver 127."))
    return strdup ("# the host's resolver listens on loopback: not reachable from the pod\n");
  return steal_pointer (&host);
}

int
pod_etc_write (const struct pod_env *env, const struct pod_spec *pod, const char *sandbox_id,
               const char *ip, struct husk_error **err)
{
  cleanup_free char *dir = pod_path ("%s/%s/etc", env->pods_root, sandbox_id);
  cleanup_free char *hosts = hosts_text (pod, ip);
  cleanup_free char *hostname = pod_path ("%s\n", pod->hostname);
  cleanup_free char *resolv = resolv_text (pod);

  if (dir == NULL || hosts == NULL || hostname == NULL || resolv == NULL)
    return husk_error_set (err, ENOMEM, "pod /etc files");
  if (mkdir (dir, 0755) < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "mkdir `%s`", dir);
  if (write_etc (dir, "hosts", hosts, err) < 0 || write_etc (dir, "hostname", hostname, err) < 0
      || write_etc (dir, "resolv.conf", resolv, err) < 0)
    return -1;
  return 0;
}

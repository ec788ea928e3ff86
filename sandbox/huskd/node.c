/* The Node this machine is (kubectl get nodes, describe node): built
 * from the machine on each request, never stored, read-only as a node is
 * to a user.  Its name is huskd_node_name(), which every pod's
 * spec.nodeName carries. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "cleanup.h"
#include "huskd.h"
#include "pod_network.h"
#include "jv.h"
#include "objects.h"
#include "request.h"
#include "store.h"
#include "table.h"

/* The first line of a small file, trimmed; "" when unreadable. */
static void
first_line (const char *path, char *buf, size_t size)
{
  FILE *f = fopen (path, "re");
  buf[0] = '\0';
  if (!f)
    return;
  if (!fgets (buf, (int) size, f))
    buf[0] = '\0';
  fclose (f);
  buf[strcspn (buf, "\n")] = '\0';
}

/* PRETTY_NAME of /etc/os-release. */
static void
os_image (char *buf, size_t size)
{
  char line[256];
  FILE *f = fopen ("/etc/os-release", "re");
  snprintf (buf, size, "Linux");
  while (f && fgets (line, sizeof line, f))
    if (!strncmp (line, "PRETTY_NAME=", 12))
      {
        char *v = line + 12;
        v[strcspn (v, "\n")] = '\0';
        if (*v == '"')
          v++, v[strcspn (v, "\"")] = '\0';
        snprintf (buf, size, "%s", v);
      }
  if (f)
    fclose (f);
}

static long long
meminfo_kib (const char *key)
{
  char line[256];
  long long v = 0;
  size_t n = strlen (key);
  FILE *f = fopen ("/proc/meminfo", "re");
  while (f && fgets (line, sizeof line, f))
    if (!strncmp (line, key, n) && line[n] == ':')
      v = strtoll (line + n + 1, NULL, 10);
  if (f)
    fclose (f);
  return v;
}

static double
boot_time (void)
{
  char line[256];
  double t = 0;
  FILE *f = fopen ("/proc/stat", "re");
  while (f && fgets (line, sizeof line, f))
    if (!strncmp (line, "btime ", 6))
      t = strtod (line + 6, NULL);
  if (f)
    fclose (f);
  return t;
}

/* The machine id as a UUID (8-4-4-4-12). */
static void
machine_uuid (const char *id, char buf[40])
{
  if (strlen (id) < 32)
    {
      snprintf (buf, 40, "00000000-0000-0000-0000-000000000000");
      return;
    }
  snprintf (buf, 40, "%.8s-%.4s-%.4s-%.4s-%.12s", id, id + 8, id + 12, id + 16, id + 20);
}

static const char *
go_arch (const char *machine)
{
  if (!strcmp (machine, "x86_64"))
    return "amd64";
  if (!strcmp (machine, "aarch64"))
    return "arm64";
  return machine;
}

static void
condition (yajl_val conds, const char *type, const char *status, const char *reason,
           const char *message, const char *now, const char *since)
{
  yajl_val c = jv_object ();
  jv_set (c, "type", jv_string (type));
  jv_set (c, "status", jv_string (status));
  jv_set (c, "lastHeartbeatTime", jv_string (now));
  jv_set (c, "lastTransitionTime", jv_string (since));
  jv_set (c, "reason", jv_string (reason));
  jv_set (c, "message", jv_string (message));
  jv_push (conds, c);
}

static void
resources (yajl_val list, struct huskd *d)
{
  char buf[64];
  struct statvfs fs;
  snprintf (buf, sizeof buf, "%ld", sysconf (_SC_NPROCESSORS_ONLN));
  jv_set (list, "cpu", jv_string (buf));
  snprintf (buf, sizeof buf, "%lldKi", meminfo_kib ("MemTotal"));
  jv_set (list, "memory", jv_string (buf));
  if (statvfs (d->opts.state_dir ? d->opts.state_dir : "/", &fs) == 0)
    {
      snprintf (buf, sizeof buf, "%lluKi",
                (unsigned long long) fs.f_blocks * fs.f_frsize / 1024);
      jv_set (list, "ephemeral-storage", jv_string (buf));
    }
  jv_set (list, "hugepages-1Gi", jv_string ("0"));
  jv_set (list, "hugepages-2Mi", jv_string ("0"));
  jv_set (list, "pods", jv_string ("110"));
}

static yajl_val
node_object (struct huskd *d)
{
  yajl_val node = jv_object (), meta, labels, status, info, addr, a;
  char id[64], uuid[40], boot[64], image[256], now[32], since[32], rv[32], created[32];
  struct utsname u;
  uname (&u);
  first_line ("/etc/machine-id", id, sizeof id);
  first_line ("/proc/sys/kernel/random/boot_id", boot, sizeof boot);
  machine_uuid (id, uuid);
  os_image (image, sizeof image);
  api_timestamp (now, api_now ());
  api_timestamp (since, d->started);
  api_timestamp (created, boot_time () ?: d->started);
  snprintf (rv, sizeof rv, "%llu", api_store_revision (d->store));

  jv_set (node, "kind", jv_string ("Node"));
  jv_set (node, "apiVersion", jv_string ("v1"));
  meta = jv_obj_at (node, "metadata");
  jv_set (meta, "name", jv_string (huskd_node_name ()));
  jv_set (meta, "uid", jv_string (uuid));
  jv_set (meta, "resourceVersion", jv_string (rv));
  jv_set (meta, "creationTimestamp", jv_string (created));
  labels = jv_obj_at (meta, "labels");
  jv_set (labels, "beta.kubernetes.io/arch", jv_string (go_arch (u.machine)));
  jv_set (labels, "beta.kubernetes.io/os", jv_string ("linux"));
  jv_set (labels, "kubernetes.io/arch", jv_string (go_arch (u.machine)));
  jv_set (labels, "kubernetes.io/hostname", jv_string (huskd_node_name ()));
  jv_set (labels, "kubernetes.io/os", jv_string ("linux"));
  jv_set (labels, "node-role.kubernetes.io/control-plane", jv_string (""));
  jv_obj_at (node, "spec");

  status = jv_obj_at (node, "status");
  resources (jv_obj_at (status, "capacity"), d);
  resources (jv_obj_at (status, "allocatable"), d);
  yajl_val conds = jv_set (status, "conditions", jv_array ());
  condition (conds, "MemoryPressure", "False", "KubeletHasSufficientMemory",
             "kubelet has sufficient memory available", now, since);
  condition (conds, "DiskPressure", "False", "KubeletHasNoDiskPressure",
             "kubelet has no disk pressure", now, since);
  condition (conds, "PIDPressure", "False", "KubeletHasSufficientPID",
             "kubelet has sufficient PID available", now, since);
  condition (conds, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now,
             since);
  addr = jv_set (status, "addresses", jv_array ());
  a = jv_object ();
  jv_set (a, "type", jv_string ("InternalIP"));
  jv_set (a, "address", jv_string (huskd_host_ip ())); /* the hostIP pods report */
  jv_push (addr, a);
  a = jv_object ();
  jv_set (a, "type", jv_string ("Hostname"));
  jv_set (a, "address", jv_string (huskd_node_name ()));
  jv_push (addr, a);
  jv_set (jv_obj_at (jv_obj_at (status, "daemonEndpoints"), "kubeletEndpoint"), "Port",
          jv_int (0));
  info = jv_obj_at (status, "nodeInfo");
  jv_set (info, "machineID", jv_string (id));
  jv_set (info, "systemUUID", jv_string (uuid));
  jv_set (info, "bootID", jv_string (boot));
  jv_set (info, "kernelVersion", jv_string (u.release));
  jv_set (info, "osImage", jv_string (image));
  jv_set (info, "containerRuntimeVersion", jv_string ("husk://" HUSK_VERSION));
  jv_set (info, "kubeletVersion", jv_string (huskd_kube_version ()));
  jv_set (info, "kubeProxyVersion", jv_string (""));
  jv_set (info, "operatingSystem", jv_string ("linux"));
  jv_set (info, "architecture", jv_string (go_arch (u.machine)));
  return node;
}

static void
reply (struct hreq *r, yajl_val *objs, size_t n, bool list)
{
  char rv[32];
  snprintf (rv, sizeof rv, "%llu", api_store_revision (r->d->store));
  if (r->want_table)
    {
      cleanup_jv yajl_val t = api_table_nodes (objs, n, rv, api_now ());
      api_table_include_objects (t, objs, n, "Node", hreq_query (r, "includeObject"));
      return hreq_reply_json (r, 200, t);
    }
  if (!list)
    return hreq_reply_json (r, 200, objs[0]);
  cleanup_jv yajl_val l = jv_object ();
  jv_set (l, "kind", jv_string ("NodeList"));
  jv_set (l, "apiVersion", jv_string ("v1"));
  jv_set (jv_obj_at (l, "metadata"), "resourceVersion", jv_string (rv));
  yajl_val items = jv_set (l, "items", jv_array ());
  for (size_t i = 0; i < n; i++)
    jv_push (items, jv_copy (objs[i]));
  hreq_reply_json (r, 200, l);
}

void
huskd_handle_nodes (struct hreq *r)
{
  if (r->ns || r->sub)
    return hreq_reply_status (r, api_not_found ("nodes", r->name ?: ""));
  if (r->method != EVHTTP_REQ_GET)
    return huskd_method_not_allowed (r);
  cleanup_jv yajl_val node = node_object (r->d);
  if (r->name && strcmp (r->name, huskd_node_name ()) != 0)
    return hreq_reply_status (r, api_not_found ("nodes", r->name));
  reply (r, &node, 1, r->name == NULL);
}

/* No Services here: an empty list (kubectl cluster-info lists those of
 * kube-system), each name not found. */
void
huskd_handle_services (struct hreq *r)
{
  char rv[32];
  if (r->method != EVHTTP_REQ_GET)
    return huskd_method_not_allowed (r);
  if (r->name)
    return hreq_reply_status (r, api_not_found ("services", r->name));
  snprintf (rv, sizeof rv, "%llu", api_store_revision (r->d->store));
  cleanup_jv yajl_val out = r->want_table ? api_table_services (rv) : jv_object ();
  if (!r->want_table)
    {
      jv_set (out, "kind", jv_string ("ServiceList"));
      jv_set (out, "apiVersion", jv_string ("v1"));
      jv_set (jv_obj_at (out, "metadata"), "resourceVersion", jv_string (rv));
      jv_set (out, "items", jv_array ());
    }
  hreq_reply_json (r, 200, out);
}

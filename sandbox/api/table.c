#include "table.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "jv.h"

double
api_parse_timestamp (const char *ts)
{
  struct tm tm = { 0 };
  const char *end;
  if (!ts || !(end = strptime (ts, "%Y-%m-%dT%H:%M:%S", &tm)))
    return 0;
  return (double) timegm (&tm);
}

void
api_human_duration (double seconds, char buf[32])
{
  long long s = seconds < 0 ? 0 : (long long) seconds;
  long long m = s / 60, h = s / 3600, d = s / 86400;
  if (s < 120)
    snprintf (buf, 32, "%llds", s);
  else if (m < 10)
    snprintf (buf, 32, s % 60 ? "%lldm%llds" : "%lldm", m, s % 60);
  else if (h < 3)
    snprintf (buf, 32, "%lldm", m);
  else if (h < 8)
    snprintf (buf, 32, m % 60 ? "%lldh%lldm" : "%lldh", h, m % 60);
  else if (h < 48)
    snprintf (buf, 32, "%lldh", h);
  else if (h < 192)
    snprintf (buf, 32, h % 24 ? "%lldd%lldh" : "%lldd", d, h % 24);
  else if (d < 365 * 2)
    snprintf (buf, 32, "%lldd", d);
  else
    snprintf (buf, 32, "%lldy", d / 365);
}

static size_t
array_len (yajl_val v)
{
  return v && v->type == yajl_t_array ? v->u.array.len : 0;
}

/* The init containers' part of printPod: true when still initializing. */
static bool
init_reason (yajl_val pod, char buf[64])
{
  yajl_val statuses = jv_path (pod, "status", "initContainerStatuses", NULL);
  size_t total = array_len (jv_path (pod, "spec", "initContainers", NULL));
  for (size_t i = 0; i < array_len (statuses); i++)
    {
      yajl_val st = jv_get (statuses->u.array.values[i], "state");
      yajl_val term = jv_get (st, "terminated"), wait = jv_get (st, "waiting");
      long long code = 0, sig = 0;
      const char *reason;
      jv_int_of (term, "exitCode", &code);
      if (term && code == 0)
        continue;
      if (term)
        {
          reason = jv_str (term, "reason");
          if (reason && *reason)
            snprintf (buf, 64, "Init:%s", reason);
          else if (jv_int_of (term, "signal", &sig) && sig)
            snprintf (buf, 64, "Init:Signal:%lld", sig);
          else
            snprintf (buf, 64, "Init:ExitCode:%lld", code);
        }
      else if ((reason = jv_str (wait, "reason")) && *reason
               && strcmp (reason, "PodInitializing") != 0)
        snprintf (buf, 64, "Init:%s", reason);
      else
        snprintf (buf, 64, "Init:%zu/%zu", i, total);
      return true;
    }
  return false;
}

static bool
pod_ready_condition (yajl_val pod)
{
  yajl_val conds = jv_path (pod, "status", "conditions", NULL);
  for (size_t i = 0; i < array_len (conds); i++)
    {
      const char *type = jv_str (conds->u.array.values[i], "type");
      const char *status = jv_str (conds->u.array.values[i], "status");
      if (type && status && !strcmp (type, "Ready"))
        return !strcmp (status, "True");
    }
  return false;
}

static void
containers_reason (yajl_val pod, char buf[64])
{
  yajl_val statuses = jv_path (pod, "status", "containerStatuses", NULL);
  bool has_running = false;
  for (size_t i = array_len (statuses); i-- > 0;)
    {
      yajl_val cs = statuses->u.array.values[i];
      yajl_val st = jv_get (cs, "state");
      yajl_val term = jv_get (st, "terminated"), wait = jv_get (st, "waiting");
      const char *reason = jv_str (wait, "reason");
      long long code = 0, sig = 0;
      if (wait && reason && *reason)
        snprintf (buf, 64, "%s", reason);
      else if (term && (reason = jv_str (term, "reason")) && *reason)
        snprintf (buf, 64, "%s", reason);
      else if (term && jv_int_of (term, "signal", &sig) && sig)
        snprintf (buf, 64, "Signal:%lld", sig);
      else if (term && (jv_int_of (term, "exitCode", &code), true))
        snprintf (buf, 64, "ExitCode:%lld", code);
      else if (jv_get (st, "running") && jv_get (cs, "ready")
               && jv_get (cs, "ready")->type == yajl_t_true)
        has_running = true;
    }
  if (!strcmp (buf, "Completed") && has_running)
    snprintf (buf, 64, "%s", pod_ready_condition (pod) ? "Running" : "NotReady");
}

void
api_pod_status_reason (yajl_val pod, char buf[64])
{
  const char *phase = jv_str (jv_get (pod, "status"), "phase");
  const char *reason = jv_str (jv_get (pod, "status"), "reason");
  snprintf (buf, 64, "%s", reason && *reason ? reason : phase ? phase : "Pending");
  if (!init_reason (pod, buf))
    containers_reason (pod, buf);
  if (jv_path (pod, "metadata", "deletionTimestamp", NULL))
    snprintf (buf, 64, "Terminating");
}

void
api_pod_ready (yajl_val pod, int *ready, int *total, long long *restarts)
{
  yajl_val statuses = jv_path (pod, "status", "containerStatuses", NULL);
  *ready = 0;
  *restarts = 0;
  *total = (int) array_len (jv_path (pod, "spec", "containers", NULL));
  for (size_t i = 0; i < array_len (statuses); i++)
    {
      yajl_val cs = statuses->u.array.values[i], r = jv_get (cs, "ready");
      long long n = 0;
      if (r && r->type == yajl_t_true)
        (*ready)++;
      if (jv_int_of (cs, "restartCount", &n))
        *restarts += n;
    }
}

static void
add_column (yajl_val cols, const char *name, const char *type, const char *format,
            int priority, const char *description)
{
  yajl_val c = jv_object ();
  jv_set (c, "name", jv_string (name));
  jv_set (c, "type", jv_string (type));
  jv_set (c, "format", jv_string (format));
  jv_set (c, "description", jv_string (description));
  jv_set (c, "priority", jv_int (priority));
  jv_push (cols, c);
}

static yajl_val
new_table (const char *rv)
{
  yajl_val t = jv_object ();
  jv_set (t, "kind", jv_string ("Table"));
  jv_set (t, "apiVersion", jv_string ("meta.k8s.io/v1"));
  jv_set (jv_obj_at (t, "metadata"), "resourceVersion", jv_string (rv));
  jv_set (t, "columnDefinitions", jv_array ());
  jv_set (t, "rows", jv_array ());
  return t;
}

/* Each row carries the object's metadata (PartialObjectMetadata), which
 * kubectl reads for -A's NAMESPACE column and --show-labels. */
static yajl_val
add_row (yajl_val table, yajl_val obj)
{
  yajl_val row = jv_object (), partial = jv_object ();
  jv_set (partial, "kind", jv_string ("PartialObjectMetadata"));
  jv_set (partial, "apiVersion", jv_string ("meta.k8s.io/v1"));
  jv_set (partial, "metadata", jv_copy (jv_get (obj, "metadata")));
  jv_set (row, "object", partial);
  jv_push (jv_get (table, "rows"), row);
  return jv_set (row, "cells", jv_array ());
}

void
api_table_include_objects (yajl_val table, yajl_val *objs, size_t n, const char *kind,
                           const char *include)
{
  yajl_val rows = jv_get (table, "rows");
  bool whole = include && !strcmp (include, "Object");
  if (!include || (!whole && strcmp (include, "None") != 0) || !YAJL_IS_ARRAY (rows))
    return;
  for (size_t i = 0; i < n && i < rows->u.array.len; i++)
    {
      yajl_val row = rows->u.array.values[i];
      if (!whole)
        {
          jv_del (row, "object");
          continue;
        }
      yajl_val obj = jv_set (row, "object", jv_copy (objs[i]));
      jv_set (obj, "kind", jv_string (kind));
      jv_set (obj, "apiVersion", jv_string ("v1"));
    }
}

static void
age_cell (yajl_val cells, yajl_val obj, double now)
{
  char buf[32];
  double created = api_parse_timestamp (jv_str (jv_get (obj, "metadata"), "creationTimestamp"));
  if (created == 0)
    jv_push (cells, jv_string ("<unknown>"));
  else
    {
      api_human_duration (now - created, buf);
      jv_push (cells, jv_string (buf));
    }
}

static const char *
or_none (const char *s)
{
  return s && *s ? s : "<none>";
}

yajl_val
api_table_pods (yajl_val *pods, size_t n, const char *rv, double now)
{
  yajl_val t = new_table (rv), cols = jv_get (t, "columnDefinitions");
  add_column (cols, "Name", "string", "name", 0, "Name must be unique within a namespace.");
  add_column (cols, "Ready", "string", "", 0, "The aggregate readiness state of this pod.");
  add_column (cols, "Status", "string", "", 0, "The aggregate status of the containers.");
  add_column (cols, "Restarts", "string", "", 0, "The number of times the containers restarted.");
  add_column (cols, "Age", "string", "", 0, "CreationTimestamp of the pod.");
  add_column (cols, "IP", "string", "", 1, "IP address allocated to the pod.");
  add_column (cols, "Node", "string", "", 1, "Name of the node the pod runs on.");
  add_column (cols, "Nominated Node", "string", "", 1, "Node nominated by the scheduler.");
  add_column (cols, "Readiness Gates", "string", "", 1, "Pod's readiness gates.");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val cells = add_row (t, pods[i]);
      char buf[64];
      int ready, total;
      long long restarts;
      jv_push (cells, jv_string (jv_str (jv_get (pods[i], "metadata"), "name")));
      api_pod_ready (pods[i], &ready, &total, &restarts);
      snprintf (buf, sizeof buf, "%d/%d", ready, total);
      jv_push (cells, jv_string (buf));
      api_pod_status_reason (pods[i], buf);
      jv_push (cells, jv_string (buf));
      snprintf (buf, sizeof buf, "%lld", restarts);
      jv_push (cells, jv_string (buf));
      age_cell (cells, pods[i], now);
      jv_push (cells, jv_string (or_none (jv_str (jv_get (pods[i], "status"), "podIP"))));
      jv_push (cells, jv_string (or_none (jv_str (jv_get (pods[i], "spec"), "nodeName"))));
      jv_push (cells, jv_string ("<none>"));
      jv_push (cells, jv_string ("<none>"));
    }
  return t;
}

yajl_val
api_table_namespaces (yajl_val *objs, size_t n, const char *rv, double now)
{
  yajl_val t = new_table (rv), cols = jv_get (t, "columnDefinitions");
  add_column (cols, "Name", "string", "name", 0, "Name must be unique.");
  add_column (cols, "Status", "string", "", 0, "The status of the namespace");
  add_column (cols, "Age", "string", "", 0, "CreationTimestamp of the namespace.");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val cells = add_row (t, objs[i]);
      const char *phase = jv_str (jv_get (objs[i], "status"), "phase");
      jv_push (cells, jv_string (jv_str (jv_get (objs[i], "metadata"), "name")));
      jv_push (cells, jv_string (phase ? phase : "Active"));
      age_cell (cells, objs[i], now);
    }
  return t;
}

yajl_val
api_table_events (yajl_val *objs, size_t n, const char *rv, double now)
{
  yajl_val t = new_table (rv), cols = jv_get (t, "columnDefinitions");
  char buf[32], ref[320];
  add_column (cols, "Last Seen", "string", "", 0, "Time of the last occurrence.");
  add_column (cols, "Type", "string", "", 0, "Type of this event.");
  add_column (cols, "Reason", "string", "", 0, "Why the event was generated.");
  add_column (cols, "Object", "string", "", 0, "The object this event is about.");
  add_column (cols, "Message", "string", "", 0, "A human-readable description.");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val e = objs[i], cells = add_row (t, e), io = jv_get (e, "involvedObject");
      const char *kind = jv_str (io, "kind"), *name = jv_str (io, "name");
      api_human_duration (now - api_parse_timestamp (jv_str (e, "lastTimestamp")), buf);
      jv_push (cells, jv_string (buf));
      jv_push (cells, jv_string (or_none (jv_str (e, "type"))));
      jv_push (cells, jv_string (or_none (jv_str (e, "reason"))));
      snprintf (ref, sizeof ref, "%s/%s", kind ? kind : "", name ? name : "");
      for (char *p = ref; *p && *p != '/'; p++)
        *p = (char) (*p >= 'A' && *p <= 'Z' ? *p + 32 : *p);
      jv_push (cells, jv_string (ref));
      jv_push (cells, jv_string (or_none (jv_str (e, "message"))));
    }
  return t;
}

yajl_val
api_table_generic (yajl_val *objs, size_t n, const char *rv, double now)
{
  yajl_val t = new_table (rv), cols = jv_get (t, "columnDefinitions");
  add_column (cols, "Name", "string", "name", 0, "Name must be unique within a namespace.");
  add_column (cols, "Age", "string", "", 0, "CreationTimestamp of the object.");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val cells = add_row (t, objs[i]);
      jv_push (cells, jv_string (jv_str (jv_get (objs[i], "metadata"), "name")));
      age_cell (cells, objs[i], now);
    }
  return t;
}

static int
cmp_str (const void *a, const void *b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* printResourceQuota: "pods: 1/10, requests.cpu: 0/1" in Request, the
 * limits.* resources in Limit, sorted by name. */
static void
quota_cells (yajl_val cells, yajl_val quota)
{
  yajl_val hard = jv_path (quota, "status", "hard", NULL);
  yajl_val used = jv_path (quota, "status", "used", NULL);
  size_t n = YAJL_IS_OBJECT (hard) ? hard->u.object.len : 0;
  const char **names = calloc (n + 1, sizeof *names);
  char *col[2] = { NULL, NULL };
  size_t len[2] = { 0, 0 };
  FILE *f[2] = { open_memstream (&col[0], &len[0]), open_memstream (&col[1], &len[1]) };
  if (!names || !f[0] || !f[1])
    abort ();
  for (size_t i = 0; i < n; i++)
    names[i] = hard->u.object.keys[i];
  qsort (names, n, sizeof *names, cmp_str);
  for (size_t i = 0; i < n; i++)
    {
      const char *u = jv_str (used, names[i]), *h = jv_str (hard, names[i]);
      FILE *w = f[strncmp (names[i], "limits.", 7) == 0];
      fprintf (w, "%s%s: %s/%s", ftell (w) ? ", " : "", names[i], u ? u : "0", h ? h : "0");
    }
  fclose (f[0]);
  fclose (f[1]);
  jv_push (cells, jv_string (col[0]));
  jv_push (cells, jv_string (col[1]));
  free (col[0]);
  free (col[1]);
  free (names);
}

yajl_val
api_table_quotas (yajl_val *objs, size_t n, const char *rv, double now)
{
  yajl_val t = new_table (rv), cols = jv_get (t, "columnDefinitions");
  add_column (cols, "Name", "string", "name", 0, "Name must be unique within a namespace.");
  add_column (cols, "Age", "string", "", 0, "CreationTimestamp of the object.");
  add_column (cols, "Request", "string", "", 0, "Request represents a minimum amount of cpu/memory that a container may consume.");
  add_column (cols, "Limit", "string", "", 0, "Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val cells = add_row (t, objs[i]);
      jv_push (cells, jv_string (jv_str (jv_get (objs[i], "metadata"), "name")));
      age_cell (cells, objs[i], now);
      quota_cells (cells, objs[i]);
    }
  return t;
}

static size_t
map_len (yajl_val v)
{
  return v && v->type == yajl_t_object ? v->u.object.len : 0;
}

/* printConfigMap and printSecret: DATA counts the keys. */
yajl_val
api_table_configmaps (yajl_val *objs, size_t n, const char *rv, double now)
{
  yajl_val t = new_table (rv), cols = jv_get (t, "columnDefinitions");
  add_column (cols, "Name", "string", "name", 0, "Name must be unique within a namespace.");
  add_column (cols, "Data", "integer", "", 0, "Data contains the configuration data.");
  add_column (cols, "Age", "string", "", 0, "CreationTimestamp of the object.");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val cells = add_row (t, objs[i]);
      jv_push (cells, jv_string (jv_str (jv_get (objs[i], "metadata"), "name")));
      jv_push (cells, jv_int ((long long) (map_len (jv_get (objs[i], "data"))
                                           + map_len (jv_get (objs[i], "binaryData")))));
      age_cell (cells, objs[i], now);
    }
  return t;
}

/* printNode: STATUS from the Ready condition, ROLES from the
 * node-role.kubernetes.io/ labels, VERSION the kubelet's. */
yajl_val
api_table_nodes (yajl_val *objs, size_t n, const char *rv, double now)
{
  yajl_val t = new_table (rv), cols = jv_get (t, "columnDefinitions");
  add_column (cols, "Name", "string", "name", 0, "Name must be unique within a namespace.");
  add_column (cols, "Status", "string", "", 0, "The status of the node");
  add_column (cols, "Roles", "string", "", 0, "The roles of the node");
  add_column (cols, "Age", "string", "", 0, "CreationTimestamp of the node.");
  add_column (cols, "Version", "string", "", 0, "Kubelet Version reported by the node.");
  add_column (cols, "Internal-IP", "string", "", 1, "List of internal IPs for the node.");
  add_column (cols, "External-IP", "string", "", 1, "List of external IPs for the node.");
  add_column (cols, "OS-Image", "string", "", 1, "OS Image reported by the node.");
  add_column (cols, "Kernel-Version", "string", "", 1, "Kernel Version reported by the node.");
  add_column (cols, "Container-Runtime", "string", "", 1, "Container Runtime reported by the node.");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val node = objs[i], cells = add_row (t, node), st = jv_get (node, "status");
      yajl_val conds = jv_get (st, "conditions"), labels = jv_path (node, "metadata", "labels", NULL);
      yajl_val addrs = jv_get (st, "addresses"), info = jv_get (st, "nodeInfo");
      const char *ready = "Unknown", *ip = NULL;
      char roles[256] = "";
      for (size_t c = 0; YAJL_IS_ARRAY (conds) && c < conds->u.array.len; c++)
        if (!strcmp (jv_str (conds->u.array.values[c], "type") ?: "", "Ready"))
          ready = !strcmp (jv_str (conds->u.array.values[c], "status") ?: "", "True") ? "Ready"
                                                                                     : "NotReady";
      for (size_t l = 0; YAJL_IS_OBJECT (labels) && l < labels->u.object.len; l++)
        if (!strncmp (labels->u.object.keys[l], "node-role.kubernetes.io/", 24))
          snprintf (roles + strlen (roles), sizeof roles - strlen (roles), "%s%s",
                    roles[0] ? "," : "", labels->u.object.keys[l] + 24);
      for (size_t a = 0; YAJL_IS_ARRAY (addrs) && a < addrs->u.array.len; a++)
        if (!strcmp (jv_str (addrs->u.array.values[a], "type") ?: "", "InternalIP"))
          ip = jv_str (addrs->u.array.values[a], "address");
      jv_push (cells, jv_string (jv_str (jv_get (node, "metadata"), "name")));
      jv_push (cells, jv_string (ready));
      jv_push (cells, jv_string (or_none (roles)));
      age_cell (cells, node, now);
      jv_push (cells, jv_string (jv_str (info, "kubeletVersion") ?: ""));
      jv_push (cells, jv_string (or_none (ip)));
      jv_push (cells, jv_string ("<none>"));
      jv_push (cells, jv_string (or_none (jv_str (info, "osImage"))));
      jv_push (cells, jv_string (or_none (jv_str (info, "kernelVersion"))));
      jv_push (cells, jv_string (or_none (jv_str (info, "containerRuntimeVersion"))));
    }
  return t;
}

yajl_val
api_table_services (const char *rv)
{
  yajl_val t = new_table (rv), cols = jv_get (t, "columnDefinitions");
  add_column (cols, "Name", "string", "name", 0, "Name must be unique within a namespace.");
  add_column (cols, "Type", "string", "", 0, "The type of the service.");
  add_column (cols, "Cluster-IP", "string", "", 0, "The cluster IP of the service.");
  add_column (cols, "External-IP", "string", "", 0, "The external IP of the service.");
  add_column (cols, "Port(s)", "string", "", 0, "The ports of the service.");
  add_column (cols, "Age", "string", "", 0, "CreationTimestamp of the object.");
  return t;
}

yajl_val
api_table_secrets (yajl_val *objs, size_t n, const char *rv, double now)
{
  yajl_val t = new_table (rv), cols = jv_get (t, "columnDefinitions");
  add_column (cols, "Name", "string", "name", 0, "Name must be unique within a namespace.");
  add_column (cols, "Type", "string", "", 0, "The type of secret.");
  add_column (cols, "Data", "string", "", 0, "The number of keys in the secret.");
  add_column (cols, "Age", "string", "", 0, "CreationTimestamp of the object.");
  for (size_t i = 0; i < n; i++)
    {
      yajl_val cells = add_row (t, objs[i]);
      jv_push (cells, jv_string (jv_str (jv_get (objs[i], "metadata"), "name")));
      jv_push (cells, jv_string (jv_str (objs[i], "type") ?: "Opaque"));
      jv_push (cells, jv_int ((long long) map_len (jv_get (objs[i], "data"))));
      age_cell (cells, objs[i], now);
    }
  return t;
}

/* huskctl describe pod NAME: the pod as kubectl describe shows it, with
 * its containers' states and its events. */
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "huskctl.h"
#include "jv.h"
#include "table.h"

static void
print_map (const char *title, yajl_val map)
{
  printf ("%-14s", title);
  if (!map || map->type != yajl_t_object || map->u.object.len == 0)
    printf ("<none>\n");
  for (size_t i = 0; map && map->type == yajl_t_object && i < map->u.object.len; i++)
    printf ("%s%s=%s\n", i ? "              " : "", map->u.object.keys[i],
            jv_str (map->u.object.values[i], NULL) ?: "");
}

static void
print_state (const char *title, yajl_val state)
{
  const char *kinds[] = { "running", "waiting", "terminated" };
  const char *names[] = { "Running", "Waiting", "Terminated" };
  for (size_t k = 0; k < 3; k++)
    {
      yajl_val s = jv_get (state, kinds[k]);
      long long code;
      if (!s)
        continue;
      printf ("    %-18s%s\n", title, names[k]);
      if (jv_str (s, "reason"))
        printf ("      Reason:         %s\n", jv_str (s, "reason"));
      if (jv_int_of (s, "exitCode", &code))
        printf ("      Exit Code:      %lld\n", code);
      if (jv_str (s, "startedAt"))
        printf ("      Started:        %s\n", jv_str (s, "startedAt"));
      if (jv_str (s, "finishedAt"))
        printf ("      Finished:       %s\n", jv_str (s, "finishedAt"));
    }
}

static void
print_containers (yajl_val pod, const char *title, const char *spec_key, const char *status_key)
{
  yajl_val list = jv_path (pod, "spec", spec_key, NULL);
  yajl_val statuses = jv_path (pod, "status", status_key, NULL);
  if (!list || list->u.array.len == 0)
    return;
  printf ("%s:\n", title);
  for (size_t i = 0; i < list->u.array.len; i++)
    {
      yajl_val c = list->u.array.values[i], cs = NULL;
      long long restarts = 0;
      for (size_t j = 0; statuses && j < statuses->u.array.len; j++)
        if (!strcmp (jv_str (statuses->u.array.values[j], "name") ?: "", jv_str (c, "name") ?: ""))
          cs = statuses->u.array.values[j];
      printf ("  %s:\n", jv_str (c, "name"));
      printf ("    Container ID:     %s\n", jv_str (cs, "containerID") ?: "");
      printf ("    Image:            %s\n", jv_str (c, "image") ?: "");
      print_state ("State:", jv_get (cs, "state"));
      print_state ("Last State:", jv_get (cs, "lastState"));
      printf ("    Ready:            %s\n", jv_get (cs, "ready") && jv_get (cs, "ready")->type == yajl_t_true ? "True" : "False");
      jv_int_of (cs, "restartCount", &restarts);
      printf ("    Restart Count:    %lld\n", restarts);
      if (jv_get (c, "livenessProbe"))
        printf ("    Liveness:         defined\n");
      if (jv_get (c, "readinessProbe"))
        printf ("    Readiness:        defined\n");
      if (jv_get (c, "startupProbe"))
        printf ("    Startup:          defined\n");
    }
}

static void
print_events (struct ctl *c, const char *name)
{
  struct hc_response r = { 0 };
  cleanup_error struct husk_error *err = NULL;
  char path[2048];
  snprintf (path, sizeof path,
            "/api/v1/namespaces/%s/events?fieldSelector=involvedObject.name%%3D%s", c->ns, name);
  if (hc_request (c->socket, "GET", path, NULL, NULL, 0, NULL, &r, &err) < 0 || r.code != 200)
    return hc_response_clear (&r);
  cleanup_jv yajl_val list = hc_json (&r);
  yajl_val items = jv_get (list, "items");
  hc_response_clear (&r);
  printf ("Events:\n");
  if (!items || items->u.array.len == 0)
    {
      printf ("  <none>\n");
      return;
    }
  printf ("  %-8s %-12s %-8s %-18s %s\n", "Type", "Reason", "Count", "From", "Message");
  for (size_t i = 0; i < items->u.array.len; i++)
    {
      yajl_val e = items->u.array.values[i];
      long long count = 1;
      jv_int_of (e, "count", &count);
      printf ("  %-8s %-12s %-8lld %-18s %s\n", jv_str (e, "type") ?: "",
              jv_str (e, "reason") ?: "", count, jv_str (jv_get (e, "source"), "component") ?: "",
              jv_str (e, "message") ?: "");
    }
}

int
cmd_describe (struct ctl *c, int argc, char **argv)
{
  struct hc_response r = { 0 };
  char path[2048], reason[64];
  int rc = HUSKCTL_OK;
  if (argc != 3 || !resource_plural (argv[1]) || strcmp (resource_plural (argv[1]), "pods"))
    {
      fprintf (stderr, "Usage: huskctl describe pod NAME\n");
      return HUSKCTL_USAGE;
    }
  resource_path (c, "pods", argv[2], path, sizeof path);
  if (!ctl_call (c, "GET", path, NULL, NULL, 0, NULL, &r, &rc))
    return hc_response_clear (&r), rc;
  cleanup_jv yajl_val pod = hc_json (&r);
  hc_response_clear (&r);
  api_pod_status_reason (pod, reason);
  printf ("Name:         %s\n", jv_str (jv_get (pod, "metadata"), "name"));
  printf ("Namespace:    %s\n", jv_str (jv_get (pod, "metadata"), "namespace"));
  printf ("Node:         %s\n", jv_str (jv_get (pod, "spec"), "nodeName") ?: "localhost");
  printf ("Start Time:   %s\n", jv_str (jv_get (pod, "status"), "startTime") ?: "<none>");
  print_map ("Labels:", jv_path (pod, "metadata", "labels", NULL));
  printf ("Status:       %s\n", reason);
  printf ("IP:           %s\n", jv_str (jv_get (pod, "status"), "podIP") ?: "");
  print_containers (pod, "Init Containers", "initContainers", "initContainerStatuses");
  print_containers (pod, "Containers", "containers", "containerStatuses");
  yajl_val conds = jv_path (pod, "status", "conditions", NULL);
  printf ("Conditions:\n  Type              Status\n");
  for (size_t i = 0; conds && i < conds->u.array.len; i++)
    printf ("  %-17s %s\n", jv_str (conds->u.array.values[i], "type") ?: "",
            jv_str (conds->u.array.values[i], "status") ?: "");
  print_events (c, argv[2]);
  return HUSKCTL_OK;
}

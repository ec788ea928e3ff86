/* Pod sandboxes: run, stop, remove, status, list (see sandbox.h). */
#include "pod_internal.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_writer.h"
#include "../network/cni.h"
#include "pod_util.h"

/* CNI DEL while the network namespace still exists (the holder lives), as
 * the CRI's StopPodSandbox reclaims the network: the bridge plugin finds
 * the addresses whose masquerade rules it removes on the pod's interface,
 * so a DEL without the namespace releases the IP but leaves those rules.
 * It runs from the configuration saved at ADD, whatever --cni-conf-dir
 * says now, and only once: a successful DEL forgets it. */
static int
network_teardown (const struct pod_env *env, const char *sid, struct husk_error **err)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sid);
  cleanup_free char *netns = NULL;
  pid_t holder = pod_holder_pid (env, sid);

  if (dir == NULL)
    return husk_error_set (err, ENOMEM, "network");
  if (holder > 0)
    netns = pod_path ("/proc/%d/ns/net", (int) holder);
  return husk_cni_del (env->cni_bin_dir, dir, sid, netns, err);
}

/* Every step of the teardown tolerates what was never made, so one
 * function serves remove and a failed run alike. */
static int
sandbox_teardown (const struct pod_env *env, const char *sid, struct husk_error **err)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sid);

  if (dir == NULL)
    return husk_error_set (err, ENOMEM, "remove");
  if (pod_containers_teardown (env, sid, err) < 0 || network_teardown (env, sid, err) < 0)
    return -1;
  if (pod_holder_stop (env, sid, err) < 0 || pod_volumes_teardown (env, sid, err) < 0
      || pod_cgroup_destroy (env, sid, err) < 0)
    return -1;
  return pod_rm_rf (dir, err);
}

static int
write_port (struct jw *w, const struct pod_port *p, size_t *n, struct husk_error **err)
{
  if (p->host_port == 0)
    return 0;
  cleanup_free char *proto = strdup (p->protocol);
  if (proto == NULL)
    return husk_error_set (err, ENOMEM, "ports");
  for (char *c = proto; *c; c++)
    *c = (char) tolower ((unsigned char) *c); /* CNI spells them "tcp" */
  jw_open (w);
  jw_key_int (w, "hostPort", p->host_port);
  jw_key_int (w, "containerPort", p->container_port);
  jw_key_string (w, "protocol", proto);
  if (p->host_ip && p->host_ip[0])
    jw_key_string (w, "hostIP", p->host_ip);
  jw_close (w);
  (*n)++;
  return 0;
}

/* The containers' hostPorts (and a CRI sandbox's port mappings) as CNI
 * portMappings (NULL when none). */
static int
port_mappings (const struct pod_spec *pod, char **out, struct husk_error **err)
{
  cleanup_jw struct jw w = { 0 };
  size_t n = 0;

  *out = NULL;
  if (jw_init (&w, NULL, err) < 0)
    return -1;
  jw_array_open (&w);
  /* the containers' hostPorts, then the sandbox's (the CRI's) */
  for (size_t i = 0; i < pod->containers_len; i++)
    for (size_t j = 0; j < pod->containers[i].ports_len; j++)
      if (write_port (&w, &pod->containers[i].ports[j], &n, err) < 0)
        return -1;
  for (size_t i = 0; i < pod->ports_len; i++)
    if (write_port (&w, &pod->ports[i], &n, err) < 0)
      return -1;
  jw_array_close (&w);
  if (jw_finish (&w, "portMappings", out, NULL, err) < 0)
    return -1;
  if (n == 0)
    {
      free (*out);
      *out = NULL;
    }
  return 0;
}

static int
network_setup (const struct pod_env *env, const struct pod_spec *pod, const char *sid,
               struct husk_error **err)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sid);
  cleanup_free char *netns = pod_path ("/proc/%d/ns/net", (int) pod_holder_pid (env, sid));
  cleanup_free char *ip = NULL, *ports = NULL;

  if (dir == NULL || netns == NULL)
    return husk_error_set (err, ENOMEM, "network");
  if (env->cni_conf_dir && !pod->host_network
      && (port_mappings (pod, &ports, err) < 0
          || husk_cni_add (env->cni_conf_dir, env->cni_bin_dir, dir, sid, netns, ports, &ip, err)
                 < 0))
    return -1;
  if (ip)
    {
      cleanup_free char *ip_path = pod_path ("%s/ip", dir);
      if (ip_path == NULL || pod_write_file_atomic (ip_path, ip, strlen (ip), 0644, err) < 0)
        return ip_path ? -1 : husk_error_set (err, ENOMEM, "network");
    }
  return pod_etc_write (env, pod, sid, ip, err);
}

static int
run_steps (const struct pod_env *env, const struct pod_spec *pod, const char *sid,
           const char *json, size_t len, struct husk_error **err)
{
  cleanup_free char *dir = pod_sandbox_dir (env, sid);
  cleanup_free char *pod_json = pod_path ("%s/pod.json", dir ? dir : "");
  cleanup_free char *created = pod_path ("%lld\n", (long long) pod_now_ns ());
  cleanup_free char *created_path = pod_path ("%s/created", dir ? dir : "");

  if (!dir || !pod_json || !created || !created_path)
    return husk_error_set (err, ENOMEM, "run");
  if (mkdir (dir, 0700) < 0)
    return husk_error_set (err, errno, "mkdir `%s`", dir);
  if (pod_write_file_atomic (pod_json, json, len, 0600, err) < 0
      || pod_write_file_atomic (created_path, created, strlen (created), 0600, err) < 0
      || pod_volumes_setup (env, pod, sid, err) < 0 || pod_cgroup_create (env, pod, sid, err) < 0
      || pod_holder_launch (env, pod, sid, err) < 0 || network_setup (env, pod, sid, err) < 0)
    return -1;
  return 0;
}

int
husk_pod_sandbox_run (const struct husk_sandbox_env *henv, const char *json, size_t len,
                      char **sandbox_id, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_pod_spec struct pod_spec *pod = NULL;
  char sid[33];

  if (pod_env_resolve (henv, &env, err) < 0 || pod_spec_parse ("pod.json", json, len, &pod, err) < 0
      || pod_random_id (sid, err) < 0)
    return -1;
  if (pod_mkdir_p (env.pods_root, 0700, err) < 0)
    return -1;
  if (run_steps (&env, pod, sid, json, len, err) < 0)
    {
      struct husk_error *ignored = NULL;
      if (sandbox_teardown (&env, sid, &ignored) < 0)
        husk_error_release (&ignored);
      return husk_error_wrap (err, "run pod `%s`", pod->name);
    }
  if ((*sandbox_id = strdup (sid)) == NULL)
    return husk_error_set (err, ENOMEM, "run");
  return 0;
}

int
husk_pod_sandbox_stop (const struct husk_sandbox_env *henv, const char *sid, int grace_seconds,
                       struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_pod_spec struct pod_spec *pod = NULL;
  cleanup_strv char **ids = NULL;
  size_t n = 0;

  if (pod_env_resolve (henv, &env, err) < 0 || pod_check_sandbox_id (sid, err) < 0
      || pod_load_spec (&env, sid, &pod, err) < 0
      || husk_pod_container_list (henv, sid, &ids, &n, err) < 0)
    return -1;
  if (grace_seconds < 0)
    grace_seconds = (int) pod->termination_grace_period;
  /* All at once, one grace period for the pod (see pod_stop.c). */
  if (pod_containers_stop (&env, ids, n, grace_seconds, err) < 0
      || network_teardown (&env, sid, err) < 0)
    return husk_error_wrap (err, "stop pod `%s`", pod->name);
  return pod_holder_stop (&env, sid, err) < 0 ? husk_error_wrap (err, "stop pod `%s`", pod->name)
                                               : 0;
}

int
husk_pod_sandbox_remove (const struct husk_sandbox_env *henv, const char *sid,
                         struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_free char *dir = NULL;

  if (pod_env_resolve (henv, &env, err) < 0 || pod_check_sandbox_id (sid, err) < 0)
    return -1;
  if ((dir = pod_sandbox_dir (&env, sid)) == NULL)
    return husk_error_set (err, ENOMEM, "remove");
  if (access (dir, F_OK) < 0)
    return 0;
  if (sandbox_teardown (&env, sid, err) < 0)
    return husk_error_wrap (err, "remove sandbox `%s`", sid);
  return 0;
}


int
husk_pod_sandbox_status (const struct husk_sandbox_env *henv, const char *sid,
                         struct husk_pod_sandbox_status *out, struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };
  cleanup_pod_spec struct pod_spec *pod = NULL;
  cleanup_free char *dir = NULL, *path = NULL, *created = NULL, *ip_path = NULL;
  struct husk_error *e = NULL;
  size_t len;

  memset (out, 0, sizeof *out);
  if (pod_env_resolve (henv, &env, err) < 0 || pod_check_sandbox_id (sid, err) < 0)
    return -1;
  dir = pod_sandbox_dir (&env, sid);
  path = pod_path ("%s/pod.json", dir ? dir : "");
  ip_path = pod_path ("%s/ip", dir ? dir : "");
  if (!dir || !path || !ip_path)
    return husk_error_set (err, ENOMEM, "status");
  if (pod_read_file (path, &out->pod_json, &len, err) < 0)
    return husk_error_wrap (err, "sandbox `%s`", sid);
  if (pod_spec_parse (path, out->pod_json, len, &pod, err) < 0)
    return -1;
  out->id = strdup (sid);
  out->name = strdup (pod->name);
  out->namespace_ = strdup (pod->namespace_);
  out->uid = pod->uid ? strdup (pod->uid) : NULL;
  out->host_network = pod->host_network;
  out->holder_pid = pod_holder_pid (&env, sid);
  out->state = out->holder_pid > 0 ? HUSK_POD_SANDBOX_READY : HUSK_POD_SANDBOX_NOTREADY;
  if (out->holder_pid > 0)
    out->netns_path = pod_path ("/proc/%d/ns/net", (int) out->holder_pid);
  if (pod_read_file (ip_path, &out->ip, NULL, &e) < 0)
    husk_error_release (&e);
  free (path);
  path = pod_path ("%s/created", dir);
  if (path && pod_read_file (path, &created, NULL, &e) == 0)
    out->created_at = strtoll (created, NULL, 10);
  husk_error_release (&e);
  return 0;
}

void
husk_pod_sandbox_status_free (struct husk_pod_sandbox_status *st)
{
  free (st->id);
  free (st->name);
  free (st->namespace_);
  free (st->uid);
  free (st->ip);
  free (st->netns_path);
  free (st->pod_json);
  memset (st, 0, sizeof *st);
}

int
husk_pod_sandbox_list (const struct husk_sandbox_env *henv, char ***ids, size_t *len,
                       struct husk_error **err)
{
  cleanup_pod_env struct pod_env env = { 0 };

  if (pod_env_resolve (henv, &env, err) < 0)
    return -1;
  return pod_list_dir (env.pods_root, ids, len, err);
}

int
husk_pod_spec_check (const char *json, size_t len, struct husk_error **err)
{
  cleanup_pod_spec struct pod_spec *pod = NULL;
  return pod_spec_parse ("pod", json, len, &pod, err);
}

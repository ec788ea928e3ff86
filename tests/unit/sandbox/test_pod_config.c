/* config.json generated for a pod's container: parsed back with husk's own
 * config parser (which validates it) and compared with the Pod. */
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>

#include "oci/config.h"
#include "sandbox/pod/pod_internal.h"
#include "tap.h"

#define SID "0123456789abcdef0123456789abcdef"

static struct pod_env env = {
  .pods_root = "/run/husk/pods", .cgroup_parent = "/husk",
};

static struct pod_spec *
pod_of (const char *json)
{
  struct husk_error *err = NULL;
  struct pod_spec *pod = NULL;
  if (pod_spec_parse ("pod.json", json, strlen (json), &pod, &err) < 0)
    {
      printf ("# %s\n", err->message);
      husk_error_release (&err);
    }
  return pod;
}

/* Generates and parses; NULL (and the message in *msg) on failure. */
static struct oci_config *
generate (const struct pod_spec *pod, const char *name, const struct husk_image *img,
          pid_t holder, pid_t pid1, char *msg, size_t msg_len)
{
  struct husk_error *err = NULL;
  struct oci_config *cfg = NULL;
  char *json = NULL;
  size_t len;
  struct pod_config_input in = {
    .env = &env, .pod = pod, .container = pod_spec_find_container (pod, name), .image = img,
    .sandbox_id = SID, .cid = SID "-main-0", .holder_pid = holder, .pid1 = pid1,
  };

  if (pod_config_generate (&in, &json, &len, &err) < 0
      || oci_config_parse_data ("config.json", json, len, &cfg, &err) < 0)
    {
      snprintf (msg, msg_len, "%s", err->message);
      husk_error_release (&err);
    }
  free (json);
  return cfg;
}

static const struct oci_namespace *
find_ns (const struct oci_config *cfg, enum oci_namespace_type type)
{
  for (size_t i = 0; i < cfg->linux_->namespaces_len; i++)
    if (cfg->linux_->namespaces[i].type == type)
      return &cfg->linux_->namespaces[i];
  return NULL;
}

static const struct oci_mount *
find_mount (const struct oci_config *cfg, const char *dest)
{
  for (size_t i = 0; i < cfg->mounts_len; i++)
    if (strcmp (cfg->mounts[i].destination, dest) == 0)
      return &cfg->mounts[i];
  return NULL;
}

static void
test_container (void)
{
  char msg[1024] = "";
  struct pod_spec *pod = pod_of (
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"web\"},\"spec\":{\"volumes\":[{\"name\":\"d\","
      "\"emptyDir\":{}}],\"containers\":[{\"name\":\"main\",\"image\":\"/img\",\"command\":[\"sh\"],"
      "\"args\":[\"-c\",\"true\"],\"env\":[{\"name\":\"A\",\"value\":\"b\"}],\"workingDir\":\"/w\","
      "\"volumeMounts\":[{\"name\":\"d\",\"mountPath\":\"/data\",\"readOnly\":true}],"
      "\"resources\":{\"limits\":{\"memory\":\"64Mi\",\"cpu\":\"250m\"}},"
      "\"securityContext\":{\"runAsUser\":1000,\"runAsGroup\":2000,\"readOnlyRootFilesystem\":true,"
      "\"capabilities\":{\"drop\":[\"ALL\"],\"add\":[\"NET_ADMIN\"]}}}]}}");
  struct oci_config *cfg = generate (pod, "main", NULL, 1234, 0, msg, sizeof msg);

  ok (cfg != NULL, "the config is valid for husk's parser %s", msg);
  if (cfg == NULL)
    return pod_spec_free (pod);
  is_str (cfg->process->args[0], "sh", "command then args");
  is_str (cfg->process->args[2], "true", "args follow the command");
  is_str (cfg->process->cwd, "/w", "workingDir");
  is_int (cfg->process->user.uid, 1000, "runAsUser");
  is_int (cfg->process->user.gid, 2000, "runAsGroup");
  ok (cfg->root->readonly, "readOnlyRootFilesystem");
  is_int (cfg->process->capabilities->bounding_len, 1, "drop ALL then add: one capability");
  is_str (cfg->process->capabilities->bounding[0], "CAP_NET_ADMIN", "it is NET_ADMIN");
  const struct oci_namespace *net = find_ns (cfg, OCI_NS_NETWORK);
  ok (net && net->path && strcmp (net->path, "/proc/1234/ns/net") == 0, "joins the holder's netns");
  ok (find_ns (cfg, OCI_NS_IPC) && find_ns (cfg, OCI_NS_UTS), "and its ipc and uts");
  const struct oci_namespace *pid = find_ns (cfg, OCI_NS_PID);
  ok (pid && pid->path == NULL, "its own PID namespace without shareProcessNamespace");
  is_str (cfg->linux_->cgroups_path, "/husk/pod_" SID "/" SID "-main-0", "under the pod cgroup");
  ok (cfg->linux_->resources->memory && cfg->linux_->resources->memory->limit.value == 64 << 20,
      "memory limit");
  ok (cfg->linux_->resources->cpu && cfg->linux_->resources->cpu->quota.value == 25000,
      "cpu 250m is a 25 ms quota per 100 ms");
  const struct oci_mount *data = find_mount (cfg, "/data");
  ok (data && strcmp (data->source, "/run/husk/pods/" SID "/volumes/d") == 0, "the emptyDir");
  bool ro = false;
  for (size_t i = 0; data && i < data->options_len; i++)
    ro |= strcmp (data->options[i], "ro") == 0;
  ok (ro, "mounted read-only");
  ok (find_mount (cfg, "/etc/hosts") && find_mount (cfg, "/etc/resolv.conf")
          && find_mount (cfg, "/dev/shm") && find_mount (cfg, "/dev/mqueue"),
      "the pod's /etc files, shm and mqueue");
  ok (cfg->linux_->masked_paths_len > 0, "masked paths when not privileged");
  oci_config_free (cfg);
  pod_spec_free (pod);
}

static void
test_image_and_modes (void)
{
  char msg[1024] = "";
  char *entry[] = { "/bin/sh", "-c", NULL }, *cmd[] = { "echo img", NULL };
  char *img_env[] = { "PATH=/bin", "X=1", NULL };
  struct husk_image img = { .entrypoint = entry, .cmd = cmd, .env = img_env, .working_dir = "/srv" };
  struct pod_spec *pod = pod_of ("{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{"
                                 "\"hostNetwork\":true,\"shareProcessNamespace\":true,"
                                 "\"containers\":[{\"name\":\"main\",\"image\":\"/i\","
                                 "\"securityContext\":{\"privileged\":true}},"
                                 "{\"name\":\"bare\",\"image\":\"/i\"}]}}");
  struct oci_config *cfg = generate (pod, "main", &img, 77, 78, msg, sizeof msg);

  ok (cfg != NULL, "a config from the image's config %s", msg);
  if (cfg)
    {
      is_str (cfg->process->args[0], "/bin/sh", "the image's entrypoint");
      is_str (cfg->process->args[2], "echo img", "then its cmd");
      is_str (cfg->process->cwd, "/srv", "its WorkingDir");
      is_str (cfg->process->env[1], "X=1", "its Env");
      ok (find_ns (cfg, OCI_NS_NETWORK) == NULL && find_ns (cfg, OCI_NS_UTS) == NULL,
          "hostNetwork: no network or uts namespace of its own");
      const struct oci_namespace *pid = find_ns (cfg, OCI_NS_PID);
      ok (pid && pid->path && strcmp (pid->path, "/proc/78/ns/pid") == 0,
          "shareProcessNamespace joins the pod's PID 1");
      ok (cfg->process->capabilities->bounding_len > 30, "privileged has every capability");
      is_int (cfg->linux_->masked_paths_len, 0, "and nothing masked");
      oci_config_free (cfg);
    }
  cfg = generate (pod, "bare", NULL, 77, 78, msg, sizeof msg);
  ok (cfg == NULL && strstr (msg, "no command"), "no command and no image config is an error");
  pod_spec_free (pod);
}

static bool
has_option (const struct oci_mount *m, const char *opt)
{
  for (size_t i = 0; m && i < m->options_len; i++)
    if (strcmp (m->options[i], opt) == 0)
      return true;
  return false;
}

/* What the CRI asks for through the Pod: sysctls, hostPID, mount
 * propagation, and "every capability" bounded by what this process holds. */
static void
test_cri_options (void)
{
  char msg[1024] = "";
  char *cmd[] = { "true", NULL };
  struct husk_image img = { .cmd = cmd };
  struct pod_spec *pod = pod_of (
      "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{\"hostPID\":true,"
      "\"securityContext\":{\"sysctls\":[{\"name\":\"kernel.shm_rmid_forced\","
      "\"value\":\"1\"}]},"
      "\"containers\":[{\"name\":\"main\",\"image\":\"/i\","
      "\"securityContext\":{\"capabilities\":{\"add\":[\"ALL\"]}},"
      "\"volumeMounts\":[{\"name\":\"h\",\"mountPath\":\"/h\","
      "\"mountPropagation\":\"Bidirectional\"}]}],"
      "\"volumes\":[{\"name\":\"h\",\"hostPath\":{\"path\":\"/tmp\"}}]}}");
  struct oci_config *cfg = pod ? generate (pod, "main", &img, 77, 78, msg, sizeof msg) : NULL;
  size_t grantable = 0;

  ok (cfg != NULL, "a config with the CRI's options %s", msg);
  if (cfg)
    {
      const struct oci_map *sysctl = &cfg->linux_->sysctl;
      ok (sysctl->len == 1 && strcmp (sysctl->keys[0], "kernel.shm_rmid_forced") == 0
              && strcmp (sysctl->values[0], "1") == 0,
          "the pod's sysctls");
      ok (find_ns (cfg, OCI_NS_PID) == NULL, "hostPID: no PID namespace");
      ok (has_option (find_mount (cfg, "/h"), "rshared"), "Bidirectional is rshared");
      is_str (cfg->linux_->rootfs_propagation, "rshared", "on a shared root");
      for (int c = 0; c <= 40; c++)
        grantable += prctl (PR_CAPBSET_READ, (unsigned long) c, 0, 0, 0) == 1;
      is_int (cfg->process->capabilities->bounding_len, grantable,
              "add: [ALL] is every capability this process can grant");
      oci_config_free (cfg);
    }
  pod_spec_free (pod);
}

int
main (void)
{
  test_container ();
  test_image_and_modes ();
  test_cri_options ();
  return tap_done ();
}

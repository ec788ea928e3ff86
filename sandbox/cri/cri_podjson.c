/* A CRI sandbox and its containers as the Pod object the pod library
 * takes: the one description both front doors hand the library.  The CRI
 * names things more freely than Kubernetes does (a container name is any
 * string), so names become DNS labels here, kept unique by a hash. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_writer.h"
#include "../pod/pod_util.h"
#include "cri_internal.h"
#include "cri_pod.h"

static uint32_t
fnv1a (const char *s)
{
  uint32_t h = 2166136261u;
  for (; *s; s++)
    h = (h ^ (unsigned char) *s) * 16777619u;
  return h;
}

void
cri_label_name (const char *name, char out[64])
{
  size_t n = 0;
  bool same = true;
  for (const char *p = name; *p && n < 40; p++)
    {
      char c = *p;
      if (c >= 'A' && c <= 'Z')
        c = (char) (c - 'A' + 'a');
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')))
        c = '-';
      if (c != *p)
        same = false;
      if (c == '-' && (n == 0 || out[n - 1] == '-'))
        {
          same = false;
          continue;
        }
      out[n++] = c;
    }
  while (n > 0 && out[n - 1] == '-')
    n--, same = false;
  out[n] = '\0';
  if (same && n == strlen (name) && n > 0)
    return;
  snprintf (out + n, 64 - n, "%s%08x", n ? "-" : "c", fnv1a (name));
}

int
cri_seccomp_profile (const Runtime__V1__LinuxContainerSecurityContext *sc, const char **type,
                     const char **path, struct husk_error **err)
{
/* critest 1.26 and kubelets before 1.23 send the deprecated path */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
  const char *p = sc && sc->seccomp_profile_path ? sc->seccomp_profile_path : "";
#pragma GCC diagnostic pop
  *type = *path = NULL;
  if (sc && sc->seccomp)
    {
      if (sc->seccomp->profile_type == RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__Localhost)
        *type = "Localhost", *path = sc->seccomp->localhost_ref;
      else if (sc->seccomp->profile_type
               == RUNTIME__V1__SECURITY_PROFILE__PROFILE_TYPE__RuntimeDefault)
        *type = "RuntimeDefault";
      return 0;
    }
  if (strncmp (p, "localhost/", 10) == 0)
    *type = "Localhost", *path = p + 9; /* the absolute path after "localhost" */
  else if (strcmp (p, "runtime/default") == 0 || strcmp (p, "docker/default") == 0)
    *type = "RuntimeDefault";
  else if (p[0] != '\0' && strcmp (p, "unconfined") != 0)
    return husk_error_set (err, EINVAL, "unsupported seccomp profile `%s`", p);
  return 0;
}

static void
write_seccomp (struct jw *w, const Runtime__V1__LinuxContainerSecurityContext *sc)
{
  cleanup_error struct husk_error *e = NULL;
  const char *type, *path;
  if (cri_seccomp_profile (sc, &type, &path, &e) < 0 || type == NULL)
    return; /* refused by CreateContainer already */
  jw_key (w, "seccompProfile");
  jw_open (w);
  jw_key_string (w, "type", type);
  if (path)
    jw_key_string (w, "localhostProfile", path);
  jw_close (w);
}

/* A repeated string of the CRI (counted, not NULL terminated), if any. */
static void
write_paths (struct jw *w, const char *key, char *const *v, size_t n)
{
  if (n == 0)
    return;
  jw_key (w, key);
  jw_array_open (w);
  for (size_t i = 0; i < n; i++)
    jw_string (w, v[i]);
  jw_array_close (w);
}

static void
write_cri_resources (struct jw *w, const Runtime__V1__LinuxContainerResources *r)
{
  jw_key (w, "resources");
  jw_open (w);
  jw_key_int (w, "cpuPeriod", r->cpu_period);
  jw_key_int (w, "cpuQuota", r->cpu_quota);
  jw_key_int (w, "cpuShares", r->cpu_shares);
  jw_key_int (w, "memoryLimit", r->memory_limit_in_bytes);
  jw_key_int (w, "memorySwap", r->memory_swap_limit_in_bytes);
  if (r->oom_score_adj)
    jw_key_int (w, "oomScoreAdj", r->oom_score_adj);
  jw_key_string (w, "cpusetCpus", r->cpuset_cpus);
  jw_key_string (w, "cpusetMems", r->cpuset_mems);
  jw_key (w, "hugepageLimits");
  jw_array_open (w);
  for (size_t i = 0; i < r->n_hugepage_limits; i++)
    {
      jw_open (w);
      jw_key_string (w, "pageSize", r->hugepage_limits[i]->page_size);
      jw_key_int (w, "limit", (long long) r->hugepage_limits[i]->limit);
      jw_close (w);
    }
  jw_array_close (w);
  jw_key (w, "unified");
  jw_open (w);
  for (size_t i = 0; i < r->n_unified; i++)
    jw_key_string (w, r->unified[i]->key, r->unified[i]->value);
  jw_close (w);
  jw_close (w);
}

static void
write_pid_mode (struct jw *w, const Runtime__V1__NamespaceOption *ns)
{
  static const char *const modes[] = {
    [RUNTIME__V1__NAMESPACE_MODE__POD] = "Pod",
    [RUNTIME__V1__NAMESPACE_MODE__CONTAINER] = "Container",
    [RUNTIME__V1__NAMESPACE_MODE__NODE] = "Node",
    [RUNTIME__V1__NAMESPACE_MODE__TARGET] = "Target",
  };
  if (ns == NULL || (unsigned) ns->pid >= sizeof modes / sizeof modes[0])
    return;
  jw_key_string (w, "pid", modes[ns->pid]);
  if (ns->pid == RUNTIME__V1__NAMESPACE_MODE__TARGET)
    jw_key_string (w, "pidTarget", ns->target_id);
}

/* containers[].huskCRI (pod_spec.h: struct pod_cri_linux): what the CRI
 * gives a container beyond a Pod's fields, as the runtime takes it. */
static void
write_cri_linux (struct jw *w, const Runtime__V1__ContainerConfig *c)
{
  const Runtime__V1__LinuxContainerConfig *l = c->linux;
  const Runtime__V1__LinuxContainerSecurityContext *sc = l ? l->security_context : NULL;

  jw_key (w, "huskCRI");
  jw_open (w);
  if (l && l->resources)
    write_cri_resources (w, l->resources);
  if (sc)
    write_pid_mode (w, sc->namespace_options);
  jw_key (w, "devices");
  jw_array_open (w);
  for (size_t i = 0; i < c->n_devices; i++)
    {
      jw_open (w);
      jw_key_string (w, "hostPath", c->devices[i]->host_path);
      jw_key_string (w, "containerPath", c->devices[i]->container_path);
      jw_key_string (w, "permissions", c->devices[i]->permissions);
      jw_close (w);
    }
  jw_array_close (w);
  jw_close (w);
}

static void
write_container (struct jw *w, const Runtime__V1__ContainerConfig *c, char *name)
{
  Runtime__V1__LinuxContainerSecurityContext *sc
      = c->linux ? c->linux->security_context : NULL;
  jw_open (w);
  jw_key_string (w, "name", name);
  jw_key_string (w, "image", c->image ? c->image->image : "");
  if (c->n_command)
    {
      jw_key (w, "command");
      jw_array_open (w);
      for (size_t i = 0; i < c->n_command; i++)
        jw_string (w, c->command[i]);
      jw_array_close (w);
    }
  if (c->n_args)
    {
      jw_key (w, "args");
      jw_array_open (w);
      for (size_t i = 0; i < c->n_args; i++)
        jw_string (w, c->args[i]);
      jw_array_close (w);
    }
  if (c->n_envs)
    {
      jw_key (w, "env");
      jw_array_open (w);
      for (size_t i = 0; i < c->n_envs; i++)
        {
          jw_open (w);
          jw_key_string (w, "name", c->envs[i]->key);
          jw_key_string (w, "value", c->envs[i]->value);
          jw_close (w);
        }
      jw_array_close (w);
    }
  if (c->working_dir[0])
    jw_key_string (w, "workingDir", c->working_dir);
  if (c->tty)
    jw_key_bool (w, "tty", true);
  /* the holder keeps stdin open for Attach only when asked, as Pods do */
  if (c->stdin)
    jw_key_bool (w, "stdin", true);
  if (c->stdin_once)
    jw_key_bool (w, "stdinOnce", true);
  if (c->n_mounts)
    {
      jw_key (w, "volumeMounts");
      jw_array_open (w);
      for (size_t i = 0; i < c->n_mounts; i++)
        {
          char vol[80];
          snprintf (vol, sizeof vol, "m%08x-%zu", fnv1a (name), i);
          jw_open (w);
          jw_key_string (w, "name", vol);
          jw_key_string (w, "mountPath", c->mounts[i]->container_path);
          if (c->mounts[i]->readonly)
            jw_key_bool (w, "readOnly", true);
          Runtime__V1__MountPropagation p = c->mounts[i]->propagation;
          if (p == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_BIDIRECTIONAL)
            jw_key_string (w, "mountPropagation", "Bidirectional");
          else if (p == RUNTIME__V1__MOUNT_PROPAGATION__PROPAGATION_HOST_TO_CONTAINER)
            jw_key_string (w, "mountPropagation", "HostToContainer");
          jw_close (w);
        }
      jw_array_close (w);
    }
  if (sc)
    {
      jw_key (w, "securityContext");
      jw_open (w);
      if (sc->run_as_user)
        jw_key_int (w, "runAsUser", sc->run_as_user->value);
      if (sc->run_as_group)
        jw_key_int (w, "runAsGroup", sc->run_as_group->value);
      if (sc->run_as_username[0])
        jw_key_string (w, "runAsUserName", sc->run_as_username);
      write_seccomp (w, sc);
      write_paths (w, "maskedPaths", sc->masked_paths, sc->n_masked_paths);
      write_paths (w, "readonlyPaths", sc->readonly_paths, sc->n_readonly_paths);
      if (sc->n_supplemental_groups)
        {
          jw_key (w, "supplementalGroups");
          jw_array_open (w);
          for (size_t i = 0; i < sc->n_supplemental_groups; i++)
            yajl_gen_integer (w->g, sc->supplemental_groups[i]);
          jw_array_close (w);
        }
      if (sc->privileged)
        jw_key_bool (w, "privileged", true);
      if (sc->readonly_rootfs)
        jw_key_bool (w, "readOnlyRootFilesystem", true);
      if (sc->no_new_privs)
        jw_key_bool (w, "allowPrivilegeEscalation", false);
      if (sc->capabilities
          && (sc->capabilities->n_add_capabilities || sc->capabilities->n_drop_capabilities))
        {
          jw_key (w, "capabilities");
          jw_open (w);
          jw_key (w, "add");
          jw_array_open (w);
          for (size_t i = 0; i < sc->capabilities->n_add_capabilities; i++)
            jw_string (w, sc->capabilities->add_capabilities[i]);
          jw_array_close (w);
          jw_key (w, "drop");
          jw_array_open (w);
          for (size_t i = 0; i < sc->capabilities->n_drop_capabilities; i++)
            jw_string (w, sc->capabilities->drop_capabilities[i]);
          jw_array_close (w);
          jw_close (w);
        }
      jw_close (w);
    }
  write_cri_linux (w, c);
  jw_close (w);
}

static void
write_volumes (struct jw *w, const Runtime__V1__ContainerConfig *c, const char *name)
{
  for (size_t i = 0; i < c->n_mounts; i++)
    {
      char vol[80];
      snprintf (vol, sizeof vol, "m%08x-%zu", fnv1a (name), i);
      jw_open (w);
      jw_key_string (w, "name", vol);
      jw_key (w, "hostPath");
      jw_open (w);
      jw_key_string (w, "path", c->mounts[i]->host_path);
      jw_close (w);
      jw_close (w);
    }
}

/* The sandbox's port mappings with a host port, for
 * HUSK_POD_PORTS_ANNOTATION (NULL: none). */
static int
ports_annotation (const Runtime__V1__PodSandboxConfig *sb, char **out, struct husk_error **err)
{
  static const char *const protocols[] = { "TCP", "UDP", "SCTP" };
  cleanup_jw struct jw w = { 0 };
  size_t n = 0;
  *out = NULL;
  for (size_t i = 0; i < sb->n_port_mappings; i++)
    n += sb->port_mappings[i]->host_port > 0;
  if (n == 0)
    return 0;
  if (jw_init (&w, NULL, err) < 0)
    return -1;
  jw_open (&w);
  jw_key (&w, "ports");
  jw_array_open (&w);
  for (size_t i = 0; i < sb->n_port_mappings; i++)
    {
      const Runtime__V1__PortMapping *pm = sb->port_mappings[i];
      if (pm->host_port <= 0)
        continue;
      jw_open (&w);
      jw_key_int (&w, "containerPort", pm->container_port);
      jw_key_int (&w, "hostPort", pm->host_port);
      jw_key_string (&w, "protocol",
                     (size_t) pm->protocol < 3 ? protocols[pm->protocol] : "TCP");
      if (pm->host_ip[0])
        jw_key_string (&w, "hostIP", pm->host_ip);
      jw_close (&w);
    }
  jw_array_close (&w);
  jw_close (&w);
  return jw_finish (&w, "port mappings", out, NULL, err);
}

static void
write_metadata (struct jw *w, const Runtime__V1__PodSandboxConfig *sb, const char *ports)
{
  char name[64];
  const Runtime__V1__PodSandboxMetadata *md = sb->metadata;
  cri_label_name (md && md->name[0] ? md->name : "sandbox", name);
  jw_key (w, "metadata");
  jw_open (w);
  jw_key_string (w, "name", name);
  if (md && md->namespace_[0])
    {
      char ns[64];
      cri_label_name (md->namespace_, ns);
      jw_key_string (w, "namespace", ns);
    }
  jw_key (w, "annotations");
  jw_open (w);
  jw_key_string (w, HUSK_POD_CRI_ANNOTATION, "true");
  if (ports)
    jw_key_string (w, HUSK_POD_PORTS_ANNOTATION, ports);
  jw_close (w);
  jw_close (w);
}

static void
write_spec_options (struct jw *w, const Runtime__V1__PodSandboxConfig *sb)
{
  const Runtime__V1__NamespaceOption *ns
      = sb->linux && sb->linux->security_context ? sb->linux->security_context->namespace_options
                                                 : NULL;
  if (sb->hostname[0])
    jw_key_string (w, "hostname", sb->hostname);
  if (sb->linux && sb->linux->n_sysctls)
    {
      jw_key (w, "securityContext");
      jw_open (w);
      jw_key (w, "sysctls");
      jw_array_open (w);
      for (size_t i = 0; i < sb->linux->n_sysctls; i++)
        {
          jw_open (w);
          jw_key_string (w, "name", sb->linux->sysctls[i]->key);
          jw_key_string (w, "value", sb->linux->sysctls[i]->value);
          jw_close (w);
        }
      jw_array_close (w);
      jw_close (w);
    }
  if (ns && ns->network == RUNTIME__V1__NAMESPACE_MODE__NODE)
    jw_key_bool (w, "hostNetwork", true);
  if (ns && ns->ipc == RUNTIME__V1__NAMESPACE_MODE__NODE)
    jw_key_bool (w, "hostIPC", true);
  if (ns && ns->pid == RUNTIME__V1__NAMESPACE_MODE__NODE)
    jw_key_bool (w, "hostPID", true);
  /* POD (the enum's zero) shares one PID namespace; kubelet asks for
   * CONTAINER unless shareProcessNamespace */
  if (ns == NULL || ns->pid == RUNTIME__V1__NAMESPACE_MODE__POD)
    jw_key_bool (w, "shareProcessNamespace", true);
  if (sb->dns_config)
    {
      const Runtime__V1__DNSConfig *d = sb->dns_config;
      /* kubelet has merged the host's already: the CRI's config is all */
      jw_key_string (w, "dnsPolicy", "None");
      jw_key (w, "dnsConfig");
      jw_open (w);
      jw_key (w, "nameservers");
      jw_array_open (w);
      for (size_t i = 0; i < d->n_servers; i++)
        jw_string (w, d->servers[i]);
      jw_array_close (w);
      jw_key (w, "searches");
      jw_array_open (w);
      for (size_t i = 0; i < d->n_searches; i++)
        jw_string (w, d->searches[i]);
      jw_array_close (w);
      jw_key (w, "options");
      jw_array_open (w);
      for (size_t i = 0; i < d->n_options; i++)
        {
          /* "ndots:5" -> {name: ndots, value: "5"} */
          cleanup_free char *name = strdup (d->options[i]);
          char *colon = name ? strchr (name, ':') : NULL;
          if (colon)
            *colon = '\0';
          jw_open (w);
          jw_key_string (w, "name", name ? name : "");
          if (colon)
            jw_key_string (w, "value", colon + 1);
          jw_close (w);
        }
      jw_array_close (w);
      jw_close (w);
    }
  jw_key_string (w, "restartPolicy", "Never");
  jw_key_int (w, "terminationGracePeriodSeconds", 0);
}

int
cri_pod_json (const Runtime__V1__PodSandboxConfig *sb, Runtime__V1__ContainerConfig *const *cs,
              size_t n, char **out, struct husk_error **err)
{
  cleanup_jw struct jw w = { 0 };
  cleanup_free char (*names)[64] = calloc (n ? n : 1, sizeof *names);
  cleanup_free char *ports = NULL;
  if (names == NULL)
    return husk_error_set (err, ENOMEM, "pod description");
  if (ports_annotation (sb, &ports, err) < 0 || jw_init (&w, NULL, err) < 0)
    return -1;
  for (size_t i = 0; i < n; i++)
    {
      cri_label_name (cs[i]->metadata ? cs[i]->metadata->name : "container", names[i]);
    }
  jw_open (&w);
  jw_key_string (&w, "apiVersion", "v1");
  jw_key_string (&w, "kind", "Pod");
  write_metadata (&w, sb, ports);
  jw_key (&w, "spec");
  jw_open (&w);
  write_spec_options (&w, sb);
  jw_key (&w, "containers");
  jw_array_open (&w);
  for (size_t i = 0; i < n; i++)
    write_container (&w, cs[i], names[i]);
  jw_array_close (&w);
  jw_key (&w, "volumes");
  jw_array_open (&w);
  for (size_t i = 0; i < n; i++)
    write_volumes (&w, cs[i], names[i]);
  jw_array_close (&w);
  jw_close (&w);
  jw_close (&w);
  return jw_finish (&w, "pod description", out, NULL, err);
}

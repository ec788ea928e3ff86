/* Kubernetes Pod v1 JSON -> struct pod_spec (see pod_spec.h). */
#include "pod_spec.h"
#include "sandbox.h"

#include <errno.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"
#include "../../oci/json_reader.h"
#include "pod_spec_cri.h"
#include "pod_spec_net.h"

static void
strv_free (char **v)
{
  husk_strvfreep (&v);
}

static void
map_clear (struct oci_map *m)
{
  for (size_t i = 0; i < m->len; i++)
    {
      free (m->keys[i]);
      free (m->values[i]);
    }
  free (m->keys);
  free (m->values);
}

static void
security_context_clear (struct pod_security_context *sc)
{
  strv_free (sc->capabilities.add);
  strv_free (sc->capabilities.drop);
  for (size_t i = 0; i < sc->sysctls_len; i++)
    {
      free (sc->sysctls[i].name);
      free (sc->sysctls[i].value);
    }
  free (sc->sysctls);
  free (sc->supplemental_groups);
  free (sc->run_as_user_name);
  free (sc->seccomp_type);
  free (sc->seccomp_localhost_profile);
  strv_free (sc->masked_paths);
  strv_free (sc->readonly_paths);
}

static void
ports_clear (struct pod_port *ports, size_t len)
{
  for (size_t i = 0; i < len; i++)
    {
      free (ports[i].protocol);
      free (ports[i].host_ip);
    }
  free (ports);
}

static void
cri_linux_clear (struct pod_cri_linux *x)
{
  free (x->cpuset_cpus);
  free (x->cpuset_mems);
  for (size_t i = 0; i < x->hugepages_len; i++)
    free (x->hugepages[i].page_size);
  free (x->hugepages);
  map_clear (&x->unified);
  free (x->pid_target);
  for (size_t i = 0; i < x->devices_len; i++)
    {
      free (x->devices[i].host_path);
      free (x->devices[i].container_path);
      free (x->devices[i].permissions);
    }
  free (x->devices);
}

static void
container_clear (struct pod_container *c)
{
  free (c->name);
  free (c->image);
  strv_free (c->command);
  strv_free (c->args);
  for (size_t i = 0; i < c->env_len; i++)
    {
      free (c->env[i].name);
      free (c->env[i].value);
    }
  free (c->env);
  free (c->working_dir);
  for (size_t i = 0; i < c->volume_mounts_len; i++)
    {
      free (c->volume_mounts[i].name);
      free (c->volume_mounts[i].mount_path);
      free (c->volume_mounts[i].sub_path);
      free (c->volume_mounts[i].mount_propagation);
    }
  free (c->volume_mounts);
  ports_clear (c->ports, c->ports_len);
  security_context_clear (&c->security_context);
  cri_linux_clear (&c->cri);
}

void
pod_spec_free (struct pod_spec *pod)
{
  if (pod == NULL)
    return;
  free (pod->name);
  free (pod->namespace_);
  free (pod->uid);
  map_clear (&pod->labels);
  map_clear (&pod->annotations);
  ports_clear (pod->ports, pod->ports_len);
  free (pod->hostname);
  free (pod->subdomain);
  free (pod->restart_policy);
  for (size_t i = 0; i < pod->containers_len; i++)
    container_clear (&pod->containers[i]);
  free (pod->containers);
  for (size_t i = 0; i < pod->init_containers_len; i++)
    container_clear (&pod->init_containers[i]);
  free (pod->init_containers);
  for (size_t i = 0; i < pod->volumes_len; i++)
    {
      free (pod->volumes[i].name);
      free (pod->volumes[i].host_path);
    }
  free (pod->volumes);
  security_context_clear (&pod->security_context);
  pod_spec_net_clear (pod);
  free (pod);
}

/* ---- quantities ---- */

static int
quantity_suffix_milli (const char *suffix, int64_t *mul_milli, int *shift)
{
  static const struct { const char *s; int64_t mul; int shift; } table[] = {
    { "", 1000, 0 },  { "m", 1, 0 },
    { "k", 1000000, 0 }, { "M", 1000000000, 0 }, { "G", 1000000000000, 0 },
    { "T", 1000000000000000, 0 }, { "P", 1000000000000000000, 0 },
    { "Ki", 1000, 10 }, { "Mi", 1000, 20 }, { "Gi", 1000, 30 }, { "Ti", 1000, 40 },
    { "Pi", 1000, 50 },
  };
  for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
    if (strcmp (suffix, table[i].s) == 0)
      {
        *mul_milli = table[i].mul;
        *shift = table[i].shift;
        return 0;
      }
  return -1;
}

/* Integer part and up to 9 fraction digits; fractions of a milli-unit are
 * rounded up, as Kubernetes rounds quantities up. */
int
pod_quantity_parse_milli (const char *s, int64_t *out)
{
  __int128 whole = 0, frac = 0, frac_scale = 1, v;
  const char *p = s;
  int64_t mul;
  int shift;

  if (s == NULL || (*p < '0' || *p > '9'))
    return -1;
  for (; *p >= '0' && *p <= '9'; p++)
    if ((whole = whole * 10 + (*p - '0')) > INT64_MAX)
      return -1;
  if (*p == '.')
    for (p++; *p >= '0' && *p <= '9'; p++)
      if (frac_scale < 1000000000)
        {
          frac = frac * 10 + (*p - '0');
          frac_scale *= 10;
        }
  if (*p == 'e' || *p == 'E')
    return -1; /* exponents are rare in pods; refused rather than misread */
  if (quantity_suffix_milli (p, &mul, &shift) < 0)
    return -1;
  v = (whole * frac_scale + frac) * mul * ((__int128) 1 << shift);
  v = (v + frac_scale - 1) / frac_scale;
  if (v > INT64_MAX)
    return -1;
  *out = (int64_t) v;
  return 0;
}

static int
parse_quantity (struct jr *r, yajl_val obj, const char *key, bool milli, oci_opt_i64 *out)
{
  yajl_val v = jr_member (obj, key);
  cleanup_free char *text = NULL;
  size_t mark;
  int64_t q = 0;

  if (v == NULL)
    return 0;
  mark = jr_enter_key (r, key);
  if (YAJL_IS_INTEGER (v))
    text = NULL, q = YAJL_GET_INTEGER (v) * 1000;
  else if (jr_string_value (r, v, &text) < 0)
    return -1;
  if (text && pod_quantity_parse_milli (text, &q) < 0)
    return jr_fail (r, "\"%s\" is not a quantity", text);
  jr_leave (r, mark);
  out->set = true;
  out->value = milli ? q : (q + 999) / 1000;
  return 1;
}

/* ---- containers ---- */

static int
parse_env_var (struct jr *r, yajl_val v, void *elem)
{
  struct pod_env_var *e = elem;
  if (jr_string (r, v, "name", true, &e->name) < 0 || jr_string (r, v, "value", false, &e->value) < 0)
    return -1;
  if (e->value == NULL && (e->value = strdup ("")) == NULL)
    return jr_fail (r, "out of memory");
  return 0;
}

static int
check_propagation (struct jr *r, const struct pod_volume_mount *m)
{
  const char *p = m->mount_propagation;
  if (p == NULL || strcmp (p, "None") == 0 || strcmp (p, "HostToContainer") == 0
      || strcmp (p, "Bidirectional") == 0)
    return 0;
  jr_enter_key (r, "mountPropagation");
  return jr_fail (r, "unsupported value \"%s\" (None, HostToContainer or Bidirectional)", p);
}

static int
parse_volume_mount (struct jr *r, yajl_val v, void *elem)
{
  struct pod_volume_mount *m = elem;
  return jr_string (r, v, "name", true, &m->name) < 0
             || jr_string (r, v, "mountPath", true, &m->mount_path) < 0
             || jr_string (r, v, "subPath", false, &m->sub_path) < 0
             || jr_bool (r, v, "readOnly", &m->read_only) < 0
             || jr_string (r, v, "mountPropagation", false, &m->mount_propagation) < 0
             ? -1
             : check_propagation (r, m);
}

static int
parse_port (struct jr *r, yajl_val v, void *elem)
{
  struct pod_port *p = elem;
  if (jr_i64 (r, v, "containerPort", true, 1, 65535, &p->container_port) < 0
      || jr_i64 (r, v, "hostPort", false, 0, 65535, &p->host_port) < 0
      || jr_string (r, v, "protocol", false, &p->protocol) < 0
      || jr_string (r, v, "hostIP", false, &p->host_ip) < 0)
    return -1;
  if (p->protocol == NULL && (p->protocol = strdup ("TCP")) == NULL)
    return jr_fail (r, "out of memory");
  if (strcmp (p->protocol, "TCP") != 0 && strcmp (p->protocol, "UDP") != 0
      && strcmp (p->protocol, "SCTP") != 0)
    {
      jr_enter_key (r, "protocol");
      return jr_fail (r, "`%s`: not TCP, UDP or SCTP", p->protocol);
    }
  return 0;
}

static int
parse_resource_list (struct jr *r, yajl_val obj, const char *key, oci_opt_i64 *cpu,
                     oci_opt_i64 *memory)
{
  yajl_val list;
  size_t mark;
  int ret;

  if ((ret = jr_object (r, obj, key, false, &list)) <= 0)
    return ret;
  mark = jr_enter_key (r, key);
  if (parse_quantity (r, list, "cpu", true, cpu) < 0
      || parse_quantity (r, list, "memory", false, memory) < 0)
    return -1;
  jr_leave (r, mark);
  return 1;
}

static int
parse_resources (struct jr *r, yajl_val obj, struct pod_resources *res)
{
  yajl_val v;
  size_t mark;
  int ret;

  if ((ret = jr_object (r, obj, "resources", false, &v)) <= 0)
    return ret;
  mark = jr_enter_key (r, "resources");
  if (parse_resource_list (r, v, "limits", &res->limits_cpu_milli, &res->limits_memory) < 0
      || parse_resource_list (r, v, "requests", &res->requests_cpu_milli, &res->requests_memory)
             < 0)
    return -1;
  jr_leave (r, mark);
  return 1;
}

/* supplementalGroups: an array of numbers (jr_array_of is for objects). */
static int
parse_gids (struct jr *r, yajl_val obj, struct pod_security_context *sc)
{
  yajl_val arr;
  size_t mark;
  int ret = jr_array (r, obj, "supplementalGroups", false, &arr);
  if (ret <= 0 || arr == NULL)
    return ret;
  mark = jr_enter_key (r, "supplementalGroups");
  sc->supplemental_groups = calloc (arr->u.array.len + 1, sizeof *sc->supplemental_groups);
  if (sc->supplemental_groups == NULL)
    return jr_fail (r, "out of memory");
  for (size_t i = 0; i < arr->u.array.len; i++)
    {
      size_t m2 = jr_enter_index (r, i);
      if (jr_i64_value (r, arr->u.array.values[i], 0, UINT32_MAX - 1,
                        &sc->supplemental_groups[i])
          < 0)
        return -1;
      sc->supplemental_groups_len++;
      jr_leave (r, m2);
    }
  jr_leave (r, mark);
  return 1;
}

static int
parse_seccomp_profile (struct jr *r, yajl_val v, void *into)
{
  struct pod_security_context *sc = into;
  if (jr_string (r, v, "type", true, &sc->seccomp_type) < 0
      || jr_string (r, v, "localhostProfile", false, &sc->seccomp_localhost_profile) < 0)
    return -1;
  if (strcmp (sc->seccomp_type, "RuntimeDefault") != 0 && strcmp (sc->seccomp_type, "Localhost") != 0
      && strcmp (sc->seccomp_type, "Unconfined") != 0)
    {
      jr_enter_key (r, "type");
      return jr_fail (r, "unsupported value \"%s\" (RuntimeDefault, Localhost or Unconfined)",
                      sc->seccomp_type);
    }
  return 0;
}

static int
parse_sysctl (struct jr *r, yajl_val v, void *elem)
{
  struct pod_env_var *s = elem;
  if (jr_string (r, v, "name", true, &s->name) < 0 || jr_string (r, v, "value", true, &s->value) < 0)
    return -1;
  /* a name becomes a path under /proc/sys */
  if (s->name[0] == '\0' || s->name[0] == '.' || s->name[0] == '/' || strstr (s->name, "..")
      || strchr (s->name, ' '))
    {
      jr_enter_key (r, "name");
      return jr_fail (r, "\"%s\" is not a sysctl name", s->name);
    }
  return 0;
}

static int
parse_security_context (struct jr *r, yajl_val obj, struct pod_security_context *sc)
{
  yajl_val v, caps;
  size_t mark;
  int ret;

  if ((ret = jr_object (r, obj, "securityContext", false, &v)) <= 0)
    return ret;
  mark = jr_enter_key (r, "securityContext");
  if (jr_opt_i64 (r, v, "runAsUser", 0, UINT32_MAX - 1, &sc->run_as_user) < 0
      || jr_opt_i64 (r, v, "runAsGroup", 0, UINT32_MAX - 1, &sc->run_as_group) < 0
      || jr_opt_i64 (r, v, "fsGroup", 0, UINT32_MAX - 1, &sc->fs_group) < 0
      || jr_bool (r, v, "privileged", &sc->privileged) < 0
      || jr_bool (r, v, "readOnlyRootFilesystem", &sc->read_only_root_filesystem) < 0
      || jr_opt_bool (r, v, "allowPrivilegeEscalation", &sc->allow_privilege_escalation) < 0
      || parse_gids (r, v, sc) < 0
      || jr_string (r, v, "runAsUserName", false, &sc->run_as_user_name) < 0
      || jr_object_into (r, v, "seccompProfile", false, parse_seccomp_profile, sc) < 0
      || jr_strv (r, v, "maskedPaths", false, &sc->masked_paths, &sc->masked_paths_len) < 0
      || jr_strv (r, v, "readonlyPaths", false, &sc->readonly_paths, &sc->readonly_paths_len)
             < 0
      || jr_array_of (r, v, "sysctls", sizeof *sc->sysctls, parse_sysctl, &sc->sysctls,
                      &sc->sysctls_len)
             < 0
      || jr_object (r, v, "capabilities", false, &caps) < 0)
    return -1;
  if (caps)
    {
      size_t m2 = jr_enter_key (r, "capabilities");
      struct pod_capabilities *c = &sc->capabilities;
      if (jr_strv (r, caps, "add", false, &c->add, &c->add_len) < 0
          || jr_strv (r, caps, "drop", false, &c->drop, &c->drop_len) < 0)
        return -1;
      jr_leave (r, m2);
    }
  jr_leave (r, mark);
  return 1;
}

/* RFC 1123 label: what Kubernetes accepts as a container or volume name. */
static bool
is_dns_label (const char *s)
{
  size_t n = strlen (s);
  if (n == 0 || n > 63 || s[0] == '-' || s[n - 1] == '-')
    return false;
  for (const char *p = s; *p; p++)
    if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '-'))
      return false;
  return true;
}

static int
check_name (struct jr *r, const char *name)
{
  if (is_dns_label (name))
    return 0;
  size_t mark = jr_enter_key (r, "name");
  jr_fail (r, "\"%s\" is not a valid name (lower case letters, digits and '-', at most 63)",
           name);
  jr_leave (r, mark);
  return -1;
}

static int
parse_container (struct jr *r, yajl_val v, void *elem)
{
  struct pod_container *c = elem;

  if (jr_string (r, v, "name", true, &c->name) < 0 || check_name (r, c->name) < 0
      || jr_string (r, v, "image", true, &c->image) < 0
      || jr_strv (r, v, "command", false, &c->command, &c->command_len) < 0
      || jr_strv (r, v, "args", false, &c->args, &c->args_len) < 0
      || jr_array_of (r, v, "env", sizeof *c->env, parse_env_var, &c->env, &c->env_len) < 0
      || jr_string (r, v, "workingDir", false, &c->working_dir) < 0
      || jr_array_of (r, v, "volumeMounts", sizeof *c->volume_mounts, parse_volume_mount,
                      &c->volume_mounts, &c->volume_mounts_len)
             < 0
      || jr_array_of (r, v, "ports", sizeof *c->ports, parse_port, &c->ports, &c->ports_len) < 0
      || parse_resources (r, v, &c->resources) < 0
      || parse_security_context (r, v, &c->security_context) < 0
      || pod_spec_cri_parse (r, v, &c->cri) < 0
      || jr_bool (r, v, "tty", &c->tty) < 0 || jr_bool (r, v, "stdin", &c->stdin_) < 0
      || jr_bool (r, v, "stdinOnce", &c->stdin_once) < 0)
    return -1;
  if (c->image[0] == '\0')
    {
      jr_enter_key (r, "image");
      return jr_fail (r, "required");
    }
  return 0;
}

/* ---- volumes ---- */

static int
parse_host_path_type (struct jr *r, const char *type, enum pod_host_path_type *out)
{
  static const char *const names[] = {
    [POD_HOST_PATH_UNSET] = "",
    [POD_HOST_PATH_DIRECTORY_OR_CREATE] = "DirectoryOrCreate",
    [POD_HOST_PATH_DIRECTORY] = "Directory",
    [POD_HOST_PATH_FILE_OR_CREATE] = "FileOrCreate",
    [POD_HOST_PATH_FILE] = "File",
    [POD_HOST_PATH_SOCKET] = "Socket",
    [POD_HOST_PATH_CHAR_DEVICE] = "CharDevice",
    [POD_HOST_PATH_BLOCK_DEVICE] = "BlockDevice",
  };
  for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
    if (strcmp (type, names[i]) == 0)
      {
        *out = i;
        return 0;
      }
  size_t mark = jr_enter_key (r, "type");
  jr_fail (r, "unknown hostPath type \"%s\"", type);
  jr_leave (r, mark);
  return -1;
}

static int
parse_host_path (struct jr *r, yajl_val hp, struct pod_volume *vol)
{
  cleanup_free char *type = NULL;
  size_t mark = jr_enter_key (r, "hostPath");

  if (jr_string (r, hp, "path", true, &vol->host_path) < 0
      || jr_string (r, hp, "type", false, &type) < 0
      || (type && parse_host_path_type (r, type, &vol->host_path_type) < 0))
    return -1;
  if (vol->host_path[0] != '/')
    {
      jr_enter_key (r, "path");
      return jr_fail (r, "\"%s\" is not an absolute path", vol->host_path);
    }
  jr_leave (r, mark);
  vol->kind = POD_VOLUME_HOST_PATH;
  return 0;
}

static int
parse_empty_dir (struct jr *r, yajl_val ed, struct pod_volume *vol)
{
  cleanup_free char *medium = NULL;
  size_t mark = jr_enter_key (r, "emptyDir");

  if (jr_string (r, ed, "medium", false, &medium) < 0
      || parse_quantity (r, ed, "sizeLimit", false, &vol->size_limit) < 0)
    return -1;
  if (medium && strcmp (medium, "Memory") != 0 && medium[0] != '\0')
    {
      jr_enter_key (r, "medium");
      return jr_fail (r, "unsupported medium \"%s\" (\"\" or \"Memory\")", medium);
    }
  vol->memory = medium && strcmp (medium, "Memory") == 0;
  jr_leave (r, mark);
  vol->kind = POD_VOLUME_EMPTY_DIR;
  return 0;
}

static int
parse_volume (struct jr *r, yajl_val v, void *elem)
{
  struct pod_volume *vol = elem;
  yajl_val hp, ed;

  if (jr_string (r, v, "name", true, &vol->name) < 0 || check_name (r, vol->name) < 0
      || jr_object (r, v, "hostPath", false, &hp) < 0
      || jr_object (r, v, "emptyDir", false, &ed) < 0)
    return -1;
  if (hp)
    return parse_host_path (r, hp, vol);
  if (ed)
    return parse_empty_dir (r, ed, vol);
  return jr_fail (r, "unsupported volume type (emptyDir and hostPath are supported)");
}

/* ---- the pod ---- */

static int
parse_metadata (struct jr *r, yajl_val root, struct pod_spec *pod)
{
  yajl_val md;
  size_t mark;

  if (jr_object (r, root, "metadata", true, &md) < 0)
    return -1;
  mark = jr_enter_key (r, "metadata");
  if (jr_string (r, md, "name", true, &pod->name) < 0
      || jr_string (r, md, "namespace", false, &pod->namespace_) < 0
      || jr_string (r, md, "uid", false, &pod->uid) < 0
      || jr_map (r, md, "labels", &pod->labels) < 0
      || jr_map (r, md, "annotations", &pod->annotations) < 0)
    return -1;
  if (pod->name[0] == '\0' || strlen (pod->name) > 253 || strchr (pod->name, '/'))
    {
      jr_enter_key (r, "name");
      return jr_fail (r, "\"%s\" is not a valid pod name", pod->name);
    }
  jr_leave (r, mark);
  if (pod->namespace_ == NULL && (pod->namespace_ = strdup ("default")) == NULL)
    return jr_fail (r, "out of memory");
  return 0;
}

/* HUSK_POD_PORTS_ANNOTATION: {"ports": [...]}, each as a container's port. */
static int
parse_annotation_ports (struct jr *r, struct pod_spec *pod)
{
  const char *v = oci_map_get (&pod->annotations, HUSK_POD_PORTS_ANNOTATION);
  cleanup_json yajl_val doc = NULL;
  if (v == NULL)
    return 0;
  size_t mark = jr_enter_key (r, "metadata");
  size_t m2 = jr_enter_key (r, "annotations");
  size_t m3 = jr_enter_key (r, HUSK_POD_PORTS_ANNOTATION);
  char why[128];
  if ((doc = yajl_tree_parse (v, why, sizeof why)) == NULL || !YAJL_IS_OBJECT (doc))
    return jr_fail (r, "not a JSON object");
  if (jr_array_of (r, doc, "ports", sizeof *pod->ports, parse_port, &pod->ports, &pod->ports_len)
      < 0)
    return -1;
  jr_leave (r, m3);
  jr_leave (r, m2);
  jr_leave (r, mark);
  return 0;
}

static int
check_restart_policy (struct jr *r, struct pod_spec *pod)
{
  if (pod->restart_policy == NULL)
    return (pod->restart_policy = strdup ("Always")) ? 0 : jr_fail (r, "out of memory");
  if (strcmp (pod->restart_policy, "Always") == 0 || strcmp (pod->restart_policy, "OnFailure") == 0
      || strcmp (pod->restart_policy, "Never") == 0)
    return 0;
  jr_enter_key (r, "restartPolicy");
  return jr_fail (r, "unsupported value \"%s\" (Always, OnFailure or Never)", pod->restart_policy);
}

static int
parse_pod_fields (struct jr *r, yajl_val spec, struct pod_spec *pod)
{
  oci_opt_i64 grace = { 0 };

  if (jr_string (r, spec, "hostname", false, &pod->hostname) < 0
      || jr_string (r, spec, "subdomain", false, &pod->subdomain) < 0
      || jr_bool (r, spec, "hostNetwork", &pod->host_network) < 0
      || jr_bool (r, spec, "hostPID", &pod->host_pid) < 0
      || jr_bool (r, spec, "hostIPC", &pod->host_ipc) < 0
      || jr_bool (r, spec, "shareProcessNamespace", &pod->share_process_namespace) < 0
      || jr_string (r, spec, "restartPolicy", false, &pod->restart_policy) < 0
      || check_restart_policy (r, pod) < 0
      || jr_opt_i64 (r, spec, "terminationGracePeriodSeconds", 0, INT32_MAX, &grace) < 0
      || jr_array_of (r, spec, "volumes", sizeof *pod->volumes, parse_volume, &pod->volumes,
                      &pod->volumes_len)
             < 0
      || jr_array_of (r, spec, "containers", sizeof *pod->containers, parse_container,
                      &pod->containers, &pod->containers_len)
             < 0
      || jr_array_of (r, spec, "initContainers", sizeof *pod->init_containers, parse_container,
                      &pod->init_containers, &pod->init_containers_len)
             < 0
      || parse_security_context (r, spec, &pod->security_context) < 0
      || pod_spec_net_parse (r, spec, pod) < 0)
    return -1;
  pod->termination_grace_period = grace.set ? grace.value : 30;
  return 0;
}

/* volumeMounts name a volume, mountPaths are absolute, subPaths relative
 * and without "..": a subPath climbing out of its volume is CVE-2017-1002101. */
static int
check_mount (struct jr *r, const struct pod_spec *pod, const struct pod_volume_mount *m)
{
  if (pod_spec_find_volume (pod, m->name) == NULL)
    {
      jr_enter_key (r, "name");
      return jr_fail (r, "volume \"%s\" not found in spec.volumes", m->name);
    }
  if (m->mount_path[0] != '/')
    {
      jr_enter_key (r, "mountPath");
      return jr_fail (r, "\"%s\" is not an absolute path", m->mount_path);
    }
  if (m->sub_path
      && (m->sub_path[0] == '/' || strcmp (m->sub_path, "..") == 0
          || strncmp (m->sub_path, "../", 3) == 0 || strstr (m->sub_path, "/../")
          || (strlen (m->sub_path) >= 3 && strcmp (m->sub_path + strlen (m->sub_path) - 3, "/..") == 0)))
    {
      jr_enter_key (r, "subPath");
      return jr_fail (r, "\"%s\" must be a relative path without \"..\"", m->sub_path);
    }
  return 0;
}

static int
check_containers (struct jr *r, const struct pod_spec *pod, const char *key,
                  const struct pod_container *list, size_t len)
{
  for (size_t i = 0; i < len; i++)
    {
      size_t mark = jr_enter_key (r, key), m2 = jr_enter_index (r, i);
      const struct pod_container *first = pod_spec_find_container (pod, list[i].name);
      if (first != &list[i])
        {
          jr_enter_key (r, "name");
          return jr_fail (r, "duplicate container name \"%s\"", list[i].name);
        }
      for (size_t j = 0; j < list[i].volume_mounts_len; j++)
        {
          size_t m3 = jr_enter_key (r, "volumeMounts"), m4 = jr_enter_index (r, j);
          if (check_mount (r, pod, &list[i].volume_mounts[j]) < 0)
            return -1;
          jr_leave (r, m4);
          jr_leave (r, m3);
        }
      jr_leave (r, m2);
      jr_leave (r, mark);
    }
  return 0;
}

static int
check_pod (struct jr *r, const struct pod_spec *pod)
{
  size_t mark = jr_enter_key (r, "spec");

  /* a CRI sandbox starts empty: its containers arrive one CreateContainer
   * at a time (husk_pod_sandbox_replace) */
  if (pod->containers_len == 0 && oci_map_get (&pod->annotations, HUSK_POD_CRI_ANNOTATION) == NULL)
    {
      jr_enter_key (r, "containers");
      return jr_fail (r, "required (at least one container)");
    }
  for (size_t i = 0; i < pod->volumes_len; i++)
    if (pod_spec_find_volume (pod, pod->volumes[i].name) != &pod->volumes[i])
      {
        jr_enter_key (r, "volumes");
        jr_enter_index (r, i);
        jr_enter_key (r, "name");
        return jr_fail (r, "duplicate volume name \"%s\"", pod->volumes[i].name);
      }
  if (check_containers (r, pod, "initContainers", pod->init_containers,
                        pod->init_containers_len) < 0
      || check_containers (r, pod, "containers", pod->containers, pod->containers_len) < 0)
    return -1;
  jr_leave (r, mark);
  return 0;
}

static int
parse_pod (struct jr *r, yajl_val root, struct pod_spec *pod)
{
  cleanup_free char *kind = NULL;
  yajl_val spec;
  size_t mark;

  if (!YAJL_IS_OBJECT (root))
    return jr_fail_type (r, "an object", root);
  if (jr_string (r, root, "kind", false, &kind) < 0)
    return -1;
  if (kind && strcmp (kind, "Pod") != 0)
    {
      jr_enter_key (r, "kind");
      return jr_fail (r, "\"%s\" is not \"Pod\"", kind);
    }
  if (parse_metadata (r, root, pod) < 0 || parse_annotation_ports (r, pod) < 0
      || jr_object (r, root, "spec", true, &spec) < 0)
    return -1;
  mark = jr_enter_key (r, "spec");
  if (parse_pod_fields (r, spec, pod) < 0)
    return -1;
  jr_leave (r, mark);
  if (pod->hostname == NULL && (pod->hostname = strdup (pod->name)) == NULL)
    return jr_fail (r, "out of memory");
  return check_pod (r, pod);
}

int
pod_spec_parse (const char *filename, const char *data, size_t len, struct pod_spec **out,
                struct husk_error **err)
{
  cleanup_json yajl_val root = NULL;
  cleanup_pod_spec struct pod_spec *pod = NULL;
  struct jr r;
  int ret;

  if (json_doc_parse (filename, data, len, &root, err) < 0)
    return -1;
  pod = calloc (1, sizeof *pod);
  if (pod == NULL)
    return husk_error_set (err, errno, "%s", filename);
  jr_init (&r, filename, err);
  ret = parse_pod (&r, root, pod);
  jr_done (&r);
  if (ret < 0)
    return -1;
  *out = steal_pointer (&pod);
  return 0;
}

static const struct pod_container *
find_in (const struct pod_container *list, size_t len, const char *name)
{
  for (size_t i = 0; i < len; i++)
    if (list[i].name && strcmp (list[i].name, name) == 0)
      return &list[i];
  return NULL;
}

const struct pod_container *
pod_spec_find_container (const struct pod_spec *pod, const char *name)
{
  const struct pod_container *c = find_in (pod->init_containers, pod->init_containers_len, name);
  return c ? c : find_in (pod->containers, pod->containers_len, name);
}

const struct pod_volume *
pod_spec_find_volume (const struct pod_spec *pod, const char *name)
{
  for (size_t i = 0; i < pod->volumes_len; i++)
    if (pod->volumes[i].name && strcmp (pod->volumes[i].name, name) == 0)
      return &pod->volumes[i];
  return NULL;
}

/* Running CNI plugins (see cni.h). */
#include "cni.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"
#include "../../oci/json_writer.h"
#include "../pod/pod_util.h"

#define CNI_TIMEOUT_S 60
#define CNI_CONFIG_FILE "cni-config.json"
#define CNI_RESULT_FILE "cni-result.json"
#define CNI_PORTS_FILE "cni-ports.json"

/* ---- JSON plumbing: a yajl tree written back out ---- */

static void
write_value (struct jw *w, yajl_val v)
{
  if (YAJL_IS_OBJECT (v))
    {
      jw_open (w);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          jw_key (w, v->u.object.keys[i]);
          write_value (w, v->u.object.values[i]);
        }
      jw_close (w);
    }
  else if (YAJL_IS_ARRAY (v))
    {
      jw_array_open (w);
      for (size_t i = 0; i < v->u.array.len; i++)
        write_value (w, v->u.array.values[i]);
      jw_array_close (w);
    }
  else if (YAJL_IS_STRING (v))
    jw_string (w, YAJL_GET_STRING (v));
  else if (YAJL_IS_NUMBER (v))
    yajl_gen_number (w->g, v->u.number.r, strlen (v->u.number.r));
  else if (YAJL_IS_TRUE (v) || YAJL_IS_FALSE (v))
    yajl_gen_bool (w->g, YAJL_IS_TRUE (v));
  else
    yajl_gen_null (w->g);
}

/* runtimeConfig goes only to plugins that declare the capability. */
static bool
has_capability (yajl_val plugin, const char *cap)
{
  return yajl_tree_get (plugin, (const char *[]) { "capabilities", cap, NULL }, yajl_t_true)
         != NULL;
}

/* One plugin's stdin: its own object plus the list's name and cniVersion,
 * the previous plugin's result when chained, and the port mappings when it
 * has that capability. */
static int
plugin_config (yajl_val list, yajl_val plugin, yajl_val prev, yajl_val port_mappings, char **out,
               size_t *len, struct husk_error **err)
{
  cleanup_jw struct jw w = { 0 };
  const char *inherit[] = { "name", "cniVersion" };

  /* a configuration (or an entry of its plugins) that is no object:
   * found by tests/fuzz/fuzz_cni_result.c */
  if (!YAJL_IS_OBJECT (plugin))
    return husk_error_set (err, EINVAL, "CNI configuration: a plugin is not an object");
  if (jw_init (&w, NULL, err) < 0)
    return -1;
  jw_open (&w);
  for (size_t i = 0; i < 2; i++)
    {
      yajl_val v = yajl_tree_get (list, (const char *[]) { inherit[i], NULL }, yajl_t_string);
      if (v)
        jw_key_string (&w, inherit[i], YAJL_GET_STRING (v));
    }
  for (size_t i = 0; i < plugin->u.object.len; i++)
    {
      const char *k = plugin->u.object.keys[i];
      if (strcmp (k, "name") == 0 || strcmp (k, "cniVersion") == 0 || strcmp (k, "prevResult") == 0
          || (port_mappings && strcmp (k, "runtimeConfig") == 0))
        continue;
      jw_key (&w, k);
      write_value (&w, plugin->u.object.values[i]);
    }
  if (prev)
    {
      jw_key (&w, "prevResult");
      write_value (&w, prev);
    }
  if (port_mappings && has_capability (plugin, "portMappings"))
    {
      jw_key (&w, "runtimeConfig");
      jw_open (&w);
      jw_key (&w, "portMappings");
      write_value (&w, port_mappings);
      jw_close (&w);
    }
  jw_close (&w);
  return jw_finish (&w, "CNI config", out, len, err);
}

/* ---- finding the configuration ---- */

static bool
is_conf_name (const char *n)
{
  const char *dot = strrchr (n, '.');
  return dot && n[0] != '.'
         && (strcmp (dot, ".conflist") == 0 || strcmp (dot, ".conf") == 0
             || strcmp (dot, ".json") == 0);
}

static int
find_config (const char *conf_dir, char **path, struct husk_error **err)
{
  cleanup_strv char **names = NULL;
  size_t n;

  if (pod_list_dir (conf_dir, &names, &n, err) < 0)
    return husk_error_wrap (err, "CNI config dir");
  for (size_t i = 0; i < n; i++)
    if (is_conf_name (names[i]))
      {
        *path = pod_path ("%s/%s", conf_dir, names[i]);
        return *path ? 0 : husk_error_set (err, ENOMEM, "CNI");
      }
  return husk_error_set (err, ENOENT, "no CNI configuration in `%s`", conf_dir);
}

/* A single-plugin .conf is the list of itself. */
static yajl_val
plugins_of (yajl_val list, size_t *n)
{
  yajl_val plugins = yajl_tree_get (list, (const char *[]) { "plugins", NULL }, yajl_t_array);
  if (plugins)
    {
      *n = plugins->u.array.len;
      return plugins;
    }
  *n = 1;
  return NULL;
}

static yajl_val
plugin_at (yajl_val list, yajl_val plugins, size_t i)
{
  return plugins ? plugins->u.array.values[i] : list;
}

/* ---- running one plugin ---- */

struct cni_call {
  const char *bin_dir;
  const char *command; /* ADD, DEL */
  const char *container_id;
  const char *netns;
  yajl_val port_mappings; /* runtimeConfig.portMappings, NULL for none */
};

static int
plugin_error (const char *type, const char *out, int status, struct husk_error **err)
{
  cleanup_json yajl_val v = NULL;
  struct husk_error *ignored = NULL;

  if (out && *out && json_doc_parse ("CNI result", out, strlen (out), &v, &ignored) == 0)
    {
      yajl_val msg = yajl_tree_get (v, (const char *[]) { "msg", NULL }, yajl_t_string);
      yajl_val det = yajl_tree_get (v, (const char *[]) { "details", NULL }, yajl_t_string);
      if (msg)
        return husk_error_set (err, 0, "CNI plugin `%s`: %s%s%s", type, YAJL_GET_STRING (msg),
                               det ? ": " : "", det ? YAJL_GET_STRING (det) : "");
    }
  husk_error_release (&ignored);
  return husk_error_set (err, 0, "CNI plugin `%s` failed (exit code %d)", type,
                         pod_exit_code (status));
}

static int
run_plugin (const struct cni_call *call, const char *type, const char *config, char **result,
            struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/%s", call->bin_dir, type);
  cleanup_free char *e_cmd = pod_path ("CNI_COMMAND=%s", call->command);
  cleanup_free char *e_id = pod_path ("CNI_CONTAINERID=%s", call->container_id);
  cleanup_free char *e_ns = pod_path ("CNI_NETNS=%s", call->netns ? call->netns : "");
  cleanup_free char *e_path = pod_path ("CNI_PATH=%s", call->bin_dir);
  cleanup_free char *out = NULL;
  int status;

  if (!path || !e_cmd || !e_id || !e_ns || !e_path || strchr (type, '/'))
    return husk_error_set (err, EINVAL, "CNI plugin `%s`", type);
  char *const argv[] = { path, NULL };
  char *const envp[] = { e_cmd, e_id, e_ns, "CNI_IFNAME=" HUSK_CNI_IFNAME, e_path,
                         "PATH=/usr/sbin:/usr/bin:/sbin:/bin", NULL };
  struct pod_cmd cmd = { .argv = argv, .envp = envp, .input = config,
                         .input_len = strlen (config), .timeout_s = CNI_TIMEOUT_S };
  if (pod_run (&cmd, &out, NULL, NULL, NULL, &status, err) < 0)
    return husk_error_wrap (err, "CNI plugin `%s`", type);
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    return plugin_error (type, out, status, err);
  if (result)
    *result = steal_pointer (&out);
  return 0;
}

static const char *
plugin_type (yajl_val plugin)
{
  yajl_val t = yajl_tree_get (plugin, (const char *[]) { "type", NULL }, yajl_t_string);
  return t ? YAJL_GET_STRING (t) : NULL;
}

/* Runs DEL from plugin `count - 1` down to 0, as the spec orders it. */
static int
del_plugins (const struct cni_call *call, yajl_val list, size_t count, yajl_val prev,
             struct husk_error **err)
{
  size_t n;
  yajl_val plugins = plugins_of (list, &n);

  for (size_t i = count; i-- > 0;)
    {
      yajl_val p = plugin_at (list, plugins, i);
      cleanup_free char *config = NULL;
      const char *type = plugin_type (p);
      if (type == NULL)
        continue;
      if (plugin_config (list, p, prev, call->port_mappings, &config, NULL, err) < 0
          || run_plugin (call, type, config, NULL, err) < 0)
        return -1;
    }
  return 0;
}

/* The first address of the result ("10.88.0.5/16" -> "10.88.0.5"). */
static char *
result_ip (yajl_val result)
{
  yajl_val ips = yajl_tree_get (result, (const char *[]) { "ips", NULL }, yajl_t_array);
  yajl_val addr = ips && ips->u.array.len
                      ? yajl_tree_get (ips->u.array.values[0], (const char *[]) { "address", NULL },
                                       yajl_t_string)
                      : NULL;
  const char *a = addr ? YAJL_GET_STRING (addr) : NULL;
  return a ? strndup (a, strcspn (a, "/")) : NULL;
}

static int
add_plugins (const struct cni_call *call, yajl_val list, yajl_val *result, size_t *done,
             struct husk_error **err)
{
  size_t n;
  yajl_val plugins = plugins_of (list, &n);

  for (*done = 0; *done < n; (*done)++)
    {
      yajl_val p = plugin_at (list, plugins, *done);
      cleanup_free char *config = NULL, *out = NULL;
      const char *type = plugin_type (p);
      if (type == NULL)
        return husk_error_set (err, EINVAL, "CNI plugins[%zu]: no type", *done);
      if (plugin_config (list, p, *result, call->port_mappings, &config, NULL, err) < 0
          || run_plugin (call, type, config, &out, err) < 0)
        return -1;
      yajl_val next = NULL;
      if (json_doc_parse (type, out, strlen (out), &next, err) < 0)
        return husk_error_wrap (err, "CNI plugin `%s` result", type);
      if (*result)
        yajl_tree_free (*result);
      *result = next;
    }
  return 0;
}

/* The port mappings of ADD, given again to DEL as the spec asks. */
static int
save_ports (const char *state_dir, const char *port_mappings, struct husk_error **err)
{
  if (port_mappings == NULL)
    return 0;
  cleanup_free char *path = pod_path ("%s/" CNI_PORTS_FILE, state_dir);
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "CNI state");
  return pod_write_file_atomic (path, port_mappings, strlen (port_mappings), 0600, err);
}

/* Those saved at `path` by save_ports; *out NULL when ADD had none. */
static int
load_ports (const char *path, yajl_val *out, struct husk_error **err)
{
  cleanup_free char *text = NULL;
  size_t len;

  *out = NULL;
  if (access (path, F_OK) < 0)
    return 0;
  return pod_read_file (path, &text, &len, err) < 0 || json_doc_parse (path, text, len, out, err) < 0
             ? -1
             : 0;
}

static int
save_state (const char *state_dir, const char *conf, size_t conf_len, yajl_val result,
            struct husk_error **err)
{
  cleanup_free char *cpath = pod_path ("%s/" CNI_CONFIG_FILE, state_dir);
  cleanup_free char *rpath = pod_path ("%s/" CNI_RESULT_FILE, state_dir);
  cleanup_free char *text = NULL;
  cleanup_jw struct jw w = { 0 };
  size_t len;

  if (!cpath || !rpath || jw_init (&w, NULL, err) < 0)
    return cpath && rpath ? -1 : husk_error_set (err, ENOMEM, "CNI state");
  write_value (&w, result);
  if (jw_finish (&w, "CNI result", &text, &len, err) < 0)
    return -1;
  if (pod_write_file_atomic (rpath, text, len, 0600, err) < 0)
    return -1;
  return pod_write_file_atomic (cpath, conf, conf_len, 0600, err);
}

int
husk_cni_add (const char *conf_dir, const char *bin_dir, const char *state_dir,
              const char *container_id, const char *netns, const char *port_mappings, char **ip,
              struct husk_error **err)
{
  cleanup_free char *path = NULL, *conf = NULL;
  cleanup_json yajl_val list = NULL;
  cleanup_json yajl_val result = NULL;
  cleanup_json yajl_val ports = NULL;
  struct cni_call call = { bin_dir, "ADD", container_id, netns, NULL };
  size_t len, done = 0;

  *ip = NULL;
  if (port_mappings
      && json_doc_parse ("portMappings", port_mappings, strlen (port_mappings), &ports, err) < 0)
    return -1;
  call.port_mappings = ports;
  if (find_config (conf_dir, &path, err) < 0 || pod_read_file (path, &conf, &len, err) < 0
      || json_doc_parse (path, conf, len, &list, err) < 0)
    return -1;
  if (add_plugins (&call, list, &result, &done, err) < 0
      || save_ports (state_dir, port_mappings, err) < 0
      || save_state (state_dir, conf, len, result, err) < 0)
    {
      struct husk_error *ignored = NULL;
      call.command = "DEL";
      size_t n;
      plugins_of (list, &n);
      /* The plugin that failed may have done half its work: DEL it too. */
      if (del_plugins (&call, list, done < n ? done + 1 : n, result, &ignored) < 0)
        husk_error_release (&ignored);
      return husk_error_wrap (err, "CNI ADD (`%s`)", path);
    }
  *ip = result_ip (result);
  return 0;
}

int
husk_cni_del (const char *bin_dir, const char *state_dir, const char *container_id,
              const char *netns, struct husk_error **err)
{
  cleanup_free char *cpath = pod_path ("%s/" CNI_CONFIG_FILE, state_dir);
  cleanup_free char *rpath = pod_path ("%s/" CNI_RESULT_FILE, state_dir);
  cleanup_free char *ppath = pod_path ("%s/" CNI_PORTS_FILE, state_dir);
  cleanup_free char *conf = NULL, *res = NULL;
  cleanup_json yajl_val list = NULL;
  cleanup_json yajl_val result = NULL;
  cleanup_json yajl_val ports = NULL;
  struct cni_call call = { bin_dir, "DEL", container_id, netns, NULL };
  struct husk_error *missing = NULL;
  size_t len, rlen, n;

  if (!cpath || !rpath || !ppath)
    return husk_error_set (err, ENOMEM, "CNI DEL");
  if (pod_read_file (cpath, &conf, &len, &missing) < 0)
    {
      bool never_added = missing->errnum == ENOENT;
      if (never_added)
        {
          husk_error_release (&missing);
          return 0;
        }
      return husk_error_propagate (err, &missing);
    }
  if (json_doc_parse (cpath, conf, len, &list, err) < 0)
    return -1;
  if (pod_read_file (rpath, &res, &rlen, &missing) == 0)
    json_doc_parse (rpath, res, rlen, &result, &missing);
  husk_error_release (&missing);
  if (load_ports (ppath, &ports, err) < 0)
    return husk_error_wrap (err, "CNI DEL");
  call.port_mappings = ports;
  plugins_of (list, &n);
  if (del_plugins (&call, list, n, result, err) < 0)
    return husk_error_wrap (err, "CNI DEL");
  unlink (cpath);
  unlink (rpath);
  unlink (ppath);
  return 0;
}

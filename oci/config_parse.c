/* config.json: the top level, root, mounts and hooks, and the entry points.
 * Process, linux, resources and seccomp have files of their own. */
#include <errno.h>
#include <stdlib.h>

#include "cleanup.h"
#include "config_internal.h"
#include "json_doc.h"
#include "str_printf.h"

int
oci_parse_id_mapping (struct jr *r, yajl_val v, void *out)
{
  struct oci_id_mapping *m = out;

  if (jr_u32 (r, v, "containerID", true, &m->container_id) < 0
      || jr_u32 (r, v, "hostID", true, &m->host_id) < 0
      || jr_u32 (r, v, "size", true, &m->size) < 0)
    return -1;
  return 0;
}

static int
parse_root (struct jr *r, yajl_val v, void *out)
{
  struct oci_root *root = out;

  if (jr_string (r, v, "path", false, &root->path) < 0
      || jr_bool (r, v, "readonly", &root->readonly) < 0)
    return -1;
  return 0;
}

/* runtime-spec 1.1+: a relative destination is relative to the container's
 * "/" on Linux (runc and crun accept it too), so the model keeps it absolute. */
static int
absolute_destination (struct jr *r, struct oci_mount *m)
{
  char *absolute;

  if (m->destination == NULL || m->destination[0] == '/' || m->destination[0] == '\0')
    return 0;
  if ((absolute = str_printf ("/%s", m->destination)) == NULL)
    return jr_fail (r, "destination: out of memory");
  free (m->destination);
  m->destination = absolute;
  return 0;
}

static int
parse_mount (struct jr *r, yajl_val v, void *out)
{
  struct oci_mount *m = out;

  if (jr_string (r, v, "destination", true, &m->destination) < 0
      || jr_string (r, v, "source", false, &m->source) < 0
      || jr_string (r, v, "type", false, &m->type) < 0
      || jr_strv (r, v, "options", false, &m->options, &m->options_len) < 0
      || jr_array_of (r, v, "uidMappings", sizeof *m->uid_mappings, oci_parse_id_mapping,
                      &m->uid_mappings, &m->uid_mappings_len) < 0
      || jr_array_of (r, v, "gidMappings", sizeof *m->gid_mappings, oci_parse_id_mapping,
                      &m->gid_mappings, &m->gid_mappings_len) < 0)
    return -1;
  return absolute_destination (r, m);
}

static int
parse_hook (struct jr *r, yajl_val v, void *out)
{
  struct oci_hook *h = out;

  if (jr_string (r, v, "path", true, &h->path) < 0
      || jr_strv (r, v, "args", false, &h->args, &h->args_len) < 0
      || jr_strv (r, v, "env", false, &h->env, &h->env_len) < 0
      || jr_opt_i64 (r, v, "timeout", INT64_MIN, INT64_MAX, &h->timeout) < 0)
    return -1;
  return 0;
}

static int
parse_hook_list (struct jr *r, yajl_val hooks, const char *key, struct oci_hook_list *list)
{
  return jr_array_of (r, hooks, key, sizeof *list->hooks, parse_hook, &list->hooks, &list->len);
}

static int
parse_hooks (struct jr *r, yajl_val hooks, void *out)
{
  struct oci_hooks *h = out;
  return (parse_hook_list (r, hooks, "prestart", &h->prestart) < 0
          || parse_hook_list (r, hooks, "createRuntime", &h->create_runtime) < 0
          || parse_hook_list (r, hooks, "createContainer", &h->create_container) < 0
          || parse_hook_list (r, hooks, "startContainer", &h->start_container) < 0
          || parse_hook_list (r, hooks, "poststart", &h->poststart) < 0
          || parse_hook_list (r, hooks, "poststop", &h->poststop) < 0)
             ? -1 : 0;
}

static int
parse_config (struct jr *r, yajl_val v, void *out)
{
  struct oci_config *c = out;

  if (jr_string (r, v, "ociVersion", true, &c->oci_version) < 0
      || jr_object_of (r, v, "root", sizeof *c->root, parse_root, &c->root) < 0
      || jr_array_of (r, v, "mounts", sizeof *c->mounts, parse_mount, &c->mounts,
                      &c->mounts_len) < 0
      || jr_object_of (r, v, "process", sizeof *c->process, oci_parse_process,
                       &c->process) < 0
      || jr_string (r, v, "hostname", false, &c->hostname) < 0
      || jr_string (r, v, "domainname", false, &c->domainname) < 0
      || jr_object_into (r, v, "hooks", false, parse_hooks, &c->hooks) < 0
      || jr_map (r, v, "annotations", &c->annotations) < 0
      || jr_object_of (r, v, "linux", sizeof *c->linux_, oci_parse_linux, &c->linux_) < 0)
    return -1;
  return 0;
}

int
oci_parse_document (const char *filename, const char *data, size_t len, jr_parse_fn fn,
                    void *out, struct husk_error **err)
{
  cleanup_json yajl_val tree = NULL;
  struct jr r;
  int ret;

  if (json_doc_parse (filename, data, len, &tree, err) < 0)
    return -1;
  jr_init (&r, filename, err);
  if (!YAJL_IS_OBJECT (tree))
    ret = jr_fail_type (&r, "an object", tree);
  else
    ret = fn (&r, tree, out);
  jr_done (&r);
  return ret < 0 ? -1 : 0;
}

HUSK_DEFINE_CLEANUP (struct oci_config, oci_config_free)

int
oci_config_parse_data (const char *filename, const char *data, size_t len,
                       struct oci_config **out, struct husk_error **err)
{
  __attribute__ ((cleanup (oci_config_freep))) struct oci_config *c = calloc (1, sizeof *c);

  if (filename == NULL)
    filename = "config.json";
  if (c == NULL)
    return husk_error_set (err, ENOMEM, "%s", filename);
  if (oci_parse_document (filename, data, len, parse_config, c, err) < 0)
    return -1;
  if (oci_config_validate (filename, c, err) < 0)
    return -1;
  *out = steal_pointer (&c);
  return 0;
}

int
oci_config_parse_file (const char *path, struct oci_config **out, struct husk_error **err)
{
  cleanup_free char *data = NULL;
  size_t len = 0;

  if (json_doc_read_file (path, &data, &len, err) < 0)
    return -1;
  return oci_config_parse_data (path, data, len, out, err);
}

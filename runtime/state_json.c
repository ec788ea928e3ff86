/* state.json of the state store: written with yajl_gen, read with the
 * oci/ json reader. */
#include "state_store.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "../oci/cleanup.h"
#include "../oci/json_doc.h"
#include "../oci/json_reader.h"

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static void
gen_kv (yajl_gen g, const char *key, const char *value)
{
  gen_str (g, key);
  gen_str (g, value ? value : "");
}

static void
gen_annotations (yajl_gen g, const struct oci_map *map)
{
  gen_str (g, "annotations");
  yajl_gen_map_open (g);
  for (size_t i = 0; i < map->len; i++)
    gen_kv (g, map->keys[i], map->values[i]);
  yajl_gen_map_close (g);
}

static void
gen_internal (yajl_gen g, const struct husk_state_record *rec)
{
  gen_str (g, "husk");
  yajl_gen_map_open (g);
  gen_str (g, "pidStartTime");
  yajl_gen_integer (g, (long long) rec->pid_start_time);
  if (rec->cgroup_path)
    gen_kv (g, "cgroupPath", rec->cgroup_path);
  gen_str (g, "sharedPidns");
  yajl_gen_bool (g, rec->shared_pidns);
  yajl_gen_map_close (g);
}

int
husk_state_record_to_json (const struct husk_state_record *rec, enum oci_status status,
                           bool pretty, bool internal, char **out, size_t *len,
                           struct husk_error **err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t buf_len;

  if (g == NULL)
    return husk_error_set (err, ENOMEM, "yajl_gen_alloc");
  yajl_gen_config (g, yajl_gen_beautify, pretty ? 1 : 0);
  yajl_gen_config (g, yajl_gen_indent_string, "  ");
  yajl_gen_map_open (g);
  gen_kv (g, "ociVersion", OCI_VERSION);
  gen_kv (g, "id", rec->id);
  gen_str (g, "pid");
  yajl_gen_integer (g, status == OCI_STATUS_STOPPED ? 0 : rec->pid);
  gen_kv (g, "status", oci_status_name (status));
  gen_kv (g, "bundle", rec->bundle);
  gen_kv (g, "rootfs", rec->rootfs);
  gen_kv (g, "created", rec->created);
  /* runc's state shows an empty owner; only list looks it up */
  gen_kv (g, "owner", internal ? rec->owner : "");
  if (rec->annotations.len > 0 || internal)
    gen_annotations (g, &rec->annotations);
  if (internal)
    gen_internal (g, rec);
  yajl_gen_map_close (g);
  yajl_gen_get_buf (g, &buf, &buf_len);
  *out = malloc (buf_len + 2);
  if (*out == NULL)
    {
      yajl_gen_free (g);
      return husk_error_set (err, ENOMEM, "malloc");
    }
  memcpy (*out, buf, buf_len);
  (*out)[buf_len] = '\0';
  if (len)
    *len = buf_len;
  yajl_gen_free (g);
  return 0;
}

static int
parse_internal (struct jr *r, yajl_val root, struct husk_state_record *rec)
{
  yajl_val husk = NULL;
  size_t mark;
  uint64_t start = 0;
  int ret;

  if (jr_object (r, root, "husk", true, &husk) < 0)
    return -1;
  mark = jr_enter_key (r, "husk");
  ret = jr_u64 (r, husk, "pidStartTime", true, UINT64_MAX, &start);
  if (ret >= 0)
    ret = jr_string (r, husk, "cgroupPath", false, &rec->cgroup_path);
  if (ret >= 0)
    ret = jr_bool (r, husk, "sharedPidns", &rec->shared_pidns);
  jr_leave (r, mark);
  rec->pid_start_time = start;
  return ret < 0 ? -1 : 0;
}

static int
parse_record (struct jr *r, yajl_val root, struct husk_state_record *rec)
{
  int64_t pid = 0;

  if (jr_string (r, root, "id", true, &rec->id) < 0
      || jr_i64 (r, root, "pid", true, 0, INT32_MAX, &pid) < 0
      || jr_string (r, root, "bundle", true, &rec->bundle) < 0
      || jr_string (r, root, "rootfs", false, &rec->rootfs) < 0
      || jr_string (r, root, "created", false, &rec->created) < 0
      || jr_string (r, root, "owner", false, &rec->owner) < 0
      || jr_map (r, root, "annotations", &rec->annotations) < 0)
    return -1;
  rec->pid = (pid_t) pid;
  return parse_internal (r, root, rec);
}

int
husk_state_record_parse (const char *filename, const char *data, size_t len,
                         struct husk_state_record **out, struct husk_error **err)
{
  cleanup_json yajl_val root = NULL;
  cleanup_state_record struct husk_state_record *rec = NULL;
  struct jr r;
  int ret;

  if (json_doc_parse (filename, data, len, &root, err) < 0)
    return -1;
  rec = calloc (1, sizeof *rec);
  if (rec == NULL)
    return husk_error_set (err, ENOMEM, "calloc");
  jr_init (&r, filename, err);
  if (!YAJL_IS_OBJECT (root))
    ret = jr_fail_type (&r, "object", root);
  else
    ret = parse_record (&r, root, rec);
  jr_done (&r);
  if (ret < 0)
    return -1;
  *out = steal_pointer (&rec);
  return 0;
}

int
husk_state_record_write (int dirfd, const struct husk_state_record *rec, struct husk_error **err)
{
  cleanup_free char *json = NULL;
  size_t len;

  if (husk_state_record_to_json (rec, OCI_STATUS_CREATED, false, true, &json, &len, err) < 0)
    return -1;
  return husk_write_file_at (dirfd, HUSK_STATE_FILE, json, len, 0600, err);
}

/* Reads the whole of fd (state.json is small: one read, usually). */
static int
read_all (int fd, char **out, size_t *len, struct husk_error **err)
{
  cleanup_free char *buf = NULL;
  size_t used = 0, cap = 0;

  for (;;)
    {
      ssize_t n;
      if (used == cap)
        {
          char *grown;
          if (cap >= JSON_DOC_MAX_SIZE)
            return husk_error_set (err, EFBIG, "state.json: larger than %u bytes",
                                   JSON_DOC_MAX_SIZE);
          cap = cap ? cap * 2 : 16384;
          if ((grown = realloc (buf, cap)) == NULL)
            return husk_error_set (err, ENOMEM, "realloc");
          buf = grown;
        }
      n = read (fd, buf + used, cap - used);
      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return husk_error_set (err, errno, "read state.json");
      if (n == 0)
        break;
      used += (size_t) n;
    }
  *out = steal_pointer (&buf);
  *len = used;
  return 0;
}

int
husk_state_record_read (int dirfd, struct husk_state_record **out, struct husk_error **err)
{
  cleanup_close int fd = openat (dirfd, HUSK_STATE_FILE, O_RDONLY | O_CLOEXEC);
  cleanup_free char *data = NULL;
  size_t len = 0;

  if (fd < 0)
    {
      if (errno == ENOENT)
        return husk_error_plain (err, ENOENT, "container does not exist");
      return husk_error_set (err, errno, "open state.json");
    }
  if (read_all (fd, &data, &len, err) < 0)
    return -1;
  return husk_state_record_parse (HUSK_STATE_FILE, data, len, out, err);
}

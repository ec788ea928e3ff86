/* The CRI's own files: each sandbox's and container's config as the CRI
 * gave it, packed, under the CRI state dir (cri.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "../../oci/cleanup.h"
#include "../pod/pod_util.h"
#include "cri_internal.h"

/* Ids come from clients: one path component of our own alphabet. */
static int
check_id (const char *id, struct husk_error **err)
{
  size_t n = strlen (id);
  if (n == 0 || n > 200 || strspn (id, "abcdefghijklmnopqrstuvwxyz0123456789-.") != n
      || id[0] == '.')
    return husk_error_set (err, ENOENT, "no such object `%s`", id);
  return 0;
}

int
cri_store_put (struct cri_server *s, const char *kind, const char *id,
               const ProtobufCMessage *msg, struct husk_error **err)
{
  cleanup_free char *dir = pod_path ("%s/%s", s->state_dir, kind);
  cleanup_free char *path = pod_path ("%s/%s/%s", s->state_dir, kind, id);
  cleanup_free uint8_t *buf = NULL;
  size_t n;
  if (dir == NULL || path == NULL)
    return husk_error_set (err, ENOMEM, "CRI store");
  if (check_id (id, err) < 0 || pod_mkdir_p (dir, 0700, err) < 0)
    return -1;
  n = protobuf_c_message_get_packed_size (msg);
  buf = malloc (n ? n : 1);
  if (buf == NULL)
    return husk_error_set (err, ENOMEM, "CRI store");
  protobuf_c_message_pack (msg, buf);
  return pod_write_file_atomic (path, (const char *) buf, n, 0600, err);
}

int
cri_store_get (struct cri_server *s, const char *kind, const char *id,
               const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out,
               struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/%s/%s", s->state_dir, kind, id);
  cleanup_free char *data = NULL;
  size_t n = 0;
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "CRI store");
  if (check_id (id, err) < 0)
    return -1;
  if (access (path, F_OK) < 0)
    return husk_error_set (err, ENOENT, "%s `%s` not found",
                           strcmp (kind, "sandboxes") == 0 ? "pod sandbox" : "container", id);
  if (pod_read_file (path, &data, &n, err) < 0)
    return -1;
  *out = protobuf_c_message_unpack (desc, NULL, n, (const uint8_t *) data);
  if (*out == NULL)
    return husk_error_set (err, EIO, "`%s`: cannot decode", path);
  return 0;
}

int
cri_store_delete (struct cri_server *s, const char *kind, const char *id,
                  struct husk_error **err)
{
  cleanup_free char *path = pod_path ("%s/%s/%s", s->state_dir, kind, id);
  if (path == NULL)
    return husk_error_set (err, ENOMEM, "CRI store");
  if (check_id (id, err) < 0)
    return -1;
  if (unlink (path) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "unlink `%s`", path);
  return 0;
}

int
cri_store_list (struct cri_server *s, const char *kind, char ***ids, size_t *len,
                struct husk_error **err)
{
  cleanup_free char *dir = pod_path ("%s/%s", s->state_dir, kind);
  if (dir == NULL)
    return husk_error_set (err, ENOMEM, "CRI store");
  return pod_list_dir (dir, ids, len, err);
}

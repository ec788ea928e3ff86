/* `husk list` output: runc's tabwriter table and its JSON array. */
#include "husk.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <yajl/yajl_gen.h>

#include "../oci/cleanup.h"

static size_t
width (size_t current, const char *s)
{
  size_t n = strlen (s);
  return n > current ? n : current;
}

/* runc's tabwriter (minwidth 12, padding 3): a column is as wide as its
 * widest cell plus three spaces, at least 12. */
static size_t
column (size_t w)
{
  return w + 3 > 12 ? w + 3 : 12;
}

int
husk_list_format_table (const struct husk_container_info *infos, size_t len, bool quiet,
                        char **out, struct husk_error **err)
{
  cleanup_free char *text = NULL;
  size_t size = 0, w[5] = { 2, 3, 6, 6, 7 };
  char pid[24];
  FILE *f = open_memstream (&text, &size);

  if (f == NULL)
    return husk_error_set (err, errno, "open_memstream");
  if (quiet)
    {
      for (size_t i = 0; i < len; i++)
        fprintf (f, "%s\n", infos[i].id);
      fclose (f);
      *out = steal_pointer (&text);
      return 0;
    }
  for (size_t i = 0; i < len; i++)
    {
      snprintf (pid, sizeof pid, "%d", (int) infos[i].pid);
      w[0] = width (w[0], infos[i].id);
      w[1] = width (w[1], pid);
      w[2] = width (w[2], oci_status_name (infos[i].status));
      w[3] = width (w[3], infos[i].bundle);
      w[4] = width (w[4], infos[i].created);
    }
  fprintf (f, "%-*s%-*s%-*s%-*s%-*s%s\n", (int) column (w[0]), "ID", (int) column (w[1]), "PID",
           (int) column (w[2]), "STATUS", (int) column (w[3]), "BUNDLE", (int) column (w[4]),
           "CREATED", "OWNER");
  for (size_t i = 0; i < len; i++)
    {
      snprintf (pid, sizeof pid, "%d", (int) infos[i].pid);
      fprintf (f, "%-*s%-*s%-*s%-*s%-*s%s\n", (int) column (w[0]), infos[i].id,
               (int) column (w[1]), pid, (int) column (w[2]), oci_status_name (infos[i].status),
               (int) column (w[3]), infos[i].bundle, (int) column (w[4]), infos[i].created,
               infos[i].owner);
    }
  if (fclose (f) != 0)
    return husk_error_set (err, errno, "format list");
  *out = steal_pointer (&text);
  return 0;
}

static void
gen_pair (yajl_gen g, const char *key, const char *value)
{
  yajl_gen_string (g, (const unsigned char *) key, strlen (key));
  yajl_gen_string (g, (const unsigned char *) value, strlen (value));
}

int
husk_list_format_json (const struct husk_container_info *infos, size_t len, char **out,
                       struct husk_error **err)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  const unsigned char *buf;
  size_t buf_len;

  if (g == NULL)
    return husk_error_set (err, ENOMEM, "yajl_gen_alloc");
  yajl_gen_array_open (g);
  for (size_t i = 0; i < len; i++)
    {
      yajl_gen_map_open (g);
      gen_pair (g, "ociVersion", OCI_VERSION);
      gen_pair (g, "id", infos[i].id);
      yajl_gen_string (g, (const unsigned char *) "pid", 3);
      yajl_gen_integer (g, infos[i].pid);
      gen_pair (g, "status", oci_status_name (infos[i].status));
      gen_pair (g, "bundle", infos[i].bundle);
      gen_pair (g, "rootfs", infos[i].rootfs ? infos[i].rootfs : "");
      gen_pair (g, "created", infos[i].created);
      gen_pair (g, "owner", infos[i].owner);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
  yajl_gen_get_buf (g, &buf, &buf_len);
  *out = strndup ((const char *) buf, buf_len);
  yajl_gen_free (g);
  return *out ? 0 : husk_error_set (err, ENOMEM, "strndup");
}

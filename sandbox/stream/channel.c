/* The remotecommand stream conventions (k8s.io/apimachinery's
 * remotecommand constants and kubelet's writeStatus). */
#include "channel.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cleanup.h"

static const char *const names[STREAM_N_CHANNELS] = {
  [STREAM_STDIN] = "stdin", [STREAM_STDOUT] = "stdout", [STREAM_STDERR] = "stderr",
  [STREAM_ERROR] = "error", [STREAM_RESIZE] = "resize",
};

const char *
stream_channel_name (enum stream_channel c)
{
  return (unsigned) c < STREAM_N_CHANNELS ? names[c] : NULL;
}

int
stream_channel_from_name (const char *name)
{
  for (int i = 0; name && i < STREAM_N_CHANNELS; i++)
    if (strcmp (names[i], name) == 0)
      return i;
  return -1;
}

bool
stream_list_has (const char *list, const char *name)
{
  size_t n = strlen (name);
  for (const char *p = list; p && *p;)
    {
      p += strspn (p, " \t,");
      size_t tok = strcspn (p, " \t,");
      if (tok == n && strncasecmp (p, name, n) == 0)
        return true;
      p += tok;
    }
  return false;
}

const char *
stream_choose_protocol (const char *offered, const char *const *supported)
{
  for (size_t i = 0; offered && supported[i]; i++)
    if (stream_list_has (offered, supported[i]))
      return supported[i];
  return NULL;
}

static void
gen_str (yajl_gen g, const char *s)
{
  yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

static int
finish (yajl_gen g, char **json, size_t *len, struct husk_error **err)
{
  const unsigned char *buf;
  size_t n;
  yajl_gen_map_close (g);
  if (yajl_gen_get_buf (g, &buf, &n) != yajl_gen_status_ok || !(*json = strndup ((const char *) buf, n)))
    {
      yajl_gen_free (g);
      return husk_error_set (err, ENOMEM, "status json");
    }
  *len = n;
  yajl_gen_free (g);
  return 0;
}

static yajl_gen
status_start (const char *status)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  if (!g)
    return NULL;
  yajl_gen_map_open (g);
  gen_str (g, "metadata");
  yajl_gen_map_open (g);
  yajl_gen_map_close (g);
  gen_str (g, "status");
  gen_str (g, status);
  return g;
}

/* "[sh -c exit 3]": how Go prints the command in kubelet's message. */
static char *
go_argv (const char *const *argv)
{
  size_t n = 3;
  for (size_t i = 0; argv && argv[i]; i++)
    n += strlen (argv[i]) + 1;
  char *s = malloc (n), *p = s;
  if (!s)
    return NULL;
  *p++ = '[';
  for (size_t i = 0; argv && argv[i]; i++)
    p += sprintf (p, "%s%s", i ? " " : "", argv[i]);
  strcpy (p, "]");
  return s;
}

int
stream_exit_status (int exit_code, const char *const *argv, char **json, size_t *len,
                    struct husk_error **err)
{
  yajl_gen g = status_start (exit_code ? "Failure" : "Success");
  cleanup_free char *cmd = go_argv (argv), *message = NULL;
  char code[16];
  if (!g || !cmd)
    return husk_error_set (err, ENOMEM, "status json");
  if (exit_code == 0)
    return finish (g, json, len, err);
  snprintf (code, sizeof code, "%d", exit_code);
  if (asprintf (&message, "command terminated with non-zero exit code: error executing "
                          "command %s, exit code %d", cmd, exit_code) < 0)
    message = NULL;
  gen_str (g, "message");
  gen_str (g, message ? message : "command terminated with non-zero exit code");
  gen_str (g, "reason");
  gen_str (g, "NonZeroExitCode");
  gen_str (g, "details");
  yajl_gen_map_open (g);
  gen_str (g, "causes");
  yajl_gen_array_open (g);
  yajl_gen_map_open (g);
  gen_str (g, "reason");
  gen_str (g, "ExitCode");
  gen_str (g, "message");
  gen_str (g, code);
  yajl_gen_map_close (g);
  yajl_gen_array_close (g);
  yajl_gen_map_close (g);
  return finish (g, json, len, err);
}

int
stream_error_status (const char *message, char **json, size_t *len, struct husk_error **err)
{
  yajl_gen g = status_start ("Failure");
  if (!g)
    return husk_error_set (err, ENOMEM, "status json");
  gen_str (g, "message");
  gen_str (g, message);
  gen_str (g, "reason");
  gen_str (g, "InternalError");
  gen_str (g, "code");
  yajl_gen_integer (g, 500);
  return finish (g, json, len, err);
}

static int
size_field (yajl_val v, const char *key, uint16_t *out)
{
  const char *path[] = { key, NULL };
  yajl_val f = yajl_tree_get (v, path, yajl_t_number);
  if (!f || !YAJL_IS_INTEGER (f) || YAJL_GET_INTEGER (f) < 0 || YAJL_GET_INTEGER (f) > 0xffff)
    return -1;
  *out = (uint16_t) YAJL_GET_INTEGER (f);
  return 0;
}

int
stream_resize_parse (const uint8_t *data, size_t len, uint16_t *width, uint16_t *height,
                     struct husk_error **err)
{
  cleanup_free char *text = strndup ((const char *) data, len);
  char msg[128];
  yajl_val v = text ? yajl_tree_parse (text, msg, sizeof msg) : NULL;
  int r = v && v->type == yajl_t_object && size_field (v, "Width", width) == 0
          && size_field (v, "Height", height) == 0;
  yajl_tree_free (v);
  if (!r)
    return husk_error_set (err, EINVAL, "resize: want {\"Width\":N,\"Height\":N}, got `%.64s`",
                           text ? text : "");
  return 0;
}

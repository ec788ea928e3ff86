/* configMap, secret, downwardAPI and projected volumes: files in the
 * AtomicWriter layout on a per-pod tmpfs. */
#include "pod_projection.h"
#include "pod_projection_internal.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysinfo.h>
#include <unistd.h>

#include "atomic_writer.h"
#include "base64.h"
#include "cleanup.h"
#include "configmap.h"
#include "dockercfg.h"
#include "jv.h"
#include "quantity.h"
#include "sandbox/pod/pod_util.h"

static bool
is_projection (yajl_val vol)
{
  return jv_get (vol, "configMap") || jv_get (vol, "secret") || jv_get (vol, "downwardAPI")
         || jv_get (vol, "projected");
}

static char *
pod_dir (struct pod_sync *s)
{
  return fmt ("%s/%s", s->volumes_root, jv_str (jv_get (s->pod, "metadata"), "uid") ?: "none");
}

static char *
volume_dir (struct pod_sync *s, const char *vol)
{
  cleanup_free char *dir = pod_dir (s);
  return fmt ("%s/%s", dir, vol);
}

static void
strip_env (yajl_val c)
{
  yajl_val env = jv_get (c, "env"), plain = jv_array ();
  for (size_t i = 0; i < alen (env); i++)
    if (!jv_get (at (env, i), "valueFrom"))
      jv_push (plain, jv_copy (at (env, i)));
  jv_set (c, "env", plain);
  jv_del (c, "envFrom");
}

static void
read_only_mounts (yajl_val c, const char *vol)
{
  yajl_val mounts = jv_get (c, "volumeMounts");
  for (size_t i = 0; i < alen (mounts); i++)
    if (!strcmp (jv_str (at (mounts, i), "name") ?: "", vol))
      jv_set (at (mounts, i), "readOnly", jv_bool (true));
}

yajl_val
pod_projection_view (struct pod_sync *s, const char *cname, yajl_val env)
{
  static const char *const lists[] = { "initContainers", "containers" };
  yajl_val view = jv_copy (s->pod), vols = jv_path (view, "spec", "volumes", NULL);
  cleanup_jv yajl_val owned = env;
  for (size_t l = 0; l < 2; l++)
    {
      yajl_val cs = jv_path (view, "spec", lists[l], NULL);
      for (size_t i = 0; i < alen (cs); i++)
        {
          strip_env (at (cs, i));
          if (cname && env && !strcmp (jv_str (at (cs, i), "name") ?: "", cname))
            jv_set (at (cs, i), "env", steal_pointer (&owned));
        }
    }
  for (size_t i = 0; i < alen (vols); i++)
    {
      yajl_val vol = at (vols, i), hp;
      if (!is_projection (vol))
        continue;
      cleanup_free char *name = xstrdup (jv_str (vol, "name"));
      hp = jv_object ();
      cleanup_free char *dir = volume_dir (s, name);
      jv_set (hp, "path", jv_string (dir));
      jv_set (hp, "type", jv_string ("Directory"));
      yajl_val repl = jv_object ();
      jv_set (repl, "name", jv_string (name));
      jv_set (repl, "hostPath", hp);
      yajl_tree_free (vols->u.array.values[i]);
      vols->u.array.values[i] = repl;
      for (size_t l = 0; l < 2; l++)
        {
          yajl_val cs = jv_path (view, "spec", lists[l], NULL);
          for (size_t k = 0; k < alen (cs); k++)
            read_only_mounts (at (cs, k), name);
        }
    }
  return view;
}

struct files {
  struct projected_file *v;
  size_t n;
};

static void
files_add (struct files *f, const char *path, const unsigned char *data, size_t len, mode_t mode)
{
  struct projected_file *p;
  for (size_t i = 0; i < f->n; i++)
    if (!strcmp (f->v[i].path, path)) /* a later source wins, as in the kubelet */
      {
        free (f->v[i].data);
        f->v[i].data = malloc (len + 1);
        memcpy (f->v[i].data, data, len);
        f->v[i].len = len;
        f->v[i].mode = mode;
        return;
      }
  f->v = realloc (f->v, (f->n + 1) * sizeof *f->v);
  p = &f->v[f->n++];
  p->path = xstrdup (path);
  p->data = malloc (len + 1);
  if (!f->v || !p->data)
    abort ();
  memcpy (p->data, data, len);
  p->len = len;
  p->mode = mode;
}

static mode_t
mode_of (yajl_val v, const char *key, mode_t def)
{
  long long m;
  return jv_int_of (v, key, &m) && m >= 0 && m <= 0777 ? (mode_t) m : def;
}

/* The value of key in a ConfigMap (data, then binaryData) or Secret. */
static unsigned char *
object_value (yajl_val obj, bool secret, const char *key, size_t *len)
{
  const char *text;
  unsigned char *raw;
  size_t bad;
  if (secret)
    return api_secret_value (obj, key, len);
  if ((text = jv_str (jv_get (obj, "data"), key)))
    {
      *len = strlen (text);
      return (unsigned char *) xstrdup (text);
    }
  if ((text = jv_str (jv_get (obj, "binaryData"), key))
      && api_base64_decode (text, &raw, len, &bad) == 0)
    return raw;
  return NULL;
}

static int
add_path_checked (struct files *f, const char *path, const unsigned char *data, size_t len,
                  mode_t mode, char **why)
{
  if (!projected_path_ok (path))
    {
      *why = fmt ("invalid path \"%s\"", path);
      return -1;
    }
  files_add (f, path, data, len, mode);
  return 0;
}

/* A configMap or secret source (a volume's or a projected one's). */
static int
add_object_source (struct pod_sync *s, struct files *f, yajl_val src, bool secret,
                   const char *name, mode_t def, char **why)
{
  yajl_val obj = pod_projection_ref (s, secret ? "secrets" : "configmaps", name ?: "");
  yajl_val items = jv_get (src, "items");
  bool optional = is_true (jv_get (src, "optional"));
  if (!obj)
    {
      if (optional)
        return 0;
      *why = fmt ("%s \"%s\" not found", secret ? "secret" : "configmap", name ?: "");
      return -1;
    }
  if (alen (items) == 0)
    {
      static const char *const maps[] = { "data", "binaryData" };
      for (size_t m = 0; m < (secret ? 1 : 2); m++)
        {
          yajl_val data = jv_get (obj, maps[m]);
          for (size_t i = 0; YAJL_IS_OBJECT (data) && i < data->u.object.len; i++)
            {
              size_t len;
              cleanup_free unsigned char *v
                  = object_value (obj, secret, data->u.object.keys[i], &len);
              if (v && add_path_checked (f, data->u.object.keys[i], v, len, def, why) < 0)
                return -1;
            }
        }
      return 0;
    }
  for (size_t i = 0; i < alen (items); i++)
    {
      const char *key = jv_str (at (items, i), "key") ?: "";
      size_t len;
      cleanup_free unsigned char *v = object_value (obj, secret, key, &len);
      if (!v && optional)
        continue;
      if (!v)
        {
          *why = secret ? fmt ("references non-existent secret key: %s", key)
                        : fmt ("configmap references non-existent config key: %s", key);
          return -1;
        }
      if (add_path_checked (f, jv_str (at (items, i), "path") ?: key, v, len,
                            mode_of (at (items, i), "mode", def), why)
          < 0)
        return -1;
    }
  return 0;
}

static int
add_downward_source (struct pod_sync *s, struct files *f, yajl_val src, mode_t def, char **why)
{
  yajl_val items = jv_get (src, "items");
  for (size_t i = 0; i < alen (items); i++)
    {
      yajl_val item = at (items, i);
      cleanup_free char *v = NULL;
      if (jv_get (item, "fieldRef"))
        v = pod_projection_field (s, jv_str (jv_get (item, "fieldRef"), "fieldPath") ?: "", true, why);
      else if (jv_get (item, "resourceFieldRef"))
        v = pod_projection_resource (s, NULL, jv_get (item, "resourceFieldRef"), why);
      else
        continue;
      if (!v || add_path_checked (f, jv_str (item, "path") ?: "", (unsigned char *) v,
                                  strlen (v), mode_of (item, "mode", def), why)
                    < 0)
        return -1;
    }
  return 0;
}

static int
volume_files (struct pod_sync *s, yajl_val vol, struct files *f, char **why)
{
  yajl_val src, sources;
  if ((src = jv_get (vol, "configMap")))
    return add_object_source (s, f, src, false, jv_str (src, "name"),
                              mode_of (src, "defaultMode", DEFAULT_MODE), why);
  if ((src = jv_get (vol, "secret")))
    return add_object_source (s, f, src, true, jv_str (src, "secretName"),
                              mode_of (src, "defaultMode", DEFAULT_MODE), why);
  if ((src = jv_get (vol, "downwardAPI")))
    return add_downward_source (s, f, src, mode_of (src, "defaultMode", DEFAULT_MODE), why);
  src = jv_get (vol, "projected");
  sources = jv_get (src, "sources");
  mode_t def = mode_of (src, "defaultMode", DEFAULT_MODE);
  for (size_t i = 0; i < alen (sources); i++)
    {
      yajl_val one = at (sources, i), p;
      int r = 0;
      if ((p = jv_get (one, "configMap")))
        r = add_object_source (s, f, p, false, jv_str (p, "name"), def, why);
      else if ((p = jv_get (one, "secret")))
        r = add_object_source (s, f, p, true, jv_str (p, "name"), def, why);
      else if ((p = jv_get (one, "downwardAPI")))
        r = add_downward_source (s, f, p, def, why);
      if (r < 0)
        return -1;
    }
  return 0;
}

static bool
is_mount_point (const char *dir)
{
  struct stat a, b;
  cleanup_free char *parent = fmt ("%s/..", dir);
  return stat (dir, &a) == 0 && stat (parent, &b) == 0 && a.st_dev != b.st_dev;
}

/* <state>/volumes (0700) and the pod's tmpfs in it, made once. */
static int
ensure_pod_tmpfs (struct pod_sync *s, struct husk_error **err)
{
  cleanup_free char *dir = pod_dir (s);
  if (pod_mkdir_p (s->volumes_root, 0700, err) < 0)
    return -1;
  chmod (s->volumes_root, 0700);
  if (mkdir (dir, 0700) < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "mkdir `%s`", dir);
  if (is_mount_point (dir))
    return 0;
  if (mount ("tmpfs", dir, "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC, "mode=0700") < 0)
    return husk_error_set (err, errno, "mount tmpfs on `%s`", dir);
  return 0;
}

int
pod_projection_volumes (struct pod_sync *s, char **why)
{
  yajl_val vols = jv_path (s->pod, "spec", "volumes", NULL);
  bool made = false;
  *why = NULL;
  for (size_t i = 0; i < alen (vols); i++)
    {
      cleanup_error struct husk_error *err = NULL;
      const char *name = jv_str (at (vols, i), "name") ?: "";
      struct files f = { NULL, 0 };
      char *reason = NULL;
      bool changed;
      int r;
      if (!is_projection (at (vols, i)))
        continue;
      if (!made && ensure_pod_tmpfs (s, &err) < 0)
        {
          *why = fmt ("MountVolume.SetUp failed for volume \"%s\" : %s", name, err->message);
          return -1;
        }
      made = true;
      r = volume_files (s, at (vols, i), &f, &reason);
      if (r == 0)
        {
          cleanup_free char *dir = volume_dir (s, name);
          if ((r = huskd_atomic_write (dir, f.v, f.n, &changed, &err)) < 0)
            reason = xstrdup (err->message);
        }
      projected_files_free (f.v, f.n);
      if (r < 0)
        {
          *why = fmt ("MountVolume.SetUp failed for volume \"%s\" : %s", name, reason);
          free (reason);
          return -1;
        }
    }
  return 0;
}

void
pod_projection_remove (struct pod_sync *s)
{
  cleanup_free char *dir = pod_dir (s);
  cleanup_error struct husk_error *err = NULL;
  if (access (dir, F_OK) < 0)
    return;
  umount2 (dir, MNT_DETACH | UMOUNT_NOFOLLOW);
  pod_rm_rf (dir, &err);
}

/* The functions of image_transfer.h for a program that does not link the
 * heavy libraries: each loads husk-image-transfer.so on first use and
 * calls into it.  Looked for as $HUSK_IMAGE_MODULE, then beside the
 * program (as the build tree has it), then where `meson install` puts it
 * (HUSK_MODULE_DIR). */
#include <dlfcn.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "image_transfer.h"

static struct {
  const struct image_transfer_ops *ops;
  char why[PATH_MAX + 256]; /* why it could not be loaded */
} module;

/* NULL when `path` is missing; when it exists but does not load,
 * module.why says dlopen's reason. */
static void *
open_module (const char *path)
{
  void *h;
  if (access (path, R_OK) < 0)
    return NULL;
  if (!(h = dlopen (path, RTLD_NOW | RTLD_LOCAL)))
    snprintf (module.why, sizeof module.why, "%s", dlerror ());
  return h;
}

static void *
open_beside_self (void)
{
  char self[PATH_MAX], path[PATH_MAX + 64];
  ssize_t n = readlink ("/proc/self/exe", self, sizeof self - 1);
  if (n <= 0)
    return NULL;
  self[n] = '\0';
  snprintf (path, sizeof path, "%s/%s", dirname (self), IMAGE_TRANSFER_MODULE);
  return open_module (path);
}

static void
load (void)
{
  const char *env = getenv ("HUSK_IMAGE_MODULE");
  void *h;
  if (env && *env)
    h = open_module (env);
  else if (!(h = open_beside_self ()))
    h = open_module (HUSK_MODULE_DIR "/" IMAGE_TRANSFER_MODULE);
  if (!h)
    {
      if (!module.why[0] && env && *env)
        snprintf (module.why, sizeof module.why, "HUSK_IMAGE_MODULE `%s` not found", env);
      else if (!module.why[0])
        snprintf (module.why, sizeof module.why, "%s not found beside the program or in %s",
                  IMAGE_TRANSFER_MODULE, HUSK_MODULE_DIR);
      return;
    }
  const struct image_transfer_ops *ops = dlsym (h, IMAGE_TRANSFER_OPS_SYMBOL);
  if (!ops || ops->version != IMAGE_TRANSFER_OPS_VERSION)
    {
      snprintf (module.why, sizeof module.why, "%s: no %s of version %u", IMAGE_TRANSFER_MODULE,
                IMAGE_TRANSFER_OPS_SYMBOL, IMAGE_TRANSFER_OPS_VERSION);
      dlclose (h);
      return;
    }
  module.ops = ops; /* never closed: its functions may be called until exit */
}

static const struct image_transfer_ops *
ops (struct husk_error **err)
{
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once (&once, load);
  if (!module.ops)
    husk_error_set (err, ELIBACC, "cannot load the image module: %s", module.why);
  return module.ops;
}

int
image_sha256_hex (const void *data, size_t len, char hex[65], struct husk_error **err)
{
  const struct image_transfer_ops *o = ops (err);
  return o ? o->sha256_hex (data, len, hex, err) : -1;
}

int
image_verify_blob (const char *path, const char *digest, struct husk_error **err)
{
  const struct image_transfer_ops *o = ops (err);
  return o ? o->verify_blob (path, digest, err) : -1;
}

int
husk_image_unpack_layer (const char *tarball, const char *dir, struct husk_error **err)
{
  const struct image_transfer_ops *o = ops (err);
  return o ? o->unpack_layer (tarball, dir, err) : -1;
}

int
husk_image_pull (const char *store, const char *reference, const struct husk_pull_options *opts,
                 struct husk_pull_result *out, struct husk_error **err)
{
  const struct image_transfer_ops *o = ops (err);
  return o ? o->pull (store, reference, opts, out, err) : -1;
}

int
husk_image_pull_configured (const char *store, const char *config_path, const char *reference,
                            const struct husk_registry_auth *auth, struct husk_pull_result *out,
                            struct husk_error **err)
{
  const struct image_transfer_ops *o = ops (err);
  return o ? o->pull_configured (store, config_path, reference, auth, out, err) : -1;
}

/* husk-pod's image verbs: pull, images, rmi, image-status (registry.h). */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../image/registry.h"
#include "podctl.h"

static const char *
store_of (struct podctl *ctx)
{
  return ctx->env.image_store ? ctx->env.image_store : HUSK_IMAGE_STORE_DEFAULT;
}

static void
config_freep (struct husk_registry_config **c)
{
  husk_registry_config_free (*c);
}

/* pull [--registry-config PATH] [--creds USER:PASSWORD] REFERENCE */
int
podctl_pull (struct podctl *ctx, struct husk_error **err)
{
  static const struct option opts[] = {
    { "registry-config", required_argument, NULL, 'c' },
    { "creds", required_argument, NULL, 'u' },
    { NULL, 0, NULL, 0 },
  };
  const char *config_path = HUSK_REGISTRY_CONFIG_DEFAULT;
  cleanup_free char *user = NULL;
  struct husk_registry_auth auth = { 0 };
  __attribute__ ((cleanup (config_freep))) struct husk_registry_config *cfg = NULL;
  struct husk_pull_result res;
  int c;

  optind = 1;
  while ((c = getopt_long (ctx->argc, ctx->argv, "+", opts, NULL)) != -1)
    switch (c)
      {
      case 'c': config_path = optarg; break;
      case 'u':
        user = strdup (optarg);
        if (user && strchr (user, ':'))
          {
            *strchr (user, ':') = '\0';
            auth.password = user + strlen (user) + 1;
          }
        auth.username = user;
        break;
      default: return husk_error_set (err, EINVAL, "pull: unknown option");
      }
  if (optind + 1 != ctx->argc)
    return husk_error_set (err, EINVAL, "usage: pull [--registry-config PATH] [--creds U:P] REF");
  if (husk_registry_config_load (config_path, &cfg, err) < 0)
    return -1;
  struct husk_pull_options po = { .config = cfg, .auth = user ? &auth : NULL };
  if (husk_image_pull (store_of (ctx), ctx->argv[optind], &po, &res, err) < 0)
    return -1;
  printf ("%s\t%s\t%s\t%.3fs\t%" PRIu64 "\n", res.name, res.repo_digest, res.image_id,
          res.seconds, res.downloaded);
  husk_pull_result_free (&res);
  return 0;
}

int
podctl_images (struct podctl *ctx, struct husk_error **err)
{
  struct husk_image_info *infos;
  size_t n;

  if (husk_image_list (store_of (ctx), &infos, &n, err) < 0)
    return -1;
  printf ("%-71s  %-12s  %s\n", "IMAGE ID", "SIZE", "TAGS / DIGESTS");
  for (size_t i = 0; i < n; i++)
    {
      printf ("%-71s  %-12" PRIu64, infos[i].id, infos[i].size);
      for (char **t = infos[i].repo_tags; t && *t; t++)
        printf ("  %s", *t);
      for (char **t = infos[i].repo_digests; t && *t; t++)
        printf ("  %s", *t);
      printf ("\n");
    }
  husk_image_info_list_free (infos, n);
  return 0;
}

int
podctl_rmi (struct podctl *ctx, struct husk_error **err)
{
  int r;
  if (ctx->argc != 2)
    return husk_error_set (err, EINVAL, "usage: rmi REF|ID");
  if ((r = husk_image_remove (store_of (ctx), ctx->argv[1], err)) < 0)
    return -1;
  if (r == 0)
    return husk_error_set (err, ENOENT, "image `%s`", ctx->argv[1]);
  return 0;
}

int
podctl_image_status (struct podctl *ctx, struct husk_error **err)
{
  struct husk_image_info info;
  int r;
  if (ctx->argc != 2)
    return husk_error_set (err, EINVAL, "usage: image-status REF|ID");
  if ((r = husk_image_status (store_of (ctx), ctx->argv[1], &info, err)) < 0)
    return -1;
  if (r == 0)
    return husk_error_set (err, ENOENT, "image `%s`", ctx->argv[1]);
  printf ("id=%s\nsize=%" PRIu64 "\nuser=%s\n", info.id, info.size, info.user ? info.user : "");
  for (char **t = info.repo_tags; t && *t; t++)
    printf ("tag=%s\n", *t);
  for (char **t = info.repo_digests; t && *t; t++)
    printf ("digest=%s\n", *t);
  husk_image_info_free (&info);
  return 0;
}

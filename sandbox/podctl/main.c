/* husk-pod: drive pod sandboxes from the shell (and from `husk pod`). */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/error.h"
#include "podctl.h"

static const struct {
  const char *name;
  podctl_fn fn;
  const char *usage;
} verbs[] = {
  { "run", podctl_run, "run POD.json|-            start a pod sandbox, print its id" },
  { "up", podctl_up, "up POD.json|-             run + init containers + containers" },
  { "update", podctl_update, "update SANDBOX POD.json|-  new images for the next attempts" },
  { "ls", podctl_ls, "ls                        list pod sandboxes" },
  { "ps", podctl_ps, "ps SANDBOX                list a pod's containers" },
  { "status", podctl_status, "status ID                 sandbox or container status (JSON)" },
  { "create-container", podctl_create_container,
    "create-container SANDBOX NAME [ATTEMPT]" },
  { "start", podctl_start, "start CONTAINER" },
  { "stop", podctl_stop, "stop [-t SECONDS] ID      stop a container or a whole pod" },
  { "rm", podctl_rm, "rm ID                     remove a container or a whole pod" },
  { "logs", podctl_logs, "logs CONTAINER            print the CRI log" },
  { "exec", podctl_exec, "exec [-t SECONDS] CONTAINER CMD...  run and exit with its code" },
  { "bench-create", podctl_bench_create,
    "bench-create HUSK BUNDLE ROOT N  in-process libhusk vs the binary" },
  { "pull", podctl_pull,
    "pull [--registry-config PATH] [--creds U:P] REF  pull an image from a registry" },
  { "images", podctl_images, "images                    list pulled images" },
  { "rmi", podctl_rmi, "rmi REF|ID                forget an image reference" },
  { "image-status", podctl_image_status, "image-status REF|ID       one pulled image" },
  { "wait", podctl_wait, "wait [-t SECONDS] CONTAINER  wait for its exit, print the code" },
};

static void
usage (FILE *out)
{
  fprintf (out, "usage: husk-pod [--root DIR] [--runtime PATH] [--runtime-root DIR] "
                "[--cni-conf-dir DIR] [--cni-bin-dir DIR] [--image-store DIR] "
                "[--cgroup-parent PATH] [--log-max-bytes N] VERB ...\n");
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    fprintf (out, "  %s\n", verbs[i].usage);
}

static int
parse_globals (int argc, char **argv, struct husk_sandbox_env *env)
{
  static const struct option opts[] = {
    { "root", required_argument, NULL, 'r' },
    { "runtime", required_argument, NULL, 'R' },
    { "runtime-root", required_argument, NULL, 'T' },
    { "cni-conf-dir", required_argument, NULL, 'c' },
    { "cni-bin-dir", required_argument, NULL, 'b' },
    { "image-store", required_argument, NULL, 'i' },
    { "holder", required_argument, NULL, 'H' },
    { "cgroup-parent", required_argument, NULL, 'g' },
    { "log-max-bytes", required_argument, NULL, 'L' },
    { "help", no_argument, NULL, 'h' },
    { NULL, 0, NULL, 0 },
  };
  int c;

  env->cni_conf_dir = getenv ("HUSK_CNI_CONF_DIR");
  while ((c = getopt_long (argc, argv, "+h", opts, NULL)) != -1)
    switch (c)
      {
      case 'r': env->pods_root = optarg; break;
      case 'R': env->husk_binary = optarg; break;
      case 'T': env->runtime_root = optarg; break;
      case 'c': env->cni_conf_dir = optarg; break;
      case 'b': env->cni_bin_dir = optarg; break;
      case 'i': env->image_store = optarg; break;
      case 'H': env->holder_binary = optarg; break;
      case 'g': env->cgroup_parent = optarg; break;
      case 'L': env->log_max_bytes = strtoull (optarg, NULL, 10); break;
      case 'h': usage (stdout); exit (0);
      default: return -1;
      }
  return optind;
}

int
main (int argc, char **argv)
{
  struct podctl ctx = { 0 };
  cleanup_error struct husk_error *err = NULL;
  int first = parse_globals (argc, argv, &ctx.env);
  /* A NOTIFY_SOCKET of ours (a systemd unit) is not the containers':
   * husk would give it to them and wait for their READY=1 on start. */
  unsetenv ("NOTIFY_SOCKET");

  if (first < 0 || first >= argc)
    {
      usage (stderr);
      return 2;
    }
  ctx.argc = argc - first;
  ctx.argv = argv + first;
  optind = 1;
  for (size_t i = 0; i < sizeof verbs / sizeof verbs[0]; i++)
    if (strcmp (verbs[i].name, ctx.argv[0]) == 0)
      {
        int ret = verbs[i].fn (&ctx, &err);
        if (ret < 0)
          {
            fprintf (stderr, "husk-pod: %s\n", err->message);
            return 1;
          }
        return ret;
      }
  fprintf (stderr, "husk-pod: unknown command `%s`\n", ctx.argv[0]);
  usage (stderr);
  return 2;
}

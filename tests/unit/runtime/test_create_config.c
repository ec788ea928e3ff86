/* In-process create with the config passed by the caller: the state dir
 * keeps its text (exec and the poststart/poststop hooks read it there, not
 * bundle/config.json), and a parsed config without its text is refused. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "husk.h"
#include "tap.h"

static const char config_text[]
    = "{\"ociVersion\":\"1.2.0\",\"process\":{\"args\":[\"/bin/true\"],\"cwd\":\"/\"},"
      "\"root\":{\"path\":\"rootfs\"},\"hostname\":\"in-process\","
      "\"linux\":{\"namespaces\":[{\"type\":\"mount\"},{\"type\":\"pid\"},{\"type\":\"uts\"}]}}";

static char tmp[] = "/tmp/husk-create-config-XXXXXX";
static char root[256], bundle[256];

static int
make_bundle (void)
{
  char path[512];
  snprintf (root, sizeof root, "%s/state", tmp);
  snprintf (bundle, sizeof bundle, "%s/bundle", tmp);
  snprintf (path, sizeof path, "%s/rootfs/bin", bundle);
  if (mkdir (bundle, 0755) < 0 || mkdir (root, 0711) < 0)
    return -1;
  snprintf (path, sizeof path, "%s/rootfs", bundle);
  if (mkdir (path, 0755) < 0)
    return -1;
  snprintf (path, sizeof path, "%s/rootfs/bin", bundle);
  if (mkdir (path, 0755) < 0)
    return -1;
  snprintf (path, sizeof path, "cp /bin/busybox %s/rootfs/bin/true", bundle);
  return system (path) == 0 ? 0 : -1;
}

static void
init_opts (struct husk_create_options *o, const char *id, int null_fd)
{
  husk_create_options_init (o);
  o->id = id;
  o->bundle = bundle;
  o->stdio[0] = o->stdio[1] = o->stdio[2] = null_fd;
}

static void
test_text_is_kept (struct husk_runtime *rt, int null_fd)
{
  struct husk_create_options o;
  struct husk_error *err = NULL;
  char path[512], got[sizeof config_text + 16] = "";
  pid_t pid = 0;

  init_opts (&o, "kept", null_fd);
  o.config_json = config_text;
  o.config_json_len = strlen (config_text);
  is_int (husk_container_create (rt, &o, &pid, &err), 0, "create from config_json");
  if (err)
    printf ("# %s\n", err->message);
  husk_error_release (&err);
  snprintf (path, sizeof path, "%s/kept/config.json", root);
  FILE *f = fopen (path, "re");
  if (f)
    {
      got[fread (got, 1, sizeof got - 1, f)] = '\0';
      fclose (f);
    }
  is_str (got, config_text, "the state dir keeps the caller's text");
  ok (husk_container_delete (rt, "kept", true, &err) == 0, "delete");
  husk_error_release (&err);
  if (pid > 0)
    waitpid (pid, NULL, 0);
}

static void
test_parsed_without_text (struct husk_runtime *rt, int null_fd)
{
  struct husk_create_options o;
  struct husk_error *err = NULL;
  struct oci_config config = { 0 };
  char path[512];

  init_opts (&o, "refused", null_fd);
  o.config = &config;
  ok (husk_container_create (rt, &o, NULL, &err) < 0 && err && strstr (err->message, "config_json"),
      "a parsed config without its text is refused");
  husk_error_release (&err);
  snprintf (path, sizeof path, "%s/refused", root);
  ok (access (path, F_OK) < 0, "and leaves no state dir");
}

int
main (void)
{
  struct husk_runtime rt = { .log_fd = -1 };
  int null_fd = open ("/dev/null", O_RDWR | O_CLOEXEC);
  char cmd[300];

  if (geteuid () != 0 || access ("/bin/busybox", X_OK) < 0 || mkdtemp (tmp) == NULL
      || make_bundle () < 0)
    {
      printf ("1..0 # SKIP needs root and /bin/busybox\n");
      return 0;
    }
  rt.state_root = root;
  test_text_is_kept (&rt, null_fd);
  test_parsed_without_text (&rt, null_fd);
  snprintf (cmd, sizeof cmd, "rm -rf %s", tmp);
  if (system (cmd) != 0)
    printf ("# could not remove %s\n", tmp);
  return tap_done ();
}

/* husk_pod_sandbox_update: which changes of a running pod's description
 * are taken and which are refused (the stored pod.json tells). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sandbox/pod/sandbox.h"
#include "tap.h"

#define SID "0123456789abcdef0123456789abcdef"

static const char *const base
    = "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"web\", \"uid\": \"u1\", \"labels\": "
      "{\"a\": \"1\"}}, \"spec\": {\"hostNetwork\": false, \"containers\": [{\"name\": \"c\", "
      "\"image\": \"/img/one\", \"command\": [\"sleep\", \"1\"]}]}}";

static char root[64], pod_path[300];

static void
write_pod (const char *json)
{
  FILE *f = fopen (pod_path, "w");
  fputs (json, f);
  fclose (f);
}

static char *
read_pod (void)
{
  static char buf[4096];
  FILE *f = fopen (pod_path, "r");
  size_t n = fread (buf, 1, sizeof buf - 1, f);
  fclose (f);
  buf[n] = '\0';
  return buf;
}

/* Updates from `base` to `json`; the errno of the failure (-1 for a
 * parse error, which carries none), 0 on success. */
static int
update (const char *json, char *msg, size_t msg_len)
{
  struct husk_sandbox_env env = { .pods_root = root };
  struct husk_error *err = NULL;

  write_pod (base);
  msg[0] = '\0';
  if (husk_pod_sandbox_update (&env, SID, json, &err) == 0)
    return 0;
  snprintf (msg, msg_len, "%s", err->message);
  int e = err->errnum;
  husk_error_release (&err);
  return e ? e : -1;
}

static void
refused (const char *json, const char *want, const char *label)
{
  char msg[1024];
  int e = update (json, msg, sizeof msg);
  ok (e == EINVAL || e == -1, "%s: refused (%d)", label, e);
  ok (strstr (msg, want) != NULL, "%s: message names it: %s", label, msg);
  is_str (read_pod (), base, "%s: the description stays", label);
}

int
main (void)
{
  char dir[200], msg[1024];
  const char *image2 = "{\"kind\": \"Pod\", \"metadata\": {\"name\": \"web\", \"uid\": \"u1\", "
                       "\"labels\": {\"a\": \"2\"}, \"annotations\": {\"x\": \"y\"}}, \"spec\": "
                       "{\"activeDeadlineSeconds\": 30, \"containers\": [{\"command\": [\"sleep\", "
                       "\"1\"], \"image\": \"/img/two\", \"name\": \"c\"}], \"hostNetwork\": false}}";

  snprintf (root, sizeof root, "/tmp/husk-unit-update-XXXXXX");
  if (mkdtemp (root) == NULL)
    return 1;
  snprintf (dir, sizeof dir, "%s/%s", root, SID);
  snprintf (pod_path, sizeof pod_path, "%s/pod.json", dir);
  mkdir (dir, 0700);

  is_int (update (image2, msg, sizeof msg), 0, "image, labels, activeDeadlineSeconds: taken (%s)", msg);
  is_str (read_pod (), image2, "the new description is stored");

  refused ("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"web\", \"uid\": \"u1\"}, \"spec\": "
           "{\"hostNetwork\": false, \"containers\": [{\"name\": \"c\", \"image\": \"/img/one\", "
           "\"command\": [\"true\"]}]}}",
           "spec.containers: only `image`", "a command");
  refused ("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"web\", \"uid\": \"u1\"}, \"spec\": "
           "{\"hostNetwork\": true, \"containers\": [{\"name\": \"c\", \"image\": \"/img/one\", "
           "\"command\": [\"sleep\", \"1\"]}]}}",
           "only the container images", "hostNetwork");
  refused ("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"web\", \"uid\": \"u1\"}, \"spec\": "
           "{\"hostNetwork\": false, \"containers\": [{\"name\": \"c\", \"image\": \"/img/one\", "
           "\"command\": [\"sleep\", \"1\"]}, {\"name\": \"d\", \"image\": \"/img/one\"}]}}",
           "spec.containers", "a container added");
  refused ("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"other\", \"uid\": \"u1\"}, \"spec\": "
           "{\"hostNetwork\": false, \"containers\": [{\"name\": \"c\", \"image\": \"/img/one\", "
           "\"command\": [\"sleep\", \"1\"]}]}}",
           "name and namespace", "the name");
  refused ("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"web\", \"uid\": \"u2\"}, \"spec\": "
           "{\"hostNetwork\": false, \"containers\": [{\"name\": \"c\", \"image\": \"/img/one\", "
           "\"command\": [\"sleep\", \"1\"]}]}}",
           "metadata.uid: cannot change", "the uid");
  refused ("{\"kind\": \"Pod\", \"metadata\": {\"name\": \"web\"}, \"spec\": {\"containers\": "
           "[{\"name\": \"c\"}]}}",
           "spec.containers[0].image: required", "an invalid pod");

  struct husk_sandbox_env env = { .pods_root = root };
  struct husk_error *err = NULL;
  ok (husk_pod_sandbox_update (&env, "fedcba9876543210fedcba9876543210", base, &err) < 0
          && err->errnum == ENOENT,
      "an unknown sandbox is ENOENT");
  husk_error_release (&err);

  unlink (pod_path);
  char lock[220];
  snprintf (lock, sizeof lock, "%s/lock", dir);
  unlink (lock);
  rmdir (dir);
  rmdir (root);
  return tap_done ();
}

/* The documents husk writes: state.json round trips, features.json has the
 * runtime-spec's keys, and `husk spec` is `runc spec` (same tree, apart
 * from ociVersion and hostname) and parses back with our own parser. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cleanup.h"
#include "config.h"
#include "json_doc.h"
#include "state.h"
#include "tap.h"

static yajl_val
tree_of (const char *text)
{
  char errbuf[256];
  return yajl_tree_parse (text, errbuf, sizeof errbuf);
}

static char *
read_fixture (const char *name)
{
  cleanup_free char *path = NULL;
  cleanup_fclose FILE *f = NULL;
  char *buf = calloc (1, 1 << 20);

  if (asprintf (&path, "%s/%s", HUSK_SPEC_FIXTURES, name) < 0 || buf == NULL)
    abort ();
  f = fopen (path, "r");
  if (f == NULL || fread (buf, 1, (1 << 20) - 1, f) == 0)
    {
      free (buf);
      return NULL;
    }
  return buf;
}

/* json_doc_equal, which test_spec_default relies on: objects as key sets,
 * numbers by their text, `skip` only at the level it is given. */
static void
test_json_doc_equal (void)
{
  static const char *const skip[] = { "v", NULL };
  static const struct {
    const char *a, *b;
    bool equal;
    const char *what;
  } cases[] = {
    { "{\"x\":1,\"y\":[true,null,\"s\"]}", "{\"y\":[true,null,\"s\"],\"x\":1}", true,
      "key order does not matter" },
    { "{\"x\":1}", "{\"x\":1.0}", false, "numbers compare by text" },
    { "{\"x\":1}", "{\"x\":1,\"z\":2}", false, "an extra key differs" },
    { "{\"x\":1,\"z\":2}", "{\"x\":1}", false, "a missing key differs" },
    { "{\"x\":null}", "{}", false, "null is not absent" },
    { "[1,2]", "[2,1]", false, "array order matters" },
    { "[1]", "[1,1]", false, "array lengths differ" },
    { "{\"v\":1,\"x\":2}", "{\"v\":3,\"x\":2}", true, "a skipped key is ignored" },
    { "{\"v\":1}", "{}", true, "a skipped key may be absent" },
    { "[{\"v\":1}]", "[{\"v\":2}]", true, "skip applies to an array's elements" },
    { "{\"o\":{\"v\":1}}", "{\"o\":{\"v\":2}}", false, "skip is not applied deeper" },
    { "true", "false", false, "true is not false" },
  };

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      yajl_val a = tree_of (cases[i].a), b = tree_of (cases[i].b);
      ok (a && b && json_doc_equal (a, b, skip) == cases[i].equal, "json_doc_equal: %s",
          cases[i].what);
      yajl_tree_free (a);
      yajl_tree_free (b);
    }
  {
    yajl_val one = tree_of ("1");
    ok (json_doc_equal (NULL, NULL, NULL) && !json_doc_equal (one, NULL, NULL)
            && !json_doc_equal (NULL, one, NULL),
        "json_doc_equal: NULL equals only NULL");
    yajl_tree_free (one);
  }
}

static void
test_spec_default (bool rootless)
{
  static const char *const skip[] = { "ociVersion", "hostname", NULL };
  const char *label = rootless ? "spec --rootless" : "spec";
  const char *fixture = rootless ? "runc-rootless.json" : "runc.json";
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *ours = NULL, *runc = read_fixture (fixture);
  struct oci_config *c = NULL;
  size_t len = 0;
  yajl_val t1, t2;

  if (!ok (oci_spec_default_json (rootless, &ours, &len, &err) == 0, "%s: written", label))
    return;
  is_int (len, strlen (ours), "%s: length", label);
  t1 = tree_of (ours);
  t2 = runc ? tree_of (runc) : NULL;
  ok (t1 && t2 && json_doc_equal (t1, t2, skip), "%s: same tree as %s", label, fixture);
  is_str (YAJL_GET_STRING (yajl_tree_get (t1, (const char *[]){ "ociVersion", NULL },
                                          yajl_t_string)), OCI_VERSION, "%s: ociVersion", label);
  yajl_tree_free (t1);
  yajl_tree_free (t2);
  if (!ok (oci_config_parse_data ("config.json", ours, len, &c, &err) == 0,
           "%s: parses back", label))
    printf ("# %s\n", err->message);
  else
    is_str (c->hostname, "husk", "%s: hostname", label);
  oci_config_free (c);
}

static void
test_state_round_trip (bool pretty)
{
  char *keys[] = { "org.example.a", "b", NULL }, *values[] = { "1", "two \"quoted\"", NULL };
  struct oci_state in = {
    .oci_version = (char *) "1.2.0", .id = (char *) "web-1", .status = OCI_STATUS_RUNNING,
    .pid = 4242, .bundle = (char *) "/run/bundles/web 1",
    .annotations = { .keys = keys, .values = values, .len = 2 },
  };
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *json = NULL;
  struct oci_state *out = NULL;
  size_t len = 0;

  if (!ok (oci_state_to_json (&in, pretty, &json, &len, &err) == 0, "state written (pretty=%d)",
           pretty))
    return;
  ok ((strchr (json, '\n') != NULL) == pretty, "state pretty=%d has newlines iff pretty", pretty);
  if (!ok (oci_state_parse_data ("state.json", json, len, &out, &err) == 0, "state parses back"))
    {
      printf ("# %s\n", err->message);
      return;
    }
  is_str (out->oci_version, "1.2.0", "state ociVersion");
  is_str (out->id, "web-1", "state id");
  is_int (out->status, OCI_STATUS_RUNNING, "state status");
  is_int (out->pid, 4242, "state pid");
  is_str (out->bundle, "/run/bundles/web 1", "state bundle");
  is_int (out->annotations.len, 2, "state annotations");
  is_str (oci_map_get (&out->annotations, "b"), "two \"quoted\"", "state annotation b");
  oci_state_free (out);
}

static void
test_state_stopped (void)
{
  struct oci_state in = { .id = (char *) "x", .status = OCI_STATUS_STOPPED, .bundle = (char *) "/b" };
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *json = NULL;
  size_t len = 0;

  ok (oci_state_to_json (&in, false, &json, &len, &err) == 0, "stopped state written");
  is_str (json, "{\"ociVersion\":\"1.2.0\",\"id\":\"x\",\"status\":\"stopped\","
          "\"bundle\":\"/b\"}", "stopped state: no pid, no annotations");
}

static void
test_state_errors (void)
{
  static const struct { const char *doc, *msg; } cases[] = {
    { "{\"ociVersion\":\"1.2.0\",\"id\":\"x\",\"status\":\"dancing\",\"bundle\":\"/b\"}",
      "state.json: status: unknown status \"dancing\"" },
    { "{\"ociVersion\":\"1.2.0\",\"status\":\"created\",\"bundle\":\"/b\"}",
      "state.json: id: required" },
    { "{\"ociVersion\":\"1.2.0\",\"id\":\"x\",\"status\":\"created\",\"pid\":-1,"
      "\"bundle\":\"/b\"}", "state.json: pid: -1 is out of range (0..2147483647)" },
    { "[]", "state.json: expected an object, got an array" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      cleanup_error struct husk_error *err = NULL;
      struct oci_state *s = NULL;
      ok (oci_state_parse_data (NULL, cases[i].doc, strlen (cases[i].doc), &s, &err) < 0
              && s == NULL, "bad state %zu refused", i);
      is_str (err ? err->message : NULL, cases[i].msg, "bad state %zu message", i);
    }
  for (int st = OCI_STATUS_CREATING; st <= OCI_STATUS_PAUSED; st++)
    is_int (oci_status_from_name (oci_status_name ((enum oci_status) st)), st, "status %s",
            oci_status_name ((enum oci_status) st));
  is_int (oci_status_from_name ("nope"), -1, "unknown status name");
}

static yajl_val
get (yajl_val t, const char *a, const char *b, const char *c)
{
  const char *path[] = { a, b, c, NULL };
  return yajl_tree_get (t, path, yajl_t_any);
}

static bool
array_has (yajl_val arr, const char *s)
{
  for (size_t i = 0; YAJL_IS_ARRAY (arr) && i < arr->u.array.len; i++)
    if (YAJL_IS_STRING (arr->u.array.values[i]) && !strcmp (arr->u.array.values[i]->u.string, s))
      return true;
  return false;
}

static void
test_features (void)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *json = NULL;
  size_t len = 0;
  yajl_val t;

  if (!ok (oci_features_to_json (false, &json, &len, &err) == 0, "features written"))
    return;
  t = tree_of (json);
  if (!ok (YAJL_IS_OBJECT (t), "features is a JSON object"))
    return;
  is_str (YAJL_GET_STRING (get (t, "ociVersionMin", NULL, NULL)), "1.0.0", "ociVersionMin");
  is_str (YAJL_GET_STRING (get (t, "ociVersionMax", NULL, NULL)), OCI_VERSION, "ociVersionMax");
  ok (array_has (get (t, "hooks", NULL, NULL), "createRuntime"), "hooks has createRuntime");
  ok (array_has (get (t, "mountOptions", NULL, NULL), "rbind"), "mountOptions has rbind");
  ok (array_has (get (t, "mountOptions", NULL, NULL), "tmpcopyup"), "mountOptions has tmpcopyup");
  is_int (get (t, "mountOptions", NULL, NULL)->u.array.len, 62, "62 mount options, as runc");
  ok (array_has (get (t, "linux", "namespaces", NULL), "time"), "namespaces has time");
  ok (array_has (get (t, "linux", "capabilities", NULL), "CAP_CHOWN"), "caps has CAP_CHOWN");
  ok (array_has (get (t, "linux", "capabilities", NULL), "CAP_CHECKPOINT_RESTORE"),
      "caps has CAP_CHECKPOINT_RESTORE (libcap's last)");
  ok (YAJL_IS_TRUE (get (t, "linux", "cgroup", "v2")), "cgroup.v2");
  ok (YAJL_IS_FALSE (get (t, "linux", "cgroup", "systemd")), "cgroup.systemd false");
  ok (YAJL_IS_TRUE (get (t, "linux", "seccomp", "enabled")), "seccomp.enabled");
  ok (array_has (get (t, "linux", "seccomp", "actions"), "SCMP_ACT_NOTIFY"), "seccomp actions");
  ok (array_has (get (t, "linux", "seccomp", "operators"), "SCMP_CMP_MASKED_EQ"), "operators");
  ok (array_has (get (t, "linux", "seccomp", "archs"), "SCMP_ARCH_X86_64"), "archs");
  ok (array_has (get (t, "linux", "seccomp", "knownFlags"), "SECCOMP_FILTER_FLAG_LOG"), "flags");
  ok (YAJL_IS_ARRAY (get (t, "linux", "seccomp", "supportedFlags")), "supportedFlags");
  ok (YAJL_IS_FALSE (get (t, "linux", "apparmor", "enabled")), "apparmor disabled");
  ok (YAJL_IS_FALSE (get (t, "linux", "selinux", "enabled")), "selinux disabled");
  ok (YAJL_IS_OBJECT (get (t, "linux", "intelRdt", NULL)), "intelRdt");
  ok (YAJL_IS_OBJECT (get (t, "linux", "mountExtensions", "idmap")), "mountExtensions.idmap");
  {
    const char *p[] = { "annotations", "org.opencontainers.runc.checkpoint.enabled", NULL };
    ok (YAJL_IS_STRING (yajl_tree_get (t, p, yajl_t_any)), "runc annotations");
  }
  yajl_tree_free (t);
}

static void
test_process_json (void)
{
  static const char doc[] = "{\"args\":[\"ls\",\"-l\"],\"cwd\":\"/tmp\",\"env\":[\"A=b\"],"
                            "\"user\":{\"uid\":1,\"gid\":2},\"terminal\":false}";
  static const char bad[] = "{\"args\":[\"ls\"],\"cwd\":\"tmp\",\"user\":{\"uid\":1,\"gid\":2}}";
  static const char bad_type[] = "{\"args\":[\"ls\"],\"cwd\":\"/\",\"user\":{\"uid\":\"root\"}}";
  cleanup_error struct husk_error *err = NULL;
  struct oci_process *p = NULL;

  if (ok (oci_process_parse_data (NULL, doc, strlen (doc), &p, &err) == 0, "process.json parses"))
    {
      is_int (p->args_len, 2, "process.json args");
      is_str (p->args[1], "-l", "process.json args[1]");
      is_str (p->cwd, "/tmp", "process.json cwd");
      is_int (p->user.gid, 2, "process.json user.gid");
    }
  oci_process_free (p);
  p = NULL;
  ok (oci_process_parse_data (NULL, bad, strlen (bad), &p, &err) < 0, "relative cwd refused");
  is_str (err ? err->message : NULL, "process.json: cwd: must be absolute, got \"tmp\"",
          "process.json paths have no process. prefix");
  husk_error_release (&err);
  ok (oci_process_parse_data ("p.json", bad_type, strlen (bad_type), &p, &err) < 0,
      "string uid refused");
  is_str (err ? err->message : NULL, "p.json: user.uid: expected an integer, got a string",
          "process.json type error names the file given");
}

static void
test_resources_json (void)
{
  static const char doc[] = "{\"memory\":{\"limit\":1048576},\"pids\":{\"limit\":-1},"
                            "\"cpu\":{\"cpus\":\"0\"}}";
  static const char bad[] = "{\"pids\":{}}";
  cleanup_error struct husk_error *err = NULL;
  struct oci_resources *r = NULL;

  if (ok (oci_resources_parse_data (NULL, doc, strlen (doc), &r, &err) == 0,
          "resources.json parses"))
    {
      ok (r->memory->limit.set && r->memory->limit.value == 1048576, "memory.limit");
      is_int (r->pids->limit, -1, "pids.limit -1 (unlimited)");
      is_str (r->cpu->cpus, "0", "cpu.cpus");
      ok (r->block_io == NULL, "absent blockIO is NULL");
    }
  oci_resources_free (r);
  r = NULL;
  ok (oci_resources_parse_data (NULL, bad, strlen (bad), &r, &err) < 0, "pids without limit");
  is_str (err ? err->message : NULL, "resources.json: pids.limit: required", "message");
}

static bool
valid_utf8 (const char *s)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  bool good;

  yajl_gen_config (g, yajl_gen_validate_utf8, 1);
  good = yajl_gen_string (g, (const unsigned char *) s, strlen (s)) == yajl_gen_status_ok;
  yajl_gen_free (g);
  return good;
}

/* Values cut to a length in messages must not end in half a character. */
static void
test_message_utf8 (void)
{
  cleanup_error struct husk_error *err = NULL;
  cleanup_free char *doc = NULL, *key = calloc (1, 402);
  struct oci_config *c = NULL;

  key[0] = 'a'; /* so that a cut at 64 bytes falls inside a character */
  for (int i = 0; i < 200; i++)
    memcpy (key + 1 + 2 * i, "\xc3\xa9", 2); /* é */
  if (asprintf (&doc, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"hostname\":\"h\","
                "\"annotations\":{\"%s\":1}}", key) < 0)
    abort ();
  ok (oci_config_parse_data (NULL, doc, strlen (doc), &c, &err) < 0, "long UTF-8 key refused");
  ok (err && valid_utf8 (err->message), "message is valid UTF-8: %s", err ? err->message : "");
}

int
main (void)
{
  test_json_doc_equal ();
  test_process_json ();
  test_resources_json ();
  test_message_utf8 ();
  test_state_round_trip (false);
  test_state_round_trip (true);
  test_state_stopped ();
  test_state_errors ();
  test_features ();
  test_spec_default (false);
  if (getuid () == 0)
    test_spec_default (true); /* the fixture was saved as root: hostID 0 */
  return tap_done ();
}

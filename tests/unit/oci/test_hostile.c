/* Hostile config.json documents: each is refused with a clean message that
 * names the file, the JSON path and the value, and nothing crashes, hangs
 * or leaks (run under ASan and valgrind).  The corpus lives in
 * tests/fixtures/specs/hostile/; the big ones are generated here. */
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_tree.h>

#include "cleanup.h"
#include "config.h"
#include "tap.h"

static const struct {
  const char *file;
  const char *message; /* NULL: must parse */
} corpus[] = {
  { "annotation-number.json",
    "config.json: annotations[\"org.example\"]: expected a string, got a number" },
  { "args-empty.json",
    "config.json: process.args: at least one entry is required" },
  { "args-null.json",
    "config.json: process.args: at least one entry is required" },
  { "args-string.json",
    "config.json: process.args: expected an array, got a string" },
  { "blkio-weight-range.json",
    "config.json: linux.resources.blockIO.weight: 5 is out of range (10..1000)" },
  { "blkio-weight-uint16.json",
    "config.json: linux.resources.blockIO.weight: 70000 is out of range (max 65535)" },
  { "bool-array-element.json",
    "config.json: process.capabilities.bounding[0]: expected a string, got a boolean" },
  { "cgroups-path-dotdot.json",
    "config.json: linux.cgroupsPath: \"/husk/../../etc\" must not contain \"..\"" },
  { "comment.json",
    "config.json: invalid JSON near byte 23: lexical error: probable comment found in input text, comments are not enabled." },
  { "cwd-missing.json",
    "config.json: process.cwd: required" },
  { "cwd-relative.json",
    "config.json: process.cwd: must be absolute, got \"work\"" },
  { "device-bad-type.json",
    "config.json: linux.devices[0].type: unknown device type \"x\"" },
  { "device-cgroup-access.json",
    "config.json: linux.resources.devices[0].access: \"rwx\" is not a subset of rwm" },
  { "device-cgroup-allow-missing.json",
    "config.json: linux.resources.devices[0].allow: required" },
  { "device-cgroup-type.json",
    "config.json: linux.resources.devices[0].type: unknown device type \"p\"" },
  { "device-path-relative.json",
    "config.json: linux.devices[0].path: must be absolute, got \"dev/null\"" },
  { "domainname-without-uts.json",
    "config.json: domainname: \"example.org\" needs a new uts namespace" },
  { "duplicate-deep-key.json",
    "config.json: x.y[1]: duplicate key \"a\"" },
  { "duplicate-key.json",
    "config.json: process: duplicate key \"cwd\"" },
  { "duplicate-top-key.json",
    "config.json: duplicate key \"ociVersion\"" },
  { "empty.json",
    "config.json: empty document" },
  { "env-number.json",
    "config.json: process.env[1]: expected a string, got a number" },
  { "escaped-nul-key.json",
    "config.json: invalid JSON near byte 67: a string contains \\u0000" },
  { "escaped-nul.json",
    "config.json: invalid JSON near byte 54: a string contains \\u0000" },
  { "gid-negative.json",
    "config.json: process.user.gid: must not be negative, got -1" },
  { "hook-relative.json",
    "config.json: hooks.poststart[0].path: must be absolute, got \"hook\"" },
  { "hook-timeout-zero.json",
    "config.json: hooks.createRuntime[0].timeout: must be greater than zero, got 0" },
  { "hooks-array.json",
    "config.json: hooks: expected an object, got an array" },
  { "hostname-without-uts.json",
    "config.json: hostname: \"box\" needs a new uts namespace" },
  { "invalid-utf8.json",
    "config.json: invalid JSON near byte 55: lexical error: invalid bytes in UTF8 string." },
  { "ioprio-class.json",
    "config.json: process.ioPriority.class: unknown class \"IOPRIO_CLASS_SOMETIMES\"" },
  { "ioprio-priority.json",
    "config.json: process.ioPriority.priority: 8 is out of range (0..7)" },
  { "key-quoted-path.json",
    "config.json: annotations[\"org.example/x\"]: expected a string, got an array" },
  { "linux-array.json",
    "config.json: linux: expected an object, got an array" },
  { "long-key-duplicate.json",
    "config.json: annotations: duplicate key \"kkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkkk\"" },
  { "mapping-size-missing.json",
    "config.json: linux.uidMappings[0].size: required" },
  { "mappings-without-userns.json",
    "config.json: linux.uidMappings: given without a user namespace" },
  { "masked-relative.json",
    "config.json: linux.maskedPaths[0]: must be absolute, got \"proc/kcore\"" },
  { "minimal.json", NULL },
  { "mount-idmap-half.json",
    "config.json: mounts[0]: uidMappings and gidMappings must be given together" },
  { "mount-no-destination.json",
    "config.json: mounts[0].destination: required" },
  { "mount-string.json",
    "config.json: mounts[0]: expected an object, got a string" },
  { "mounts-object.json",
    "config.json: mounts: expected an array, got an object" },
  { "namespace-duplicate.json",
    "config.json: linux.namespaces[3].type: duplicate namespace \"pid\"" },
  { "namespace-path-relative.json",
    "config.json: linux.namespaces[3].path: must be absolute, got \"netns\"" },
  { "namespace-type-missing.json",
    "config.json: linux.namespaces[3].type: required" },
  { "namespaces-object.json",
    "config.json: linux.namespaces: expected an array, got an object" },
  { "netdevice-bad-name.json",
    "config.json: linux.netDevices[\"eth0\"].name: invalid interface name \"a/b\"" },
  { "netdevices-without-netns.json",
    "config.json: linux.netDevices: given without a network namespace" },
  { "no-version.json",
    "config.json: ociVersion: required" },
  { "not-json.txt",
    "config.json: invalid JSON near byte 1: lexical error: invalid char in json text." },
  { "nul-byte.json",
    "config.json: invalid JSON near byte 39: lexical error: invalid character inside string." },
  { "nulls-are-absent.json", NULL },
  { "oom-score-adj.json",
    "config.json: process.oomScoreAdj: 1001 is out of range (-1000..1000)" },
  { "personality-domain.json",
    "config.json: linux.personality.domain: unknown domain \"WINDOWS\"" },
  { "propagation-unknown.json",
    "config.json: linux.rootfsPropagation: unknown propagation \"sideways\"" },
  { "rlimit-duplicate.json",
    "config.json: process.rlimits[1].type: duplicate rlimit \"RLIMIT_NOFILE\"" },
  { "rlimit-negative.json",
    "config.json: process.rlimits[0].soft: must not be negative, got -1" },
  { "rlimit-soft-above-hard.json",
    "config.json: process.rlimits[0]: soft limit 10 is above hard limit 5" },
  { "rlimit-unknown.json",
    "config.json: process.rlimits[0].type: unknown rlimit \"RLIMIT_FOO\"" },
  { "root-missing.json",
    "config.json: root: required" },
  { "root-path-missing.json",
    "config.json: root.path: required" },
  { "scheduler-flag.json",
    "config.json: process.scheduler.flags[0]: unknown flag \"SCHED_FLAG_TURBO\"" },
  { "scheduler-nice.json",
    "config.json: process.scheduler.nice: 20 is out of range (-20..19)" },
  { "scheduler-policy.json",
    "config.json: process.scheduler.policy: unknown policy \"SCHED_FAST\"" },
  { "seccomp-arg-index.json",
    "config.json: linux.seccomp.syscalls[0].args[0].index: 6 is out of range (0..5)" },
  { "seccomp-bad-action.json",
    "config.json: linux.seccomp.defaultAction: unknown seccomp action \"SCMP_ACT_MAYBE\"" },
  { "seccomp-bad-arch.json",
    "config.json: linux.seccomp.architectures[0]: unknown architecture \"SCMP_ARCH_Z80\"" },
  { "seccomp-bad-flag.json",
    "config.json: linux.seccomp.flags[0]: unknown flag \"SECCOMP_FILTER_FLAG_YOLO\"" },
  { "seccomp-bad-op.json",
    "config.json: linux.seccomp.syscalls[0].args[0].op: unknown seccomp operator \"SCMP_CMP_ABOUT\"" },
  { "seccomp-listener-relative.json",
    "config.json: linux.seccomp.listenerPath: must be absolute, got \"agent.sock\"" },
  { "seccomp-names-empty.json",
    "config.json: linux.seccomp.syscalls[0].names: at least one name is required" },
  { "seccomp-no-default.json",
    "config.json: linux.seccomp.defaultAction: required" },
  { "seccomp-notify-no-listener.json",
    "config.json: linux.seccomp.listenerPath: required when an action is SCMP_ACT_NOTIFY" },
  { "seccomp-value-negative.json",
    "config.json: linux.seccomp.syscalls[0].args[0].value: must not be negative, got -1" },
  { "single-quotes.json",
    "config.json: invalid JSON near byte 2: lexical error: invalid char in json text." },
  { "swappiness-101.json",
    "config.json: linux.resources.memory.swappiness: 101 is out of range (0..100)" },
  { "sysctl-host-ipc.json",
    "config.json: linux.sysctl: \"kernel.shmmax\" needs a new ipc namespace" },
  { "sysctl-host-network.json",
    "config.json: linux.sysctl: \"net.ipv4.ip_forward\" needs a new network namespace" },
  { "sysctl-hostname.json",
    "config.json: linux.sysctl: \"kernel.hostname\" is not allowed, use the hostname field" },
  { "sysctl-not-namespaced.json",
    "config.json: linux.sysctl: \"vm.swappiness\" is not in a namespace of the container's own" },
  { "sysctl-slashes.json",
    "config.json: linux.sysctl: \"net/ipv4/ip_forward\" needs a new network namespace" },
  { "terminal-string.json",
    "config.json: process.terminal: expected a boolean, got a string" },
  { "time-offsets-nanosecs.json",
    "config.json: linux.timeOffsets.boottime.nanosecs: 1000000000 is out of range (0..999999999)" },
  { "time-offsets-without-timens.json",
    "config.json: linux.timeOffsets.monotonic: given without a time namespace" },
  { "top-array.json",
    "config.json: expected an object, got an array" },
  { "top-string.json",
    "config.json: expected an object, got a string" },
  { "trailing-comma.json",
    "config.json: invalid JSON near byte 43: parse error: invalid object key (must be a string)" },
  { "trailing-garbage.json",
    "config.json: invalid JSON near byte 44: parse error: trailing garbage" },
  { "true-as-number.json",
    "config.json: root.readonly: expected a boolean, got a number" },
  { "truncated.json",
    "config.json: invalid JSON near byte 66: parse error: premature EOF" },
  { "uid-exponent.json",
    "config.json: process.user.uid: expected an integer, got 1000.0" },
  { "uid-float.json",
    "config.json: process.user.uid: expected an integer, got 1.5" },
  { "uid-huge.json",
    "config.json: process.user.uid: 99999999999999999999999999 is out of range (max 4294967295)" },
  { "uid-mapping-hostid-string.json",
    "config.json: linux.uidMappings[0].hostID: expected an integer, got a string" },
  { "uid-too-big.json",
    "config.json: process.user.uid: 4294967296 is out of range (max 4294967295)" },
  { "umask-too-big.json",
    "config.json: process.user.umask: 4294967296 is out of range (max 4294967295)" },
  { "unknown-fields.json", NULL },
  { "unknown-namespace.json",
    "config.json: linux.namespaces[3].type: unknown namespace \"foo\"" },
  { "version-2.json",
    "config.json: ociVersion: unsupported version \"2.0.0\" (husk implements 1.x)" },
  { "version-number.json",
    "config.json: ociVersion: expected a string, got a number" },
  { "whitespace.json",
    "config.json: empty document" },
};

static char *
slurp (const char *path, size_t *len)
{
  cleanup_fclose FILE *f = fopen (path, "rb");
  char *buf;
  long n;

  if (f == NULL || fseek (f, 0, SEEK_END) < 0 || (n = ftell (f)) < 0)
    return NULL;
  rewind (f);
  buf = malloc ((size_t) n + 1);
  if (buf && fread (buf, 1, (size_t) n, f) != (size_t) n)
    {
      free (buf);
      return NULL;
    }
  buf[n] = '\0';
  *len = (size_t) n;
  return buf;
}

/* Parses `len` bytes and checks the outcome: want == NULL means success. */
static void
expect (const char *label, const char *data, size_t len, const char *want)
{
  cleanup_error struct husk_error *err = NULL;
  struct oci_config *c = NULL;
  int ret = oci_config_parse_data ("config.json", data, len, &c, &err);

  if (want == NULL)
    {
      if (!ok (ret == 0 && c != NULL, "%s: parses", label))
        printf ("#   error: %s\n", err ? err->message : "(none)");
    }
  else
    {
      ok (ret < 0 && c == NULL && err != NULL, "%s: refused", label);
      is_str (err ? err->message : NULL, want, "%s: message", label);
    }
  oci_config_free (c);
}

static void
test_corpus (void)
{
  for (size_t i = 0; i < sizeof corpus / sizeof corpus[0]; i++)
    {
      cleanup_free char *path = NULL, *data = NULL;
      size_t len = 0;

      if (asprintf (&path, "%s/hostile/%s", HUSK_SPEC_FIXTURES, corpus[i].file) < 0)
        abort ();
      data = slurp (path, &len);
      if (!ok (data != NULL, "read %s", corpus[i].file))
        continue;
      expect (corpus[i].file, data, len, corpus[i].message);
    }
}

/* `depth` brackets of `open`, then the matching closes, inside a valid
 * config's unknown field (so only the depth can be wrong). */
static char *
nested (size_t depth, const char *open, const char *close, size_t *len)
{
  static const char head[] = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"x\":";
  size_t ol = strlen (open), cl = strlen (close), hl = sizeof head - 1;
  char *buf = malloc (hl + depth * (ol + cl) + 2);
  char *p = buf;

  if (buf == NULL)
    abort ();
  memcpy (p, head, hl);
  p += hl;
  for (size_t i = 0; i < depth; i++, p += ol)
    memcpy (p, open, ol);
  for (size_t i = 0; i < depth; i++, p += cl)
    memcpy (p, close, cl);
  *p++ = '}';
  *len = (size_t) (p - buf);
  return buf;
}

static void
test_nesting (void)
{
  size_t len;
  char *doc;

  doc = nested (1000000, "[", "]", &len);
  expect ("1,000,000 nested arrays", doc, len, "config.json: nesting deeper than 64");
  free (doc);
  doc = nested (1000000, "{\"a\":", "}", &len);
  expect ("1,000,000 nested objects", doc, len, "config.json: nesting deeper than 64");
  free (doc);
  doc = nested (1000000, "[", "", &len); /* never closed */
  expect ("1,000,000 unclosed arrays", doc, len, "config.json: nesting deeper than 64");
  free (doc);
  doc = nested (63, "[", "]", &len); /* the top object is level 1 */
  expect ("64 levels", doc, len, NULL);
  free (doc);
  doc = nested (64, "[", "]", &len);
  expect ("65 levels", doc, len, "config.json: nesting deeper than 64");
  free (doc);
}

static char *
fill (size_t n, const char *head, char c, const char *tail, size_t *len)
{
  size_t hl = strlen (head), tl = strlen (tail);
  char *buf = malloc (hl + n + tl + 1);

  if (buf == NULL)
    abort ();
  memcpy (buf, head, hl);
  memset (buf + hl, c, n);
  memcpy (buf + hl + n, tail, tl + 1);
  *len = hl + n + tl;
  return buf;
}

static void
test_sizes (void)
{
  static const char base[] = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},"
                             "\"linux\":{\"namespaces\":[{\"type\":\"uts\"}]},\"hostname\":\"";
  cleanup_error struct husk_error *err = NULL;
  struct oci_config *c = NULL;
  size_t len;
  char *doc;

  doc = fill (64u << 20, "", ' ', "{}", &len);
  expect ("64 MiB + 2 bytes", doc, len,
          "config.json: document of 67108866 bytes is larger than the 64 MiB limit");
  free (doc);
  doc = fill (32u << 20, base, 'h', "\"}", &len);
  ok (oci_config_parse_data ("config.json", doc, len, &c, &err) == 0, "32 MiB string parses");
  ok (c && strlen (c->hostname) == 32u << 20, "32 MiB string kept whole");
  oci_config_free (c);
  free (doc);
}

/* An args array of 500,000 strings, an object of 100,000 keys (sized to
 * stay quick under ASan). */
static void
test_wide (void)
{
  cleanup_error struct husk_error *err = NULL;
  struct oci_config *c = NULL;
  const size_t n = 500000, keys = 100000;
  char *doc = malloc (n * 4 + keys * 16 + 256), *p = doc;
  clock_t start = clock ();

  p += sprintf (p, "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"},\"annotations\":{");
  for (size_t i = 0; i < keys; i++)
    p += sprintf (p, "%s\"k%zu\":\"\"", i ? "," : "", i);
  p += sprintf (p, "},\"process\":{\"cwd\":\"/\",\"user\":{\"uid\":0,\"gid\":0},\"args\":[");
  for (size_t i = 0; i < n; i++)
    p += sprintf (p, "%s\"a\"", i ? "," : "");
  p += sprintf (p, "]}}");
  ok (oci_config_parse_data ("config.json", doc, (size_t) (p - doc), &c, &err) == 0,
      "500,000 args and 100,000 annotations parse");
  ok (c && c->process->args_len == n && c->annotations.len == keys, "all of them kept");
  ok ((clock () - start) / CLOCKS_PER_SEC < 20, "in reasonable time");
  oci_config_free (c);
  free (doc);
}

static void
test_bytes (void)
{
  static const char nul_after[] = "{\"ociVersion\":\"1.2.0\",\"root\":{\"path\":\"r\"}}\0junk";
  static const char nul_first[] = "\0{}";

  expect ("NUL after the document", nul_after, sizeof nul_after - 1,
          "config.json: invalid JSON near byte 43: parse error: trailing garbage");
  expect ("NUL first", nul_first, sizeof nul_first - 1,
          "config.json: invalid JSON near byte 1: lexical error: invalid char in json text.");
  expect ("no data", NULL, 0, "config.json: empty document");
}

/* Every proper prefix of a valid document is refused cleanly (runc's
 * default spec: the kitchen sink's 5,600 prefixes are slow under ASan). */
static void
test_truncations (void)
{
  size_t len = 0, refused = 0, clean = 0;
  cleanup_free char *data = slurp (HUSK_SPEC_FIXTURES "/runc.json", &len);

  if (!ok (data != NULL, "read runc.json"))
    return;
  for (size_t n = 0; n < len - 1; n++)
    {
      cleanup_error struct husk_error *err = NULL;
      struct oci_config *c = NULL;
      if (oci_config_parse_data ("config.json", data, n, &c, &err) < 0)
        {
          refused++;
          clean += strncmp (err->message, "config.json: ", 13) == 0;
        }
      oci_config_free (c);
    }
  is_int (refused, len - 1, "all %zu truncations refused", len - 1);
  is_int (clean, len - 1, "all with a config.json: message");
}

static void
gen_tree (yajl_gen g, yajl_val v)
{
  switch (v->type)
    {
    case yajl_t_string:
      yajl_gen_string (g, (const unsigned char *) v->u.string, strlen (v->u.string));
      break;
    case yajl_t_number:
      yajl_gen_number (g, v->u.number.r, strlen (v->u.number.r));
      break;
    case yajl_t_object:
      yajl_gen_map_open (g);
      for (size_t i = 0; i < v->u.object.len; i++)
        {
          const char *k = v->u.object.keys[i];
          yajl_gen_string (g, (const unsigned char *) k, strlen (k));
          gen_tree (g, v->u.object.values[i]);
        }
      yajl_gen_map_close (g);
      break;
    case yajl_t_array:
      yajl_gen_array_open (g);
      for (size_t i = 0; i < v->u.array.len; i++)
        gen_tree (g, v->u.array.values[i]);
      yajl_gen_array_close (g);
      break;
    case yajl_t_true: yajl_gen_bool (g, 1); break;
    case yajl_t_false: yajl_gen_bool (g, 0); break;
    default: yajl_gen_null (g); break;
    }
}

struct mutation_run {
  yajl_val root;
  size_t tried, refused, clean, wrong_accepted;
};

static void
try_document (struct mutation_run *m, bool must_refuse, const char *where)
{
  yajl_gen g = yajl_gen_alloc (NULL);
  cleanup_error struct husk_error *err = NULL;
  struct oci_config *c = NULL;
  const unsigned char *buf;
  size_t len;

  gen_tree (g, m->root);
  yajl_gen_get_buf (g, &buf, &len);
  m->tried++;
  if (oci_config_parse_data ("config.json", (const char *) buf, len, &c, &err) < 0)
    {
      m->refused++;
      m->clean += strncmp (err->message, "config.json: ", 13) == 0
                  && strstr (err->message, "(null)") == NULL;
    }
  else if (must_refuse)
    {
      m->wrong_accepted++;
      printf ("# accepted a wrong type at %s\n", where);
    }
  oci_config_free (c);
  yajl_gen_free (g);
}

/* Replaces every value of the kitchen sink, one at a time, by a value of
 * each other JSON type.  Outside the unknown field, a wrong non-null type
 * must always be refused. */
static void
mutate_all (struct mutation_run *m, yajl_val v, bool in_unknown, const char *where)
{
  static char str[] = "x", num[] = "7";
  struct yajl_val_s others[] = {
    { .type = yajl_t_string, .u.string = str },
    { .type = yajl_t_number, .u.number = { .i = 7, .r = num, .flags = YAJL_NUMBER_INT_VALID } },
    { .type = yajl_t_object },
    { .type = yajl_t_array },
    { .type = yajl_t_true },
    { .type = yajl_t_null },
  };
  bool is_obj = YAJL_IS_OBJECT (v);
  size_t n = is_obj ? v->u.object.len : YAJL_IS_ARRAY (v) ? v->u.array.len : 0;

  for (size_t i = 0; i < n; i++)
    {
      yajl_val *slot = is_obj ? &v->u.object.values[i] : &v->u.array.values[i];
      const char *key = is_obj ? v->u.object.keys[i] : where;
      bool unknown = in_unknown || (is_obj && strcmp (key, "x-unknown-field") == 0);
      yajl_val saved = *slot;
      for (size_t k = 0; k < sizeof others / sizeof others[0]; k++)
        {
          bool same = others[k].type == saved->type
                      || (others[k].type == yajl_t_true && saved->type == yajl_t_false);
          if (same)
            continue;
          *slot = &others[k];
          try_document (m, !unknown && others[k].type != yajl_t_null, key);
        }
      *slot = saved;
      mutate_all (m, saved, unknown, key);
    }
}

static void
test_wrong_types_everywhere (void)
{
  size_t len = 0;
  cleanup_free char *data = slurp (HUSK_SPEC_FIXTURES "/kitchen-sink.json", &len);
  struct mutation_run m = { 0 };
  char errbuf[128];

  if (!ok (data != NULL, "read kitchen-sink.json"))
    return;
  m.root = yajl_tree_parse (data, errbuf, sizeof errbuf);
  mutate_all (&m, m.root, false, "");
  yajl_tree_free (m.root);
  ok (m.tried > 1000, "%zu mutated documents", m.tried);
  is_int (m.wrong_accepted, 0, "no wrong type accepted");
  is_int (m.clean, m.refused, "every refusal has a clean message (%zu)", m.refused);
}

int
main (void)
{
  test_corpus ();
  test_nesting ();
  test_sizes ();
  test_wide ();
  test_bytes ();
  test_truncations ();
  test_wrong_types_everywhere ();
  return tap_done ();
}

/* Manifests as people write them in YAML, read as Kubernetes reads them. */
#include <stdlib.h>
#include <string.h>

#include "jv.h"
#include "tap.h"
#include "yaml_json.h"

static char *
to_json (const char *yaml)
{
  struct husk_error *err = NULL;
  yajl_val docs = NULL;
  char *out;
  if (yaml_to_json (yaml, strlen (yaml), &docs, &err) < 0)
    {
      husk_error_release (&err);
      return strdup ("error");
    }
  out = jv_dump (docs, NULL);
  yajl_tree_free (docs);
  return out;
}

static void
check (const char *yaml, const char *want, const char *what)
{
  char *got = to_json (yaml);
  is_str (got, want, "%s", what);
  free (got);
}

int
main (void)
{
  check ("a: 1\nb: true\nc: ~\nd: text\ne: \"1\"\nf: 1.5\ng: 0755\n",
         "[{\"a\":1,\"b\":true,\"c\":null,\"d\":\"text\",\"e\":\"1\",\"f\":1.5,\"g\":\"0755\"}]",
         "plain scalars resolve; quoted stay strings");
  check ("spec:\n  containers:\n  - name: c\n    command: [\"sh\", \"-c\", \"exit 3\"]\n",
         "[{\"spec\":{\"containers\":[{\"name\":\"c\",\"command\":[\"sh\",\"-c\",\"exit 3\"]}]}}]",
         "nested maps and sequences");
  check ("a: 1\n---\nb: 2\n---\n", "[{\"a\":1},{\"b\":2}]", "several documents, empty skipped");
  check ("{\"kind\": \"Pod\", \"n\": 2}", "[{\"kind\":\"Pod\",\"n\":2}]", "JSON is YAML");
  check ("a: [1, 2\n", "error", "a syntax error is an error");

  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&buf, &len);
  yajl_val v = jv_object ();
  struct husk_error *err = NULL;
  jv_set (v, "port", jv_string ("8080"));
  jv_set (v, "enabled", jv_bool (true));
  ok (json_to_yaml (v, f, &err) == 0, "writes YAML");
  fclose (f);
  ok (buf && strstr (buf, "port: '8080'"), "a numeric string is quoted");
  ok (buf && strstr (buf, "enabled: true"), "a boolean is plain");
  free (buf);
  yajl_tree_free (v);
  return tap_done ();
}

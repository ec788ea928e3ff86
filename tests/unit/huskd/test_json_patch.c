/* JSON Patch (RFC 6902): the examples of its appendix A, and failures that
 * leave the target as it was. */
#include <stdlib.h>
#include <string.h>

#include "json_text.h"
#include "jv.h"
#include "patch.h"
#include "tap.h"

/* Applies patch to doc; the result as compact JSON, or "ERR <code>: msg". */
static char *
patched (const char *doc, const char *patch)
{
  cleanup_jv yajl_val d = parse (doc), p = parse (patch), out = NULL;
  struct api_status *s = api_json_patch (d, p, &out);
  char *text = NULL;
  if (s)
    {
      if (asprintf (&text, "ERR %d: %s", s->code,
                    s->n_causes ? s->causes[0].message : s->message) < 0)
        text = NULL;
      api_status_free (s);
      return text;
    }
  return jv_dump (out, NULL);
}

int
main (void)
{
  static const struct { const char *doc, *patch, *want, *what; } cases[] = {
    { "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz\",\"value\":\"qux\"}]",
      "{\"foo\":\"bar\",\"baz\":\"qux\"}", "A.1 add an object member" },
    { "{\"foo\":[\"bar\",\"baz\"]}", "[{\"op\":\"add\",\"path\":\"/foo/1\",\"value\":\"qux\"}]",
      "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "A.2 add an array element" },
    { "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"remove\",\"path\":\"/baz\"}]",
      "{\"foo\":\"bar\"}", "A.3 remove an object member" },
    { "{\"foo\":[\"bar\",\"qux\",\"baz\"]}", "[{\"op\":\"remove\",\"path\":\"/foo/1\"}]",
      "{\"foo\":[\"bar\",\"baz\"]}", "A.4 remove an array element" },
    { "{\"baz\":\"qux\",\"foo\":\"bar\"}", "[{\"op\":\"replace\",\"path\":\"/baz\",\"value\":\"boo\"}]",
      "{\"baz\":\"boo\",\"foo\":\"bar\"}", "A.5 replace a value" },
    { "{\"foo\":{\"bar\":\"baz\",\"waldo\":\"fred\"},\"qux\":{\"corge\":\"grault\"}}",
      "[{\"op\":\"move\",\"from\":\"/foo/waldo\",\"path\":\"/qux/thud\"}]",
      "{\"foo\":{\"bar\":\"baz\"},\"qux\":{\"corge\":\"grault\",\"thud\":\"fred\"}}", "A.6 move a value" },
    { "{\"foo\":[\"all\",\"grass\",\"cows\",\"eat\"]}",
      "[{\"op\":\"move\",\"from\":\"/foo/1\",\"path\":\"/foo/3\"}]",
      "{\"foo\":[\"all\",\"cows\",\"eat\",\"grass\"]}", "A.7 move an array element" },
    { "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}",
      "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"qux\"},{\"op\":\"test\",\"path\":\"/foo/1\",\"value\":2}]",
      "{\"baz\":\"qux\",\"foo\":[\"a\",2,\"c\"]}", "A.8 test a value: success" },
    { "{\"baz\":\"qux\"}", "[{\"op\":\"test\",\"path\":\"/baz\",\"value\":\"bar\"}]",
      "ERR 422: testing value /baz failed: test failed", "A.9 test a value: error" },
    { "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/child\",\"value\":{\"grandchild\":{}}}]",
      "{\"foo\":\"bar\",\"child\":{\"grandchild\":{}}}", "A.10 add a nested member object" },
    { "{\"foo\":\"bar\"}", "[{\"op\":\"add\",\"path\":\"/baz/bat\",\"value\":\"qux\"}]",
      "ERR 422: add operation does not apply: doc is missing path: \"/baz/bat\"",
      "A.12 add to a nonexistent target" },
    { "{\"/\":9,\"~1\":10}", "[{\"op\":\"test\",\"path\":\"/~01\",\"value\":10}]",
      "{\"/\":9,\"~1\":10}", "A.14 ~ escape ordering" },
    { "{\"foo\":[\"bar\"]}", "[{\"op\":\"add\",\"path\":\"/foo/-\",\"value\":[\"abc\",\"def\"]}]",
      "{\"foo\":[\"bar\",[\"abc\",\"def\"]]}", "A.16 add an array value with -" },
    { "{\"a\":1}", "[{\"op\":\"copy\",\"from\":\"/a\",\"path\":\"/b\"}]", "{\"a\":1,\"b\":1}",
      "copy" },
    { "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"\",\"value\":[1]}]", "[1]",
      "replace the whole document" },
    { "{\"a\":{\"b\":1}}", "[{\"op\":\"move\",\"from\":\"/a\",\"path\":\"/a/c\"}]",
      "ERR 422: move operation: \"/a/c\" is a child of \"/a\"", "move into itself" },
    { "{\"a\":[1]}", "[{\"op\":\"add\",\"path\":\"/a/2\",\"value\":3}]",
      "ERR 422: add operation does not apply: index out of range: \"/a/2\"", "index past the end" },
    { "{\"a\":[1]}", "[{\"op\":\"remove\",\"path\":\"/a/01\"}]",
      "ERR 422: remove operation does not apply: doc is missing path: \"/a/01\"",
      "leading zero is no index" },
    { "{\"a\":1}", "[{\"op\":\"replace\",\"path\":\"/b\",\"value\":2}]",
      "ERR 422: replace operation does not apply: doc is missing path: \"/b\"", "replace a missing member" },
    { "{\"a\":1}", "[{\"op\":\"remove\",\"path\":\"a\"}]",
      "ERR 422: invalid JSON Patch operation: path is not a JSON pointer", "a path without /" },
    { "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/~2\",\"value\":1}]",
      "ERR 422: invalid JSON Patch operation: path is not a JSON pointer", "bad ~ escape" },
    { "{\"a\":1}", "[{\"op\":\"frob\",\"path\":\"/a\"}]", "ERR 422: Unexpected kind: frob", "unknown op" },
    { "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\"}]", "ERR 422: add operation: missing value for \"/b\"",
      "add without value" },
    { "{\"a\":1}", "{\"op\":\"add\"}",
      "ERR 400: json: cannot unmarshal object into Go value of type jsonpatch.Patch", "not a list" },
    { "{\"a\":1}", "[{\"op\":\"add\",\"path\":\"/b\",\"value\":2},{\"op\":\"remove\",\"path\":\"/zz\"}]",
      "ERR 422: remove operation does not apply: doc is missing path: \"/zz\"",
      "a later failure fails the whole patch" },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      char *got = patched (cases[i].doc, cases[i].patch);
      is_str (got, cases[i].want, "%s", cases[i].what);
      free (got);
    }
  /* the target itself is never changed */
  cleanup_jv yajl_val target = parse ("{\"a\":[1,2]}"), ops = parse ("[{\"op\":\"remove\",\"path\":\"/a/0\"}]");
  cleanup_jv yajl_val out = NULL;
  struct api_status *s = api_json_patch (target, ops, &out);
  char *after = jv_dump (target, NULL);
  ok (s == NULL && !strcmp (after, "{\"a\":[1,2]}"), "the target is left as it was");
  free (after);
  return tap_done ();
}

#include "jv.h"
#include "selector.h"
#include "tap.h"

static yajl_val
labels (const char *k1, const char *v1, const char *k2, const char *v2)
{
  yajl_val o = jv_object ();
  if (k1)
    jv_set (o, k1, jv_string (v1));
  if (k2)
    jv_set (o, k2, jv_string (v2));
  return o;
}

static bool
matches (const char *sel, yajl_val l)
{
  struct api_selector s;
  struct api_status *st = api_selector_parse (sel, false, &s);
  bool r;
  if (st)
    {
      api_status_free (st);
      return false;
    }
  r = api_selector_match_labels (&s, l);
  api_selector_free (&s);
  return r;
}

int
main (void)
{
  cleanup_jv yajl_val web = labels ("app", "web", "tier", "front");
  cleanup_jv yajl_val db = labels ("app", "db", NULL, NULL);
  struct api_selector s;
  struct api_status *st;

  ok (matches ("", web), "empty selects all");
  ok (matches ("app=web", web), "equality");
  ok (matches ("app==web", web), "double equals");
  ok (!matches ("app=web", db), "equality mismatch");
  ok (matches ("app!=web", db), "inequality");
  ok (matches ("app=web,tier=front", web), "conjunction");
  ok (!matches ("app=web,tier=back", web), "conjunction mismatch");
  ok (matches ("app in (web, db)", db), "in");
  ok (!matches ("app notin (web,db)", db), "notin");
  ok (matches ("tier", web), "exists");
  ok (!matches ("tier", db), "exists mismatch");
  ok (matches ("!tier", db), "does not exist");
  ok (matches ("app in (web),tier", web), "in then exists");
  st = api_selector_parse ("app=(", false, &s);
  api_selector_free (&s);
  ok (st == NULL, "value with paren is a value");
  api_status_free (st);
  st = api_selector_parse ("a b c", false, &s);
  ok (st && st->code == 400, "garbage is a 400");
  api_status_free (st);

  cleanup_jv yajl_val pod = jv_object ();
  jv_set (jv_obj_at (pod, "metadata"), "name", jv_string ("web"));
  jv_set (jv_obj_at (pod, "status"), "phase", jv_string ("Running"));
  ok (!api_selector_parse ("metadata.name=web,status.phase!=Failed", true, &s), "field selector parses");
  ok (api_selector_match_fields (&s, pod), "field selector matches");
  api_selector_free (&s);
  ok (!api_selector_parse ("status.phase=Pending", true, &s), "second field selector");
  ok (!api_selector_match_fields (&s, pod), "field selector mismatch");
  api_selector_free (&s);
  st = api_selector_parse ("status.phase in (a)", true, &s);
  ok (st != NULL, "field selectors have no set syntax");
  api_status_free (st);
  return tap_done ();
}

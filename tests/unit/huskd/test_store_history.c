/* The store's watch window: at most API_STORE_HISTORY changes of at most
 * API_STORE_HISTORY_BYTES of JSON; a replay inside it gives every change
 * since, whole, and one before it fails with the window's start. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jv.h"
#include "store.h"
#include "tap.h"

static char big[8193];

static int
put_configmap (struct api_store *store, int i)
{
  struct husk_error *err = NULL;
  yajl_val cm = jv_object (), meta = jv_obj_at (cm, "metadata");
  char name[32];
  snprintf (name, sizeof name, "cm%d", i);
  jv_set (meta, "name", jv_string (name));
  jv_set (meta, "namespace", jv_string ("default"));
  jv_set (jv_obj_at (cm, "data"), "v", jv_string (big));
  return api_store_put (store, "configmaps", cm, false, NULL, &err);
}

struct seen {
  size_t n;
  bool whole;
  char last[32];
};

static void
on_change (void *ctx, enum api_event_type type, const char *resource, yajl_val obj)
{
  struct seen *s = ctx;
  const char *v = jv_str (jv_get (obj, "data"), "v");
  s->n++;
  s->whole &= v && strlen (v) == sizeof big - 1;
  snprintf (s->last, sizeof s->last, "%s", jv_str (jv_get (obj, "metadata"), "name") ?: "");
}

int
main (void)
{
  char dir[] = "/tmp/husk-history-XXXXXX", cmd[64];
  struct api_store *store = NULL;
  struct husk_error *err = NULL;
  unsigned long long rv, oldest;
  struct seen seen = { .whole = true };
  bool all_ok = true;
  int r, n = 2 * API_STORE_HISTORY_BYTES / (int) sizeof big;

  memset (big, 'x', sizeof big - 1);
  if (!mkdtemp (dir) || api_store_open (dir, &store, &err) < 0)
    return ok (false, "store in %s", dir), tap_done ();
  for (int i = 0; i < n; i++)
    all_ok &= put_configmap (store, i) == 0;
  ok (all_ok, "%d ConfigMaps of 8 KiB stored", n);
  rv = api_store_revision (store);
  r = api_store_replay (store, rv - 4, on_change, &seen, &oldest);
  ok (r == 0 && seen.n == 4 && seen.whole && !strcmp (seen.last, "cm62"),
      "a replay of the last 4 changes gives them whole (%zu, last %s)", seen.n, seen.last);
  seen = (struct seen){ .whole = true };
  r = api_store_replay (store, rv - n / 2 - 1, on_change, &seen, &oldest);
  ok (r < 0 && seen.n == 0, "a replay from before 256 KiB of changes fails");
  ok (oldest > rv - n / 2 - 1 && oldest >= rv - API_STORE_HISTORY_BYTES / sizeof big,
      "the window starts within 256 KiB of JSON (at %llu of %llu)", oldest, rv);
  seen = (struct seen){ .whole = true };
  r = api_store_replay (store, oldest, on_change, &seen, &oldest);
  ok (r == 0 && seen.n == rv - oldest && seen.whole, "a replay from the window's start gives all %zu",
      seen.n);

  api_store_free (store);
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  if (system (cmd) != 0)
    ok (false, "remove %s", dir);
  return tap_done ();
}

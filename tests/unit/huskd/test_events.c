/* Events expire (TTL from lastTimestamp, as kube-apiserver's --event-ttl)
 * and are capped at API_EVENTS_MAX, the oldest going first. */
#include <stdio.h>
#include <stdlib.h>

#include "events.h"
#include "jv.h"
#include "store.h"
#include "tap.h"

static size_t
count_events (struct api_store *store)
{
  size_t n;
  free (api_store_list (store, "events", NULL, &n));
  return n;
}

static yajl_val
fake_pod (void)
{
  yajl_val pod = jv_object (), meta = jv_obj_at (pod, "metadata");
  jv_set (meta, "name", jv_string ("p"));
  jv_set (meta, "namespace", jv_string ("default"));
  jv_set (meta, "uid", jv_string ("11111111-2222-3333-4444-555555555555"));
  return pod;
}

static void
put_old_event (struct api_store *store)
{
  struct husk_error *err = NULL;
  yajl_val e = jv_object (), meta = jv_obj_at (e, "metadata");
  jv_set (meta, "name", jv_string ("p.old"));
  jv_set (meta, "namespace", jv_string ("default"));
  jv_set (e, "reason", jv_string ("Old"));
  jv_set (e, "message", jv_string ("long ago"));
  jv_set (e, "lastTimestamp", jv_string ("2020-01-01T00:00:00Z"));
  ok (api_store_put (store, "events", e, false, NULL, &err) == 0, "an event of 2020 stored");
}

int
main (void)
{
  char dir[] = "/tmp/husk-events-XXXXXX", cmd[64];
  struct api_store *store = NULL;
  struct husk_error *err = NULL;
  yajl_val pod = fake_pod ();
  bool all_ok = true;
  size_t n, bytes;

  if (!mkdtemp (dir) || api_store_open (dir, &store, &err) < 0)
    return ok (false, "store in %s", dir), tap_done ();
  put_old_event (store);
  is_int ((long long) api_events_expire (store, 3600, API_EVENTS_MAX, API_EVENTS_MAX_BYTES), 1LL,
          "the TTL removes the old event");
  is_int ((long long) count_events (store), 0LL, "none left");

  for (int i = 0; i < API_EVENTS_MAX + 100; i++)
    {
      char msg[64];
      snprintf (msg, sizeof msg, "event %d", i);
      all_ok &= api_event_record (store, pod, "Normal", "Test", NULL, msg, &err) == 0;
    }
  ok (all_ok, "%d events recorded", API_EVENTS_MAX + 100);
  n = count_events (store);
  bytes = api_store_bytes (store, "events");
  ok (n <= API_EVENTS_MAX && bytes <= API_EVENTS_MAX_BYTES
          && (n > API_EVENTS_MAX - API_EVENTS_MAX / 10
              || bytes > API_EVENTS_MAX_BYTES - API_EVENTS_MAX_BYTES / 5),
      "capped at API_EVENTS_MAX or API_EVENTS_MAX_BYTES, a tenth evicted at once (%zu kept, "
      "%zu bytes)",
      n, bytes);
  all_ok = api_event_record (store, pod, "Normal", "Test", NULL, "event 5", &err) == 0;
  ok (all_ok, "an evicted event recorded again");
  ok (count_events (store) <= API_EVENTS_MAX
          && api_store_bytes (store, "events") <= API_EVENTS_MAX_BYTES,
      "still capped");
  n = count_events (store);
  is_int ((long long) api_events_expire (store, 3600, 10, API_EVENTS_MAX_BYTES), (long long) n - 10,
          "a smaller cap removes the rest");
  n = count_events (store);
  bytes = api_store_bytes (store, "events");
  api_events_expire (store, 3600, API_EVENTS_MAX, bytes / 2);
  ok (api_store_bytes (store, "events") <= bytes / 2 && count_events (store) < n,
      "a smaller cap in bytes removes the oldest (%zu of %zu bytes left)",
      api_store_bytes (store, "events"), bytes);

  api_store_free (store);
  yajl_tree_free (pod);
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  if (system (cmd) != 0)
    ok (false, "remove %s", dir);
  return tap_done ();
}

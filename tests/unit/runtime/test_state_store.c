/* The state store's pure parts: id rules, the record round trip, the
 * lock and directory life cycle in a tmpdir, and the list table. */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "husk.h"
#include "state_store.h"
#include "tap.h"

static bool
id_ok (const char *id)
{
  struct husk_error *err = NULL;
  int ret = husk_state_validate_id (id, &err);
  husk_error_release (&err);
  return ret == 0;
}

static void
test_ids (void)
{
  ok (id_ok ("c1"), "plain id");
  ok (id_ok ("a.b-c_d+e"), "dots, dashes, underscores, plus");
  ok (!id_ok (""), "empty id refused");
  ok (!id_ok ("."), "\".\" refused");
  ok (!id_ok (".."), "\"..\" refused");
  ok (!id_ok ("a/b"), "slash refused");
  ok (!id_ok ("../x"), "escape refused");
  ok (!id_ok ("a b"), "space refused");
  ok (!id_ok ("a\"b"), "quote refused");
}

static void
test_round_trip (void)
{
  struct husk_state_record rec = { .id = "c1", .bundle = "/b", .rootfs = "/b/rootfs",
                                   .pid = 42, .pid_start_time = 123456789ULL,
                                   .cgroup_path = "/husk/c1", .created = "2024-01-01T00:00:00.000000001Z",
                                   .owner = "root", .shared_pidns = true };
  char *keys[] = { "k" }, *values[] = { "v\"q" };
  struct husk_state_record *back = NULL;
  struct husk_error *err = NULL;
  char *json = NULL;
  size_t len;

  rec.annotations = (struct oci_map){ keys, values, 1 };
  ok (husk_state_record_to_json (&rec, OCI_STATUS_CREATED, false, true, &json, &len, &err) == 0,
      "record serialises");
  ok (husk_state_record_parse ("state.json", json, len, &back, &err) == 0, "record parses back");
  if (back)
    {
      is_str (back->id, "c1", "id");
      is_int (back->pid, 42, "pid");
      ok (back->pid_start_time == 123456789ULL, "start time");
      is_str (back->cgroup_path, "/husk/c1", "cgroup path");
      is_str (back->created, rec.created, "created");
      ok (back->shared_pidns, "shared pid ns");
      is_int (back->annotations.len, 1, "annotations");
      if (back->annotations.len == 1)
        is_str (back->annotations.values[0], "v\"q", "annotation value escaped");
    }
  free (json);
  json = NULL;
  husk_state_record_to_json (&rec, OCI_STATUS_STOPPED, true, false, &json, &len, &err);
  ok (json && strstr (json, "\"pid\": 0") != NULL, "stopped shows pid 0");
  ok (json && strstr (json, "husk") == NULL, "public document hides our fields");
  free (json);
  husk_state_record_free (back);
  husk_error_release (&err);
}

static void
test_dirs (void)
{
  char root[] = "/tmp/husk-unit-XXXXXX";
  struct husk_state_dir dir = { .dirfd = -1 }, again = { .dirfd = -1 };
  struct husk_error *err = NULL;

  if (mkdtemp (root) == NULL)
    return (void) ok (false, "mkdtemp");
  ok (husk_state_dir_create (root, "c1", &dir, &err) == 0, "create state dir");
  ok (husk_state_dir_create (root, "c1", &again, &err) < 0 && err->errnum == EEXIST,
      "duplicate id refused");
  if (err)
    is_str (err->message, "container with id exists: c1", "duplicate message");
  husk_error_release (&err);
  ok (husk_state_dir_remove (&dir, &err) == 0, "remove state dir");
  husk_state_dir_close (&dir);
  ok (husk_state_dir_open (root, "c1", &again, &err) < 0 && err->errnum == ENOENT,
      "gone after remove");
  husk_error_release (&err);
  rmdir (root);
}

static void
test_list_table (void)
{
  struct husk_container_info infos[] = {
    { .id = "c1", .pid = 100, .status = OCI_STATUS_RUNNING, .bundle = "/bundle",
      .created = "2024-01-01T00:00:00Z", .owner = "root" },
    { .id = "a-much-longer-id", .status = OCI_STATUS_STOPPED, .bundle = "/b",
      .created = "2024-01-01T00:00:00Z", .owner = "root" },
  };
  struct husk_error *err = NULL;
  char *text = NULL;

  ok (husk_list_format_table (infos, 2, false, &text, &err) == 0, "table formats");
  is_str (text,
          "ID                 PID         STATUS      BUNDLE      CREATED                OWNER\n"
          "c1                 100         running     /bundle     2024-01-01T00:00:00Z   root\n"
          "a-much-longer-id   0           stopped     /b          2024-01-01T00:00:00Z   root\n",
          "tabwriter columns like runc");
  free (text);
  ok (husk_list_format_table (infos, 2, true, &text, &err) == 0, "quiet formats");
  is_str (text, "c1\na-much-longer-id\n", "quiet lists ids");
  free (text);
  ok (husk_list_format_json (infos, 1, &text, &err) == 0, "json formats");
  ok (text && strstr (text, "\"status\":\"running\"") != NULL, "json has status");
  free (text);
}

static void
test_rfc3339 (void)
{
  static const struct {
    time_t sec;
    long nsec;
    const char *want;
  } cases[] = {
    { 0, 0, "1970-01-01T00:00:00.000000000Z" },
    { 951782400, 5, "2000-02-29T00:00:00.000000005Z" },
    { 951868799, 0, "2000-02-29T23:59:59.000000000Z" },
    { 1700000000, 123456789, "2023-11-14T22:13:20.123456789Z" },
    { 4107542399, 0, "2100-02-28T23:59:59.000000000Z" },
    { -1, 0, "1969-12-31T23:59:59.000000000Z" },
  };
  char buf[40];

  for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++)
    {
      struct timespec ts = { .tv_sec = cases[i].sec, .tv_nsec = cases[i].nsec };
      husk_rfc3339 (&ts, buf);
      is_str (buf, cases[i].want, "rfc3339 of a known instant");
    }
  {
    /* against glibc over a stretch of days, leap years and 2100 included */
    struct timespec ts = { 0 };
    bool same = true;
    for (time_t t = 0; t < 5000000000; t += 86400 * 7 + 3607)
      {
        struct tm tm;
        char want[64], base[32];
        ts.tv_sec = t;
        gmtime_r (&t, &tm);
        strftime (base, sizeof base, "%Y-%m-%dT%H:%M:%S", &tm);
        snprintf (want, sizeof want, "%s.000000000Z", base);
        husk_rfc3339 (&ts, buf);
        same = same && strcmp (buf, want) == 0;
      }
    ok (same, "rfc3339 agrees with gmtime_r + strftime weekly from 1970 to 2128");
  }
}

int
main (void)
{
  test_rfc3339 ();
  test_ids ();
  test_round_trip ();
  test_dirs ();
  test_list_table ();
  return tap_done ();
}

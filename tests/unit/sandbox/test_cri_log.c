/* CRI log records: timestamps, tags, partial lines, rotation. */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cri_log.h"
#include "tap.h"

static char *
slurp (const char *path)
{
  static char buf[200000];
  int fd = open (path, O_RDONLY);
  ssize_t n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;
  if (fd >= 0)
    close (fd);
  buf[n > 0 ? n : 0] = '\0';
  return buf;
}

static int
count_lines (const char *s, const char *needle)
{
  int n = 0;
  for (const char *p = s; (p = strstr (p, needle)); p++)
    n++;
  return n;
}

static void
test_format (void)
{
  struct timespec ts = { .tv_sec = 1475713029, .tv_nsec = 669794202 };
  char when[CRI_LOG_TIME_LEN], rec[128];
  size_t n;

  cri_log_format_time (&ts, when);
  is_str (when, "2016-10-06T00:17:09.669794202Z", "RFC3339Nano with nine digits, UTC");
  ts.tv_nsec = 5;
  cri_log_format_time (&ts, when);
  is_str (when, "2016-10-06T00:17:09.000000005Z", "nanoseconds are zero padded");
  n = cri_log_format_record (rec, sizeof rec, &ts, "stdout", false, "hello", 5);
  rec[n] = '\0';
  is_str (rec, "2016-10-06T00:17:09.000000005Z stdout F hello\n", "a full line");
  n = cri_log_format_record (rec, sizeof rec, &ts, "stderr", true, "he", 2);
  rec[n] = '\0';
  is_str (rec, "2016-10-06T00:17:09.000000005Z stderr P he\n", "a partial line");
  is_int (cri_log_format_record (rec, 10, &ts, "stdout", false, "hello", 5), 0,
          "a record that does not fit is refused");
}

static void
test_feed (const char *dir)
{
  char path[512];
  struct cri_log_file f;
  static struct cri_log_stream out = { .name = "stdout" }, err = { .name = "stderr" };
  static char big[CRI_LOG_LINE_MAX + 100];

  snprintf (path, sizeof path, "%s/c.log", dir);
  ok (cri_log_open (&f, path, 0) == 0, "open the log");
  cri_log_feed (&f, &out, "one\ntw", 6);
  cri_log_feed (&f, &err, "err line\n", 9);
  cri_log_feed (&f, &out, "o\n", 2);
  char *s = slurp (path);
  ok (strstr (s, " stdout F one\n") != NULL, "first line whole");
  ok (strstr (s, " stdout F two\n") != NULL, "a line split across reads is joined");
  ok (strstr (s, " stderr F err line\n") != NULL, "stderr has its own stream name");
  memset (big, 'x', sizeof big);
  cri_log_feed (&f, &out, big, sizeof big);
  cri_log_feed (&f, &out, "\n", 1);
  s = slurp (path);
  is_int (count_lines (s, " stdout P "), 1, "a line over 16 KiB becomes a P record");
  ok (strstr (s, " stdout F xxxxxxxxxx") != NULL, "and ends with an F record");
  cri_log_feed (&f, &out, "tail", 4);
  cri_log_flush (&f, &out);
  s = slurp (path);
  ok (strstr (s, " stdout F tail\n") != NULL, "the unfinished last line is flushed at EOF");
  cri_log_close (&f);
}

static void
test_rotate (const char *dir)
{
  char path[512], old[520];
  struct cri_log_file f;
  static struct cri_log_stream out = { .name = "stdout" };

  snprintf (path, sizeof path, "%s/r.log", dir);
  snprintf (old, sizeof old, "%s.1", path);
  ok (cri_log_open (&f, path, 200) == 0, "open with a 200 byte limit");
  for (int i = 0; i < 10; i++)
    cri_log_feed (&f, &out, "0123456789012345678901234567890123456789\n", 41);
  cri_log_close (&f);
  ok (access (old, F_OK) == 0, "the log was rotated to .1");
  ok (strlen (slurp (path)) <= 200, "the current file stays under the limit");
}

int
main (void)
{
  char dir[] = "/tmp/husk-cri-log-XXXXXX";
  if (mkdtemp (dir) == NULL)
    return 1;
  test_format ();
  test_feed (dir);
  test_rotate (dir);
  char cmd[64];
  snprintf (cmd, sizeof cmd, "rm -rf %s", dir);
  if (system (cmd) != 0)
    ok (false, "cleanup");
  return tap_done ();
}

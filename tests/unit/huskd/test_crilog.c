/* CRI log lines as the holder writes them, rendered as kubectl logs shows. */
#include <stdlib.h>
#include <string.h>

#include "crilog.h"
#include "tap.h"

static const char log_text[]
    = "2024-01-02T03:04:05.000000001Z stdout F first\n"
      "2024-01-02T03:04:06.5Z stderr F second\n"
      "2024-01-02T03:04:07Z stdout P par\n"
      "2024-01-02T03:04:07.1Z stdout F tial\n"
      "garbage line\n"
      "2024-01-02T03:04:08Z stdout F \n"
      "2024-01-02T03:04:09Z stdout F incomplete";

static char *
render (long tail, double since, bool ts, size_t *consumed)
{
  char *out = NULL;
  size_t len = 0;
  FILE *f = open_memstream (&out, &len);
  struct api_log_options o = { .tail_lines = tail, .since = since, .timestamps = ts };
  *consumed = api_cri_render (log_text, strlen (log_text), &o, f);
  fclose (f);
  return out;
}

int
main (void)
{
  struct api_cri_line l;
  size_t consumed;
  const char *line = "2024-01-02T03:04:05.25Z stderr P abc def";
  ok (api_cri_parse_line (line, strlen (line), &l), "parses a line");
  is_str (l.stream, "stderr", "stream");
  ok (l.partial, "P is partial");
  ok (l.msg_len == 7 && !memcmp (l.msg, "abc def", 7), "message keeps spaces");
  ok (l.time > 1704164645.2 && l.time < 1704164645.3, "fractional time");
  ok (!api_cri_parse_line ("nonsense", 8, &l), "refuses nonsense");

  char *all = render (-1, 0, false, &consumed);
  is_str (all, "first\nsecond\npartial\n\n", "all lines, partial joined, incomplete held back");
  ok (consumed == strlen (log_text) - strlen ("2024-01-02T03:04:09Z stdout F incomplete"),
      "consumed stops before the incomplete line");
  free (all);
  char *tail = render (2, 0, false, &consumed);
  is_str (tail, "partial\n\n", "tail 2 counts whole lines");
  free (tail);
  char *since = render (-1, 1704164646.0, false, &consumed);
  is_str (since, "second\npartial\n\n", "since drops older lines");
  free (since);
  char *ts = render (1, 0, true, &consumed);
  is_str (ts, "2024-01-02T03:04:08Z \n", "timestamps prefix");
  free (ts);
  return tap_done ();
}

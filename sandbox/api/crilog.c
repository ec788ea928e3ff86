#include "crilog.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static double
parse_time (const char *ts)
{
  struct tm tm = { 0 };
  const char *rest = strptime (ts, "%Y-%m-%dT%H:%M:%S", &tm);
  double frac = 0;
  if (!rest)
    return 0;
  if (*rest == '.')
    frac = strtod (rest, NULL);
  return (double) timegm (&tm) + frac;
}

bool
api_cri_parse_line (const char *line, size_t len, struct api_cri_line *out)
{
  const char *sp1 = memchr (line, ' ', len), *sp2, *sp3;
  if (!sp1 || (size_t) (sp1 - line) >= sizeof out->timestamp)
    return false;
  sp2 = memchr (sp1 + 1, ' ', len - (size_t) (sp1 + 1 - line));
  if (!sp2 || sp2 - sp1 - 1 >= (long) sizeof out->stream)
    return false;
  memcpy (out->timestamp, line, (size_t) (sp1 - line));
  out->timestamp[sp1 - line] = '\0';
  memcpy (out->stream, sp1 + 1, (size_t) (sp2 - sp1 - 1));
  out->stream[sp2 - sp1 - 1] = '\0';
  if (strcmp (out->stream, "stdout") && strcmp (out->stream, "stderr"))
    return false;
  sp3 = memchr (sp2 + 1, ' ', len - (size_t) (sp2 + 1 - line));
  if (sp3 && sp3 == sp2 + 2 && (sp2[1] == 'P' || sp2[1] == 'F'))
    {
      out->partial = sp2[1] == 'P';
      out->msg = sp3 + 1;
    }
  else if (sp2 + 2 == line + len && (sp2[1] == 'P' || sp2[1] == 'F'))
    {
      out->partial = sp2[1] == 'P';
      out->msg = line + len; /* an empty line */
    }
  else
    return false;
  out->msg_len = (size_t) (line + len - out->msg);
  out->time = parse_time (out->timestamp);
  return out->time > 0;
}

/* Where each full (F-terminated) log line starts, so tail can count back. */
static size_t
count_full_lines (const char *data, size_t len)
{
  size_t n = 0;
  struct api_cri_line l;
  for (const char *p = data, *end = data + len, *nl; p < end && (nl = memchr (p, '\n', (size_t) (end - p))); p = nl + 1)
    if (api_cri_parse_line (p, (size_t) (nl - p), &l) && !l.partial)
      n++;
  return n;
}

size_t
api_cri_render (const char *data, size_t len, const struct api_log_options *o, FILE *out)
{
  size_t total = count_full_lines (data, len), index = 0, written = 0;
  size_t skip = o->tail_lines >= 0 && (size_t) o->tail_lines < total ? total - (size_t) o->tail_lines : 0;
  bool at_line_start = true;
  const char *p = data, *end = data + len, *nl;
  struct api_cri_line l;

  for (; p < end && (nl = memchr (p, '\n', (size_t) (end - p))); p = nl + 1)
    {
      if (!api_cri_parse_line (p, (size_t) (nl - p), &l))
        continue;
      bool show = index >= skip && (o->since <= 0 || l.time >= o->since);
      if (!l.partial)
        index++;
      if (!show || (o->limit_bytes && written >= o->limit_bytes))
        continue;
      if (o->timestamps && at_line_start)
        written += (size_t) fprintf (out, "%s ", l.timestamp);
      fwrite (l.msg, 1, l.msg_len, out);
      written += l.msg_len;
      if (!l.partial)
        fputc ('\n', out), written++;
      at_line_start = !l.partial;
    }
  return (size_t) (p - data);
}

/* CRI log records (see cri_log.h). */
#include "cri_log.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void
cri_log_format_time (const struct timespec *ts, char out[CRI_LOG_TIME_LEN])
{
  struct tm tm;
  char secs[24];

  gmtime_r (&ts->tv_sec, &tm);
  strftime (secs, sizeof secs, "%Y-%m-%dT%H:%M:%S", &tm);
  snprintf (out, CRI_LOG_TIME_LEN, "%.19s.%09uZ", secs,
            (unsigned) (ts->tv_nsec % 1000000000));
}

size_t
cri_log_format_record (char *out, size_t cap, const struct timespec *ts, const char *stream,
                       bool partial, const char *line, size_t len)
{
  char when[CRI_LOG_TIME_LEN];
  int head;

  cri_log_format_time (ts, when);
  head = snprintf (out, cap, "%s %s %c ", when, stream, partial ? 'P' : 'F');
  if (head < 0 || (size_t) head + len + 1 > cap)
    return 0;
  memcpy (out + head, line, len);
  out[head + len] = '\n';
  return head + len + 1;
}

int
cri_log_open (struct cri_log_file *f, const char *path, uint64_t max_bytes)
{
  struct stat st;

  if (strlen (path) >= sizeof f->path)
    {
      errno = ENAMETOOLONG;
      return -1;
    }
  strcpy (f->path, path);
  f->max_bytes = max_bytes;
  f->fd = open (path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (f->fd < 0)
    return -1;
  f->size = fstat (f->fd, &st) == 0 ? (uint64_t) st.st_size : 0;
  return 0;
}

void
cri_log_close (struct cri_log_file *f)
{
  if (f->fd >= 0)
    close (f->fd);
  f->fd = -1;
}

/* Rotation keeps one old file, like the kubelet's containerLogMaxFiles=2:
 * readers following the log see the rename and reopen the path. */
static int
rotate (struct cri_log_file *f)
{
  char old[sizeof f->path + 2];
  int fd;

  snprintf (old, sizeof old, "%s.1", f->path);
  if (rename (f->path, old) < 0)
    return -1;
  fd = open (f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0640);
  if (fd < 0)
    return -1;
  close (f->fd);
  f->fd = fd;
  f->size = 0;
  return 0;
}

static int
write_all (int fd, const char *p, size_t n)
{
  while (n > 0)
    {
      ssize_t w = write (fd, p, n);
      if (w < 0 && errno == EINTR)
        continue;
      if (w < 0)
        return -1;
      p += w;
      n -= w;
    }
  return 0;
}

static int
write_record (struct cri_log_file *f, const char *stream, bool partial, const char *line,
              size_t len)
{
  static char record[CRI_LOG_LINE_MAX + 64]; /* the holder is single threaded */
  struct timespec now;
  size_t n;

  clock_gettime (CLOCK_REALTIME, &now);
  n = cri_log_format_record (record, sizeof record, &now, stream, partial, line, len);
  if (f->max_bytes && f->size + n > f->max_bytes && f->size > 0 && rotate (f) < 0)
    return -1;
  if (write_all (f->fd, record, n) < 0)
    return -1;
  f->size += n;
  return 0;
}

int
cri_log_feed (struct cri_log_file *f, struct cri_log_stream *s, const char *data, size_t len)
{
  while (len > 0)
    {
      const char *nl = memchr (data, '\n', len);
      size_t take = nl ? (size_t) (nl - data) : len;
      size_t room = sizeof s->buf - s->len;

      if (take >= room)
        {
          memcpy (s->buf + s->len, data, room);
          if (write_record (f, s->name, true, s->buf, sizeof s->buf) < 0)
            return -1;
          s->len = 0;
          data += room;
          len -= room;
          continue;
        }
      memcpy (s->buf + s->len, data, take);
      s->len += take;
      data += take;
      len -= take;
      if (nl == NULL)
        break;
      if (write_record (f, s->name, false, s->buf, s->len) < 0)
        return -1;
      s->len = 0;
      data++;
      len--;
    }
  return 0;
}

int
cri_log_flush (struct cri_log_file *f, struct cri_log_stream *s)
{
  int ret = 0;
  if (s->len > 0)
    ret = write_record (f, s->name, false, s->buf, s->len);
  s->len = 0;
  return ret;
}

/* Container logs in the Kubernetes CRI format, as the kubelet and
 * `kubectl logs` read them:
 *
 *   2016-10-06T00:17:09.669794202Z stdout F a whole line
 *   2016-10-06T00:17:09.669794202Z stderr P the first 16 KiB of a longer line
 *
 * Each stream is cut into lines; a line longer than CRI_LOG_LINE_MAX is
 * written as P (partial) records followed by its F (full) end, as containerd
 * does.  The file is rotated to "<path>.1" when it passes max_bytes.
 * Nothing here allocates after cri_log_open(): the holder calls it in a
 * loop for the pod's lifetime. */
#ifndef HUSK_SANDBOX_CRI_LOG_H
#define HUSK_SANDBOX_CRI_LOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#define CRI_LOG_LINE_MAX (16 * 1024)
#define CRI_LOG_TIME_LEN 31 /* "2016-10-06T00:17:09.669794202Z" + NUL */

struct cri_log_file {
  int fd;
  char path[4096];
  uint64_t size;
  uint64_t max_bytes; /* 0: never rotate */
};

/* One stream's unfinished line. */
struct cri_log_stream {
  const char *name; /* "stdout" or "stderr" */
  size_t len;
  char buf[CRI_LOG_LINE_MAX];
};

/* RFC3339Nano in UTC with all nine digits, as the CRI wants. */
void cri_log_format_time (const struct timespec *ts, char out[CRI_LOG_TIME_LEN]);

/* Formats one record "<time> <stream> <tag> <line>\n" into out (size
 * cap); returns its length, or 0 when cap is too small. */
size_t cri_log_format_record (char *out, size_t cap, const struct timespec *ts,
                              const char *stream, bool partial, const char *line, size_t len);

/* Opens (O_APPEND, creating it 0640) the log file; -1 with errno. */
int cri_log_open (struct cri_log_file *f, const char *path, uint64_t max_bytes);
void cri_log_close (struct cri_log_file *f);

/* Feeds bytes read from a stream: whole lines are written as F records,
 * a full buffer as a P record.  Returns -1 with errno on write errors. */
int cri_log_feed (struct cri_log_file *f, struct cri_log_stream *s, const char *data,
                  size_t len);
/* At the stream's end: what is left is written as a last F record. */
int cri_log_flush (struct cri_log_file *f, struct cri_log_stream *s);

#endif

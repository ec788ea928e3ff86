/* Reading CRI log files (what the pod holder writes):
 *   2016-10-06T00:17:09.669794202Z stdout F the line
 * `P` marks a partial line continued by the next entry.  Rendering applies
 * kubectl logs' options: tailLines, sinceTime, timestamps. */
#ifndef HUSK_API_CRILOG_H
#define HUSK_API_CRILOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct api_cri_line {
  char timestamp[48]; /* as written, RFC 3339 with nanoseconds */
  double time;        /* seconds since the epoch */
  char stream[8];     /* "stdout" or "stderr" */
  bool partial;
  const char *msg;    /* not NUL terminated, no trailing newline */
  size_t msg_len;
};

/* One line without its newline; false when it is not in CRI format. */
bool api_cri_parse_line (const char *line, size_t len, struct api_cri_line *out);

struct api_log_options {
  long tail_lines;   /* < 0: all */
  double since;      /* only lines at or after this time; 0: all */
  bool timestamps;   /* prefix each line with its timestamp */
  size_t limit_bytes; /* 0: no limit */
};

/* Writes the log lines of data (a whole file's content) to out; returns
 * the number of bytes of data consumed (complete lines only, so a follower
 * resumes there). */
size_t api_cri_render (const char *data, size_t len, const struct api_log_options *o, FILE *out);

#endif

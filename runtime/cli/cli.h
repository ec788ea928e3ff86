/* The husk CLI: a file per verb, one dispatch table (main.c). */
#ifndef HUSK_CLI_H
#define HUSK_CLI_H

#include <getopt.h>
#include <stdbool.h>

#include "husk.h"

struct husk_cli {
  struct husk_runtime rt;
  const char *verb;
  const char *id;          /* names the container in the error line */
  const char *argv0_dir;   /* where husk-pod lives */
  int error_exit;          /* exit code of a failed verb; 0 means 1 */
};

/* A verb: returns the exit code (>= 0) or -1 with *err set. */
typedef int (*husk_cli_fn) (struct husk_cli *cli, int argc, char **argv,
                            struct husk_error **err);

int husk_cli_create (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_start (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_run (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_state (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_kill (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_delete (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_list (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_spec (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_features (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_exec (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_pause (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_resume (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_update (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_ps (struct husk_cli *, int, char **, struct husk_error **);
int husk_cli_events (struct husk_cli *, int, char **, struct husk_error **);

/* Shared by the verbs (common.c). */
int husk_cli_usage_error (struct husk_error **err, const char *fmt, ...)
    __attribute__ ((format (printf, 2, 3)));
/* Exactly `n` positional arguments after the options, the first the id. */
int husk_cli_need_id (struct husk_cli *cli, int argc, char **argv, int min, int max,
                      struct husk_error **err);
int husk_cli_parse_int (const char *flag, const char *value, int *out, struct husk_error **err);
/* A Go time.ParseDuration value ("100ms", "1.5s", "1h2m"), in whole
 * milliseconds rounded up. */
int husk_cli_parse_duration (const char *flag, const char *value, long long *ms,
                             struct husk_error **err);
int husk_cli_print (const char *text);
/* A verb taking only the id. */
int husk_cli_simple_id (struct husk_cli *cli, int argc, char **argv, struct husk_error **err);

/* create and run share their flags. */
struct husk_cli_create_flags {
  struct husk_create_options opts;
  bool detach;
};
int husk_cli_parse_create (struct husk_cli *cli, int argc, char **argv, bool run,
                           struct husk_cli_create_flags *flags, struct husk_error **err);

#endif

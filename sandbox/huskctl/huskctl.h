/* huskctl: the command line client of huskd.  A file per verb; each takes
 * the parsed global options and its own arguments and returns the exit
 * code: 0 done, 1 failed (the server said no, or huskd is unreachable),
 * 2 wrong usage. */
#ifndef HUSK_HUSKCTL_H
#define HUSK_HUSKCTL_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "client.h"

#define HUSKCTL_OK 0
#define HUSKCTL_FAIL 1
#define HUSKCTL_USAGE 2

struct ctl {
  const char *socket;
  const char *ns;       /* -n, "default" */
  bool all_namespaces;  /* -A */
  const char *output;   /* -o: json, yaml, wide, name; NULL: table */
  const char *selector; /* -l */
  const char *field_selector;
  const char *container; /* -c */
  const char *file;      /* -f for apply/delete */
  bool follow;           /* -f for logs */
  long tail;             /* --tail, -1 */
  const char *since;     /* --since 10s|5m|1h */
  bool timestamps, previous;
  long grace;            /* --grace-period, -1 for the pod's */
  bool wait;             /* delete waits until gone */
};

int cmd_get (struct ctl *c, int argc, char **argv);
int cmd_apply (struct ctl *c, int argc, char **argv);
int cmd_delete (struct ctl *c, int argc, char **argv);
int cmd_stop (struct ctl *c, int argc, char **argv);
int cmd_logs (struct ctl *c, int argc, char **argv);
int cmd_exec (struct ctl *c, int argc, char **argv);
int cmd_describe (struct ctl *c, int argc, char **argv);
int cmd_events (struct ctl *c, int argc, char **argv);
int cmd_probe (struct ctl *c, int argc, char **argv);
int cmd_version (struct ctl *c, int argc, char **argv);
int cmd_kubeconfig (struct ctl *c, int argc, char **argv);

/* print.c */
/* A Table response as kubectl prints it (wide: every column; with_ns: a
 * NAMESPACE column first, from each row's object metadata). */
void print_table (yajl_val table, bool wide, bool with_ns, bool headers);
/* -o json / yaml / name for an object or a list. */
int print_object (struct ctl *c, yajl_val obj, const char *resource_singular);

/* Resource name as typed (po, pods, pod, ns, ev...) → plural, or NULL. */
const char *resource_plural (const char *typed);
/* pods → pod (what "-o name" prints); an unknown plural as it is. */
const char *resource_singular (const char *plural);
/* An object's kind (Pod...) → plural, or NULL for one apply does not make. */
const char *resource_plural_of_kind (const char *kind);
/* "/api/v1/namespaces/NS/pods" or "/api/v1/pods" (-A) or "/api/v1/namespaces". */
void resource_path (struct ctl *c, const char *plural, const char *name, char *buf, size_t size);

/* Runs a request and prints the server's error on failure; returns the
 * response (code 2xx) or an exit code through *rc. */
bool ctl_call (struct ctl *c, const char *method, const char *path, const char *ctype,
               const char *body, size_t len, const char *accept, struct hc_response *r, int *rc);

#endif

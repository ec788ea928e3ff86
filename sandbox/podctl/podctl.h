/* husk-pod: a thin CLI over the pod sandbox library (sandbox.h), a file per
 * group of verbs and one dispatch table (main.c). */
#ifndef HUSK_SANDBOX_PODCTL_H
#define HUSK_SANDBOX_PODCTL_H

#include "../pod/sandbox.h"

struct podctl {
  struct husk_sandbox_env env;
  int argc;    /* the verb's own arguments */
  char **argv; /* argv[0] is the verb */
};

typedef int (*podctl_fn) (struct podctl *ctx, struct husk_error **err);

/* cmd_pod.c */
int podctl_run (struct podctl *ctx, struct husk_error **err);
int podctl_update (struct podctl *ctx, struct husk_error **err);
int podctl_up (struct podctl *ctx, struct husk_error **err);
int podctl_ls (struct podctl *ctx, struct husk_error **err);
int podctl_ps (struct podctl *ctx, struct husk_error **err);
int podctl_status (struct podctl *ctx, struct husk_error **err);
int podctl_stop (struct podctl *ctx, struct husk_error **err);
int podctl_rm (struct podctl *ctx, struct husk_error **err);
/* "-t SECONDS" before the verb's other arguments (`def` without it);
 * *first is the index of the argument after it. */
int podctl_timeout_arg (struct podctl *ctx, int def, int *first);

/* cmd_container.c */
int podctl_create_container (struct podctl *ctx, struct husk_error **err);
int podctl_start (struct podctl *ctx, struct husk_error **err);
int podctl_logs (struct podctl *ctx, struct husk_error **err);
int podctl_exec (struct podctl *ctx, struct husk_error **err);
int podctl_wait (struct podctl *ctx, struct husk_error **err);
/* Polls the container's status until it has exited (*code its exit code);
 * ETIMEDOUT after timeout_s seconds, 0 for no limit. */
int podctl_wait_exited (struct podctl *ctx, const char *cid, int timeout_s, int *code,
                        struct husk_error **err);

/* cmd_image.c */
int podctl_pull (struct podctl *ctx, struct husk_error **err);
int podctl_images (struct podctl *ctx, struct husk_error **err);
int podctl_rmi (struct podctl *ctx, struct husk_error **err);
int podctl_image_status (struct podctl *ctx, struct husk_error **err);

/* cmd_bench.c */
int podctl_bench_create (struct podctl *ctx, struct husk_error **err);

/* A sandbox id is 32 hex characters; anything longer is a container's. */
int podctl_is_sandbox_id (const char *id);

#endif

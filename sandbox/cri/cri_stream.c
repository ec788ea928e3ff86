/* Exec, Attach and PortForward: each answers a URL on huskd's streaming
 * server (huskd/cri_streaming.c) holding a single-use token, as kubelet's
 * and containerd's streaming server do (k8s.io/kubelet/pkg/cri/streaming:
 * /exec/{token}, /attach/{token}, /portforward/{token}; a token is good
 * for one connection within a minute, at most 1000 wait at once).  The
 * request is checked here, when the client can still be told why it is
 * refused; the server redeems the token for what was granted. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "../../oci/cleanup.h"
#include "cri_internal.h"

#define TOKEN_TTL_NS (60ll * 1000 * 1000 * 1000)
#define MAX_IN_FLIGHT 1000
#define TOKEN_BYTES 16

struct cri_stream_entry {
  struct cri_stream_entry *next;
  char token[TOKEN_BYTES * 2 + 1];
  int64_t expires; /* CLOCK_MONOTONIC ns */
  struct cri_stream_grant grant;
};

static int64_t
mono_ns (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (int64_t) ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static const char *const kind_paths[] = {
  [CRI_STREAM_EXEC] = "exec",
  [CRI_STREAM_ATTACH] = "attach",
  [CRI_STREAM_PORT_FORWARD] = "portforward",
};

const char *
cri_stream_kind_path (enum cri_stream_kind kind)
{
  return kind_paths[kind];
}

void
cri_stream_grant_free (struct cri_stream_grant *g)
{
  free (g->container_id);
  free (g->sandbox_id);
  free (g->pod_name);
  free (g->pod_uid);
  husk_strv_free (g->cmd);
  memset (g, 0, sizeof *g);
}

static void
entry_free (struct cri_stream_entry *e)
{
  cri_stream_grant_free (&e->grant);
  free (e);
}

void
cri_stream_tokens_clear (struct cri_server *s)
{
  while (s->stream_tokens)
    {
      struct cri_stream_entry *e = s->stream_tokens;
      s->stream_tokens = e->next;
      entry_free (e);
    }
}

/* Drops the expired ones; the caller holds stream_lock. */
static size_t
prune (struct cri_server *s, int64_t now)
{
  size_t n = 0;
  for (struct cri_stream_entry **p = &s->stream_tokens; *p;)
    if ((*p)->expires <= now)
      {
        struct cri_stream_entry *e = *p;
        *p = e->next;
        entry_free (e);
      }
    else
      p = &(*p)->next, n++;
  return n;
}

/* Stores `g` (taken) under a new token; *url is in the arena. */
static int
grant (struct cri_server *s, struct cri_stream_grant *g, struct cri_arena *a, char **url,
       struct husk_error **err)
{
  uint8_t raw[TOKEN_BYTES];
  struct cri_stream_entry *e;
  int64_t now = mono_ns ();
  size_t n;
  if (!s->opts.stream_url)
    return husk_error_set (err, ENOSYS, "%s: huskd runs no streaming server",
                           kind_paths[g->kind]);
  if (getrandom (raw, sizeof raw, 0) != (ssize_t) sizeof raw)
    return husk_error_set (err, errno ?: EIO, "%s: a token", kind_paths[g->kind]);
  if (!(e = calloc (1, sizeof *e)))
    return husk_error_set (err, ENOMEM, "%s", kind_paths[g->kind]);
  for (size_t i = 0; i < sizeof raw; i++)
    snprintf (e->token + 2 * i, 3, "%02x", raw[i]);
  e->expires = now + TOKEN_TTL_NS;
  e->grant = *g;
  memset (g, 0, sizeof *g);
  pthread_mutex_lock (&s->stream_lock);
  n = prune (s, now);
  if (n < MAX_IN_FLIGHT)
    {
      e->next = s->stream_tokens;
      s->stream_tokens = e;
    }
  pthread_mutex_unlock (&s->stream_lock);
  if (n >= MAX_IN_FLIGHT)
    {
      entry_free (e);
      return husk_error_set (err, EMSGSIZE, "maximum number of in-flight requests exceeded");
    }
  n = strlen (s->opts.stream_url) + strlen (e->token) + 16;
  *url = cri_alloc (a, n);
  snprintf (*url, n, "%s/%s/%s", s->opts.stream_url, kind_paths[e->grant.kind], e->token);
  return 0;
}

int
cri_stream_redeem (struct cri_server *s, enum cri_stream_kind kind, const char *token,
                   struct cri_stream_grant *out, struct husk_error **err)
{
  struct cri_stream_entry *found = NULL;
  pthread_mutex_lock (&s->stream_lock);
  prune (s, mono_ns ());
  for (struct cri_stream_entry **p = &s->stream_tokens; *p; p = &(*p)->next)
    if (strcmp ((*p)->token, token) == 0 && (*p)->grant.kind == kind)
      {
        found = *p;
        *p = found->next;
        break;
      }
  pthread_mutex_unlock (&s->stream_lock);
  if (!found)
    return husk_error_set (err, ENOENT, "invalid or expired token");
  *out = found->grant;
  memset (&found->grant, 0, sizeof found->grant);
  entry_free (found);
  return 0;
}

/* The container is known to the CRI and runs; its sandbox's id. */
static int
running_container (struct cri_server *s, const char *id, struct cri_stream_grant *g,
                   struct husk_error **err)
{
  cleanup_msg Runtime__V1__ContainerConfig *c = NULL;
  struct husk_pod_container_status st = { 0 };
  bool running;
  if (cri_store_get (s, "containers", id, &runtime__v1__container_config__descriptor,
                     (ProtobufCMessage **) &c, err)
          < 0
      || husk_pod_container_status (s->opts.env, id, &st, err) < 0)
    return -1;
  running = st.state == HUSK_POD_CONTAINER_RUNNING;
  g->sandbox_id = st.sandbox_id ? strdup (st.sandbox_id) : NULL;
  husk_pod_container_status_free (&st);
  if (!running)
    return husk_error_set (err, EBUSY, "container `%s` is not in running state", id);
  if (!(g->container_id = strdup (id)) || !g->sandbox_id)
    return husk_error_set (err, ENOMEM, "container `%s`", id);
  return 0;
}

int
cri_exec (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
          ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__ExecRequest *r = (const void *) req;
  Runtime__V1__ExecResponse *out = cri_alloc (a, sizeof *out);
  struct cri_stream_grant g = { .kind = CRI_STREAM_EXEC, .tty = r->tty, .stdin_ = r->stdin,
                                .stdout_ = r->stdout, .stderr_ = r->stderr };
  int ret = -1;
  runtime__v1__exec_response__init (out);
  if (r->n_cmd == 0)
    husk_error_set (err, EINVAL, "Exec: cmd is required");
  else if (!r->stdin && !r->stdout && !r->stderr)
    husk_error_set (err, EINVAL, "Exec: one of stdin, stdout, or stderr must be set");
  else if (r->tty && r->stderr)
    husk_error_set (err, EINVAL, "Exec: tty and stderr cannot both be true");
  else if (running_container (s, r->container_id, &g, err) == 0)
    {
      g.cmd = calloc (r->n_cmd + 1, sizeof *g.cmd);
      for (size_t i = 0; g.cmd && i < r->n_cmd; i++)
        if (!(g.cmd[i] = strdup (r->cmd[i])))
          husk_strv_free (steal_pointer (&g.cmd));
      if (!g.cmd)
        husk_error_set (err, ENOMEM, "Exec");
      else
        ret = grant (s, &g, a, &out->url, err);
    }
  cri_stream_grant_free (&g);
  *resp = &out->base;
  return ret;
}

int
cri_attach (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
            ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__AttachRequest *r = (const void *) req;
  Runtime__V1__AttachResponse *out = cri_alloc (a, sizeof *out);
  struct cri_stream_grant g = { .kind = CRI_STREAM_ATTACH, .tty = r->tty, .stdin_ = r->stdin,
                                .stdout_ = r->stdout, .stderr_ = r->stderr };
  int ret = -1;
  runtime__v1__attach_response__init (out);
  if (!r->stdin && !r->stdout && !r->stderr)
    husk_error_set (err, EINVAL, "Attach: one of stdin, stdout, or stderr must be set");
  else if (running_container (s, r->container_id, &g, err) == 0)
    ret = grant (s, &g, a, &out->url, err);
  cri_stream_grant_free (&g);
  *resp = &out->base;
  return ret;
}

int
cri_port_forward (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                  ProtobufCMessage **resp, struct husk_error **err)
{
  const Runtime__V1__PortForwardRequest *r = (const void *) req;
  Runtime__V1__PortForwardResponse *out = cri_alloc (a, sizeof *out);
  struct cri_stream_grant g = { .kind = CRI_STREAM_PORT_FORWARD };
  struct husk_pod_sandbox_status st = { 0 };
  cleanup_msg Runtime__V1__RunPodSandboxRequest *config = NULL;
  int ret = -1;
  runtime__v1__port_forward_response__init (out);
  *resp = &out->base;
  if (cri_sandbox_config (s, r->pod_sandbox_id, &config, err) < 0
      || husk_pod_sandbox_status (s->opts.env, r->pod_sandbox_id, &st, err) < 0)
    return -1;
  if (st.state != HUSK_POD_SANDBOX_READY)
    husk_error_set (err, EBUSY, "sandbox `%s` is not ready", r->pod_sandbox_id);
  else
    {
      const Runtime__V1__PodSandboxMetadata *md = config->config ? config->config->metadata : NULL;
      g.sandbox_id = strdup (r->pod_sandbox_id);
      g.pod_name = strdup (md && md->name ? md->name : r->pod_sandbox_id);
      g.pod_uid = strdup (md && md->uid ? md->uid : "");
      if (!g.sandbox_id || !g.pod_name || !g.pod_uid)
        husk_error_set (err, ENOMEM, "PortForward");
      else
        ret = grant (s, &g, a, &out->url, err);
    }
  husk_pod_sandbox_status_free (&st);
  cri_stream_grant_free (&g);
  return ret;
}

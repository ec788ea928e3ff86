/* The CRI server's dispatch: a table from gRPC method to request message
 * and handler, the protobuf decoding of the request and encoding of the
 * answer (protoc-c's), errors as gRPC codes. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "cri_internal.h"

/* ---- the arena ---- */

void *
cri_alloc (struct cri_arena *a, size_t size)
{
  void *p;
  if (a->len == a->cap)
    {
      size_t cap = a->cap ? a->cap * 2 : 64;
      void **v = realloc (a->ptrs, cap * sizeof *v);
      if (v == NULL)
        abort (); /* as the generated unpackers, out of memory is fatal here */
      a->ptrs = v;
      a->cap = cap;
    }
  p = calloc (1, size ? size : 1);
  if (p == NULL)
    abort ();
  a->ptrs[a->len++] = p;
  return p;
}

char *
cri_strdup (struct cri_arena *a, const char *s)
{
  size_t n = s ? strlen (s) : 0;
  char *p = cri_alloc (a, n + 1);
  if (n)
    memcpy (p, s, n);
  return p;
}

void
cri_arena_clear (struct cri_arena *a)
{
  for (size_t i = 0; i < a->len; i++)
    free (a->ptrs[i]);
  free (a->ptrs);
  a->ptrs = NULL;
  a->len = a->cap = 0;
}

void *
cri_map_copy (struct cri_arena *a, const ProtobufCMessageDescriptor *desc, void *const *src,
              size_t n)
{
  struct cri_kv **out = cri_alloc (a, n * sizeof *out);
  for (size_t i = 0; i < n; i++)
    {
      const struct cri_kv *e = src[i];
      out[i] = cri_alloc (a, sizeof *out[i]);
      protobuf_c_message_init (desc, out[i]);
      out[i]->key = cri_strdup (a, e->key);
      out[i]->value = cri_strdup (a, e->value);
    }
  return out;
}

const char *
cri_map_get (void *const *entries, size_t n, const char *key)
{
  for (size_t i = 0; i < n; i++)
    {
      const struct cri_kv *e = entries[i];
      if (strcmp (e->key, key) == 0)
        return e->value;
    }
  return NULL;
}

bool
cri_map_matches (void *const *map, size_t n, void *const *selector, size_t n_selector)
{
  for (size_t i = 0; i < n_selector; i++)
    {
      const struct cri_kv *e = selector[i];
      const char *v = cri_map_get (map, n, e->key);
      if (v == NULL || strcmp (v, e->value) != 0)
        return false;
    }
  return true;
}

/* ---- dispatch ---- */

struct method {
  const char *path;
  const ProtobufCMessageDescriptor *request;
  cri_method run;
};

#define RS "/runtime.v1.RuntimeService/"
#define IS "/runtime.v1.ImageService/"
static const struct method methods[] = {
  { RS "Version", &runtime__v1__version_request__descriptor, cri_version },
  { RS "Status", &runtime__v1__status_request__descriptor, cri_status },
  { RS "UpdateRuntimeConfig", &runtime__v1__update_runtime_config_request__descriptor,
    cri_update_runtime_config },
  { RS "RunPodSandbox", &runtime__v1__run_pod_sandbox_request__descriptor, cri_run_pod_sandbox },
  { RS "StopPodSandbox", &runtime__v1__stop_pod_sandbox_request__descriptor,
    cri_stop_pod_sandbox },
  { RS "RemovePodSandbox", &runtime__v1__remove_pod_sandbox_request__descriptor,
    cri_remove_pod_sandbox },
  { RS "PodSandboxStatus", &runtime__v1__pod_sandbox_status_request__descriptor,
    cri_pod_sandbox_status },
  { RS "ListPodSandbox", &runtime__v1__list_pod_sandbox_request__descriptor,
    cri_list_pod_sandbox },
  { RS "CreateContainer", &runtime__v1__create_container_request__descriptor,
    cri_create_container },
  { RS "StartContainer", &runtime__v1__start_container_request__descriptor,
    cri_start_container },
  { RS "StopContainer", &runtime__v1__stop_container_request__descriptor, cri_stop_container },
  { RS "RemoveContainer", &runtime__v1__remove_container_request__descriptor,
    cri_remove_container },
  { RS "ListContainers", &runtime__v1__list_containers_request__descriptor,
    cri_list_containers },
  { RS "ContainerStatus", &runtime__v1__container_status_request__descriptor,
    cri_container_status },
  { RS "UpdateContainerResources", &runtime__v1__update_container_resources_request__descriptor,
    cri_update_container_resources },
  { RS "ExecSync", &runtime__v1__exec_sync_request__descriptor, cri_exec_sync },
  { RS "Exec", &runtime__v1__exec_request__descriptor, cri_exec },
  { RS "Attach", &runtime__v1__attach_request__descriptor, cri_attach },
  { RS "PortForward", &runtime__v1__port_forward_request__descriptor, cri_port_forward },
  { RS "ReopenContainerLog", &runtime__v1__reopen_container_log_request__descriptor,
    cri_reopen_container_log },
  { RS "ContainerStats", &runtime__v1__container_stats_request__descriptor,
    cri_container_stats },
  { RS "ListContainerStats", &runtime__v1__list_container_stats_request__descriptor,
    cri_list_container_stats },
  { RS "PodSandboxStats", &runtime__v1__pod_sandbox_stats_request__descriptor,
    cri_pod_sandbox_stats },
  { RS "ListPodSandboxStats", &runtime__v1__list_pod_sandbox_stats_request__descriptor,
    cri_list_pod_sandbox_stats },
  { IS "ListImages", &runtime__v1__list_images_request__descriptor, cri_list_images },
  { IS "ImageStatus", &runtime__v1__image_status_request__descriptor, cri_image_status },
  { IS "PullImage", &runtime__v1__pull_image_request__descriptor, cri_pull_image },
  { IS "RemoveImage", &runtime__v1__remove_image_request__descriptor, cri_remove_image },
  { IS "ImageFsInfo", &runtime__v1__image_fs_info_request__descriptor, cri_image_fs_info },
};

const ProtobufCMessageDescriptor *
cri_request_descriptor (size_t i)
{
  return i < sizeof methods / sizeof methods[0] ? methods[i].request : NULL;
}

static int
grpc_code (int errnum)
{
  switch (errnum)
    {
    case ENOENT: return GRPC_NOT_FOUND;
    case EINVAL: return GRPC_INVALID_ARGUMENT;
    case EEXIST: return GRPC_ALREADY_EXISTS;
    case ENOSYS: return GRPC_UNIMPLEMENTED;
    case ETIMEDOUT: return GRPC_DEADLINE_EXCEEDED;
    case EBUSY: return GRPC_FAILED_PRECONDITION;
    case EMSGSIZE: return GRPC_RESOURCE_EXHAUSTED;
    default: return GRPC_UNKNOWN;
    }
}

static void
fail (struct cri_grpc_result *out, int code, const char *msg)
{
  out->status = code;
  out->message = strdup (msg);
}

void
cri_dispatch (struct cri_server *s, const char *path, const uint8_t *msg, size_t len,
              int64_t deadline_ns, struct cri_grpc_result *out)
{
  const struct method *m = NULL;
  ProtobufCMessage *req, *resp = NULL;
  struct cri_arena arena = { 0 };
  cleanup_error struct husk_error *err = NULL;
  size_t n;

  memset (out, 0, sizeof *out);
  for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
    if (strcmp (methods[i].path, path) == 0)
      m = &methods[i];
  if (m == NULL)
    {
      cleanup_free char *text = NULL;
      if (asprintf (&text, "unknown method %s", path) < 0)
        text = NULL;
      return fail (out, GRPC_UNIMPLEMENTED, text ? text : "unknown method");
    }
  req = protobuf_c_message_unpack (m->request, NULL, len, msg);
  if (req == NULL)
    return fail (out, GRPC_INTERNAL, "cannot decode the request message");
  if (m->run (s, req, &arena, &resp, &err) < 0)
    {
      protobuf_c_message_free_unpacked (req, NULL);
      cri_arena_clear (&arena);
      return fail (out, grpc_code (err->errnum), err->message);
    }
  protobuf_c_message_free_unpacked (req, NULL);
  n = protobuf_c_message_get_packed_size (resp);
  if (n > CRI_GRPC_MAX_MESSAGE)
    {
      cri_arena_clear (&arena);
      return fail (out, GRPC_RESOURCE_EXHAUSTED, "the answer is over 16 MiB");
    }
  out->body = malloc (n ? n : 1);
  if (out->body == NULL)
    {
      cri_arena_clear (&arena);
      return fail (out, GRPC_RESOURCE_EXHAUSTED, "out of memory");
    }
  out->len = protobuf_c_message_pack (resp, out->body);
  out->status = GRPC_OK;
  cri_arena_clear (&arena);
}

static void
on_call (void *arg, const char *path, const uint8_t *msg, size_t len, int64_t deadline_ns,
         struct cri_grpc_result *out)
{
  cri_dispatch (arg, path, msg, len, deadline_ns, out);
}

int
cri_server_new_detached (const struct cri_options *opts, struct cri_server **out,
                         struct husk_error **err)
{
  struct cri_server *s = calloc (1, sizeof *s);
  if (s == NULL)
    return husk_error_set (err, ENOMEM, "CRI server");
  s->opts = *opts;
  pthread_mutex_init (&s->create_lock, NULL);
  pthread_mutex_init (&s->stream_lock, NULL);
  s->state_dir = strdup (opts->state_dir);
  s->version = strdup (opts->version ? opts->version : "0");
  if (s->state_dir == NULL || s->version == NULL)
    {
      cri_server_free (s);
      return husk_error_set (err, ENOMEM, "CRI server");
    }
  *out = s;
  return 0;
}

int
cri_server_start (struct event_base *base, const struct cri_options *opts,
                  struct cri_server **out, struct husk_error **err)
{
  struct cri_server *s;
  if (cri_server_new_detached (opts, &s, err) < 0)
    return -1;
  if (cri_grpc_listen (base, opts->socket_path, on_call, s, &s->grpc, err) < 0)
    {
      cri_server_free (s);
      return husk_error_wrap (err, "CRI");
    }
  *out = s;
  return 0;
}

void
cri_server_free (struct cri_server *s)
{
  if (s == NULL)
    return;
  cri_grpc_server_free (s->grpc);
  cri_stream_tokens_clear (s);
  free (s->state_dir);
  free (s->version);
  free (s);
}

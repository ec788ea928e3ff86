/* What the files of the CRI server share. */
#ifndef HUSK_CRI_INTERNAL_H
#define HUSK_CRI_INTERNAL_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "api.pb-c.h"
#include "cri.h"
#include "grpc.h"

struct cri_server {
  struct cri_options opts;
  char *state_dir;
  char *version;
  struct cri_grpc_server *grpc;
  /* container creates rewrite the pod description: one at a time */
  pthread_mutex_t create_lock;
  /* the streaming tokens granted and not yet redeemed (cri_stream.c) */
  pthread_mutex_t stream_lock;
  struct cri_stream_entry *stream_tokens;
};

/* Every allocation of one answer, freed at once after it is packed: the
 * answer is built from pointers into several places, which
 * protobuf_c_message_free_unpacked cannot free. */
struct cri_arena {
  void **ptrs;
  size_t len, cap;
};
void *cri_alloc (struct cri_arena *a, size_t size);
char *cri_strdup (struct cri_arena *a, const char *s);
void cri_arena_clear (struct cri_arena *a);

/* The map entries of every CRI message have the same layout. */
struct cri_kv {
  ProtobufCMessage base;
  char *key;
  char *value;
};
/* A copy of `n` entries (any map entry type) as entries of `desc`. */
void *cri_map_copy (struct cri_arena *a, const ProtobufCMessageDescriptor *desc, void *const *src,
                    size_t n);
const char *cri_map_get (void *const *entries, size_t n, const char *key);
/* Every selector entry is in the map. */
bool cri_map_matches (void *const *map, size_t n, void *const *selector, size_t n_selector);

/* A handler: *resp is built in the arena. */
typedef int (*cri_method) (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
                           ProtobufCMessage **resp, struct husk_error **err);

/* The CRI's files (cri_store.c): a message packed into <state>/<kind>/<id>. */
int cri_store_put (struct cri_server *s, const char *kind, const char *id,
                   const ProtobufCMessage *msg, struct husk_error **err);
/* NULL with ENOENT when absent; free with protobuf_c_message_free_unpacked. */
int cri_store_get (struct cri_server *s, const char *kind, const char *id,
                   const ProtobufCMessageDescriptor *desc, ProtobufCMessage **out,
                   struct husk_error **err);
int cri_store_delete (struct cri_server *s, const char *kind, const char *id,
                      struct husk_error **err);
int cri_store_list (struct cri_server *s, const char *kind, char ***ids, size_t *len,
                    struct husk_error **err);

/* The stored RunPodSandboxRequest of a sandbox (cri_sandbox.c). */
int cri_sandbox_config (struct cri_server *s, const char *id,
                        Runtime__V1__RunPodSandboxRequest **out, struct husk_error **err);

static inline void
cri_msg_freep (void *p)
{
  ProtobufCMessage **m = p;
  if (*m)
    protobuf_c_message_free_unpacked (*m, NULL);
}
#define cleanup_msg __attribute__ ((cleanup (cri_msg_freep)))

/* The request message of the i-th method (NULL past the last): for the
 * fuzzer, which decodes every one of them. */
const ProtobufCMessageDescriptor *cri_request_descriptor (size_t i);

/* The methods, one file per area. */
int cri_version (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                 ProtobufCMessage **, struct husk_error **);
int cri_status (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                ProtobufCMessage **, struct husk_error **);
int cri_update_runtime_config (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                               ProtobufCMessage **, struct husk_error **);
int cri_run_pod_sandbox (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                         ProtobufCMessage **, struct husk_error **);
int cri_stop_pod_sandbox (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                          ProtobufCMessage **, struct husk_error **);
int cri_remove_pod_sandbox (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                            ProtobufCMessage **, struct husk_error **);
int cri_pod_sandbox_status (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                            ProtobufCMessage **, struct husk_error **);
int cri_list_pod_sandbox (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                          ProtobufCMessage **, struct husk_error **);
int cri_create_container (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                          ProtobufCMessage **, struct husk_error **);
int cri_start_container (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                         ProtobufCMessage **, struct husk_error **);
int cri_stop_container (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                        ProtobufCMessage **, struct husk_error **);
int cri_remove_container (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                          ProtobufCMessage **, struct husk_error **);
int cri_list_containers (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                         ProtobufCMessage **, struct husk_error **);
int cri_update_container_resources (struct cri_server *, const ProtobufCMessage *,
                                    struct cri_arena *, ProtobufCMessage **, struct husk_error **);
Runtime__V1__ContainerResources *cri_container_resources (struct cri_arena *a,
                                                          const Runtime__V1__ContainerConfig *c);
int cri_container_status (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                          ProtobufCMessage **, struct husk_error **);
int cri_exec_sync (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                   ProtobufCMessage **, struct husk_error **);
int cri_exec (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
              ProtobufCMessage **, struct husk_error **);
int cri_attach (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                ProtobufCMessage **, struct husk_error **);
int cri_port_forward (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                      ProtobufCMessage **, struct husk_error **);
void cri_stream_tokens_clear (struct cri_server *s);
int cri_reopen_container_log (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                              ProtobufCMessage **, struct husk_error **);
int cri_container_stats (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                         ProtobufCMessage **, struct husk_error **);
int cri_list_container_stats (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                              ProtobufCMessage **, struct husk_error **);
int cri_pod_sandbox_stats (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                           ProtobufCMessage **, struct husk_error **);
int cri_list_pod_sandbox_stats (struct cri_server *, const ProtobufCMessage *,
                                struct cri_arena *, ProtobufCMessage **, struct husk_error **);
int cri_list_images (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                     ProtobufCMessage **, struct husk_error **);
int cri_image_status (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                      ProtobufCMessage **, struct husk_error **);
int cri_pull_image (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                    ProtobufCMessage **, struct husk_error **);
int cri_remove_image (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                      ProtobufCMessage **, struct husk_error **);
int cri_image_fs_info (struct cri_server *, const ProtobufCMessage *, struct cri_arena *,
                       ProtobufCMessage **, struct husk_error **);

#endif

/* huskd: the Kubernetes core/v1 API for the pods of one machine.
 *
 * One event loop (libevent) serves every listener, drives every pod's
 * reconciliation timer and every watch stream: no thread per pod or per
 * client.  Everything huskd knows is in `struct huskd`, passed down. */
#ifndef HUSK_HUSKD_H
#define HUSK_HUSKD_H

#include <event2/event.h>
#include <event2/http.h>
#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "error.h"
#include "pod_network.h"
#include "store.h"

#define HUSKD_DEFAULT_SOCKET "/run/husk/huskd.sock"
#define HUSKD_DEFAULT_STATE_DIR "/run/husk/huskd"
/* The CRI socket when huskd serves its default socket; a huskd given a
 * --socket of its own serves the CRI only when given --cri-socket too. */
#define HUSKD_DEFAULT_CRI_SOCKET "/run/husk/cri.sock"
/* kube-apiserver's limit on a request body (3 MiB); bigger ones get 413. */
#define HUSKD_MAX_BODY (3u * 1024 * 1024)
/* The transport limit, above which libevent itself refuses the request. */
#define HUSKD_MAX_TRANSPORT_BODY (16u * 1024 * 1024)
#define HUSKD_MAX_HEADERS (64u * 1024)
#define HUSKD_IO_TIMEOUT 60

struct huskd_controller;
struct huskd_tls;
struct huskd_persist;
struct cri_server;
struct huskd_cri_streaming;

struct huskd_options {
  const char *socket_path;
  const char *state_dir;
  const char *listen;   /* "127.0.0.1:6443" for the TLS listener, or NULL */
  const char *pod_root; /* where the sandbox keeps pods, NULL for its default */
  const char *runtime;       /* the OCI runtime binary the holder runs */
  const char *runtime_root;  /* its --root for pod containers */
  const char *image_store;
  const char *cgroup_parent;
  bool systemd_cgroup;      /* --cgroup-driver systemd */
  const char *cni_conf_dir; /* replaces the default pod network */
  struct huskd_pod_network pod_network;
  const char *resolv_conf;  /* the host resolvers pods get (kubelet's --resolv-conf) */
  const char *registry_config; /* registries.yaml (sandbox/image/registry_config.h) */
  double event_ttl; /* seconds events are kept after their last occurrence */
  const char *cri_socket; /* NULL: no CRI server */
  const char *stream_address; /* the CRI's streaming server (cri_streaming.h) */
};

struct huskd {
  struct huskd_options opts;
  struct event_base *base;
  struct api_store *store;
  struct evhttp *http_unix;
  struct evhttp *http_tls;
  struct huskd_tls *tls;
  struct huskd_controller *controller;
  char *pod_cni_conf_dir; /* --cni-conf-dir, else the default network's */
  struct huskd_persist *persist;
  struct cri_server *cri;
  struct huskd_cri_streaming *cri_streaming;
  double started;
};

/* server.c: the listeners. */
int huskd_listen_unix (struct huskd *d, struct husk_error **err);
void huskd_http_configure (struct huskd *d, struct evhttp *http, bool tls);

/* The node name pods are "scheduled" to: the machine's hostname. */
const char *huskd_node_name (void);

/* discovery.c: the Kubernetes version huskd serves (/version, the Node's
 * kubelet version): within kubectl's skew of the kubectl the tests use. */
const char *huskd_kube_version (void);
/* persist.c: the store writes behind the loop; a mutating request's
 * answer (body owned) is sent once its change is on disk. */
int huskd_persist_start (struct huskd *d, struct husk_error **err);
void huskd_reply_when_written (struct huskd *d, struct evhttp_request *req, int code,
                               struct evbuffer *body);
/* Writes what is queued and sends the answers held. */
void huskd_persist_stop (struct huskd *d);

/* namespaces.c: default and kube-system always exist. */
int huskd_namespaces_bootstrap (struct huskd *d, struct husk_error **err);

#endif

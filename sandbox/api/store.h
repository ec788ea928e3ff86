/* The object store: every API object huskd keeps, in memory and on disk.
 *
 * Objects are JSON trees, written as one file each under
 * <dir>/<resource>/<namespace>/<name>.json (cluster-scoped objects use the
 * namespace "_") with write-to-temp + rename, so a SIGKILL leaves either
 * the old or the new object, never half of one.  The store assigns
 * metadata.uid, resourceVersion (one counter for all objects, as etcd's
 * revision), creationTimestamp and generation.  Watchers registered with
 * api_store_watch() see every change in order. */
#ifndef HUSK_API_STORE_H
#define HUSK_API_STORE_H

#include <stdbool.h>
#include <yajl/yajl_tree.h>

#include "error.h"

struct api_store;

enum api_event_type { API_ADDED, API_MODIFIED, API_DELETED };

/* Called after each change with the object as it now is (as it was, for
 * DELETED).  The object is borrowed. */
typedef void (*api_watch_fn) (void *ctx, enum api_event_type type, const char *resource,
                              yajl_val obj);

int api_store_open (const char *dir, struct api_store **out, struct husk_error **err);
void api_store_free (struct api_store *s);

/* Borrowed; NULL when absent.  ns is NULL for cluster-scoped resources. */
yajl_val api_store_get (struct api_store *s, const char *resource, const char *ns,
                        const char *name);

/* Stores obj (ownership taken, also on failure).  On create, fills uid,
 * creationTimestamp and generation 1; always bumps resourceVersion.  With
 * spec_changed, generation is incremented.  Returns the stored tree
 * (borrowed) through *stored when not NULL. */
int api_store_put (struct api_store *s, const char *resource, yajl_val obj, bool spec_changed,
                   yajl_val *stored, struct husk_error **err);
int api_store_delete (struct api_store *s, const char *resource, const char *ns,
                      const char *name, struct husk_error **err);

/* Objects of a resource, in a namespace or all (ns NULL), sorted by
 * namespace then name.  The array is malloc'd, the objects borrowed; n set. */
yajl_val *api_store_list (struct api_store *s, const char *resource, const char *ns, size_t *n);
/* The same, of the objects whose name starts with prefix. */
yajl_val *api_store_list_prefix (struct api_store *s, const char *resource, const char *ns,
                                 const char *prefix, size_t *n);
/* How many objects api_store_list would return, without the array. */
size_t api_store_count (struct api_store *s, const char *resource, const char *ns);

/* The size of a resource's objects as JSON (their files), all namespaces. */
size_t api_store_bytes (struct api_store *s, const char *resource);

/* The current resourceVersion (for list metadata). */
unsigned long long api_store_revision (struct api_store *s);

/* How many of the last changes a watch from a resourceVersion can replay:
 * at most 512, and at most 256 KiB of their objects' JSON (a ring of text,
 * its memory is about that). */
#define API_STORE_HISTORY 512
#define API_STORE_HISTORY_BYTES (256 * 1024)

/* Calls fn for every change after revision `since`, oldest first, and
 * returns 0; -1 (calling nothing) when some have left the window, whose
 * start (the oldest revision a watch may begin at) is set in *oldest. */
int api_store_replay (struct api_store *s, unsigned long long since, api_watch_fn fn, void *ctx,
                      unsigned long long *oldest);

/* Write-behind (huskd's event loop must not wait for the disk): from now
 * on a put or delete changes memory at once and returns, and a thread of
 * the store writes the files in the order of the changes.  A write that
 * fails is reported by api_store_persisted, not by the put.  Freeing the
 * store writes everything queued first. */
int api_store_write_behind (struct api_store *s, struct husk_error **err);
/* An fd readable after files were written (-1 without write-behind). */
int api_store_persist_fd (struct api_store *s);
/* The revision up to which every change is on disk (the current one
 * without write-behind); -1 with err set when a write failed since the
 * last call, *rev set still. */
int api_store_persisted (struct api_store *s, unsigned long long *rev, struct husk_error **err);
/* Waits until every queued change is on disk. */
void api_store_flush (struct api_store *s);

/* Registers a watcher; returns a handle for api_store_unwatch. */
void *api_store_watch (struct api_store *s, api_watch_fn fn, void *ctx);
void api_store_unwatch (struct api_store *s, void *handle);

/* RFC 3339 UTC timestamp of now (seconds precision), as Kubernetes writes. */
void api_timestamp (char buf[32], double when);
double api_now (void);

#endif

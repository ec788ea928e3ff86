/* The object store's files (store.c): written at once, or by the store's
 * writer thread (write-behind), in the order the changes were made. */
#ifndef HUSK_API_STORE_WRITER_H
#define HUSK_API_STORE_WRITER_H

#include <stddef.h>

#include "error.h"

/* mkdir -p with mode 0700. */
int store_mkdir_p (const char *path, struct husk_error **err);
/* <dir>/<name>.json written whole (temp file + rename), or removed. */
int store_file_write (const char *dir, const char *name, const char *data, size_t len,
                      struct husk_error **err);
int store_file_remove (const char *dir, const char *name, struct husk_error **err);

struct store_writer;

int store_writer_start (struct store_writer **out, struct husk_error **err);
/* Drains the queue, then stops the thread and frees the writer. */
void store_writer_stop (struct store_writer *w);
/* Queues the write (data, owned) or the removal (data NULL) of
 * <dir>/<name>.json that makes revision rev durable; a queued change of
 * the same file not yet begun is dropped, the new one replaces it. */
void store_writer_queue (struct store_writer *w, const char *dir, const char *name, char *data,
                         size_t len, unsigned long long rev);
/* An eventfd, readable after changes were written. */
int store_writer_fd (struct store_writer *w);
/* The revision of the last change written; -1 and err when a write
 * failed since the last call (the revision is set still). */
int store_writer_persisted (struct store_writer *w, unsigned long long *rev,
                            struct husk_error **err);
/* Waits until every queued change is written. */
void store_writer_flush (struct store_writer *w);

#endif

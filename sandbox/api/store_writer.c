/* The store's write-behind thread.  huskd's event loop owns the store and
 * must never wait for the disk: a rename over an object's previous file
 * frees its blocks, and on a filesystem mounted with `discard` that waits
 * for the device (tens of ms, measured under load).  The loop changes the
 * objects in memory and queues their files here; one thread writes them in
 * order and reports the revision written, so an API answer can wait for
 * its own change to be durable without the loop waiting for anything. */
#include "store_writer.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

int
store_mkdir_p (const char *path, struct husk_error **err)
{
  char buf[PATH_MAX];
  snprintf (buf, sizeof buf, "%s", path);
  for (char *p = buf + 1; *p; p++)
    if (*p == '/')
      {
        *p = '\0';
        if (mkdir (buf, 0700) < 0 && errno != EEXIST)
          return husk_error_set (err, errno, "mkdir `%s`", buf);
        *p = '/';
      }
  if (mkdir (buf, 0700) < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "mkdir `%s`", buf);
  return 0;
}

int
store_file_write (const char *dir, const char *name, const char *data, size_t len,
                  struct husk_error **err)
{
  char path[PATH_MAX + 64], tmp[PATH_MAX + 64];
  cleanup_close int fd = -1;

  snprintf (path, sizeof path, "%s/%s.json", dir, name);
  snprintf (tmp, sizeof tmp, "%s/.%s.json.tmp", dir, name);
  fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0 && errno == ENOENT && store_mkdir_p (dir, err) == 0)
    fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return err && *err ? -1 : husk_error_set (err, errno, "open `%s`", tmp);
  for (size_t off = 0; off < len;)
    {
      ssize_t w = write (fd, data + off, len - off);
      if (w < 0)
        return husk_error_set (err, errno, "write `%s`", tmp);
      off += (size_t) w;
    }
  if (rename (tmp, path) < 0)
    return husk_error_set (err, errno, "rename `%s` to `%s`", tmp, path);
  return 0;
}

int
store_file_remove (const char *dir, const char *name, struct husk_error **err)
{
  char path[PATH_MAX + 64];
  snprintf (path, sizeof path, "%s/%s.json", dir, name);
  if (unlink (path) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "unlink `%s`", path);
  return 0;
}

struct store_op {
  char *dir, *name;
  char *data; /* NULL: remove */
  size_t len;
  unsigned long long rev;
  bool dropped; /* a later change of the same file replaces it */
  struct store_op *next;
};

struct store_writer {
  pthread_t thread;
  pthread_mutex_t lock;
  pthread_cond_t changed; /* queued, or written */
  struct store_op *head, **tail;
  bool busy; /* an op is being written */
  bool stopping;
  unsigned long long persisted;
  struct husk_error *error; /* the first failure since the last report */
  int fd;
};

static void
op_free (struct store_op *op)
{
  free (op->dir);
  free (op->name);
  free (op->data);
  free (op);
}

static void
perform (struct store_writer *w, struct store_op *op)
{
  struct husk_error *err = NULL;
  int r = op->data ? store_file_write (op->dir, op->name, op->data, op->len, &err)
                   : store_file_remove (op->dir, op->name, &err);
  if (r == 0)
    return;
  pthread_mutex_lock (&w->lock);
  if (!w->error)
    husk_error_propagate (&w->error, &err);
  husk_error_release (&err);
  pthread_mutex_unlock (&w->lock);
}

static void *
writer_main (void *arg)
{
  struct store_writer *w = arg;
  const uint64_t one = 1;
  pthread_mutex_lock (&w->lock);
  for (;;)
    {
      struct store_op *op;
      while (!w->head && !w->stopping)
        pthread_cond_wait (&w->changed, &w->lock);
      if (!w->head)
        break; /* stopping, and everything is written */
      op = w->head;
      w->head = op->next;
      if (!w->head)
        w->tail = &w->head;
      w->busy = true;
      pthread_mutex_unlock (&w->lock);
      if (!op->dropped)
        perform (w, op);
      pthread_mutex_lock (&w->lock);
      w->busy = false;
      w->persisted = op->rev;
      op_free (op);
      pthread_cond_broadcast (&w->changed);
      if (write (w->fd, &one, sizeof one) < 0)
        { /* the counter is saturated: the loop has a wake-up pending anyway */ }
    }
  pthread_mutex_unlock (&w->lock);
  return NULL;
}

int
store_writer_start (struct store_writer **out, struct husk_error **err)
{
  struct store_writer *w = calloc (1, sizeof *w);
  if (!w)
    return husk_error_set (err, ENOMEM, "store writer");
  w->tail = &w->head;
  w->fd = eventfd (0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (w->fd < 0)
    {
      free (w);
      return husk_error_set (err, errno, "eventfd");
    }
  pthread_mutex_init (&w->lock, NULL);
  pthread_cond_init (&w->changed, NULL);
  int r = pthread_create (&w->thread, NULL, writer_main, w);
  if (r != 0)
    {
      close (w->fd);
      free (w);
      return husk_error_set (err, r, "start the store writer");
    }
  *out = w;
  return 0;
}

void
store_writer_stop (struct store_writer *w)
{
  if (!w)
    return;
  pthread_mutex_lock (&w->lock);
  w->stopping = true;
  pthread_cond_broadcast (&w->changed);
  pthread_mutex_unlock (&w->lock);
  pthread_join (w->thread, NULL);
  pthread_mutex_destroy (&w->lock);
  pthread_cond_destroy (&w->changed);
  husk_error_release (&w->error);
  close (w->fd);
  free (w);
}

void
store_writer_queue (struct store_writer *w, const char *dir, const char *name, char *data,
                    size_t len, unsigned long long rev)
{
  struct store_op *op = calloc (1, sizeof *op);
  if (!op || !(op->dir = strdup (dir)) || !(op->name = strdup (name)))
    abort ();
  op->data = data;
  op->len = len;
  op->rev = rev;
  pthread_mutex_lock (&w->lock);
  /* a status written ten times while the disk is slow is written once */
  for (struct store_op *q = w->head; q; q = q->next)
    if (!q->dropped && !strcmp (q->name, name) && !strcmp (q->dir, dir))
      {
        q->dropped = true;
        free (q->data);
        q->data = NULL;
      }
  *w->tail = op;
  w->tail = &op->next;
  pthread_cond_broadcast (&w->changed);
  pthread_mutex_unlock (&w->lock);
}

int
store_writer_fd (struct store_writer *w)
{
  return w->fd;
}

int
store_writer_persisted (struct store_writer *w, unsigned long long *rev, struct husk_error **err)
{
  uint64_t n;
  struct husk_error *failed;
  if (read (w->fd, &n, sizeof n) < 0)
    { /* EAGAIN: nothing new since the last read */ }
  pthread_mutex_lock (&w->lock);
  *rev = w->persisted;
  failed = w->error;
  w->error = NULL;
  pthread_mutex_unlock (&w->lock);
  if (!failed)
    return 0;
  return husk_error_propagate (err, &failed);
}

void
store_writer_flush (struct store_writer *w)
{
  pthread_mutex_lock (&w->lock);
  while (w->head || w->busy)
    pthread_cond_wait (&w->changed, &w->lock);
  pthread_mutex_unlock (&w->lock);
}

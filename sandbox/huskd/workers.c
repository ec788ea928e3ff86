#include "workers.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

struct huskd_workers {
  pthread_mutex_t lock;
  pthread_cond_t cond;
  struct huskd_job *queue, **queue_tail;
  struct huskd_job *done;
  struct event *done_event;
  pthread_t *threads;
  unsigned n;
  bool stopping;
};

static void *
worker_main (void *arg)
{
  struct huskd_workers *w = arg;
  pthread_mutex_lock (&w->lock);
  for (;;)
    {
      struct huskd_job *job;
      while (!w->queue && !w->stopping)
        pthread_cond_wait (&w->cond, &w->lock);
      if (w->stopping)
        break;
      job = w->queue;
      w->queue = job->next;
      if (!w->queue)
        w->queue_tail = &w->queue;
      pthread_mutex_unlock (&w->lock);
      job->run (job);
      pthread_mutex_lock (&w->lock);
      job->next = w->done;
      w->done = job;
      /* event_active is thread safe once evthread_use_pthreads() ran */
      event_active (w->done_event, EV_READ, 0);
    }
  pthread_mutex_unlock (&w->lock);
  return NULL;
}

static void
on_done (evutil_socket_t fd, short what, void *arg)
{
  struct huskd_workers *w = arg;
  struct huskd_job *list, *reversed = NULL;
  pthread_mutex_lock (&w->lock);
  list = w->done;
  w->done = NULL;
  pthread_mutex_unlock (&w->lock);
  while (list) /* finish in completion order */
    {
      struct huskd_job *next = list->next;
      list->next = reversed;
      reversed = list;
      list = next;
    }
  while (reversed)
    {
      struct huskd_job *next = reversed->next;
      reversed->done (reversed);
      reversed = next;
    }
}

int
huskd_workers_new (struct event_base *base, unsigned n, struct huskd_workers **out)
{
  struct huskd_workers *w = calloc (1, sizeof *w);
  if (!w)
    return -1;
  pthread_mutex_init (&w->lock, NULL);
  pthread_cond_init (&w->cond, NULL);
  w->queue_tail = &w->queue;
  w->done_event = event_new (base, -1, 0, on_done, w);
  w->threads = calloc (n, sizeof *w->threads);
  for (; w->n < n; w->n++)
    if (pthread_create (&w->threads[w->n], NULL, worker_main, w) != 0)
      break;
  *out = w;
  return w->n ? 0 : -1;
}

void
huskd_workers_free (struct huskd_workers *w)
{
  if (!w)
    return;
  pthread_mutex_lock (&w->lock);
  w->stopping = true;
  pthread_cond_broadcast (&w->cond);
  pthread_mutex_unlock (&w->lock);
  for (unsigned i = 0; i < w->n; i++)
    pthread_join (w->threads[i], NULL);
  event_free (w->done_event);
  free (w->threads);
  free (w);
}

void
huskd_workers_submit (struct huskd_workers *w, struct huskd_job *job)
{
  pthread_mutex_lock (&w->lock);
  job->next = NULL;
  *w->queue_tail = job;
  w->queue_tail = &job->next;
  pthread_cond_signal (&w->cond);
  pthread_mutex_unlock (&w->lock);
}

void
huskd_workers_post (struct huskd_workers *w, struct huskd_job *job)
{
  pthread_mutex_lock (&w->lock);
  job->next = w->done;
  w->done = job;
  event_active (w->done_event, EV_READ, 0);
  pthread_mutex_unlock (&w->lock);
}

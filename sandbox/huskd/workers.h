/* A small pool of worker threads for the calls that block (the sandbox
 * library waits out grace periods, exec and probes wait for processes).
 * A job's `run` executes on a worker and must not touch the store or the
 * event loop; its `done` runs afterwards on the event loop thread. */
#ifndef HUSK_HUSKD_WORKERS_H
#define HUSK_HUSKD_WORKERS_H

#include <event2/event.h>

struct huskd_workers;

struct huskd_job {
  void (*run) (struct huskd_job *job);
  void (*done) (struct huskd_job *job); /* frees the job */
  struct huskd_job *next;
};

int huskd_workers_new (struct event_base *base, unsigned n, struct huskd_workers **out);
/* Finishes running jobs, drops queued ones (their done is not called). */
void huskd_workers_free (struct huskd_workers *w);
void huskd_workers_submit (struct huskd_workers *w, struct huskd_job *job);
/* From a job's run: job->done runs soon on the event loop thread (run is
 * not called), before the posting job's own done. */
void huskd_workers_post (struct huskd_workers *w, struct huskd_job *job);

#endif

#include "bench_samples.h"

#include <stdlib.h>
#include <time.h>

double
bench_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_MONOTONIC, &ts);
  return (double) ts.tv_sec + (double) ts.tv_nsec / 1e9;
}

void
samples_add (struct samples *s, double v)
{
  if (s->n == s->cap)
    {
      s->cap = s->cap ? s->cap * 2 : 256;
      s->v = realloc (s->v, s->cap * sizeof *s->v);
      if (!s->v)
        abort ();
    }
  s->v[s->n++] = v;
}

void
samples_merge (struct samples *all, const struct samples *s)
{
  for (size_t i = 0; i < s->n; i++)
    samples_add (all, s->v[i]);
}

static int
cmp_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return (x > y) - (x < y);
}

void
samples_sort (struct samples *s)
{
  if (s->n)
    qsort (s->v, s->n, sizeof *s->v, cmp_double);
}

double
samples_percentile (const struct samples *s, double p)
{
  size_t rank;
  if (s->n == 0)
    return 0;
  rank = (size_t) (p / 100 * (double) s->n + 0.999999);
  return s->v[(rank < 1 ? 1 : rank > s->n ? s->n : rank) - 1];
}

double
samples_mean (const struct samples *s)
{
  double sum = 0;
  for (size_t i = 0; i < s->n; i++)
    sum += s->v[i];
  return s->n ? sum / (double) s->n : 0;
}

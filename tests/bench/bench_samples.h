/* Latency samples of the benchmark clients and their percentiles. */
#pragma once

#include <stddef.h>

/* A monotonic clock in seconds. */
double bench_now (void);

struct samples {
  double *v;
  size_t n, cap;
};

void samples_add (struct samples *s, double v);
void samples_merge (struct samples *all, const struct samples *s);
/* Sorts the samples (the percentiles below need it). */
void samples_sort (struct samples *s);
/* Nearest-rank percentile of sorted samples; 0 with none. */
double samples_percentile (const struct samples *s, double p);
double samples_mean (const struct samples *s);

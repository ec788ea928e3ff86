/* Counters of a cgroup in the shape of runc's types.Stats, filled by the v1
 * or v2 reader and written as JSON by stats.c. */
#ifndef HUSK_RUNTIME_CGROUP_STATS_H
#define HUSK_RUNTIME_CGROUP_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../oci/error.h"

struct husk_cg_u64_list {
  uint64_t *v;
  size_t len;
};

struct husk_cg_memory_entry {
  bool set;
  uint64_t limit, usage, max, failcnt;
};

struct husk_cg_blkio_entry {
  uint64_t major, minor;
  char op[16]; /* "Read", "Write", "Sync", "Async", "Discard", "Total", "" */
  uint64_t value;
};

struct husk_cg_blkio_list {
  struct husk_cg_blkio_entry *v;
  size_t len;
};

enum husk_cg_blkio_kind {
  HUSK_CG_BLKIO_SERVICE_BYTES, /* ioServiceBytesRecursive */
  HUSK_CG_BLKIO_SERVICED,      /* ioServicedRecursive */
  HUSK_CG_BLKIO__COUNT
};

struct husk_cg_hugetlb {
  char *page_size; /* "2MB" */
  uint64_t usage, max, failcnt;
};

/* Pressure stall information (v2 <controller>.pressure); the averages are
 * kept as the kernel prints them ("0.42"), which is already JSON. */
struct husk_cg_psi_line {
  char avg10[16], avg60[16], avg300[16];
  uint64_t total;
};

struct husk_cg_psi {
  bool set;
  struct husk_cg_psi_line some, full;
};

struct husk_cgroup_stats {
  struct {
    uint64_t total, kernel, user;
    struct husk_cg_u64_list percpu, percpu_kernel, percpu_user;
    uint64_t periods, throttled_periods, throttled_time;
    struct husk_cg_psi psi;
  } cpu;
  struct {
    uint64_t cache;
    struct husk_cg_memory_entry usage, swap, kernel, kernel_tcp;
    char **raw_keys; /* memory.stat, in file order */
    uint64_t *raw_values;
    size_t raw_len;
    struct husk_cg_psi psi;
  } memory;
  struct {
    uint64_t current, limit; /* limit 0: unlimited, as runc */
  } pids;
  struct husk_cg_blkio_list blkio[HUSK_CG_BLKIO__COUNT];
  struct husk_cg_psi blkio_psi;
  struct husk_cg_hugetlb *hugetlb;
  size_t hugetlb_len;
};

void husk_cg_stats_clear (struct husk_cgroup_stats *st);

/* Helpers for the readers. */
int husk_cg_u64_list_parse (const char *content, struct husk_cg_u64_list *out,
                            struct husk_error **err);
/* "key value" lines (memory.stat) into the raw map. */
int husk_cg_stats_raw_parse (const char *content, struct husk_cgroup_stats *st,
                             struct husk_error **err);
int husk_cg_blkio_add (struct husk_cg_blkio_list *l, uint64_t major, uint64_t minor,
                       const char *op, uint64_t value, struct husk_error **err);
int husk_cg_hugetlb_add (struct husk_cgroup_stats *st, const char *size, uint64_t usage,
                         uint64_t max, uint64_t failcnt, struct husk_error **err);
/* "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\nfull ..." */
void husk_cg_psi_parse (const char *content, struct husk_cg_psi *psi);
/* The page sizes the kernel offers ("2MB", "1GB"), from
 * /sys/kernel/mm/hugepages, as cgroup file names spell them. */
int husk_cg_hugepage_sizes (char ***sizes, struct husk_error **err);

#endif

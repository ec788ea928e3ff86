/* v1 blkio controller: weights (CFQ files, or BFQ's when CFQ is gone, as
 * runc picks) and throttling. */
#include <errno.h>
#include <inttypes.h>

#include "v1.h"

static const char *
weight_file (const char *dir, const char *cfq, const char *bfq)
{
  return cg_has (dir, cfq) || !cg_has (dir, bfq) ? cfq : bfq;
}

static int
set_weights (const char *dir, const struct oci_block_io *b, struct husk_error **err)
{
  if (b->weight.set && b->weight.value != 0 &&
      cg_write_u64 (dir, weight_file (dir, "blkio.weight", "blkio.bfq.weight"), b->weight.value,
                    err) < 0)
    return -1;
  if (b->leaf_weight.set && b->leaf_weight.value != 0 &&
      cg_write_u64 (dir, "blkio.leaf_weight", b->leaf_weight.value, err) < 0)
    return -1;
  for (size_t i = 0; i < b->weight_device_len; i++)
    {
      const struct oci_weight_device *w = &b->weight_device[i];
      const char *file = weight_file (dir, "blkio.weight_device", "blkio.bfq.weight_device");
      /* 0 is "not set" (runc skips it; the kernel would refuse it) */
      if (w->weight.set && w->weight.value != 0 &&
          cg_writef (dir, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64, w->major, w->minor,
                     w->weight.value) < 0)
        return -1;
      if (w->leaf_weight.set && w->leaf_weight.value != 0 &&
          cg_writef (dir, "blkio.leaf_weight_device", err, "%" PRId64 ":%" PRId64 " %" PRIu64,
                     w->major, w->minor, w->leaf_weight.value) < 0)
        return -1;
    }
  return 0;
}

static int
set_throttle (const char *dir, const char *file, const struct oci_throttle_device *t, size_t len,
              struct husk_error **err)
{
  for (size_t i = 0; i < len; i++)
    if (cg_writef (dir, file, err, "%" PRId64 ":%" PRId64 " %" PRIu64, t[i].major, t[i].minor,
                   t[i].rate) < 0)
      return -1;
  return 0;
}

/* dockerd always sends "blockIO": {"weight": 0}: nothing to do, even on a
 * host without the blkio hierarchy. */
static bool
blkio_wanted (const struct oci_block_io *b)
{
  for (size_t i = 0; i < b->weight_device_len; i++)
    if ((b->weight_device[i].weight.set && b->weight_device[i].weight.value)
        || (b->weight_device[i].leaf_weight.set && b->weight_device[i].leaf_weight.value))
      return true;
  return (b->weight.set && b->weight.value) || (b->leaf_weight.set && b->leaf_weight.value)
         || b->throttle_read_bps_device_len || b->throttle_write_bps_device_len
         || b->throttle_read_iops_device_len || b->throttle_write_iops_device_len;
}

int
cg_v1_blkio_apply (const char *dir, const struct oci_resources *r, bool update,
                   struct husk_error **err)
{
  const struct oci_block_io *b = r ? r->block_io : NULL;
  if (b == NULL || !blkio_wanted (b))
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("blkio", "linux.resources.blockIO", err);
  if (set_weights (dir, b, err) < 0)
    return -1;
  if (set_throttle (dir, "blkio.throttle.read_bps_device", b->throttle_read_bps_device,
                    b->throttle_read_bps_device_len, err) < 0 ||
      set_throttle (dir, "blkio.throttle.write_bps_device", b->throttle_write_bps_device,
                    b->throttle_write_bps_device_len, err) < 0 ||
      set_throttle (dir, "blkio.throttle.read_iops_device", b->throttle_read_iops_device,
                    b->throttle_read_iops_device_len, err) < 0 ||
      set_throttle (dir, "blkio.throttle.write_iops_device", b->throttle_write_iops_device,
                    b->throttle_write_iops_device_len, err) < 0)
    return -1;
  return 0;
}

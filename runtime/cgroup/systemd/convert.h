/* Pure conversions of the systemd driver (spec values to unit property
 * values, as runc's libcontainer/cgroups/systemd computes them), kept apart
 * from D-Bus so the unit tests check them directly. */
#ifndef HUSK_RUNTIME_CGROUP_SYSTEMD_CONVERT_H
#define HUSK_RUNTIME_CGROUP_SYSTEMD_CONVERT_H

#include <stddef.h>
#include <stdint.h>

#include "../../../oci/error.h"

/* systemd's "infinity" (USEC_INFINITY, CGROUP_LIMIT_MAX). */
#define HUSK_SD_INFINITY UINT64_MAX

/* CPUQuotaPerSecUSec for a quota per period (both microseconds): infinity
 * for quota <= 0; else quota * 1e6 / period (period 0: 100000), rounded up
 * to 10 ms because systemd keeps CPUQuota as a whole percentage. */
uint64_t husk_sd_cpu_quota_per_sec (int64_t quota, uint64_t period);

/* AllowedCPUs / AllowedMemoryNodes: a cpuset list ("0-3,8") as the bitmask
 * systemd takes, byte i holding ids 8i..8i+7 (least significant bit
 * first), trailing zero bytes dropped.  *bits malloc'd. */
int husk_sd_range_to_bits (const char *list, uint8_t **bits, size_t *len,
                           struct husk_error **err);

/* A device rule as DeviceAllow= names it: "/dev/char/1:3", "char-pts"
 * (major with any minor, by its name in `proc_devices`, the text of
 * /proc/devices), "char-*" (any major).  type is 'c' or 'b'; major/minor
 * -1 for any.  *out NULL (and 0 returned) when the major has no name. */
int husk_sd_device_node (char type, int64_t major, int64_t minor, const char *proc_devices,
                         char **out, struct husk_error **err);

#endif

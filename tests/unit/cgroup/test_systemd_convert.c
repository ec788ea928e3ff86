/* The systemd driver's value conversions, as runc's
 * libcontainer/cgroups/systemd computes them. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "systemd/convert.h"

static void
bits_case (const char *list, const char *want_hex)
{
  struct husk_error *err = NULL;
  uint8_t *bits = NULL;
  size_t len = 0;
  char got[64] = "";
  int r = husk_sd_range_to_bits (list, &bits, &len, &err);
  if (want_hex == NULL)
    {
      ok (r < 0, "\"%s\" is refused", list);
      husk_error_release (&err);
      return;
    }
  for (size_t i = 0; r == 0 && i < len && i < 30; i++)
    sprintf (got + 2 * i, "%02x", bits[i]);
  is_str (got, want_hex, "bits of \"%s\"", list);
  free (bits);
  husk_error_release (&err);
}

static void
node_case (char type, int64_t major, int64_t minor, const char *want)
{
  static const char proc_devices[] = "Character devices:\n  1 mem\n  5 /dev/tty\n136 pts\n"
                                     "\nBlock devices:\n  7 loop\n  8 sd\n";
  struct husk_error *err = NULL;
  char *node = NULL;
  ok (husk_sd_device_node (type, major, minor, proc_devices, &node, &err) == 0,
      "%c %lld:%lld converts", type, (long long) major, (long long) minor);
  is_str (node ? node : "(none)", want ? want : "(none)", "%c %lld:%lld", type,
          (long long) major, (long long) minor);
  free (node);
}

int
main (void)
{
  /* runc: quota * 1e6 / period, rounded up to 10 ms; <= 0 is infinity */
  ok (husk_sd_cpu_quota_per_sec (50000, 100000) == 500000, "50%% is 500 ms per second");
  ok (husk_sd_cpu_quota_per_sec (50000, 0) == 500000, "period 0 is the kernel's 100 ms");
  ok (husk_sd_cpu_quota_per_sec (1234, 100000) == 20000, "12.34 ms rounds up to 20 ms");
  ok (husk_sd_cpu_quota_per_sec (200000, 100000) == 2000000, "two cpus");
  ok (husk_sd_cpu_quota_per_sec (-1, 100000) == HUSK_SD_INFINITY, "-1 is infinity");
  ok (husk_sd_cpu_quota_per_sec (0, 50000) == HUSK_SD_INFINITY, "only a period: infinity");

  bits_case ("0", "01");
  bits_case ("0-3", "0f");
  bits_case ("1,3", "0a");
  bits_case ("0-3,8", "0f01");
  bits_case ("9", "0002");
  bits_case ("a", NULL);
  bits_case ("3-1", NULL);
  bits_case ("1,,2", NULL);
  bits_case ("1-", NULL);

  node_case ('c', 1, 3, "/dev/char/1:3");
  node_case ('b', 8, 0, "/dev/block/8:0");
  node_case ('c', 136, -1, "char-pts");
  node_case ('b', 7, -1, "block-loop");
  node_case ('c', -1, -1, "char-*");
  node_case ('c', 250, -1, NULL);
  return tap_done ();
}

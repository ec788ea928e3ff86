/* Pure value rules of runtime/cgroup: no cgroup is touched. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "tap.h"
#include "cgroup.h"
#include "internal.h"
#include "stats.h"
#include "v2/v2.h"

static void
test_weights (void)
{
  is_int (husk_cgroup_shares_to_weight (0), 0, "shares 0 stays unset");
  is_int (husk_cgroup_shares_to_weight (2), 1, "shares 2 -> weight 1");
  is_int (husk_cgroup_shares_to_weight (1024), 39, "shares 1024 -> weight 39 (runc)");
  is_int (husk_cgroup_shares_to_weight (262144), 10000, "shares 262144 -> weight 10000");
  is_int (husk_cgroup_blkio_weight_to_io_weight (10), 1, "blkio 10 -> io 1");
  is_int (husk_cgroup_blkio_weight_to_io_weight (500), 4950, "blkio 500 -> io 4950");
  is_int (husk_cgroup_blkio_weight_to_io_weight (1000), 10000, "blkio 1000 -> io 10000");
}

static void
swap_case (int64_t swap, int64_t limit, bool limit_set, const char *want, const char *label)
{
  struct husk_error *err = NULL;
  char *out = NULL;
  int r = husk_cgroup_swap_to_v2 (swap, limit, limit_set, &out, &err);
  if (want && strcmp (want, "ERROR") == 0)
    ok (r < 0 && err && strstr (err->message, "linux.resources.memory.swap"), "%s: error (%s)",
        label, err ? err->message : "none");
  else
    is_str (out, want, "%s", label);
  free (out);
  husk_error_release (&err);
}

static void
test_swap (void)
{
  swap_case (-1, 100, true, "max", "swap -1 -> max");
  swap_case (0, -1, true, "max", "limit -1, swap unset -> max (both unlimited)");
  swap_case (0, 100, true, NULL, "swap 0 -> nothing written");
  swap_case (300, 100, true, "200", "swap 300 limit 100 -> 200");
  swap_case (100, 100, true, "0", "swap == limit -> 0 (no swap)");
  swap_case (50, 100, true, "ERROR", "swap < limit refused");
  swap_case (100, 0, false, "ERROR", "swap without limit refused");
  swap_case (100, -1, true, "ERROR", "swap with unlimited memory refused");
}

static void
rule_case (const char *type, int64_t major, int64_t minor, const char *access, const char *want)
{
  struct oci_device_cgroup r = { .allow = true, .type = (char *) type,
                                 .major = { major >= 0, major }, .minor = { minor >= 0, minor },
                                 .access = (char *) access };
  struct husk_error *err = NULL;
  char *out = NULL;
  husk_cgroup_device_rule_string (&r, &out, &err);
  is_str (out, want, "device rule \"%s\"", want ? want : "(error)");
  free (out);
  husk_error_release (&err);
}

static void
test_device_rules (void)
{
  char buf[24];
  rule_case ("c", 1, 3, "rwm", "c 1:3 rwm");
  rule_case (NULL, -1, -1, NULL, "a *:* rwm");
  rule_case ("b", 8, -1, "r", "b 8:* r");
  rule_case ("x", 1, 1, "r", NULL);
  rule_case ("c", 1, 1, "rq", NULL);
  husk_cgroup_limit_string (-1, buf);
  is_str (buf, "max", "limit -1 -> max");
  husk_cgroup_limit_string (4096, buf);
  is_str (buf, "4096", "limit 4096");
}

static void
cpuset_case (const char *list, bool good)
{
  struct husk_error *err = NULL;
  int r = husk_cgroup_check_cpuset ("linux.resources.cpu.cpus", list, &err);
  ok ((r == 0) == good, "cpuset \"%s\" %s", list, good ? "accepted" : "refused");
  if (err && !good)
    ok (strstr (err->message, "linux.resources.cpu.cpus: invalid cpuset list") != NULL,
        "error names the field: %s", err->message);
  husk_error_release (&err);
}

static void
test_cpuset (void)
{
  cpuset_case ("0-3,5", true);
  cpuset_case ("0", true);
  cpuset_case ("1,2,3", true);
  cpuset_case ("0-", false);
  cpuset_case ("a", false);
  cpuset_case (",1", false);
  cpuset_case ("1;rm", false);
}

static void
path_case (const char *in, const char *want)
{
  char *out = cg_clean_path (in);
  is_str (out, want, "clean \"%s\"", in);
  free (out);
}

static void
test_paths (void)
{
  struct husk_error *err = NULL;
  struct husk_cgroup *cg = NULL;

  path_case ("/a/b", "/a/b");
  path_case ("a//b/./c/", "a/b/c");
  path_case ("../../x", "x");
  path_case ("rel/ns", "rel/ns"); /* already clean: ASan saw a read past the end */
  path_case ("/a/../../b", "/b");
  path_case ("/", "/");
  path_case ("a/..", "");
  int r = husk_cgroup_create ("system.slice:husk:abc", "abc", NULL, &cg, &err);
  ok (r < 0 && err &&
          strcmp (err->message, "linux.cgroupsPath: \"system.slice:husk:abc\" is a systemd "
                                "path (slice:prefix:name): it needs --systemd-cgroup") == 0,
      "systemd path refused: %s", err ? err->message : "(no error)");
  husk_error_release (&err);
  r = husk_cgroup_create (NULL, "../x", NULL, &cg, &err);
  ok (r < 0 && err, "bad id refused: %s", err ? err->message : "(no error)");
  husk_error_release (&err);
  r = husk_cgroup_create ("..", "x", NULL, &cg, &err);
  ok (r < 0 && err, "path naming no cgroup refused: %s", err ? err->message : "(no error)");
  husk_error_release (&err);
}

static void
test_bpf_program (void)
{
  struct oci_device_cgroup deny_all = { .allow = false, .access = (char *) "rwm" };
  struct oci_device_cgroup null_dev = { .allow = true, .type = (char *) "c", .major = { true, 1 },
                                        .minor = { true, 3 }, .access = (char *) "rw" };
  const struct oci_device_cgroup *rules[] = { &deny_all, &null_dev };
  struct husk_error *err = NULL;
  struct bpf_insn *p = NULL;
  size_t n = 0;

  ok (cg_v2_devices_program (rules, 2, &p, &n, &err) == 0, "device program builds");
  /* prologue 6 + null (type 1, access 3, major 1, minor 1, ret 2 = 8) +
   * deny-all (ret 2, matches all: no epilogue after it) */
  is_int (n, 16, "instruction count");
  if (p && n == 16)
    {
      is_int (p[6].code, BPF_JMP | BPF_JNE | BPF_K, "last rule checked first: type jump");
      is_int (p[6].imm, BPF_DEVCG_DEV_CHAR, "char device");
      is_int (p[6].off, 7, "type jump skips the rule block");
      is_int (p[8].imm, BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE, "access mask rw");
      is_int (p[12].imm, 1, "allow returns 1");
      is_int (p[14].imm, 0, "deny-all returns 0");
      is_int (p[15].code, BPF_JMP | BPF_EXIT, "ends with exit");
    }
  free (p);
  husk_error_release (&err);
}

static void
test_psi (void)
{
  struct husk_cg_psi psi = { 0 };
  husk_cg_psi_parse ("some avg10=1.50 avg60=0.25 avg300=0.00 total=12345\n"
                     "full avg10=0.00 avg60=0.00 avg300=0.00 total=7\n",
                     &psi);
  ok (psi.set, "psi parsed");
  is_str (psi.some.avg10, "1.50", "psi some avg10");
  is_int (psi.some.total, 12345, "psi some total");
  is_int (psi.full.total, 7, "psi full total");
}

int
main (void)
{
  test_weights ();
  test_swap ();
  test_device_rules ();
  test_cpuset ();
  test_paths ();
  test_bpf_program ();
  test_psi ();
  return tap_done ();
}

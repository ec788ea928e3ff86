/* v2 device control: cgroup v2 has no devices.allow; the kernel asks a
 * BPF_PROG_TYPE_CGROUP_DEVICE program instead.  We write that program from
 * the rule list, the way crun's ebpf.c and runc's devicefilter do: the
 * rules are checked last to first and the first match decides, so the last
 * rule that matches wins (as later writes win on v1); no match denies. */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "v2.h"

static struct bpf_insn
insn (uint8_t code, uint8_t dst, uint8_t src, int16_t off, int32_t imm)
{
  struct bpf_insn i = { .code = code, .dst_reg = dst, .src_reg = src, .off = off, .imm = imm };
  return i;
}

#define LDX_W(dst, src, off) insn (BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0)
#define ALU32_IMM(op, dst, imm) insn (BPF_ALU | (op) | BPF_K, dst, 0, 0, imm)
#define MOV32_REG(dst, src) insn (BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0)
#define MOV32_IMM(dst, imm) insn (BPF_ALU | BPF_MOV | BPF_K, dst, 0, 0, imm)
#define JNE_IMM(dst, imm) insn (BPF_JMP | BPF_JNE | BPF_K, dst, 0, 0, imm)
#define JNE_REG(dst, src) insn (BPF_JMP | BPF_JNE | BPF_X, dst, src, 0, 0)
#define EXIT() insn (BPF_JMP | BPF_EXIT, 0, 0, 0, 0)

/* Registers after the prologue: type, access, major, minor. */
enum { R_TYPE = BPF_REG_2, R_ACCESS = BPF_REG_3, R_MAJOR = BPF_REG_4, R_MINOR = BPF_REG_5 };

static int
access_bits (const char *access)
{
  int bits = 0;
  for (const char *a = access && *access ? access : "rwm"; *a; a++)
    bits |= *a == 'r' ? BPF_DEVCG_ACC_READ : *a == 'w' ? BPF_DEVCG_ACC_WRITE
            : *a == 'm' ? BPF_DEVCG_ACC_MKNOD : -1;
  return bits;
}

/* Appends one rule's block; its jumps go past the block's end.  Returns 1
 * when the rule matches every device (no jump): whatever follows it could
 * never run, and the verifier refuses unreachable instructions. */
static int
append_rule (struct bpf_insn *p, size_t *n, const struct oci_device_cgroup *rule,
             struct husk_error **err)
{
  const char *type = rule->type && *rule->type ? rule->type : "a";
  int bits = access_bits (rule->access);
  size_t start = *n;

  if (bits < 0 || strlen (type) != 1 || strchr ("abc", type[0]) == NULL)
    return husk_error_set (err, EINVAL, "linux.resources.devices: bad rule type \"%s\" access \"%s\"",
                           type, rule->access ? rule->access : "");
  if (type[0] != 'a')
    p[(*n)++] = JNE_IMM (R_TYPE, type[0] == 'c' ? BPF_DEVCG_DEV_CHAR : BPF_DEVCG_DEV_BLOCK);
  if (bits != (BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD))
    {
      /* Matches when the requested access is a subset of the rule's. */
      p[(*n)++] = MOV32_REG (BPF_REG_1, R_ACCESS);
      p[(*n)++] = ALU32_IMM (BPF_AND, BPF_REG_1, bits);
      p[(*n)++] = JNE_REG (BPF_REG_1, R_ACCESS);
    }
  if (rule->major.set && rule->major.value >= 0)
    p[(*n)++] = JNE_IMM (R_MAJOR, (int32_t) rule->major.value);
  if (rule->minor.set && rule->minor.value >= 0)
    p[(*n)++] = JNE_IMM (R_MINOR, (int32_t) rule->minor.value);
  p[(*n)++] = MOV32_IMM (BPF_REG_0, rule->allow ? 1 : 0);
  p[(*n)++] = EXIT ();
  for (size_t i = start; i < *n; i++)
    if (BPF_CLASS (p[i].code) == BPF_JMP && BPF_OP (p[i].code) == BPF_JNE)
      p[i].off = (int16_t) (*n - i - 1);
  return *n - start == 2 ? 1 : 0;
}

int
cg_v2_devices_program (const struct oci_device_cgroup *const *rules, size_t n,
                       struct bpf_insn **insns, size_t *len, struct husk_error **err)
{
  /* 6 prologue, at most 8 per rule, 2 epilogue. */
  cleanup_free struct bpf_insn *p = calloc (6 + 8 * n + 2, sizeof *p);
  size_t k = 0;
  bool catch_all = false;
  if (p == NULL)
    return husk_error_set (err, ENOMEM, "device program");
  /* struct bpf_cgroup_dev_ctx { u32 access_type; u32 major; u32 minor; }
   * with access_type = access << 16 | type. */
  p[k++] = LDX_W (R_TYPE, BPF_REG_1, 0);
  p[k++] = ALU32_IMM (BPF_AND, R_TYPE, 0xFFFF);
  p[k++] = LDX_W (R_ACCESS, BPF_REG_1, 0);
  p[k++] = ALU32_IMM (BPF_RSH, R_ACCESS, 16);
  p[k++] = LDX_W (R_MAJOR, BPF_REG_1, 4);
  p[k++] = LDX_W (R_MINOR, BPF_REG_1, 8);
  for (size_t i = n; i-- > 0 && !catch_all;)
    {
      int r = append_rule (p, &k, rules[i], err);
      if (r < 0)
        return husk_error_wrap (err, "linux.resources.devices[%zu]", i);
      catch_all = r == 1;
    }
  if (!catch_all)
    {
      p[k++] = MOV32_IMM (BPF_REG_0, 0);
      p[k++] = EXIT ();
    }
  *insns = steal_pointer (&p);
  *len = k;
  return 0;
}

static int
bpf (int cmd, union bpf_attr *attr)
{
  return (int) syscall (SYS_bpf, cmd, attr, sizeof *attr);
}

static int
load (const struct bpf_insn *insns, size_t len, int *fd, struct husk_error **err)
{
  char log[8192];
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = (uint64_t) (uintptr_t) insns;
  attr.insn_cnt = (uint32_t) len;
  attr.license = (uint64_t) (uintptr_t) "GPL";
  *fd = bpf (BPF_PROG_LOAD, &attr);
  if (*fd >= 0)
    return 0;
  /* Load again with the verifier's log, to say why. */
  attr.log_buf = (uint64_t) (uintptr_t) log;
  attr.log_size = sizeof log;
  attr.log_level = 1;
  log[0] = '\0';
  *fd = bpf (BPF_PROG_LOAD, &attr);
  if (*fd >= 0)
    return 0;
  return husk_error_set (err, errno, "bpf(BPF_PROG_LOAD) of the device program (%zu insns)%s%s",
                         len, log[0] ? ": " : "", log);
}

/* The ids of the device programs on the cgroup now, to detach after ours
 * is in (attach first, so no moment is left without a filter). */
static int
query (int cgfd, uint32_t ids[64], uint32_t *count, struct husk_error **err)
{
  union bpf_attr attr;
  memset (&attr, 0, sizeof attr);
  attr.query.target_fd = cgfd;
  attr.query.attach_type = BPF_CGROUP_DEVICE;
  attr.query.prog_ids = (uint64_t) (uintptr_t) ids;
  attr.query.prog_cnt = 64;
  if (bpf (BPF_PROG_QUERY, &attr) < 0)
    return husk_error_set (err, errno, "bpf(BPF_PROG_QUERY, BPF_CGROUP_DEVICE)");
  *count = attr.query.prog_cnt;
  return 0;
}

static int
detach (int cgfd, uint32_t id, struct husk_error **err)
{
  union bpf_attr attr;
  cleanup_close int pfd = -1;
  memset (&attr, 0, sizeof attr);
  attr.prog_id = id;
  pfd = bpf (BPF_PROG_GET_FD_BY_ID, &attr);
  if (pfd < 0)
    return errno == ENOENT ? 0 : husk_error_set (err, errno, "bpf(BPF_PROG_GET_FD_BY_ID, %u)", id);
  memset (&attr, 0, sizeof attr);
  attr.target_fd = cgfd;
  attr.attach_bpf_fd = pfd;
  attr.attach_type = BPF_CGROUP_DEVICE;
  if (bpf (BPF_PROG_DETACH, &attr) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "bpf(BPF_PROG_DETACH) of the old device program %u", id);
  return 0;
}

static int
attach_replacing (const char *dir, int prog, struct husk_error **err)
{
  cleanup_close int cgfd = open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  uint32_t ids[64], count = 0;
  union bpf_attr attr;
  if (cgfd < 0)
    return husk_error_set (err, errno, "open \"%s\"", dir);
  if (query (cgfd, ids, &count, err) < 0)
    return -1;
  memset (&attr, 0, sizeof attr);
  attr.target_fd = cgfd;
  attr.attach_bpf_fd = prog;
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  if (bpf (BPF_PROG_ATTACH, &attr) < 0)
    return husk_error_set (err, errno, "bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE) on \"%s\"", dir);
  for (uint32_t i = 0; i < count && i < 64; i++)
    if (detach (cgfd, ids[i], err) < 0)
      return -1;
  return 0;
}

int
cg_v2_devices_apply (const char *dir, const struct oci_resources *r, bool update,
                     struct husk_error **err)
{
  cleanup_free const struct oci_device_cgroup **rules = NULL;
  cleanup_free struct bpf_insn *insns = NULL;
  cleanup_close int prog = -1;
  size_t n = 0, len = 0;

  if (update && (r == NULL || r->devices_len == 0))
    return 0;
  if (cg_device_rules (r, &rules, &n, err) < 0 ||
      cg_v2_devices_program (rules, n, &insns, &len, err) < 0 || load (insns, len, &prog, err) < 0)
    return -1;
  /* The attachment holds the program; our fd can go. */
  return attach_replacing (dir, prog, err);
}

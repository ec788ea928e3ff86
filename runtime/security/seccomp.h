/* Seccomp for the container process, compiled with libseccomp in the parent.
 *
 * The child of clone() must not call into libseccomp (it allocates and may
 * take locks), so the parent compiles the filter to a classic BPF program
 * before clone and the child only calls seccomp(2) with it. */
#ifndef HUSK_SECURITY_SECCOMP_H
#define HUSK_SECURITY_SECCOMP_H

#include <stdbool.h>
#include <stddef.h>

#include "../../oci/cleanup.h"
#include "../../oci/config.h"
#include "../../oci/error.h"

/* a compiled BPF program, made in the parent before clone */
struct husk_seccomp_program;

/* Compiles linux.seccomp.  Errors name the JSON path:
 * `linux.seccomp.syscalls[3].args[0].index: 7 is out of range (0-5)`,
 * `linux.seccomp.architectures[1]: unknown architecture "SCMP_ARCH_FOO"`,
 * `linux.seccomp.flags[0]: unknown flag "..."`.  Syscall names unknown to
 * libseccomp are skipped (runc does the same) and noted, see
 * husk_seccomp_program_notes(). */
int husk_seccomp_compile (const struct oci_seccomp *seccomp, struct husk_seccomp_program **out,
                          struct husk_error **err);

/* Child: only the seccomp(2) syscall, async-signal-safe, no allocation.
 * *listener_fd = -1 unless a notify action exists.  Call it last, just
 * before execve (after no_new_privs, or as root with CAP_SYS_ADMIN). */
int husk_seccomp_install (const struct husk_seccomp_program *prog, int *listener_fd,
                          struct husk_error **err);

void husk_seccomp_program_free (struct husk_seccomp_program *prog);

/* True when some rule (or the default) uses SCMP_ACT_NOTIFY: the runtime then
 * needs the listener fd back from the child and must send it. */
bool husk_seccomp_program_has_notify (const struct husk_seccomp_program *prog);

/* Debug notes from compile ("syscall \"foo\" unknown to libseccomp: skipped"),
 * for the caller to log with --debug.  Owned by prog. */
const char *const *husk_seccomp_program_notes (const struct husk_seccomp_program *prog,
                                               size_t *len);

/* Connects linux.seccomp.listenerPath (unix socket) and sends the container
 * process state JSON (the spec's "containerProcessState": ociVersion,
 * fds ["seccompFd"], pid, metadata, state) with listener_fd in SCM_RIGHTS.
 * state_json is the container's state.json document (a JSON object). */
int husk_seccomp_send_listener (const struct oci_seccomp *seccomp, const char *state_json,
                                int listener_fd, struct husk_error **err);

/* The same with the pid of the process the fd belongs to given explicitly
 * (an exec'd process: the state's pid is the container's init). */
int husk_seccomp_send_listener_pid (const struct oci_seccomp *seccomp, const char *state_json,
                                    int pid, int listener_fd, struct husk_error **err);

/* Builds the containerProcessState document (yajl_gen) for the above; *out
 * is malloc'd.  pid is the container process the fd belongs to. */
int husk_seccomp_process_state_json (const struct oci_seccomp *seccomp, const char *state_json,
                                     int pid, char **out, size_t *len, struct husk_error **err);

HUSK_DEFINE_CLEANUP (struct husk_seccomp_program, husk_seccomp_program_free)
#define cleanup_seccomp_program __attribute__ ((cleanup (husk_seccomp_program_freep)))

#endif

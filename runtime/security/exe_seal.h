/* CVE-2019-5736: the runtime's own binary, as the container could reach it.
 *
 * The init and exec processes are clones of husk that enter the container
 * before their execve; until then /proc/<pid>/exe is husk.  PR_SET_DUMPABLE
 * keeps most of the container away from that link, but a process holding
 * CAP_SYS_PTRACE over the init (or a host with fs.suid_dumpable set) can
 * still take an O_PATH handle to it and reopen it for writing once husk is
 * no longer running it.  So the commands that enter a container run from a
 * copy that cannot be written through any path: a read-only overlayfs of
 * the binary's directory, mounted nowhere (runc 1.2's way, no copy), else
 * a sealed memfd copy (runc 1.1's).  HUSK_EXE_SEAL=0 in the environment
 * turns it off, for debuggers (valgrind) that cannot follow the re-exec. */
#ifndef HUSK_SECURITY_EXE_SEAL_H
#define HUSK_SECURITY_EXE_SEAL_H

#include "../../oci/error.h"

/* Re-executes the process from a sealed copy of itself with the same argv
 * and environment, unless it already runs from one (or from a read-only
 * mount).  Returns 0 when nothing needs doing; does not return when it
 * re-executes; < 0 when no sealed copy could be made. */
int husk_exe_seal (char **argv, struct husk_error **err);

#endif

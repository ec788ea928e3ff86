/* mkdir -p without allocation (the container's init uses it too). */
#ifndef HUSK_RUNTIME_MKDIR_P_H
#define HUSK_RUNTIME_MKDIR_P_H

#include <sys/types.h>

/* Makes `path` and its missing parents; -1 with errno on failure, the
 * component that failed copied to `failed` (size 4096) when not NULL. */
int husk_mkdir_p (const char *path, mode_t mode, char *failed);

#endif

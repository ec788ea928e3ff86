/* linux.sysctl keys to paths under /proc/sys; see sysctl_key.h. */
#include "sysctl_key.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static bool
proper_component (const char *start, size_t len)
{
  return len > 0 && !(len == 1 && start[0] == '.') && !(len == 2 && start[0] == '.' && start[1] == '.');
}

char *
oci_sysctl_key_path (const char *key)
{
  char sep = strchr (key, '/') ? '/' : '.';
  char *path = strdup (key);

  if (path == NULL)
    return NULL;
  for (char *p = path, *start = path;; p++)
    {
      if (*p != sep && *p != '\0')
        continue;
      if (!proper_component (start, (size_t) (p - start)))
        {
          free (path);
          errno = EINVAL;
          return NULL;
        }
      if (*p == '\0')
        break;
      *p = '/';
      start = p + 1;
    }
  return path;
}

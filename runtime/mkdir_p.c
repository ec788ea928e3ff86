#include "mkdir_p.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static int
make_one (const char *path, mode_t mode, char *failed)
{
  if (mkdir (path, mode) == 0 || errno == EEXIST)
    return 0;
  if (failed)
    snprintf (failed, 4096, "%s", path);
  return -1;
}

int
husk_mkdir_p (const char *path, mode_t mode, char *failed)
{
  char buf[4096];

  if (mkdir (path, mode) == 0 || errno == EEXIST)
    return 0;
  if (errno != ENOENT || strlen (path) >= sizeof buf)
    return make_one (path, mode, failed), -1;
  strcpy (buf, path);
  for (char *s = buf + 1; *s; s++)
    if (*s == '/')
      {
        *s = '\0';
        if (make_one (buf, mode, failed) < 0)
          return -1;
        *s = '/';
      }
  return make_one (buf, mode, failed);
}

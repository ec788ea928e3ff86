/* HOME for a process whose env has none: the home of its uid in the
 * container's /etc/passwd, else "/", as runc sets it (libcontainer's
 * setupUser).  Runs in the child, inside the container's root and before
 * the identity change: plain reads into stack buffers, no allocation. */
#include "plan.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../oci/cleanup.h"

/* A passwd line "name:pw:uid:gid:gecos:home:shell": copies field `want`
 * (0: name, 5: home) into out when the uid field is `uid`. */
static bool
line_field (const char *line, size_t len, uid_t uid, size_t want, char *out, size_t size)
{
  const char *field[7];
  size_t flen[7], n = 0;
  const char *p = line, *end = line + len;
  char *stop;
  unsigned long v;
  char num[24];

  while (n < 7)
    {
      const char *colon = memchr (p, ':', end - p);
      field[n] = p;
      flen[n] = (colon ? colon : end) - p;
      n++;
      if (colon == NULL)
        break;
      p = colon + 1;
    }
  if (n < 6 || flen[2] == 0 || flen[2] >= sizeof num)
    return false;
  memcpy (num, field[2], flen[2]);
  num[flen[2]] = '\0';
  errno = 0;
  v = strtoul (num, &stop, 10);
  if (errno || *stop || num[0] == '-' || v != (unsigned long) uid || flen[want] >= size)
    return false;
  memcpy (out, field[want], flen[want]);
  out[flen[want]] = '\0';
  return true;
}

static bool
passwd_field (int fd, uid_t uid, size_t want, char *out, size_t size)
{
  char buf[8192];
  size_t have = 0;
  bool eof = false, in_long_line = false;

  while (!eof || have > 0)
    {
      char *nl;
      if (!eof && have < sizeof buf)
        {
          ssize_t r = read (fd, buf + have, sizeof buf - have);
          if (r < 0 && errno == EINTR)
            continue;
          if (r <= 0)
            eof = true;
          else
            have += r;
        }
      nl = memchr (buf, '\n', have);
      if (nl == NULL && !eof && have < sizeof buf)
        continue;
      if (nl == NULL && !eof)
        {
          /* a line longer than buf matches nothing, nor does its tail */
          in_long_line = true;
          have = 0;
          continue;
        }
      if (nl == NULL)
        nl = buf + have; /* the last line, without a newline */
      if (!in_long_line && line_field (buf, nl - buf, uid, want, out, size))
        return true;
      in_long_line = false;
      if (nl < buf + have)
        nl++;
      have -= nl - buf;
      memmove (buf, nl, have);
    }
  return false;
}

bool
husk_passwd_home (int fd, uid_t uid, char *out, size_t size)
{
  return passwd_field (fd, uid, 5, out, size);
}

bool
husk_passwd_name (int fd, uid_t uid, char *out, size_t size)
{
  return passwd_field (fd, uid, 0, out, size);
}

void
husk_process_set_home (const struct husk_plan *plan)
{
  cleanup_close int fd = -1;
  size_t prefix = strlen ("HOME=");

  if (plan->home_env == NULL)
    return;
  fd = open ("/etc/passwd", O_RDONLY | O_CLOEXEC);
  if (fd >= 0 && husk_passwd_home (fd, plan->process->user.uid, plan->home_env + prefix,
                                   HUSK_HOME_ENV_SIZE - prefix)
      && plan->home_env[prefix] != '\0')
    return;
  strcpy (plan->home_env + prefix, "/");
}

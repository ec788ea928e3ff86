/* Signal names as runc's `kill` takes them: a number, or a name with or
 * without the SIG prefix, in any case ("kill", "SIGKILL", "9"), plus the
 * real-time forms "RTMIN+3" / "RTMAX-1" that Go's table lacks. */
#include "husk.h"

#include <ctype.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

static int
parse_number (const char *s, int *out)
{
  char *end;
  long v;

  if (*s == '\0' || !isdigit ((unsigned char) *s))
    return -1;
  v = strtol (s, &end, 10);
  if (*end != '\0' || v < 0 || v > SIGRTMAX)
    return -1;
  *out = (int) v;
  return 0;
}

static int
parse_realtime (const char *name)
{
  int base, offset = 0, sign;

  if (strncasecmp (name, "RTMIN", 5) == 0)
    base = SIGRTMIN, sign = 1;
  else if (strncasecmp (name, "RTMAX", 5) == 0)
    base = SIGRTMAX, sign = -1;
  else
    return -1;
  name += 5;
  if (*name != '\0')
    {
      if (*name != (sign > 0 ? '+' : '-') || parse_number (name + 1, &offset) < 0)
        return -1;
    }
  base += sign * offset;
  return base >= SIGRTMIN && base <= SIGRTMAX ? base : -1;
}

int
husk_signal_parse (const char *name)
{
  int number;

  if (name == NULL)
    return -1;
  if (parse_number (name, &number) == 0)
    return number;
  if (strncasecmp (name, "SIG", 3) == 0)
    name += 3;
  if (*name == '\0')
    return -1;
  for (int sig = 1; sig < SIGRTMIN; sig++)
    {
      const char *abbrev = sigabbrev_np (sig);
      if (abbrev && strcasecmp (abbrev, name) == 0)
        return sig;
    }
  return parse_realtime (name);
}

/* The holder's one request, parsed apart from the socket so that it can be
 * fuzzed (tests/fuzz/fuzz_holder_proto.c). */
#include <string.h>

#include "holder.h"
#include "holder_proto.h"

int
holder_request_parse (const char *msg, size_t n, const char *field[4])
{
  size_t k = 0;

  if (msg[n] != '\0')
    return -1;
  for (const char *p = msg; p < msg + n && k < 4; p += strlen (p) + 1)
    field[k++] = p;
  if (k < 4 || strcmp (field[0], "create") != 0
      || strlen (field[1]) >= sizeof ((struct holder_container *) 0)->id
      || strlen (field[3]) >= sizeof ((struct holder_container *) 0)->dir)
    return -1;
  return 0;
}

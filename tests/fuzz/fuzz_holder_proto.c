/* The pod holder's request on its socket: split and checked as the holder
 * does before it acts on it. */
#include "fuzz.h"
#include "holder.h"
#include "holder_proto.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *field[HOLDER_REQUEST_FIELDS];
  char *msg;

  if (size > HOLDER_MSG_MAX)
    return 0; /* recv reads at most that */
  msg = fuzz_text (data, size);
  if (holder_request_parse (msg, size, field) == 0)
    for (int i = 0; i < HOLDER_REQUEST_FIELDS; i++)
      if (field[i] < msg || field[i] + strlen (field[i]) > msg + size)
        abort ();
  free (msg);
  return 0;
}

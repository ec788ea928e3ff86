/* The holder's requests, parsed apart from the socket so that they can be
 * fuzzed (tests/fuzz/fuzz_holder_proto.c). */
#include <string.h>

#include "holder.h"
#include "holder_proto.h"

int
holder_request_parse (const char *msg, size_t n, const char *field[HOLDER_REQUEST_FIELDS])
{
  size_t k = 0, need;

  if (msg[n] != '\0')
    return -1;
  for (const char *p = msg; p < msg + n && k < HOLDER_REQUEST_FIELDS; p += strlen (p) + 1)
    field[k++] = p;
  for (size_t i = k; i < HOLDER_REQUEST_FIELDS; i++)
    field[i] = msg + n;
  if (k == 0)
    return -1;
  if (strcmp (field[0], "create") == 0)
    need = 4;
  else if (strcmp (field[0], "attach") == 0 || strcmp (field[0], "reopen-log") == 0)
    need = 3;
  else
    return -1;
  if (k < need || strlen (field[1]) >= sizeof ((struct holder_container *) 0)->id
      || (need == 4 && strlen (field[3]) >= sizeof ((struct holder_container *) 0)->dir)
      || (strcmp (field[0], "reopen-log") == 0
          && (field[2][0] != '/' || strlen (field[2]) >= sizeof ((struct cri_log_file *) 0)->path)))
    return -1;
  return 0;
}

bool
holder_word_in (const char *list, const char *word)
{
  size_t len = strlen (word);

  for (const char *p = list; (p = strstr (p, word)) != NULL; p += len)
    if ((p == list || p[-1] == ' ') && (p[len] == '\0' || p[len] == ' '))
      return true;
  return false;
}

/* Log lines in runc's two formats; conmon and containerd's shim read the
 * last "error" line of the --log file as the reason a command failed. */
#include "husk.h"

#include <string.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>

#include "state_store.h"

static void
gen_pair (yajl_gen g, const char *key, const char *value)
{
  yajl_gen_string (g, (const unsigned char *) key, strlen (key));
  yajl_gen_string (g, (const unsigned char *) value, strlen (value));
}

void
husk_log_line (int fd, bool json, const char *level, const char *msg)
{
  if (fd < 0)
    fd = 2;
  if (json)
    {
      yajl_gen g = yajl_gen_alloc (NULL);
      const unsigned char *buf;
      size_t len;
      char when[40];

      if (g == NULL)
        return;
      husk_rfc3339_now (when);
      yajl_gen_map_open (g);
      gen_pair (g, "level", level);
      gen_pair (g, "msg", msg);
      gen_pair (g, "time", when);
      yajl_gen_map_close (g);
      yajl_gen_get_buf (g, &buf, &len);
      dprintf (fd, "%.*s\n", (int) len, buf);
      yajl_gen_free (g);
    }
  else if (strcmp (level, "error") == 0)
    dprintf (fd, "husk: %s\n", msg);
  else
    dprintf (fd, "husk: %s: %s\n", level, msg);
}

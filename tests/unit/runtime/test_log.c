/* Log lines: runc's JSON shape (conmon and containerd read the last
 * "error" line), escaping, and the text form. */
#include <string.h>
#include <unistd.h>

#include "husk.h"
#include "tap.h"

static void
read_line (int fd, char *buf, size_t size)
{
  ssize_t n = read (fd, buf, size - 1);
  buf[n > 0 ? n : 0] = '\0';
}

int
main (void)
{
  int p[2];
  char buf[4096];

  if (!ok (pipe (p) == 0, "pipe"))
    return tap_done ();
  husk_log_line (p[1], true, "error", "run \"c1\": exec: \"/x\": No such file");
  read_line (p[0], buf, sizeof buf);
  ok (strncmp (buf, "{\"level\":\"error\",\"msg\":\"run \\\"c1\\\": exec: \\\"/x\\\": No such file\","
                    "\"time\":\"", 62) == 0,
      "level, escaped msg, time: %s", buf);
  ok (strlen (buf) > 2 && buf[strlen (buf) - 2] == '}' && buf[strlen (buf) - 1] == '\n',
      "one JSON object per line");
  ok (strstr (buf, "Z\"}") != NULL, "time is RFC 3339 UTC");
  husk_log_line (p[1], false, "error", "boom");
  read_line (p[0], buf, sizeof buf);
  is_str (buf, "husk: boom\n", "text error line");
  husk_log_line (p[1], false, "warning", "hook failed");
  read_line (p[0], buf, sizeof buf);
  is_str (buf, "husk: warning: hook failed\n", "text warning line");
  close (p[0]);
  close (p[1]);
  return tap_done ();
}

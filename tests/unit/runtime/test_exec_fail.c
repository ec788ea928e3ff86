/* An exec that fails before it looked at the container's namespaces
 * leaves the caller's fds alone: huskd and the pod holder call the library
 * and live on with their stdin, listening sockets and logs. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "husk.h"
#include "tap.h"

int
main (void)
{
  char root[] = "/tmp/husk-test-exec-XXXXXX";
  struct husk_runtime rt = { .log_fd = -1 };
  struct husk_exec_options opts;
  struct husk_error *err = NULL;
  int low[8], exit_code = 0;
  bool all_open = true;

  ok (mkdtemp (root) != NULL, "state root");
  rt.state_root = root;
  /* fds 0..7, as a daemon has them: the range a zeroed join plan names */
  for (int i = 0; i < 8; i++)
    low[i] = fcntl (i, F_GETFD) >= 0 ? -1 : open ("/dev/null", O_RDONLY);
  husk_exec_options_init (&opts);
  opts.id = "no-such-container";
  ok (husk_container_exec (&rt, &opts, NULL, &exit_code, &err) < 0 && err != NULL,
      "exec in a container that does not exist fails");
  husk_error_release (&err);
  for (int i = 0; i < 8; i++)
    all_open = all_open && fcntl (i, F_GETFD) >= 0;
  ok (all_open, "fds 0 to 7 are still open after the failed exec");
  for (int i = 0; i < 8; i++)
    if (low[i] >= 0)
      close (low[i]);
  rmdir (root);
  return tap_done ();
}

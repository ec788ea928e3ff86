/* husk exec: placeholder until the exec path lands (fails loudly). */
#include "container.h"

#include <errno.h>
#include <string.h>

void
husk_exec_options_init (struct husk_exec_options *opts)
{
  memset (opts, 0, sizeof *opts);
  opts->stdio[0] = opts->stdio[1] = opts->stdio[2] = -1;
}

int
husk_container_exec (struct husk_runtime *rt, const struct husk_exec_options *opts, pid_t *pid,
                     int *exit_code, struct husk_error **err)
{
  return husk_error_set (err, ENOSYS, "exec: not implemented yet");
}

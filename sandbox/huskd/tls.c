#include <errno.h>

#include "tls.h"

int
huskd_tls_start (struct huskd *d, struct husk_error **err)
{
  return husk_error_set (err, ENOTSUP, "--listen: TLS is not built yet");
}

void
huskd_tls_free (struct huskd *d)
{
}

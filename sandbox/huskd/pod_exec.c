/* pods/{name}/exec: not served yet (WebSocket v5.channel.k8s.io and
 * SPDY/3.1 upgrades); husk's own exec is POST /husk/v1/.../exec. */
#include "objects.h"

void huskd_pod_exec (struct hreq *r, yajl_val pod);

void huskd_pod_exec_stream (struct hreq *r, yajl_val pod);

void
huskd_pod_exec (struct hreq *r, yajl_val pod)
{
  huskd_pod_exec_stream (r, pod);
}

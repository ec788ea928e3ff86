/* Events, ResourceQuotas and LimitRanges: stored as given (after name and
 * namespace checks); a quota's status is recomputed from the pods as soon
 * as it is created. */
#include <string.h>

#include "objects.h"

void
huskd_handle_events (struct hreq *r)
{
  huskd_handle_plain (r, &huskd_kind_events);
}

void
huskd_handle_quotas (struct hreq *r)
{
  huskd_handle_plain (r, &huskd_kind_quotas);
  if (r->method == EVHTTP_REQ_POST && r->ns)
    huskd_quota_refresh (r->d, r->ns);
}

void
huskd_handle_limitranges (struct hreq *r)
{
  huskd_handle_plain (r, &huskd_kind_limitranges);
}

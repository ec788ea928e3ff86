/* Events, ResourceQuotas and LimitRanges: stored as given (after name and
 * namespace checks); a quota's status is computed from the pods before it
 * is first stored, so the create answer already carries it. */
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
  huskd_handle_plain (r, &huskd_kind_quotas); /* its status: huskd_quota_fill */
}

void
huskd_handle_limitranges (struct hreq *r)
{
  huskd_handle_plain (r, &huskd_kind_limitranges);
}

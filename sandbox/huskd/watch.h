/* Watch streams (`?watch=1`): a chunked response of one JSON event per
 * line, {"type":"ADDED|MODIFIED|DELETED","object":...}, fed by the store's
 * change notifications; the object is a one-row Table when the client
 * asked for Tables (kubectl get -w does). */
#ifndef HUSK_HUSKD_WATCH_H
#define HUSK_HUSKD_WATCH_H

#include "objects.h"
#include "selector.h"

/* Takes ownership of the selectors. */
void huskd_watch_start (struct hreq *r, const struct resource_kind *k,
                        struct api_selector *labels, struct api_selector *fields);

#endif

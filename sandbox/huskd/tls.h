/* The TLS listener (--listen ADDR:PORT): the API over HTTPS for kubectl.
 * On first start huskd makes a CA, a server certificate for 127.0.0.1 /
 * localhost, a client certificate (CN=husk-admin, O=system:masters) and a
 * bearer token in <state>/pki/, and writes <state>/kubeconfig (0600) that
 * uses them.  Every request must present a client certificate signed by
 * that CA or the token; anything else gets 401. */
#ifndef HUSK_HUSKD_TLS_H
#define HUSK_HUSKD_TLS_H

#include "huskd.h"

int huskd_tls_start (struct huskd *d, struct husk_error **err);
void huskd_tls_free (struct huskd *d);

#endif

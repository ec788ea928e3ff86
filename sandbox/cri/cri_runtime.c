/* Version, Status and UpdateRuntimeConfig. */
#include <errno.h>
#include <string.h>

#include "cri_internal.h"

int
cri_version (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
             ProtobufCMessage **resp, struct husk_error **err)
{
  Runtime__V1__VersionResponse *r = cri_alloc (a, sizeof *r);
  runtime__v1__version_response__init (r);
  r->version = "0.1.0"; /* the kubelet runtime API version, as containerd says */
  r->runtime_name = "husk";
  r->runtime_version = s->version;
  r->runtime_api_version = "v1";
  *resp = &r->base;
  return 0;
}

static Runtime__V1__RuntimeCondition *
condition (struct cri_arena *a, const char *type)
{
  Runtime__V1__RuntimeCondition *c = cri_alloc (a, sizeof *c);
  runtime__v1__runtime_condition__init (c);
  c->type = (char *) type;
  c->status = 1;
  return c;
}

/* Both ready as soon as huskd serves: the pod library needs no daemon of
 * its own, and the network is CNI's (loopback only without a config). */
int
cri_status (struct cri_server *s, const ProtobufCMessage *req, struct cri_arena *a,
            ProtobufCMessage **resp, struct husk_error **err)
{
  Runtime__V1__StatusResponse *r = cri_alloc (a, sizeof *r);
  Runtime__V1__RuntimeStatus *st = cri_alloc (a, sizeof *st);
  runtime__v1__status_response__init (r);
  runtime__v1__runtime_status__init (st);
  st->n_conditions = 2;
  st->conditions = cri_alloc (a, 2 * sizeof *st->conditions);
  st->conditions[0] = condition (a, "RuntimeReady");
  st->conditions[1] = condition (a, "NetworkReady");
  r->status = st;
  *resp = &r->base;
  return 0;
}

/* The pod CIDR is the CNI configuration's business here (host-local
 * ranges in its file): accepted and not acted on, as containerd does
 * without a CNI config template. */
int
cri_update_runtime_config (struct cri_server *s, const ProtobufCMessage *req,
                           struct cri_arena *a, ProtobufCMessage **resp, struct husk_error **err)
{
  Runtime__V1__UpdateRuntimeConfigResponse *r = cri_alloc (a, sizeof *r);
  runtime__v1__update_runtime_config_response__init (r);
  *resp = &r->base;
  return 0;
}

/* huskd's default pod network: what podman and containerd ship, made
 * through the CNI plugins (containernetworking-plugins) with a conflist
 * huskd writes on start when no --cni-conf-dir is given:
 *
 *   bridge      its own bridge (--pod-bridge, default husk0), isGateway so
 *               the host reaches pods and pods reach the host, hairpin, and
 *               ipMasq: masquerade of what leaves the pod subnet
 *               (--pod-masquerade false drops it)
 *   host-local  addresses of --pod-subnet, else the first /16 of
 *               10.89-10.127 no route of the host covers, chosen on the
 *               first start and kept in the conflist after; its allocations
 *               in <state-dir>/cni/ipam
 *   portmap     hostPort, through iptables DNAT (--pod-portmap false drops it)
 *
 * Loopback is brought up by the pod holder.  No other firewall rule is
 * made.  `--pod-network none` keeps pods on loopback only. */
#ifndef HUSK_HUSKD_POD_NETWORK_H
#define HUSK_HUSKD_POD_NETWORK_H

#include <stdbool.h>

#include "error.h"

#define HUSKD_POD_BRIDGE_DEFAULT "husk0"
#define HUSKD_POD_NETWORK_NAME "huskd"

struct huskd_pod_network {
  const char *mode;   /* "default" or "none" */
  const char *bridge; /* NULL: HUSKD_POD_BRIDGE_DEFAULT */
  const char *subnet; /* NULL: chosen */
  bool no_masquerade;
  bool no_portmap;
};

/* Writes <state_dir>/cni/net.d/10-huskd.conflist (when it changed) and
 * sets *conf_dir (malloc'd) to its directory; *conf_dir NULL with mode
 * "none".  Bad options fail with EINVAL naming the flag. */
int huskd_pod_network_setup (const struct huskd_pod_network *net, const char *state_dir,
                             char **conf_dir, struct husk_error **err);

/* The first /16 of the candidates that no IPv4 route in `route_text`
 * (/proc/net/route) overlaps, as "10.89.0.0/16"; NULL when all are taken. */
const char *huskd_pod_subnet_choose (const char *route_text);

/* This machine's address as the kubelet picks it when not given one: the
 * first IPv4 address of the default route's interface, else of any up
 * non-loopback interface, else 127.0.0.1.  A thread's own buffer. */
const char *huskd_host_ip (void);

#endif

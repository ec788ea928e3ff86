/* A pod's /etc/resolv.conf as the kubelet composes it (pkg/kubelet/network/
 * dns), without a cluster DNS: huskd has no Service network, so the
 * ClusterFirst policies fall back to Default as the kubelet does when it
 * has no --cluster-dns.
 *
 *   Default, ClusterFirst, ClusterFirstWithHostNet: the host's nameservers,
 *     search list and options (the resolv.conf given, /etc/resolv.conf by
 *     default).  A pod with its own network namespace cannot reach a
 *     resolver on the host's loopback (systemd-resolved's 127.0.0.53, a
 *     dnsmasq on 127.0.0.1): then the upstreams that resolver uses are
 *     taken from `fallback_text` (/run/systemd/resolve/resolv.conf, as
 *     kubeadm points the kubelet there), and loopback nameservers that are
 *     left are dropped, with a comment saying so.  hostNetwork pods keep
 *     them: they share the host's loopback.
 *   None: only dnsConfig.
 *   dnsConfig is then merged in: nameservers and searches appended without
 *   duplicates, options by name (dnsConfig's value wins); at most 3
 *   nameservers and 32 search domains are written (the kubelet's limits).
 *
 * Pure: no file is read here. */
#ifndef HUSK_SANDBOX_POD_DNS_H
#define HUSK_SANDBOX_POD_DNS_H

#include "pod_spec.h"

/* host_text and fallback_text may be NULL (no such file).  The text is
 * malloc'd in *out; -1 only when out of memory. */
int pod_resolv_conf_text (const char *host_text, const char *fallback_text,
                          const struct pod_spec *pod, char **out);

/* The lines hostAliases add to /etc/hosts, as the kubelet writes them
 * ("" when there are none). */
char *pod_host_aliases_text (const struct pod_spec *pod);

#endif

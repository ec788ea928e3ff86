/* Pod networking through CNI plugins, run as the CNI spec (1.0) says: the
 * network configuration list on stdin (a single .conf becomes a list of
 * one), CNI_COMMAND / CNI_CONTAINERID / CNI_NETNS / CNI_IFNAME / CNI_PATH in
 * the environment, plugins chained with prevResult, DEL in reverse order.
 *
 * The configuration used at ADD, its result and its port mappings are kept
 * in `state_dir` (cni-config.json, cni-result.json, cni-ports.json), so DEL
 * works even if the CNI config directory changed meanwhile. */
#ifndef HUSK_SANDBOX_CNI_H
#define HUSK_SANDBOX_CNI_H

#include "../../oci/error.h"

#define HUSK_CNI_IFNAME "eth0"

/* The first configuration file of `conf_dir` in lexical order (*.conflist,
 * *.conf, *.json), as the kubelet's CNI loader picks.  *ip gets the first
 * IP of the result without its prefix length (NULL if none).  A failure
 * runs DEL for the plugins that succeeded.  `port_mappings` (may be NULL)
 * is a JSON array of {hostPort, containerPort, protocol, hostIP} given as
 * runtimeConfig.portMappings to the plugins with that capability (portmap),
 * at ADD and again at DEL. */
int husk_cni_add (const char *conf_dir, const char *bin_dir, const char *state_dir,
                  const char *container_id, const char *netns, const char *port_mappings,
                  char **ip, struct husk_error **err);

/* Runs DEL from what ADD saved in `state_dir` (the CNI config directory is
 * not read).  Nothing to do (0) when ADD never succeeded.  `netns` may be
 * NULL when the namespace is gone: the plugins still release their IP
 * allocations. */
int husk_cni_del (const char *bin_dir, const char *state_dir, const char *container_id,
                  const char *netns, struct husk_error **err);

#endif

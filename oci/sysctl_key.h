/* linux.sysctl keys.  A key is "net.ipv4.ip_forward" or, so that a
 * component may hold a dot (the interface "eth0.100"), the same written
 * with slashes: "net/ipv4/conf/eth0.100/forwarding" (crun's rule).  Either
 * names a file under /proc/sys.  A component that is empty, "." or ".."
 * names no sysctl, and "net/../kernel/x" would pass a check on its first
 * word while naming a host-wide one: such keys are refused, by the
 * validator and again by the writer. */
#ifndef HUSK_OCI_SYSCTL_KEY_H
#define HUSK_OCI_SYSCTL_KEY_H

/* The relative path under /proc/sys ("net/ipv4/ip_forward"), malloc'd;
 * NULL with errno EINVAL for a key that is not a list of proper
 * components, ENOMEM. */
char *oci_sysctl_key_path (const char *key);

#endif

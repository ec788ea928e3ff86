/* spec.dnsPolicy, spec.dnsConfig and spec.hostAliases (see pod_spec_net.h),
 * checked as the API server checks them (ValidatePodSpec). */
#include "pod_spec_net.h"

#include <arpa/inet.h>
#include <string.h>

#include "../../oci/cleanup.h"

static bool
is_ip (const char *s)
{
  unsigned char buf[sizeof (struct in6_addr)];
  return inet_pton (AF_INET, s, buf) == 1 || inet_pton (AF_INET6, s, buf) == 1;
}

static int
check_ips (struct jr *r, const char *key, char **ips, size_t n)
{
  for (size_t i = 0; i < n; i++)
    if (!is_ip (ips[i]))
      {
        jr_enter_key (r, key);
        jr_enter_index (r, i);
        return jr_fail (r, "\"%s\": must be a valid IP address", ips[i]);
      }
  return 0;
}

static int
parse_dns_option (struct jr *r, yajl_val v, void *elem)
{
  struct pod_dns_option *o = elem;
  return jr_string (r, v, "name", true, &o->name) < 0
             || jr_string (r, v, "value", false, &o->value) < 0
             ? -1
             : 0;
}

static int
parse_dns_config (struct jr *r, yajl_val v, void *elem)
{
  struct pod_dns_config *c = elem;
  if (jr_strv (r, v, "nameservers", false, &c->nameservers, &c->nameservers_len) < 0
      || jr_strv (r, v, "searches", false, &c->searches, &c->searches_len) < 0
      || jr_array_of (r, v, "options", sizeof *c->options, parse_dns_option, &c->options,
                      &c->options_len)
             < 0
      || check_ips (r, "nameservers", c->nameservers, c->nameservers_len) < 0)
    return -1;
  /* the resolver reads 3 (MAXNS); the API server refuses more */
  if (c->nameservers_len > 3)
    {
      jr_enter_key (r, "nameservers");
      return jr_fail (r, "must not have more than 3 nameservers");
    }
  return 0;
}

static int
parse_host_alias (struct jr *r, yajl_val v, void *elem)
{
  struct pod_host_alias *a = elem;
  if (jr_string (r, v, "ip", true, &a->ip) < 0
      || jr_strv (r, v, "hostnames", false, &a->hostnames, &a->hostnames_len) < 0)
    return -1;
  if (!is_ip (a->ip))
    {
      jr_enter_key (r, "ip");
      return jr_fail (r, "\"%s\": must be a valid IP address", a->ip);
    }
  for (size_t i = 0; i < a->hostnames_len; i++)
    if (a->hostnames[i][0] == '\0' || strpbrk (a->hostnames[i], " \t\r\n#"))
      {
        jr_enter_key (r, "hostnames");
        jr_enter_index (r, i);
        return jr_fail (r, "\"%s\": not a host name", a->hostnames[i]);
      }
  return 0;
}

static int
check_dns_policy (struct jr *r, struct pod_spec *pod)
{
  static const char *const policies[]
      = { "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None" };
  if (pod->dns_policy == NULL)
    return (pod->dns_policy = strdup ("ClusterFirst")) ? 0 : jr_fail (r, "out of memory");
  for (size_t i = 0; i < sizeof policies / sizeof *policies; i++)
    if (strcmp (pod->dns_policy, policies[i]) == 0)
      return 0;
  jr_enter_key (r, "dnsPolicy");
  return jr_fail (r, "unsupported value \"%s\" (ClusterFirstWithHostNet, ClusterFirst, "
                     "Default or None)", pod->dns_policy);
}

int
pod_spec_net_parse (struct jr *r, yajl_val spec, struct pod_spec *pod)
{
  int has_config;
  if (jr_string (r, spec, "dnsPolicy", false, &pod->dns_policy) < 0
      || check_dns_policy (r, pod) < 0
      || (has_config = jr_object_into (r, spec, "dnsConfig", false, parse_dns_config,
                                       &pod->dns_config))
             < 0
      || jr_array_of (r, spec, "hostAliases", sizeof *pod->host_aliases, parse_host_alias,
                      &pod->host_aliases, &pod->host_aliases_len)
             < 0)
    return -1;
  if (strcmp (pod->dns_policy, "None") == 0 && pod->dns_config.nameservers_len == 0)
    {
      jr_enter_key (r, "dnsConfig");
      return jr_fail (r, has_config ? "nameservers: at least one is needed with dnsPolicy None"
                                    : "required with dnsPolicy None");
    }
  return 0;
}

void
pod_spec_net_clear (struct pod_spec *pod)
{
  struct pod_dns_config *c = &pod->dns_config;
  free (pod->dns_policy);
  husk_strvfreep (&c->nameservers);
  husk_strvfreep (&c->searches);
  for (size_t i = 0; i < c->options_len; i++)
    {
      free (c->options[i].name);
      free (c->options[i].value);
    }
  free (c->options);
  for (size_t i = 0; i < pod->host_aliases_len; i++)
    {
      free (pod->host_aliases[i].ip);
      husk_strvfreep (&pod->host_aliases[i].hostnames);
    }
  free (pod->host_aliases);
}

/* Admission checks of a Pod's network fields, in Kubernetes' words
 * (ValidatePodSpec: validateDNSPolicy, validatePodDNSConfig,
 * ValidateHostAliases).  Called by validate.c. */
#include "validate_net.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include "jv.h"
#include "names.h"

#define IP_HINT "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"

static bool
is_ip (const char *s)
{
  unsigned char buf[sizeof (struct in6_addr)];
  return inet_pton (AF_INET, s, buf) == 1 || inet_pton (AF_INET6, s, buf) == 1;
}

static size_t
len_of (yajl_val arr)
{
  return arr && YAJL_IS_ARRAY (arr) ? arr->u.array.len : 0;
}

static void
check_dns_policy (struct api_status *s, const char *policy)
{
  static const char *const policies[]
      = { "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None" };
  for (size_t i = 0; i < sizeof policies / sizeof *policies; i++)
    if (strcmp (policy, policies[i]) == 0)
      return;
  api_invalid_add (s, "FieldValueNotSupported", "spec.dnsPolicy",
                   "Unsupported value: \"%s\": supported values: \"ClusterFirstWithHostNet\", "
                   "\"ClusterFirst\", \"Default\", \"None\"",
                   policy);
}

static void
check_dns_config (struct api_status *s, yajl_val config, bool policy_none)
{
  yajl_val servers = jv_get (config, "nameservers");
  size_t n = len_of (servers);
  char field[96];

  if (policy_none && !config)
    {
      api_invalid_add (s, "FieldValueRequired", "spec.dnsConfig",
                       "Required value: must provide `dnsConfig` when `dnsPolicy` is None");
      return;
    }
  if (policy_none && n == 0)
    api_invalid_add (s, "FieldValueRequired", "spec.dnsConfig.nameservers",
                     "Required value: must provide at least one DNS nameserver when "
                     "`dnsPolicy` is None");
  if (n > 3)
    api_invalid_add (s, "FieldValueInvalid", "spec.dnsConfig.nameservers",
                     "Invalid value: %zu nameservers: must not have more than 3 nameservers", n);
  for (size_t i = 0; i < n; i++)
    {
      yajl_val v = servers->u.array.values[i];
      const char *ip = YAJL_IS_STRING (v) ? YAJL_GET_STRING (v) : "";
      snprintf (field, sizeof field, "spec.dnsConfig.nameservers[%zu]", i);
      if (!is_ip (ip))
        api_invalid_add (s, "FieldValueInvalid", field, "Invalid value: \"%s\": " IP_HINT, ip);
    }
  yajl_val opts = jv_get (config, "options");
  for (size_t i = 0; i < len_of (opts); i++)
    {
      const char *name = jv_str (opts->u.array.values[i], "name");
      snprintf (field, sizeof field, "spec.dnsConfig.options[%zu]", i);
      if (!name || !*name)
        api_invalid_add (s, "FieldValueRequired", field, "Required value: Option.Name must not be empty");
    }
}

static void
check_host_aliases (struct api_status *s, yajl_val aliases)
{
  char field[96];
  for (size_t i = 0; i < len_of (aliases); i++)
    {
      yajl_val a = aliases->u.array.values[i], names = jv_get (a, "hostnames");
      const char *ip = jv_str (a, "ip");
      snprintf (field, sizeof field, "spec.hostAliases[%zu].ip", i);
      if (!ip || !is_ip (ip))
        api_invalid_add (s, "FieldValueInvalid", field, "Invalid value: \"%s\": " IP_HINT,
                         ip ? ip : "");
      for (size_t j = 0; j < len_of (names); j++)
        {
          yajl_val v = names->u.array.values[j];
          const char *name = YAJL_IS_STRING (v) ? YAJL_GET_STRING (v) : "";
          snprintf (field, sizeof field, "spec.hostAliases[%zu].hostnames[%zu]", i, j);
          if (!api_is_dns1123_subdomain (name))
            api_invalid_add (s, "FieldValueInvalid", field, "Invalid value: \"%s\": %s", name,
                             api_dns1123_subdomain_msg);
        }
    }
}

void
api_pod_validate_network (struct api_status *s, yajl_val spec)
{
  const char *policy = jv_str (spec, "dnsPolicy");
  if (policy)
    check_dns_policy (s, policy);
  check_dns_config (s, jv_get (spec, "dnsConfig"), policy && strcmp (policy, "None") == 0);
  check_host_aliases (s, jv_get (spec, "hostAliases"));
}

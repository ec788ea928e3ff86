/* A pod's resolv.conf from the host's and its dnsPolicy/dnsConfig, and the
 * hostAliases lines of /etc/hosts (sandbox/pod/pod_dns.c). */
#include <stdlib.h>
#include <string.h>

#include "sandbox/pod/pod_dns.h"
#include "tap.h"

#define POD(spec) "{\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"},\"spec\":{" spec \
                  "\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}"

static struct pod_spec *
parse (const char *json)
{
  struct husk_error *err = NULL;
  struct pod_spec *pod = NULL;
  if (pod_spec_parse ("pod.json", json, strlen (json), &pod, &err) < 0)
    {
      printf ("# %s\n", err->message);
      husk_error_release (&err);
      return NULL;
    }
  return pod;
}

static void
expect_resolv (const char *host, const char *fallback, const char *json, const char *want,
               const char *label)
{
  cleanup_pod_spec struct pod_spec *pod = parse (json);
  char *got = NULL;
  if (!ok (pod && pod_resolv_conf_text (host, fallback, pod, &got) == 0, "%s: composed", label))
    return;
  is_str (got, want, "%s", label);
  free (got);
}

static void
expect_refused (const char *json, const char *want, const char *label)
{
  struct husk_error *err = NULL;
  struct pod_spec *pod = NULL;
  int r = pod_spec_parse ("pod.json", json, strlen (json), &pod, &err);
  ok (r < 0 && strstr (err->message, want), "%s", label);
  if (r == 0)
    pod_spec_free (pod);
  else
    {
      if (!strstr (err->message, want))
        printf ("#   got: '%s'\n", err->message);
      husk_error_release (&err);
    }
}

int
main (void)
{
  const char *host = "# comment\nnameserver 192.0.2.1\ndomain ignored.test\n"
                     "search a.test b.test.\noptions ndots:2 edns0\n";
  expect_resolv (host, NULL, POD (""),
                 "search a.test b.test\nnameserver 192.0.2.1\noptions ndots:2 edns0\n",
                 "ClusterFirst without a cluster DNS is the host's");
  expect_resolv (host, NULL, POD ("\"dnsPolicy\":\"ClusterFirstWithHostNet\","),
                 "search a.test b.test\nnameserver 192.0.2.1\noptions ndots:2 edns0\n",
                 "ClusterFirstWithHostNet too");
  expect_resolv ("search old.test\nsearch new.test\nnameserver 192.0.2.1\n", NULL, POD (""),
                 "search new.test\nnameserver 192.0.2.1\n", "the last search line wins");
  expect_resolv (host, NULL,
                 POD ("\"dnsPolicy\":\"Default\",\"dnsConfig\":{\"nameservers\":[\"192.0.2.1\","
                      "\"192.0.2.2\"],\"searches\":[\"b.test\",\"c.test\"],\"options\":["
                      "{\"name\":\"ndots\",\"value\":\"5\"},{\"name\":\"rotate\"},"
                      "{\"name\":\"edns0\"}]},"),
                 "search a.test b.test c.test\nnameserver 192.0.2.1\nnameserver 192.0.2.2\n"
                 "options ndots:5 edns0 rotate\n",
                 "dnsConfig appended without duplicates, options replaced by name");
  expect_resolv (host, NULL,
                 POD ("\"dnsPolicy\":\"None\",\"dnsConfig\":{\"nameservers\":[\"2001:db8::1\"]},"),
                 "nameserver 2001:db8::1\n", "None: only dnsConfig");
  expect_resolv ("nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch lan\n",
                 "nameserver 192.0.2.7\nsearch lan\n", POD (""),
                 "search lan\nnameserver 192.0.2.7\n",
                 "systemd-resolved's stub: its upstreams instead");
  expect_resolv ("nameserver 127.0.0.53\nnameserver ::1\nnameserver 192.0.2.8\n", NULL, POD (""),
                 "# the host's resolvers on loopback are not reachable from the pod: "
                 "127.0.0.53 ::1\nnameserver 192.0.2.8\n",
                 "loopback resolvers dropped, with a comment, when there is no upstream file");
  expect_resolv ("nameserver 127.0.0.53\n", "nameserver 127.0.0.1\n", POD (""),
                 "# the host's resolvers on loopback are not reachable from the pod: "
                 "127.0.0.53\n",
                 "an upstream file on loopback too is no help");
  expect_resolv ("nameserver 127.0.0.53\nsearch lan\n", "nameserver 192.0.2.7\n",
                 POD ("\"hostNetwork\":true,"), "search lan\nnameserver 127.0.0.53\n",
                 "hostNetwork keeps the host's loopback resolvers");
  expect_resolv (NULL, NULL, POD ("\"dnsConfig\":{\"nameservers\":[\"192.0.2.9\"]},"),
                 "nameserver 192.0.2.9\n", "no host resolv.conf");
  expect_resolv ("nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n", NULL,
                 POD ("\"dnsConfig\":{\"nameservers\":[\"192.0.2.4\"]},"),
                 "nameserver 192.0.2.1\nnameserver 192.0.2.2\nnameserver 192.0.2.3\n",
                 "at most 3 nameservers are written");

  expect_refused (POD ("\"dnsPolicy\":\"Cluster\","), "spec.dnsPolicy: unsupported value",
                  "an unknown dnsPolicy");
  expect_refused (POD ("\"dnsPolicy\":\"None\","), "spec.dnsConfig: required with dnsPolicy None",
                  "None without dnsConfig");
  expect_refused (POD ("\"dnsPolicy\":\"None\",\"dnsConfig\":{},"), "at least one",
                  "None without a nameserver");
  expect_refused (POD ("\"dnsConfig\":{\"nameservers\":[\"dns.test\"]},"),
                  "spec.dnsConfig.nameservers[0]: \"dns.test\": must be a valid IP address",
                  "a nameserver that is no IP");
  expect_refused (POD ("\"dnsConfig\":{\"nameservers\":[\"192.0.2.1\",\"192.0.2.2\","
                       "\"192.0.2.3\",\"192.0.2.4\"]},"),
                  "must not have more than 3 nameservers", "4 nameservers");
  expect_refused (POD ("\"hostAliases\":[{\"ip\":\"x\",\"hostnames\":[\"a\"]}],"),
                  "spec.hostAliases[0].ip: \"x\": must be a valid IP address", "a bad alias IP");
  expect_refused (POD ("\"hostAliases\":[{\"ip\":\"192.0.2.1\",\"hostnames\":[\"a b\"]}],"),
                  "spec.hostAliases[0].hostnames[0]", "a host name with a space");

  {
    cleanup_pod_spec struct pod_spec *pod
        = parse (POD ("\"hostAliases\":[{\"ip\":\"192.0.2.1\",\"hostnames\":[\"a\",\"b\"]},"
                      "{\"ip\":\"::2\",\"hostnames\":[\"c\"]}],"));
    char *text = pod ? pod_host_aliases_text (pod) : NULL;
    is_str (text, "\n# Entries added by HostAliases.\n192.0.2.1\ta\tb\n::2\tc\n",
            "hostAliases lines as the kubelet writes them");
    free (text);
  }
  {
    cleanup_pod_spec struct pod_spec *pod = parse (POD (""));
    char *text = pod ? pod_host_aliases_text (pod) : NULL;
    is_str (text, "", "no hostAliases, no lines");
    free (text);
  }
  return tap_done ();
}

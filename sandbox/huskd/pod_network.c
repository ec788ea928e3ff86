/* huskd's default pod network (see pod_network.h). */
#include "pod_network.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "json_doc.h"
#include "jv.h"

#define CONFLIST_NAME "10-huskd.conflist"

/* ---- routes ---- */

struct route4 {
  char iface[IFNAMSIZ];
  uint32_t dst, mask; /* host order */
};

/* One line of /proc/net/route (addresses in network order, as hex). */
static bool
parse_route (const char *line, struct route4 *r)
{
  unsigned dst, gw, flags, refcnt, use, metric, mask;
  char iface[IFNAMSIZ + 1];
  if (sscanf (line, "%15s %x %x %x %u %u %u %x", iface, &dst, &gw, &flags, &refcnt, &use, &metric,
              &mask)
      != 8)
    return false;
  iface[IFNAMSIZ - 1] = '\0'; /* names are at most 15 characters */
  memcpy (r->iface, iface, IFNAMSIZ);
  r->dst = ntohl (dst);
  r->mask = ntohl (mask);
  return true;
}

static bool
overlaps (uint32_t a, uint32_t amask, uint32_t b, uint32_t bmask)
{
  uint32_t m = amask & bmask; /* the shorter prefix */
  return (a & m) == (b & m);
}

const char *
huskd_pod_subnet_choose (const char *route_text)
{
  static __thread char out[32];
  for (unsigned second = 89; second <= 127; second++)
    {
      uint32_t net = (10u << 24) | (second << 16), mask = 0xffff0000u;
      bool taken = false;
      for (const char *line = route_text; line && *line && !taken;
           line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
        {
          struct route4 r;
          /* the default route covers everything and takes nothing */
          if (parse_route (line, &r) && r.mask != 0)
            taken = overlaps (net, mask, r.dst, r.mask);
        }
      if (!taken)
        {
          snprintf (out, sizeof out, "10.%u.0.0/16", second);
          return out;
        }
    }
  return NULL;
}

/* The file's text, NULL when it cannot be read (no file is no error here). */
static char *
read_text (const char *path)
{
  struct husk_error *e = NULL;
  char *text = NULL;
  size_t len;
  if (json_doc_read_file (path, &text, &len, &e) < 0)
    husk_error_release (&e);
  return text;
}

/* ---- the host's address ---- */

static bool
iface_ip (const struct ifaddrs *ifs, const char *iface, char *out, size_t size)
{
  for (const struct ifaddrs *i = ifs; i; i = i->ifa_next)
    {
      if (!i->ifa_addr || i->ifa_addr->sa_family != AF_INET || !(i->ifa_flags & IFF_UP)
          || (i->ifa_flags & IFF_LOOPBACK))
        continue;
      if (iface && strcmp (i->ifa_name, iface) != 0)
        continue;
      return inet_ntop (AF_INET, &((struct sockaddr_in *) i->ifa_addr)->sin_addr, out,
                        (socklen_t) size)
             != NULL;
    }
  return false;
}

const char *
huskd_host_ip (void)
{
  static __thread char ip[INET_ADDRSTRLEN];
  cleanup_free char *routes = read_text ("/proc/net/route");
  char default_iface[IFNAMSIZ] = "";
  struct ifaddrs *ifs = NULL;

  for (const char *line = routes; line && *line;
       line = strchr (line, '\n') ? strchr (line, '\n') + 1 : NULL)
    {
      struct route4 r;
      if (parse_route (line, &r) && r.dst == 0 && r.mask == 0)
        {
          memcpy (default_iface, r.iface, IFNAMSIZ);
          break;
        }
    }
  snprintf (ip, sizeof ip, "127.0.0.1");
  if (getifaddrs (&ifs) == 0)
    {
      if (!(default_iface[0] && iface_ip (ifs, default_iface, ip, sizeof ip)))
        iface_ip (ifs, NULL, ip, sizeof ip);
      freeifaddrs (ifs);
    }
  return ip;
}

/* ---- the conflist ---- */

static int
check_options (const struct huskd_pod_network *net, const char *bridge, struct husk_error **err)
{
  if (strlen (bridge) == 0 || strlen (bridge) >= IFNAMSIZ
      || strspn (bridge, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
             != strlen (bridge))
    return husk_error_set (err, EINVAL,
                           "--pod-bridge `%s`: not an interface name (1-15 letters, digits, "
                           "`_`, `.`, `-`)",
                           bridge);
  if (net->subnet)
    {
      char addr[INET_ADDRSTRLEN];
      struct in_addr a;
      unsigned prefix;
      char end;
      if (sscanf (net->subnet, "%15[0-9.]/%u%c", addr, &prefix, &end) != 2
          || inet_pton (AF_INET, addr, &a) != 1 || prefix < 8 || prefix > 29)
        return husk_error_set (err, EINVAL,
                               "--pod-subnet `%s`: not an IPv4 subnet from /8 to /29 "
                               "(10.89.0.0/16)",
                               net->subnet);
    }
  return 0;
}

/* The subnet a conflist written before names, so the choice survives the
 * route huskd's own bridge adds. */
static char *
previous_subnet (const char *path)
{
  cleanup_free char *text = read_text (path);
  cleanup_jv yajl_val v = NULL;
  struct husk_error *e = NULL;
  if (text == NULL)
    return NULL;
  if (json_doc_parse (path, text, strlen (text), &v, &e) < 0)
    {
      husk_error_release (&e);
      return NULL;
    }
  yajl_val plugins = jv_get (v, "plugins");
  yajl_val bridge = plugins && YAJL_IS_ARRAY (plugins) && plugins->u.array.len
                        ? plugins->u.array.values[0]
                        : NULL;
  yajl_val ranges = jv_get (jv_get (bridge, "ipam"), "ranges");
  if (!ranges || !YAJL_IS_ARRAY (ranges) || !ranges->u.array.len
      || !YAJL_IS_ARRAY (ranges->u.array.values[0]) || !ranges->u.array.values[0]->u.array.len)
    return NULL;
  const char *s = jv_str (ranges->u.array.values[0]->u.array.values[0], "subnet");
  return s ? strdup (s) : NULL;
}

static yajl_val
conflist (const struct huskd_pod_network *net, const char *bridge, const char *subnet,
          const char *ipam_dir)
{
  yajl_val list = jv_object (), plugins, br, ipam, range, routes, route, pm;
  jv_set (list, "cniVersion", jv_string ("1.0.0"));
  jv_set (list, "name", jv_string (HUSKD_POD_NETWORK_NAME));
  plugins = jv_set (list, "plugins", jv_array ());
  br = jv_object ();
  jv_set (br, "type", jv_string ("bridge"));
  jv_set (br, "bridge", jv_string (bridge));
  jv_set (br, "isGateway", jv_bool (true));
  jv_set (br, "ipMasq", jv_bool (!net->no_masquerade));
  jv_set (br, "hairpinMode", jv_bool (true));
  ipam = jv_set (br, "ipam", jv_object ());
  jv_set (ipam, "type", jv_string ("host-local"));
  range = jv_object ();
  jv_set (range, "subnet", jv_string (subnet));
  yajl_val set = jv_array ();
  jv_push (set, range);
  jv_push (jv_set (ipam, "ranges", jv_array ()), set);
  routes = jv_set (ipam, "routes", jv_array ());
  route = jv_object ();
  jv_set (route, "dst", jv_string ("0.0.0.0/0"));
  jv_push (routes, route);
  jv_set (ipam, "dataDir", jv_string (ipam_dir));
  jv_push (plugins, br);
  if (!net->no_portmap)
    {
      pm = jv_object ();
      jv_set (pm, "type", jv_string ("portmap"));
      jv_set (jv_set (pm, "capabilities", jv_object ()), "portMappings", jv_bool (true));
      jv_push (plugins, pm);
    }
  return list;
}

static int
mkdir_in (const char *path, struct husk_error **err)
{
  if (mkdir (path, 0700) < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "mkdir `%s`", path);
  return 0;
}

static int
write_if_changed (const char *path, const char *text, struct husk_error **err)
{
  cleanup_free char *old = read_text (path);
  cleanup_free char *tmp = NULL;
  size_t len = strlen (text);
  if (old && strcmp (old, text) == 0)
    return 0;
  if (asprintf (&tmp, "%s.tmp", path) < 0)
    return husk_error_set (err, ENOMEM, "CNI conflist");
  cleanup_close int fd = open (tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", tmp);
  if (write (fd, text, len) != (ssize_t) len || fsync (fd) < 0)
    {
      int e = errno;
      unlink (tmp);
      return husk_error_set (err, e ? e : EIO, "write `%s`", tmp);
    }
  if (rename (tmp, path) < 0)
    {
      int e = errno;
      unlink (tmp);
      return husk_error_set (err, e, "rename `%s`", tmp);
    }
  return 0;
}

int
huskd_pod_network_setup (const struct huskd_pod_network *net, const char *state_dir,
                         char **conf_dir, struct husk_error **err)
{
  const char *bridge = net->bridge ? net->bridge : HUSKD_POD_BRIDGE_DEFAULT;
  cleanup_free char *cni = NULL, *dir = NULL, *path = NULL, *ipam = NULL, *prev = NULL;
  cleanup_free char *routes = NULL, *text = NULL;
  cleanup_jv yajl_val list = NULL;
  const char *subnet = net->subnet;

  *conf_dir = NULL;
  if (net->mode && strcmp (net->mode, "none") == 0)
    return 0;
  if (net->mode && strcmp (net->mode, "default") != 0)
    return husk_error_set (err, EINVAL, "--pod-network `%s`: not `default` or `none`", net->mode);
  if (check_options (net, bridge, err) < 0)
    return -1;
  if (asprintf (&cni, "%s/cni", state_dir) < 0 || asprintf (&dir, "%s/net.d", cni) < 0
      || asprintf (&path, "%s/" CONFLIST_NAME, dir) < 0 || asprintf (&ipam, "%s/ipam", cni) < 0)
    return husk_error_set (err, ENOMEM, "pod network");
  if (mkdir_in (cni, err) < 0 || mkdir_in (dir, err) < 0 || mkdir_in (ipam, err) < 0)
    return husk_error_wrap (err, "pod network");
  if (subnet == NULL && (prev = previous_subnet (path)))
    subnet = prev;
  if (subnet == NULL && (subnet = huskd_pod_subnet_choose (routes = read_text ("/proc/net/route")))
                            == NULL)
    return husk_error_set (err, EADDRINUSE,
                           "pod network: every subnet of 10.89.0.0/16-10.127.0.0/16 is routed "
                           "already: give one with --pod-subnet");
  list = conflist (net, bridge, subnet, ipam);
  if ((text = jv_dump (list, NULL)) == NULL)
    return husk_error_set (err, ENOMEM, "pod network");
  if (write_if_changed (path, text, err) < 0)
    return husk_error_wrap (err, "pod network");
  *conf_dir = steal_pointer (&dir);
  return 0;
}

/* resolv.conf and hostAliases of a pod (see pod_dns.h). */
#include "pod_dns.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"

#define MAX_NAMESERVERS 3
#define MAX_SEARCHES 32

/* A growing NULL-terminated list of owned strings. */
struct strlist {
  char **v;
  size_t n;
};

static void
strlist_clear (struct strlist *l)
{
  for (size_t i = 0; i < l->n; i++)
    free (l->v[i]);
  free (l->v);
  l->v = NULL;
  l->n = 0;
}

static int
strlist_add (struct strlist *l, const char *s, size_t len)
{
  char **v = realloc (l->v, (l->n + 2) * sizeof *v);
  if (v == NULL)
    return -1;
  l->v = v;
  if ((v[l->n] = strndup (s, len)) == NULL)
    return -1;
  v[++l->n] = NULL;
  return 0;
}

/* The index of the option named like `opt` ("ndots" of "ndots:5"), or -1. */
static ssize_t
option_index (const struct strlist *l, const char *opt, size_t name_len)
{
  for (size_t i = 0; i < l->n; i++)
    if (strncmp (l->v[i], opt, name_len) == 0
        && (l->v[i][name_len] == '\0' || l->v[i][name_len] == ':'))
      return (ssize_t) i;
  return -1;
}

static int
add_unique (struct strlist *l, const char *s, size_t len)
{
  for (size_t i = 0; i < l->n; i++)
    if (strlen (l->v[i]) == len && strncmp (l->v[i], s, len) == 0)
      return 0;
  return strlist_add (l, s, len);
}

/* An option replaces one of the same name, as kubelet's mergeDNSOptions. */
static int
set_option (struct strlist *l, const char *opt, size_t len)
{
  size_t name_len = strcspn (opt, ":");
  ssize_t i = option_index (l, opt, name_len < len ? name_len : len);
  if (i < 0)
    return strlist_add (l, opt, len);
  char *copy = strndup (opt, len);
  if (copy == NULL)
    return -1;
  free (l->v[i]);
  l->v[i] = copy;
  return 0;
}

struct resolv {
  struct strlist nameservers, searches, options;
};

static void
resolv_clear (struct resolv *r)
{
  strlist_clear (&r->nameservers);
  strlist_clear (&r->searches);
  strlist_clear (&r->options);
}
#define cleanup_resolv __attribute__ ((cleanup (resolv_clear)))

/* The words of a search line (domains: "example.com." and "example.com"
 * are one, "." is none, as kubelet normalises them) or an options line. */
static int
parse_words (const char *p, bool domains, struct strlist *l)
{
  for (;;)
    {
      p += strspn (p, " \t");
      size_t len = strcspn (p, " \t\n");
      if (len == 0)
        return 0;
      if (!domains)
        {
          if (set_option (l, p, len) < 0)
            return -1;
        }
      else if (!(len == 1 && *p == '.')
               && add_unique (l, p, len > 1 && p[len - 1] == '.' ? len - 1 : len) < 0)
        return -1;
      p += len;
    }
}

/* kubelet's parseResolvConf: nameserver lines add, the last search line
 * wins, options lines add. */
static int
parse_resolv (const char *text, struct resolv *r)
{
  for (const char *line = text, *nl; line && *line; line = (nl = strchr (line, '\n')) ? nl + 1 : NULL)
    {
      const char *p = line + strspn (line, " \t");
      size_t word = strcspn (p, " \t\n");
      const char *rest = p + word;
      if (word == 10 && strncmp (p, "nameserver", 10) == 0)
        {
          rest += strspn (rest, " \t");
          size_t len = strcspn (rest, " \t\n");
          if (len && add_unique (&r->nameservers, rest, len) < 0)
            return -1;
        }
      else if (word == 6 && strncmp (p, "search", 6) == 0)
        {
          strlist_clear (&r->searches);
          if (parse_words (rest, true, &r->searches) < 0)
            return -1;
        }
      else if (word == 7 && strncmp (p, "options", 7) == 0
               && parse_words (rest, false, &r->options) < 0)
        return -1;
    }
  return 0;
}

static bool
is_loopback (const char *ip)
{
  struct in_addr a4;
  struct in6_addr a6;
  if (inet_pton (AF_INET, ip, &a4) == 1)
    return (ntohl (a4.s_addr) >> 24) == 127;
  return inet_pton (AF_INET6, ip, &a6) == 1 && IN6_IS_ADDR_LOOPBACK (&a6);
}

static bool
has_loopback (const struct strlist *l)
{
  for (size_t i = 0; i < l->n; i++)
    if (is_loopback (l->v[i]))
      return true;
  return false;
}

/* The host's resolvers a pod in its own network namespace can use; the
 * loopback ones dropped are listed in *dropped (", "-separated). */
static int
host_resolvers (const char *host_text, const char *fallback_text, bool host_network,
                struct resolv *r, struct strlist *dropped)
{
  if (parse_resolv (host_text, r) < 0)
    return -1;
  if (host_network || !has_loopback (&r->nameservers))
    return 0;
  if (fallback_text)
    {
      cleanup_resolv struct resolv upstream = { 0 };
      if (parse_resolv (fallback_text, &upstream) < 0)
        return -1;
      if (upstream.nameservers.n && !has_loopback (&upstream.nameservers))
        {
          resolv_clear (r);
          *r = upstream;
          memset (&upstream, 0, sizeof upstream);
          return 0;
        }
    }
  struct strlist kept = { 0 };
  for (size_t i = 0; i < r->nameservers.n; i++)
    if (strlist_add (is_loopback (r->nameservers.v[i]) ? dropped : &kept, r->nameservers.v[i],
                     strlen (r->nameservers.v[i]))
        < 0)
      {
        strlist_clear (&kept);
        return -1;
      }
  strlist_clear (&r->nameservers);
  r->nameservers = kept;
  return 0;
}

static int
merge_dns_config (const struct pod_dns_config *c, struct resolv *r)
{
  for (size_t i = 0; i < c->nameservers_len; i++)
    if (add_unique (&r->nameservers, c->nameservers[i], strlen (c->nameservers[i])) < 0)
      return -1;
  for (size_t i = 0; i < c->searches_len; i++)
    if (add_unique (&r->searches, c->searches[i], strlen (c->searches[i])) < 0)
      return -1;
  for (size_t i = 0; i < c->options_len; i++)
    {
      const struct pod_dns_option *o = &c->options[i];
      cleanup_free char *opt = NULL;
      if (asprintf (&opt, "%s%s%s", o->name, o->value && *o->value ? ":" : "",
                    o->value ? o->value : "")
              < 0
          || set_option (&r->options, opt, strlen (opt)) < 0)
        return -1;
    }
  return 0;
}

static void
put_list (FILE *f, const char *key, const struct strlist *l, size_t max)
{
  if (l->n == 0)
    return;
  fputs (key, f);
  for (size_t i = 0; i < l->n && i < max; i++)
    fprintf (f, " %s", l->v[i]);
  fputc ('\n', f);
}

static int
render (const struct resolv *r, const struct strlist *dropped, char **out)
{
  size_t size;
  FILE *f = open_memstream (out, &size);
  if (f == NULL)
    return -1;
  if (dropped->n)
    {
      fputs ("# the host's resolvers on loopback are not reachable from the pod:", f);
      for (size_t i = 0; i < dropped->n; i++)
        fprintf (f, " %s", dropped->v[i]);
      fputc ('\n', f);
    }
  put_list (f, "search", &r->searches, MAX_SEARCHES);
  for (size_t i = 0; i < r->nameservers.n && i < MAX_NAMESERVERS; i++)
    fprintf (f, "nameserver %s\n", r->nameservers.v[i]);
  put_list (f, "options", &r->options, (size_t) -1);
  return fclose (f) == 0 ? 0 : -1;
}

int
pod_resolv_conf_text (const char *host_text, const char *fallback_text,
                      const struct pod_spec *pod, char **out)
{
  cleanup_resolv struct resolv r = { 0 };
  struct strlist dropped = { 0 };
  int ret;

  *out = NULL;
  /* No cluster DNS: ClusterFirst and ClusterFirstWithHostNet are Default. */
  if (strcmp (pod->dns_policy ? pod->dns_policy : "ClusterFirst", "None") != 0
      && host_resolvers (host_text, fallback_text, pod->host_network, &r, &dropped) < 0)
    {
      strlist_clear (&dropped);
      return -1;
    }
  ret = merge_dns_config (&pod->dns_config, &r) < 0 ? -1 : render (&r, &dropped, out);
  strlist_clear (&dropped);
  return ret;
}

char *
pod_host_aliases_text (const struct pod_spec *pod)
{
  char *text = NULL;
  size_t size;
  FILE *f = open_memstream (&text, &size);

  if (f == NULL)
    return NULL;
  if (pod->host_aliases_len)
    fputs ("\n# Entries added by HostAliases.\n", f);
  for (size_t i = 0; i < pod->host_aliases_len; i++)
    {
      const struct pod_host_alias *a = &pod->host_aliases[i];
      fputs (a->ip, f);
      for (size_t j = 0; j < a->hostnames_len; j++)
        fprintf (f, "\t%s", a->hostnames[j]);
      fputc ('\n', f);
    }
  if (fclose (f) != 0)
    {
      free (text);
      return NULL;
    }
  return text;
}

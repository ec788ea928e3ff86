#include "store.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "json_doc.h"
#include "jv.h"
#include "store_writer.h"

/* The objects of one resource, sorted by (namespace, name): a lookup is a
 * binary search and a namespace's objects are one run, already in the
 * order a list answers, so reads under load cost what they return and
 * not what the store holds (thousands of events beside the pods). */
struct entry {
  char *ns, *name; /* ns: "" for cluster-scoped objects */
  yajl_val obj;
  size_t bytes; /* of its JSON file */
};

struct bucket {
  char *resource;
  struct entry **v;
  size_t n, cap;
  size_t bytes; /* the sum of the entries' */
};

struct watcher {
  api_watch_fn fn;
  void *ctx;
  struct watcher *next;
};

/* The last changes, for watches that start from a resourceVersion a list
 * gave them (kube-apiserver's watch cache): a ring of the objects' JSON
 * text, parsed again only for a replay.  Text and not trees: a yajl tree
 * of a pod takes about five times its JSON, and a full ring of 512 trees
 * was 2-3 MB of huskd's growth under pod churn (malloc_stats, 2026-12-07);
 * the ring is also bounded in bytes (API_STORE_HISTORY_BYTES). */
struct change {
  enum api_event_type type;
  char *resource;
  char *json;
  size_t len;
  unsigned long long rv;
};

struct api_store {
  char *dir;
  struct store_writer *writer; /* NULL: files are written at once */
  struct bucket *buckets;
  size_t n_buckets;
  struct watcher *watchers;
  unsigned long long revision;
  struct change history[API_STORE_HISTORY];
  size_t history_start, history_len, history_bytes;
};

double
api_now (void)
{
  struct timespec ts;
  clock_gettime (CLOCK_REALTIME, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

void
api_timestamp (char buf[32], double when)
{
  time_t t = (time_t) when;
  struct tm tm;
  gmtime_r (&t, &tm);
  strftime (buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static const char *
ns_dir (const char *ns)
{
  return ns && *ns ? ns : "_";
}

static const char *
ns_key (const char *ns)
{
  return ns ? ns : "";
}

static struct bucket *
bucket_of (struct api_store *s, const char *resource, bool create)
{
  for (size_t i = 0; i < s->n_buckets; i++)
    if (strcmp (s->buckets[i].resource, resource) == 0)
      return &s->buckets[i];
  if (!create)
    return NULL;
  s->buckets = realloc (s->buckets, (s->n_buckets + 1) * sizeof *s->buckets);
  if (!s->buckets)
    abort ();
  s->buckets[s->n_buckets] = (struct bucket){ .resource = strdup (resource) };
  return &s->buckets[s->n_buckets++];
}

/* The index of the first entry not before (ns, name); name "" gives the
 * start of the namespace's run. */
static size_t
lower_bound (const struct bucket *b, const char *ns, const char *name)
{
  size_t lo = 0, hi = b->n;
  while (lo < hi)
    {
      size_t mid = lo + (hi - lo) / 2;
      int c = strcmp (b->v[mid]->ns, ns);
      if ((c ? c : strcmp (b->v[mid]->name, name)) < 0)
        lo = mid + 1;
      else
        hi = mid;
    }
  return lo;
}

/* The index of (ns, name) in b, or b->n when absent. */
static size_t
find_index (const struct bucket *b, const char *ns, const char *name)
{
  size_t i = lower_bound (b, ns_key (ns), name);
  return i < b->n && !strcmp (b->v[i]->ns, ns_key (ns)) && !strcmp (b->v[i]->name, name) ? i
                                                                                            : b->n;
}

static struct entry *
find (struct api_store *s, const char *resource, const char *ns, const char *name)
{
  struct bucket *b = bucket_of (s, resource, false);
  size_t i = b ? find_index (b, ns, name) : 0;
  return b && i < b->n ? b->v[i] : NULL;
}

static unsigned long long
object_rv (yajl_val obj)
{
  const char *rv = jv_str (jv_get (obj, "metadata"), "resourceVersion");
  return rv ? strtoull (rv, NULL, 10) : 0;
}

static void
insert (struct api_store *s, const char *resource, const char *ns, const char *name,
        yajl_val obj, size_t bytes)
{
  struct bucket *b = bucket_of (s, resource, true);
  struct entry *e = calloc (1, sizeof *e);
  size_t at;
  if (!e)
    abort ();
  e->ns = strdup (ns_key (ns));
  e->name = strdup (name);
  e->obj = obj;
  e->bytes = bytes;
  b->bytes += bytes;
  if (b->n == b->cap)
    {
      b->cap = b->cap ? b->cap * 2 : 16;
      b->v = realloc (b->v, b->cap * sizeof *b->v);
      if (!b->v)
        abort ();
    }
  at = lower_bound (b, e->ns, e->name);
  memmove (&b->v[at + 1], &b->v[at], (b->n - at) * sizeof *b->v);
  b->v[at] = e;
  b->n++;
  if (object_rv (obj) > s->revision)
    s->revision = object_rv (obj);
}

static int
load_file (struct api_store *s, const char *resource, const char *ns, const char *file,
           struct husk_error **err)
{
  cleanup_free char *data = NULL;
  char path[PATH_MAX];
  size_t len = 0, n = strlen (file);
  yajl_val obj = NULL;
  const char *name;

  if (n < 6 || strcmp (file + n - 5, ".json") != 0)
    return 0;
  snprintf (path, sizeof path, "%s/%s/%s/%s", s->dir, resource, ns, file);
  if (json_doc_read_file (path, &data, &len, err) < 0
      || json_doc_parse (path, data, len, &obj, err) < 0)
    return -1;
  name = jv_str (jv_get (obj, "metadata"), "name");
  if (!name)
    {
      yajl_tree_free (obj);
      return husk_error_set (err, 0, "%s: metadata.name: missing", path);
    }
  insert (s, resource, strcmp (ns, "_") ? ns : NULL, name, obj, len);
  return 0;
}

/* The entries of a directory, without dot files; an absent one is empty. */
static int
read_names (const char *path, char ***out, struct husk_error **err)
{
  cleanup_dir DIR *d = opendir (path);
  cleanup_strv char **names = calloc (1, sizeof (char *));
  struct dirent *de;
  size_t n = 0;

  if (!d && errno != ENOENT)
    return husk_error_set (err, errno, "opendir `%s`", path);
  while (d && (de = readdir (d)))
    {
      if (de->d_name[0] == '.')
        continue;
      names = realloc (names, (n + 2) * sizeof (char *));
      if (!names)
        abort ();
      names[n++] = strdup (de->d_name);
      names[n] = NULL;
    }
  *out = steal_pointer (&names);
  return 0;
}

static int
load_all (struct api_store *s, struct husk_error **err)
{
  cleanup_strv char **resources = NULL;
  char path[PATH_MAX];
  if (read_names (s->dir, &resources, err) < 0)
    return -1;
  for (char **r = resources; *r; r++)
    {
      cleanup_strv char **namespaces = NULL;
      snprintf (path, sizeof path, "%s/%s", s->dir, *r);
      if (read_names (path, &namespaces, err) < 0)
        return -1;
      for (char **ns = namespaces; *ns; ns++)
        {
          cleanup_strv char **files = NULL;
          snprintf (path, sizeof path, "%s/%s/%s", s->dir, *r, *ns);
          if (read_names (path, &files, err) < 0)
            return -1;
          for (char **f = files; *f; f++)
            if (load_file (s, *r, *ns, *f, err) < 0)
              return -1;
        }
    }
  return 0;
}

int
api_store_open (const char *dir, struct api_store **out, struct husk_error **err)
{
  struct api_store *s = calloc (1, sizeof *s);
  if (!s)
    return husk_error_set (err, errno, "allocate store");
  s->dir = strdup (dir);
  if (store_mkdir_p (dir, err) < 0 || load_all (s, err) < 0)
    {
      api_store_free (s);
      return husk_error_wrap (err, "load object store `%s`", dir);
    }
  *out = s;
  return 0;
}

static void
forget_change (struct change *c)
{
  free (c->resource);
  free (c->json);
  memset (c, 0, sizeof *c);
}

static void
free_entry (struct entry *e)
{
  free (e->ns);
  free (e->name);
  if (e->obj)
    yajl_tree_free (e->obj);
  free (e);
}

void
api_store_free (struct api_store *s)
{
  if (!s)
    return;
  store_writer_stop (s->writer); /* every change queued is written first */
  for (size_t i = 0; i < s->n_buckets; i++)
    {
      for (size_t j = 0; j < s->buckets[i].n; j++)
        free_entry (s->buckets[i].v[j]);
      free (s->buckets[i].v);
      free (s->buckets[i].resource);
    }
  free (s->buckets);
  for (size_t i = 0; i < API_STORE_HISTORY; i++)
    forget_change (&s->history[i]);
  while (s->watchers)
    {
      struct watcher *w = s->watchers;
      s->watchers = w->next;
      free (w);
    }
  free (s->dir);
  free (s);
}

yajl_val
api_store_get (struct api_store *s, const char *resource, const char *ns, const char *name)
{
  struct entry *e = find (s, resource, ns, name);
  return e ? e->obj : NULL;
}

static void
forget_oldest_change (struct api_store *s)
{
  struct change *c = &s->history[s->history_start];
  s->history_bytes -= c->len;
  forget_change (c);
  s->history_start = (s->history_start + 1) % API_STORE_HISTORY;
  s->history_len--;
}

/* The newest change always stays, however big. */
static void
remember (struct api_store *s, enum api_event_type type, const char *resource, yajl_val obj)
{
  struct change *c;
  size_t len;
  char *json = jv_dump (obj, &len);
  while (s->history_len
         && (s->history_len == API_STORE_HISTORY
             || s->history_bytes + len > API_STORE_HISTORY_BYTES))
    forget_oldest_change (s);
  c = &s->history[(s->history_start + s->history_len++) % API_STORE_HISTORY];
  c->type = type;
  c->resource = strdup (resource);
  c->json = json;
  c->len = len;
  c->rv = s->revision;
  s->history_bytes += len;
}

int
api_store_replay (struct api_store *s, unsigned long long since, api_watch_fn fn, void *ctx,
                  unsigned long long *oldest)
{
  /* the window holds every change after `first - 1`; without history (a
   * fresh start) only the current revision itself */
  unsigned long long first
      = s->history_len ? s->history[s->history_start].rv : s->revision + 1;
  *oldest = first - 1;
  if (since < first - 1)
    return -1;
  for (size_t i = 0; i < s->history_len; i++)
    {
      struct change *c = &s->history[(s->history_start + i) % API_STORE_HISTORY];
      cleanup_error struct husk_error *err = NULL;
      cleanup_jv yajl_val obj = NULL;
      if (c->rv > since && json_doc_parse ("history", c->json, c->len, &obj, &err) == 0)
        fn (ctx, c->type, c->resource, obj);
    }
  return 0;
}

static void
notify (struct api_store *s, enum api_event_type type, const char *resource, yajl_val obj)
{
  remember (s, type, resource, obj);
  for (struct watcher *w = s->watchers, *next; w; w = next)
    {
      next = w->next; /* a watcher may unregister itself */
      w->fn (w->ctx, type, resource, obj);
    }
}

static void
object_dir (struct api_store *s, const char *resource, const char *ns, char dir[PATH_MAX])
{
  snprintf (dir, PATH_MAX, "%s/%s/%s", s->dir, resource, ns_dir (ns));
}

/* The file of revision rev: written now, or queued for the writer. */
static int
write_file (struct api_store *s, const char *resource, const char *ns, const char *name,
            yajl_val obj, unsigned long long rev, size_t *written, struct husk_error **err)
{
  char dir[PATH_MAX];
  size_t len;
  char *data = jv_dump (obj, &len);
  *written = len;
  object_dir (s, resource, ns, dir);
  if (s->writer)
    {
      store_writer_queue (s->writer, dir, name, data, len, rev);
      return 0;
    }
  int r = store_file_write (dir, name, data, len, err);
  free (data);
  return r;
}

static int
remove_file (struct api_store *s, const char *resource, const char *ns, const char *name,
             unsigned long long rev, struct husk_error **err)
{
  char dir[PATH_MAX];
  object_dir (s, resource, ns, dir);
  if (!s->writer)
    return store_file_remove (dir, name, err);
  store_writer_queue (s->writer, dir, name, NULL, 0, rev);
  return 0;
}

static void
fill_create_metadata (yajl_val meta)
{
  char ts[32], uid[40];
  unsigned char r[16];
  if (getrandom (r, sizeof r, 0) != sizeof r)
    memset (r, 0, sizeof r);
  r[6] = (r[6] & 0x0f) | 0x40; /* RFC 4122 version 4, as Kubernetes' uuid.NewUUID */
  r[8] = (r[8] & 0x3f) | 0x80;
  snprintf (uid, sizeof uid,
            "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x", r[0], r[1],
            r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[10], r[11], r[12], r[13], r[14],
            r[15]);
  api_timestamp (ts, api_now ());
  jv_set (meta, "uid", jv_string (uid));
  jv_set (meta, "creationTimestamp", jv_string (ts));
  jv_set (meta, "generation", jv_int (1));
}

int
api_store_put (struct api_store *s, const char *resource, yajl_val obj, bool spec_changed,
               yajl_val *stored, struct husk_error **err)
{
  yajl_val meta = jv_obj_at (obj, "metadata");
  const char *name = jv_str (meta, "name"), *ns = jv_str (meta, "namespace");
  struct entry *e;
  char rv[32];
  long long gen = 1;
  size_t bytes;

  if (!name)
    {
      yajl_tree_free (obj);
      return husk_error_set (err, EINVAL, "store %s: metadata.name missing", resource);
    }
  e = find (s, resource, ns, name);
  if (!e)
    fill_create_metadata (meta);
  else if (spec_changed && jv_int_of (meta, "generation", &gen))
    jv_set (meta, "generation", jv_int (gen + 1));
  snprintf (rv, sizeof rv, "%llu", s->revision + 1);
  jv_set (meta, "resourceVersion", jv_string (rv));
  if (write_file (s, resource, ns, name, obj, s->revision + 1, &bytes, err) < 0)
    {
      if (!e || e->obj != obj)
        yajl_tree_free (obj);
      return husk_error_wrap (err, "store %s \"%s\"", resource, name);
    }
  s->revision++;
  if (e)
    {
      struct bucket *b = bucket_of (s, resource, false);
      if (e->obj != obj)
        yajl_tree_free (e->obj);
      e->obj = obj;
      b->bytes += bytes - e->bytes;
      e->bytes = bytes;
    }
  else
    insert (s, resource, ns, name, obj, bytes);
  if (stored)
    *stored = obj;
  notify (s, e ? API_MODIFIED : API_ADDED, resource, obj);
  return 0;
}

int
api_store_delete (struct api_store *s, const char *resource, const char *ns, const char *name,
                  struct husk_error **err)
{
  struct bucket *b = bucket_of (s, resource, false);
  size_t i = b ? find_index (b, ns, name) : 0;
  struct entry *e;
  char rv[32];

  if (!b || i == b->n)
    return husk_error_set (err, ENOENT, "delete %s \"%s\"", resource, name);
  e = b->v[i];
  if (remove_file (s, resource, ns, name, s->revision + 1, err) < 0)
    return -1;
  memmove (&b->v[i], &b->v[i + 1], (b->n - i - 1) * sizeof *b->v);
  b->n--;
  b->bytes -= e->bytes;
  s->revision++;
  snprintf (rv, sizeof rv, "%llu", s->revision);
  jv_set (jv_obj_at (e->obj, "metadata"), "resourceVersion", jv_string (rv));
  notify (s, API_DELETED, resource, e->obj);
  free_entry (e);
  return 0;
}

/* The run of a namespace's objects (all of them for ns NULL): [*first, *end). */
static void
run_of (const struct bucket *b, const char *ns, size_t *first, size_t *end)
{
  *first = ns ? lower_bound (b, ns_key (ns), "") : 0;
  *end = *first;
  while (*end < b->n && (!ns || !strcmp (b->v[*end]->ns, ns_key (ns))))
    (*end)++;
}

yajl_val *
api_store_list (struct api_store *s, const char *resource, const char *ns, size_t *n)
{
  struct bucket *b = bucket_of (s, resource, false);
  size_t first = 0, end = 0;
  yajl_val *out;
  if (b)
    run_of (b, ns, &first, &end);
  out = calloc (end - first + 1, sizeof *out);
  if (!out)
    abort ();
  for (size_t i = first; i < end; i++)
    out[i - first] = b->v[i]->obj;
  *n = end - first;
  return out;
}

yajl_val *
api_store_list_prefix (struct api_store *s, const char *resource, const char *ns,
                       const char *prefix, size_t *n)
{
  struct bucket *b = bucket_of (s, resource, false);
  size_t len = strlen (prefix), first = b ? lower_bound (b, ns_key (ns), prefix) : 0, end = first;
  yajl_val *out;
  while (b && end < b->n && !strcmp (b->v[end]->ns, ns_key (ns))
         && !strncmp (b->v[end]->name, prefix, len))
    end++;
  out = calloc (end - first + 1, sizeof *out);
  if (!out)
    abort ();
  for (size_t i = first; i < end; i++)
    out[i - first] = b->v[i]->obj;
  *n = end - first;
  return out;
}

size_t
api_store_count (struct api_store *s, const char *resource, const char *ns)
{
  struct bucket *b = bucket_of (s, resource, false);
  size_t first = 0, end = 0;
  if (b)
    run_of (b, ns, &first, &end);
  return end - first;
}

size_t
api_store_bytes (struct api_store *s, const char *resource)
{
  struct bucket *b = bucket_of (s, resource, false);
  return b ? b->bytes : 0;
}

unsigned long long
api_store_revision (struct api_store *s)
{
  return s->revision;
}

void *
api_store_watch (struct api_store *s, api_watch_fn fn, void *ctx)
{
  struct watcher *w = calloc (1, sizeof *w);
  if (!w)
    abort ();
  w->fn = fn;
  w->ctx = ctx;
  w->next = s->watchers;
  s->watchers = w;
  return w;
}

void
api_store_unwatch (struct api_store *s, void *handle)
{
  for (struct watcher **pp = &s->watchers; *pp; pp = &(*pp)->next)
    if (*pp == handle)
      {
        *pp = ((struct watcher *) handle)->next;
        free (handle);
        return;
      }
}

int
api_store_write_behind (struct api_store *s, struct husk_error **err)
{
  return s->writer ? 0 : store_writer_start (&s->writer, err);
}

int
api_store_persist_fd (struct api_store *s)
{
  return s->writer ? store_writer_fd (s->writer) : -1;
}

int
api_store_persisted (struct api_store *s, unsigned long long *rev, struct husk_error **err)
{
  if (!s->writer)
    {
      *rev = s->revision;
      return 0;
    }
  return store_writer_persisted (s->writer, rev, err);
}

void
api_store_flush (struct api_store *s)
{
  if (s->writer)
    store_writer_flush (s->writer);
}

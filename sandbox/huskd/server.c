/* The listeners: the root-only unix socket (no authentication beyond its
 * mode 0600) and, with --listen, the same API over TLS (tls.c).  Limits
 * that keep one client from harming the others: body and header sizes,
 * and an I/O timeout per connection so a client that stops mid-request is
 * dropped instead of holding anything. */
#include <errno.h>
#include <event2/http.h>
#include <event2/util.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "cleanup.h"
#include "huskd.h"
#include "request.h"

const char *
huskd_node_name (void)
{
  static __thread char host[HOST_NAME_MAX + 1];
  if (gethostname (host, sizeof host) < 0 || !host[0])
    snprintf (host, sizeof host, "localhost");
  return host;
}

void
huskd_http_configure (struct huskd *d, struct evhttp *http, bool tls)
{
  evhttp_set_max_body_size (http, HUSKD_MAX_TRANSPORT_BODY);
  evhttp_set_max_headers_size (http, HUSKD_MAX_HEADERS);
  evhttp_set_timeout (http, HUSKD_IO_TIMEOUT);
  evhttp_set_allowed_methods (http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_PUT
                                        | EVHTTP_REQ_PATCH | EVHTTP_REQ_DELETE | EVHTTP_REQ_HEAD
                                        | EVHTTP_REQ_OPTIONS);
  evhttp_set_default_content_type (http, "application/json");
  if (!tls)
    evhttp_set_gencb (http, huskd_route, d);
}

static int
make_parent (const char *path, struct husk_error **err)
{
  char dir[PATH_MAX];
  char *slash;
  snprintf (dir, sizeof dir, "%s", path);
  slash = strrchr (dir, '/');
  if (!slash || slash == dir)
    return 0;
  *slash = '\0';
  if (mkdir (dir, 0755) < 0 && errno != EEXIST)
    return husk_error_set (err, errno, "mkdir `%s`", dir);
  return 0;
}

/* A stale socket from a killed huskd is replaced; a live one means another
 * huskd serves it, and starting a second would steal its clients. */
static int
claim_path (const struct sockaddr_un *addr, struct husk_error **err)
{
  cleanup_close int probe = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (probe >= 0 && connect (probe, (const struct sockaddr *) addr, sizeof *addr) == 0)
    return husk_error_set (err, EADDRINUSE, "another huskd serves `%s`", addr->sun_path);
  if (unlink (addr->sun_path) < 0 && errno != ENOENT)
    return husk_error_set (err, errno, "unlink `%s`", addr->sun_path);
  return 0;
}

int
huskd_listen_unix (struct huskd *d, struct husk_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  const char *path = d->opts.socket_path;
  cleanup_close int fd = -1;

  if (strlen (path) >= sizeof addr.sun_path)
    return husk_error_set (err, ENAMETOOLONG, "socket path `%s`", path);
  strcpy (addr.sun_path, path);
  if (make_parent (path, err) < 0 || claim_path (&addr, err) < 0)
    return -1;
  fd = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd < 0)
    return husk_error_set (err, errno, "socket");
  /* the socket is root-only: it grants everything huskd can do */
  mode_t old = umask (0177);
  int r = bind (fd, (struct sockaddr *) &addr, sizeof addr);
  umask (old);
  if (r < 0)
    return husk_error_set (err, errno, "bind `%s`", path);
  if (chmod (path, 0600) < 0)
    return husk_error_set (err, errno, "chmod `%s`", path);
  if (listen (fd, 128) < 0)
    return husk_error_set (err, errno, "listen `%s`", path);
  d->http_unix = evhttp_new (d->base);
  huskd_http_configure (d, d->http_unix, false);
  if (evhttp_accept_socket (d->http_unix, fd) < 0)
    return husk_error_set (err, errno, "serve `%s`", path);
  fd = -1; /* evhttp owns it now */
  return 0;
}

/* Handing the seccomp notify fd to the agent at linux.seccomp.listenerPath
 * (runtime-spec config-linux.md#seccomp): connect, send the
 * containerProcessState document with the fd in SCM_RIGHTS, close. */
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>
#include <yajl/yajl_gen.h>
#include <yajl/yajl_parse.h>

#include "cleanup.h"
#include "seccomp.h"
#include "state.h"

static void
yajl_gen_freep (yajl_gen *g)
{
  if (*g)
    yajl_gen_free (*g);
}
#define cleanup_gen __attribute__ ((cleanup (yajl_gen_freep)))

/* Copies the state document into the generator event by event (so it is
 * re-emitted, never pasted as text) and remembers its top-level "pid". */
struct state_copy {
  yajl_gen g;
  int depth;
  bool at_pid;
  long long pid;
};

#define COPY(call) (call == yajl_gen_status_ok)
static int cp_null (void *c) { return COPY (yajl_gen_null (((struct state_copy *) c)->g)); }
static int cp_bool (void *c, int v) { return COPY (yajl_gen_bool (((struct state_copy *) c)->g, v)); }
static int
cp_number (void *c, const char *s, size_t l)
{
  struct state_copy *sc = c;
  if (sc->at_pid && sc->depth == 1)
    sc->pid = strtoll (strndupa (s, l), NULL, 10);
  sc->at_pid = false;
  return COPY (yajl_gen_number (sc->g, s, l));
}
static int
cp_string (void *c, const unsigned char *s, size_t l)
{
  ((struct state_copy *) c)->at_pid = false;
  return COPY (yajl_gen_string (((struct state_copy *) c)->g, s, l));
}
static int
cp_start_map (void *c)
{
  ((struct state_copy *) c)->depth++;
  return COPY (yajl_gen_map_open (((struct state_copy *) c)->g));
}
static int
cp_key (void *c, const unsigned char *s, size_t l)
{
  struct state_copy *sc = c;
  sc->at_pid = l == 3 && memcmp (s, "pid", 3) == 0;
  return COPY (yajl_gen_string (sc->g, s, l));
}
static int
cp_end_map (void *c)
{
  ((struct state_copy *) c)->depth--;
  return COPY (yajl_gen_map_close (((struct state_copy *) c)->g));
}
static int
cp_start_array (void *c)
{
  ((struct state_copy *) c)->depth++;
  return COPY (yajl_gen_array_open (((struct state_copy *) c)->g));
}
static int
cp_end_array (void *c)
{
  ((struct state_copy *) c)->depth--;
  return COPY (yajl_gen_array_close (((struct state_copy *) c)->g));
}

static const yajl_callbacks copy_callbacks = {
  .yajl_null = cp_null, .yajl_boolean = cp_bool, .yajl_number = cp_number,
  .yajl_string = cp_string, .yajl_start_map = cp_start_map, .yajl_map_key = cp_key,
  .yajl_end_map = cp_end_map, .yajl_start_array = cp_start_array, .yajl_end_array = cp_end_array,
};

static int
copy_state (struct state_copy *sc, const char *state_json, struct husk_error **err)
{
  yajl_handle h = yajl_alloc (&copy_callbacks, NULL, sc);
  yajl_status st;

  if (h == NULL)
    return husk_error_set (err, ENOMEM, "yajl_alloc");
  st = yajl_parse (h, (const unsigned char *) state_json, strlen (state_json));
  if (st == yajl_status_ok)
    st = yajl_complete_parse (h);
  yajl_free (h);
  if (st != yajl_status_ok)
    return husk_error_set (err, 0, "container state: not a valid JSON document");
  return 0;
}

#define GEN_KEY(g, k) yajl_gen_string (g, (const unsigned char *) (k), strlen (k))

int
husk_seccomp_process_state_json (const struct oci_seccomp *seccomp, const char *state_json,
                                 int pid, char **out, size_t *len, struct husk_error **err)
{
  cleanup_gen yajl_gen g = yajl_gen_alloc (NULL);
  struct state_copy sc = { .pid = -1 };
  const unsigned char *buf;
  size_t buf_len;

  if (g == NULL)
    return husk_error_set (err, ENOMEM, "yajl_gen_alloc");
  sc.g = g;
  yajl_gen_map_open (g);
  GEN_KEY (g, "ociVersion"), GEN_KEY (g, OCI_VERSION);
  GEN_KEY (g, "fds"), yajl_gen_array_open (g), GEN_KEY (g, "seccompFd"), yajl_gen_array_close (g);
  GEN_KEY (g, "pid"), yajl_gen_integer (g, pid);
  if (seccomp->listener_metadata)
    GEN_KEY (g, "metadata"), GEN_KEY (g, seccomp->listener_metadata);
  GEN_KEY (g, "state");
  if (copy_state (&sc, state_json, err) < 0)
    return -1;
  yajl_gen_map_close (g);
  if (yajl_gen_get_buf (g, &buf, &buf_len) != yajl_gen_status_ok)
    return husk_error_set (err, 0, "containerProcessState: incomplete document");
  *out = strndup ((const char *) buf, buf_len);
  if (*out == NULL)
    return husk_error_set (err, ENOMEM, "containerProcessState");
  *len = buf_len;
  return 0;
}

/* The top-level "pid" of the state document, -1 when there is none. */
static int
state_pid (const char *state_json)
{
  cleanup_gen yajl_gen g = yajl_gen_alloc (NULL);
  struct state_copy sc = { .g = g, .pid = -1 };
  struct husk_error *ignored = NULL;

  if (g == NULL || copy_state (&sc, state_json, &ignored) < 0)
    {
      husk_error_release (&ignored);
      return -1;
    }
  return (int) sc.pid;
}

static int
send_with_fd (int sock, const char *data, size_t len, int fd)
{
  char control[CMSG_SPACE (sizeof (int))] = { 0 };
  struct iovec iov = { .iov_base = (void *) data, .iov_len = len };
  struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control,
                        .msg_controllen = sizeof control };
  struct cmsghdr *cmsg = CMSG_FIRSTHDR (&msg);
  ssize_t n;

  cmsg->cmsg_level = SOL_SOCKET;
  cmsg->cmsg_type = SCM_RIGHTS;
  cmsg->cmsg_len = CMSG_LEN (sizeof (int));
  memcpy (CMSG_DATA (cmsg), &fd, sizeof fd);
  do
    n = sendmsg (sock, &msg, MSG_NOSIGNAL);
  while (n < 0 && errno == EINTR);
  if (n < 0)
    return -1;
  if ((size_t) n != len)
    return errno = EMSGSIZE, -1;
  return 0;
}

int
husk_seccomp_send_listener (const struct oci_seccomp *seccomp, const char *state_json,
                            int listener_fd, struct husk_error **err)
{
  return husk_seccomp_send_listener_pid (seccomp, state_json, state_pid (state_json), listener_fd,
                                         err);
}

int
husk_seccomp_send_listener_pid (const struct oci_seccomp *seccomp, const char *state_json,
                                int pid, int listener_fd, struct husk_error **err)
{
  struct sockaddr_un addr = { .sun_family = AF_UNIX };
  const char *path = seccomp->listener_path;
  cleanup_close int sock = -1;
  cleanup_free char *doc = NULL;
  size_t len;

  if (path == NULL || strlen (path) >= sizeof addr.sun_path)
    return husk_error_set (err, 0, "linux.seccomp.listenerPath: \"%s\" is not a usable socket path",
                           path ? path : "");
  if (husk_seccomp_process_state_json (seccomp, state_json, pid, &doc, &len, err) < 0)
    return -1;
  strcpy (addr.sun_path, path);
  sock = socket (AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0)
    return husk_error_set (err, errno, "seccomp listener: socket");
  if (connect (sock, (struct sockaddr *) &addr, sizeof addr) < 0)
    return husk_error_set (err, errno, "seccomp listener: connect \"%s\"", path);
  if (send_with_fd (sock, doc, len, listener_fd) < 0)
    return husk_error_set (err, errno, "seccomp listener: send the fd to \"%s\"", path);
  return 0;
}

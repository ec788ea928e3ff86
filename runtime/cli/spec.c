/* husk spec [--bundle dir] [--rootless]: writes a default config.json,
 * never over an existing one (as runc). */
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "../../oci/cleanup.h"

static int
write_spec (const char *path, const char *json, size_t len, struct husk_error **err)
{
  cleanup_close int fd = open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);

  if (fd < 0 && errno == EEXIST)
    return husk_error_set (err, 0, "File %s exists. Remove it first", path);
  if (fd < 0)
    return husk_error_set (err, errno, "open `%s`", path);
  if (write (fd, json, len) != (ssize_t) len)
    return husk_error_set (err, errno, "write `%s`", path);
  return 0;
}

int
husk_cli_spec (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  static const struct option options[] = { { "bundle", required_argument, NULL, 'b' },
                                           { "rootless", no_argument, NULL, 'r' },
                                           { NULL, 0, NULL, 0 } };
  const char *bundle = NULL;
  bool rootless = false;
  cleanup_free char *json = NULL, *path = NULL;
  size_t len;
  int c;

  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "b:", options, NULL)) != -1)
    {
      if (c == 'b')
        bundle = optarg;
      else if (c == 'r')
        rootless = true;
      else
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
    }
  if (oci_spec_default_json (rootless, &json, &len, err) < 0)
    return -1;
  if (asprintf (&path, "%s%sconfig.json", bundle ? bundle : "", bundle ? "/" : "") < 0)
    return husk_error_set (err, ENOMEM, "asprintf");
  return write_spec (path, json, len, err) < 0 ? -1 : 0;
}

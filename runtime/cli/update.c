/* husk update [-r resources.json | flags] <id>: runc's flags become a
 * resources document parsed like -r's, so one parser checks both. */
#include "cli.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../../oci/cleanup.h"
#include "../../oci/json_doc.h"

enum value_kind { NUMBER, BYTES, STRING };

static const struct update_flag {
  const char *flag;
  const char *controller;
  const char *key;
  enum value_kind kind;
} update_flags[] = {
  { "blkio-weight", "blockIO", "weight", NUMBER },
  { "cpu-period", "cpu", "period", NUMBER },
  { "cpu-quota", "cpu", "quota", NUMBER },
  { "cpu-share", "cpu", "shares", NUMBER },
  { "cpu-rt-period", "cpu", "realtimePeriod", NUMBER },
  { "cpu-rt-runtime", "cpu", "realtimeRuntime", NUMBER },
  { "cpuset-cpus", "cpu", "cpus", STRING },
  { "cpuset-mems", "cpu", "mems", STRING },
  { "kernel-memory", "memory", "kernel", BYTES },
  { "kernel-memory-tcp", "memory", "kernelTCP", BYTES },
  { "memory", "memory", "limit", BYTES },
  { "memory-reservation", "memory", "reservation", BYTES },
  { "memory-swap", "memory", "swap", BYTES },
  { "pids-limit", "pids", "limit", NUMBER },
};
#define N_FLAGS (sizeof update_flags / sizeof update_flags[0])

/* Docker's RAMInBytes: "512", "10k", "64M", "1g" (binary units); -1 stays. */
static int
parse_bytes (const char *s, long long *out)
{
  const char *units = "kmgt", *unit;
  char *end;
  long long v;
  int shift = 0;

  errno = 0;
  v = strtoll (s, &end, 10);
  if (errno || end == s)
    return -1;
  if (*end && (unit = strchr (units, tolower ((unsigned char) *end))) != NULL)
    {
      shift = 10 * (int) (unit - units + 1);
      end++;
    }
  if (tolower ((unsigned char) *end) == 'b')
    end++;
  /* a unit scales a size: not -1, and not past what the number holds */
  if (*end || (shift && (v < 0 || v > LLONG_MAX >> shift)))
    return -1;
  /* v >= 0 whenever shift is set: -1 (unlimited) is passed unscaled */
  *out = shift ? v * (1LL << shift) : v;
  return 0;
}

static int
value_json (const struct update_flag *f, const char *value, char *buf, size_t size)
{
  long long n;
  char *end;

  if (f->kind == STRING)
    {
      for (const char *p = value; *p; p++)
        if (!isdigit ((unsigned char) *p) && *p != ',' && *p != '-')
          return -1;
      return snprintf (buf, size, "\"%s\"", value) < (int) size ? 0 : -1;
    }
  if (f->kind == BYTES)
    {
      if (parse_bytes (value, &n) < 0)
        return -1;
    }
  else
    {
      errno = 0;
      n = strtoll (value, &end, 10);
      if (errno || end == value || *end)
        return -1;
    }
  snprintf (buf, size, "%lld", n);
  return 0;
}

/* {"cpu":{"shares":..,"quota":..},"memory":{..}}, grouped by controller. */
static int
build_document (const char *values[N_FLAGS], char **doc, size_t *len, struct husk_error **err)
{
  FILE *f = open_memstream (doc, len);
  const char *open_controller = NULL;

  if (f == NULL)
    return husk_error_set (err, errno, "open_memstream");
  fputc ('{', f);
  for (const char *c = "blockIO\0cpu\0memory\0pids\0"; *c; c += strlen (c) + 1)
    for (size_t i = 0; i < N_FLAGS; i++)
      {
        char v[128];
        if (values[i] == NULL || strcmp (update_flags[i].controller, c) != 0)
          continue;
        if (value_json (&update_flags[i], values[i], v, sizeof v) < 0)
          {
            fclose (f);
            return husk_cli_usage_error (err, "invalid value \"%s\" for flag --%s", values[i],
                                         update_flags[i].flag);
          }
        if (open_controller != c)
          fprintf (f, "%s\"%s\":{", open_controller ? "}," : "", c);
        else
          fputc (',', f);
        open_controller = c;
        fprintf (f, "\"%s\":%s", update_flags[i].key, v);
      }
  fputs (open_controller ? "}}" : "}", f);
  return fclose (f) == 0 ? 0 : husk_error_set (err, errno, "format resources");
}

static int
parse_flags (int argc, char **argv, const char **resources, const char *values[N_FLAGS],
             struct husk_error **err)
{
  struct option options[N_FLAGS + 2];
  int c;

  for (size_t i = 0; i < N_FLAGS; i++)
    options[i] = (struct option){ update_flags[i].flag, required_argument, NULL, (int) i + 256 };
  options[N_FLAGS] = (struct option){ "resources", required_argument, NULL, 'r' };
  options[N_FLAGS + 1] = (struct option){ NULL, 0, NULL, 0 };
  opterr = 0;
  optind = 0;
  while ((c = getopt_long (argc, argv, "r:", options, NULL)) != -1)
    {
      if (c == 'r')
        *resources = optarg;
      else if (c >= 256 && c < 256 + (int) N_FLAGS)
        values[c - 256] = optarg;
      else
        return husk_cli_usage_error (err, "flag provided but not defined: %s", argv[optind - 1]);
    }
  return 0;
}

int
husk_cli_update (struct husk_cli *cli, int argc, char **argv, struct husk_error **err)
{
  const char *values[N_FLAGS] = { NULL }, *resources = NULL;
  cleanup_free char *data = NULL;
  size_t len = 0;
  struct oci_resources *res = NULL;
  int ret;

  if (parse_flags (argc, argv, &resources, values, err) < 0
      || husk_cli_need_id (cli, argc, argv, 1, 1, err) < 0)
    return -1;
  if (resources)
    ret = json_doc_read_file (strcmp (resources, "-") ? resources : "/dev/stdin", &data, &len,
                              err);
  else
    ret = build_document (values, &data, &len, err);
  if (ret < 0
      || oci_resources_parse_data (resources ? resources : "flags", data, len, &res, err) < 0)
    return -1;
  ret = husk_container_update (&cli->rt, cli->id, res, err);
  oci_resources_free (res);
  return ret < 0 ? -1 : 0;
}

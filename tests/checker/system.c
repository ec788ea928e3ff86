/* Sections about what the process sees: open fds, mounts, namespaces and
 * its cgroups. */
#include <dirent.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checker.h"
#include "cleanup.h"

void
checker_fds (yajl_gen g)
{
  cleanup_dir DIR *d = opendir ("/proc/self/fd");
  json_str (g, "fds");
  yajl_gen_array_open (g);
  for (struct dirent *de; d && (de = readdir (d));)
    {
      if (de->d_name[0] == '.' || atoi (de->d_name) == dirfd (d))
        continue;
      char path[PATH_MAX], target[PATH_MAX];
      snprintf (path, sizeof path, "/proc/self/fd/%s", de->d_name);
      ssize_t n = readlink (path, target, sizeof target - 1);
      target[n < 0 ? 0 : n] = '\0';
      yajl_gen_map_open (g);
      json_key_int (g, "fd", atoi (de->d_name));
      json_key_str (g, "target", target);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
}

/* mountinfo(5): ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTS [OPTIONAL...] -
 * FSTYPE SOURCE SUPEROPTS.  Optional fields ("shared:N", "master:N") are
 * kept as one string so a test can check propagation. */
static void
emit_mount (yajl_gen g, char *line)
{
  char *fields[6], *save = NULL, *tok = strtok_r (line, " ", &save);
  int n = 0;
  for (; tok && n < 6; tok = strtok_r (NULL, " ", &save))
    fields[n++] = tok;
  if (n < 6)
    return;
  char optional[512] = "";
  for (; tok && strcmp (tok, "-") != 0; tok = strtok_r (NULL, " ", &save))
    {
      if (optional[0])
        strncat (optional, " ", sizeof optional - strlen (optional) - 1);
      strncat (optional, tok, sizeof optional - strlen (optional) - 1);
    }
  char *fstype = strtok_r (NULL, " ", &save);
  char *source = strtok_r (NULL, " ", &save);
  char *super = strtok_r (NULL, " ", &save);
  yajl_gen_map_open (g);
  json_key_int (g, "id", atoi (fields[0]));
  json_key_int (g, "parent", atoi (fields[1]));
  json_key_str (g, "root", fields[3]);
  json_key_str (g, "target", fields[4]);
  json_key_str (g, "options", fields[5]);
  json_key_str (g, "optional", optional);
  json_key_str (g, "type", fstype);
  json_key_str (g, "source", source);
  json_key_str (g, "super_options", super);
  yajl_gen_map_close (g);
}

void
checker_mounts (yajl_gen g)
{
  cleanup_free char *text = read_text ("/proc/self/mountinfo");
  json_str (g, "mounts");
  yajl_gen_array_open (g);
  char *save = NULL;
  for (char *line = text ? strtok_r (text, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save))
    emit_mount (g, line);
  yajl_gen_array_close (g);
}

/* Each namespace by the inode of /proc/self/ns/NAME ("net:[4026531992]"),
 * so a test compares it with the host's or with a path it joined. */
void
checker_namespaces (yajl_gen g)
{
  cleanup_dir DIR *d = opendir ("/proc/self/ns");
  json_str (g, "namespaces");
  yajl_gen_map_open (g);
  for (struct dirent *de; d && (de = readdir (d));)
    {
      if (de->d_name[0] == '.')
        continue;
      char path[PATH_MAX], target[256];
      snprintf (path, sizeof path, "/proc/self/ns/%s", de->d_name);
      ssize_t n = readlink (path, target, sizeof target - 1);
      if (n < 0)
        continue;
      target[n] = '\0';
      char *bracket = strchr (target, '[');
      json_key_int (g, de->d_name, bracket ? atoll (bracket + 1) : 0);
    }
  yajl_gen_map_close (g);
}

void
checker_cgroup (yajl_gen g)
{
  cleanup_free char *text = read_text ("/proc/self/cgroup");
  json_str (g, "cgroup");
  yajl_gen_array_open (g);
  char *save = NULL;
  for (char *line = text ? strtok_r (text, "\n", &save) : NULL; line;
       line = strtok_r (NULL, "\n", &save))
    {
      char *controllers = strchr (line, ':');
      char *path = controllers ? strchr (controllers + 1, ':') : NULL;
      if (path == NULL)
        continue;
      *controllers++ = '\0';
      *path++ = '\0';
      yajl_gen_map_open (g);
      json_key_int (g, "hierarchy", atoi (line));
      json_key_str (g, "controllers", controllers);
      json_key_str (g, "path", path);
      yajl_gen_map_close (g);
    }
  yajl_gen_array_close (g);
}

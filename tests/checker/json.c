/* JSON and /proc helpers shared by the checker's sections. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "checker.h"
#include "cleanup.h"

void
json_str (yajl_gen g, const char *s)
{
  if (s == NULL)
    yajl_gen_null (g);
  else
    yajl_gen_string (g, (const unsigned char *) s, strlen (s));
}

void
json_key_str (yajl_gen g, const char *key, const char *value)
{
  json_str (g, key);
  json_str (g, value);
}

void
json_key_int (yajl_gen g, const char *key, long long value)
{
  json_str (g, key);
  yajl_gen_integer (g, value);
}

void
json_key_bool (yajl_gen g, const char *key, int value)
{
  json_str (g, key);
  yajl_gen_bool (g, value);
}

char *
read_text (const char *path)
{
  cleanup_fclose FILE *f = fopen (path, "re");
  if (f == NULL)
    return NULL;
  char *buf = NULL;
  size_t size = 0;
  FILE *mem = open_memstream (&buf, &size);
  if (mem == NULL)
    return NULL;
  char chunk[4096];
  size_t n;
  while ((n = fread (chunk, 1, sizeof chunk, f)) > 0)
    fwrite (chunk, 1, n, mem);
  fclose (mem);
  return buf;
}

static char *
trim (char *s)
{
  while (*s == ' ' || *s == '\t')
    s++;
  size_t len = strlen (s);
  while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == ' '))
    s[--len] = '\0';
  return s;
}

char *
status_field (const char *key)
{
  cleanup_free char *text = read_text ("/proc/self/status");
  if (text == NULL)
    return NULL;
  size_t klen = strlen (key);
  for (char *line = strtok (text, "\n"); line; line = strtok (NULL, "\n"))
    if (strncmp (line, key, klen) == 0 && line[klen] == ':')
      return strdup (trim (line + klen + 1));
  return NULL;
}

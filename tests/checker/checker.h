/* Sections of husk-checker's report and the small JSON helpers they share. */
#ifndef HUSK_TESTS_CHECKER_H
#define HUSK_TESTS_CHECKER_H

#include <stddef.h>
#include <yajl/yajl_gen.h>

struct checker_section {
  const char *name;
  void (*emit) (yajl_gen g); /* writes "name": value into the open map */
};

/* identity.c: who the process is and what it may do. */
void checker_ids (yajl_gen g);
void checker_caps (yajl_gen g);
void checker_rlimits (yajl_gen g);
void checker_uts (yajl_gen g);
void checker_process (yajl_gen g);
void checker_env (yajl_gen g);
void checker_security (yajl_gen g);

/* system.c: what the process sees of the system. */
void checker_fds (yajl_gen g);
void checker_mounts (yajl_gen g);
void checker_namespaces (yajl_gen g);
void checker_cgroup (yajl_gen g);

/* json.c */
void json_str (yajl_gen g, const char *s);
void json_key_str (yajl_gen g, const char *key, const char *value);
void json_key_int (yajl_gen g, const char *key, long long value);
void json_key_bool (yajl_gen g, const char *key, int value);
/* Reads a whole small file; NULL when it cannot be read. Caller frees. */
char *read_text (const char *path);
/* The value of "Key:" in /proc/self/status, trimmed; NULL if absent. */
char *status_field (const char *key);

#endif

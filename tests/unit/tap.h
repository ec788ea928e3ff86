/* The one TAP harness of husk's unit tests.  The plan is counted, never
 * written by hand: tap_done() prints "1..N" after the last test.
 *
 *   ok (x == 1, "parses %s", name);
 *   is_int (got, want, "label"); is_str (got, want, "label");
 *   return tap_done ();
 */
#ifndef HUSK_TESTS_TAP_H
#define HUSK_TESTS_TAP_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__ ((format (printf, 2, 3), unused)) static bool
ok (bool cond, const char *fmt, ...)
{
  va_list ap;
  printf ("%s %d - ", cond ? "ok" : "not ok", ++tap_count);
  va_start (ap, fmt);
  vprintf (fmt, ap);
  va_end (ap);
  putchar ('\n');
  if (!cond)
    tap_failed++;
  fflush (stdout);
  return cond;
}

#define is_int(got, want, ...)                                                 \
  ({                                                                           \
    long long _g = (long long) (got), _w = (long long) (want);                 \
    bool _r = ok (_g == _w, __VA_ARGS__);                                      \
    if (!_r)                                                                   \
      printf ("#   got: %lld\n#   expected: %lld\n", _g, _w);                  \
    _r;                                                                        \
  })

#define is_str(got, want, ...)                                                 \
  ({                                                                           \
    const char *_g = (got), *_w = (want);                                      \
    bool _r = ok (_g && _w ? strcmp (_g, _w) == 0 : _g == _w, __VA_ARGS__);    \
    if (!_r)                                                                   \
      printf ("#   got: '%s'\n#   expected: '%s'\n", _g ? _g : "(null)",        \
              _w ? _w : "(null)");                                             \
    _r;                                                                        \
  })

__attribute__ ((unused)) static int
tap_done (void)
{
  printf ("1..%d\n", tap_count);
  return tap_failed ? 1 : 0;
}

#endif

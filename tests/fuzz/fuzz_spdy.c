/* SPDY/3.1 as kubectl exec and port-forward speak it: frames parsed one
 * after another from the input, SETTINGS walked, each header block
 * inflated through one zlib stream (its state carries over, as on a
 * connection) and looked up. */
#include "fuzz.h"
#include "spdy.h"
#include "spdy_zlib.h"

static void
each_setting (void *arg, uint32_t id, uint32_t value)
{
  (void) arg, (void) id, (void) value;
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_error *err = NULL;
  struct spdy_zlib z = { 0 };

  if (spdy_zlib_init (&z, &err) < 0)
    abort ();
  while (size > 0)
    {
      struct spdy_frame f;
      int r = spdy_frame_parse (data, size, 1 << 20, &f, &err);
      if (r <= 0)
        break;
      if (f.type == SPDY_SETTINGS)
        spdy_settings_each (&f, each_setting, NULL, &err);
      husk_error_release (&err);
      if (f.headers)
        {
          struct spdy_headers h = { 0 };
          if (spdy_headers_decode (&z, f.headers, f.headers_len, &h, &err) == 0)
            {
              spdy_headers_get (&h, "streamtype");
              spdy_headers_free (&h);
            }
          husk_error_release (&err);
        }
      data += SPDY_HEADER_LEN + f.length;
      size -= SPDY_HEADER_LEN + f.length;
    }
  husk_error_release (&err);
  spdy_zlib_free (&z);
  return 0;
}

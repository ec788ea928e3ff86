/* SPDY/3.1 frames and header blocks: every encoder parsed back, the
 * dictionary checked against its well-known size and checksum, and header
 * blocks compressed by one zlib context and read by another (as a client
 * and huskd do), several in a row on the same streams. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "spdy.h"
#include "spdy_zlib.h"
#include "tap.h"

static int
parse (const uint8_t *b, size_t n, struct spdy_frame *f)
{
  struct husk_error *err = NULL;
  int r = spdy_frame_parse (b, n, 1 << 20, f, &err);
  husk_error_release (&err);
  return r;
}

static void
test_control_frames (void)
{
  uint8_t b[32];
  struct spdy_frame f;
  size_t n = spdy_ping (b, 42);
  ok (parse (b, n, &f) == 1 && f.type == SPDY_PING && f.value == 42 && n == 12, "PING round trip");
  is_int (parse (b, n - 1, &f), 0, "a cut PING needs more bytes");
  n = spdy_window_update (b, 5, 1000);
  ok (parse (b, n, &f) == 1 && f.type == SPDY_WINDOW_UPDATE && f.stream_id == 5 && f.value == 1000,
      "WINDOW_UPDATE round trip");
  n = spdy_rst_stream (b, 7, SPDY_CANCEL);
  ok (parse (b, n, &f) == 1 && f.type == SPDY_RST_STREAM && f.stream_id == 7 && f.value == SPDY_CANCEL,
      "RST_STREAM round trip");
  n = spdy_goaway (b, 9, 0);
  ok (parse (b, n, &f) == 1 && f.type == SPDY_GOAWAY && f.stream_id == 9, "GOAWAY round trip");
  n = spdy_data_header (b, 3, SPDY_FLAG_FIN, 5);
  memcpy (b + n, "hello", 5);
  ok (parse (b, n + 5, &f) == 1 && f.type == SPDY_DATA && f.stream_id == 3
          && f.flags == SPDY_FLAG_FIN && f.length == 5 && memcmp (f.payload, "hello", 5) == 0,
      "DATA with FIN round trip");
  b[1] = 2;
  b[0] = 0x80;
  ok (parse (b, 12, &f) < 0, "a SPDY/2 control frame is refused");
}

static void
test_dictionary (void)
{
  size_t n;
  const uint8_t *d = spdy_dictionary (&n);
  is_int (n, 1423, "the dictionary is 1423 bytes");
  ok (memcmp (d, "\0\0\0\7options", 11) == 0 && memcmp (d + n - 6, "enq=0.", 6) == 0,
      "starts with options, ends with enq=0.");
  /* zlib identifies a dictionary by its Adler-32: the value Go's spdy
   * framer (and so every kubectl) puts in its first header block */
  is_int (adler32 (adler32 (0, NULL, 0), d, (uInt) n), 0xe3c6a7c2,
          "Adler-32 of the dictionary");
}

static void
test_header_blocks (void)
{
  struct spdy_zlib client, server;
  struct spdy_headers h;
  struct husk_error *err = NULL;
  const char *types[] = { "error", "stdin", "stdout", "stderr", "resize" };
  ok (spdy_zlib_init (&client, &err) == 0 && spdy_zlib_init (&server, &err) == 0, "zlib contexts");
  for (size_t i = 0; i < 5; i++)
    {
      const char *pairs[] = { "streamtype", types[i], "port", "", NULL };
      uint8_t *block;
      size_t len;
      ok (spdy_headers_encode (&client, pairs, &block, &len, &err) == 0, "encode %s", types[i]);
      ok (spdy_headers_decode (&server, block, len, &h, &err) == 0, "decode %s", types[i]);
      is_str (spdy_headers_get (&h, "streamtype"), types[i], "streamtype %s", types[i]);
      ok (h.n == 2 && spdy_headers_get (&h, "port") && !spdy_headers_get (&h, "nope"),
          "block %zu has its two pairs", i);
      spdy_headers_free (&h);
      free (block);
    }
  const uint8_t garbage[] = { 0x78, 0xbb, 1, 2, 3, 4, 5, 6 };
  ok (spdy_headers_decode (&server, garbage, sizeof garbage, &h, &err) < 0, "garbage is refused");
  husk_error_release (&err);
  spdy_zlib_free (&client);
  spdy_zlib_free (&server);
}

static void
test_syn_stream_frame (void)
{
  struct spdy_zlib z;
  struct husk_error *err = NULL;
  const char *pairs[] = { "streamtype", "stdout", NULL };
  uint8_t *block, frame[256];
  size_t len;
  struct spdy_frame f;
  spdy_zlib_init (&z, &err);
  spdy_headers_encode (&z, pairs, &block, &len, &err);
  size_t n = spdy_syn_stream_header (frame, 5, 0, (uint32_t) len);
  memcpy (frame + n, block, len);
  ok (parse (frame, n + len, &f) == 1 && f.type == SPDY_SYN_STREAM && f.stream_id == 5
          && f.headers_len == len && memcmp (f.headers, block, len) == 0,
      "SYN_STREAM carries its header block");
  n = spdy_reply_header (frame, SPDY_SYN_REPLY, 5, SPDY_FLAG_FIN, (uint32_t) len);
  memcpy (frame + n, block, len);
  ok (parse (frame, n + len, &f) == 1 && f.type == SPDY_SYN_REPLY && f.stream_id == 5
          && f.flags == SPDY_FLAG_FIN && f.headers_len == len,
      "SYN_REPLY carries its header block");
  free (block);
  spdy_zlib_free (&z);
}

int
main (void)
{
  test_control_frames ();
  test_dictionary ();
  test_header_blocks ();
  test_syn_stream_frame ();
  return tap_done ();
}

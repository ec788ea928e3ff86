/* RFC 6455 framing: the handshake key, frame headers in their three length
 * forms, masks, and the violations a server must refuse. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "tap.h"
#include "websocket.h"

static void
test_accept_key (void)
{
  char out[WS_ACCEPT_LEN];
  struct husk_error *err = NULL;
  ok (ws_accept_key ("dGhlIHNhbXBsZSBub25jZQ==", out, &err) == 0, "accept key of RFC 6455's example");
  is_str (out, "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=", "matches section 1.3");
  ok (ws_accept_key ("short", out, &err) < 0 && err->errnum == EINVAL, "a key that is not 16 bytes is refused");
  husk_error_release (&err);
}

/* Encodes a masked client frame, parses it back, unmasks in two pieces. */
static void
roundtrip (uint64_t n, size_t want_header)
{
  static const uint8_t mask[4] = { 0x37, 0xfa, 0x21, 0x3d };
  uint8_t *buf = malloc (n + WS_MAX_HEADER), *payload = malloc (n + 1);
  struct husk_error *err = NULL;
  struct ws_frame f;
  for (uint64_t i = 0; i < n; i++)
    payload[i] = (uint8_t) (i * 7);
  size_t h = ws_frame_header (buf, true, WS_OP_BINARY, n, mask);
  is_int (h, want_header, "%llu bytes: header of %zu bytes", (unsigned long long) n, want_header);
  memcpy (buf + h, payload, n);
  ws_mask (buf + h, n, mask, 0);
  is_int (ws_frame_parse (buf, h + n - 1, 1 << 20, &f, &err), 0, "%llu bytes: one byte short needs more", (unsigned long long) n);
  is_int (ws_frame_parse (buf, h + n, 1 << 20, &f, &err), 1, "%llu bytes: parses", (unsigned long long) n);
  ok (f.fin && f.opcode == WS_OP_BINARY && f.masked && f.length == n && f.header_len == h,
      "%llu bytes: fields decoded", (unsigned long long) n);
  ws_mask (buf + h, n / 2, f.mask, 0);
  ws_mask (buf + h + n / 2, n - n / 2, f.mask, n / 2);
  ok (memcmp (buf + h, payload, n) == 0, "%llu bytes: unmasked in two pieces", (unsigned long long) n);
  free (buf);
  free (payload);
}

static int
parse_bytes (const uint8_t *b, size_t n, int *errnum)
{
  struct husk_error *err = NULL;
  struct ws_frame f;
  int r = ws_frame_parse (b, n, 1000, &f, &err);
  *errnum = err ? err->errnum : 0;
  husk_error_release (&err);
  return r;
}

static void
test_violations (void)
{
  int e;
  const uint8_t rsv[] = { 0xc2, 0x80, 1, 2, 3, 4 };
  const uint8_t opcode[] = { 0x83, 0x80, 1, 2, 3, 4 };
  const uint8_t ping_frag[] = { 0x09, 0x80, 1, 2, 3, 4 };
  const uint8_t long_ping[] = { 0x89, 0xfe, 0, 126 };
  const uint8_t not_minimal[] = { 0x82, 0xfe, 0, 5 };
  const uint8_t too_big[] = { 0x82, 0xfe, 0x10, 0 };
  ok (parse_bytes (rsv, sizeof rsv, &e) < 0 && e == EPROTO, "reserved bits are refused");
  ok (parse_bytes (opcode, sizeof opcode, &e) < 0, "an unknown opcode is refused");
  ok (parse_bytes (ping_frag, sizeof ping_frag, &e) < 0, "a fragmented ping is refused");
  ok (parse_bytes (long_ping, sizeof long_ping, &e) < 0, "a ping over 125 bytes is refused");
  ok (parse_bytes (not_minimal, sizeof not_minimal, &e) < 0, "a 16-bit length under 126 is refused");
  ok (parse_bytes (too_big, sizeof too_big, &e) < 0 && e == EMSGSIZE, "a frame above the limit is refused with EMSGSIZE");
  is_int (parse_bytes (too_big, 1, &e), 0, "one byte is not a frame yet");
}

static void
test_server_frame (void)
{
  uint8_t h[WS_MAX_HEADER];
  size_t n = ws_frame_header (h, true, WS_OP_CLOSE, 2, NULL);
  ok (n == 2 && h[0] == 0x88 && h[1] == 0x02, "server frames are unmasked");
  n = ws_frame_header (h, false, WS_OP_TEXT, 70000, NULL);
  ok (n == 10 && h[0] == 0x01 && h[1] == 127 && h[7] == 0x01 && h[8] == 0x11 && h[9] == 0x70,
      "64-bit length, FIN clear");
}

int
main (void)
{
  test_accept_key ();
  roundtrip (0, 6);
  roundtrip (125, 6);
  roundtrip (126, 8);
  roundtrip (65535, 8);
  roundtrip (65536, 14);
  test_violations ();
  test_server_frame ();
  return tap_done ();
}

/* The protobuf wire format: what we write reads back, and truncated or
 * malformed input is refused without reading past the buffer. */
#include <string.h>

#include "protowire.h"
#include "tap.h"

static void
test_round_trip (void)
{
  unsigned char buf[64];
  size_t len = pb_put_bytes (buf, 0, sizeof buf, 1, "db", 2);
  len = pb_put_varint (buf, len, sizeof buf, 2, 300);
  len = pb_put_varint (buf, len, sizeof buf, 1000, UINT64_MAX);
  struct pb_reader r = { buf, buf + len };
  struct pb_field f;

  is_int ((int) len, 4 + 3 + 2 + 10, "encoded length");
  ok (pb_next_field (&r, &f) && f.number == 1 && f.type == PB_BYTES
          && f.bytes.end - f.bytes.p == 2 && !memcmp (f.bytes.p, "db", 2),
      "bytes field reads back");
  ok (pb_next_field (&r, &f) && f.number == 2 && f.type == PB_VARINT && f.varint == 300,
      "varint 300 reads back");
  ok (pb_next_field (&r, &f) && f.number == 1000 && f.varint == UINT64_MAX,
      "field 1000 with the largest varint");
  ok (!pb_more (&r), "nothing left");
}

static void
test_known_bytes (void)
{
  /* grpc.health.v1.HealthCheckResponse{status: SERVING} is 08 01 */
  const unsigned char serving[] = { 0x08, 0x01 };
  struct pb_reader r = { serving, serving + 2 };
  struct pb_field f;
  ok (pb_next_field (&r, &f) && f.number == 1 && f.type == PB_VARINT && f.varint == 1,
      "HealthCheckResponse SERVING");
  unsigned char out[8];
  size_t n = pb_put_bytes (out, 0, sizeof out, 1, "ab", 2);
  ok (n == 4 && !memcmp (out, "\x0a\x02" "ab", 4), "HealthCheckRequest{service: \"ab\"} is 0a 02 61 62");
}

static void
test_hostile (void)
{
  static const struct { const char *name; unsigned char data[12]; size_t len; } cases[] = {
    { "empty key", { 0 }, 0 },
    { "field number 0", { 0x00, 0x01 }, 2 },
    { "truncated varint", { 0x08, 0x80 }, 2 },
    { "length beyond the end", { 0x0a, 0x05, 'a' }, 3 },
    { "truncated fixed64", { 0x09, 1, 2, 3 }, 4 },
    { "truncated fixed32", { 0x0d, 1 }, 2 },
    { "group wire type", { 0x0b }, 1 },
    { "wire type 7", { 0x0f, 0 }, 2 },
    { "varint of 11 bytes", { 0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01 }, 12 },
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    {
      struct pb_reader r = { cases[i].data, cases[i].data + cases[i].len };
      struct pb_field f;
      ok (!pb_next_field (&r, &f), "refused: %s", cases[i].name);
    }
  unsigned char small[3];
  ok (pb_put_bytes (small, 0, sizeof small, 1, "abcd", 4) == 0, "a field that does not fit is not written");
  ok (pb_put_varint (small, 0, 1, 1, 300) == 0, "a varint that does not fit is not written");
}

int
main (void)
{
  test_round_trip ();
  test_known_bytes ();
  test_hostile ();
  return tap_done ();
}

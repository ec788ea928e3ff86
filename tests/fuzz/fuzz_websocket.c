/* WebSocket frames (RFC 6455) as kubectl's websocket exec and port-forward
 * send them: parsed one after another, payloads unmasked, the header of
 * each written back and parsed again to the same fields; and the input as
 * a Sec-WebSocket-Key. */
#include "fuzz.h"
#include "websocket.h"

static void
round_trip (const struct ws_frame *f)
{
  uint8_t hdr[WS_MAX_HEADER];
  struct ws_frame again;
  struct husk_error *err = NULL;
  size_t n = ws_frame_header (hdr, f->fin, f->opcode, f->length, f->masked ? f->mask : NULL);
  if (ws_frame_parse (hdr, n, UINT64_MAX, &again, &err) < 0)
    abort (); /* what we write we read */
  if (again.length != f->length || again.opcode != f->opcode || again.fin != f->fin)
    abort ();
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_error *err = NULL;
  char *key = fuzz_text (data, size), accept[WS_ACCEPT_LEN];

  if (ws_accept_key (key, accept, &err) < 0)
    husk_error_release (&err);
  free (key);
  while (size > 0)
    {
      struct ws_frame f;
      if (ws_frame_parse (data, size, 1 << 20, &f, &err) <= 0)
        break;
      uint8_t *payload = malloc (f.length + 1);
      if (payload == NULL)
        abort ();
      memcpy (payload, data + f.header_len, f.length);
      if (f.masked)
        ws_mask (payload, f.length, f.mask, 0);
      free (payload);
      if (f.length < 1 << 16 || f.opcode < 8)
        round_trip (&f);
      data += f.header_len + f.length;
      size -= f.header_len + f.length;
    }
  husk_error_release (&err);
  return 0;
}

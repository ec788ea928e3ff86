/* WebSocket (RFC 6455) framing, server side: the opening handshake's
 * accept key, and frames parsed from and encoded into byte buffers.  No
 * I/O here: the caller owns the sockets, so this is testable as is. */
#ifndef HUSK_STREAM_WEBSOCKET_H
#define HUSK_STREAM_WEBSOCKET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "../../oci/error.h"

enum ws_opcode {
  WS_OP_CONTINUATION = 0x0,
  WS_OP_TEXT = 0x1,
  WS_OP_BINARY = 0x2,
  WS_OP_CLOSE = 0x8,
  WS_OP_PING = 0x9,
  WS_OP_PONG = 0xa,
};

/* Close codes of RFC 6455 section 7.4.1. */
enum ws_close_code {
  WS_CLOSE_NORMAL = 1000,
  WS_CLOSE_PROTOCOL_ERROR = 1002,
  WS_CLOSE_TOO_BIG = 1009,
};

/* The longest header: 2 bytes, 8 of extended length, 4 of mask. */
#define WS_MAX_HEADER 14
/* Base64 of a SHA-1 (28 characters) and its NUL. */
#define WS_ACCEPT_LEN 29

struct ws_frame {
  bool fin;
  uint8_t opcode;
  bool masked;
  uint8_t mask[4];
  uint64_t length;     /* payload length */
  size_t header_len;   /* bytes before the payload */
};

/* Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)).
 * The key must be the base64 of 16 bytes (section 4.2.1). */
int ws_accept_key (const char *key, char out[WS_ACCEPT_LEN], struct husk_error **err);

/* Reads a frame header from buf.  Returns 1 when the header and the whole
 * payload (up to max_payload) are in buf, 0 when more bytes are needed, and
 * -1 with *err set on a protocol violation: reserved bits, an unknown
 * opcode, a fragmented or oversized control frame, a non-minimal length, a
 * payload above max_payload (errnum EMSGSIZE). */
int ws_frame_parse (const uint8_t *buf, size_t len, uint64_t max_payload, struct ws_frame *f,
                    struct husk_error **err);

/* XORs payload bytes with the mask; `offset` is the payload position of
 * p[0], so a payload can be unmasked in pieces. */
void ws_mask (uint8_t *p, size_t n, const uint8_t mask[4], uint64_t offset);

/* Writes a frame header; mask NULL for server frames (never masked).
 * Returns its length. */
size_t ws_frame_header (uint8_t out[WS_MAX_HEADER], bool fin, uint8_t opcode, uint64_t length,
                        const uint8_t *mask);

#endif

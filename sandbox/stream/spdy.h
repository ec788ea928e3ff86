/* SPDY/3.1 framing (draft-mbelshe-httpbis-spdy and the 3.1 amendments),
 * what Kubernetes' remotecommand speaks over an upgraded connection.  Frames
 * are parsed from and encoded into byte buffers; header blocks are in
 * spdy_zlib.h.  No I/O here. */
#ifndef HUSK_STREAM_SPDY_H
#define HUSK_STREAM_SPDY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../../oci/error.h"

#define SPDY_VERSION 3
#define SPDY_HEADER_LEN 8
#define SPDY_MAX_LENGTH 0xffffffu /* 24 bits */
#define SPDY_INITIAL_WINDOW 65536u

enum spdy_type {
  SPDY_DATA = 0, /* not a control frame */
  SPDY_SYN_STREAM = 1,
  SPDY_SYN_REPLY = 2,
  SPDY_RST_STREAM = 3,
  SPDY_SETTINGS = 4,
  SPDY_PING = 6,
  SPDY_GOAWAY = 7,
  SPDY_HEADERS = 8,
  SPDY_WINDOW_UPDATE = 9,
};

enum spdy_flags { SPDY_FLAG_FIN = 0x01, SPDY_FLAG_UNIDIRECTIONAL = 0x02 };

enum spdy_rst_status {
  SPDY_PROTOCOL_ERROR = 1,
  SPDY_INVALID_STREAM = 2,
  SPDY_REFUSED_STREAM = 3,
  SPDY_CANCEL = 5,
  SPDY_FLOW_CONTROL_ERROR = 7,
  SPDY_STREAM_IN_USE = 8,
  SPDY_STREAM_ALREADY_CLOSED = 9,
};

enum spdy_setting_id { SPDY_SETTINGS_INITIAL_WINDOW_SIZE = 7 };

struct spdy_frame {
  uint16_t type;      /* SPDY_DATA for data frames */
  uint8_t flags;
  uint32_t length;    /* of the payload after the 8 byte header */
  uint32_t stream_id; /* data frames, SYN_*, RST, HEADERS, WINDOW_UPDATE */
  const uint8_t *payload;
  /* decoded fields of the control frames that have them */
  uint32_t value;          /* RST/GOAWAY status, PING id, WINDOW_UPDATE delta */
  const uint8_t *headers;  /* SYN_STREAM/SYN_REPLY/HEADERS compressed block */
  size_t headers_len;
};

/* Parses one frame from buf.  1: a whole frame (its bytes are
 * SPDY_HEADER_LEN + f->length), 0: need more, -1: protocol error (a
 * version other than 3, a frame over max_length (errnum EMSGSIZE), a
 * control frame too short for its type). */
int spdy_frame_parse (const uint8_t *buf, size_t len, uint32_t max_length, struct spdy_frame *f,
                      struct husk_error **err);

/* Encoders: each writes a whole frame (header + fixed fields) into out and
 * returns its length.  For DATA and the frames with header blocks, the
 * payload/block of `length` bytes follows and is the caller's to append. */
size_t spdy_data_header (uint8_t out[SPDY_HEADER_LEN], uint32_t stream_id, uint8_t flags,
                         uint32_t length);
/* SYN_REPLY or HEADERS: 12 bytes, then the header block. */
size_t spdy_reply_header (uint8_t out[12], uint16_t type, uint32_t stream_id, uint8_t flags,
                          uint32_t block_len);
/* SYN_STREAM: 18 bytes, then the header block (for tests and clients). */
size_t spdy_syn_stream_header (uint8_t out[18], uint32_t stream_id, uint8_t flags,
                               uint32_t block_len);
size_t spdy_rst_stream (uint8_t out[16], uint32_t stream_id, uint32_t status);
size_t spdy_ping (uint8_t out[12], uint32_t id);
size_t spdy_goaway (uint8_t out[16], uint32_t last_stream_id, uint32_t status);
size_t spdy_window_update (uint8_t out[16], uint32_t stream_id, uint32_t delta);

/* Walks a SETTINGS payload: calls fn for each (id, value). */
int spdy_settings_each (const struct spdy_frame *f,
                        void (*fn) (void *arg, uint32_t id, uint32_t value), void *arg,
                        struct husk_error **err);

#endif

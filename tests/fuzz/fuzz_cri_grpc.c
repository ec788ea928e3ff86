/* The CRI server's input from outside: a gRPC request body (the 5 byte
 * length prefix, then the message) unframed as grpc_server.c does, its
 * message decoded by protoc-c's code as every CRI request type
 * cri_dispatch knows (the first input byte picks which), packed again and
 * decoded once more; plus a grpc-timeout header and grpc-message's
 * encoding.  The re-decode may refuse what protobuf-c's decoder let
 * through (it keeps unknown fields it cannot always re-emit), so only
 * memory errors count. */
#include "fuzz.h"
#include "cri_internal.h"
#include "grpc.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_error *err = NULL;
  const ProtobufCMessageDescriptor *desc;
  const uint8_t *msg;
  size_t len, n = 0;
  int code;

  if (size == 0)
    return 0;
  while (cri_request_descriptor (n))
    n++;
  desc = cri_request_descriptor (data[0] % n);
  cri_grpc_timeout_ns ((const char *) data + 1, size - 1 < 12 ? size - 1 : 12);
  {
    char *text = fuzz_text (data + 1, size - 1 < 256 ? size - 1 : 256);
    free (cri_grpc_percent_encode (text));
    free (text);
  }
  if (cri_grpc_unframe (data + 1, size - 1, &msg, &len, &code, &err) < 0)
    {
      husk_error_release (&err);
      msg = data + 1;
      len = size - 1;
    }
  ProtobufCMessage *m = protobuf_c_message_unpack (desc, NULL, len, msg);
  if (m == NULL)
    return 0;
  size_t packed = protobuf_c_message_get_packed_size (m);
  uint8_t *buf = malloc (packed ? packed : 1);
  if (buf == NULL)
    abort ();
  if (protobuf_c_message_pack (m, buf) != packed)
    abort ();
  ProtobufCMessage *again = protobuf_c_message_unpack (desc, NULL, packed, buf);
  if (again)
    protobuf_c_message_free_unpacked (again, NULL);
  protobuf_c_message_free_unpacked (m, NULL);
  free (buf);
  return 0;
}

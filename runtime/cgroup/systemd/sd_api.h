/* sd-bus, loaded when --systemd-cgroup is used and not before: linking
 * libsystemd would load it and its six libraries (gcrypt, lz4, zstd,
 * ...) into every husk process, ~1.5 ms per run on the CI machine, for a
 * driver most runs never touch.  Include after <systemd/sd-bus.h>; the
 * sd_bus_* names below then call through the table cg_sd_load() fills. */
#ifndef HUSK_RUNTIME_CGROUP_SYSTEMD_SD_API_H
#define HUSK_RUNTIME_CGROUP_SYSTEMD_SD_API_H

#include <systemd/sd-bus.h>

#include "../../../oci/error.h"

#define HUSK_SD_FUNCTIONS(X) \
  X (sd_bus_call) \
  X (sd_bus_call_method) \
  X (sd_bus_error_free) \
  X (sd_bus_error_get_errno) \
  X (sd_bus_error_has_name) \
  X (sd_bus_error_is_set) \
  X (sd_bus_flush_close_unref) \
  X (sd_bus_is_bus_client) \
  X (sd_bus_match_signal) \
  X (sd_bus_message_append) \
  X (sd_bus_message_append_array) \
  X (sd_bus_message_close_container) \
  X (sd_bus_message_new_method_call) \
  X (sd_bus_message_open_container) \
  X (sd_bus_message_read) \
  X (sd_bus_message_unref) \
  X (sd_bus_new) \
  X (sd_bus_process) \
  X (sd_bus_set_address) \
  X (sd_bus_set_bus_client) \
  X (sd_bus_slot_unref) \
  X (sd_bus_start) \
  X (sd_bus_unref) \
  X (sd_bus_wait) \

#define HUSK_SD_MEMBER(name) __typeof__ (name) *p_##name;
struct husk_sd_api
{
  HUSK_SD_FUNCTIONS (HUSK_SD_MEMBER)
};
#undef HUSK_SD_MEMBER

extern struct husk_sd_api husk_sd_api;

/* dlopen of libsystemd.so.0 and its symbols, once; an error names the
 * library and what the dynamic loader said. */
int cg_sd_load (struct husk_error **err);

#define sd_bus_call (husk_sd_api.p_sd_bus_call)
#define sd_bus_call_method (husk_sd_api.p_sd_bus_call_method)
#define sd_bus_error_free (husk_sd_api.p_sd_bus_error_free)
#define sd_bus_error_get_errno (husk_sd_api.p_sd_bus_error_get_errno)
#define sd_bus_error_has_name (husk_sd_api.p_sd_bus_error_has_name)
#define sd_bus_error_is_set (husk_sd_api.p_sd_bus_error_is_set)
#define sd_bus_flush_close_unref (husk_sd_api.p_sd_bus_flush_close_unref)
#define sd_bus_is_bus_client (husk_sd_api.p_sd_bus_is_bus_client)
#define sd_bus_match_signal (husk_sd_api.p_sd_bus_match_signal)
#define sd_bus_message_append (husk_sd_api.p_sd_bus_message_append)
#define sd_bus_message_append_array (husk_sd_api.p_sd_bus_message_append_array)
#define sd_bus_message_close_container (husk_sd_api.p_sd_bus_message_close_container)
#define sd_bus_message_new_method_call (husk_sd_api.p_sd_bus_message_new_method_call)
#define sd_bus_message_open_container (husk_sd_api.p_sd_bus_message_open_container)
#define sd_bus_message_read (husk_sd_api.p_sd_bus_message_read)
#define sd_bus_message_unref (husk_sd_api.p_sd_bus_message_unref)
#define sd_bus_new (husk_sd_api.p_sd_bus_new)
#define sd_bus_process (husk_sd_api.p_sd_bus_process)
#define sd_bus_set_address (husk_sd_api.p_sd_bus_set_address)
#define sd_bus_set_bus_client (husk_sd_api.p_sd_bus_set_bus_client)
#define sd_bus_slot_unref (husk_sd_api.p_sd_bus_slot_unref)
#define sd_bus_start (husk_sd_api.p_sd_bus_start)
#define sd_bus_unref (husk_sd_api.p_sd_bus_unref)
#define sd_bus_wait (husk_sd_api.p_sd_bus_wait)

#endif

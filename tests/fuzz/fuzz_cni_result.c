/* What CNI plugins answer and what a CNI configuration says: the input as
 * a plugin's result (the address picked, its error object) and as a
 * network configuration (list or single plugin) whose plugins' configs
 * are built with the input as the previous result and port mappings.
 * cni.c is included for its static parsers. */
#include "../../sandbox/network/cni.c"

#include "fuzz.h"

static void
as_config (yajl_val list)
{
  size_t n;
  yajl_val plugins = plugins_of (list, &n);
  for (size_t i = 0; i < n && i < 16; i++)
    {
      cleanup_free char *out = NULL;
      struct husk_error *err = NULL;
      size_t len;
      yajl_val plugin = plugin_at (list, plugins, i);
      plugin_type (plugin);
      if (plugin_config (list, plugin, list, list, &out, &len, &err) < 0)
        husk_error_release (&err);
      else if (strlen (out) != len)
        abort ();
    }
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  char *text = fuzz_text (data, size);
  struct husk_error *err = NULL;
  yajl_val v = NULL;

  if (plugin_error ("bridge", text, 256, &err) < 0)
    husk_error_release (&err);
  if (json_doc_parse ("fuzz.json", text, size, &v, &err) < 0)
    husk_error_release (&err);
  else
    {
      free (result_ip (v));
      as_config (v);
      yajl_tree_free (v);
    }
  free (text);
  return 0;
}

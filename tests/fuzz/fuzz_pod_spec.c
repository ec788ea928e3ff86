/* pod.json as the sandbox reads it (husk-pod up, huskd's stored pods):
 * parsed, containers and volumes looked up by name, quantities read. */
#include "fuzz.h"
#include "pod_spec.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  struct husk_error *err = NULL;
  struct pod_spec *pod = NULL;
  char *text = fuzz_text (data, size);
  int64_t milli;

  if (pod_spec_parse ("pod.json", text, size, &pod, &err) < 0)
    husk_error_release (&err);
  else
    {
      for (size_t i = 0; i < pod->containers_len; i++)
        pod_spec_find_container (pod, pod->containers[i].name);
      pod_spec_find_volume (pod, "data");
      pod_spec_free (pod);
    }
  pod_quantity_parse_milli (text, &milli);
  free (text);
  return 0;
}

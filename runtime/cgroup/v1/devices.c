/* v1 devices controller: deny everything, then replay the rules in order,
 * as runc's fs driver does. */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <string.h>

#include "v1.h"

int
cg_v1_devices_apply (const char *dir, const struct oci_resources *r, bool update,
                     struct husk_error **err)
{
  cleanup_free const struct oci_device_cgroup **rules = NULL;
  size_t len = 0;

  /* An update without device rules leaves the devices alone; a create
   * always gets the defaults (a container never sees the host's devices
   * just because its config did not list any). */
  if (update && (r == NULL || r->devices_len == 0))
    return 0;
  if (dir == NULL)
    return cg_v1_not_mounted ("devices", "linux.resources.devices", err);
  if (cg_device_rules (r, &rules, &len, err) < 0)
    return -1;
  /* each file opened once for all its rules (a dozen by default) */
  cleanup_free char *allow_path = cg_join (dir, "devices.allow");
  cleanup_free char *deny_path = cg_join (dir, "devices.deny");
  if (allow_path == NULL || deny_path == NULL)
    return husk_error_set (err, ENOMEM, "devices cgroup \"%s\"", dir);
  cleanup_close int allow = open (allow_path, O_WRONLY | O_CLOEXEC);
  if (allow < 0)
    return husk_error_set (err, errno, "open \"%s\"", allow_path);
  cleanup_close int deny = open (deny_path, O_WRONLY | O_CLOEXEC);
  if (deny < 0)
    return husk_error_set (err, errno, "open \"%s\"", deny_path);
  if (len == 0 && cg_write_fd (deny, deny_path, "a", err) < 0)
    return -1;
  for (size_t i = 0; i < len; i++)
    {
      cleanup_free char *rule = NULL;
      if (husk_cgroup_device_rule_string (rules[i], &rule, err) < 0)
        return husk_error_wrap (err, "linux.resources.devices[%zu]", i);
      /* deny all first; a config that starts so itself (the default
       * spec's first rule) does it with that rule */
      bool denies_all = !rules[i]->allow && strcmp (rule, "a *:* rwm") == 0;
      if (i == 0 && !denies_all && cg_write_fd (deny, deny_path, "a", err) < 0)
        return -1;
      if (cg_write_fd (rules[i]->allow ? allow : deny,
                       rules[i]->allow ? allow_path : deny_path, rule, err) < 0)
        return -1;
    }
  return 0;
}

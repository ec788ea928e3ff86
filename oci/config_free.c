/* Freeing the config tree.  Every free function accepts structs that a
 * failed parse left half filled (NULL entries inside arrays included). */
#include <stdlib.h>

#include "config_internal.h"

void
oci_strv_free (char **strv, size_t len)
{
  if (strv == NULL)
    return;
  for (size_t i = 0; i < len; i++)
    free (strv[i]);
  free (strv);
}

void
oci_map_clear (struct oci_map *map)
{
  oci_strv_free (map->keys, map->len);
  oci_strv_free (map->values, map->len);
  map->keys = map->values = NULL;
  map->len = 0;
}

static void
capabilities_free (struct oci_capabilities *c)
{
  if (c == NULL)
    return;
  oci_strv_free (c->bounding, c->bounding_len);
  oci_strv_free (c->effective, c->effective_len);
  oci_strv_free (c->inheritable, c->inheritable_len);
  oci_strv_free (c->permitted, c->permitted_len);
  oci_strv_free (c->ambient, c->ambient_len);
  free (c);
}

static void
scheduler_free (struct oci_scheduler *s)
{
  if (s == NULL)
    return;
  free (s->policy);
  oci_strv_free (s->flags, s->flags_len);
  free (s);
}

void
oci_process_free (struct oci_process *p)
{
  if (p == NULL)
    return;
  free (p->console_size);
  free (p->user.additional_gids);
  free (p->user.username);
  oci_strv_free (p->args, p->args_len);
  free (p->command_line);
  oci_strv_free (p->env, p->env_len);
  free (p->cwd);
  capabilities_free (p->capabilities);
  for (size_t i = 0; p->rlimits && i < p->rlimits_len; i++)
    free (p->rlimits[i].type);
  free (p->rlimits);
  free (p->apparmor_profile);
  scheduler_free (p->scheduler);
  free (p->selinux_label);
  if (p->io_priority)
    free (p->io_priority->class);
  free (p->io_priority);
  if (p->exec_cpu_affinity)
    {
      free (p->exec_cpu_affinity->initial);
      free (p->exec_cpu_affinity->final);
    }
  free (p->exec_cpu_affinity);
  free (p);
}

static void
block_io_free (struct oci_block_io *b)
{
  if (b == NULL)
    return;
  free (b->weight_device);
  free (b->throttle_read_bps_device);
  free (b->throttle_write_bps_device);
  free (b->throttle_read_iops_device);
  free (b->throttle_write_iops_device);
  free (b);
}

static void
network_free (struct oci_network *n)
{
  if (n == NULL)
    return;
  for (size_t i = 0; n->priorities && i < n->priorities_len; i++)
    free (n->priorities[i].name);
  free (n->priorities);
  free (n);
}

void
oci_resources_free (struct oci_resources *res)
{
  if (res == NULL)
    return;
  for (size_t i = 0; res->devices && i < res->devices_len; i++)
    {
      free (res->devices[i].type);
      free (res->devices[i].access);
    }
  free (res->devices);
  free (res->memory);
  if (res->cpu)
    {
      free (res->cpu->cpus);
      free (res->cpu->mems);
    }
  free (res->cpu);
  free (res->pids);
  block_io_free (res->block_io);
  for (size_t i = 0; res->hugepage_limits && i < res->hugepage_limits_len; i++)
    free (res->hugepage_limits[i].page_size);
  free (res->hugepage_limits);
  network_free (res->network);
  for (size_t i = 0; res->rdma && i < res->rdma_len; i++)
    free (res->rdma[i].device);
  free (res->rdma);
  oci_map_clear (&res->unified);
  free (res);
}

void
oci_seccomp_free (struct oci_seccomp *s)
{
  if (s == NULL)
    return;
  oci_strv_free (s->architectures, s->architectures_len);
  oci_strv_free (s->flags, s->flags_len);
  free (s->listener_path);
  free (s->listener_metadata);
  for (size_t i = 0; s->syscalls && i < s->syscalls_len; i++)
    {
      oci_strv_free (s->syscalls[i].names, s->syscalls[i].names_len);
      free (s->syscalls[i].args);
    }
  free (s->syscalls);
  free (s);
}

static void
linux_devices_free (struct oci_linux *l)
{
  for (size_t i = 0; l->devices && i < l->devices_len; i++)
    {
      free (l->devices[i].type);
      free (l->devices[i].path);
    }
  free (l->devices);
  for (size_t i = 0; l->net_devices && i < l->net_devices_len; i++)
    {
      free (l->net_devices[i].host_name);
      free (l->net_devices[i].name);
    }
  free (l->net_devices);
}

void
oci_linux_free (struct oci_linux *l)
{
  if (l == NULL)
    return;
  for (size_t i = 0; l->namespaces && i < l->namespaces_len; i++)
    free (l->namespaces[i].path);
  free (l->namespaces);
  free (l->uid_mappings);
  free (l->gid_mappings);
  linux_devices_free (l);
  free (l->cgroups_path);
  oci_resources_free (l->resources);
  if (l->intel_rdt)
    {
      free (l->intel_rdt->clos_id);
      free (l->intel_rdt->l3_cache_schema);
      free (l->intel_rdt->mem_bw_schema);
    }
  free (l->intel_rdt);
  oci_map_clear (&l->sysctl);
  oci_seccomp_free (l->seccomp);
  free (l->rootfs_propagation);
  oci_strv_free (l->masked_paths, l->masked_paths_len);
  oci_strv_free (l->readonly_paths, l->readonly_paths_len);
  free (l->mount_label);
  if (l->personality)
    {
      free (l->personality->domain);
      oci_strv_free (l->personality->flags, l->personality->flags_len);
    }
  free (l->personality);
  free (l);
}

static void
hook_list_clear (struct oci_hook_list *list)
{
  for (size_t i = 0; list->hooks && i < list->len; i++)
    {
      free (list->hooks[i].path);
      oci_strv_free (list->hooks[i].args, list->hooks[i].args_len);
      oci_strv_free (list->hooks[i].env, list->hooks[i].env_len);
    }
  free (list->hooks);
}

static void
mount_clear (struct oci_mount *m)
{
  free (m->destination);
  free (m->source);
  free (m->type);
  oci_strv_free (m->options, m->options_len);
  free (m->uid_mappings);
  free (m->gid_mappings);
}

void
oci_config_free (struct oci_config *c)
{
  if (c == NULL)
    return;
  free (c->oci_version);
  if (c->root)
    free (c->root->path);
  free (c->root);
  for (size_t i = 0; c->mounts && i < c->mounts_len; i++)
    mount_clear (&c->mounts[i]);
  free (c->mounts);
  oci_process_free (c->process);
  free (c->hostname);
  free (c->domainname);
  hook_list_clear (&c->hooks.prestart);
  hook_list_clear (&c->hooks.create_runtime);
  hook_list_clear (&c->hooks.create_container);
  hook_list_clear (&c->hooks.start_container);
  hook_list_clear (&c->hooks.poststart);
  hook_list_clear (&c->hooks.poststop);
  oci_map_clear (&c->annotations);
  oci_linux_free (c->linux_);
  free (c);
}

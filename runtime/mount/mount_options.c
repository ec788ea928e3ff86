/* The option-word table; see mount_options.h. */
#include "mount_options.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

#include "../../oci/cleanup.h"

enum word_kind { WORD_FLAG, WORD_PROPAGATION, WORD_REC_ATTR, WORD_EXTRA };

struct mount_word {
  const char *name;
  enum word_kind kind;
  bool clear; /* the word turns the bit off ("rw" clears MS_RDONLY) */
  unsigned long value;
};

static const struct mount_word mount_words[] = {
  { "defaults", WORD_FLAG, false, 0 },
  { "ro", WORD_FLAG, false, MS_RDONLY },
  { "rw", WORD_FLAG, true, MS_RDONLY },
  { "suid", WORD_FLAG, true, MS_NOSUID },
  { "nosuid", WORD_FLAG, false, MS_NOSUID },
  { "dev", WORD_FLAG, true, MS_NODEV },
  { "nodev", WORD_FLAG, false, MS_NODEV },
  { "exec", WORD_FLAG, true, MS_NOEXEC },
  { "noexec", WORD_FLAG, false, MS_NOEXEC },
  { "sync", WORD_FLAG, false, MS_SYNCHRONOUS },
  { "async", WORD_FLAG, true, MS_SYNCHRONOUS },
  { "dirsync", WORD_FLAG, false, MS_DIRSYNC },
  { "remount", WORD_FLAG, false, MS_REMOUNT },
  { "mand", WORD_FLAG, false, MS_MANDLOCK },
  { "nomand", WORD_FLAG, true, MS_MANDLOCK },
  { "atime", WORD_FLAG, true, MS_NOATIME },
  { "noatime", WORD_FLAG, false, MS_NOATIME },
  { "diratime", WORD_FLAG, true, MS_NODIRATIME },
  { "nodiratime", WORD_FLAG, false, MS_NODIRATIME },
  { "relatime", WORD_FLAG, false, MS_RELATIME },
  { "norelatime", WORD_FLAG, true, MS_RELATIME },
  { "strictatime", WORD_FLAG, false, MS_STRICTATIME },
  { "nostrictatime", WORD_FLAG, true, MS_STRICTATIME },
  { "lazytime", WORD_FLAG, false, MS_LAZYTIME },
  { "nolazytime", WORD_FLAG, true, MS_LAZYTIME },
  { "iversion", WORD_FLAG, false, MS_I_VERSION },
  { "noiversion", WORD_FLAG, true, MS_I_VERSION },
  { "acl", WORD_FLAG, false, MS_POSIXACL },
  { "noacl", WORD_FLAG, true, MS_POSIXACL },
  { "silent", WORD_FLAG, false, MS_SILENT },
  { "loud", WORD_FLAG, true, MS_SILENT },
  { "nosymfollow", WORD_FLAG, false, MS_NOSYMFOLLOW },
  { "symfollow", WORD_FLAG, true, MS_NOSYMFOLLOW },
  { "bind", WORD_FLAG, false, MS_BIND },
  { "rbind", WORD_FLAG, false, MS_BIND | MS_REC },

  { "private", WORD_PROPAGATION, false, MS_PRIVATE },
  { "rprivate", WORD_PROPAGATION, false, MS_PRIVATE | MS_REC },
  { "shared", WORD_PROPAGATION, false, MS_SHARED },
  { "rshared", WORD_PROPAGATION, false, MS_SHARED | MS_REC },
  { "slave", WORD_PROPAGATION, false, MS_SLAVE },
  { "rslave", WORD_PROPAGATION, false, MS_SLAVE | MS_REC },
  { "unbindable", WORD_PROPAGATION, false, MS_UNBINDABLE },
  { "runbindable", WORD_PROPAGATION, false, MS_UNBINDABLE | MS_REC },

  /* Recursive forms, applied with mount_setattr(AT_RECURSIVE) (Linux 5.12). */
  { "rro", WORD_REC_ATTR, false, MOUNT_ATTR_RDONLY },
  { "rrw", WORD_REC_ATTR, true, MOUNT_ATTR_RDONLY },
  { "rnosuid", WORD_REC_ATTR, false, MOUNT_ATTR_NOSUID },
  { "rsuid", WORD_REC_ATTR, true, MOUNT_ATTR_NOSUID },
  { "rnodev", WORD_REC_ATTR, false, MOUNT_ATTR_NODEV },
  { "rdev", WORD_REC_ATTR, true, MOUNT_ATTR_NODEV },
  { "rnoexec", WORD_REC_ATTR, false, MOUNT_ATTR_NOEXEC },
  { "rexec", WORD_REC_ATTR, true, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", WORD_REC_ATTR, false, MOUNT_ATTR_NODIRATIME },
  { "rdiratime", WORD_REC_ATTR, true, MOUNT_ATTR_NODIRATIME },
  { "rrelatime", WORD_REC_ATTR, false, MOUNT_ATTR_RELATIME },
  { "rnorelatime", WORD_REC_ATTR, true, MOUNT_ATTR_RELATIME },
  { "rnoatime", WORD_REC_ATTR, false, MOUNT_ATTR_NOATIME },
  { "ratime", WORD_REC_ATTR, true, MOUNT_ATTR_NOATIME },
  { "rstrictatime", WORD_REC_ATTR, false, MOUNT_ATTR_STRICTATIME },
  { "rnostrictatime", WORD_REC_ATTR, true, MOUNT_ATTR_STRICTATIME },
  { "rnosymfollow", WORD_REC_ATTR, false, MOUNT_ATTR_NOSYMFOLLOW },
  { "rsymfollow", WORD_REC_ATTR, true, MOUNT_ATTR_NOSYMFOLLOW },

  { "tmpcopyup", WORD_EXTRA, false, HUSK_MOUNT_TMPCOPYUP },
  { "idmap", WORD_EXTRA, false, HUSK_MOUNT_IDMAP },
  { "ridmap", WORD_EXTRA, false, HUSK_MOUNT_RIDMAP },
};

static const struct mount_word *
find_word (const char *name)
{
  for (size_t i = 0; i < sizeof mount_words / sizeof mount_words[0]; i++)
    if (strcmp (mount_words[i].name, name) == 0)
      return &mount_words[i];
  return NULL;
}

static void
apply_rec_attr (struct husk_mount_options *o, const struct mount_word *w)
{
  if (w->clear)
    {
      o->rec_attr_clr |= w->value;
      o->rec_attr_set &= ~(uint64_t) w->value;
      return;
    }
  o->rec_attr_set |= w->value;
  o->rec_attr_clr &= ~(uint64_t) w->value;
  /* The atime modes are one field: setting one clears the others. */
  if ((w->value & MOUNT_ATTR__ATIME) == w->value)
    o->rec_attr_clr |= MOUNT_ATTR__ATIME;
}

static int
apply_word (struct husk_mount_options *o, const struct mount_word *w, struct husk_error **err)
{
  switch (w->kind)
    {
    case WORD_FLAG:
      if (w->clear)
        o->flags &= ~w->value;
      else
        o->flags |= w->value;
      return 0;
    case WORD_PROPAGATION:
      if (o->propagation_len == HUSK_MOUNT_MAX_PROPAGATION)
        return husk_error_set (err, EINVAL, "more than %d propagation options",
                               HUSK_MOUNT_MAX_PROPAGATION);
      o->propagation[o->propagation_len++] = w->value;
      return 0;
    case WORD_REC_ATTR:
      apply_rec_attr (o, w);
      return 0;
    case WORD_EXTRA:
      o->extra |= w->value;
      return 0;
    }
  return 0;
}

static int
append_data (char **data, const char *word, struct husk_error **err)
{
  char *joined = NULL;
  int r = *data ? asprintf (&joined, "%s,%s", *data, word) : asprintf (&joined, "%s", word);
  if (r < 0)
    return husk_error_set (err, ENOMEM, "mount option `%s`", word);
  free (*data);
  *data = joined;
  return 0;
}

int
husk_mount_options_parse (char *const *words, size_t len, struct husk_mount_options *out,
                          struct husk_error **err)
{
  struct husk_mount_options o = { 0 };

  for (size_t i = 0; i < len; i++)
    {
      const struct mount_word *w = find_word (words[i]);
      int r = w ? apply_word (&o, w, err) : append_data (&o.data, words[i], err);
      if (r < 0)
        {
          husk_mount_options_release (&o);
          return r;
        }
    }
  *out = o;
  return 0;
}

void
husk_mount_options_release (struct husk_mount_options *opts)
{
  free (opts->data);
  opts->data = NULL;
}

bool
husk_mount_options_need_remount (const struct husk_mount_options *opts)
{
  return (opts->flags & MS_BIND)
         && (opts->flags & ~(unsigned long) (MS_BIND | MS_REC | MS_REMOUNT)) != 0;
}

unsigned long
husk_mount_options_remount_flags (const struct husk_mount_options *opts)
{
  return MS_REMOUNT | MS_BIND | (opts->flags & ~(unsigned long) (MS_REC | MS_BIND | MS_REMOUNT));
}

static const struct
{
  unsigned long flag;
  const char *name;
} flag_names[] = {
  { MS_RDONLY, "ro" },         { MS_NOSUID, "nosuid" },
  { MS_NODEV, "nodev" },       { MS_NOEXEC, "noexec" },
  { MS_SYNCHRONOUS, "sync" },  { MS_REMOUNT, "remount" },
  { MS_MANDLOCK, "mand" },     { MS_DIRSYNC, "dirsync" },
  { MS_NOSYMFOLLOW, "nosymfollow" }, { MS_NOATIME, "noatime" },
  { MS_NODIRATIME, "nodiratime" }, { MS_BIND, "bind" },
  { MS_MOVE, "move" },         { MS_REC, "rec" },
  { MS_SILENT, "silent" },     { MS_POSIXACL, "acl" },
  { MS_UNBINDABLE, "unbindable" }, { MS_PRIVATE, "private" },
  { MS_SLAVE, "slave" },       { MS_SHARED, "shared" },
  { MS_RELATIME, "relatime" }, { MS_I_VERSION, "iversion" },
  { MS_STRICTATIME, "strictatime" }, { MS_LAZYTIME, "lazytime" },
};

const char *
husk_mount_flags_name (unsigned long flags, char *buf, size_t size)
{
  size_t used = 0;

  if (size == 0)
    return buf;
  buf[0] = '\0';
  for (size_t i = 0; i < sizeof flag_names / sizeof flag_names[0]; i++)
    {
      if (!(flags & flag_names[i].flag))
        continue;
      flags &= ~flag_names[i].flag;
      int n = snprintf (buf + used, size - used, "%s%s", used ? "|" : "", flag_names[i].name);
      if (n < 0 || (size_t) n >= size - used)
        return buf;
      used += n;
    }
  if (flags)
    snprintf (buf + used, size - used, "%s%#lx", used ? "|" : "", flags);
  else if (used == 0)
    snprintf (buf, size, "none");
  return buf;
}

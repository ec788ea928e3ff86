/* The mount option word table: every word, unknown words into the data
 * string, and the bind + ro remount rule. */
#include <errno.h>
#include <stdlib.h>
#include <sys/mount.h>

#include "mount_options.h"
#include "tap.h"

static struct husk_mount_options
parse (char **words, size_t len)
{
  struct husk_mount_options o;
  struct husk_error *err = NULL;
  if (husk_mount_options_parse (words, len, &o, &err) < 0)
    {
      ok (false, "parse failed: %s", err->message);
      husk_error_release (&err);
      return (struct husk_mount_options){ 0 };
    }
  return o;
}

static struct husk_mount_options
parse1 (const char *word)
{
  char *words[] = { (char *) word };
  return parse (words, 1);
}

static const struct
{
  const char *word;
  unsigned long set;   /* flags after the word alone */
  unsigned long clear; /* flags the word removes from "everything" */
} flag_words[] = {
  { "ro", MS_RDONLY, 0 }, { "rw", 0, MS_RDONLY },
  { "nosuid", MS_NOSUID, 0 }, { "suid", 0, MS_NOSUID },
  { "nodev", MS_NODEV, 0 }, { "dev", 0, MS_NODEV },
  { "noexec", MS_NOEXEC, 0 }, { "exec", 0, MS_NOEXEC },
  { "sync", MS_SYNCHRONOUS, 0 }, { "async", 0, MS_SYNCHRONOUS },
  { "dirsync", MS_DIRSYNC, 0 }, { "remount", MS_REMOUNT, 0 },
  { "mand", MS_MANDLOCK, 0 }, { "nomand", 0, MS_MANDLOCK },
  { "noatime", MS_NOATIME, 0 }, { "atime", 0, MS_NOATIME },
  { "nodiratime", MS_NODIRATIME, 0 }, { "diratime", 0, MS_NODIRATIME },
  { "relatime", MS_RELATIME, 0 }, { "norelatime", 0, MS_RELATIME },
  { "strictatime", MS_STRICTATIME, 0 }, { "nostrictatime", 0, MS_STRICTATIME },
  { "lazytime", MS_LAZYTIME, 0 }, { "nolazytime", 0, MS_LAZYTIME },
  { "iversion", MS_I_VERSION, 0 }, { "noiversion", 0, MS_I_VERSION },
  { "acl", MS_POSIXACL, 0 }, { "noacl", 0, MS_POSIXACL },
  { "silent", MS_SILENT, 0 }, { "loud", 0, MS_SILENT },
  { "nosymfollow", MS_NOSYMFOLLOW, 0 }, { "symfollow", 0, MS_NOSYMFOLLOW },
  { "bind", MS_BIND, 0 }, { "rbind", MS_BIND | MS_REC, 0 },
  { "defaults", 0, 0 },
};

static void
test_flag_words (void)
{
  for (size_t i = 0; i < sizeof flag_words / sizeof flag_words[0]; i++)
    {
      struct husk_mount_options o = parse1 (flag_words[i].word);
      is_int (o.flags, flag_words[i].set, "%s sets its flag", flag_words[i].word);
      ok (o.data == NULL && o.propagation_len == 0, "%s is not data", flag_words[i].word);
      husk_mount_options_release (&o);
      if (flag_words[i].clear == 0)
        continue;
      /* "nosuid,suid": the later word wins. */
      char *words[2] = { NULL, (char *) flag_words[i].word };
      for (size_t j = 0; j < sizeof flag_words / sizeof flag_words[0]; j++)
        if (flag_words[j].set == flag_words[i].clear)
          words[0] = (char *) flag_words[j].word;
      o = parse (words, 2);
      is_int (o.flags, 0, "%s,%s clears", words[0], words[1]);
      husk_mount_options_release (&o);
    }
}

static const struct
{
  const char *word;
  unsigned long flag;
} propagation_words[] = {
  { "private", MS_PRIVATE },       { "rprivate", MS_PRIVATE | MS_REC },
  { "shared", MS_SHARED },         { "rshared", MS_SHARED | MS_REC },
  { "slave", MS_SLAVE },           { "rslave", MS_SLAVE | MS_REC },
  { "unbindable", MS_UNBINDABLE }, { "runbindable", MS_UNBINDABLE | MS_REC },
};

static void
test_propagation_words (void)
{
  for (size_t i = 0; i < sizeof propagation_words / sizeof propagation_words[0]; i++)
    {
      struct husk_mount_options o = parse1 (propagation_words[i].word);
      ok (o.flags == 0 && o.propagation_len == 1
              && o.propagation[0] == propagation_words[i].flag,
          "%s is a propagation change after the mount", propagation_words[i].word);
      husk_mount_options_release (&o);
    }
  char *words[] = { "rbind", "rprivate", "ro", "shared" };
  struct husk_mount_options o = parse (words, 4);
  ok (o.propagation_len == 2 && o.propagation[0] == (MS_PRIVATE | MS_REC)
          && o.propagation[1] == MS_SHARED,
      "propagation words keep their order");
  is_int (o.flags, MS_BIND | MS_REC | MS_RDONLY, "and do not leak into the flags");
  husk_mount_options_release (&o);
}

static const struct
{
  const char *word;
  uint64_t set, clr;
} rec_words[] = {
  { "rro", MOUNT_ATTR_RDONLY, 0 },        { "rrw", 0, MOUNT_ATTR_RDONLY },
  { "rnosuid", MOUNT_ATTR_NOSUID, 0 },    { "rsuid", 0, MOUNT_ATTR_NOSUID },
  { "rnodev", MOUNT_ATTR_NODEV, 0 },      { "rdev", 0, MOUNT_ATTR_NODEV },
  { "rnoexec", MOUNT_ATTR_NOEXEC, 0 },    { "rexec", 0, MOUNT_ATTR_NOEXEC },
  { "rnodiratime", MOUNT_ATTR_NODIRATIME, 0 }, { "rdiratime", 0, MOUNT_ATTR_NODIRATIME },
  { "rrelatime", MOUNT_ATTR_RELATIME, MOUNT_ATTR__ATIME }, { "rnorelatime", 0, MOUNT_ATTR_RELATIME },
  { "rnoatime", MOUNT_ATTR_NOATIME, MOUNT_ATTR__ATIME }, { "ratime", 0, MOUNT_ATTR_NOATIME },
  { "rstrictatime", MOUNT_ATTR_STRICTATIME, MOUNT_ATTR__ATIME },
  { "rnostrictatime", 0, MOUNT_ATTR_STRICTATIME },
  { "rnosymfollow", MOUNT_ATTR_NOSYMFOLLOW, 0 }, { "rsymfollow", 0, MOUNT_ATTR_NOSYMFOLLOW },
};

static void
test_recursive_words (void)
{
  for (size_t i = 0; i < sizeof rec_words / sizeof rec_words[0]; i++)
    {
      struct husk_mount_options o = parse1 (rec_words[i].word);
      ok (o.flags == 0 && o.rec_attr_set == rec_words[i].set && o.rec_attr_clr == rec_words[i].clr
              && o.data == NULL,
          "%s is a recursive mount_setattr attribute", rec_words[i].word);
      husk_mount_options_release (&o);
    }
}

static void
test_extra_words (void)
{
  struct husk_mount_options o = parse1 ("tmpcopyup");
  ok (o.extra == HUSK_MOUNT_TMPCOPYUP && o.data == NULL && o.flags == 0, "tmpcopyup is ours");
  husk_mount_options_release (&o);
  o = parse1 ("idmap");
  ok (o.extra == HUSK_MOUNT_IDMAP && o.data == NULL, "idmap is ours");
  husk_mount_options_release (&o);
  o = parse1 ("ridmap");
  ok (o.extra == HUSK_MOUNT_RIDMAP && o.data == NULL, "ridmap is ours");
  husk_mount_options_release (&o);
}

static void
test_data (void)
{
  char *words[] = { "nosuid", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5", "noexec" };
  struct husk_mount_options o = parse (words, 6);
  is_str (o.data, "newinstance,ptmxmode=0666,mode=0620,gid=5", "unknown words go to data in order");
  is_int (o.flags, MS_NOSUID | MS_NOEXEC, "known words are flags");
  husk_mount_options_release (&o);

  o = parse (NULL, 0);
  ok (o.data == NULL && o.flags == 0, "no words: nothing");
  husk_mount_options_release (&o);

  o = parse1 ("size=65536k");
  is_str (o.data, "size=65536k", "one data word");
  husk_mount_options_release (&o);
}

static void
test_remount (void)
{
  char *ro_bind[] = { "bind", "ro" };
  struct husk_mount_options o = parse (ro_bind, 2);
  ok (husk_mount_options_need_remount (&o), "bind,ro needs a remount");
  is_int (husk_mount_options_remount_flags (&o), MS_REMOUNT | MS_BIND | MS_RDONLY,
          "remounted with MS_REMOUNT|MS_BIND|MS_RDONLY");
  husk_mount_options_release (&o);

  char *rbind_nosuid[] = { "rbind", "nosuid", "rprivate" };
  o = parse (rbind_nosuid, 3);
  ok (husk_mount_options_need_remount (&o), "rbind,nosuid needs a remount");
  is_int (husk_mount_options_remount_flags (&o), MS_REMOUNT | MS_BIND | MS_NOSUID,
          "without MS_REC or propagation");
  husk_mount_options_release (&o);

  char *plain_bind[] = { "rbind", "rw", "rprivate" };
  o = parse (plain_bind, 3);
  ok (!husk_mount_options_need_remount (&o), "rbind,rw needs no remount");
  husk_mount_options_release (&o);

  o = parse1 ("ro");
  ok (!husk_mount_options_need_remount (&o), "ro without bind needs no remount");
  husk_mount_options_release (&o);
}

static void
test_too_many_propagation (void)
{
  char *words[HUSK_MOUNT_MAX_PROPAGATION + 1];
  for (size_t i = 0; i < HUSK_MOUNT_MAX_PROPAGATION + 1; i++)
    words[i] = "private";
  struct husk_mount_options o;
  struct husk_error *err = NULL;
  is_int (husk_mount_options_parse (words, HUSK_MOUNT_MAX_PROPAGATION + 1, &o, &err), -1,
          "too many propagation words fail");
  ok (err && err->errnum == EINVAL, "with EINVAL");
  husk_error_release (&err);
}

static void
test_flag_names (void)
{
  char buf[128];
  is_str (husk_mount_flags_name (MS_NOSUID | MS_NODEV | MS_NOEXEC, buf, sizeof buf),
          "nosuid|nodev|noexec", "flags by name");
  is_str (husk_mount_flags_name (0, buf, sizeof buf), "none", "no flags");
  is_str (husk_mount_flags_name (MS_BIND | MS_REC | MS_RDONLY, buf, sizeof buf), "ro|bind|rec",
          "bind flags by name");
  is_str (husk_mount_flags_name (MS_NOSUID, buf, 4), "nos", "truncated, still terminated");
}

int
main (void)
{
  test_flag_words ();
  test_propagation_words ();
  test_recursive_words ();
  test_extra_words ();
  test_data ();
  test_remount ();
  test_too_many_propagation ();
  test_flag_names ();
  return tap_done ();
}

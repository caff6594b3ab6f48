/* SPDX-License-Identifier: MIT */
/* dirscan.h: has a migrations directory changed? A stat snapshot. */
#ifndef MIGRATED_DIRSCAN_H
#define MIGRATED_DIRSCAN_H

#include <sys/types.h>
#include <sys/stat.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "xmalloc.h"

/*
 * What the loader reads of a directory: each migration entry's name,
 * inode, size, mode, mtime and ctime, in readdir order. An unchanged
 * directory reads back in the same order, so comparing needs no sort and
 * stops at the first difference; a file rewritten in place changes its
 * mtime and ctime, one replaced by rename its inode.
 */
struct dirscan_ent {
	ino_t ino;
	off_t size;
	mode_t mode;
	struct timespec mtime, ctime;
	size_t name;		/* offset in names */
};

struct dirscan {
	struct dirscan_ent *v;
	size_t n, cap;
	char *names;
	size_t names_len, names_cap;
	int err;		/* the directory could not be read: -errno */
	int64_t horizon;	/* changed at or after it (ns): racy */
	bool racy;		/* an entry changed just before the snapshot */
	bool links;		/* an entry is a symbolic link (or may be) */
};

/*
 * File times come from a coarse clock (a few ms): a file written again
 * within the same tick as the snapshot could look unchanged. As git does
 * with its index, an entry changed less than this before the snapshot
 * makes it "racy", and a racy snapshot is never the same: the next check
 * reloads and compares contents.
 */
#define DIRSCAN_RACY_NS (50 * 1000 * 1000)

/*
 * An inotify watch on a directory, to skip the scan: while it reports no
 * event and the path still names the watched directory, nothing changed.
 * It cannot vouch (dirnotify_quiet() is false) on a filesystem whose
 * changes may come from elsewhere (NFS, FUSE...), after an overflow, or
 * once the directory is gone or replaced (then it watches the new one).
 * Symbolic links in the directory are the caller's concern (s->links).
 */
struct dirnotify {
	int fd;			/* -1: none */
	int wd;			/* -1: not watching */
	dev_t dev;		/* the watched directory */
	ino_t ino;
	bool local;		/* a filesystem that reports every change */
	char *dir;
};

#define DIRNOTIFY_INIT { .fd = -1, .wd = -1 }

/* Watch dir (n from DIRNOTIFY_INIT); 0, or -errno (then never quiet). */
int dirnotify_open(struct dirnotify *n, const char *dir) MIG_MUSTCHECK;
/*
 * Read every queued event: true if there was one (or the watch was lost,
 * then it is set up again). Use it when the fd polls readable.
 */
bool dirnotify_drain(struct dirnotify *n);
/* Drain; true if no event came and the watch can vouch for the path. */
bool dirnotify_quiet(struct dirnotify *n);
void dirnotify_close(struct dirnotify *n);

/* Snapshot dir into s (cleared first). Returns 0, or s->err. */
int dirscan_take(const char *dir, struct dirscan *s);
/*
 * The same snapshot made by a reader of the directory from its own
 * readdir() and fstat() (the loader: a stat per file saved): start (clears
 * s; what changes from now on is racy), put each migration entry in readdir
 * order (st NULL: not known yet, all zeros), set its stat once known,
 * end with 0 or the -errno of reading the directory (returned).
 */
void dirscan_start(struct dirscan *s);
size_t dirscan_put(struct dirscan *s, const char *name, const struct stat *st,
    bool link);
void dirscan_set(struct dirscan *s, size_t i, const struct stat *st);
int dirscan_end(struct dirscan *s, int err);
/* Does dir read as s says? A snapshot with err or racy is never the same. */
bool dirscan_same(const char *dir, const struct dirscan *s);
void dirscan_clear(struct dirscan *s);

#endif

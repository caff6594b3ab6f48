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
	/*
	 * An entry whose changes the directory's inotify watch may not
	 * report: not a regular file, more than one link (written through
	 * another directory), or never stat-ed.
	 */
	bool opaque;
	uint32_t *idx;		/* by name (dirscan_find), built on first use */
	size_t idx_mask;
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
 * An inotify watch on a directory, to scan less: it keeps the names of the
 * migration entries (migfile_wanted()) that events reported since the last
 * dirnotify_forget(); if a snapshot matched the directory then, only those
 * can differ now, and a stat of each tells. It cannot tell (a full scan
 * must) on a filesystem whose changes may come from elsewhere (NFS,
 * FUSE...), after an overflow, an event on the directory itself, more
 * names than it keeps, or once the directory is gone or replaced (then it
 * watches the new one); nor for a snapshot with symbolic links or entries
 * the watch may not see change (s->links, s->opaque).
 */
#define DIRNOTIFY_NAMES_MAX 4096	/* distinct names kept, then a scan */
#define DIRNOTIFY_BYTES_MAX (256 * 1024)	/* ... and their bytes */

struct dirnotify {
	int fd;			/* -1: none */
	int wd;			/* -1: not watching */
	dev_t dev;		/* the watched directory */
	ino_t ino;
	bool local;		/* a filesystem that reports every change */
	bool all;		/* names cannot tell (until forgotten) */
	char *dir;
	/* the names reported since dirnotify_forget(), NUL-separated */
	char *names;
	size_t names_len, names_cap, nnames;
	uint32_t *slot;		/* open addressing: offset in names + 1 */
};

#define DIRNOTIFY_INIT { .fd = -1, .wd = -1 }

/* Watch dir (n from DIRNOTIFY_INIT); 0, or -errno (then it cannot tell). */
int dirnotify_open(struct dirnotify *n, const char *dir) MIG_MUSTCHECK;
/*
 * Read every queued event and keep what it says: true if one concerns a
 * migration entry or the directory itself (if the watch was lost, it is
 * set up again). Use it when the fd polls readable.
 */
bool dirnotify_drain(struct dirnotify *n);
/*
 * Drain, then: does the directory still read as s says, if it did at the
 * last dirnotify_forget() (or dirnotify_open())? 1: yes; 0: no, as
 * dirscan_same() would say; -1: the events cannot tell, scan.
 */
int dirnotify_same(struct dirnotify *n, struct dirscan *s);
/*
 * Drop the names kept so far: once the snapshots the caller relies on
 * were compared with the directory after the last drain, or before it
 * takes a new one.
 */
void dirnotify_forget(struct dirnotify *n);
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
/* The entry's stat is the one st says (its name aside). */
bool dirscan_ent_same(const struct dirscan_ent *e, const struct stat *st);
/* The index of name's entry, or -1 (once the snapshot is complete). */
ssize_t dirscan_find(struct dirscan *s, const char *name);
uint32_t dirscan_hash(const char *name, size_t len);
void dirscan_clear(struct dirscan *s);

#endif

/* SPDX-License-Identifier: MIT */
/* dirscan.c: has a migrations directory changed? A stat snapshot. */
#include "config.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dirscan.h"
#include "migfile.h"

/*
 * The migration entries of d, one at a time: 1 and *st, 0 at the end.
 * *link: the entry is a symbolic link, or its type is not known.
 */
static int
dirscan_next(DIR *d, const char **name, struct stat *st, bool *link)
{
	struct dirent *de;

	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			return errno != 0 ? -errno : 0;
		if (!migfile_wanted(de->d_name))
			continue;
		/* gone, or a bad link: all zeros */
		if (fstatat(dirfd(d), de->d_name, st, 0) < 0)
			memset(st, 0, sizeof *st);
		*name = de->d_name;
		*link = de->d_type == DT_LNK || de->d_type == DT_UNKNOWN;
		return 1;
	}
}

static bool
dirscan_ts_eq(const struct timespec *a, const struct timespec *b)
{
	return a->tv_sec == b->tv_sec && a->tv_nsec == b->tv_nsec;
}

static bool
dirscan_ent_eq(const struct dirscan *s, const struct dirscan_ent *e,
    const char *name, const struct stat *st)
{
	return e->ino == st->st_ino && e->size == st->st_size &&
	    e->mode == st->st_mode && dirscan_ts_eq(&e->mtime, &st->st_mtim) &&
	    dirscan_ts_eq(&e->ctime, &st->st_ctim) &&
	    strcmp(s->names + e->name, name) == 0;
}

static void
dirscan_add(struct dirscan *s, const char *name, const struct stat *st)
{
	size_t len = strlen(name) + 1;
	struct dirscan_ent *e;

	if (s->n == s->cap) {
		s->cap = s->cap != 0 ? s->cap * 2 : 64;
		s->v = xreallocarray(s->v, s->cap, sizeof *s->v);
	}
	while (s->names_len + len > s->names_cap) {
		s->names_cap = s->names_cap != 0 ? s->names_cap * 2 : 4096;
		s->names = xreallocarray(s->names, s->names_cap, 1);
	}
	e = &s->v[s->n++];
	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mode = st->st_mode;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
	e->name = s->names_len;
	memcpy(s->names + s->names_len, name, len);
	s->names_len += len;
}

static int64_t
dirscan_ns(const struct timespec *ts)
{
	return (int64_t)ts->tv_sec * 1000000000 + ts->tv_nsec;
}

void
dirscan_start(struct dirscan *s)
{
	struct timespec now;

	dirscan_clear(s);
	clock_gettime(CLOCK_REALTIME, &now);
	s->horizon = dirscan_ns(&now) - DIRSCAN_RACY_NS;
}

size_t
dirscan_put(struct dirscan *s, const char *name, const struct stat *st,
    bool link)
{
	struct stat zero;

	if (st == NULL) {
		memset(&zero, 0, sizeof zero);
		st = &zero;
	}
	dirscan_add(s, name, st);
	s->links |= link;
	return s->n - 1;
}

void
dirscan_set(struct dirscan *s, size_t i, const struct stat *st)
{
	struct dirscan_ent *e = &s->v[i];

	e->ino = st->st_ino;
	e->size = st->st_size;
	e->mode = st->st_mode;
	e->mtime = st->st_mtim;
	e->ctime = st->st_ctim;
}

int
dirscan_end(struct dirscan *s, int err)
{
	size_t i;

	for (i = 0; i < s->n; i++)
		if (dirscan_ns(&s->v[i].mtime) >= s->horizon ||
		    dirscan_ns(&s->v[i].ctime) >= s->horizon)
			s->racy = true;
	/* Kept as long as the set: no room to grow (up to half of it). */
	if (s->n > 0 && s->n < s->cap) {
		s->v = xreallocarray(s->v, s->n, sizeof *s->v);
		s->cap = s->n;
	}
	if (s->names_len > 0 && s->names_len < s->names_cap) {
		s->names = xreallocarray(s->names, s->names_len, 1);
		s->names_cap = s->names_len;
	}
	return s->err = err;
}

int
dirscan_take(const char *dir, struct dirscan *s)
{
	const char *name;
	struct stat st;
	bool link;
	DIR *d;
	int r;

	dirscan_start(s);
	if ((d = opendir(dir)) == NULL)
		return dirscan_end(s, -errno);
	while ((r = dirscan_next(d, &name, &st, &link)) > 0)
		(void)dirscan_put(s, name, &st, link);
	closedir(d);
	return dirscan_end(s, r);
}

bool
dirscan_same(const char *dir, const struct dirscan *s)
{
	const char *name;
	struct stat st;
	size_t i = 0;
	bool same = s->err == 0 && !s->racy, link;
	DIR *d;
	int r;

	if (!same || (d = opendir(dir)) == NULL)
		return false;
	while (same && (r = dirscan_next(d, &name, &st, &link)) > 0)
		same = i < s->n && dirscan_ent_eq(s, &s->v[i++], name, &st);
	closedir(d);
	return same && r == 0 && i == s->n;
}

/* Filesystems whose changes all go through this kernel. */
static bool
dirnotify_local_fs(const char *dir)
{
	static const long local[] = {
		0xEF53,		/* ext2/3/4 */
		0x58465342,	/* xfs */
		0x9123683E,	/* btrfs */
		0x01021994,	/* tmpfs */
		0x794c7630,	/* overlayfs */
		0xF2F52010,	/* f2fs */
		0x2fc12fc1,	/* zfs */
	};
	struct statfs sf;
	size_t i;

	if (statfs(dir, &sf) < 0)
		return false;
	for (i = 0; i < sizeof local / sizeof local[0]; i++)
		if ((long)sf.f_type == local[i])
			return true;
	return false;
}

/* (Re)watch the directory the path names now. */
static int
dirnotify_add(struct dirnotify *n)
{
	const uint32_t mask = IN_CLOSE_WRITE | IN_MODIFY | IN_MOVED_TO |
	    IN_MOVED_FROM | IN_CREATE | IN_DELETE | IN_ATTRIB |
	    IN_DELETE_SELF | IN_MOVE_SELF;
	struct stat st;

	if (n->wd >= 0)
		(void)inotify_rm_watch(n->fd, n->wd);
	n->wd = -1;
	if (stat(n->dir, &st) < 0 ||
	    (n->wd = inotify_add_watch(n->fd, n->dir, mask)) < 0)
		return -errno;
	n->dev = st.st_dev;
	n->ino = st.st_ino;
	n->local = dirnotify_local_fs(n->dir);
	return 0;
}

int
dirnotify_open(struct dirnotify *n, const char *dir)
{
	n->wd = -1;
	n->dir = xstrdup(dir);
	if ((n->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) < 0)
		return -errno;
	return dirnotify_add(n);
}

bool
dirnotify_drain(struct dirnotify *n)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	bool any = false, lost = false;
	ssize_t r, off;

	if (n->fd < 0)
		return true;
	while ((r = read(n->fd, buf, sizeof buf)) > 0) {
		for (off = 0; off < r; off += (ssize_t)sizeof *ev + ev->len) {
			/* buf is aligned and the kernel pads each name */
			ev = (const struct inotify_event *)(const void *)(buf +
			    off);
			/* the last words of a watch replaced before */
			if (ev->wd != n->wd && !(ev->mask & IN_Q_OVERFLOW))
				continue;
			any = true;
			if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED |
			    IN_DELETE_SELF | IN_MOVE_SELF))
				lost = true;
		}
	}
	if (lost)
		(void)dirnotify_add(n);
	return any;
}

bool
dirnotify_quiet(struct dirnotify *n)
{
	struct stat st;

	if (dirnotify_drain(n) || n->wd < 0 || !n->local)
		return false;
	/* the path may name another directory now (a symlink swapped) */
	if (stat(n->dir, &st) < 0 || st.st_dev != n->dev ||
	    st.st_ino != n->ino) {
		(void)dirnotify_add(n);
		return false;
	}
	return true;
}

void
dirnotify_close(struct dirnotify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	free(n->dir);
	n->fd = n->wd = -1;
	n->dir = NULL;
}

void
dirscan_clear(struct dirscan *s)
{
	free(s->v);
	free(s->names);
	memset(s, 0, sizeof *s);
}

/* SPDX-License-Identifier: MIT */
/*
 * dirnotify.c: what inotify says changed in a migrations directory, so
 * that a check stats the entries it names instead of every file.
 */
#include "config.h"

#include <sys/inotify.h>
#include <sys/stat.h>
#include <sys/vfs.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dirscan.h"
#include "migfile.h"

#define DIRNOTIFY_SLOTS (2 * DIRNOTIFY_NAMES_MAX)	/* a power of 2 */

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

/*
 * Keep a reported name (an event's, padded with NULs: len is its
 * length). Past the bounds, or for a name without its NUL, a scan.
 */
static void
dirnotify_note(struct dirnotify *n, const char *name, size_t len)
{
	size_t i, k;

	if (n->all)
		return;
	if (len == 0 || name[len - 1] != '\0') {
		n->all = true;
		return;
	}
	if (!migfile_wanted(name))	/* the loader skips it too */
		return;
	len = strlen(name) + 1;
	if (n->slot == NULL)
		n->slot = xcalloc(DIRNOTIFY_SLOTS, sizeof *n->slot);
	for (i = dirscan_hash(name, len - 1) & (DIRNOTIFY_SLOTS - 1);
	    (k = n->slot[i]) != 0; i = (i + 1) & (DIRNOTIFY_SLOTS - 1))
		if (strcmp(n->names + k - 1, name) == 0)
			return;
	if (n->nnames == DIRNOTIFY_NAMES_MAX ||
	    n->names_len + len > DIRNOTIFY_BYTES_MAX) {
		n->all = true;
		return;
	}
	while (n->names_len + len > n->names_cap) {
		n->names_cap = n->names_cap != 0 ? n->names_cap * 2 : 1024;
		n->names = xreallocarray(n->names, n->names_cap, 1);
	}
	memcpy(n->names + n->names_len, name, len);
	n->slot[i] = (uint32_t)n->names_len + 1;
	n->names_len += len;
	n->nnames++;
}

bool
dirnotify_drain(struct dirnotify *n)
{
	char buf[4096]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	bool any = false, lost = false;
	size_t had;
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
			had = n->nnames;
			if (ev->mask & (IN_Q_OVERFLOW | IN_IGNORED |
			    IN_DELETE_SELF | IN_MOVE_SELF))
				lost = n->all = true;
			else	/* no name: the directory itself */
				dirnotify_note(n, ev->name, ev->len);
			any |= n->all || n->nnames != had;
		}
	}
	if (lost)
		(void)dirnotify_add(n);
	return any;
}

/*
 * The path still names the watched directory? With fd, open it there (a
 * symbolic link may have been swapped); if not, watch the new one.
 */
static bool
dirnotify_vouch(struct dirnotify *n, int *fd)
{
	struct stat st;
	int r = -1;

	if (fd != NULL) {
		if ((*fd = open(n->dir, O_RDONLY | O_DIRECTORY |
		    O_CLOEXEC)) >= 0)
			r = fstat(*fd, &st);
	} else
		r = stat(n->dir, &st);
	if (r == 0 && st.st_dev == n->dev && st.st_ino == n->ino)
		return true;
	if (fd != NULL && *fd >= 0)
		close(*fd);
	n->all = true;
	(void)dirnotify_add(n);
	return false;
}

/* Each kept name, stat-ed in the open directory fd, is as s says? */
static int
dirnotify_same_names(const struct dirnotify *n, int fd, struct dirscan *s)
{
	const char *name;
	struct stat st;
	size_t off;
	ssize_t k;

	for (off = 0; off < n->names_len; off += strlen(name) + 1) {
		name = n->names + off;
		k = dirscan_find(s, name);
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT)
				return -1;
			if (k >= 0)		/* removed */
				return 0;
		} else if (S_ISLNK(st.st_mode))	/* the scan follows it */
			return -1;
		else if (k < 0 || !dirscan_ent_same(&s->v[k], &st))
			return 0;
	}
	return 1;
}

int
dirnotify_same(struct dirnotify *n, struct dirscan *s)
{
	int fd, r;

	(void)dirnotify_drain(n);
	if (n->wd < 0 || !n->local || n->all || s->links || s->opaque)
		return -1;
	if (s->err != 0 || s->racy)
		return 0;
	if (n->nnames == 0)
		return dirnotify_vouch(n, NULL) ? 1 : -1;
	if (!dirnotify_vouch(n, &fd))
		return -1;
	r = dirnotify_same_names(n, fd, s);
	close(fd);
	return r;
}

void
dirnotify_forget(struct dirnotify *n)
{
	if (n->nnames > 0)
		memset(n->slot, 0, DIRNOTIFY_SLOTS * sizeof *n->slot);
	n->nnames = n->names_len = 0;
	n->all = false;
	/* a burst's names are not kept around */
	if (n->names_cap > 16384) {
		free(n->names);
		n->names = NULL;
		n->names_cap = 0;
	}
}

void
dirnotify_close(struct dirnotify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	free(n->dir);
	free(n->names);
	free(n->slot);
	n->fd = n->wd = -1;
	n->dir = NULL;
	n->names = NULL;
	n->slot = NULL;
	n->names_len = n->names_cap = n->nnames = 0;
	n->all = false;
}

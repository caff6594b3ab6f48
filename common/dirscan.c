/* SPDX-License-Identifier: MIT */
/* dirscan.c: has a migrations directory changed? A stat snapshot. */
#include "config.h"

#include <sys/stat.h>

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

bool
dirscan_ent_same(const struct dirscan_ent *e, const struct stat *st)
{
	return e->ino == st->st_ino && e->size == st->st_size &&
	    e->mode == st->st_mode && dirscan_ts_eq(&e->mtime, &st->st_mtim) &&
	    dirscan_ts_eq(&e->ctime, &st->st_ctim);
}

static bool
dirscan_ent_eq(const struct dirscan *s, const struct dirscan_ent *e,
    const char *name, const struct stat *st)
{
	return dirscan_ent_same(e, st) && strcmp(s->names + e->name, name) == 0;
}

/* Changes to it may not show as events of the directory's own watch. */
static void
dirscan_vouch(struct dirscan *s, const struct stat *st)
{
	if (!S_ISREG(st->st_mode) || st->st_nlink != 1)
		s->opaque = true;
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
	} else
		dirscan_vouch(s, st);
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
	dirscan_vouch(s, st);
}

int
dirscan_end(struct dirscan *s, int err)
{
	size_t i;

	for (i = 0; i < s->n; i++) {
		if (dirscan_ns(&s->v[i].mtime) >= s->horizon ||
		    dirscan_ns(&s->v[i].ctime) >= s->horizon)
			s->racy = true;
		if (s->v[i].mode == 0)	/* never stat-ed */
			s->opaque = true;
	}
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

uint32_t
dirscan_hash(const char *name, size_t len)
{
	const uint64_t k = 0xbf58476d1ce4e5b9u;	/* splitmix64's */
	uint64_t h = len * 0x9e3779b97f4a7c15u, w;

	/* eight bytes a step: the index of 10,000 names is on a check's path */
	for (; len >= 8; len -= 8, name += 8) {
		memcpy(&w, name, 8);
		h = (h ^ w) * k;
		h ^= h >> 31;
	}
	if (len > 0) {
		w = 0;
		memcpy(&w, name, len);
		h = (h ^ w) * k;
		h ^= h >> 31;
	}
	return (uint32_t)(h ^ h >> 32);
}

/* Index the entries by name: open addressing, at most 3/4 full. */
static void
dirscan_index(struct dirscan *s)
{
	size_t size = 16, i, j, end;

	while (size < s->n + s->n / 3 + 1)
		size *= 2;
	s->idx = xcalloc(size, sizeof *s->idx);
	s->idx_mask = size - 1;
	for (j = 0; j < s->n; j++) {
		/* the names are stored one after the other */
		end = j + 1 < s->n ? s->v[j + 1].name : s->names_len;
		i = dirscan_hash(s->names + s->v[j].name,
		    end - s->v[j].name - 1) & s->idx_mask;
		while (s->idx[i] != 0)
			i = (i + 1) & s->idx_mask;
		s->idx[i] = (uint32_t)(j + 1);
	}
}

ssize_t
dirscan_find(struct dirscan *s, const char *name)
{
	size_t i, k;

	if (s->idx == NULL)
		dirscan_index(s);
	for (i = dirscan_hash(name, strlen(name)) & s->idx_mask;
	    (k = s->idx[i]) != 0;
	    i = (i + 1) & s->idx_mask)
		if (strcmp(s->names + s->v[k - 1].name, name) == 0)
			return (ssize_t)(k - 1);
	return -1;
}

void
dirscan_clear(struct dirscan *s)
{
	free(s->v);
	free(s->names);
	free(s->idx);
	memset(s, 0, sizeof *s);
}

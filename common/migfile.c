/* SPDX-License-Identifier: MIT */
/* migfile.c: migration file parser (SPEC §2) and directory loader. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <sha2.h>

#include "arena.h"
#include "dirscan.h"
#include "migfile.h"
#include "migfile-int.h"
#include "utf8.h"

/*
 * A file is read in one pass over its lines (NUL bytes, UTF-8, header keys,
 * section markers), then each section is handed to split_sql(). Every
 * problem is reported and parsing goes on, so one run lists them all.
 *
 * A file and all it holds (strings, lists, statements) are allocated in an
 * arena: its own, or for a directory one arena for the whole set, so a
 * set of 10,000 files is a few dozen blocks, not 150,000 mallocs each
 * with its header (issue 13: start-up and peak memory).
 */

/* Block of a set's arena (mapped: freed with the set, it is returned). */
#define MIGSET_ARENA_BLOCK (256 * 1024)
/* Block of one file's own arena. */
#define MIGFILE_ARENA_BLOCK 4096

void
migfile_diag(struct migfile_parser *p, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	p->failed = true;
	p->ndiags++;
	if (p->ndiags > MIGFILE_MAX_DIAGS + 1)
		return;
	if (p->ndiags == MIGFILE_MAX_DIAGS + 1) {
		mdiag_add(p->diags, p->path, line,
		    "too many errors, the rest are not reported");
		return;
	}
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	mdiag_add(p->diags, p->path, line, "%s", msg);
	free(msg);
}

/*
 * A bad value made fit for a message: at most MIGFILE_SHOW bytes, control
 * characters and invalid UTF-8 as '?', "..." when cut. Caller frees.
 */
char *
migfile_show(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0, o = 0, k;
	char *buf;

	buf = xmalloc(MIGFILE_SHOW + 4);
	while (i < n && o < MIGFILE_SHOW) {
		k = utf8_seq(u + i, n - i);
		if (k == 0 || u[i] < 0x20 || u[i] == 0x7f) {
			buf[o++] = '?';
			i++;
		} else if (o + k > MIGFILE_SHOW)
			break;
		else {
			memcpy(buf + o, s + i, k);
			o += k;
			i += k;
		}
	}
	if (i < n) {
		memcpy(buf + o, "...", 3);
		o += 3;
	}
	buf[o] = '\0';
	return buf;
}

bool
migfile_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* MIGFILE_UP/DOWN if the line is a section marker, else -1. */
static int
migfile_marker(const char *s, size_t n)
{
	while (n > 0 && migfile_blank(s[n - 1]))
		n--;
	if (n == 11 && memcmp(s, "-- +upgrade", 11) == 0)
		return MIGFILE_UP;
	if (n == 13 && memcmp(s, "-- +downgrade", 13) == 0)
		return MIGFILE_DOWN;
	return -1;
}

/*
 * True for a line that looks like a marker but is not one ("--+upgrade",
 * "-- +Downgrade", "  -- +upgrade x"): taken as a comment it would move
 * downgrade SQL into the upgrade, so it is an error.
 */
static bool
migfile_near_marker(const char *s, size_t n)
{
	size_t i = 0;

	while (i < n && migfile_blank(s[i]))
		i++;
	if (n - i < 2 || s[i] != '-' || s[i + 1] != '-')
		return false;
	for (i += 2; i < n && migfile_blank(s[i]); i++)
		;
	if (i == n || s[i] != '+')
		return false;
	i++;
	return (n - i >= 7 && strncasecmp(s + i, "upgrade", 7) == 0) ||
	    (n - i >= 9 && strncasecmp(s + i, "downgrade", 9) == 0);
}

static void
migfile_check_encoding(struct migfile_parser *p, const char *s, size_t n,
    int line)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0, k;

	if (memchr(s, '\0', n) != NULL)
		migfile_diag(p, line, "NUL byte");
	while (i < n) {
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		if ((k = utf8_seq(u + i, n - i)) == 0) {
			migfile_diag(p, line, "invalid UTF-8");
			return;
		}
		i += k;
	}
}

/* A marker at line [ls, le): close the open span and start a new one. */
static void
migfile_open_span(struct migfile_parser *p, enum migfile_sec kind, int line,
    size_t ls, size_t le)
{
	struct migfile_span *sp;

	if (p->nspans > 0)
		p->spans[p->nspans - 1].end = ls;
	if (p->marker_line[kind] != 0)
		migfile_diag(p, line, "duplicate %s marker (first on line %d)",
		    kind == MIGFILE_UP ? "-- +upgrade" : "-- +downgrade",
		    p->marker_line[kind]);
	else
		p->marker_line[kind] = line;
	if (p->nspans == p->capspans) {
		p->capspans = p->capspans != 0 ? p->capspans * 2 : 4;
		p->spans = xreallocarray(p->spans, p->capspans,
		    sizeof *p->spans);
	}
	sp = &p->spans[p->nspans++];
	sp->kind = kind;
	sp->line = line;
	sp->body = le < p->len ? le + 1 : p->len;
	sp->end = p->len;
}

static void
migfile_scan(struct migfile_parser *p)
{
	size_t ls = 0, le, n;
	const char *nl, *s;
	int line = 1, kind;

	while (ls < p->len) {
		s = p->text + ls;
		nl = memchr(s, '\n', p->len - ls);
		le = nl != NULL ? (size_t)(nl - p->text) : p->len;
		n = le - ls;
		migfile_check_encoding(p, s, n, line);
		if ((kind = migfile_marker(s, n)) >= 0)
			migfile_open_span(p, kind, line, ls, le);
		else if (migfile_near_marker(s, n))
			migfile_diag(p, line, "malformed section marker (a "
			    "marker line is exactly \"-- +upgrade\" or "
			    "\"-- +downgrade\")");
		else if (p->nspans == 0)
			migfile_header_line(p, s, n, line);
		else
			migfile_section_line(p, s, n, line);
		ls = le + 1;
		line++;
	}
}

/*
 * Strip a UTF-8 BOM and read CRLF as LF into p->text, which may be buf
 * itself (the text only shrinks), len + 1 bytes.
 */
static void
migfile_normalise(struct migfile_parser *p, const char *buf, size_t len)
{
	size_t i = 0, o = 0, n;
	const char *cr;

	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0)
		i = 3;
	while (i < len) {
		cr = memchr(buf + i, '\r', len - i);
		n = cr != NULL ? (size_t)(cr - (buf + i)) : len - i;
		memmove(p->text + o, buf + i, n);
		o += n;
		i += n;
		if (cr == NULL)
			break;
		if (i + 1 >= len || buf[i + 1] != '\n')
			p->text[o++] = '\r';
		i++;
	}
	p->text[o] = '\0';
	p->len = o;
}

/*
 * SHA-256 from libmd (BSD's SHA2 API), not libcrypto: migratectl parses
 * files only for its offline commands, and loading libcrypto was 95% of its
 * start-up (2.8M instructions of 2.9M for `status`; libmd: 0.06M).
 */
static migfile_sha256_fn migfile_sha256;

void
migfile_set_sha256(migfile_sha256_fn fn)
{
	migfile_sha256 = fn;
}

static void
migfile_checksum(struct migfile_parser *p, const struct migfile_span *sp)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char d[SHA256_DIGEST_LENGTH];
	char *out = p->mf->checksum;
	size_t i;

	_Static_assert(sizeof(p->mf->checksum) == SHA256_DIGEST_STRING_LENGTH,
	    "checksum holds 64 hex digits and a NUL");
	if (migfile_sha256 == NULL) {
		(void)SHA256Data((const uint8_t *)p->text + sp->body,
		    sp->end - sp->body, out);
		return;
	}
	migfile_sha256(p->text + sp->body, sp->end - sp->body, d);
	for (i = 0; i < sizeof d; i++) {
		out[2 * i] = hex[d[i] >> 4];
		out[2 * i + 1] = hex[d[i] & 15];
	}
	out[2 * i] = '\0';
}

/* Split every section; repeated ones only for their diagnostics. */
static void
migfile_sections(struct migfile_parser *p)
{
	struct migfile_section *sec;
	struct migfile_span *sp;
	struct split_list spare;
	size_t i;

	for (i = 0; i < p->nspans; i++) {
		sp = &p->spans[i];
		sec = sp->kind == MIGFILE_UP ? &p->mf->up : &p->mf->down_sec;
		if (sec->present) {
			if (split_sql(p->path, p->text + sp->body,
			    sp->end - sp->body, sp->line + 1, &spare,
			    p->diags) < 0)
				p->failed = true;
			split_list_clear(&spare);
			continue;
		}
		sec->present = true;
		sec->line = sp->line;
		if (split_sql_in(p->a, p->path, p->text + sp->body,
		    sp->end - sp->body, sp->line + 1, &sec->stmts,
		    p->diags) < 0)
			p->failed = true;
		if (sp->kind == MIGFILE_UP)
			migfile_checksum(p, sp);
	}
}

/* The basename must be "<revision>.sql" or "<revision>_<slug>.sql". */
static void
migfile_check_name(struct migfile_parser *p)
{
	const char *name = p->mf->name, *rev = p->mf->revision;
	size_t nlen = strlen(name), rlen = strlen(rev);

	if (nlen >= rlen + 4 && strcmp(name + nlen - 4, ".sql") == 0 &&
	    strncmp(name, rev, rlen) == 0 &&
	    (nlen == rlen + 4 || (name[rlen] == '_' && nlen > rlen + 5)))
		return;
	migfile_diag(p, p->mf->revision_line,
	    "file name does not match revision %s", rev);
}

static void
migfile_finish(struct migfile_parser *p)
{
	if (p->key_line[MIGFILE_KEY_REVISION] == 0)
		migfile_diag(p, 1, "missing header \"-- revision: ID\"");
	if (p->key_line[MIGFILE_KEY_DOWN] == 0)
		migfile_diag(p, 1, "missing header \"-- down_revision: ID\" "
		    "(\"none\" for a first revision)");
	if (p->mf->revision != NULL)
		migfile_check_name(p);
	migfile_sections(p);
	if (!p->mf->up.present)
		migfile_diag(p, 1, "missing -- +upgrade section");
}

static struct migfile *
migfile_new(struct arena *a, const char *path)
{
	struct migfile *mf;
	char *slash;

	mf = arena_alloc(a, sizeof *mf);
	memset(mf, 0, sizeof *mf);
	mf->path = arena_strdup(a, path);
	slash = strrchr(mf->path, '/');
	mf->name = slash != NULL ? slash + 1 : mf->path;
	mf->message = (char *)"";	/* never freed: in an arena */
	mf->transactional = true;
	return mf;
}

/*
 * Parse buf (len bytes) into a new migfile in a. text: len + 1 writable
 * bytes for the normalised text, buf itself or another buffer. NULL
 * (and the diagnostics) if the file has errors; what it allocated stays
 * in a until a is freed.
 */
static struct migfile *
migfile_parse_in(struct arena *a, const char *path, const char *buf,
    size_t len, char *text, struct mdiag_list *diags)
{
	struct migfile_parser p;

	if (len > MIGFILE_MAX_SIZE) {
		mdiag_add(diags, path, 0, "file too large (%zu bytes, the "
		    "limit is %u)", len, MIGFILE_MAX_SIZE);
		return NULL;
	}
	memset(&p, 0, sizeof p);
	p.a = a;
	p.path = path;
	p.diags = diags;
	p.mf = migfile_new(a, path);
	p.text = text;
	migfile_normalise(&p, buf, len);
	migfile_scan(&p);
	migfile_finish(&p);
	free(p.spans);
	return p.failed ? NULL : p.mf;
}

int
migfile_parse(const char *path, const char *buf, size_t len,
    struct migfile **out, struct mdiag_list *diags)
{
	struct arena *a = xmalloc(sizeof *a);
	char *text;

	*a = (struct arena)ARENA_INIT(MIGFILE_ARENA_BLOCK);
	text = len <= MIGFILE_MAX_SIZE ? xmalloc(len + 1) : NULL;
	*out = migfile_parse_in(a, path, buf, len, text, diags);
	free(text);
	if (*out == NULL) {
		arena_clear(a);
		free(a);
		return -EINVAL;
	}
	(*out)->arena = a;
	return 0;
}

static void
migfile_free_list(char **v, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
migfile_free(struct migfile *mf)
{
	struct arena *a;
	size_t i;

	if (mf == NULL || mf->in_set)
		return;		/* freed with its set */
	if ((a = mf->arena) != NULL) {
		arena_clear(a);	/* mf is in it */
		free(a);
		return;
	}
	free(mf->path);
	free(mf->name);
	free(mf->revision);
	migfile_free_list(mf->down, mf->ndown);
	migfile_free_list(mf->depends_on, mf->ndepends);
	migfile_free_list(mf->branch_labels, mf->nlabels);
	free(mf->message);
	free(mf->create_date);
	free(mf->lock_timeout);
	free(mf->statement_timeout);
	for (i = 0; i < mf->nallow; i++) {
		free(mf->allow[i].rule);
		free(mf->allow[i].reason);
	}
	free(mf->allow);
	for (i = 0; i < mf->nnotes; i++)
		free(mf->notes[i].text);
	free(mf->notes);
	split_list_clear(&mf->up.stmts);
	split_list_clear(&mf->down_sec.stmts);
	free(mf);
}

/* A read buffer kept from file to file while a directory loads. */
struct migfile_rbuf {
	char *buf;
	size_t cap;
};

/*
 * Read the size bytes fstat() gave for fd into rb (fewer if the file
 * shrank meanwhile), with room for a NUL after them. Trusting the size
 * saves a read() per file, which matters for directories of thousands of
 * migrations.
 */
static int
migfile_read(int fd, size_t size, struct migfile_rbuf *rb, size_t *len)
{
	size_t n = 0;
	ssize_t r;

	if (size + 1 > rb->cap) {
		free(rb->buf);
		rb->cap = size + 1 > 16384 ? size + 1 : 16384;
		rb->buf = xmalloc(rb->cap);
	}
	while (n < size) {
		r = read(fd, rb->buf + n, size - n);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -errno;
		if (r == 0)
			break;
		n += (size_t)r;
	}
	*len = n;
	return 0;
}

/*
 * Open name relative to dirfd (path names it in messages) and parse it
 * into a. *out is NULL on errors (diags say which).
 */
static int
migfile_loadat(int dirfd, const char *name, const char *path,
    struct arena *a, struct migfile_rbuf *rb, struct migfile **out,
    struct stat *stp, struct mdiag_list *diags)
{
	struct stat st;
	size_t len = 0;
	int fd, r;

	*out = NULL;
	/* O_NONBLOCK: a FIFO named *.sql must not hang the loader. */
	fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
	if (fd == -1) {
		r = -errno;
		mdiag_add(diags, path, 0, "cannot open: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) == -1) {
		r = -errno;
		mdiag_add(diags, path, 0, "cannot stat: %s", strerror(-r));
		goto out;
	}
	if (stp != NULL)
		*stp = st;
	if (!S_ISREG(st.st_mode)) {
		mdiag_add(diags, path, 0, "not a regular file");
		r = -EINVAL;
		goto out;
	}
	if ((uintmax_t)st.st_size > MIGFILE_MAX_SIZE) {
		mdiag_add(diags, path, 0, "file too large (%jd bytes, the "
		    "limit is %u)", (intmax_t)st.st_size, MIGFILE_MAX_SIZE);
		r = -EINVAL;
		goto out;
	}
	if ((r = migfile_read(fd, (size_t)st.st_size, rb, &len)) < 0) {
		mdiag_add(diags, path, 0, "cannot read: %s", strerror(-r));
		goto out;
	}
	*out = migfile_parse_in(a, path, rb->buf, len, rb->buf, diags);
	r = *out != NULL ? 0 : -EINVAL;
out:
	close(fd);
	return r;
}

int
migfile_load(const char *path, struct migfile **out, struct mdiag_list *diags)
{
	struct migfile_rbuf rb = { 0 };
	struct arena *a = xmalloc(sizeof *a);
	int r;

	*a = (struct arena)ARENA_INIT(MIGFILE_ARENA_BLOCK);
	r = migfile_loadat(AT_FDCWD, path, path, a, &rb, out, NULL, diags);
	free(rb.buf);
	if (r < 0) {
		arena_clear(a);
		free(a);
		return r;
	}
	(*out)->arena = a;
	return 0;
}

/* dir/name, without doubling a trailing '/'. Caller frees. */
static char *
migset_path(const char *dir, const char *name)
{
	size_t n = strlen(dir), m = strlen(name), o = n;
	char *p;

	p = xmalloc(n + m + 2);
	memcpy(p, dir, n);
	if (n == 0 || dir[n - 1] != '/')
		p[o++] = '/';
	memcpy(p + o, name, m + 1);
	return p;
}

bool
migfile_wanted(const char *name)
{
	size_t n = strlen(name);

	return name[0] != '.' && n > 4 && strcmp(name + n - 4, ".sql") == 0;
}

/* A directory entry to load; snap: its entry in the snapshot. */
struct migset_ent {
	char *name;
	size_t snap;
};

/*
 * True if the entry is (or links to) a regular file; else reports why.
 * With snap, the entry goes into the snapshot too, with its stat when
 * this had to take it (a regular file's comes from its load).
 */
static bool
migset_regular(DIR *d, const char *dir, const struct dirent *de,
    struct dirscan *snap, size_t *at, struct mdiag_list *diags)
{
	bool link = de->d_type == DT_LNK || de->d_type == DT_UNKNOWN;
	struct stat st;
	char *path;
	int e;

	if (de->d_type == DT_REG) {
		if (snap != NULL)
			*at = dirscan_put(snap, de->d_name, NULL, false);
		return true;
	}
	if (!link && snap == NULL)
		return false;
	if (fstatat(dirfd(d), de->d_name, &st, 0) == 0) {
		if (snap != NULL)
			*at = dirscan_put(snap, de->d_name, &st, link);
		return link && S_ISREG(st.st_mode);
	}
	e = errno;
	if (snap != NULL)	/* gone, or a bad link: all zeros */
		*at = dirscan_put(snap, de->d_name, NULL, link);
	if (link) {
		path = migset_path(dir, de->d_name);
		mdiag_add(diags, path, 0, "cannot stat: %s", strerror(e));
		free(path);
	}
	return false;
}

static int
migset_cmp_name(const void *a, const void *b)
{
	return strcmp(((const struct migset_ent *)a)->name,
	    ((const struct migset_ent *)b)->name);
}

/*
 * The regular *.sql files of the open directory d, sorted by name; their
 * names in a (for the load only: mapped blocks, no holes left in the heap).
 */
static int
migset_list(DIR *d, const char *dir, struct arena *a, struct migset_ent **ents,
    size_t *n, struct dirscan *snap, struct mdiag_list *diags)
{
	struct dirent *de;
	size_t cap = 0, at = 0;
	int r = 0;

	for (;;) {
		errno = 0;
		if ((de = readdir(d)) == NULL)
			break;
		if (!migfile_wanted(de->d_name) ||
		    !migset_regular(d, dir, de, snap, &at, diags))
			continue;
		if (*n == cap) {
			cap = cap != 0 ? cap * 2 : 64;
			*ents = xreallocarray(*ents, cap, sizeof **ents);
		}
		(*ents)[*n].name = arena_strdup(a, de->d_name);
		(*ents)[(*n)++].snap = at;
	}
	if (errno != 0) {
		r = -errno;
		mdiag_add(diags, dir, 0, "cannot read directory: %s",
		    strerror(-r));
	}
	if (*n > 1)
		qsort(*ents, *n, sizeof **ents, migset_cmp_name);
	return r;
}

static const struct migset *migset_sort_set;

static int
migset_cmp_rev(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c;

	c = strcmp(migset_sort_set->v[x]->revision,
	    migset_sort_set->v[y]->revision);
	if (c != 0)
		return c;
	return x < y ? -1 : x > y;
}

/* Report every file whose revision an earlier file (by name) has. */
static void
migset_check_dups(const struct migset *set, struct mdiag_list *diags)
{
	const struct migfile *mf, *first = NULL;
	size_t *idx, i;

	if (set->n < 2)
		return;
	idx = xreallocarray(NULL, set->n, sizeof *idx);
	for (i = 0; i < set->n; i++)
		idx[i] = i;
	migset_sort_set = set;
	qsort(idx, set->n, sizeof *idx, migset_cmp_rev);
	migset_sort_set = NULL;
	for (i = 0; i < set->n; i++) {
		mf = set->v[idx[i]];
		if (first == NULL || strcmp(first->revision, mf->revision) != 0)
			first = mf;
		else
			mdiag_add(diags, mf->path, mf->revision_line,
			    "duplicate revision %s (also in %s)",
			    mf->revision, first->path);
	}
	free(idx);
}

static void
migset_add_failed(struct migset *set, const char *name)
{
	set->failed = xreallocarray(set->failed, set->nfailed + 1,
	    sizeof *set->failed);
	set->failed[set->nfailed++] = xstrdup(name);
}

/*
 * Load the listed files, each opened relative to the directory; the
 * stat of each goes to its snapshot entry.
 */
static void
migset_load_files(struct migset *set, DIR *d, const struct migset_ent *ents,
    size_t n, struct dirscan *snap, struct mdiag_list *diags)
{
	struct migfile_rbuf rb = { 0 };
	struct migfile *mf;
	struct stat st;
	char *path;
	size_t i;

	set->v = xreallocarray(NULL, n, sizeof *set->v);
	for (i = 0; i < n; i++) {
		path = migset_path(set->dir, ents[i].name);
		st.st_mode = 0;
		if (migfile_loadat(dirfd(d), ents[i].name, path, set->arena,
		    &rb, &mf, snap != NULL ? &st : NULL, diags) == 0) {
			mf->in_set = true;
			set->v[set->n++] = mf;
		} else
			migset_add_failed(set, ents[i].name);
		if (snap != NULL && st.st_mode != 0)
			dirscan_set(snap, ents[i].snap, &st);
		free(path);
	}
	free(rb.buf);
}

/*
 * Leave out every file whose revision id another file has too. The ids in
 * order find them in n log n; all are marked before any is freed, so that no
 * comparison reads a file already freed or moved.
 */
static void
migset_drop_dups(struct migset *set)
{
	size_t *idx, i, k = 0, ndup = 0;
	bool *dup;

	if (set->n < 2)
		return;
	idx = xreallocarray(NULL, set->n, sizeof *idx);
	dup = xcalloc(set->n, sizeof *dup);
	for (i = 0; i < set->n; i++)
		idx[i] = i;
	migset_sort_set = set;
	qsort(idx, set->n, sizeof *idx, migset_cmp_rev);
	migset_sort_set = NULL;
	for (i = 0; i + 1 < set->n; i++)
		if (strcmp(set->v[idx[i]]->revision,
		    set->v[idx[i + 1]]->revision) == 0) {
			dup[idx[i]] = dup[idx[i + 1]] = true;
			ndup++;
		}
	for (i = 0; ndup > 0 && i < set->n; i++) {
		if (!dup[i]) {
			set->v[k++] = set->v[i];
			continue;
		}
		migset_add_failed(set, set->v[i]->name);
		migfile_free(set->v[i]);
	}
	if (ndup > 0)
		set->n = k;
	free(dup);
	free(idx);
}

bool
migset_failed_has(const struct migset *set, const char *id)
{
	size_t i, len = strlen(id);
	const char *f;

	for (i = 0; i < set->nfailed; i++) {
		f = set->failed[i];
		if (strncmp(f, id, len) == 0 &&
		    (f[len] == '_' || strcmp(f + len, ".sql") == 0))
			return true;
	}
	return false;
}

/* migset_load_all(), and the snapshot of dir into snap unless NULL. */
static int
migset_read(const char *dir, struct migset **out, struct dirscan *snap,
    struct mdiag_list *diags)
{
	struct arena names = ARENA_INIT(MIGSET_ARENA_BLOCK);
	struct mdiag_list added;
	struct migset_ent *ents = NULL;
	struct migset *set;
	size_t nents = 0, n0 = diags->n;
	DIR *d;
	int r;

	*out = NULL;
	if (snap != NULL)
		dirscan_start(snap);
	if ((d = opendir(dir)) == NULL) {
		r = -errno;
		mdiag_add(diags, dir, 0, "cannot open directory: %s",
		    strerror(-r));
		if (snap != NULL)
			(void)dirscan_end(snap, r);
		return r;
	}
	set = xcalloc(1, sizeof *set);
	set->arena = xmalloc(sizeof *set->arena);
	*set->arena = (struct arena)ARENA_INIT(MIGSET_ARENA_BLOCK);
	set->dir = xstrdup(dir);
	r = migset_list(d, dir, &names, &ents, &nents, snap, diags);
	if (r == 0 && nents > 0) {
		migset_load_files(set, d, ents, nents, snap, diags);
		migset_check_dups(set, diags);
	}
	closedir(d);
	if (snap != NULL)
		(void)dirscan_end(snap, r);
	arena_clear(&names);
	free(ents);
	if (r == 0 && diags->n > n0)
		r = -EINVAL;
	if (r < 0) {
		/* Sort only what this call added. */
		added.v = diags->v + n0;
		added.n = added.cap = diags->n - n0;
		mdiag_sort(&added);
		migset_drop_dups(set);
	}
	*out = set;
	return r;
}

int
migset_load_all(const char *dir, struct migset **out,
    struct mdiag_list *diags)
{
	return migset_read(dir, out, NULL, diags);
}

int
migset_load_snap(const char *dir, struct migset **out, struct dirscan *snap,
    struct mdiag_list *diags)
{
	int r;

	if ((r = migset_read(dir, out, snap, diags)) < 0) {
		migset_free(*out);
		*out = NULL;
	}
	return r;
}

int
migset_load(const char *dir, struct migset **out, struct mdiag_list *diags)
{
	return migset_load_snap(dir, out, NULL, diags);
}

void
migset_free(struct migset *set)
{
	size_t i;

	if (set == NULL)
		return;
	for (i = 0; i < set->n; i++)
		migfile_free(set->v[i]);
	for (i = 0; i < set->nfailed; i++)
		free(set->failed[i]);
	free(set->failed);
	free(set->v);
	free(set->dir);
	if (set->arena != NULL) {
		arena_clear(set->arena);
		free(set->arena);
	}
	free(set);
}

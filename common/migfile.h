/* SPDX-License-Identifier: MIT */
/* migfile.h: migration file parser (SPEC §2) and directory loader. */
#ifndef MIGRATED_MIGFILE_H
#define MIGRATED_MIGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include "merr.h"
#include "split.h"

struct arena;

#define MIGFILE_REV_MAX 32
#define MIGFILE_MAX_SIZE (64u * 1024 * 1024)	/* larger files are refused */
#define MIGFILE_MAX_DIAGS 100	/* own diagnostics per file, then a summary */

struct migfile_section {
	bool present;		/* the marker line exists */
	int line;		/* line of the marker */
	struct split_list stmts;
};

/* A "-- lint_allow: RULE reason" header line (SPEC §9). */
struct migfile_allow {
	char *rule;
	char *reason;
	int line;
};

/* A comment line of a section that speaks to lint ("-- squawk-ignore"). */
struct migfile_note {
	char *text;		/* after "--", blanks trimmed */
	int line;
};

struct migfile {
	char *path;		/* as given (dir/name.sql) */
	char *name;		/* basename */
	char *revision;
	int revision_line;	/* header line numbers, for graph errors */
	int down_line;
	int depends_line;
	int labels_line;
	char **down;		/* down_revision list; ndown == 0 means none */
	size_t ndown;
	char **depends_on;
	size_t ndepends;
	char **branch_labels;
	size_t nlabels;
	char *message;		/* "" when absent */
	char *create_date;	/* NULL when absent */
	char *lock_timeout;	/* NULL: daemon default */
	char *statement_timeout;	/* NULL: daemon default */
	int transactional_line;	/* header lines of these keys, 0: absent */
	int lock_timeout_line;
	struct migfile_allow *allow;	/* lint_allow headers, in file order */
	size_t nallow;
	struct migfile_note *notes;	/* squawk-ignore lines, in file order */
	size_t nnotes;
	struct migfile_section up;
	struct migfile_section down_sec;
	/*
	 * SHA-256 hex of the upgrade section: the bytes after the
	 * "-- +upgrade" line up to the next marker line or end of file,
	 * with a leading UTF-8 BOM of the file stripped and CRLF read as LF.
	 */
	char checksum[65];
	/* The bools beside checksum[], where padding was: 320 -> 304 bytes. */
	bool transactional;	/* default true */
	/*
	 * Where its memory comes from: an arena of its own (migfile_parse(),
	 * migfile_load()), its set's (in_set: migset_load()), or neither
	 * (built by hand, each member malloc'd).
	 */
	bool in_set;
	struct arena *arena;
};

/*
 * Parse one file held in buf. path is used for messages; its basename must
 * be "<revision>_<slug>.sql" (or "<revision>.sql"). Every problem is added
 * to diags as path:line. Returns 0 and *out, or -EINVAL (nothing in *out)
 * when any diagnostic was added. Caller frees *out with migfile_free().
 */
int migfile_parse(const char *path, const char *buf, size_t len,
    struct migfile **out, struct mdiag_list *diags) MIG_MUSTCHECK;
/* Read path and migfile_parse() it; I/O errors go to diags too. */
int migfile_load(const char *path, struct migfile **out,
    struct mdiag_list *diags) MIG_MUSTCHECK;
void migfile_free(struct migfile *mf);

/*
 * The SHA-256 the checksums are computed with: libmd's by default (light to
 * load: migratectl), or fn (the daemon, which links libcrypto through libpq
 * anyway, sets OpenSSL's: 2.5x faster on a section). fn writes 32 bytes.
 */
typedef void (*migfile_sha256_fn)(const void *data, size_t len,
    unsigned char digest[32]);
void migfile_set_sha256(migfile_sha256_fn fn);

/* A loaded directory: every *.sql file (dotfiles ignored), sorted by name. */
struct migset {
	/*
	 * Its files, their header strings and statements: copies, not the
	 * file texts, which are read one at a time into one buffer, reused.
	 */
	struct arena *arena;
	char *dir;
	struct migfile **v;
	size_t n;
	char **failed;		/* migset_load_all(): files left out, */
	size_t nfailed;		/* by name (errors, duplicate ids) */
};

/*
 * Load every migration of dir. Duplicate revision ids are reported here
 * (graph errors are revgraph_build()'s). Returns 0, or -EINVAL with all
 * problems in diags (and *out NULL); -errno when dir cannot be read
 * (also in diags). The diagnostics added are sorted by file and line.
 * Caller frees with migset_free().
 */
int migset_load(const char *dir, struct migset **out,
    struct mdiag_list *diags) MIG_MUSTCHECK;
/*
 * The same, for reporting every error at once (lint): *out holds the files
 * that loaded, without those sharing a revision id, even when it returns
 * -EINVAL; set->failed names the files left out. Returns -errno (no *out)
 * only when dir cannot be read.
 */
int migset_load_all(const char *dir, struct migset **out,
    struct mdiag_list *diags) MIG_MUSTCHECK;
/*
 * migset_load(), and a snapshot of dir (dirscan.h) made from the same
 * readdir() and each file's fstat() as it was read: what was loaded is
 * what the snapshot says (dirscan_take() first would stat every file again).
 */
struct dirscan;
int migset_load_snap(const char *dir, struct migset **out,
    struct dirscan *snap, struct mdiag_list *diags) MIG_MUSTCHECK;
/* Could id be the revision of a file migset_load_all() left out? */
bool migset_failed_has(const struct migset *set, const char *id);
void migset_free(struct migset *set);

/* Is a directory entry named name a migration: "*.sql", not a dotfile? */
bool migfile_wanted(const char *name);

/* True if s is a valid revision id: 1-32 chars of [0-9a-z_], not reserved. */
bool migfile_valid_revision(const char *s);

#endif

/* SPDX-License-Identifier: MIT */
/* migfile-int.h: parser state shared by migfile.c and migfile-hdr.c. */
#ifndef MIGRATED_MIGFILE_INT_H
#define MIGRATED_MIGFILE_INT_H

#include <stdbool.h>
#include <stddef.h>
#include "arena.h"
#include "migfile.h"

#define MIGFILE_SHOW 40		/* bytes of a bad value quoted in a message */

/* Header keys, in the order of migfile-hdr.c's table. */
enum migfile_key {
	MIGFILE_KEY_REVISION,
	MIGFILE_KEY_DOWN,
	MIGFILE_KEY_MESSAGE,
	MIGFILE_KEY_DATE,
	MIGFILE_KEY_DEPENDS,
	MIGFILE_KEY_LABELS,
	MIGFILE_KEY_TRANSACTIONAL,
	MIGFILE_KEY_LOCK,
	MIGFILE_KEY_STMT,
	MIGFILE_KEY_LINT_ALLOW,
	MIGFILE_NKEYS
};

enum migfile_sec {
	MIGFILE_UP,
	MIGFILE_DOWN,
};

/* A section marker and the body after it (offsets in the text). */
struct migfile_span {
	enum migfile_sec kind;
	int line;
	size_t body, end;
};

struct migfile_parser {
	struct arena *a;	/* where mf and its members go */
	const char *path;
	struct mdiag_list *diags;
	size_t ndiags;		/* our own diagnostics, for the cap */
	bool failed;		/* any diagnostic, ours or split_sql()'s */
	struct migfile *mf;
	char *text;		/* BOM stripped, CRLF read as LF */
	size_t len;
	int key_line[MIGFILE_NKEYS];	/* where each key was, 0 unseen */
	bool sql_seen;		/* SQL before the first marker reported */
	struct migfile_span *spans;
	size_t nspans, capspans;
	int marker_line[2];	/* first marker of each kind, 0 none yet */
	size_t capallow, capnotes;	/* of mf->allow, mf->notes */
};

/* Add a diagnostic for p's file (capped per file). */
void migfile_diag(struct migfile_parser *p, int line, const char *fmt, ...)
    MIG_PRINTF(3, 4);
/* Length of the valid UTF-8 sequence at s (n bytes left), or 0. */
/* s cut and cleaned for a message; caller frees. */
char *migfile_show(const char *s);
bool migfile_blank(char c);
/* Handle a line before the first section marker. */
void migfile_header_line(struct migfile_parser *p, const char *s, size_t n,
    int line);
/* Keep a section line that is a "-- squawk-ignore" comment. */
void migfile_section_line(struct migfile_parser *p, const char *s, size_t n,
    int line);

#endif

/* SPDX-License-Identifier: MIT */
/* fuzz-migfile.c: libFuzzer target for the migration file parser. */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "migfile.h"
#include "split.h"


/*
 * The input is parsed as a whole file (migfile_parse) and split as one
 * section (split_sql). Beyond not crashing or leaking, the results must
 * keep their invariants; any breach aborts so libFuzzer keeps the input.
 *
 *	./configure CC=clang --enable-fuzzing
 *	make tests/fuzz/fuzz-migfile
 *	cp -r tests/fuzz/corpus/migfile /tmp/corpus
 *	tests/fuzz/fuzz-migfile -dict=tests/fuzz/migfile.dict /tmp/corpus
 */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void
fuzz_assert(int ok)
{
	if (!ok)
		abort();
}

static int
fuzz_count_nl(const char *s, size_t len)
{
	int n = 0;
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\n')
			n++;
	return n;
}

/* Messages end up in JSON replies: they must be valid UTF-8. */
static void
fuzz_check_utf8(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t k, len;

	while (*u != '\0') {
		if (*u < 0x80) {
			u++;
			continue;
		}
		len = *u >= 0xf0 ? 4 : *u >= 0xe0 ? 3 : 2;
		fuzz_assert(*u >= 0xc2 && *u <= 0xf4);
		for (k = 1; k < len; k++)
			fuzz_assert((u[k] & 0xc0) == 0x80);
		u += len;
	}
}

static void
fuzz_check_diags(const struct mdiag_list *d, int maxline)
{
	size_t i;

	for (i = 0; i < d->n; i++) {
		fuzz_assert(d->v[i].message != NULL);
		fuzz_assert(d->v[i].line >= 0 && d->v[i].line <= maxline);
		fuzz_check_utf8(d->v[i].message);
	}
}

/* Statements: non-empty, trimmed, in order, lines within the text. */
static void
fuzz_check_list(const struct split_list *l, int first, int last)
{
	static const char blank[] = " \t\r\n\f\v";
	const struct split_stmt *st;
	int prev = first, nl, pos[5], j;
	size_t i;

	for (i = 0; i < l->n; i++) {
		st = &l->v[i];
		fuzz_assert(st->len > 0 && st->sql[st->len] == '\0');
		fuzz_assert(strchr(blank, st->sql[0]) == NULL ||
		    st->sql[0] == '\0');
		fuzz_assert(strchr(blank, st->sql[st->len - 1]) == NULL ||
		    st->sql[st->len - 1] == '\0');
		fuzz_assert(st->line >= prev && st->line <= last);
		prev = st->line;
		nl = fuzz_count_nl(st->sql, st->len);
		pos[0] = 0;
		pos[1] = 1;
		pos[2] = (int)(st->len / 2);
		pos[3] = (int)st->len + 1;
		pos[4] = INT_MAX;
		for (j = 0; j < 5; j++) {
			int line = split_pos_to_line(st->sql, st->len, st->line,
			    pos[j]);

			fuzz_assert(line >= st->line && line <= st->line + nl);
		}
	}
}

static void
fuzz_check_migfile(const struct migfile *mf, int last)
{
	size_t i;

	fuzz_assert(migfile_valid_revision(mf->revision));
	fuzz_assert(strlen(mf->checksum) == 64);
	fuzz_assert(strspn(mf->checksum, "0123456789abcdef") == 64);
	fuzz_assert(mf->up.present && mf->message != NULL);
	for (i = 0; i < mf->ndown; i++)
		fuzz_assert(migfile_valid_revision(mf->down[i]));
	fuzz_check_list(&mf->up.stmts, mf->up.line + 1, last);
	fuzz_check_list(&mf->down_sec.stmts, mf->down_sec.line + 1, last);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	struct mdiag_list d = { 0 };
	struct split_list l;
	struct migfile *mf;
	int r, last;

	last = 1 + fuzz_count_nl(text, size);

	r = migfile_parse("abcd_fuzz.sql", text, size, &mf, &d);
	if (r == 0) {
		fuzz_assert(d.n == 0 && mf != NULL);
		fuzz_check_migfile(mf, last);
		migfile_free(mf);
	} else
		fuzz_assert(r == -EINVAL && d.n > 0 && mf == NULL);
	fuzz_check_diags(&d, last);
	mdiag_clear(&d);

	r = split_sql("fuzz.sql", text, size, 1, &l, &d);
	fuzz_assert((r == 0) == (d.n == 0) && (r == 0 || r == -EINVAL));
	fuzz_assert(d.n <= SPLIT_MAX_DIAGS + 1);
	fuzz_check_list(&l, 1, last);
	fuzz_check_diags(&d, last);
	split_list_clear(&l);
	mdiag_clear(&d);
	return 0;
}

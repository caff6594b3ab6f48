/* SPDX-License-Identifier: MIT */
/* split.c: SQL statement splitter and error-position mapping. */
#include "config.h"

#include <errno.h>
#include <stdalign.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "arena.h"
#include "split.h"

/*
 * The splitter is a single forward scan with a lexer close to PostgreSQL's
 * (scan.l): it knows enough of the token classes to find the ';' that end
 * statements, and looks at words outside quotes and comments to spot the
 * statements a migration may not contain. As psql does, a ';' inside
 * parentheses (CREATE RULE ... DO (a; b)) or inside a BEGIN ATOMIC body
 * does not end a statement; such a body opens only where the grammar has
 * one, at the words BEGIN ATOMIC after the argument list of a statement
 * that starts CREATE [OR REPLACE] FUNCTION or PROCEDURE (a quoted
 * identifier is never a keyword). Nothing recurses and no byte is looked
 * at more than a bounded number of times, so it is O(n).
 */

enum split_kw {
	KW_NONE = 0,
	KW_ABORT,
	KW_ALL,
	KW_ATOMIC,
	KW_BEGIN,
	KW_CASE,
	KW_COMMIT,
	KW_COPY,
	KW_CREATE,
	KW_DISCARD,
	KW_END,
	KW_FROM,
	KW_FUNCTION,
	KW_OR,
	KW_PREPARE,
	KW_PROCEDURE,
	KW_RELEASE,
	KW_REPLACE,
	KW_ROLLBACK,
	KW_SAVEPOINT,
	KW_START,
	KW_STDIN,
	KW_STDOUT,
	KW_TO,
	KW_TRANSACTION,
	KW_UNLOCK,
	KW_UNLOCK_ALL,
	KW_UNLOCK_SHARED,
};

static const struct {
	const char *name;
	size_t len;
	enum split_kw kw;
} split_kws[] = {
	/* sorted by name: split_kw_lookup() starts at the first letter's */
#define SPLIT_KW(s, k) { s, sizeof s - 1, k }
	SPLIT_KW("abort", KW_ABORT),
	SPLIT_KW("all", KW_ALL),
	SPLIT_KW("atomic", KW_ATOMIC),
	SPLIT_KW("begin", KW_BEGIN),
	SPLIT_KW("case", KW_CASE),
	SPLIT_KW("commit", KW_COMMIT),
	SPLIT_KW("copy", KW_COPY),
	SPLIT_KW("create", KW_CREATE),
	SPLIT_KW("discard", KW_DISCARD),
	SPLIT_KW("end", KW_END),
	SPLIT_KW("from", KW_FROM),
	SPLIT_KW("function", KW_FUNCTION),
	SPLIT_KW("or", KW_OR),
	SPLIT_KW("pg_advisory_unlock", KW_UNLOCK),
	SPLIT_KW("pg_advisory_unlock_all", KW_UNLOCK_ALL),
	SPLIT_KW("pg_advisory_unlock_shared", KW_UNLOCK_SHARED),
	SPLIT_KW("prepare", KW_PREPARE),
	SPLIT_KW("procedure", KW_PROCEDURE),
	SPLIT_KW("release", KW_RELEASE),
	SPLIT_KW("replace", KW_REPLACE),
	SPLIT_KW("rollback", KW_ROLLBACK),
	SPLIT_KW("savepoint", KW_SAVEPOINT),
	SPLIT_KW("start", KW_START),
	SPLIT_KW("stdin", KW_STDIN),
	SPLIT_KW("stdout", KW_STDOUT),
	SPLIT_KW("to", KW_TO),
	SPLIT_KW("transaction", KW_TRANSACTION),
#undef SPLIT_KW
};

/*
 * How far a CREATE [OR REPLACE] FUNCTION/PROCEDURE statement has got: only
 * after its argument list may BEGIN ATOMIC open a body (the grammar's
 * opt_routine_body), so a table named "function" or a column "begin"
 * aliased "atomic" in any other statement never does.
 */
enum split_routine {
	SPLIT_ROUTINE_NONE = 0,
	SPLIT_ROUTINE_NAME,	/* CREATE [OR REPLACE] FUNCTION|PROCEDURE */
	SPLIT_ROUTINE_SIG,	/* ... name(args): the options and body */
};

/* What a COPY statement does with the client's stdio. */
enum split_copy {
	SPLIT_COPY_NONE = 0,
	SPLIT_COPY_STDIN,
	SPLIT_COPY_STDOUT,
};

struct split_state {
	struct arena *a;	/* statements go here; NULL: malloc */
	const char *file;
	const char *s;
	size_t len;
	size_t i;		/* next byte to read */
	int line;		/* file line of s[i] */
	struct split_list *out;
	struct mdiag_list *diags;
	size_t ndiags;		/* diagnostics added by this call */

	/* The statement being read. */
	bool in_stmt;
	size_t start;		/* offset of its first significant byte */
	int start_line;
	size_t sig_end;		/* end of its last significant token */
	size_t ntok;
	enum split_kw first, second, prev;
	int paren;		/* ( nesting: ';' inside does not split */
	int paren_line;		/* line of the outermost open '(' */
	enum split_routine routine;
	size_t atomic;		/* BEGIN ATOMIC and CASE nesting; 0 outside */
	int atomic_line;
	enum split_copy copy;
	enum split_kw unlock;	/* first pg_advisory_unlock* seen */
	size_t col_at;		/* col is the column of s[col_at] */
	int col;
};

/* Index of the first keyword of each letter, ARRAY_LEN() for none. */
static unsigned char split_kw_first[26];
static bool split_kw_ready;

static enum split_kw
split_kw_lookup(const char *w, size_t n)
{
	unsigned char c0;
	size_t i;

	if (!split_kw_ready) {
		for (i = ARRAY_LEN(split_kws); i > 0; i--)
			split_kw_first[split_kws[i - 1].name[0] - 'a'] =
			    (unsigned char)(i - 1);
		for (i = 0; i < 26; i++)
			if ((size_t)split_kws[split_kw_first[i]].name[0] !=
			    'a' + i)
				split_kw_first[i] = ARRAY_LEN(split_kws);
		split_kw_ready = true;
	}
	if (n < 2)
		return KW_NONE;
	c0 = (unsigned char)(w[0] | 0x20);	/* ASCII lower case */
	if (c0 < 'a' || c0 > 'z')
		return KW_NONE;
	for (i = split_kw_first[c0 - 'a']; i < ARRAY_LEN(split_kws) &&
	    split_kws[i].name[0] == c0; i++)
		if (split_kws[i].len == n &&
		    strncasecmp(split_kws[i].name, w, n) == 0)
			return split_kws[i].kw;
	return KW_NONE;
}

/* Upper-case name of kw, for messages. */
static const char *
split_kw_name(enum split_kw kw)
{
	switch (kw) {
	case KW_ABORT:
		return "ABORT";
	case KW_BEGIN:
		return "BEGIN";
	case KW_COMMIT:
		return "COMMIT";
	case KW_END:
		return "END";
	case KW_RELEASE:
		return "RELEASE";
	case KW_ROLLBACK:
		return "ROLLBACK";
	case KW_SAVEPOINT:
		return "SAVEPOINT";
	case KW_START:
		return "START TRANSACTION";
	case KW_PREPARE:
		return "PREPARE TRANSACTION";
	case KW_UNLOCK:
		return "pg_advisory_unlock";
	case KW_UNLOCK_ALL:
		return "pg_advisory_unlock_all";
	case KW_UNLOCK_SHARED:
		return "pg_advisory_unlock_shared";
	default:
		return "?";
	}
}

static void MIG_PRINTF(3, 4)
split_diag(struct split_state *st, int line, const char *fmt, ...)
{
	va_list ap;
	char *msg;

	st->ndiags++;
	if (st->ndiags > SPLIT_MAX_DIAGS + 1)
		return;
	if (st->ndiags == SPLIT_MAX_DIAGS + 1) {
		mdiag_add(st->diags, st->file, line,
		    "too many errors, the rest of this section is not checked");
		return;
	}
	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	mdiag_add(st->diags, st->file, line, "%s", msg);
	free(msg);
}

static bool
split_ident_start(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c >= 0x80;
}

static bool
split_ident_cont(unsigned char c)
{
	return split_ident_start(c) || (c >= '0' && c <= '9') || c == '$';
}

static bool
split_blank(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Skip a -- comment, up to (not over) the newline. */
static void
split_line_comment(struct split_state *st)
{
	const char *nl;

	nl = memchr(st->s + st->i, '\n', st->len - st->i);
	st->i = nl != NULL ? (size_t)(nl - st->s) : st->len;
}

/* Skip a nested block comment starting at s[i] == '/', s[i+1] == '*'. */
static void
split_block_comment(struct split_state *st)
{
	int open_line = st->line;
	size_t depth = 1;

	st->i += 2;
	while (st->i < st->len) {
		char c = st->s[st->i];

		if (c == '\n')
			st->line++;
		else if (c == '/' && st->i + 1 < st->len &&
		    st->s[st->i + 1] == '*') {
			depth++;
			st->i++;
		} else if (c == '*' && st->i + 1 < st->len &&
		    st->s[st->i + 1] == '/') {
			st->i += 2;
			if (--depth == 0)
				return;
			continue;
		}
		st->i++;
	}
	split_diag(st, open_line, "unterminated /* comment");
}

/*
 * Skip a quoted token starting at s[i] == q: doubled quotes stand for one,
 * and with backslash (E'' strings) a backslash escapes the next byte.
 */
static void
split_quoted(struct split_state *st, char q, bool backslash)
{
	int open_line = st->line;

	st->i++;
	while (st->i < st->len) {
		char c = st->s[st->i];

		if (c == '\n')
			st->line++;
		else if (c == '\\' && backslash && st->i + 1 < st->len) {
			if (st->s[st->i + 1] == '\n')
				st->line++;
			st->i++;
		} else if (c == q) {
			if (st->i + 1 < st->len && st->s[st->i + 1] == q)
				st->i++;
			else {
				st->i++;
				return;
			}
		}
		st->i++;
	}
	if (q == '"')
		split_diag(st, open_line, "unterminated quoted identifier");
	else
		split_diag(st, open_line, "unterminated quoted string");
}

/* Length of the $tag$ delimiter at s[i] (including both '$'), or 0. */
static size_t
split_dollar_delim(const struct split_state *st)
{
	size_t j = st->i + 1;

	if (j < st->len && st->s[j] != '$') {
		if (!split_ident_start((unsigned char)st->s[j]))
			return 0;
		while (j < st->len && st->s[j] != '$' &&
		    split_ident_cont((unsigned char)st->s[j]))
			j++;
	}
	if (j >= st->len || st->s[j] != '$')
		return 0;
	return j + 1 - st->i;
}

/*
 * Skip a dollar-quoted string whose delimiter (dlen bytes) is at s[i]. A
 * comparison stops at the first mismatch and the tag holds no '$', so each
 * attempt ends before the next '$': the scan stays linear.
 */
static void
split_dollar(struct split_state *st, size_t dlen)
{
	const char *delim = st->s + st->i;
	int open_line = st->line;
	size_t k;

	st->i += dlen;
	while (st->i < st->len) {
		char c = st->s[st->i];

		if (c == '\n')
			st->line++;
		else if (c == '$' && st->len - st->i >= dlen) {
			for (k = 1; k < dlen; k++)
				if (st->s[st->i + k] != delim[k])
					break;
			if (k == dlen) {
				st->i += dlen;
				return;
			}
		}
		st->i++;
	}
	/* Quote the tag when it is short and ASCII (messages stay UTF-8). */
	for (k = 0; k < dlen && k <= 40; k++)
		if ((unsigned char)delim[k] >= 0x80)
			break;
	if (k == dlen)
		split_diag(st, open_line, "unterminated dollar-quoted string "
		    "%.*s", (int)dlen, delim);
	else
		split_diag(st, open_line, "unterminated dollar-quoted string");
}

static void
split_begin_stmt(struct split_state *st)
{
	st->in_stmt = true;
	st->start = st->i;
	st->start_line = st->line;
	st->ntok = 0;
	st->first = st->second = st->prev = KW_NONE;
	st->paren = 0;
	st->paren_line = 0;
	st->routine = SPLIT_ROUTINE_NONE;
	st->atomic = 0;
	st->atomic_line = 0;
	st->copy = SPLIT_COPY_NONE;
	st->unlock = KW_NONE;
}

/* Account for a word (kw) outside quotes and comments. */
static void
split_word_kw(struct split_state *st, enum split_kw kw)
{
	if (kw == KW_UNLOCK || kw == KW_UNLOCK_ALL || kw == KW_UNLOCK_SHARED) {
		if (st->unlock == KW_NONE)
			st->unlock = kw;
		return;
	}
	if (st->ntok == 0)
		st->first = kw;
	else if (st->ntok == 1)
		st->second = kw;
	if (st->atomic > 0) {
		if (kw == KW_CASE)
			st->atomic++;
		else if (kw == KW_END)
			st->atomic--;
		return;
	}
	if (st->paren > 0)
		return;
	if (st->first == KW_COPY && st->prev == KW_FROM && kw == KW_STDIN)
		st->copy = SPLIT_COPY_STDIN;
	else if (st->first == KW_COPY && st->prev == KW_TO && kw == KW_STDOUT)
		st->copy = SPLIT_COPY_STDOUT;
	else if (st->first == KW_CREATE &&
	    (kw == KW_FUNCTION || kw == KW_PROCEDURE) &&
	    (st->ntok == 1 || (st->ntok == 3 && st->second == KW_OR &&
	    st->prev == KW_REPLACE)))
		st->routine = SPLIT_ROUTINE_NAME;
	else if (st->routine == SPLIT_ROUTINE_SIG && st->prev == KW_BEGIN &&
	    kw == KW_ATOMIC) {
		st->atomic = 1;
		st->atomic_line = st->line;
	}
}


/*
 * Read a word at s[i] and return its keyword. Returns false when the word
 * was the E of an E'' string (read as a whole; it is not a word).
 */
static bool
split_word(struct split_state *st, enum split_kw *kw)
{
	size_t start = st->i, n;

	while (st->i < st->len && split_ident_cont((unsigned char)st->s[st->i]))
		st->i++;
	n = st->i - start;
	if (n == 1 && (st->s[start] == 'E' || st->s[start] == 'e') &&
	    st->i < st->len && st->s[st->i] == '\'') {
		split_quoted(st, '\'', true);
		*kw = KW_NONE;
		return false;
	}
	*kw = split_kw_lookup(st->s + start, n);
	return true;
}

/* A "quoted identifier": only an exact pg_advisory_unlock* name matters. */
static void
split_quoted_ident(struct split_state *st)
{
	size_t start = st->i + 1, n;
	enum split_kw kw;

	split_quoted(st, '"', false);
	if (st->i < start + 1 || st->s[st->i - 1] != '"')
		return;
	n = st->i - 1 - start;
	kw = split_kw_lookup(st->s + start, n);
	if ((kw == KW_UNLOCK || kw == KW_UNLOCK_ALL ||
	    kw == KW_UNLOCK_SHARED) &&
	    memcmp(st->s + start, split_kw_name(kw), n) == 0 &&
	    st->unlock == KW_NONE)
		st->unlock = kw;
}

/* Read the significant token at s[i], starting a statement if needed. */
static void
split_token(struct split_state *st)
{
	unsigned char c = (unsigned char)st->s[st->i];
	enum split_kw kw = KW_NONE;
	size_t dlen;

	if (!st->in_stmt)
		split_begin_stmt(st);
	if (split_ident_start(c)) {
		if (split_word(st, &kw))
			split_word_kw(st, kw);
	} else if (c == '\'')
		split_quoted(st, '\'', false);
	else if (c == '"')
		split_quoted_ident(st);
	else if (c == '$' && (dlen = split_dollar_delim(st)) > 0)
		split_dollar(st, dlen);
	else if (c == '$' || (c >= '0' && c <= '9')) {
		/* $1 parameter or number: digits, letters, '_' and '.'. */
		st->i++;
		while (st->i < st->len &&
		    (split_ident_start((unsigned char)st->s[st->i]) ||
		    (st->s[st->i] >= '0' && st->s[st->i] <= '9') ||
		    st->s[st->i] == '.'))
			st->i++;
	} else {
		if (c == '(' && st->paren++ == 0)
			st->paren_line = st->line;
		else if (c == ')' && st->paren > 0 && --st->paren == 0 &&
		    st->routine == SPLIT_ROUTINE_NAME)
			st->routine = SPLIT_ROUTINE_SIG;
		st->i++;
	}
	st->prev = kw;
	st->ntok++;
	st->sig_end = st->i;
}

/*
 * A '\' outside quotes and comments: psql reads a backslash command there,
 * at the start of a line or after a statement (SELECT ... \gexec), and
 * PostgreSQL's grammar has no such token. Report it and skip the line, as
 * psql takes the rest of the line as the command's arguments.
 */
static void
split_backslash(struct split_state *st)
{
	size_t j = st->i + 1;

	while (j < st->len && j - st->i <= 16 &&
	    st->s[j] > ' ' && st->s[j] < 0x7f)
		j++;
	split_diag(st, st->line,
	    "psql backslash command \\%.*s is not allowed in a migration",
	    (int)(j - st->i - 1), st->s + st->i + 1);
	split_line_comment(st);
}

/* Report what the finished statement may not do. */
static void
split_check_stmt(struct split_state *st)
{
	int line = st->start_line;

	switch (st->first) {
	case KW_ABORT:
	case KW_BEGIN:
	case KW_COMMIT:
	case KW_END:
	case KW_RELEASE:
	case KW_ROLLBACK:
	case KW_SAVEPOINT:
		split_diag(st, line, "transaction control statement %s is "
		    "not allowed in a migration", split_kw_name(st->first));
		break;
	case KW_START:
	case KW_PREPARE:
		if (st->second == KW_TRANSACTION)
			split_diag(st, line, "transaction control statement "
			    "%s is not allowed in a migration",
			    split_kw_name(st->first));
		break;
	case KW_DISCARD:
		if (st->second == KW_ALL)
			split_diag(st, line,
			    "DISCARD ALL is not allowed in a migration");
		break;
	default:
		break;
	}
	if (st->copy == SPLIT_COPY_STDIN)
		split_diag(st, line, "COPY ... FROM STDIN is not allowed in a "
		    "migration (no data can be sent)");
	else if (st->copy == SPLIT_COPY_STDOUT)
		split_diag(st, line, "COPY ... TO STDOUT is not allowed in a "
		    "migration (nothing would read the data)");
	if (st->unlock != KW_NONE)
		split_diag(st, line, "%s() is not allowed in a migration (it "
		    "would release the migration lock)",
		    split_kw_name(st->unlock));
}

/* Store the statement ending before s[end], trailing blanks trimmed. */
static void
split_end_stmt(struct split_state *st, size_t end)
{
	struct split_list *l = st->out;
	struct split_stmt *stmt;

	while (end > st->start &&
	    (split_blank(st->s[end - 1]) || st->s[end - 1] == '\n'))
		end--;
	if (l->n == l->cap) {
		l->cap = l->cap != 0 ? l->cap * 2 : 4;
		l->v = xreallocarray(l->v, l->cap, sizeof *l->v);
	}
	stmt = &l->v[l->n++];
	stmt->len = end - st->start;
	stmt->sql = st->a != NULL ? arena_strndup(st->a, st->s + st->start,
	    stmt->len) : xmemdup(st->s + st->start, stmt->len);
	stmt->line = st->start_line;
	/* Column: carried forward from the last statement (stays O(n)). */
	for (; st->col_at < st->start; st->col_at++) {
		if (st->s[st->col_at] == '\n')
			st->col = 1;
		else if (((unsigned char)st->s[st->col_at] & 0xc0) != 0x80)
			st->col++;
	}
	stmt->col = st->col;
	split_check_stmt(st);
	st->in_stmt = false;
}

static void
split_step(struct split_state *st)
{
	char c = st->s[st->i];
	char next = st->i + 1 < st->len ? st->s[st->i + 1] : '\0';

	if (c == '\n') {
		st->line++;
		st->i++;
	} else if (split_blank((unsigned char)c))
		st->i++;
	else if (c == '-' && next == '-')
		split_line_comment(st);
	else if (c == '/' && next == '*')
		split_block_comment(st);
	else if (c == '\\')
		split_backslash(st);
	else if (c == ';' && st->atomic == 0 && st->paren == 0) {
		if (st->in_stmt)
			split_end_stmt(st, st->i);
		st->i++;
	} else
		split_token(st);
}

int
split_sql(const char *file, const char *text, size_t len, int first_line,
    struct split_list *out, struct mdiag_list *diags)
{
	return split_sql_in(NULL, file, text, len, first_line, out, diags);
}

int
split_sql_in(struct arena *a, const char *file, const char *text, size_t len,
    int first_line, struct split_list *out, struct mdiag_list *diags)
{
	struct split_list tmp = { 0 };
	struct split_state st;

	memset(out, 0, sizeof *out);
	memset(&st, 0, sizeof st);
	st.a = a;
	st.file = file;
	st.s = text;
	st.len = len;
	st.line = first_line;
	st.col = 1;
	/*
	 * In an arena, the array is made to measure at the end, aligned for
	 * its type only (24-byte elements: arena_alloc() would round a
	 * one-statement array up to 32).
	 */
	st.out = a != NULL ? &tmp : out;
	st.diags = diags;
	while (st.i < st.len)
		split_step(&st);
	if (st.in_stmt) {
		if (st.paren > 0)
			split_diag(&st, st.paren_line, "unclosed parenthesis "
			    "(the statement runs to the end of the section)");
		if (st.atomic > 0)
			split_diag(&st, st.atomic_line,
			    "unterminated BEGIN ATOMIC body (no matching END)");
		split_end_stmt(&st, st.sig_end);
	}
	if (a != NULL && tmp.n > 0) {
		out->v = arena_alloc_align(a, tmp.n * sizeof *out->v,
		    alignof(struct split_stmt));
		memcpy(out->v, tmp.v, tmp.n * sizeof *out->v);
		out->n = out->cap = tmp.n;
	}
	free(tmp.v);
	return st.ndiags > 0 ? -EINVAL : 0;
}

void
split_list_clear(struct split_list *l)
{
	size_t i;

	if (l == NULL)
		return;
	for (i = 0; i < l->n; i++)
		free(l->v[i].sql);
	free(l->v);
	memset(l, 0, sizeof *l);
}

/*
 * Characters are counted as the bytes that do not continue a UTF-8
 * sequence (0x80-0xbf), which also copes with invalid UTF-8.
 */
int
split_pos_to_line(const char *sql, size_t len, int first_line, int pos)
{
	int line = first_line, nchar = 0;
	size_t i;

	if (sql == NULL || pos <= 0)
		return first_line;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)sql[i];

		if ((c & 0xc0) != 0x80 && ++nchar == pos)
			break;
		if (c == '\n')
			line++;
	}
	return line;
}

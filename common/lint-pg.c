/* SPDX-License-Identifier: MIT */
/* lint-pg.c: libpg_query glue: parse, walk, names, scan, positions. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "lint-int.h"
#include "utf8.h"

/*
 * Statements are parsed one at a time with pg_query_parse_protobuf() and
 * unpacked into the generated protobuf-c structs (doc/lint.md §2), in an
 * arena: a tree is freed at once, not node by node. Node locations are
 * byte offsets into the statement; libpg_query's error cursor counts
 * characters, as PostgreSQL's does.
 */

/* Byte offset of 1-based character position pos in s, or -1. */
static int
lint_pg_char_to_byte(const char *s, size_t len, int pos)
{
	int nchar = 0;
	size_t i;

	if (pos <= 0)
		return -1;
	for (i = 0; i < len; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && ++nchar == pos)
			return (int)i;
	return -1;
}

static void *
lint_pg_arena_alloc(void *arg, size_t n)
{
	return arena_alloc(arg, n);
}

static void
lint_pg_arena_free(void *arg, void *p)
{
	(void)arg;
	(void)p;		/* freed with the arena */
}

/*
 * pg_query_parse_protobuf() builds the tree as protobuf-c structs, packs
 * them into the wire format, and we unpacked that into the same structs:
 * the packing and unpacking were three quarters of a parse (callgrind,
 * doc/performance.md). When libpg_query is linked statically, configure
 * links with --wrap of the two calls that pack the result (PG_QUERY_WRAP),
 * so the tree is copied into the arena straight from libpg_query's structs
 * while they exist, and nothing is packed. Elsewhere (a shared libpg_query,
 * or a version that packs in another way) lint_pg_copied stays NULL and
 * the packed result is unpacked as before.
 */
static struct arena *lint_pg_into;	/* while parsing: copy into this */
static const PgQuery__ParseResult *lint_pg_copied_from;
static PgQuery__ParseResult *lint_pg_copied;
unsigned long lint_pg_ncopied;		/* trees copied (tests) */

static ProtobufCMessage *lint_pg_copy(struct arena *a,
    const ProtobufCMessage *m);

/* Element size of a field's type in a struct (or a repeated array). */
static size_t
lint_pg_type_size(ProtobufCType t)
{
	switch (t) {
	case PROTOBUF_C_TYPE_INT64:
	case PROTOBUF_C_TYPE_SINT64:
	case PROTOBUF_C_TYPE_SFIXED64:
	case PROTOBUF_C_TYPE_UINT64:
	case PROTOBUF_C_TYPE_FIXED64:
		return sizeof(uint64_t);
	case PROTOBUF_C_TYPE_DOUBLE:
		return sizeof(double);
	case PROTOBUF_C_TYPE_FLOAT:
		return sizeof(float);
	case PROTOBUF_C_TYPE_BOOL:
		return sizeof(protobuf_c_boolean);
	case PROTOBUF_C_TYPE_STRING:
		return sizeof(char *);
	case PROTOBUF_C_TYPE_BYTES:
		return sizeof(ProtobufCBinaryData);
	case PROTOBUF_C_TYPE_MESSAGE:
		return sizeof(ProtobufCMessage *);
	default:
		return sizeof(uint32_t);	/* 32-bit integers, enums */
	}
}

/* Make the value at p (of type t) point into a: strings, bytes, messages. */
static void
lint_pg_copy_value(struct arena *a, ProtobufCType t, void *p)
{
	ProtobufCBinaryData *b;
	ProtobufCMessage *msg;
	char *str;
	void *v;

	if (t == PROTOBUF_C_TYPE_STRING) {
		memcpy(&str, p, sizeof str);
		if (str != NULL && str != protobuf_c_empty_string)
			str = arena_strdup(a, str);
		memcpy(p, &str, sizeof str);
	} else if (t == PROTOBUF_C_TYPE_BYTES) {
		b = p;
		if (b->len > 0) {
			v = arena_alloc(a, b->len);
			memcpy(v, b->data, b->len);
			b->data = v;
		}
	} else if (t == PROTOBUF_C_TYPE_MESSAGE) {
		memcpy(&msg, p, sizeof msg);
		if (msg != NULL)
			msg = lint_pg_copy(a, msg);
		memcpy(p, &msg, sizeof msg);
	}
}

/*
 * The last field of the run of oneof members that starts at field i of d
 * (the fields after it with its quantifier), remembered for a few runs:
 * a Node's run is ~250 fields long.
 */
static size_t
lint_pg_oneof_end(const ProtobufCMessageDescriptor *d, size_t i)
{
	static struct {
		const ProtobufCMessageDescriptor *d;
		size_t i, end;
	} memo[16];
	size_t h = (((uintptr_t)d >> 4) ^ i) & 15, end = i;
	unsigned q = d->fields[i].quantifier_offset;

	if (memo[h].d == d && memo[h].i == i)
		return memo[h].end;
	while (end + 1 < d->n_fields && (d->fields[end + 1].flags &
	    PROTOBUF_C_FIELD_FLAG_ONEOF) != 0 &&
	    d->fields[end + 1].quantifier_offset == q)
		end++;
	memo[h].d = d;
	memo[h].i = i;
	memo[h].end = end;
	return end;
}

/* A deep copy of m in a, as protobuf-c's unpack would have made it. */
static ProtobufCMessage *
lint_pg_copy(struct arena *a, const ProtobufCMessage *m)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const ProtobufCFieldDescriptor *f;
	unsigned char *c = arena_alloc(a, d->sizeof_message);
	size_t i, k, n, sz;
	uint32_t oneof;
	unsigned q;
	void *v, *nv;

	memcpy(c, m, d->sizeof_message);
	((ProtobufCMessage *)(void *)c)->n_unknown_fields = 0;
	((ProtobufCMessage *)(void *)c)->unknown_fields = NULL;
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0) {
			/*
			 * A Node is a oneof of ~250 members: go to the one
			 * set, skip the run of the others (a member outside
			 * the run would only be copied again).
			 */
			q = f->quantifier_offset;
			memcpy(&oneof, c + q, sizeof oneof);
			i = lint_pg_oneof_end(d, i);
			if (oneof == 0 || (f =
			    protobuf_c_message_descriptor_get_field(d,
			    oneof)) == NULL || (f->flags &
			    PROTOBUF_C_FIELD_FLAG_ONEOF) == 0 ||
			    f->quantifier_offset != q)
				continue;
		}
		if (f->label != PROTOBUF_C_LABEL_REPEATED) {
			lint_pg_copy_value(a, f->type, c + f->offset);
			continue;
		}
		memcpy(&n, c + f->quantifier_offset, sizeof n);
		memcpy(&v, c + f->offset, sizeof v);
		if (n == 0 || v == NULL)
			continue;
		sz = lint_pg_type_size(f->type);
		nv = arena_alloc(a, n * sz);
		memcpy(nv, v, n * sz);
		for (k = 0; k < n; k++)
			lint_pg_copy_value(a, f->type, (unsigned char *)nv +
			    k * sz);
		memcpy(c + f->offset, &nv, sizeof nv);
	}
	return (ProtobufCMessage *)(void *)c;
}

/*
 * --wrap targets (PG_QUERY_WRAP): libpg_query asks the size of the result,
 * then packs it. While lint_pg_parse() runs, the size call copies the tree
 * and answers 0, and the pack of that same tree writes nothing. Otherwise
 * both do what protobuf-c's generated functions do.
 */
size_t __wrap_pg_query__parse_result__get_packed_size(
    const PgQuery__ParseResult *m);
size_t __wrap_pg_query__parse_result__pack(const PgQuery__ParseResult *m,
    uint8_t *out);

size_t
__wrap_pg_query__parse_result__get_packed_size(const PgQuery__ParseResult *m)
{
	if (lint_pg_into == NULL || lint_pg_copied_from != NULL)
		return protobuf_c_message_get_packed_size(&m->base);
	lint_pg_copied = (PgQuery__ParseResult *)(void *)lint_pg_copy(
	    lint_pg_into, &m->base);
	lint_pg_copied_from = m;
	return 0;
}

size_t
__wrap_pg_query__parse_result__pack(const PgQuery__ParseResult *m,
    uint8_t *out)
{
	if (m == lint_pg_copied_from && lint_pg_copied != NULL)
		return 0;
	return protobuf_c_message_pack(&m->base, out);
}

/*
 * libpg_query's message quotes the input near the error and may cut a
 * multi-byte character in two: each byte of an invalid sequence becomes
 * '?', so that the message is valid UTF-8 (JSON, SARIF, the log).
 */
static void
lint_pg_valid_utf8(char *m)
{
	size_t n = strlen(m), i = 0, k;

	while (i < n) {
		if ((k = utf8_seq((const unsigned char *)m + i, n - i)) == 0) {
			m[i++] = '?';
			continue;
		}
		i += k;
	}
}

PgQuery__ParseResult *
lint_pg_parse(struct arena *a, const char *sql, char **msg, int *pos)
{
	ProtobufCAllocator al = { lint_pg_arena_alloc, lint_pg_arena_free,
	    a };
	PgQueryProtobufParseResult r;
	PgQuery__ParseResult *t = NULL;

	*msg = NULL;
	*pos = -1;
	lint_pg_into = a;
	lint_pg_copied_from = NULL;
	lint_pg_copied = NULL;
	r = pg_query_parse_protobuf(sql);
	lint_pg_into = NULL;
	if (r.error != NULL) {
		*msg = xstrdup(r.error->message != NULL ? r.error->message :
		    "syntax error");
		lint_pg_valid_utf8(*msg);
		*pos = lint_pg_char_to_byte(sql, strlen(sql),
		    r.error->cursorpos);
	} else if (lint_pg_copied != NULL) {
		t = lint_pg_copied;
		lint_pg_ncopied++;
	} else {
		t = pg_query__parse_result__unpack(&al, r.parse_tree.len,
		    (const uint8_t *)r.parse_tree.data);
		if (t == NULL)
			*msg = xstrdup("cannot read libpg_query's parse tree");
	}
	lint_pg_copied_from = NULL;
	lint_pg_copied = NULL;
	pg_query_free_protobuf_parse_result(r);
	return t;
}

/* ---- trees kept between the passes over a plan ---- */

struct lint_trees {
	struct arena a;		/* the trees */
	size_t budget;		/* bytes of a beyond which none is kept */
	const char **key;	/* statement text (by address) */
	PgQuery__ParseResult **tree;
	size_t cap, n;		/* open addressing, cap a power of 2 */
};

#define LINT_TREES_BLOCK (256 * 1024)

struct lint_trees *
lint_trees_new(size_t budget)
{
	struct lint_trees *t = xcalloc(1, sizeof *t);

	t->a = (struct arena)ARENA_INIT(LINT_TREES_BLOCK);
	t->budget = budget;
	return t;
}

void
lint_trees_free(struct lint_trees *t)
{
	if (t == NULL)
		return;
	arena_clear(&t->a);
	free(t->key);
	free(t->tree);
	free(t);
}

static size_t
lint_trees_slot(const struct lint_trees *t, const char *sql)
{
	size_t i = (size_t)(((uintptr_t)sql >> 3) * 0x9e3779b97f4a7c15ULL);

	for (i &= t->cap - 1; t->key[i] != NULL && t->key[i] != sql;
	    i = (i + 1) & (t->cap - 1))
		;
	return i;
}

static void
lint_trees_grow(struct lint_trees *t)
{
	const char **key = t->key;
	PgQuery__ParseResult **tree = t->tree;
	size_t i, j, cap = t->cap;

	t->cap = cap != 0 ? cap * 2 : 64;
	t->key = xcalloc(t->cap, sizeof *t->key);
	t->tree = xcalloc(t->cap, sizeof *t->tree);
	for (i = 0; i < cap; i++)
		if (key[i] != NULL) {
			j = lint_trees_slot(t, key[i]);
			t->key[j] = key[i];
			t->tree[j] = tree[i];
		}
	free(key);
	free(tree);
}

PgQuery__ParseResult *
lint_trees_parse(struct lint_trees *t, struct arena *scratch,
    const char *sql, char **msg, int *pos)
{
	PgQuery__ParseResult *r;
	size_t i;

	if (t == NULL)
		return lint_pg_parse(scratch, sql, msg, pos);
	if (t->n > 0 && t->key[i = lint_trees_slot(t, sql)] != NULL) {
		*msg = NULL;
		*pos = -1;
		return t->tree[i];
	}
	if (arena_bytes(&t->a) >= t->budget)
		return lint_pg_parse(scratch, sql, msg, pos);
	if ((r = lint_pg_parse(&t->a, sql, msg, pos)) == NULL)
		return NULL;	/* parsed again, with its message */
	if (2 * (t->n + 1) > t->cap)
		lint_trees_grow(t);
	i = lint_trees_slot(t, sql);
	t->key[i] = sql;
	t->tree[i] = r;
	t->n++;
	return r;
}

/*
 * Node types by their descriptor: a RangeVar or TypeName held directly in
 * a typed field (IndexStmt.relation) is a plain message, not a Node; the
 * walker wraps it in a Node on the stack so callbacks see every node.
 */
struct lint_pg_kind {
	const ProtobufCMessageDescriptor *d;
	const ProtobufCFieldDescriptor *f;	/* its member of Node */
};

static struct lint_pg_kind *lint_pg_kinds;
static size_t lint_pg_nkinds;

static int
lint_pg_kind_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)((const struct lint_pg_kind *)a)->d;
	uintptr_t y = (uintptr_t)((const struct lint_pg_kind *)b)->d;

	return x < y ? -1 : x > y;
}

static const struct lint_pg_kind *
lint_pg_kind_of(const ProtobufCMessageDescriptor *d)
{
	const ProtobufCMessageDescriptor *nd = &pg_query__node__descriptor;
	struct lint_pg_kind key = { d, NULL };
	size_t i;

	if (lint_pg_kinds == NULL) {
		lint_pg_kinds = xcalloc(nd->n_fields, sizeof *lint_pg_kinds);
		for (i = 0; i < nd->n_fields; i++)
			if (nd->fields[i].type == PROTOBUF_C_TYPE_MESSAGE) {
				lint_pg_kinds[lint_pg_nkinds].d =
				    nd->fields[i].descriptor;
				lint_pg_kinds[lint_pg_nkinds++].f =
				    &nd->fields[i];
			}
		qsort(lint_pg_kinds, lint_pg_nkinds, sizeof *lint_pg_kinds,
		    lint_pg_kind_cmp);
	}
	return bsearch(&key, lint_pg_kinds, lint_pg_nkinds,
	    sizeof *lint_pg_kinds, lint_pg_kind_cmp);
}

/* Call fn on m as a Node: m itself if it is one, else wrapped. */
static bool
lint_pg_visit(const ProtobufCMessage *m, lint_walk_fn *fn, void *arg)
{
	const struct lint_pg_kind *k;
	PgQuery__Node tmp;

	if (m->descriptor == &pg_query__node__descriptor)
		return fn((const PgQuery__Node *)m, arg);
	if ((k = lint_pg_kind_of(m->descriptor)) == NULL)
		return false;
	memset(&tmp, 0, sizeof tmp);
	tmp.base.descriptor = &pg_query__node__descriptor;
	tmp.node_case = (PgQuery__Node__NodeCase)k->f->id;
	memcpy((char *)&tmp + k->f->offset, &m, sizeof m);
	return fn(&tmp, arg);
}

/*
 * Depth-first over every message field, through protobuf-c's descriptors:
 * one walker for all node types. A oneof member is followed only when it
 * is the one set (its case field holds its id).
 */
static bool
lint_pg_walk_msg(const ProtobufCMessage *m, bool visit, lint_walk_fn *fn,
    void *arg)
{
	const ProtobufCMessageDescriptor *d = m->descriptor;
	const ProtobufCFieldDescriptor *f;
	const ProtobufCMessage *c, *const *v;
	const char *base = (const char *)m;
	size_t i, j, n;

	if (visit && lint_pg_visit(m, fn, arg))
		return true;
	if (d == &pg_query__node__descriptor) {
		/* One member of its oneof is set: go to it (of ~250). */
		f = protobuf_c_message_descriptor_get_field(d,
		    ((const PgQuery__Node *)m)->node_case);
		if (f == NULL || f->type != PROTOBUF_C_TYPE_MESSAGE)
			return false;
		memcpy(&c, base + f->offset, sizeof c);
		/* The member was visited as the Node itself. */
		return c != NULL && lint_pg_walk_msg(c, false, fn, arg);
	}
	for (i = 0; i < d->n_fields; i++) {
		f = &d->fields[i];
		if (f->type != PROTOBUF_C_TYPE_MESSAGE)
			continue;
		if (f->label == PROTOBUF_C_LABEL_REPEATED) {
			memcpy(&n, base + f->quantifier_offset, sizeof n);
			memcpy(&v, base + f->offset, sizeof v);
			for (j = 0; j < n; j++)
				if (v[j] != NULL &&
				    lint_pg_walk_msg(v[j], true, fn, arg))
					return true;
			continue;
		}
		if ((f->flags & PROTOBUF_C_FIELD_FLAG_ONEOF) != 0) {
			uint32_t which;

			memcpy(&which, base + f->quantifier_offset,
			    sizeof which);
			if (which != f->id)
				continue;
		}
		memcpy(&c, base + f->offset, sizeof c);
		if (c != NULL && lint_pg_walk_msg(c, true, fn, arg))
			return true;
	}
	return false;
}

bool
lint_pg_walk(const PgQuery__Node *n, lint_walk_fn *fn, void *arg)
{
	if (n == NULL)
		return false;
	return lint_pg_walk_msg(&n->base, true, fn, arg);
}

const char *
lint_pg_str(const PgQuery__Node *n)
{
	if (n == NULL || n->node_case != PG_QUERY__NODE__NODE_STRING)
		return NULL;
	return n->string->sval;
}

const char *
lint_pg_last(PgQuery__Node *const *v, size_t n)
{
	const char *s;

	if (n == 0 || (s = lint_pg_str(v[n - 1])) == NULL)
		return "";
	return s;
}

const char *
lint_pg_schema(PgQuery__Node *const *v, size_t n)
{
	if (n < 2)
		return NULL;
	return lint_pg_str(v[n - 2]);
}

bool
lint_pg_int(const PgQuery__Node *n, int64_t *v)
{
	if (n == NULL)
		return false;
	if (n->node_case == PG_QUERY__NODE__NODE_INTEGER) {
		*v = n->integer->ival;
		return true;
	}
	if (n->node_case == PG_QUERY__NODE__NODE_A_CONST &&
	    !n->a_const->isnull &&
	    n->a_const->val_case == PG_QUERY__A__CONST__VAL_IVAL) {
		*v = n->a_const->ival->ival;
		return true;
	}
	return false;
}

/* A DefElem's argument read as a boolean; an absent one is true. */
static bool
lint_pg_defbool(const PgQuery__Node *arg)
{
	const char *s = NULL;
	int64_t i;

	if (arg == NULL)
		return true;
	if (lint_pg_int(arg, &i))
		return i != 0;
	if (arg->node_case == PG_QUERY__NODE__NODE_STRING)
		s = arg->string->sval;
	else if (arg->node_case == PG_QUERY__NODE__NODE_BOOLEAN)
		return arg->boolean->boolval;
	else if (arg->node_case == PG_QUERY__NODE__NODE_A_CONST &&
	    arg->a_const->val_case == PG_QUERY__A__CONST__VAL_SVAL)
		s = arg->a_const->sval->sval;
	else if (arg->node_case == PG_QUERY__NODE__NODE_A_CONST &&
	    arg->a_const->val_case == PG_QUERY__A__CONST__VAL_BOOLVAL)
		return arg->a_const->boolval->boolval;
	if (s == NULL)
		return true;
	return strcasecmp(s, "false") != 0 && strcasecmp(s, "off") != 0 &&
	    strcmp(s, "0") != 0 && strcasecmp(s, "no") != 0;
}

bool
lint_pg_opt(PgQuery__Node *const *v, size_t n, const char *name)
{
	const PgQuery__DefElem *d;
	size_t i;

	for (i = 0; i < n; i++) {
		if (v[i]->node_case != PG_QUERY__NODE__NODE_DEF_ELEM)
			continue;
		d = v[i]->def_elem;
		if (strcasecmp(d->defname, name) == 0)
			return lint_pg_defbool(d->arg);
	}
	return false;
}

static bool
lint_pg_identch(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9') || c == '_' || c == '$' || c >= 0x80;
}

/* Worth scanning: a run of 64 identifier bytes, or a quoted identifier. */
static bool
lint_pg_may_have_long(const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		if (s[i] == '"')
			return true;
		run = lint_pg_identch((unsigned char)s[i]) ? run + 1 : 0;
		if (run > 63)
			return true;
	}
	return false;
}

/* Bytes of the identifier token text[0..n) once its quotes are undone. */
static size_t
lint_pg_ident_bytes(const char *t, size_t n)
{
	size_t i, b = 0;

	if (n < 2 || t[0] != '"')
		return n;
	for (i = 1; i + 1 < n; i++) {
		if (t[i] == '"' && t[i + 1] == '"')
			i++;
		b++;
	}
	return b;
}

void
lint_pg_long_idents(const char *sql, size_t len,
    void (*fn)(void *arg, int loc, size_t bytes), void *arg)
{
	PgQueryScanResult r;
	PgQuery__ScanResult *s;
	const PgQuery__ScanToken *t;
	size_t i, b;

	if (!lint_pg_may_have_long(sql, len))
		return;
	r = pg_query_scan(sql);
	if (r.error == NULL && (s = pg_query__scan_result__unpack(NULL,
	    r.pbuf.len, (const uint8_t *)r.pbuf.data)) != NULL) {
		for (i = 0; i < s->n_tokens; i++) {
			t = s->tokens[i];
			if (t->token != PG_QUERY__TOKEN__IDENT ||
			    t->start < 0 || t->end <= t->start ||
			    (size_t)t->end > len)
				continue;
			b = lint_pg_ident_bytes(sql + t->start,
			    (size_t)(t->end - t->start));
			if (b > 63)
				fn(arg, t->start, b);
		}
		pg_query__scan_result__free_unpacked(s, NULL);
	}
	pg_query_free_scan_result(r);
}

void
lint_pg_locate(const struct lint_cur *c, int loc, int *line, int *col)
{
	size_t i, end;

	*line = c->line;
	*col = c->col;
	if (loc <= 0)
		return;
	end = (size_t)loc < c->len ? (size_t)loc : c->len;
	for (i = 0; i < end; i++) {
		if (c->sql[i] == '\n') {
			(*line)++;
			*col = 1;
		} else if (((unsigned char)c->sql[i] & 0xc0) != 0x80)
			(*col)++;
	}
}

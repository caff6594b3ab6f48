/* SPDX-License-Identifier: MIT */
/* catalog.h: a database's schema objects as a comparable model. */
#ifndef MIGRATED_CATALOG_H
#define MIGRATED_CATALOG_H

#include <stdbool.h>
#include <stddef.h>
#include <libpq-fe.h>

#include "merr.h"

/*
 * Reading a catalog (doc/autogenerate.md §3): send catalog_begin_sql,
 * catalog_settings_sql, then every catalog_queries[i].sql and
 * catalog_deps_sql, each with one parameter $1 of type text[] (the excluded
 * state tables as pairs of schema and table names, unquoted: {s,t,s,t};
 * type oid CATALOG_PARAM_TYPE), feeding the results to catalog_add_rows() and
 * catalog_add_deps(), then end the transaction and catalog_finish(). The
 * SQL is constant, so a blocking and an asynchronous caller share it.
 */
struct catalog_query {
	const char *name;	/* object family, for messages */
	const char *sql;
};
extern const struct catalog_query catalog_queries[];	/* NULL-terminated */
extern const char catalog_deps_sql[];
extern const char catalog_begin_sql[];
extern const char catalog_settings_sql[];
#define CATALOG_PARAM_TYPE 1009	/* text[] */

/* Bound on what one database may make us hold. */
#define CATALOG_MAX_OBJECTS 2000000

struct cat_attr {
	char *key;
	char *val;		/* NULL: absent */
};

struct cat_obj {
	char *kind;		/* "table", "column", ... */
	char *id;		/* identity within the kind (quoted names) */
	char *parent;		/* identity of the owning object, or NULL */
	struct cat_attr *attrs;
	size_t nattrs;
	size_t *deps;		/* indexes of objects this one depends on */
	size_t ndeps;
	size_t *rdeps;		/* indexes of objects depending on this one */
	size_t nrdeps;
	char **refs;		/* pg_depend addresses (classid:objid[:sub]) */
	size_t nrefs;
};

struct cat_ref;
struct cat_rawdep;

struct catalog {
	struct cat_obj *objs;	/* sorted by (kind, id) after finish */
	size_t n, cap;
	struct cat_ref *refs;
	size_t nrefs, refcap;
	struct cat_rawdep *raw;
	size_t nraw, rawcap;
	bool finished;
};

/* An empty catalog; free with catalog_free(). */
struct catalog *catalog_new(void);
void catalog_free(struct catalog *cat);

/*
 * Add the objects of one result of catalog_queries (or of the same shape).
 * Returns 0, or -EINVAL with err set when the result is not of that shape
 * or the catalog would exceed CATALOG_MAX_OBJECTS.
 */
int catalog_add_rows(struct catalog *cat, const PGresult *res,
    struct merr *err) MIG_MUSTCHECK;
/* Add the rows of catalog_deps_sql; same returns. */
int catalog_add_deps(struct catalog *cat, const PGresult *res,
    struct merr *err) MIG_MUSTCHECK;
/*
 * Add one object by hand (tests, synthesized objects): attrs is a list of
 * key, value pairs ending with a NULL key. Returns its index.
 */
size_t catalog_add(struct catalog *cat, const char *kind, const char *id,
    const char *parent, const char *const *attrs);
/*
 * The text[] literal of the NULL-terminated strings v ({"a","b"}, with \
 * and " escaped), for the $1 of the queries; caller frees.
 */
char *catalog_text_array(const char *const *v);
/* Make attribute key information only ("_key"): not compared, not hashed. */
void catalog_hide_attr(struct catalog *cat, const char *key);
/* Sort, index and resolve dependencies; the catalog is read-only after. */
void catalog_finish(struct catalog *cat);

/* The object of that kind and identity, or NULL. */
const struct cat_obj *catalog_find(const struct catalog *cat,
    const char *kind, const char *id);
/* Its index, or (size_t)-1. */
size_t catalog_index(const struct catalog *cat, const char *kind,
    const char *id);
/* The value of attribute key (borrowed), NULL if absent or unknown. */
const char *cat_get(const struct cat_obj *o, const char *key);
/* cat_get() == "t". */
bool cat_true(const struct cat_obj *o, const char *key);
/* True when every compared attribute (not starting with '_') is equal. */
bool cat_obj_equal(const struct cat_obj *a, const struct cat_obj *b);
/* SHA-256 hex of kind, identity and compared attributes. */
void cat_fingerprint(const struct cat_obj *o, char out[65]);

/*
 * Report the differences from a to b, one human-readable line each
 * ("+ table public.t", "- index public.i", "~ column public.t.c: type
 * integer -> bigint"), to emit(arg, line). Returns their number.
 */
size_t catalog_compare(const struct catalog *a, const struct catalog *b,
    void (*emit)(void *arg, const char *line), void *arg);

#endif

/* SPDX-License-Identifier: MIT */
/* revjson.h: revisions as the history op describes them (doc/protocol.md). */
#ifndef MIGRATED_REVJSON_H
#define MIGRATED_REVJSON_H

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

#include "revgraph.h"

/* JSON array of the ids of idx[0..n) (new reference). */
json_t *revjson_ids(const struct revgraph *g, const size_t *idx, size_t n);
/* JSON array of the strings v[0..n) (new reference). */
json_t *revjson_strs(char *const *v, size_t n);
/*
 * Revision k of g: its header, file and place in the graph; applied is
 * 1/0, or -1 when the database was not read (null); current: it is a
 * version row. New reference. The daemon's history op and the offline
 * `migratectl history` build it here, so the two never differ.
 */
json_t *revjson_rev(const struct revgraph *g, size_t k, int applied,
    bool current);

#endif

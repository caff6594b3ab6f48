/* SPDX-License-Identifier: MIT */
/* revjson.c: revisions as the history op describes them (doc/protocol.md). */
#include "config.h"

#include "migfile.h"
#include "revjson.h"

json_t *
revjson_ids(const struct revgraph *g, const size_t *idx, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(g->nodes[idx[i]].id));
	return a;
}

json_t *
revjson_strs(char *const *v, size_t n)
{
	json_t *a = json_array();
	size_t i;

	for (i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

json_t *
revjson_rev(const struct revgraph *g, size_t k, int applied, bool current)
{
	const struct rg_node *nd = &g->nodes[k];
	const struct migfile *mf = nd->mf;
	json_t *o = json_object();

	json_object_set_new(o, "revision", json_string(mf->revision));
	json_object_set_new(o, "down_revision", revjson_strs(mf->down,
	    mf->ndown));
	json_object_set_new(o, "depends_on", revjson_strs(mf->depends_on,
	    mf->ndepends));
	json_object_set_new(o, "branch_labels", revjson_strs(
	    mf->branch_labels, mf->nlabels));
	json_object_set_new(o, "message", json_string(mf->message));
	json_object_set_new(o, "create_date", mf->create_date != NULL ?
	    json_string(mf->create_date) : json_null());
	json_object_set_new(o, "file", json_string(mf->path));
	json_object_set_new(o, "transactional", json_boolean(
	    mf->transactional));
	json_object_set_new(o, "reversible", json_boolean(
	    mf->down_sec.present));
	json_object_set_new(o, "applied", applied < 0 ? json_null() :
	    json_boolean(applied));
	json_object_set_new(o, "is_head", json_boolean(nd->nchildren == 0));
	json_object_set_new(o, "is_current", json_boolean(current));
	json_object_set_new(o, "is_branchpoint", json_boolean(
	    nd->nchildren > 1));
	json_object_set_new(o, "is_mergepoint", json_boolean(
	    nd->nparents > 1));
	json_object_set_new(o, "checksum", json_string(mf->checksum));
	return o;
}

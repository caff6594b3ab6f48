/* SPDX-License-Identifier: MIT */
/* revset.c: a loaded migrations directory, shared by reference. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "revjson.h"

int
revset_load(const char *dir, struct revset **out, struct mdiag_list *diags)
{
	struct dirscan snap = { 0 };
	struct migset *set = NULL;
	struct revgraph *g = NULL;
	struct revset *rs;
	int r;

	/* each file's stat as it was read: a later change shows next time */
	if ((r = migset_load_snap(dir, &set, &snap, diags)) < 0 ||
	    (r = revgraph_build(set, &g, diags)) < 0) {
		migset_free(set);
		dirscan_clear(&snap);
		return r;
	}
	rs = xcalloc(1, sizeof *rs);
	rs->refs = 1;
	rs->set = set;
	rs->g = g;
	rs->snap = snap;
	*out = rs;
	return 0;
}

struct revset *
revset_ref(struct revset *rs)
{
	rs->refs++;
	return rs;
}

void
revset_unref(struct revset *rs)
{
	if (rs == NULL || --rs->refs > 0)
		return;
	revgraph_free(rs->g);
	migset_free(rs->set);
	dirscan_clear(&rs->snap);
	free(rs);
}

size_t *
revset_rows_idx(const struct revset *rs, char *const *rows, size_t nrows,
    size_t *n)
{
	size_t *v, i;
	ssize_t k;

	v = xcalloc(nrows + 1, sizeof *v);
	*n = 0;
	for (i = 0; i < nrows; i++)
		if ((k = revgraph_find(rs->g, rows[i])) >= 0)
			v[(*n)++] = (size_t)k;
	return v;
}

json_t *
revset_ids_json(const struct revset *rs, const size_t *idx, size_t n)
{
	return revjson_ids(rs->g, idx, n);
}

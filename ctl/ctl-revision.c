/* SPDX-License-Identifier: MIT */
/* ctl-revision.c: the revision and merge commands (new migration files). */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "ctl.h"
#include "migfile.h"
#include "output.h"
#include "revgraph.h"
#include "xmalloc.h"

#define CTL_REV_TRIES 16	/* fresh ids tried before giving up */

/* What a new revision file says. */
struct ctl_newrev {
	const char *message;
	json_t *down;		/* ids; empty: none */
	json_t *deps;		/* ids */
	const char *label;	/* NULL: no branch label */
	bool transactional;
};

int
ctl_random_id(char id[13])
{
	unsigned char b[6];
	ssize_t n;
	size_t i;

	do
		n = getrandom(b, sizeof b, 0);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof b)
		return n < 0 ? -errno : -EIO;
	for (i = 0; i < sizeof b; i++)
		snprintf(id + 2 * i, 3, "%02x", b[i]);
	return 0;
}

static void
ctl_header_list(FILE *f, const char *key, const json_t *list,
    const char *empty)
{
	char *s;

	if (json_array_size(list) == 0 && empty == NULL)
		return;
	s = output_revlist(list, empty != NULL ? empty : "");
	fprintf(f, "-- %s: %s\n", key, s);
	free(s);
}

/* The text of a new revision file; caller frees. */
static char *
ctl_rev_text(const char *id, const struct ctl_newrev *nr, size_t *lenp)
{
	char date[64], *text = NULL;
	struct tm tm;
	time_t now;
	FILE *f;

	now = time(NULL);
	gmtime_r(&now, &tm);
	strftime(date, sizeof date, "%Y-%m-%d %H:%M:%S+00", &tm);
	if ((f = open_memstream(&text, lenp)) == NULL)
		fatal("open_memstream: %s", strerror(errno));
	fprintf(f, "-- revision: %s\n", id);
	ctl_header_list(f, "down_revision", nr->down, "none");
	fprintf(f, "-- message: %s\n", nr->message);
	fprintf(f, "-- create_date: %s\n", date);
	ctl_header_list(f, "depends_on", nr->deps, NULL);
	if (nr->label != NULL)
		fprintf(f, "-- branch_labels: %s\n", nr->label);
	if (!nr->transactional)
		fprintf(f, "-- transactional: false\n");
	fprintf(f, "\n-- +upgrade\n\n-- +downgrade\n");
	if (fclose(f) != 0)
		fatal("open_memstream: %s", strerror(errno));
	return text;
}

static int
ctl_write_all(int fd, const char *buf, size_t len)
{
	ssize_t n;

	while (len > 0) {
		n = write(fd, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Put tmp in place as path without replacing anything: 0, -EEXIST. */
static int
ctl_link_new(const char *tmp, const char *path)
{
	if (link(tmp, path) == 0)
		return 0;
	if (errno == EEXIST)
		return -EEXIST;
	/* Filesystems without hard links. */
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, path, RENAME_NOREPLACE) == 0)
		return 1;
	return -errno;
}

/*
 * Write text as dir/name atomically: a temporary dotfile (ignored by the
 * loader), fsync, then link it to the final name, which must not exist.
 * Returns 0, -EEXIST when the name is taken, or another -errno.
 */
int
ctl_write_new(const char *dir, const char *name, const char *text,
    size_t len)
{
	char *tmp, *path;
	mode_t mask;
	int fd, r;

	tmp = xasprintf("%s/.%s.XXXXXX", dir, name);
	path = xasprintf("%s/%s", dir, name);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		r = -errno;
		goto out;
	}
	mask = umask(0);
	umask(mask);
	r = fchmod(fd, 0666 & ~mask) < 0 ? -errno : 0;
	if (r == 0)
		r = ctl_write_all(fd, text, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0)
		r = ctl_link_new(tmp, path);
	if (r != 1)
		(void)unlink(tmp);
	if (r >= 0) {
		r = 0;
		if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
			(void)fsync(fd);
			close(fd);
		}
	}
out:
	free(tmp);
	free(path);
	return r;
}

/* Check the new file's text with the real parser before writing it. */
static enum ctl_exit
ctl_rev_check(const struct ctl_args *a, const char *path, const char *text,
    size_t len)
{
	struct mdiag_list diags = { 0 };
	struct migfile *mf;
	json_t *errors;

	if (migfile_parse(path, text, len, &mf, &diags) == 0) {
		migfile_free(mf);
		return CTL_OK;
	}
	errors = ctl_offline_diags(&diags, true);
	json_decref(errors);
	mdiag_clear(&diags);
	return client_fail(a, CTL_USAGE, "bad_request",
	    "the new revision would not load; nothing written");
}

static void
ctl_rev_report(const struct ctl_args *a, const char *path, const char *id,
    const struct ctl_newrev *nr)
{
	json_t *doc;

	if (a->json) {
		doc = json_pack("{s:b, s:s, s:s, s:O}", "ok", 1, "path", path,
		    "revision", id, "down_revision", nr->down);
		client_print_json(doc);
		json_decref(doc);
	} else if (!a->quiet)
		printf("%s\n", path);
}

/* Write a new revision file in dir with a fresh id. */
static enum ctl_exit
ctl_rev_create(const struct ctl_args *a, const char *dir,
    const struct revgraph *g, const struct ctl_newrev *nr)
{
	char id[13], *slug, *name, *path, *text;
	enum ctl_exit ex = CTL_FAILED;
	size_t len;
	int r = -EEXIST, tries;

	slug = output_slug(nr->message, OUTPUT_SLUG_MAX);
	for (tries = 0; tries < CTL_REV_TRIES && r == -EEXIST; tries++) {
		if ((r = ctl_random_id(id)) < 0)
			break;
		if (revgraph_find(g, id) >= 0) {
			r = -EEXIST;
			continue;
		}
		name = *slug != '\0' ? xasprintf("%s_%s.sql", id, slug) :
		    xasprintf("%s.sql", id);
		path = xasprintf("%s/%s", dir, name);
		text = ctl_rev_text(id, nr, &len);
		if ((ex = ctl_rev_check(a, path, text, len)) == CTL_OK) {
			r = ctl_write_new(dir, name, text, len);
			if (r == 0)
				ctl_rev_report(a, path, id, nr);
		} else
			r = 0;
		free(text);
		free(path);
		free(name);
	}
	free(slug);
	if (r < 0)
		return client_fail(a, CTL_FAILED, "internal",
		    "cannot write a new revision in %s: %s", dir, strerror(-r));
	return ex;
}

/* Load the directory; on errors print them and give the exit code. */
static enum ctl_exit
ctl_rev_load(const struct ctl_args *a, const char *dir, struct migset **set,
    struct revgraph **g)
{
	struct mdiag_list diags = { 0 };
	json_t *errors;

	if (ctl_offline_load(dir, set, g, &diags) == 0)
		return CTL_OK;
	errors = ctl_offline_diags(&diags, true);
	json_decref(errors);
	mdiag_clear(&diags);
	return client_fail(a, CTL_FAILED, "migration_failed",
	    "%s has errors; fix them first (see " OUTPUT_PROG " lint)", dir);
}

/* Resolve spec to revision indices; usage-type exit code on failure. */
static enum ctl_exit
ctl_rev_resolve(const struct ctl_args *a, const struct revgraph *g,
    const char *spec, size_t **out, size_t *nout)
{
	struct merr err = { 0 };
	enum ctl_exit ex;

	if (revgraph_resolve(g, spec, NULL, 0, out, nout, &err) == 0)
		return CTL_OK;
	ex = output_exit_for_code(merr_code_name(err.code));
	ex = client_fail(a, ex, merr_code_name(err.code), "%s",
	    err.message != NULL ? err.message : "cannot resolve");
	merr_clear(&err);
	return ex;
}

/* Append the ids of idx[0..n) to list, skipping those already in it. */
static void
ctl_rev_add(const struct revgraph *g, json_t *list, const size_t *idx,
    size_t n)
{
	const json_t *v;
	size_t i, j;

	for (i = 0; i < n; i++) {
		json_array_foreach(list, j, v)
			if (strcmp(json_string_value(v),
			    g->nodes[idx[i]].id) == 0)
				break;
		if (j == json_array_size(list))
			json_array_append_new(list,
			    json_string(g->nodes[idx[i]].id));
	}
}

/* Resolve spec (one revision, or base for none) and add it to list. */
static enum ctl_exit
ctl_rev_add_spec(const struct ctl_args *a, const struct revgraph *g,
    const char *spec, json_t *list, bool one)
{
	enum ctl_exit ex;
	size_t *idx = NULL, n = 0;

	if ((ex = ctl_rev_resolve(a, g, spec, &idx, &n)) != CTL_OK)
		return ex;
	if (one && n > 1)
		ex = client_fail(a, CTL_USAGE, "bad_request",
		    "%s names %zu revisions; give one", spec, n);
	else
		ctl_rev_add(g, list, idx, n);
	free(idx);
	return ex;
}

static enum ctl_exit
ctl_rev_check_message(const struct ctl_args *a)
{
	const char *p;

	if (a->message == NULL || *a->message == '\0')
		return client_fail(a, CTL_USAGE, "bad_request",
		    "a message is required: -m MSG");
	for (p = a->message; *p != '\0'; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return client_fail(a, CTL_USAGE, "bad_request",
			    "the message must be one line of text");
	return CTL_OK;
}

/* The parent of a new revision: --head, else the single head. */
static enum ctl_exit
ctl_rev_parent(const struct ctl_args *a, const struct revgraph *g,
    json_t *down)
{
	json_t *heads;
	char *hl;

	if (a->head != NULL)
		return ctl_rev_add_spec(a, g, a->head, down, true);
	if (g->nheads <= 1) {
		ctl_rev_add(g, down, g->heads, g->nheads);
		return CTL_OK;
	}
	heads = json_array();
	ctl_rev_add(g, heads, g->heads, g->nheads);
	hl = output_revlist(heads, "");
	json_decref(heads);
	client_fail(a, CTL_USAGE, "multiple_heads", "multiple heads are "
	    "present (%s); give --head REV for the new revision's parent, or "
	    "merge them first: " OUTPUT_PROG " merge -m MSG heads", hl);
	free(hl);
	return CTL_USAGE;
}

/* --depends-on REV,...: each resolved to its full id. */
static enum ctl_exit
ctl_rev_deps(const struct ctl_args *a, const struct revgraph *g,
    json_t *deps)
{
	enum ctl_exit ex = CTL_OK;
	char *copy, *p, *item, *e;

	if (a->depends_on == NULL)
		return CTL_OK;
	copy = xstrdup(a->depends_on);
	for (p = copy; ex == CTL_OK && (item = strsep(&p, ",")) != NULL;) {
		while (*item == ' ')
			item++;
		e = item + strlen(item);
		while (e > item && e[-1] == ' ')
			*--e = '\0';
		if (*item == '\0')
			continue;
		ex = ctl_rev_add_spec(a, g, item, deps, true);
	}
	free(copy);
	return ex;
}

enum ctl_exit
ctl_revision(const struct ctl_args *a, int argc, char **argv)
{
	const char *dir = ctl_migrations_dir(a);
	struct ctl_newrev nr = { 0 };
	struct migset *set;
	struct revgraph *g;
	enum ctl_exit ex;

	if ((ex = ctl_rev_check_message(a)) != CTL_OK)
		return ex;
	if (a->autogenerate)	/* ctl/autogen.c, in migratectl-full */
		return CTL_HEAVY(ctl_autogenerate)(a, argc, argv);
	if ((ex = ctl_rev_load(a, dir, &set, &g)) != CTL_OK)
		return ex;
	nr.message = a->message;
	nr.down = json_array();
	nr.deps = json_array();
	nr.label = a->branch_label;
	nr.transactional = !a->no_transaction;
	if ((ex = ctl_rev_parent(a, g, nr.down)) == CTL_OK &&
	    (ex = ctl_rev_deps(a, g, nr.deps)) == CTL_OK)
		ex = ctl_rev_create(a, dir, g, &nr);
	json_decref(nr.down);
	json_decref(nr.deps);
	ctl_offline_free(set, g);
	return ex;
}

/* Refuse a merge of a revision with one of its own ancestors. */
static enum ctl_exit
ctl_merge_check(const struct ctl_args *a, const struct revgraph *g,
    const json_t *down)
{
	bool *anc = xcalloc(g->n, sizeof *anc);
	enum ctl_exit ex = CTL_OK;
	size_t i, j, x, y;

	for (i = 0; ex == CTL_OK && i < json_array_size(down); i++) {
		x = (size_t)revgraph_find(g, json_string_value(
		    json_array_get(down, i)));
		memset(anc, 0, g->n * sizeof *anc);
		revgraph_closure(g, &x, 1, anc);
		for (j = 0; ex == CTL_OK && j < json_array_size(down); j++) {
			y = (size_t)revgraph_find(g, json_string_value(
			    json_array_get(down, j)));
			if (y != x && anc[y])
				ex = client_fail(a, CTL_USAGE, "bad_request",
				    "%s is an ancestor of %s; nothing to "
				    "merge", g->nodes[y].id, g->nodes[x].id);
		}
	}
	free(anc);
	return ex;
}

enum ctl_exit
ctl_merge(const struct ctl_args *a, int argc, char **argv)
{
	const char *dir = ctl_migrations_dir(a);
	struct ctl_newrev nr = { 0 };
	struct migset *set;
	struct revgraph *g;
	enum ctl_exit ex;
	int i;

	if ((ex = ctl_rev_check_message(a)) != CTL_OK)
		return ex;
	if ((ex = ctl_rev_load(a, dir, &set, &g)) != CTL_OK)
		return ex;
	nr.message = a->message;
	nr.down = json_array();
	nr.deps = json_array();
	nr.transactional = true;
	for (i = 0; ex == CTL_OK && i < argc; i++)
		ex = ctl_rev_add_spec(a, g, argv[i], nr.down, false);
	if (ex == CTL_OK && json_array_size(nr.down) < 2)
		ex = client_fail(a, CTL_USAGE, "bad_request", "a merge needs "
		    "at least two different revisions");
	if (ex == CTL_OK)
		ex = ctl_merge_check(a, g, nr.down);
	if (ex == CTL_OK)
		ex = ctl_rev_create(a, dir, g, &nr);
	json_decref(nr.down);
	json_decref(nr.deps);
	ctl_offline_free(set, g);
	return ex;
}

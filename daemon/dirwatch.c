/* SPDX-License-Identifier: MIT */
/* dirwatch.c: the files on disk are the files that run (issue 10 item 1). */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "log.h"

/* After the last inotify event, wait this long for an editor to finish. */
#define DIRWATCH_SETTLE_MS 100

/*
 * Before every change request the directory is compared with the snapshot
 * taken when it was loaded (dirscan). A snapshot found to match is
 * "clean": from then on inotify (dirnotify) keeps the names of the entries
 * events reported, and the next comparison stats only those; where it
 * cannot tell (no inotify, NFS, an overflow, symbolic links: a target may
 * change elsewhere...) every file is stat-ed. Once the snapshots in use
 * were compared, the names are forgotten.
 */
static struct dirnotify notify = DIRNOTIFY_INIT;
static const struct revset *clean_rs;	/* matched at the last forget */

/*
 * A directory that did not load: its snapshot and its errors, so that
 * each request while it stays broken fails without a parse of every file.
 */
static struct dirscan bad_snap;
static struct merr bad_err;
static bool bad_clean;			/* bad_snap matched then too */

static struct event *ev_inotify, *ev_settle;

/* Does the directory read as snap says? clean: it did at the last forget. */
static bool
dirwatch_same(struct dirscan *snap, bool clean)
{
	int r = clean ? dirnotify_same(&notify, snap) : -1;

	return r >= 0 ? r == 1 : dirscan_same(D->cfg.migrations_dir, snap);
}

int
dirwatch_check(struct merr *err)
{
	const char *dir = D->cfg.migrations_dir;
	struct dirscan pre = { 0 };
	json_t *result = NULL;
	int r;

	if (dirwatch_same(&D->rs->snap, clean_rs == D->rs)) {
		dirnotify_forget(&notify);
		clean_rs = D->rs;
		bad_clean = false;
		return 0;
	}
	clean_rs = NULL;
	if (bad_err.code != MERR_NONE && dirwatch_same(&bad_snap, bad_clean)) {
		dirnotify_forget(&notify);
		bad_clean = true;
		merr_copy(err, &bad_err);
		return -EINVAL;
	}
	/* what was reported so far, the snapshots below see */
	dirnotify_forget(&notify);
	(void)dirscan_take(dir, &pre);
	r = op_reload_now(false, &result, err);
	json_decref(result);
	dirscan_clear(&bad_snap);
	merr_clear(&bad_err);
	if (r < 0) {
		bad_snap = pre;
		bad_clean = true;
		merr_copy(&bad_err, err);
		return r;
	}
	dirscan_clear(&pre);
	clean_rs = D->rs;
	bad_clean = false;
	return 0;
}

/* The files settled: reload as SIGHUP does (auto-migrate included). */
static void
dirwatch_on_settle(evutil_socket_t fd, short what, void *arg)
{
	struct merr err = { 0 };
	json_t *result = NULL;

	if (D->shutting_down || dirwatch_same(&D->rs->snap, clean_rs == D->rs))
		return;
	dirnotify_forget(&notify);
	clean_rs = NULL;
	bad_clean = false;
	if (op_reload_now(true, &result, &err) < 0)
		log_error("watch: reload rejected, keeping the old migrations: "
		    "%s", err.message);
	else
		clean_rs = D->rs;
	json_decref(result);
	merr_clear(&err);
}

static void
dirwatch_on_inotify(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, DIRWATCH_SETTLE_MS * 1000 };

	/* the names are kept for the next check */
	if (dirnotify_drain(&notify))
		evtimer_add(ev_settle, &tv);
}

void
dirwatch_start(void)
{
	int r;

	if ((r = dirnotify_open(&notify, D->cfg.migrations_dir)) < 0)
		log_warn("cannot watch %s with inotify (%s): every change "
		    "request scans it", D->cfg.migrations_dir, strerror(-r));
	else if (!notify.local)
		log_info("%s is not on a local filesystem: every change "
		    "request scans it", D->cfg.migrations_dir);
	if (!D->cfg.watch)
		return;
	if (notify.fd < 0) {
		log_warn("watch = true, but %s cannot be watched",
		    D->cfg.migrations_dir);
		return;
	}
	ev_inotify = event_new(D->base, notify.fd, EV_READ | EV_PERSIST,
	    dirwatch_on_inotify, NULL);
	ev_settle = evtimer_new(D->base, dirwatch_on_settle, NULL);
	if (ev_inotify == NULL || ev_settle == NULL)
		fatal("event_new failed");
	event_add(ev_inotify, NULL);
	log_info("watch: reloading %s as its files change",
	    D->cfg.migrations_dir);
}

void
dirwatch_stop(void)
{
	if (ev_inotify != NULL)
		event_free(ev_inotify);
	if (ev_settle != NULL)
		event_free(ev_settle);
	ev_inotify = ev_settle = NULL;
	dirnotify_close(&notify);
	clean_rs = NULL;
	dirscan_clear(&bad_snap);
	merr_clear(&bad_err);
}

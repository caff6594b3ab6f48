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
 * taken when it was loaded (dirscan: a stat of every file). While inotify
 * can vouch that nothing happened since the last comparison (dirnotify),
 * the scan is skipped; symbolic links in the directory (a target may
 * change elsewhere) always mean a scan.
 */
static struct dirnotify notify = DIRNOTIFY_INIT;
static const struct revset *clean_rs;	/* no event since it was compared */

/*
 * A directory that did not load: its snapshot and its errors, so that
 * each request while it stays broken fails without a parse of every file.
 */
static struct dirscan bad_snap;
static struct merr bad_err;
static bool bad_clean;			/* no event since bad_snap */

static struct event *ev_inotify, *ev_settle;

/* No event since the last comparison, and inotify can vouch for it? */
static bool
dirwatch_quiet(const struct dirscan *snap)
{
	if (dirnotify_quiet(&notify) && !snap->links)
		return true;
	clean_rs = NULL;
	bad_clean = false;
	return false;
}

int
dirwatch_check(struct merr *err)
{
	const char *dir = D->cfg.migrations_dir;
	struct dirscan pre = { 0 };
	json_t *result = NULL;
	bool quiet;
	int r;

	quiet = dirwatch_quiet(&D->rs->snap);
	if ((quiet && clean_rs == D->rs) || dirscan_same(dir, &D->rs->snap)) {
		clean_rs = D->rs;
		return 0;
	}
	if (bad_err.code != MERR_NONE && ((quiet && bad_clean &&
	    !bad_snap.links) ||
	    dirscan_same(dir, &bad_snap))) {
		bad_clean = true;
		merr_copy(err, &bad_err);
		return -EINVAL;
	}
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
	return 0;
}

/* The files settled: reload as SIGHUP does (auto-migrate included). */
static void
dirwatch_on_settle(evutil_socket_t fd, short what, void *arg)
{
	struct merr err = { 0 };
	json_t *result = NULL;

	if (D->shutting_down || dirscan_same(D->cfg.migrations_dir,
	    &D->rs->snap))
		return;
	if (op_reload_now(true, &result, &err) < 0)
		log_error("watch: reload rejected, keeping the old migrations: "
		    "%s", err.message);
	json_decref(result);
	merr_clear(&err);
}

static void
dirwatch_on_inotify(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, DIRWATCH_SETTLE_MS * 1000 };

	/* what changed does not matter: the stat scan decides */
	if (dirnotify_drain(&notify)) {
		clean_rs = NULL;
		bad_clean = false;
		evtimer_add(ev_settle, &tv);
	}
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

/* SPDX-License-Identifier: MIT */
/* migrated.c: main, set-up order, signals, readiness and shutdown. */
#include "config.h"

#include <sys/stat.h>
#include <sys/time.h>

#include <errno.h>
#include <grp.h>
#include <malloc.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/dns.h>

#include "daemon.h"
#include "log.h"
#include "notify.h"
#include "sha256.h"

struct daemon *D;

static struct event *ev_sig[4];
static struct event *ev_watchdog;
static struct event *ev_shutdown;
static struct event *ev_trim;
static struct event *ev_lockwait;
static struct event *ev_extend;
static int sigterm_count;

static uint64_t
daemon_clock_ms(clockid_t id)
{
	struct timespec ts;

	if (clock_gettime(id, &ts) != 0)
		fatal("clock_gettime failed");
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

uint64_t
now_ms(void)
{
	return daemon_clock_ms(CLOCK_MONOTONIC);
}

uint64_t
wall_ms(void)
{
	return daemon_clock_ms(CLOCK_REALTIME);
}

void
iso_time_at(char *buf, size_t size, uint64_t ms)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	gmtime_r(&t, &tm);
	strftime(s, sizeof s, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, size, "%s.%03uZ", s, (unsigned)(ms % 1000));
}

void
iso_time(char *buf, size_t size)
{
	iso_time_at(buf, size, wall_ms());
}

/* Does a pending revision with an empty upgrade stop auto-migrate? */
static bool
daemon_pending_empty(void)
{
	bool empty;

	(void)state_pending_count(&empty);
	return empty;
}

static bool
daemon_needs_person(void)
{
	switch (D->st.state) {
	case RG_DIRTY:
	case RG_AHEAD:
	case RG_DIVERGED:
		return true;
	case RG_BEHIND:
		return !D->cfg.auto_migrate || daemon_pending_empty();
	default:
		return json_array_size(D->st.drift) > 0 && !D->cfg.allow_drift;
	}
}

static void
daemon_exit(int code)
{
	D->exit_code = code;
	event_base_loopexit(D->base, NULL);
}

static void
daemon_update_status(void)
{
	const char *app;
	char *rows, *failed;
	size_t i, len = 1;

	if (!D->read_connected) {
		notify_status("database unreachable: %s", D->read_error ?
		    D->read_error : "connecting");
		return;
	}
	if (runner_busy())
		return;		/* the runner says "applying ..." */
	if (D->role != ROLE_LEADER) {
		app = json_string_value(json_object_get(D->st.leader,
		    "application_name"));
		notify_status("standby (leader: %s)", app ? app : "none");
		return;
	}
	for (i = 0; i < D->st.nrows; i++)
		len += strlen(D->st.rows[i]) + 2;
	rows = xcalloc(1, len);
	for (i = 0; i < D->st.nrows; i++) {
		if (i > 0)
			strcat(rows, ", ");
		strcat(rows, D->st.rows[i]);
	}
	failed = status_last_error_line();
	if (D->st.state == RG_BEHIND)
		notify_status("leader, behind: %zu pending%s%s%s",
		    state_pending_count(NULL), D->cfg.auto_migrate ? "" :
		    " (auto-migrate disabled)", failed != NULL ? "; " : "",
		    failed != NULL ? failed : "");
	else if (D->st.state == RG_CURRENT || D->st.state == RG_UNKNOWN)
		notify_status("leader, at %s", D->st.nrows ? rows : "base");
	else
		notify_status("leader, %s at %s%s%s",
		    rg_state_name(D->st.state), D->st.nrows ? rows : "base",
		    failed != NULL ? "; " : "", failed != NULL ? failed : "");
	free(rows);
	free(failed);
}

void
daemon_status_changed(void)
{
	status_invalidate();
	daemon_update_status();
	if (D->auto_pending && leader_is() && D->read_connected &&
	    D->running == NULL && !D->shutting_down) {
		D->auto_pending = false;
		if (D->once && once_is_command())
			;	/* once.c runs the command */
		else if (D->once)
			MIG_IGNORE(op_internal("upgrade", json_pack("{s:s, s:b}",
			    "target", D->cfg.once_target, "atomic",
			    D->cfg.transaction_mode == TXN_ALL)));
		else if (D->cfg.auto_migrate)
			MIG_IGNORE(op_internal("upgrade", json_pack(
			    "{s:s, s:b}", "target", "heads", "skip_empty",
			    1)));
	}
	if (D->once)
		once_status_changed();
	if (D->ready_sent || D->once || D->cfg.ready_when != READY_CURRENT ||
	    !D->st.read)
		return;
	if (D->st.state == RG_CURRENT && !daemon_needs_person()) {
		D->ready_sent = true;
		notify_ready();
		log_info("database is current: ready");
	} else if (daemon_needs_person()) {
		notify_status("needs a person: database %s%s",
		    rg_state_name(D->st.state), D->st.state == RG_BEHIND ?
		    " and auto-migrate is off" : "");
		log_error("ready_when = current, but only a person can bring "
		    "the database to its heads (state %s)",
		    rg_state_name(D->st.state));
		daemon_exit(EXIT_DATAERR);
	}
}

/* --once's last line: every version row (head) it ended at. */
static void
daemon_once_at(void)
{
	size_t i;

	printf("at ");
	for (i = 0; i < D->st.nrows; i++)
		printf("%s%s", i > 0 ? ", " : "", D->st.rows[i]);
	printf("%s\n", D->st.nrows == 0 ? "base" : "");
}

/* A daemon-made request finished (auto-migrate, --once). */
void
daemon_internal_done(json_t *result, const struct merr *err)
{
	bool failed = err != NULL && err->code != MERR_NONE;
	json_t *steps, *s;
	char *where;
	size_t i;

	if (D->once) {
		if (!failed) {
			steps = json_object_get(result, "steps");
			json_array_foreach(steps, i, s)
				printf("%s %s (%lld ms)\n",
				    json_string_value(json_object_get(s,
				    "operation")), json_string_value(
				    json_object_get(s, "revision")),
				    (long long)json_integer_value(
				    json_object_get(s, "duration_ms")));
			daemon_once_at();
		} else {
			where = merr_located(err);
			fprintf(stderr, "migrated: %s: %s\n",
			    merr_code_name(err->code), where);
			free(where);
			if (err->hint != NULL)
				fprintf(stderr, "hint: %s\n", err->hint);
		}
		fflush(stdout);
		daemon_exit(!failed ? 0 : merr_exit_code(err->code));
		return;
	}
	if (failed && err->code == MERR_DB_UNAVAILABLE)
		D->auto_pending = true;	/* again once the database is back */
	else if (failed && D->cfg.ready_when == READY_CURRENT &&
	    !D->ready_sent && err->code != MERR_NOT_LEADER) {
		notify_status("needs a person: %s", err->message);
		daemon_exit(EXIT_DATAERR);
	}
}

void
daemon_exit_if_done(void)
{
	if (D->shutting_down && D->running == NULL && !runner_busy())
		daemon_exit(D->exit_code);
}

/*
 * shutdown_timeout passed: cancel the running step. A request that was
 * still preparing its plan (reading the version rows) starts it later:
 * look again shortly, so that plan is cancelled too.
 */
static void
daemon_on_shutdown_timer(evutil_socket_t fd, short what, void *arg)
{
	struct timeval tv = { 0, 100000 };
	json_t *info = NULL;

	if (runner_busy()) {
		if (!runner_cancelled()) {
			log_warn("shutdown_timeout passed: cancelling the "
			    "running step");
			MIG_IGNORE(runner_cancel(&info));
			json_decref(info);
		} else
			runner_cancel_again();
		/*
		 * Again each second until the step ends: a cancel that
		 * reaches the backend before the step's statements do (the
		 * step dispatched in the same turn of the loop) is lost.
		 */
		tv.tv_sec = 1;
		tv.tv_usec = 0;
		evtimer_add(ev_shutdown, &tv);
	} else if (D->running != NULL)
		evtimer_add(ev_shutdown, &tv);
}

static void
daemon_shutdown(void)
{
	struct timeval tv;
	json_t *info = NULL;

	if (++sigterm_count > 1) {
		log_warn("second stop signal: cancelling and exiting now");
		MIG_IGNORE(runner_cancel(&info));
		json_decref(info);
		tv.tv_sec = 0;
		tv.tv_usec = 200000;
		event_base_loopexit(D->base, &tv);
		return;
	}
	log_notice("stopping: no new requests%s", runner_busy() ?
	    "; letting the running step finish" : "");
	D->shutting_down = true;
	notify_stopping();
	server_close();
	op_abort_all(MERR_SHUTTING_DOWN, "the daemon is shutting down");
	/* also for a request still preparing its plan: it may start one */
	if (runner_busy() || D->running != NULL) {
		tv.tv_sec = D->cfg.shutdown_timeout_ms / 1000;
		tv.tv_usec = (D->cfg.shutdown_timeout_ms % 1000) * 1000;
		ev_shutdown = evtimer_new(D->base, daemon_on_shutdown_timer,
		    NULL);
		evtimer_add(ev_shutdown, &tv);
	}
	daemon_exit_if_done();
}

static void
daemon_reload(void)
{
	json_t *result = NULL;
	struct merr err = { 0 };
	bool ready = D->ready_sent;

	/*
	 * RELOADING=1 ... READY=1 only once started: before, READY=1 would
	 * end a ready_when = current start-up on a database not yet current.
	 */
	if (ready)
		notify_reloading();
	if (op_reload_now(true, &result, &err) < 0)
		log_error("reload rejected, keeping the old migrations: %s",
		    err.message);
	json_decref(result);
	merr_clear(&err);
	if (ready)
		notify_reload_done();
}

static void
daemon_on_signal(evutil_socket_t sig, short what, void *arg)
{
	if (sig == SIGHUP)
		daemon_reload();
	else
		daemon_shutdown();
}

static void
daemon_on_watchdog(evutil_socket_t fd, short what, void *arg)
{
	notify_watchdog();
}

/* ready_when = current: keep systemd's start timeout ahead of a long step */
static void
daemon_on_extend(evutil_socket_t fd, short what, void *arg)
{
	if (!D->ready_sent && runner_busy())
		notify_extend_timeout(30ULL * 1000000);
}

static void
daemon_on_lockwait(evutil_socket_t fd, short what, void *arg)
{
	if (once_lockwait() || leader_is() || D->running != NULL ||
	    !TAILQ_EMPTY(&D->queue))
		return;
	fprintf(stderr, "migrated: could not become leader within "
	    "--lock-wait (%d ms)%s%s\n", D->cfg.lock_wait_ms,
	    D->lock_error ? ": " : "", D->lock_error ? D->lock_error : "");
	daemon_exit(75);
}

/* The configured identifiers, quoted once for SQL text. */
static void
daemon_quote_names(void)
{
	char *schema, *vt, *ht, *pkc;

	schema = settings_quote_ident(D->cfg.version_table_schema);
	vt = settings_quote_ident(D->cfg.version_table);
	ht = settings_quote_ident(D->cfg.history_table);
	pkc = xasprintf("%s_pkc", D->cfg.version_table);
	D->schema_q = schema;
	D->vt = xasprintf("%s.%s", schema, vt);
	D->ht = xasprintf("%s.%s", schema, ht);
	D->vt_pkc = settings_quote_ident(pkc);
	D->vt_reg = xstrdup(D->vt);
	D->ht_reg = xstrdup(D->ht);
	free(vt);
	free(ht);
	free(pkc);
}

static int
daemon_setup_identity(void)
{
	struct passwd *pw;
	struct group *gr;

	D->pid = getpid();
	D->uid = getuid();
	if (gethostname(D->hostname, sizeof D->hostname - 1) < 0)
		strcpy(D->hostname, "localhost");
	instance_init();
	pw = getpwuid(D->uid);
	D->username = xstrdup(pw != NULL ? pw->pw_name : "unknown");
	if (D->cfg.admin_group != NULL) {
		if ((gr = getgrnam(D->cfg.admin_group)) == NULL) {
			log_error("admin_group %s does not exist",
			    D->cfg.admin_group);
			return -ENOENT;
		}
		D->admin_gid = gr->gr_gid;
		D->have_admin_gid = true;
	}
	daemon_quote_names();
	return 0;
}

/*
 * A migrations directory that does not exist is a setting to fix, not a
 * broken set of files: exit 78 naming the key, its value and its source.
 * Nothing is installed in the default directory (the demo schema goes to
 * the documentation), so an unconfigured daemon stops here.
 */
static int
daemon_check_migrations_dir(void)
{
	const char *dir = D->cfg.migrations_dir;
	const char *src = settings_source(&D->cfg, "migrations_dir");
	struct stat st;
	int r = 0;

	if (stat(dir, &st) < 0)
		r = -errno;
	else if (!S_ISDIR(st.st_mode))
		r = -ENOTDIR;
	if (r == 0)
		return 0;
	log_error("migrations_dir = '%s' (%s): %s; set migrations_dir in %s, "
	    "MIGRATIONS_DIR or -m to the folder of the .sql files (an "
	    "example schema is in %s/examples/versions)", dir,
	    src != NULL ? src : "default", strerror(-r), D->cfg.config_file,
	    DOCDIR);
	return r;
}

/*
 * The connection settings as libpq will read them (URL, PG* variables,
 * service file): what libpq would only refuse when connecting -- and so
 * be retried for ever -- is a configuration error now.
 */
static int
daemon_check_conninfo(void)
{
	const char *key = NULL;
	char *why = NULL, *shown;
	int r;

	if ((r = conninfo_load(D->cfg.database_url, &why, &key)) == 0)
		return 0;
	if (D->cfg.database_url != NULL && (conninfo_from_url(key) ||
	    strcmp(key, "service") == 0)) {
		shown = settings_redact(D->cfg.database_url);
		fprintf(stderr, "migrated: database_url = '%s' (%s): %s\n",
		    shown, settings_source(&D->cfg, "database_url"), why);
		free(shown);
	} else
		fprintf(stderr, "migrated: connection setting %s (PG* "
		    "environment or service file): %s\n", key, why);
	free(why);
	conninfo_free();
	return r;
}

static int
daemon_load_migrations(void)
{
	struct mdiag_list diags = { 0 };
	char *line;
	size_t i;

	if (revset_load(D->cfg.migrations_dir, &D->rs, &diags) < 0) {
		mdiag_sort(&diags);
		for (i = 0; i < diags.n; i++) {
			line = mdiag_format(&diags.v[i]);
			log_error("%s", line);
			free(line);
		}
		log_error("cannot load the migrations in %s (%zu error(s))",
		    D->cfg.migrations_dir, diags.n);
		mdiag_clear(&diags);
		return -EINVAL;
	}
	log_info("loaded %zu revision(s) from %s, %zu head(s)",
	    D->rs->g->n, D->cfg.migrations_dir, D->rs->g->nheads);
	return 0;
}

/* evdns from resolv.conf and the hosts file: libpq's look-ups block. */
static void
daemon_setup_dns(void)
{
	D->dns = evdns_base_new(D->base, EVDNS_BASE_INITIALIZE_NAMESERVERS |
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE);
	if (D->dns != NULL)
		return;
	log_warn("cannot read /etc/resolv.conf: host names resolve only "
	    "from /etc/hosts");
	if ((D->dns = evdns_base_new(D->base,
	    EVDNS_BASE_DISABLE_WHEN_INACTIVE)) == NULL)
		fatal("evdns_base_new failed");
	if (evdns_base_load_hosts(D->dns, NULL) != 0)
		log_warn("cannot read /etc/hosts, ignoring");
}

static void
daemon_setup_events(void)
{
	static const int sigs[] = { SIGTERM, SIGINT, SIGHUP };
	struct timeval tv;
	uint64_t wd;
	size_t i;

	signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < ARRAY_LEN(sigs); i++) {
		ev_sig[i] = evsignal_new(D->base, sigs[i], daemon_on_signal,
		    NULL);
		evsignal_add(ev_sig[i], NULL);
	}
	if ((wd = notify_watchdog_usec()) > 0) {
		ev_watchdog = event_new(D->base, -1, EV_PERSIST,
		    daemon_on_watchdog, NULL);
		tv.tv_sec = (wd / 2) / 1000000;
		tv.tv_usec = (wd / 2) % 1000000;
		event_add(ev_watchdog, &tv);
	}
	if (!D->once && D->cfg.ready_when == READY_CURRENT) {
		ev_extend = event_new(D->base, -1, EV_PERSIST, daemon_on_extend,
		    NULL);
		tv.tv_sec = 10;
		tv.tv_usec = 0;
		event_add(ev_extend, &tv);
	}
	if (D->once) {
		ev_lockwait = evtimer_new(D->base, daemon_on_lockwait, NULL);
		tv.tv_sec = D->cfg.lock_wait_ms / 1000;
		tv.tv_usec = (D->cfg.lock_wait_ms % 1000) * 1000;
		evtimer_add(ev_lockwait, &tv);
	}
}

/*
 * Give the heap's free pages back to the system a second after a burst of
 * work (the load, a reload, a plan). glibc returns only the top of the heap
 * by itself; what a plan's lint, catalog reads and results freed below it
 * (~300 KiB with the sample) stayed private memory until the next plan.
 */
static void
daemon_on_trim(evutil_socket_t fd, short what, void *arg)
{
#ifdef HAVE_MALLOC_TRIM
	malloc_trim(0);
#endif
}

void
daemon_trim_soon(void)
{
	struct timeval tv = { 1, 0 };

	if (D->base == NULL)
		return;		/* the load at start: the loop is not made yet */
	if (ev_trim == NULL)
		ev_trim = evtimer_new(D->base, daemon_on_trim, NULL);
	if (ev_trim != NULL && !evtimer_pending(ev_trim, NULL))
		evtimer_add(ev_trim, &tv);
}

/* What D holds once the sessions and the loop's users are gone. */
void
daemon_free_state(void)
{
	revset_unref(D->rs);
	if (ev_trim != NULL)
		event_free(ev_trim);
	sha256_free();
	ev_trim = NULL;		/* here: the unit tests start another loop */
	event_base_free(D->base);
	settings_free(&D->cfg);
	conninfo_free();
	free(D->app_name);
	free(D->username);
	free(D->schema_q);
	free(D->vt);
	free(D->vt_pkc);
	free(D->ht);
	free(D->vt_reg);
	free(D->ht_reg);
	free(D->dbname);
	free(D->read_error);
	free(D->lock_error);
	status_invalidate();
}

static void
daemon_teardown(void)
{
	size_t i;

	runner_abort("the daemon is exiting", MERR_SHUTTING_DOWN);
	op_abort_all(MERR_SHUTTING_DOWN, "the daemon is exiting");
	conn_close_all();
	server_close();
	http_stop();
	dirwatch_stop();
	once_stop();
	leader_stop();
	schema_stop();
	state_stop();
	if (D->dns != NULL) {
		/* host name look-ups cancelled above report from the loop */
		event_base_loop(D->base, EVLOOP_NONBLOCK);
		evdns_base_free(D->dns, 0);
	}
	op_stop();
	for (i = 0; i < ARRAY_LEN(ev_sig); i++)
		if (ev_sig[i] != NULL)
			event_free(ev_sig[i]);
	if (ev_watchdog != NULL)
		event_free(ev_watchdog);
	if (ev_shutdown != NULL)
		event_free(ev_shutdown);
	if (ev_lockwait != NULL)
		event_free(ev_lockwait);
	if (ev_extend != NULL)
		event_free(ev_extend);
	daemon_free_state();
}

int
main(int argc, char **argv)
{
	int code = 0, r;
	char *url;

	D = xcalloc(1, sizeof *D);
	D->listen_fd = -1;
	TAILQ_INIT(&D->queue);
	TAILQ_INIT(&D->waiters);
	TAILQ_INIT(&D->reqs);
	TAILQ_INIT(&D->conns);
	if (settings_load(&D->cfg, argc, argv, &code) != 0) {
		settings_free(&D->cfg);
		free(D);
		return code;
	}
	log_init("migrated", (enum log_level)D->cfg.log_level);
	notify_init(D->cfg.log_format);
	D->once = D->cfg.once;
	if ((code = once_init()) >= 0) {
		settings_free(&D->cfg);
		free(D);
		return code;
	}
	if (daemon_setup_identity() < 0 || daemon_check_conninfo() < 0)
		return EXIT_CONFIG;
	if (daemon_check_migrations_dir() < 0)
		return EXIT_CONFIG;
	sha256_setup();
	if (daemon_load_migrations() < 0)
		return EXIT_DATAERR;
	server_load_users();
	if ((D->base = event_base_new()) == NULL)
		fatal("event_base_new failed");
	daemon_trim_soon();	/* after the load */
	daemon_setup_dns();
	state_init();
	daemon_setup_events();
	if (!D->once)
		dirwatch_start();
	if (!D->once && (r = server_listen()) < 0) {
		notify_status("cannot listen: %s", strerror(-r));
		return 1;
	}
	if (!D->once && http_start() < 0)
		return 1;
	url = settings_redact(D->cfg.database_url);
	log_info("migrated %s starting: database %s, auto-migrate %s",
	    PACKAGE_VERSION, url, D->cfg.auto_migrate ? "on" : "off");
	free(url);
	state_start();
	schema_start();
	/* migrated --once with a read needs no lock */
	if (!once_reads_only())
		leader_start();
	if (!D->once && D->cfg.ready_when == READY_SOCKET) {
		D->ready_sent = true;
		notify_ready();
	}
	daemon_update_status();
	event_base_dispatch(D->base);
	code = D->exit_code;
	log_info("exiting with status %d", code);
	daemon_teardown();
	free(D);
	return code;
}

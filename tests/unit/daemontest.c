/* SPDX-License-Identifier: MIT */
/* daemontest.c: set up and drive the daemon's core on tests/unit/fakedb.c. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "daemontest.h"
#include "log.h"
#include "notify.h"
#include "xmalloc.h"

static char dt_dir[64];
static int dt_fd = -1; /* the client's end */
static char dt_buf[1 << 16];
static size_t dt_len;
static json_t *dt_replies;  /* id (text) -> final reply */
static char dt_lines[4096]; /* "event:revision reply:id ..." as they came */
static int dt_next_id;

void
dt_rev(const char *id, const char *down, const char *up, const char *downsql)
{
	dt_rev_hdr(id, down, NULL, up, downsql);
}

void
dt_rev_hdr(const char *id, const char *down, const char *hdr, const char *up,
    const char *downsql)
{
	char path[256];
	FILE *f;

	if (dt_dir[0] == '\0') {
		snprintf(dt_dir, sizeof dt_dir, "/tmp/dtest.XXXXXX");
		if (mkdtemp(dt_dir) == NULL)
			fatal("mkdtemp: %s", strerror(errno));
		snprintf(path, sizeof path, "%s/versions", dt_dir);
		if (mkdir(path, 0700) < 0)
			fatal("mkdir: %s", strerror(errno));
	}
	snprintf(path, sizeof path, "%s/versions/%s_rev.sql", dt_dir, id);
	if ((f = fopen(path, "w")) == NULL)
		fatal("%s: %s", path, strerror(errno));
	fprintf(f,
	    "-- revision: %s\n-- down_revision: %s\n"
	    "-- message: revision %s\n%s%s\n-- +upgrade\n%s\n",
	    id, down, id, hdr != NULL ? hdr : "", hdr != NULL ? "\n" : "", up);
	if (downsql != NULL)
		fprintf(f, "\n-- +downgrade\n%s\n", downsql);
	fclose(f);
}

/* daemon/migrated.c's setup, minus the socket, HTTP, signals and DNS. */
static void
dt_identity(void)
{
	struct passwd *pw;
	char *vt, *ht, *pkc;

	D->pid = getpid();
	D->uid = getuid();
	snprintf(D->hostname, sizeof D->hostname, "testhost");
	instance_init();
	pw = getpwuid(D->uid);
	D->username = xstrdup(pw != NULL ? pw->pw_name : "unknown");
	D->schema_q = settings_quote_ident(D->cfg.version_table_schema);
	vt = settings_quote_ident(D->cfg.version_table);
	ht = settings_quote_ident(D->cfg.history_table);
	pkc = xasprintf("%s_pkc", D->cfg.version_table);
	D->vt = xasprintf("%s.%s", D->schema_q, vt);
	D->ht = xasprintf("%s.%s", D->schema_q, ht);
	D->vt_pkc = settings_quote_ident(pkc);
	D->vt_reg = xstrdup(D->vt);
	D->ht_reg = xstrdup(D->ht);
	free(vt);
	free(ht);
	free(pkc);
}

void
dt_start(const char *conf)
{
	char cpath[256], mdir[256], sock[256],
	    prog[] = "migrated", c[] = "-c", d[] = "-d", m[] = "-m",
	    s[] = "-s",
	    url[] = "postgresql:///fakedb?host=/nonexistent-fakedb";
	char *argv[] = { prog, c, cpath, d, url, m, mdir, s, sock, NULL };
	struct mdiag_list diags = { 0 };
	const char *key = NULL;
	char *why = NULL;
	int code = 0, sv[2];
	FILE *f;

	if (dt_dir[0] == '\0')
		dt_rev("base0001", "none", "SELECT 1;", "SELECT 1;");
	snprintf(cpath, sizeof cpath, "%s/migrated.conf", dt_dir);
	snprintf(mdir, sizeof mdir, "%s/versions", dt_dir);
	snprintf(sock, sizeof sock, "%s/sock", dt_dir);
	if ((f = fopen(cpath, "w")) == NULL)
		fatal("%s: %s", cpath, strerror(errno));
	/* lint needs a parser and catalog facts the fake does not model */
	fprintf(f,
	    "lint = off\nstandby_poll_interval = 10ms\n"
	    "reconnect_max_interval = 100ms\n%s\n",
	    conf != NULL ? conf : "");
	fclose(f);

	D = xcalloc(1, sizeof *D);
	D->listen_fd = -1;
	TAILQ_INIT(&D->queue);
	TAILQ_INIT(&D->waiters);
	TAILQ_INIT(&D->reqs);
	TAILQ_INIT(&D->conns);
	if (settings_load(&D->cfg, 9, argv, &code) != 0)
		fatal("settings_load: exit %d", code);
	log_init("migrated",
	    getenv("DT_DEBUG") != NULL ? LOG_LVL_DEBUG : LOG_LVL_ERROR);
	notify_init(D->cfg.log_format);
	dt_identity();
	if (conninfo_load(D->cfg.database_url, &why, &key) != 0)
		fatal("conninfo_load: %s", why);
	if (revset_load(D->cfg.migrations_dir, &D->rs, &diags) < 0)
		fatal("revset_load: %zu error(s)", diags.n);
	server_load_users();
	if ((D->base = event_base_new()) == NULL)
		fatal("event_base_new failed");
	state_init();
	state_start();
	leader_start();

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0)
		fatal("socketpair: %s", strerror(errno));
	conn_accept(sv[0]);
	dt_fd = sv[1];
	if (fcntl(dt_fd, F_SETFL, O_NONBLOCK) < 0)
		fatal("fcntl: %s", strerror(errno));
	dt_len = 0;
	dt_replies = json_object();
	dt_lines[0] = '\0';
}

static int
dt_rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

int
dt_teardown(void **state)
{
	(void)state;
	if (D != NULL)
		dt_stop();
	return 0;
}

void
dt_stop(void)
{
	runner_abort("the daemon is exiting", MERR_SHUTTING_DOWN);
	op_abort_all(MERR_SHUTTING_DOWN, "the daemon is exiting");
	conn_close_all();
	server_close();
	leader_stop();
	state_stop();
	op_stop();
	/* let the closed connection's frees run */
	event_base_loop(D->base, EVLOOP_NONBLOCK);
	daemon_free_state();
	free(D);
	D = NULL;
	close(dt_fd);
	dt_fd = -1;
	json_decref(dt_replies);
	dt_replies = NULL;
	fakedb_reset();
	nftw(dt_dir, dt_rm, 8, FTW_DEPTH | FTW_PHYS);
	dt_dir[0] = '\0';
}

static void dt_read(void);

/* Note a line the client got in dt_lines (cut when full). */
static void
dt_note(const json_t *j)
{
	const char *ev = json_string_value(json_object_get(j, "event"));
	const char *rev = json_string_value(json_object_get(j, "revision"));
	char item[96];

	if (ev != NULL)
		snprintf(item, sizeof item, "%s%s%s ", ev, rev ? ":" : "",
		    rev ? rev : "");
	else
		snprintf(item, sizeof item, "reply:%lld ",
		    (long long)json_integer_value(json_object_get(j, "id")));
	if (strlen(dt_lines) + strlen(item) < sizeof dt_lines)
		strcat(dt_lines, item);
}

const char *
dt_client_lines(void)
{
	dt_read();
	return dt_lines;
}

/* Read what the daemon wrote to the client; keep the final replies. */
static void
dt_read(void)
{
	json_t *j, *id;
	char *nl, key[32];
	ssize_t n;

	while (
	    (n = read(dt_fd, dt_buf + dt_len, sizeof dt_buf - dt_len - 1)) > 0)
		dt_len += (size_t)n;
	while ((nl = memchr(dt_buf, '\n', dt_len)) != NULL) {
		*nl = '\0';
		j = json_loads(dt_buf, 0, NULL);
		dt_note(j);
		if (j != NULL && json_object_get(j, "ok") != NULL &&
		    json_is_integer(id = json_object_get(j, "id"))) {
			snprintf(key, sizeof key, "%lld",
			    (long long)json_integer_value(id));
			json_object_set(dt_replies, key, j);
		}
		json_decref(j);
		dt_len -= (size_t)(nl + 1 - dt_buf);
		memmove(dt_buf, nl + 1, dt_len);
	}
}

static uint64_t
dt_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

bool
dt_until(bool (*pred)(const void *), const void *arg, int max_ms)
{
	uint64_t end = dt_now() + (uint64_t)max_ms;

	for (;;) {
		dt_read();
		if (pred(arg))
			return true;
		if (dt_now() > end)
			return false;
		event_base_loop(D->base, EVLOOP_ONCE | EVLOOP_NONBLOCK);
		if (!pred(arg))
			usleep(200);
	}
}

static bool
dt_never(const void *arg)
{
	(void)arg;
	return false;
}

void
dt_run(int ms)
{
	(void)dt_until(dt_never, NULL, ms);
}

int
dt_send(const char *op, const char *args)
{
	char *line;
	int id = ++dt_next_id;

	line = xasprintf("{\"id\": %d, \"op\": \"%s\"%s%s%s}\n", id, op,
	    args != NULL ? ", \"args\": " : "", args != NULL ? args : "", "");
	if (write(dt_fd, line, strlen(line)) != (ssize_t)strlen(line))
		fatal("write: %s", strerror(errno));
	free(line);
	return id;
}

json_t *
dt_reply(int id)
{
	char key[32];

	dt_read();
	snprintf(key, sizeof key, "%d", id);
	return json_object_get(dt_replies, key);
}

bool
dt_replied(const void *id)
{
	return dt_reply((int)(intptr_t)id) != NULL;
}

const char *
dt_code(int id)
{
	static char code[64];
	json_t *r = dt_reply(id);

	if (r == NULL)
		return "(none)";
	if (json_is_true(json_object_get(r, "ok")))
		return "ok";
	snprintf(code, sizeof code, "%s",
	    json_string_value(
		json_object_get(json_object_get(r, "error"), "code")));
	return code;
}

bool
dt_leader(const void *unused)
{
	(void)unused;
	return leader_is() && D->st.read && D->running == NULL &&
	    TAILQ_EMPTY(&D->queue);
}

bool
dt_standby_known(const void *unused)
{
	(void)unused;
	return !leader_is() && D->st.read && D->st.leader != NULL &&
	    !json_is_null(D->st.leader);
}

bool
dt_state_is(const void *state)
{
	return D->st.read &&
	    strcmp(rg_state_name(D->st.state), (const char *)state) == 0;
}

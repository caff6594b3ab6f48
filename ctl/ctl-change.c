/* SPDX-License-Identifier: MIT */
/* ctl-change.c: migratectl verbs that change the schema or the daemon. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "client.h"
#include "ctl.h"
#include "output.h"
#include "xmalloc.h"

#define CTL_LIVE_TICK_MS 100
#define CTL_CANCEL_TIMEOUT_MS 5000
#define CTL_MSG_WIDTH_MAX 48

static volatile sig_atomic_t ctl_sigints;

/* Progress of one upgrade/downgrade, fed by its events. */
struct ctl_progress {
	const struct ctl_args *a;
	bool human;		/* print step lines */
	bool live;		/* rewrite the running line on a terminal */
	int revw, msgw;
	char *rev, *msg;	/* the running step, NULL between steps */
	long long started_ms;
	bool cancel_sent;
};

static void
ctl_sigint(int sig)
{
	(void)sig;
	ctl_sigints++;
}

static long long
ctl_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void
ctl_progress_clear_line(struct ctl_progress *p)
{
	if (p->live && p->rev != NULL)
		fputs("\r\033[K", stdout);
}

static void
ctl_progress_draw(struct ctl_progress *p)
{
	ctl_progress_clear_line(p);
	output_step(stdout, OUTPUT_MARK_RUNNING, p->rev, p->revw, p->msg,
	    p->msgw, ctl_now_ms() - p->started_ms, p->a->color);
	fflush(stdout);
}

static void
ctl_progress_planned(struct ctl_progress *p, const json_t *body)
{
	const json_t *st;
	const char *s;
	size_t i;
	int n;

	json_array_foreach(json_object_get(body, "steps"), i, st) {
		if ((s = output_jstr(st, "revision")) != NULL &&
		    (n = (int)strlen(s)) > p->revw)
			p->revw = n;
		if ((s = output_jstr(st, "message")) != NULL &&
		    (n = (int)strlen(s)) > p->msgw)
			p->msgw = n < CTL_MSG_WIDTH_MAX ? n : CTL_MSG_WIDTH_MAX;
	}
}

static void
ctl_progress_started(struct ctl_progress *p, const json_t *body)
{
	const char *rev = output_jstr(body, "revision");
	const char *msg = output_jstr(body, "message");

	free(p->rev);
	free(p->msg);
	p->rev = xstrdup(rev != NULL ? rev : "?");
	p->msg = xstrdup(msg != NULL ? msg : "");
	p->started_ms = ctl_now_ms();
	if (p->live)
		ctl_progress_draw(p);
}

static void
ctl_progress_finished(struct ctl_progress *p, const json_t *body,
    bool failed)
{
	const json_t *ms = json_object_get(body, "duration_ms");
	const char *rev = output_jstr(body, "revision");
	long long dur;

	dur = json_is_integer(ms) ? (long long)json_integer_value(ms) :
	    p->rev != NULL ? ctl_now_ms() - p->started_ms : -1;
	ctl_progress_clear_line(p);
	output_step(stdout, failed ? OUTPUT_MARK_FAILED : OUTPUT_MARK_OK,
	    rev != NULL ? rev : p->rev != NULL ? p->rev : "?", p->revw,
	    p->msg != NULL ? p->msg : "", p->msgw, dur, p->a->color);
	fputc('\n', stdout);
	fflush(stdout);
	free(p->rev);
	free(p->msg);
	p->rev = p->msg = NULL;
}

/* The daemon's lint findings (SPEC §9), one a line on stderr. */
static void
ctl_progress_lint(struct ctl_progress *p, const json_t *body)
{
	const json_t *f;
	size_t i;

	ctl_progress_clear_line(p);
	json_array_foreach(json_object_get(body, "findings"), i, f)
		fprintf(stderr, "lint: %s:%lld:%lld: %s %s: %s\n",
		    output_jstr(f, "file"), (long long)json_integer_value(
		    json_object_get(f, "line")), (long long)json_integer_value(
		    json_object_get(f, "column")), output_jstr(f, "severity"),
		    output_jstr(f, "rule"), output_jstr(f, "message"));
}

/* Sessions that block the running step's ACCESS EXCLUSIVE lock. */
static void
ctl_progress_blockers(struct ctl_progress *p, const json_t *body)
{
	const json_t *b, *age;
	size_t i;

	ctl_progress_clear_line(p);
	json_array_foreach(json_object_get(body, "blockers"), i, b) {
		age = json_object_get(b, "age_ms");
		fprintf(stderr, "blocked by pid %lld (%s) holding %s on %s",
		    (long long)json_integer_value(json_object_get(b, "pid")),
		    output_jstr(b, "application"), output_jstr(b, "mode"),
		    output_jstr(b, "table"));
		if (json_is_integer(age))
			fprintf(stderr, ", in a transaction for %lld ms",
			    (long long)json_integer_value(age));
		fputc('\n', stderr);
	}
	if (p->live && p->rev != NULL)
		ctl_progress_draw(p);
}

static void
ctl_progress_event(const struct proto_reply *rep, void *arg)
{
	struct ctl_progress *p = arg;

	if (!p->human)
		return;
	if (strcmp(rep->event, "planned") == 0)
		ctl_progress_planned(p, rep->body);
	else if (strcmp(rep->event, "step_started") == 0)
		ctl_progress_started(p, rep->body);
	else if (strcmp(rep->event, "step_finished") == 0)
		ctl_progress_finished(p, rep->body, false);
	else if (strcmp(rep->event, "step_failed") == 0)
		ctl_progress_finished(p, rep->body, true);
	else if (strcmp(rep->event, "lint") == 0)
		ctl_progress_lint(p, rep->body);
	else if (strcmp(rep->event, "step_blockers") == 0)
		ctl_progress_blockers(p, rep->body);
}

/* Give up at once when a signal arrives during the cancel request. */
static int
ctl_cancel_tick(void *arg)
{
	return ctl_sigints >= 2 ? -EINTR : 0;
}

/* First Ctrl-C: ask the daemon, on a second connection, to cancel. */
static int
ctl_send_cancel(struct ctl_progress *p)
{
	const struct client_hooks hooks = { NULL, ctl_cancel_tick, NULL, 0,
	    NULL };
	struct proto_reply rep;
	struct client *c;
	int r;

	p->cancel_sent = true;
	ctl_progress_clear_line(p);
	fprintf(stderr, OUTPUT_PROG ": cancelling (Ctrl-C again to stop "
	    "waiting)\n");
	if ((r = client_connect(p->a->socket, CTL_CANCEL_TIMEOUT_MS, &c)) < 0) {
		fprintf(stderr, OUTPUT_PROG ": cannot send cancel: %s\n",
		    strerror(-r));
		return 0;
	}
	r = client_call(c, "cancel", NULL, CTL_CANCEL_TIMEOUT_MS, &hooks, &rep);
	client_free(c);
	if (r == -EINTR)
		return r;
	if (r < 0)
		fprintf(stderr, OUTPUT_PROG ": cannot send cancel: %s\n",
		    strerror(-r));
	else if (rep.kind == PROTO_REPLY_ERROR)
		output_error(stderr, rep.error);
	proto_reply_clear(&rep);
	return 0;
}

static int
ctl_progress_tick(void *arg)
{
	struct ctl_progress *p = arg;

	if (ctl_sigints >= 2)
		return -EINTR;
	if (ctl_sigints == 1 && !p->cancel_sent)
		return ctl_send_cancel(p);
	if (p->live && p->rev != NULL)
		ctl_progress_draw(p);
	return 0;
}

/* Before the outcome is printed: end a live line left on the screen. */
static void
ctl_progress_done(void *arg)
{
	struct ctl_progress *p = arg;

	if (p->live && p->rev != NULL) {
		fputc('\n', stdout);
		fflush(stdout);
	}
	free(p->rev);
	free(p->msg);
	p->rev = p->msg = NULL;
}

static void
ctl_install_sigint(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = ctl_sigint;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;	/* no SA_RESTART: poll() must see EINTR */
	sigaction(SIGINT, &sa, NULL);
}

static void
ctl_print_sql(const struct ctl_args *a, const json_t *result)
{
	const char *sql = output_jstr(result, "sql");
	size_t n;

	if (a->json || a->quiet || sql == NULL)
		return;
	fputs(sql, stdout);
	n = strlen(sql);
	if (n > 0 && sql[n - 1] != '\n')
		fputc('\n', stdout);
}

/* upgrade and downgrade: run op to target and show its progress. */
static enum ctl_exit
ctl_migrate(const struct ctl_args *a, const char *op, const char *verb,
    const char *target, bool atomic)
{
	struct ctl_progress p = { .a = a };
	struct client_hooks hooks = { ctl_progress_event, ctl_progress_tick,
	    ctl_progress_done, 0, &p };
	struct proto_reply rep;
	enum ctl_exit ex;
	json_t *args;
	char *sum;

	p.human = !a->json && !a->quiet && !a->sql;
	p.live = p.human && a->tty;
	p.revw = 12;
	if (p.live)
		hooks.tick_ms = CTL_LIVE_TICK_MS;
	args = json_pack("{s:s}", "target", target);
	if (a->sql)
		json_object_set_new(args, "sql", json_true());
	if (atomic)
		json_object_set_new(args, "atomic", json_true());
	if (!a->sql)
		ctl_install_sigint();
	ex = client_run(a, op, args, a->sql ? CLIENT_WAIT_READ :
	    CLIENT_WAIT_PROGRESS, &hooks, &rep);
	json_decref(args);
	if (ex == CTL_OK && a->sql)
		ctl_print_sql(a, rep.result);
	else if (ex == CTL_OK && p.human) {
		sum = output_summary(verb, rep.result, target);
		printf("%s\n", sum);
		free(sum);
	}
	proto_reply_clear(&rep);
	return ex;
}

enum ctl_exit
ctl_upgrade(const struct ctl_args *a, int argc, char **argv)
{
	return ctl_migrate(a, "upgrade", "upgraded", argc > 0 ? argv[0] :
	    "head", a->atomic);
}

enum ctl_exit
ctl_downgrade(const struct ctl_args *a, int argc, char **argv)
{
	return ctl_migrate(a, "downgrade", "downgraded", argv[0], false);
}

enum ctl_exit
ctl_stamp(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	enum ctl_exit ex;
	json_t *args;
	char *from, *to;

	args = json_pack("{s:s}", "target", argv[0]);
	ex = client_run(a, "stamp", args, CLIENT_WAIT_CHANGE, NULL, &rep);
	json_decref(args);
	if (ex == CTL_OK && !a->json && !a->quiet) {
		from = output_revlist(json_object_get(rep.result, "from"),
		    "base");
		to = output_revlist(json_object_get(rep.result, "to"), "base");
		printf("stamped %s -> %s\n", from, to);
		free(from);
		free(to);
	}
	proto_reply_clear(&rep);
	return ex;
}

/* "label: a, b" for a non-empty list member of o. */
static void
ctl_print_list(const json_t *o, const char *key)
{
	const json_t *list = json_object_get(o, key);
	char *s;

	if (json_array_size(list) == 0)
		return;
	s = output_revlist(list, "");
	printf("%-10s %s\n", key, s);
	free(s);
}

/* The auto-migrate a reload started, as upgrade prints its steps. */
static void
ctl_print_auto(const json_t *up)
{
	const json_t *st, *ms;
	const char *rev;
	char *sum;
	size_t i;

	if (!json_is_object(up))
		return;
	json_array_foreach(json_object_get(up, "steps"), i, st) {
		rev = output_jstr(st, "revision");
		ms = json_object_get(st, "duration_ms");
		output_step(stdout, OUTPUT_MARK_OK, rev != NULL ? rev : "?", 12,
		    output_jstr(st, "message"), 0, json_is_integer(ms) ?
		    (long long)json_integer_value(ms) : -1, false);
		fputc('\n', stdout);
	}
	sum = output_summary("auto-migrate upgraded", up, "heads");
	printf("%s\n", sum);
	free(sum);
}

enum ctl_exit
ctl_reload(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	const json_t *n;
	enum ctl_exit ex;

	ex = client_run(a, "reload", NULL, CLIENT_WAIT_CHANGE, NULL, &rep);
	if (ex == CTL_OK && !a->json && !a->quiet) {
		n = json_object_get(rep.result, "revisions");
		printf("reloaded: %lld revisions\n", json_is_integer(n) ?
		    (long long)json_integer_value(n) : 0LL);
		ctl_print_list(rep.result, "added");
		ctl_print_list(rep.result, "removed");
		ctl_print_list(rep.result, "changed");
		ctl_print_auto(json_object_get(rep.result, "upgrade"));
	}
	proto_reply_clear(&rep);
	return ex;
}

enum ctl_exit
ctl_cancel(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	const char *op, *rev;
	enum ctl_exit ex;

	ex = client_run(a, "cancel", NULL, CLIENT_WAIT_READ, NULL, &rep);
	if (ex == CTL_OK && !a->json && !a->quiet) {
		op = output_jstr(rep.result, "op");
		rev = output_jstr(rep.result, "revision");
		if (json_is_true(json_object_get(rep.result, "cancelled")))
			printf("cancelled %s%s%s\n", op != NULL ? op : "step",
			    rev != NULL ? " of " : "", rev != NULL ? rev : "");
		else
			printf("nothing running\n");
	}
	proto_reply_clear(&rep);
	return ex;
}

/*
 * The dirty step the daemon reports (a new reference), or NULL: asked on
 * its own connection, silently, so that resolve can say which statements
 * of it ran (issue 10 item 5).
 */
static json_t *
ctl_dirty_step(const struct ctl_args *a)
{
	struct proto_reply rep;
	struct client *c;
	json_t *dirty = NULL;

	/* migrated --once hands over one connection, for the resolve */
	if (strncmp(a->socket, "fd:", 3) == 0 ||
	    client_connect(a->socket, client_connect_timeout(a), &c) < 0)
		return NULL;
	if (client_call(c, "status", NULL, CTL_READ_TIMEOUT_MS, NULL,
	    &rep) == 0 && rep.kind == PROTO_REPLY_OK &&
	    json_is_object(json_object_get(rep.result, "dirty")))
		dirty = json_incref(json_object_get(rep.result, "dirty"));
	proto_reply_clear(&rep);
	client_free(c);
	return dirty;
}

static void
ctl_print_dirty(FILE *f, const json_t *dirty)
{
	const char *rev = output_jstr(dirty, "revision");
	const char *st = output_jstr(dirty, "statements");

	if (rev == NULL)
		return;
	fprintf(f, "%s did not finish: %s\n", rev, st != NULL ? st :
	    "its statements' progress was not recorded");
}

enum ctl_exit
ctl_resolve(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	enum ctl_exit ex;
	json_t *args, *dirty;
	char *cur;

	dirty = ctl_dirty_step(a);
	if (a->applied == a->rolled_back) {
		ctl_print_dirty(stderr, dirty);
		fprintf(stderr, OUTPUT_PROG ": resolve: give exactly one of "
		    "--applied and --rolled-back\n");
		json_decref(dirty);
		return CTL_USAGE;
	}
	if (!a->json && !a->quiet)
		ctl_print_dirty(stdout, dirty);
	json_decref(dirty);
	args = json_pack("{s:s, s:s}", "revision", argv[0], "as",
	    a->applied ? "applied" : "rolled-back");
	ex = client_run(a, "resolve", args, CLIENT_WAIT_CHANGE, NULL, &rep);
	json_decref(args);
	if (ex == CTL_OK && !a->json && !a->quiet) {
		cur = output_revlist(json_object_get(rep.result, "current"),
		    "base");
		printf("resolved %s as %s; current: %s\n", argv[0],
		    a->applied ? "applied" : "rolled back", cur);
		free(cur);
	}
	proto_reply_clear(&rep);
	return ex;
}

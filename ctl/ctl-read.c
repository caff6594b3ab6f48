/* SPDX-License-Identifier: MIT */
/* ctl-read.c: migratectl verbs that read the daemon's state. */
#include "config.h"

#include <sys/ioctl.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "client.h"
#include "ctl.h"
#include "output.h"
#include "xmalloc.h"

/* Columns of the terminal on stdout (80 when it does not say). */
static int
ctl_term_width(void)
{
	struct winsize ws;

	if (ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
		return ws.ws_col;
	return 80;
}

/* Human output goes to stdout unless --json or -q. */
static bool
ctl_read_human(const struct ctl_args *a)
{
	return !a->json && !a->quiet;
}

enum ctl_exit
ctl_status(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	enum ctl_exit ex;
	json_t *args;

	args = json_pack("{s:b}", "fresh", a->fresh);
	ex = client_run(a, "status", args, CLIENT_WAIT_READ, NULL, &rep);
	json_decref(args);
	if (ex == CTL_OK) {
		if (ctl_read_human(a))
			output_status(stdout, rep.result, a->color);
		if (a->check)
			ex = output_state_exit(rep.result);
	}
	proto_reply_clear(&rep);
	return ex;
}

/* The status reply with its version rows known, for current and heads. */
static enum ctl_exit
ctl_read_status(const struct ctl_args *a, bool need_current,
    struct proto_reply *rep)
{
	enum ctl_exit ex;
	const char *err;

	ex = client_run(a, "status", NULL, CLIENT_WAIT_READ, NULL, rep);
	if (ex != CTL_OK || !need_current)
		return ex;
	if (json_is_array(json_object_get(rep->result, "current")))
		return CTL_OK;
	err = output_jstr(rep->result, "error");
	fprintf(stderr, OUTPUT_PROG ": the database has not been read yet%s%s"
	    "\n", err != NULL ? ": " : "", err != NULL ? err : "");
	return CTL_TEMPFAIL;
}

enum ctl_exit
ctl_current(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	enum ctl_exit ex;

	ex = ctl_read_status(a, true, &rep);
	if (ex == CTL_OK && ctl_read_human(a))
		output_current(stdout, rep.result);
	proto_reply_clear(&rep);
	return ex;
}

enum ctl_exit
ctl_heads(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	enum ctl_exit ex;

	ex = ctl_read_status(a, false, &rep);
	if (ex == CTL_OK && ctl_read_human(a))
		output_heads(stdout, rep.result);
	proto_reply_clear(&rep);
	return ex;
}

enum ctl_exit
ctl_history(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	enum ctl_exit ex;

	/* With --dir, history reads the files and needs no daemon. */
	if (a->dir != NULL)
		return ctl_history_offline(a, argc, argv);
	ex = client_run_pages(a, "history", "revisions", &rep);
	if (ex == CTL_OK && ctl_read_human(a))
		output_history(stdout, rep.result, a->verbose);
	proto_reply_clear(&rep);
	return ex;
}

enum ctl_exit
ctl_log(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	enum ctl_exit ex;
	json_t *args;

	args = json_object();
	if (a->limit >= 0)
		json_object_set_new(args, "limit", json_integer(a->limit));
	ex = client_run(a, "log", args, CLIENT_WAIT_READ, NULL, &rep);
	json_decref(args);
	if (ex == CTL_OK && ctl_read_human(a) && a->verbose)
		output_log_verbose(stdout, rep.result);
	else if (ex == CTL_OK && ctl_read_human(a))
		output_log(stdout, rep.result, a->tty ? ctl_term_width() : 0);
	proto_reply_clear(&rep);
	return ex;
}

/* verify --schema: the objects changed outside migrations (SPEC §8). */
static enum ctl_exit
ctl_verify_schema(const struct ctl_args *a, const json_t *result)
{
	const json_t *sd = json_object_get(result, "schema_drift"), *e;
	const char *note = json_string_value(json_object_get(result,
	    "schema_drift_note"));
	size_t i;

	if (!json_is_array(sd)) {
		fprintf(stderr, OUTPUT_PROG ": schema drift unknown: %s\n",
		    note != NULL ? note : "no fingerprints recorded");
		return CTL_TEMPFAIL;
	}
	if (json_array_size(sd) == 0)
		return CTL_OK;
	json_array_foreach(sd, i, e)
		fprintf(stderr, "schema drift: %s %s\n",
		    json_string_value(json_object_get(e, "object")),
		    json_string_value(json_object_get(e, "change")));
	if (note != NULL)
		fprintf(stderr, "schema drift: %s\n", note);
	fprintf(stderr, OUTPUT_PROG ": %zu schema object%s changed outside "
	    "migrations (schema drift)\n", json_array_size(sd),
	    json_array_size(sd) == 1 ? "" : "s");
	return CTL_NEEDS_PERSON;
}

enum ctl_exit
ctl_verify(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	const json_t *drift, *checked;
	json_t *args = a->schema_check ? json_pack("{s:b}", "schema", 1) :
	    NULL;
	enum ctl_exit ex;

	ex = client_run(a, "verify", args, CLIENT_WAIT_READ, NULL, &rep);
	json_decref(args);
	if (ex != CTL_OK)
		goto out;
	if (a->schema_check && (ex = ctl_verify_schema(a, rep.result)) !=
	    CTL_OK)
		goto out;
	drift = json_object_get(rep.result, "drift");
	checked = json_object_get(rep.result, "checked");
	if (json_array_size(drift) > 0) {
		if (!a->json)
			output_drift(stderr, drift);
		fprintf(stderr, OUTPUT_PROG ": %zu applied revision%s changed "
		    "since applied (drift)\n", json_array_size(drift),
		    json_array_size(drift) == 1 ? "" : "s");
		ex = CTL_NEEDS_PERSON;
	} else if (ctl_read_human(a))
		printf("%lld applied revisions checked, no drift\n",
		    json_is_integer(checked) ?
		    (long long)json_integer_value(checked) : 0LL);
out:
	proto_reply_clear(&rep);
	return ex;
}

enum ctl_exit
ctl_check(const struct ctl_args *a, int argc, char **argv)
{
	struct proto_reply rep;
	enum ctl_exit ex;
	json_t *args;

	if (a->requires != NULL && argc > 0) {
		fprintf(stderr, OUTPUT_PROG ": check: give a TARGET or "
		    "--requires REV, not both\n");
		return CTL_USAGE;
	}
	if (a->requires != NULL)
		args = json_pack("{s:s}", "requires", a->requires);
	else
		args = json_pack("{s:s}", "target", argc > 0 ? argv[0] :
		    "heads");
	ex = client_run(a, "check", args, CLIENT_WAIT_READ, NULL, &rep);
	json_decref(args);
	if (ex == CTL_OK) {
		if (ctl_read_human(a))
			output_check(stdout, rep.result, a->color);
		ex = output_state_exit(rep.result);
	}
	proto_reply_clear(&rep);
	return ex;
}

enum ctl_exit
ctl_wait(const struct ctl_args *a, int argc, char **argv)
{
	const char *target = argc > 0 ? argv[0] : "heads";
	struct proto_reply rep;
	enum ctl_exit ex;
	json_t *args;
	char *cur;

	args = json_pack("{s:s}", "target", target);
	if (a->wait_ms > 0)
		json_object_set_new(args, "timeout_ms",
		    json_integer(a->wait_ms));
	ex = client_run(a, "wait", args, CLIENT_WAIT_PROGRESS, NULL,
	    &rep);
	json_decref(args);
	if (ex == CTL_OK && ctl_read_human(a)) {
		cur = output_revlist(json_object_get(rep.result, "current"),
		    "base");
		printf("at %s: %s\n", target, cur);
		free(cur);
	} else if (rep.kind == PROTO_REPLY_ERROR)
		ex = output_wait_exit(rep.error);
	proto_reply_clear(&rep);
	return ex;
}

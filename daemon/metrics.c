/* SPDX-License-Identifier: MIT */
/* metrics.c: counters and the Prometheus text exposition of /metrics. */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>

#include "daemon.h"

/*
 * Label values are only op names of the op table, error code names and
 * fixed words, never text from a client or the database: nothing to
 * escape, and the number of series is bounded by the tables.
 */
#define METRICS_MAX_OPS 32

struct metrics_op {
	const char *name;			/* static */
	unsigned long long n[MERR__MAX];	/* by result; [0] is ok */
};

static struct metrics_op metrics_ops[METRICS_MAX_OPS];
static size_t metrics_nops;

static const char *const metrics_step_ops[] = { "upgrade", "downgrade" };

static struct {
	unsigned long long ok[2], failed[2];	/* by metrics_step_ops */
	bool have_last;
	bool last_ok;
	uint64_t last_ms;			/* duration */
	uint64_t last_at;			/* end, ms since the epoch */
} metrics_steps;

static uint64_t metrics_started;

void
metrics_init(void)
{
	metrics_started = wall_ms();
}

void
metrics_request(const char *op, enum merr_code code)
{
	size_t i;

	if (op == NULL)
		op = "invalid";
	if ((int)code < 0 || code >= MERR__MAX)
		code = MERR_INTERNAL;
	for (i = 0; i < metrics_nops; i++)
		if (strcmp(metrics_ops[i].name, op) == 0)
			break;
	if (i == metrics_nops) {
		if (metrics_nops == METRICS_MAX_OPS)
			return;
		metrics_ops[metrics_nops++].name = op;
	}
	metrics_ops[i].n[code]++;
}

void
metrics_step(const char *operation, uint64_t duration_ms, bool ok)
{
	int k = strcmp(operation, "downgrade") == 0;

	if (ok)
		metrics_steps.ok[k]++;
	else
		metrics_steps.failed[k]++;
	metrics_steps.have_last = true;
	metrics_steps.last_ok = ok;
	metrics_steps.last_ms = duration_ms;
	metrics_steps.last_at = wall_ms();
}

/* "# HELP" and "# TYPE" lines of one metric. */
static void
metrics_head(struct evbuffer *out, const char *name, const char *type,
    const char *help)
{
	evbuffer_add_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help,
	    name, type);
}

static void
metrics_gauge(struct evbuffer *out, const char *name, const char *help,
    double v)
{
	metrics_head(out, name, "gauge", help);
	evbuffer_add_printf(out, "%s %.15g\n", name, v);
}

static void
metrics_state(struct evbuffer *out)
{
	static const enum rg_state states[] = { RG_UNKNOWN, RG_DIRTY,
	    RG_AHEAD, RG_CURRENT, RG_BEHIND, RG_DIVERGED };
	size_t i;

	metrics_head(out, "migrated_state", "gauge", "The schema against the "
	    "heads of the migrations directory: 1 for the state it is in.");
	for (i = 0; i < ARRAY_LEN(states); i++)
		evbuffer_add_printf(out, "migrated_state{state=\"%s\"} %d\n",
		    rg_state_name(states[i]), D->st.state == states[i]);
	metrics_gauge(out, "migrated_pending_revisions", "Revisions to "
	    "apply to reach the heads.", (double)state_pending_count(
	    NULL));
	metrics_gauge(out, "migrated_revisions", "Revisions loaded from the "
	    "migrations directory.", (double)D->rs->g->n);
	metrics_gauge(out, "migrated_heads", "Heads of the migrations "
	    "directory.", (double)D->rs->g->nheads);
	metrics_gauge(out, "migrated_drift_revisions", "Applied revisions "
	    "whose upgrade section changed since they ran.",
	    (double)json_array_size(D->st.drift));
	metrics_gauge(out, "migrated_dirty", "1 if a non-transactional step "
	    "did not finish (needs migratectl resolve).", D->st.dirty);
	metrics_gauge(out, "migrated_auto_migrate", "1 if pending revisions "
	    "are applied without being asked.", D->cfg.auto_migrate);
}

static void
metrics_daemon(struct evbuffer *out, unsigned int http_conns)
{
	metrics_head(out, "migrated_info", "gauge", "The daemon's version "
	    "(value 1).");
	evbuffer_add_printf(out, "migrated_info{version=\"%s\"} 1\n",
	    PACKAGE_VERSION);
	metrics_gauge(out, "migrated_start_time_seconds", "Start of the "
	    "daemon, seconds since the epoch.", (double)metrics_started /
	    1000);
	metrics_gauge(out, "migrated_database_connected", "1 if the read "
	    "session to PostgreSQL is connected.", D->read_connected);
	metrics_gauge(out, "migrated_lock_session_connected", "1 if the "
	    "lock session to PostgreSQL is connected.",
	    leader_backend_pid() > 0);
	metrics_gauge(out, "migrated_leader", "1 if this daemon holds the "
	    "advisory lock (may change the schema).", leader_is());
	metrics_gauge(out, "migrated_leader_present", "1 if some daemon "
	    "holds the lock, as last read.", !json_is_null(D->st.leader) &&
	    D->st.leader != NULL);
	metrics_gauge(out, "migrated_queued_requests", "Changing requests "
	    "waiting in the queue.", (double)D->queue_len);
	metrics_gauge(out, "migrated_clients", "Clients connected to the "
	    "control socket.", (double)D->nconns);
	metrics_gauge(out, "migrated_http_connections", "Open connections "
	    "to this HTTP listener.", http_conns);
	metrics_gauge(out, "migrated_shutting_down", "1 once a stop signal "
	    "was received.", D->shutting_down);
}

static void
metrics_running(struct evbuffer *out)
{
	json_t *run = runner_running_json();
	double elapsed = 0;

	if (json_is_object(run))
		elapsed = (double)json_integer_value(json_object_get(run,
		    "elapsed_ms")) / 1000;
	metrics_gauge(out, "migrated_step_running", "1 while a migration "
	    "step runs.", json_is_object(run));
	metrics_gauge(out, "migrated_step_running_seconds", "How long the "
	    "running step has run (0 when none).", elapsed);
	json_decref(run);
}

static void
metrics_step_counts(struct evbuffer *out)
{
	size_t k;

	metrics_head(out, "migrated_steps_total", "counter", "Migration "
	    "steps this daemon ran, by operation and outcome.");
	for (k = 0; k < ARRAY_LEN(metrics_step_ops); k++)
		evbuffer_add_printf(out,
		    "migrated_steps_total{operation=\"%s\",outcome=\"ok\"} "
		    "%llu\nmigrated_steps_total{operation=\"%s\","
		    "outcome=\"failed\"} %llu\n", metrics_step_ops[k],
		    metrics_steps.ok[k], metrics_step_ops[k],
		    metrics_steps.failed[k]);
	metrics_head(out, "migrated_step_failures_total", "counter",
	    "Migration steps that failed (all operations).");
	evbuffer_add_printf(out, "migrated_step_failures_total %llu\n",
	    metrics_steps.failed[0] + metrics_steps.failed[1]);
	if (!metrics_steps.have_last)
		return;
	metrics_gauge(out, "migrated_last_step_duration_seconds", "Duration "
	    "of the last migration step this daemon ran.",
	    (double)metrics_steps.last_ms / 1000);
	metrics_gauge(out, "migrated_last_step_timestamp_seconds", "End of "
	    "the last step, seconds since the epoch.",
	    (double)metrics_steps.last_at / 1000);
	metrics_gauge(out, "migrated_last_step_success", "1 if the last "
	    "step succeeded, 0 if it failed.", metrics_steps.last_ok);
}

static void
metrics_requests(struct evbuffer *out)
{
	size_t i;
	int c;

	metrics_head(out, "migrated_requests_total", "counter", "Requests "
	    "answered on the control socket, by op and result (ok or the "
	    "error code).");
	for (i = 0; i < metrics_nops; i++)
		for (c = 0; c < MERR__MAX; c++)
			if (metrics_ops[i].n[c] > 0)
				evbuffer_add_printf(out, "migrated_requests_"
				    "total{op=\"%s\",result=\"%s\"} %llu\n",
				    metrics_ops[i].name, c == MERR_NONE ?
				    "ok" : merr_code_name(c),
				    metrics_ops[i].n[c]);
}

void
metrics_render(struct evbuffer *out, unsigned int http_conns)
{
	metrics_daemon(out, http_conns);
	metrics_state(out);
	metrics_running(out);
	metrics_step_counts(out);
	metrics_requests(out);
}

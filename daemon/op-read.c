/* SPDX-License-Identifier: MIT */
/* op-read.c: ops that only read: hello, status, history, log, verify, check. */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "daemon.h"
#include "proto.h"
#include "runner-sql.h"

static const char *const no_args[] = { NULL };

/* ---- hello ---- */

static int
op_hello_exec(struct req *req, json_t **result, struct merr *err)
{
	json_t *peer = json_null();

	if (req->conn != NULL)
		peer = json_pack("{s:I, s:s, s:b}", "uid",
		    (json_int_t)req->conn->peer.uid, "user",
		    req->conn->peer.user, "admin", req->conn->peer.admin);
	*result = json_pack("{s:s, s:s, s:i, s:I, s:s, s:s, s:o}", "server",
	    "migrated", "version", PACKAGE_VERSION, "protocol", 1, "pid",
	    (json_int_t)D->pid, "instance", D->instance, "role", leader_is() ?
	    "leader" : "standby", "peer", peer);
	return OP_DONE;
}

const struct op_entry op_hello_entry = {
	.name = "hello", .flags = OP_DURING_SHUTDOWN, .args = no_args,
	.exec = op_hello_exec,
};

/* ---- status ---- */

static void
op_status_fresh(void *arg, bool ok)
{
	struct req *req = arg;

	/* a failed refresh still answers: connected false says why */
	req->reply = status_reply(req);
	op_finish(req, NULL, NULL);
}

static int
op_status_exec(struct req *req, json_t **result, struct merr *err)
{
	bool fresh = false;
	int r;

	if ((r = proto_arg_bool(req->args, "fresh", &fresh, err)) < 0)
		return r;
	if (fresh && D->read_connected) {
		state_refresh_then(op_status_fresh, req);
		return OP_WAIT;
	}
	req->reply = status_reply(req);
	return OP_DONE;
}

static const char *const status_args[] = { "fresh", NULL };

const struct op_entry op_status_entry = {
	.name = "status", .flags = OP_DURING_SHUTDOWN, .args = status_args,
	.exec = op_status_exec,
};

/* ---- history ---- */

static int
op_history_exec(struct req *req, json_t **result, struct merr *err)
{
	int r;

	if ((r = state_history_json(req->args, result, err)) < 0)
		return r;
	return OP_DONE;
}

static const char *const history_args[] = { "limit", "before", NULL };

const struct op_entry op_history_entry = {
	.name = "history", .flags = OP_DURING_SHUTDOWN, .args = history_args,
	.exec = op_history_exec,
};

/* ---- log ---- */

static json_t *
op_log_value(const PGresult *res, int row, int col)
{
	Oid t = PQftype(res, col);

	if (PQgetisnull(res, row, col))
		return json_null();
	if (t == 20 || t == 23)		/* int8, int4 */
		return json_integer(strtoll(PQgetvalue(res, row, col), NULL,
		    10));
	return json_string(PQgetvalue(res, row, col));
}

static void
op_log_done(struct db *db, const struct db_result *r, void *arg)
{
	struct req *req = arg;
	struct merr err = { 0 };
	const PGresult *res;
	json_t *rows, *o;
	int i, j;

	if (r->conn_lost) {
		merr_set(&err, MERR_DB_UNAVAILABLE, "database connection "
		    "lost: %s", r->conn_error);
		op_finish(req, NULL, &err);
		merr_clear(&err);
		return;
	}
	rows = json_array();
	if (r->failed < 0) {
		res = r->res[0];
		for (i = 0; i < PQntuples(res); i++) {
			o = json_object();
			for (j = 0; j < PQnfields(res); j++)
				json_object_set_new(o, PQfname(res, j),
				    op_log_value(res, i, j));
			json_array_append_new(rows, o);
		}
	}
	/* no history table yet: no rows */
	op_finish(req, json_pack("{s:o}", "rows", rows), NULL);
}

static int
op_log_exec(struct req *req, json_t **result, struct merr *err)
{
	long long limit = 20, before = -1;
	char lim[24], bef[24], *sql;
	const char *params[2] = { lim, NULL };
	int r;

	if ((r = proto_arg_int(req->args, "limit", 1, 10000, &limit,
	    err)) < 0 || (r = proto_arg_int(req->args, "before", 1,
	    INT64_MAX, &before, err)) < 0)
		return r;
	if (!D->read_connected)
		return merr_set(err, MERR_DB_UNAVAILABLE, "database "
		    "unreachable: %s", D->read_error ? D->read_error : "");
	snprintf(lim, sizeof lim, "%lld", limit);
	if (before > 0) {
		/* the next page: rows older than the last one shown */
		snprintf(bef, sizeof bef, "%lld", before);
		params[1] = bef;
	}
	sql = xasprintf("SELECT id, revision, operation, checksum, message, "
	    "to_char(started_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS started_at, "
	    "to_char(finished_at AT TIME ZONE 'UTC', "
	    "'YYYY-MM-DD\"T\"HH24:MI:SS.MS\"Z\"') AS finished_at, "
	    "duration_ms, outcome, error, host, pid, requested_by, "
	    /* a table of a version before instance ids may lack it */
	    "pg_catalog.to_jsonb(h) ->> 'instance' AS instance "
	    "FROM %s h WHERE $2::bigint IS NULL OR id < $2::bigint "
	    "ORDER BY id DESC LIMIT $1::int", D->ht);
	r = state_query(sql, 2, params, op_log_done, req);
	free(sql);
	if (r < 0)
		return merr_set(err, MERR_DB_UNAVAILABLE, "database "
		    "unreachable");
	return OP_WAIT;
}

static const char *const log_args[] = { "limit", "before", NULL };

const struct op_entry op_log_entry = {
	.name = "log", .flags = OP_DURING_SHUTDOWN, .args = log_args,
	.exec = op_log_exec,
};

/* ---- verify ---- */

/* verify --schema: the checksums and the schema drift (SPEC §8). */
static void
op_verify_schema(void *arg, bool ok)
{
	struct req *req = arg;
	struct merr err = { 0 };
	json_t *sd = D->st.schema_drift;

	if (!ok) {
		merr_set(&err, MERR_DB_UNAVAILABLE, "cannot read the catalog: "
		    "%s", D->read_error ? D->read_error : "failed");
		op_finish(req, NULL, &err);
		merr_clear(&err);
		return;
	}
	op_finish(req, json_pack("{s:b, s:O, s:O, s:s?}", "ok",
	    json_array_size(D->st.drift) == 0 && (sd == NULL ||
	    json_array_size(sd) == 0), "drift", D->st.drift, "schema_drift",
	    sd != NULL ? sd : json_null(), "schema_drift_note",
	    D->st.schema_note), NULL);
}

static void
op_verify_fresh(void *arg, bool ok)
{
	struct req *req = arg;
	struct merr err = { 0 };
	json_t *result;
	size_t i, checked = 0;

	if (!ok) {
		merr_set(&err, MERR_DB_UNAVAILABLE, "database unreachable: %s",
		    D->read_error ? D->read_error : "refresh failed");
		op_finish(req, NULL, &err);
		merr_clear(&err);
		return;
	}
	for (i = 0; i < D->st.nck; i++)
		if (D->st.ck_sum[i] != NULL &&
		    revgraph_find(D->rs->g, D->st.ck_rev[i]) >= 0)
			checked++;
	result = json_pack("{s:b, s:I, s:O}", "ok",
	    json_array_size(D->st.drift) == 0, "checked", (json_int_t)checked,
	    "drift", D->st.drift);
	if (json_is_true(json_object_get(req->args, "schema"))) {
		/* verify --schema: the live catalog against the record */
		json_decref(result);
		schema_check_then(op_verify_schema, req);
		return;
	}
	op_finish(req, result, NULL);
}

static int
op_verify_exec(struct req *req, json_t **result, struct merr *err)
{
	bool schema = false;
	int r;

	if ((r = proto_arg_bool(req->args, "schema", &schema, err)) < 0)
		return r;
	return op_fresh(req, op_verify_fresh, err);
}

static const char *const verify_args[] = { "schema", NULL };

const struct op_entry op_verify_entry = {
	.name = "verify", .flags = OP_DURING_SHUTDOWN, .args = verify_args,
	.exec = op_verify_exec,
};

/* ---- check ---- */

static void
op_check_fresh(void *arg, bool ok)
{
	struct req *req = arg;
	struct merr err = { 0 };
	const char *target = "heads", *requires = NULL;
	json_t *result = NULL;

	if (!ok)
		merr_set(&err, MERR_DB_UNAVAILABLE, "database unreachable: %s",
		    D->read_error ? D->read_error : "refresh failed");
	else if (proto_arg_string(req->args, "requires", false, &requires,
	    &err) == 0 && requires != NULL)
		(void)requires_state(requires, &result, &err);
	else if (err.code == MERR_NONE && proto_arg_string(req->args,
	    "target", false, &target, &err) == 0)
		(void)op_target_state(target, &result, &err);
	op_finish(req, result, err.code != MERR_NONE ? &err : NULL);
	merr_clear(&err);
}

static int
op_check_exec(struct req *req, json_t **result, struct merr *err)
{
	return op_fresh(req, op_check_fresh, err);
}

static const char *const check_args[] = { "target", "requires", NULL };

const struct op_entry op_check_entry = {
	.name = "check", .flags = OP_DURING_SHUTDOWN, .args = check_args,
	.exec = op_check_exec,
};

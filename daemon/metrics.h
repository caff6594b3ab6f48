/* SPDX-License-Identifier: MIT */
/* metrics.h: counters for /metrics, the HTTP listener, check --requires. */
#ifndef MIGRATED_METRICS_H
#define MIGRATED_METRICS_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "merr.h"
#include "revgraph.h"

struct evbuffer;

/* metrics.c: counted from memory, never from the database */
/* Note the start time (for migrated_start_time_seconds). */
void metrics_init(void);
/* A request of op (a name of the op table, or NULL for an invalid line)
 * was answered with code (MERR_NONE: ok). */
void metrics_request(const char *op, enum merr_code code);
/* A migration step of operation ("upgrade"/"downgrade") ended. */
void metrics_step(const char *operation, uint64_t duration_ms, bool ok);
/* The /metrics page: the Prometheus text exposition format, version 0.0.4. */
void metrics_render(struct evbuffer *out, unsigned int http_conns);

/* http.c: the optional listener of http_listen */
/* Listen when http_listen is set; 0, or < 0 after logging why. */
int http_start(void) MIG_MUSTCHECK;
void http_stop(void);

/* requires.c */
/*
 * Where the database stands against "at or beyond rev" (check
 * --requires): current when rev is applied (a version row or an ancestor
 * of one) and neither dirty nor drifted; behind when an upgrade would
 * apply it; dirty, ahead or diverged when only a person can get there;
 * unknown before the first read. *result is check's result (new
 * reference) or NULL with err set (revision_not_found, ...).
 */
enum rg_state requires_state(const char *rev, json_t **result,
    struct merr *err);
/* 200 or 503 and a one-line text for /readyz (rev NULL: the heads). */
int requires_ready(const char *rev, char *text, size_t size);

#endif

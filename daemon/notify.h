/* SPDX-License-Identifier: MIT */
/* notify.h: systemd integration: sd_notify, watchdog, activation, journald. */
#ifndef MIGRATED_NOTIFY_H
#define MIGRATED_NOTIFY_H

#include <stdbool.h>
#include <stdint.h>
#include "log.h"
#include "settings.h"

/*
 * Read the environment (NOTIFY_SOCKET, WATCHDOG_USEC, JOURNAL_STREAM) and
 * route log records as the log_format setting says (how: enum log_output):
 * auto sends them to the journal when stderr is the journal, journald
 * always (a plain line if that fails), with PRIORITY, MESSAGE, MIGRATED_OP,
 * MIGRATED_REVISION, MIGRATED_DURATION_MS and SQLSTATE fields; text and
 * json write lines on stderr. Safe to call when not under systemd.
 */
void notify_init(enum log_output how);

/* READY=1 (sent once). */
void notify_ready(void);
/* STATUS=<text>; repeated identical texts are not re-sent. */
void notify_status(const char *fmt, ...) MIG_PRINTF(1, 2);
void notify_stopping(void);
/* RELOADING=1 with MONOTONIC_USEC, then READY=1 via notify_reload_done(). */
void notify_reloading(void);
void notify_reload_done(void);
void notify_extend_timeout(uint64_t usec);
/* WATCHDOG_USEC for this process, or 0 when no watchdog is asked for. */
uint64_t notify_watchdog_usec(void);
void notify_watchdog(void);

/*
 * The AF_UNIX stream listening socket passed by socket activation
 * (LISTEN_FDS), or -1 when none was passed; -EINVAL when the passed fds
 * are not exactly one such socket (logged).
 */
int notify_listen_fd(void);

/* Whether JOURNAL_STREAM names this process's stderr (st_dev:st_ino). */
bool notify_stderr_is_journal(void);

/*
 * Format rec as journal fields "KEY=value" into iov-style strings for
 * sd_journal_sendv(); returns the count (at most max). Each string is
 * malloc'd; the caller frees them. Exposed for unit tests.
 */
int notify_journal_fields(const struct log_record *rec, char **out, int max);

#endif

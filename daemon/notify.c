/* SPDX-License-Identifier: MIT */
/* notify.c: systemd integration; the only file that includes <systemd/...>. */
#include <config.h>

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <time.h>
#include <unistd.h>

#define SD_JOURNAL_SUPPRESS_LOCATION	/* notify.c:NN would say nothing */
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>

#include "notify.h"
#include "xmalloc.h"

#define NOTIFY_MAX_FIELDS 8

static bool notify_ready_sent;
static char *notify_last_status;

/* sd_notify() failures never stop the daemon; log them at debug only. */
static void
notify_send(const char *state)
{
	int r;

	if ((r = sd_notify(0, state)) < 0)
		log_debug("sd_notify %s: %s", state, strerror(-r));
}

bool
notify_stderr_is_journal(void)
{
	unsigned long long dev, ino;
	const char *e;
	struct stat st;
	int n;

	if ((e = getenv("JOURNAL_STREAM")) == NULL)
		return false;
	if (sscanf(e, "%llu:%llu%n", &dev, &ino, &n) != 2 || e[n] != '\0')
		return false;
	if (fstat(STDERR_FILENO, &st) < 0)
		return false;
	return (unsigned long long)st.st_dev == dev &&
	    (unsigned long long)st.st_ino == ino;
}

static int
notify_add(char **out, int n, int max, char *field)
{
	if (n >= max) {
		free(field);
		return n;
	}
	out[n] = field;
	return n + 1;
}

int
notify_journal_fields(const struct log_record *rec, char **out, int max)
{
	int n = 0;

	n = notify_add(out, n, max, xasprintf("PRIORITY=%d",
	    (int)rec->level));
	if (rec->op != NULL && rec->revision != NULL)
		n = notify_add(out, n, max, xasprintf("MESSAGE=%s %s: %s",
		    rec->op, rec->revision, rec->message));
	else
		n = notify_add(out, n, max, xasprintf("MESSAGE=%s",
		    rec->message));
	n = notify_add(out, n, max, xstrdup("SYSLOG_IDENTIFIER=migrated"));
	if (rec->op != NULL)
		n = notify_add(out, n, max, xasprintf("MIGRATED_OP=%s",
		    rec->op));
	if (rec->revision != NULL)
		n = notify_add(out, n, max, xasprintf("MIGRATED_REVISION=%s",
		    rec->revision));
	if (rec->duration_ms >= 0)
		n = notify_add(out, n, max, xasprintf(
		    "MIGRATED_DURATION_MS=%lld", rec->duration_ms));
	if (rec->sqlstate != NULL)
		n = notify_add(out, n, max, xasprintf("SQLSTATE=%s",
		    rec->sqlstate));
	return n;
}

/* The log sink when stderr is the journal; falls back to a plain line. */
static void
notify_journal_sink(const struct log_record *rec, void *arg)
{
	char *fields[NOTIFY_MAX_FIELDS];
	struct iovec iov[NOTIFY_MAX_FIELDS];
	char line[8192];
	size_t len;
	int i, n, r;

	n = notify_journal_fields(rec, fields, NOTIFY_MAX_FIELDS);
	for (i = 0; i < n; i++) {
		iov[i].iov_base = fields[i];
		iov[i].iov_len = strlen(fields[i]);
	}
	r = sd_journal_sendv(iov, n);
	for (i = 0; i < n; i++)
		free(fields[i]);
	if (r >= 0)
		return;
	log_format_line(rec, line, sizeof line - 1);
	len = strlen(line);
	line[len++] = '\n';
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

void
notify_init(enum log_output how)
{
	static const char *const names[] = {
		[LOG_OUT_TEXT] = "stderr", [LOG_OUT_JSON] = "stderr as JSON",
		[LOG_OUT_JOURNALD] = "the journal",
	};
	const char *socket = getenv("NOTIFY_SOCKET");

	if (how != LOG_OUT_TEXT && how != LOG_OUT_JSON &&
	    how != LOG_OUT_JOURNALD)
		how = notify_stderr_is_journal() ? LOG_OUT_JOURNALD :
		    LOG_OUT_TEXT;
	log_set_sink(how == LOG_OUT_JOURNALD ? notify_journal_sink : NULL,
	    NULL);
	log_set_format(how == LOG_OUT_JSON ? LOG_FORMAT_JSON :
	    LOG_FORMAT_TEXT);
	log_debug("systemd: notify socket %s, watchdog %llu us, log to %s",
	    socket != NULL ? socket : "(none)",
	    (unsigned long long)notify_watchdog_usec(), names[how]);
}

void
notify_ready(void)
{
	if (notify_ready_sent)
		return;
	notify_ready_sent = true;
	notify_send("READY=1");
}

/* A notify message is newline-separated: fold a libpq error to one line. */
static void
notify_one_line(char *text)
{
	size_t len;
	char *p;

	len = strlen(text);
	while (len > 0 && (text[len - 1] == '\n' || text[len - 1] == '\r'))
		text[--len] = '\0';
	for (p = text; *p != '\0'; p++) {
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	}
}

void
notify_status(const char *fmt, ...)
{
	char *text, *state;
	va_list ap;

	va_start(ap, fmt);
	text = xvasprintf(fmt, ap);
	va_end(ap);
	notify_one_line(text);
	if (notify_last_status != NULL &&
	    strcmp(notify_last_status, text) == 0) {
		free(text);
		return;
	}
	free(notify_last_status);
	notify_last_status = text;
	state = xasprintf("STATUS=%s", text);
	notify_send(state);
	free(state);
}

void
notify_stopping(void)
{
	notify_send("STOPPING=1");
}

void
notify_reloading(void)
{
	struct timespec ts;
	char state[64];

	clock_gettime(CLOCK_MONOTONIC, &ts);
	snprintf(state, sizeof state, "RELOADING=1\nMONOTONIC_USEC=%llu",
	    (unsigned long long)ts.tv_sec * 1000000ULL +
	    (unsigned long long)ts.tv_nsec / 1000ULL);
	notify_send(state);
}

void
notify_reload_done(void)
{
	notify_ready_sent = true;
	notify_send("READY=1");
}

void
notify_extend_timeout(uint64_t usec)
{
	char state[64];

	snprintf(state, sizeof state, "EXTEND_TIMEOUT_USEC=%llu",
	    (unsigned long long)usec);
	notify_send(state);
}

uint64_t
notify_watchdog_usec(void)
{
	uint64_t usec = 0;

	if (sd_watchdog_enabled(0, &usec) <= 0)
		return 0;
	return usec;
}

void
notify_watchdog(void)
{
	notify_send("WATCHDOG=1");
}

int
notify_listen_fd(void)
{
	int n, r;

	/* Keep LISTEN_*: the answer stays the same; children ignore it. */
	if ((n = sd_listen_fds(0)) < 0)
		return log_errno(LOG_LVL_ERROR, n, "socket activation");
	if (n == 0)
		return -1;
	if (n != 1) {
		log_error("socket activation passed %d sockets, expected one",
		    n);
		return -EINVAL;
	}
	r = sd_is_socket_unix(SD_LISTEN_FDS_START, SOCK_STREAM, 1, NULL, 0);
	if (r <= 0) {
		log_error("socket activation: fd %d is not a listening "
		    "AF_UNIX stream socket", SD_LISTEN_FDS_START);
		return -EINVAL;
	}
	return SD_LISTEN_FDS_START;
}

/* SPDX-License-Identifier: MIT */
/* log.c: leveled logging; plain ISO-8601 lines on stderr unless a sink is set. */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "utf8.h"

static const char *log_progname = "migrated";
static enum log_level log_level = LOG_LVL_INFO;
static enum log_format log_format = LOG_FORMAT_TEXT;
static log_sink_fn log_sink;
static void *log_sink_arg;
static pid_t log_pid;		/* 0: not known in this process */
static bool log_pid_atfork;
/* The second of the last line and its "YYYY-MM-DDTHH:MM:SS". */
static time_t log_ts_sec = -1;
static char log_ts[32];

static const struct {
	const char *name;
	enum log_level level;
} log_levels[] = {
	{ "error", LOG_LVL_ERROR },
	{ "warn", LOG_LVL_WARN },
	{ "warning", LOG_LVL_WARN },
	{ "notice", LOG_LVL_NOTICE },
	{ "info", LOG_LVL_INFO },
	{ "debug", LOG_LVL_DEBUG },
};

void
log_init(const char *progname, enum log_level level)
{
	log_progname = progname;
	log_level = level;
}

void
log_set_level(enum log_level level)
{
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

bool
log_enabled(enum log_level level)
{
	return level <= log_level;
}

void
log_set_sink(log_sink_fn sink, void *arg)
{
	log_sink = sink;
	log_sink_arg = arg;
}

int
log_level_parse(const char *s, enum log_level *out)
{
	size_t i;

	for (i = 0; i < ARRAY_LEN(log_levels); i++) {
		if (strcasecmp(s, log_levels[i].name) == 0) {
			*out = log_levels[i].level;
			return 0;
		}
	}
	return -EINVAL;
}

const char *
log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_LVL_ERROR:
		return "error";
	case LOG_LVL_WARN:
		return "warn";
	case LOG_LVL_NOTICE:
		return "notice";
	case LOG_LVL_INFO:
		return "info";
	case LOG_LVL_DEBUG:
		return "debug";
	}
	return "info";
}

static void
log_forget_pid(void)
{
	log_pid = 0;
}

/*
 * getpid() once per process, not a system call per line: a child of
 * fork() (the --once child, replay children) forgets the parent's pid.
 */
static long
log_getpid(void)
{
	if (log_pid == 0) {
		if (!log_pid_atfork && pthread_atfork(NULL, NULL,
		    log_forget_pid) == 0)
			log_pid_atfork = true;
		if (!log_pid_atfork)
			return (long)getpid();
		log_pid = getpid();
	}
	return (long)log_pid;
}

/* The time now as "YYYY-MM-DDTHH:MM:SS" (UTC) and its milliseconds. */
static const char *
log_now(long *ms)
{
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	*ms = (long)(tv.tv_usec / 1000);
	if (tv.tv_sec != log_ts_sec) {
		gmtime_r(&tv.tv_sec, &tm);
		strftime(log_ts, sizeof log_ts, "%Y-%m-%dT%H:%M:%S", &tm);
		log_ts_sec = tv.tv_sec;
	}
	return log_ts;
}

/* Append s at buf[n] (n < size), cut to fit and ended by '\0'; new n. */
static int
log_cat(char *buf, size_t size, size_t n, const char *s)
{
	size_t len = strlen(s);

	if (len > size - n - 1)
		len = size - n - 1;
	memcpy(buf + n, s, len);
	buf[n + len] = '\0';
	return (int)(n + len);
}

void
log_format_line(const struct log_record *rec, char *buf, size_t size)
{
	static char pidtext[32];
	static long pidof = -1;
	const char *ts;
	char frac[8];
	long ms, pid;
	int n;

	if (size == 0)
		return;
	ts = log_now(&ms);
	if ((pid = log_getpid()) != pidof) {
		snprintf(pidtext, sizeof pidtext, "[%ld] ", pid);
		pidof = pid;
	}
	/*
	 * "%s.%03ldZ %s[%ld] %s: " then "%s %s: %s", cut as snprintf() cuts,
	 * without its parsing (2k instructions a line)
	 */
	frac[0] = '.';
	frac[1] = (char)('0' + ms / 100 % 10);
	frac[2] = (char)('0' + ms / 10 % 10);
	frac[3] = (char)('0' + ms % 10);
	memcpy(frac + 4, "Z ", 3);
	n = log_cat(buf, size, 0, ts);
	n = log_cat(buf, size, (size_t)n, frac);
	n = log_cat(buf, size, (size_t)n, log_progname);
	n = log_cat(buf, size, (size_t)n, pidtext);
	n = log_cat(buf, size, (size_t)n, log_level_name(rec->level));
	n = log_cat(buf, size, (size_t)n, ": ");
	if (rec->op != NULL && rec->revision != NULL) {
		n = log_cat(buf, size, (size_t)n, rec->op);
		n = log_cat(buf, size, (size_t)n, " ");
		n = log_cat(buf, size, (size_t)n, rec->revision);
		n = log_cat(buf, size, (size_t)n, ": ");
	}
	(void)log_cat(buf, size, (size_t)n, rec->message);
}

void
log_set_format(enum log_format format)
{
	log_format = format;
}

/* Kept free by each field for the message, its mark and "}\n". */
#define LOG_JSON_RESERVE 64

/* A bounded output buffer; an append that does not fit is dropped whole. */
struct log_buf {
	char *p;
	size_t size, len;
};

static bool
log_put(struct log_buf *b, const char *s, size_t n)
{
	if (n > b->size - b->len)
		return false;
	memcpy(b->p + b->len, s, n);
	b->len += n;
	return true;
}

/*
 * Append s as the body of a JSON string, keeping room bytes free; returns
 * false if it had to stop early (at a character boundary).
 */
static bool
log_put_escaped(struct log_buf *b, const char *str, size_t room)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t n = strlen(str), i, k, save = b->size;
	char esc[8];
	bool ok = true;

	if (room >= b->size - b->len)
		return false;
	b->size -= room;		/* stop short of the reserve */
	for (i = 0; i < n && ok; i += k) {
		k = utf8_seq(s + i, n - i);
		if (k == 0) {			/* invalid: U+FFFD */
			ok = log_put(b, "\\ufffd", 6);
			k = 1;
		} else if (s[i] == '"' || s[i] == '\\') {
			esc[0] = '\\';
			esc[1] = (char)s[i];
			ok = log_put(b, esc, 2);
		} else if (s[i] < 0x20 || s[i] == 0x7f) {
			snprintf(esc, sizeof esc, "\\u%04x", s[i]);
			ok = log_put(b, esc, 6);
		} else
			ok = log_put(b, (const char *)s + i, k);
	}
	b->size = save;
	return ok;
}

/* ,"key":"value" whole, leaving room for the message; else nothing. */
static void
log_put_field(struct log_buf *b, const char *key, const char *value)
{
	size_t len = b->len;
	char head[32];

	snprintf(head, sizeof head, ",\"%s\":\"", key);
	if (!log_put(b, head, strlen(head)) ||
	    !log_put_escaped(b, value, LOG_JSON_RESERVE) ||
	    !log_put(b, "\"", 1))
		b->len = len;
}

size_t
log_format_json(const struct log_record *rec, char *buf, size_t size)
{
	static const char cut[] = " [truncated]\"";
	struct log_buf b = { buf, size - 1, 0 };	/* room for '\0' */
	const char *ts;
	char head[160];
	long ms;

	ts = log_now(&ms);
	snprintf(head, sizeof head, "{\"ts\":\"%s.%03ldZ\",\"level\":\"%s\"",
	    ts, ms, log_level_name(rec->level));
	(void)log_put(&b, head, strlen(head));
	log_put_field(&b, "prog", log_progname);
	snprintf(head, sizeof head, ",\"pid\":%ld", log_getpid());
	(void)log_put(&b, head, strlen(head));
	if (rec->op != NULL)
		log_put_field(&b, "op", rec->op);
	if (rec->revision != NULL)
		log_put_field(&b, "revision", rec->revision);
	if (rec->duration_ms >= 0) {
		snprintf(head, sizeof head, ",\"duration_ms\":%lld",
		    rec->duration_ms);
		(void)log_put(&b, head, strlen(head));
	}
	if (rec->sqlstate != NULL)
		log_put_field(&b, "sqlstate", rec->sqlstate);
	(void)log_put(&b, ",\"msg\":\"", 8);
	/* the message last: if it is cut, every other field is there */
	if (log_put_escaped(&b, rec->message, sizeof cut + 2))
		(void)log_put(&b, "\"", 1);
	else
		(void)log_put(&b, cut, sizeof cut - 1);
	(void)log_put(&b, "}\n", 2);
	buf[b.len] = '\0';
	return b.len;
}

void
log_emit(const struct log_record *rec)
{
	char line[8192];
	size_t len;

	if (!log_enabled(rec->level))
		return;
	if (log_sink != NULL) {
		log_sink(rec, log_sink_arg);
		return;
	}
	if (log_format == LOG_FORMAT_JSON) {
		len = log_format_json(rec, line, sizeof line);
		if (write(STDERR_FILENO, line, len) < 0)
			return;
		return;
	}
	log_format_line(rec, line, sizeof line - 1);
	/* one line per event: libpq's messages carry "\n\t" and a final "\n" */
	for (len = 0; line[len] != '\0'; len++)
		if (line[len] == '\n' || line[len] == '\r' || line[len] == '\t')
			line[len] = ' ';
	while (len > 0 && line[len - 1] == ' ')
		len--;
	line[len++] = '\n';
	/* A full disk or closed stderr must not stop the daemon. */
	if (write(STDERR_FILENO, line, len) < 0)
		return;
}

static void
log_vemit(enum log_level level, const char *op, const char *rev,
    long long duration_ms, const char *sqlstate, const char *fmt, va_list ap)
    MIG_PRINTF(6, 0);

static void
log_vemit(enum log_level level, const char *op, const char *rev,
    long long duration_ms, const char *sqlstate, const char *fmt, va_list ap)
{
	struct log_record rec;
	char msg[4096];

	vsnprintf(msg, sizeof msg, fmt, ap);
	rec.level = level;
	rec.message = msg;
	rec.op = op;
	rec.revision = rev;
	rec.duration_ms = duration_ms;
	rec.sqlstate = sqlstate;
	log_emit(&rec);
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_vemit(level, NULL, NULL, -1, NULL, fmt, ap);
	va_end(ap);
}

int
log_errno(enum log_level level, int r, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;

	if (!log_enabled(level))
		return r;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	log_msg(level, "%s: %s", msg, strerror(r < 0 ? -r : r));
	return r;
}

void
log_op(enum log_level level, const char *op, const char *rev,
    long long duration_ms, const char *sqlstate, const char *fmt, ...)
{
	va_list ap;

	if (!log_enabled(level))
		return;
	va_start(ap, fmt);
	log_vemit(level, op, rev, duration_ms, sqlstate, fmt, ap);
	va_end(ap);
}

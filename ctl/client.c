/* SPDX-License-Identifier: MIT */
/* client.c: blocking Unix-socket client for the control protocol. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "client.h"
#include "output.h"
#include "xmalloc.h"

#define CLIENT_READ_CHUNK (64 * 1024)

struct client {
	int fd;
	char *buf;
	size_t start;		/* first unconsumed byte */
	size_t len;		/* bytes held */
	size_t cap;
	long long next_id;
};

static long long
client_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Milliseconds left until deadline (-1: none) for poll(), at most cap. */
static int
client_wait_ms(long long deadline, int cap)
{
	long long left;

	if (deadline < 0)
		return cap > 0 ? cap : -1;
	left = deadline - client_now_ms();
	if (left < 0)
		left = 0;
	if (cap > 0 && left > cap)
		left = cap;
	return (int)left;
}

static long long
client_deadline(int timeout_ms)
{
	return timeout_ms < 0 ? -1 : client_now_ms() + timeout_ms;
}

/* Finish a non-blocking connect that is in progress. */
static int
client_connect_wait(int fd, long long deadline)
{
	struct pollfd pfd = { .fd = fd, .events = POLLOUT };
	socklen_t len = sizeof(int);
	int r, soerr = 0;

	for (;;) {
		r = poll(&pfd, 1, client_wait_ms(deadline, 0));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -errno;
		if (r == 0)
			return -ETIMEDOUT;
		break;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &len) < 0)
		return -errno;
	return -soerr;
}

static int
client_connect_fd(int fd, const struct sockaddr_un *sun, long long deadline)
{
	long long retry_end = deadline >= 0 ? deadline :
	    client_now_ms() + CLIENT_CONNECT_RETRY_MS;
	const struct timespec pause = { 0, 10 * 1000 * 1000 };

	for (;;) {
		if (connect(fd, (const struct sockaddr *)sun, sizeof *sun) == 0)
			return 0;
		if (errno == EINTR)
			continue;
		if (errno == EINPROGRESS)
			return client_connect_wait(fd, deadline);
		/* A Unix socket says EAGAIN when its backlog is full. */
		if (errno != EAGAIN)
			return -errno;
		if (client_now_ms() >= retry_end)
			return -ETIMEDOUT;
		nanosleep(&pause, NULL);
	}
}

/* "fd:N": a connected socket handed over (migrated --once); taken once. */
static int
client_take_fd(const char *path)
{
	static bool taken;
	char *end;
	long v;
	int fd;

	if (taken)
		return -EBADF;
	errno = 0;
	v = strtol(path + 3, &end, 10);
	if (errno != 0 || end == path + 3 || *end != '\0' || v < 0 ||
	    v > INT_MAX)
		return -EINVAL;
	fd = (int)v;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0)
		return -errno;
	taken = true;
	return fd;
}

int
client_connect(const char *path, int timeout_ms, struct client **out)
{
	struct sockaddr_un sun;
	struct client *c;
	int fd, r;

	if (strncmp(path, "fd:", 3) == 0) {
		if ((fd = client_take_fd(path)) < 0)
			return fd;
		goto connected;
	}
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		return -ENAMETOOLONG;
	memcpy(sun.sun_path, path, strlen(path));
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -errno;
	r = client_connect_fd(fd, &sun, client_deadline(timeout_ms));
	if (r < 0) {
		close(fd);
		return r;
	}
connected:
	c = xcalloc(1, sizeof *c);
	c->fd = fd;
	c->next_id = 1;
	*out = c;
	return 0;
}

void
client_free(struct client *c)
{
	if (c == NULL)
		return;
	close(c->fd);
	free(c->buf);
	free(c);
}

static int
client_send(struct client *c, const char *line, long long deadline)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLOUT };
	size_t off = 0, len = strlen(line);
	ssize_t n;
	int r;

	while (off < len) {
		n = send(c->fd, line + off, len - off, MSG_NOSIGNAL);
		if (n >= 0) {
			off += (size_t)n;
			continue;
		}
		if (errno == EINTR)
			continue;
		if (errno == EPIPE || errno == ECONNRESET)
			return -ECONNRESET;
		if (errno != EAGAIN && errno != EWOULDBLOCK)
			return -errno;
		r = poll(&pfd, 1, client_wait_ms(deadline, 0));
		if (r == 0)
			return -ETIMEDOUT;
		if (r < 0 && errno != EINTR)
			return -errno;
	}
	return 0;
}

/* Read what is available into the buffer; 0, -ECONNRESET at EOF. */
static int
client_fill(struct client *c)
{
	ssize_t n;

	if (c->start > 0) {
		memmove(c->buf, c->buf + c->start, c->len - c->start);
		c->len -= c->start;
		c->start = 0;
	}
	if (c->len >= CLIENT_MAX_LINE)
		return -EMSGSIZE;
	if (c->cap - c->len < CLIENT_READ_CHUNK) {
		c->cap = c->cap ? c->cap * 2 : 2 * CLIENT_READ_CHUNK;
		c->buf = xreallocarray(c->buf, c->cap, 1);
	}
	n = read(c->fd, c->buf + c->len, c->cap - c->len);
	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return (errno == EAGAIN || errno == EINTR) ? 0 : -errno;
	c->len += (size_t)n;
	return 0;
}

/*
 * Take the next complete line from the buffer: 1 and *rep, 0 when no
 * complete line is buffered, -EBADMSG for a line that is not a reply.
 * Empty lines are skipped.
 */
static int
client_next_line(struct client *c, struct proto_reply *rep)
{
	char *p, *nl;
	size_t n;

	for (;;) {
		if (c->start >= c->len)
			return 0;
		p = c->buf + c->start;
		nl = memchr(p, '\n', c->len - c->start);
		if (nl == NULL)
			return 0;
		n = (size_t)(nl - p);
		c->start += n + 1;
		if (n == 0 || (n == 1 && p[0] == '\r'))
			continue;
		if (proto_parse_reply(p, n, rep) < 0)
			return -EBADMSG;
		return 1;
	}
}

/* Wait for the socket to be readable: 1, 0 on a tick or signal, -errno. */
static int
client_poll(struct client *c, long long deadline,
    const struct client_hooks *hooks)
{
	struct pollfd pfd = { .fd = c->fd, .events = POLLIN };
	int tick = hooks != NULL ? hooks->tick_ms : 0;
	int r;

	r = poll(&pfd, 1, client_wait_ms(deadline, tick));
	if (r > 0)
		return 1;
	if (r < 0 && errno != EINTR)
		return -errno;
	if (r == 0 && deadline >= 0 && client_now_ms() >= deadline)
		return -ETIMEDOUT;
	if (hooks != NULL && hooks->tick != NULL)
		return hooks->tick(hooks->arg);
	return 0;
}

int
client_call(struct client *c, const char *op, const json_t *args,
    int timeout_ms, const struct client_hooks *hooks,
    struct proto_reply *rep)
{
	long long deadline = client_deadline(timeout_ms);
	char *line;
	int r;

	memset(rep, 0, sizeof *rep);
	line = proto_encode_request(c->next_id++, op, args);
	r = client_send(c, line, deadline);
	free(line);
	/*
	 * A daemon that refuses the connection (busy, shutting down) writes
	 * its error line and closes, maybe before our request went out: read
	 * that line rather than report a lost connection.
	 */
	if (r < 0 && r != -ECONNRESET)
		return r;
	for (;;) {
		while ((r = client_next_line(c, rep)) > 0) {
			if (rep->kind != PROTO_REPLY_EVENT)
				return 0;
			if (hooks != NULL && hooks->event != NULL)
				hooks->event(rep, hooks->arg);
			proto_reply_clear(rep);
		}
		if (r < 0)
			return r;
		if ((r = client_poll(c, deadline, hooks)) < 0)
			return r;
		if (r > 0 && (r = client_fill(c)) < 0)
			return r;
	}
}

void
client_print_json(json_t *body)
{
	json_object_del(body, "id");
	if (json_dumpf(body, stdout, JSON_COMPACT) == 0)
		fputc('\n', stdout);
	fflush(stdout);
}

enum ctl_exit
client_fail(const struct ctl_args *a, enum ctl_exit ex, const char *code,
    const char *fmt, ...)
{
	va_list ap;
	char *msg;
	json_t *doc;

	va_start(ap, fmt);
	msg = xvasprintf(fmt, ap);
	va_end(ap);
	fprintf(stderr, OUTPUT_PROG ": %s\n", msg);
	if (a->json) {
		doc = json_pack("{s:b, s:{s:s, s:s}}", "ok", 0, "error",
		    "code", code, "message", msg);
		client_print_json(doc);
		json_decref(doc);
	}
	free(msg);
	return ex;
}

/* Hooks of client_run(): --json event lines, then the verb's own. */
struct client_run_ctx {
	const struct ctl_args *a;
	const struct client_hooks *inner;
};

static void
client_run_event(const struct proto_reply *rep, void *arg)
{
	struct client_run_ctx *ctx = arg;

	if (ctx->a->json)
		client_print_json(rep->body);
	if (ctx->inner != NULL && ctx->inner->event != NULL)
		ctx->inner->event(rep, ctx->inner->arg);
}

static int
client_run_tick(void *arg)
{
	struct client_run_ctx *ctx = arg;

	if (ctx->inner != NULL && ctx->inner->tick != NULL)
		return ctx->inner->tick(ctx->inner->arg);
	return 0;
}

static enum ctl_exit
client_connect_failed(const struct ctl_args *a, int r)
{
	const char *why = strerror(-r);

	switch (-r) {
	case EACCES:
	case EPERM:
		return client_fail(a, CTL_NOPERM, "unauthorized",
		    "cannot connect to %s: %s", a->socket, why);
	case ETIMEDOUT:
		return client_fail(a, CTL_TEMPFAIL, "timeout",
		    "cannot connect to %s: timed out", a->socket);
	default:
		return client_fail(a, CTL_UNREACHABLE, "unreachable",
		    "cannot connect to %s: %s (is migrated running?)",
		    a->socket, why);
	}
}

static enum ctl_exit
client_call_failed(const struct ctl_args *a, int r, int timeout_ms)
{
	switch (-r) {
	case ETIMEDOUT:
		return client_fail(a, CTL_TEMPFAIL, "timeout",
		    "no answer from the daemon within %d.%03d s",
		    timeout_ms / 1000, timeout_ms % 1000);
	case EINTR:
		return client_fail(a, CTL_TEMPFAIL, "connection_lost",
		    "interrupted; not waiting for the daemon's answer");
	case EBADMSG:
		return client_fail(a, CTL_TEMPFAIL, "connection_lost",
		    "the daemon sent a line that is not a reply");
	case ECONNRESET:
		return client_fail(a, CTL_TEMPFAIL, "connection_lost",
		    "connection to the daemon lost before its answer");
	default:
		return client_fail(a, CTL_TEMPFAIL, "connection_lost",
		    "connection to the daemon failed: %s", strerror(-r));
	}
}

int
client_connect_timeout(const struct ctl_args *a)
{
	return a->timeout_given ? a->timeout_ms : CTL_CONNECT_TIMEOUT_MS;
}

static int
client_answer_timeout(const struct ctl_args *a, enum client_wait wait)
{
	switch (wait) {
	case CLIENT_WAIT_READ:
		return a->timeout_given ? a->timeout_ms : CTL_READ_TIMEOUT_MS;
	case CLIENT_WAIT_CHANGE:
		return a->timeout_given ? a->timeout_ms : -1;
	default:
		return -1;
	}
}

enum ctl_exit
client_run(const struct ctl_args *a, const char *op, const json_t *args,
    enum client_wait wait, const struct client_hooks *hooks,
    struct proto_reply *rep)
{
	struct client_run_ctx ctx = { a, hooks };
	struct client_hooks wrap = { client_run_event, client_run_tick, NULL,
	    hooks != NULL ? hooks->tick_ms : 0, &ctx };
	int timeout = client_answer_timeout(a, wait);
	struct client *c;
	int r;

	memset(rep, 0, sizeof *rep);
	if ((r = client_connect(a->socket, client_connect_timeout(a),
	    &c)) < 0)
		return client_connect_failed(a, r);
	r = client_call(c, op, args, timeout, &wrap, rep);
	client_free(c);
	if (hooks != NULL && hooks->done != NULL)
		hooks->done(hooks->arg);
	if (r < 0)
		return client_call_failed(a, r, timeout);
	if (a->json)
		client_print_json(rep->body);
	if (rep->kind == PROTO_REPLY_OK)
		return CTL_OK;
	output_error(stderr, rep->error);
	return output_exit_for_code(rep->code);
}

/*
 * Append the list_key array of page's result to rep's, and take its
 * "next"; 0, or -EBADMSG when a page is not shaped so.
 */
static int
client_merge_page(struct proto_reply *rep, const struct proto_reply *page,
    const char *list_key)
{
	json_t *all = json_object_get(rep->result, list_key);
	json_t *more = json_object_get(page->result, list_key);
	json_t *next = json_object_get(page->result, "next");

	if (!json_is_array(all) || !json_is_array(more) ||
	    json_array_extend(all, more) < 0)
		return -EBADMSG;
	json_object_set((json_t *)rep->result, "next", next != NULL ? next :
	    json_null());
	return 0;
}

enum ctl_exit
client_run_pages(const struct ctl_args *a, const char *op, const char
    *list_key, struct proto_reply *rep)
{
	int timeout = client_answer_timeout(a, CLIENT_WAIT_READ);
	struct proto_reply page;
	struct client *c;
	json_t *args, *next;
	int r;

	memset(rep, 0, sizeof *rep);
	if ((r = client_connect(a->socket, client_connect_timeout(a),
	    &c)) < 0)
		return client_connect_failed(a, r);
	args = json_pack("{s:i}", "limit", CLIENT_PAGE);
	r = client_call(c, op, args, timeout, NULL, rep);
	while (r == 0 && rep->kind == PROTO_REPLY_OK &&
	    json_is_string(next = json_object_get(rep->result, "next"))) {
		json_object_set(args, "before", next);
		if ((r = client_call(c, op, args, timeout, NULL, &page)) < 0)
			break;
		if (page.kind != PROTO_REPLY_OK) {
			/* the directory was reloaded under us: its error */
			proto_reply_clear(rep);
			*rep = page;
			break;
		}
		r = client_merge_page(rep, &page, list_key);
		proto_reply_clear(&page);
	}
	json_decref(args);
	client_free(c);
	if (r < 0) {
		proto_reply_clear(rep);
		return client_call_failed(a, r, timeout);
	}
	if (a->json)
		client_print_json(rep->body);
	if (rep->kind == PROTO_REPLY_OK)
		return CTL_OK;
	output_error(stderr, rep->error);
	return output_exit_for_code(rep->code);
}

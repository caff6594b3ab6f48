/* SPDX-License-Identifier: MIT */
/* conn.c: client connections: line framing, limits, lifetime. */
#include "config.h"

#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>

#include "daemon.h"
#include "log.h"
#include "proto.h"

/* Per-connection state that need not be visible elsewhere. */
struct conn_priv {
	struct conn c;
	bool discarding;	/* skipping the rest of an over-long line */
	int corked;		/* conn_cork() depth */
	char *held;		/* lines sent while corked, in order */
	size_t heldlen;
};

static void conn_lost(struct conn *c, const char *why);

struct conn *
conn_ref(struct conn *c)
{
	c->refs++;
	return c;
}

void
conn_unref(struct conn *c)
{
	if (c == NULL || --c->refs > 0)
		return;
	free(((struct conn_priv *)c)->held);
	free(c->peer.user);
	free(c);
}

/* Unlink and close; memory goes when the last request lets go. */
static void
conn_lost(struct conn *c, const char *why)
{
	if (c->dead)
		return;
	c->dead = true;
	log_debug("client %s (pid %ld) gone: %s", c->peer.user,
	    (long)c->peer.pid, why);
	TAILQ_REMOVE(&D->conns, c, entry);
	D->nconns--;
	bufferevent_free(c->bev);	/* closes the fd */
	c->bev = NULL;
	op_conn_lost(c);	/* its waits; changes it asked for go on */
	conn_unref(c);
	daemon_exit_if_done();
}

/*
 * Unread replies of all clients together stay under CONN_TOTAL_OUTPUT:
 * past it, the client with the most unread drops (one that does not read
 * at all, as a rule); the others are not touched.
 */
static void
conn_bound_total(void)
{
	struct conn *c, *big;
	size_t total, len, most;

	for (;;) {
		total = most = 0;
		big = NULL;
		TAILQ_FOREACH(c, &D->conns, entry) {
			len = evbuffer_get_length(bufferevent_get_output(
			    c->bev));
			total += len;
			if (len > most) {
				most = len;
				big = c;
			}
		}
		if (total <= CONN_TOTAL_OUTPUT || big == NULL)
			return;
		log_warn("unread replies of all clients over %u bytes: "
		    "dropping client %s (pid %ld) with %zu unread",
		    CONN_TOTAL_OUTPUT, big->peer.user, (long)big->peer.pid,
		    most);
		conn_lost(big, "client does not read its replies");
	}
}

/*
 * Hold what is sent to c until conn_uncork(): the lines of one event-loop
 * turn (a step's step_finished and the next step's step_started) go out
 * in one send(), in the order they were sent, instead of one each.
 */
void
conn_cork(struct conn *c)
{
	((struct conn_priv *)c)->corked++;
}

void
conn_uncork(struct conn *c)
{
	struct conn_priv *p = (struct conn_priv *)c;
	char *line;

	if (--p->corked > 0 || p->held == NULL)
		return;
	line = p->held;
	p->held = NULL;
	p->heldlen = 0;
	conn_send(c, line);
}

/* Keep line (taken) after what c holds; false: too much held, send now. */
static bool
conn_hold(struct conn_priv *p, char *line)
{
	size_t len = strlen(line);

	if (p->heldlen + len > CONN_MAX_OUTPUT)
		return false;
	p->held = xreallocarray(p->held, p->heldlen + len + 1, 1);
	memcpy(p->held + p->heldlen, line, len + 1);
	p->heldlen += len;
	free(line);
	return true;
}

static void conn_send_now(struct conn *c, char *line);

void
conn_send(struct conn *c, char *line)
{
	struct conn_priv *p = (struct conn_priv *)c;
	char *held;

	if (c == NULL || c->dead) {
		free(line);
		return;
	}
	if (p->corked > 0 && conn_hold(p, line))
		return;
	if ((held = p->held) != NULL) {	/* too much held: in order, now */
		p->held = NULL;
		p->heldlen = 0;
		conn_send_now(c, held);
	}
	conn_send_now(c, line);
}

/* Unsent rest of a reply queued without a copy from this many bytes. */
#define CONN_REF_MIN (64u * 1024)

/* evbuffer_add_reference()'s cleanup: the line is written or dropped. */
static void
conn_free_line(const void *data, size_t len, void *line)
{
	free(line);
}

static void
conn_send_now(struct conn *c, char *line)
{
	struct evbuffer *out;
	ssize_t n = 0;
	size_t len;

	if (c->dead) {
		free(line);
		return;
	}
	out = bufferevent_get_output(c->bev);
	if (evbuffer_get_length(out) > CONN_MAX_OUTPUT) {
		free(line);
		conn_lost(c, "client does not read its replies");
		return;
	}
	/*
	 * Nothing queued: write at once. Going through the bufferevent
	 * costs two epoll_ctl() calls and a loop iteration per reply (about
	 * a fifth of a status request's CPU); what the socket does not take
	 * is queued and written on EV_WRITE as before.
	 */
	len = strlen(line);
	if (evbuffer_get_length(out) == 0 &&
	    (n = send(c->fd, line, len, MSG_NOSIGNAL | MSG_DONTWAIT)) < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
			free(line);
			conn_lost(c, strerror(errno));
			return;
		}
		n = 0;
	}
	if ((size_t)n == len) {
		free(line);
		return;
	}
	/*
	 * The rest of a long line is queued as it is, not copied: a status
	 * with 10,000 revisions pending is a 1.2 MB line, and a copy of it
	 * was the daemon's peak (issue 13: peak RSS <= 24 MiB). libevent
	 * frees it once written, or with the connection. Short lines are
	 * copied, packed into the buffer's blocks: a chain and a malloc'd
	 * line each would cost a flood of unread replies half as much again
	 * (integration/309).
	 */
	if (len - (size_t)n >= CONN_REF_MIN && evbuffer_add_reference(out,
	    line + n, len - (size_t)n, conn_free_line, line) == 0)
		line = NULL;
	else
		evbuffer_add(out, line + n, len - (size_t)n);
	free(line);
	conn_bound_total();
}

static void
conn_bad_line(struct conn *c, const char *msg)
{
	struct merr err = { 0 };

	merr_set(&err, MERR_BAD_REQUEST, "%s", msg);
	conn_send(c, proto_encode_error(NULL, &err));
	merr_clear(&err);
}

static void
conn_on_read(struct bufferevent *bev, void *arg)
{
	struct conn_priv *p = arg;
	struct conn *c = &p->c;
	struct evbuffer *in = bufferevent_get_input(bev);
	struct evbuffer_ptr nl;
	size_t len;
	char *line;

	conn_ref(c);
	while (!c->dead) {
		nl = evbuffer_search_eol(in, NULL, &len, EVBUFFER_EOL_LF);
		if (nl.pos < 0) {
			len = evbuffer_get_length(in);
			if (len > PROTO_MAX_LINE) {
				evbuffer_drain(in, len);
				if (!p->discarding)
					conn_bad_line(c, "request line longer "
					    "than 65536 bytes");
				p->discarding = true;
			}
			break;
		}
		if (p->discarding) {
			evbuffer_drain(in, nl.pos + 1);
			p->discarding = false;
			continue;
		}
		line = xmalloc(nl.pos + 1);
		evbuffer_remove(in, line, nl.pos + 1);
		len = nl.pos;
		if (len > 0 && line[len - 1] == '\r')
			len--;
		line[len] = '\0';
		if (len > PROTO_MAX_LINE)
			conn_bad_line(c, "request line longer than 65536 "
			    "bytes");
		else if (len > 0)
			op_dispatch(c, line, len);
		free(line);
	}
	conn_unref(c);
}

static void
conn_on_event(struct bufferevent *bev, short what, void *arg)
{
	struct conn_priv *p = arg;

	if (what & BEV_EVENT_EOF)
		conn_lost(&p->c, "end of file");
	else if (what & BEV_EVENT_ERROR)
		conn_lost(&p->c, strerror(EVUTIL_SOCKET_ERROR()));
}

void
conn_accept(int fd)
{
	struct conn_priv *p;
	struct conn *c;
	struct merr err = { 0 };
	char *line;

	if (D->shutting_down || D->nconns >= (size_t)D->cfg.max_clients) {
		merr_set(&err, D->shutting_down ? MERR_SHUTTING_DOWN :
		    MERR_BUSY, D->shutting_down ? "the daemon is shutting down" :
		    "too many clients (max_clients = %d)", D->cfg.max_clients);
		line = proto_encode_error(NULL, &err);
		if (write(fd, line, strlen(line)) < 0)
			log_debug("refused client did not take its error");
		free(line);
		merr_clear(&err);
		close(fd);
		return;
	}
	p = xcalloc(1, sizeof *p);
	c = &p->c;
	c->refs = 1;
	c->fd = fd;
	if (server_peer(fd, &c->peer) < 0) {
		log_warn("cannot read peer credentials, ignoring client");
		close(fd);
		free(p);
		return;
	}
	c->bev = bufferevent_socket_new(D->base, fd, BEV_OPT_CLOSE_ON_FREE);
	if (c->bev == NULL)
		fatal("bufferevent_socket_new failed");
	bufferevent_setcb(c->bev, conn_on_read, NULL, conn_on_event, p);
	bufferevent_enable(c->bev, EV_READ);
	TAILQ_INSERT_TAIL(&D->conns, c, entry);
	D->nconns++;
	log_debug("client %s (uid %lu, pid %ld) connected", c->peer.user,
	    (unsigned long)c->peer.uid, (long)c->peer.pid);
}

void
conn_close_all(void)
{
	struct conn *c;

	while ((c = TAILQ_FIRST(&D->conns)) != NULL) {
		/* last replies: one non-blocking attempt, then close (the
		 * bufferevent keeps its output frozen: thaw it first) */
		evbuffer_unfreeze(bufferevent_get_output(c->bev), 1);
		MIG_IGNORE(evbuffer_write(bufferevent_get_output(c->bev),
		    c->fd) < 0);
		conn_lost(c, "daemon exiting");
	}
}

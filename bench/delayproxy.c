/* SPDX-License-Identifier: MIT */
/*
 * bench/delayproxy.c -- a loopback TCP proxy that delays every byte by a
 * fixed time in each direction, to measure as if PostgreSQL were a network
 * round trip away (issue 13, target 9). Links only libc
 * (cc -O2 -o delayproxy delayproxy.c).
 *
 *   delayproxy UNIX_SOCKET DELAY_US [MAX_SECONDS]
 *
 * Listens on 127.0.0.1 on a port the kernel picks and prints that port on
 * stdout (one line), then relays every accepted connection to the Unix
 * socket UNIX_SOCKET (PostgreSQL's .s.PGSQL.PORT). Bytes read from either
 * side are held until DELAY_US microseconds after they were read, then
 * written in order: a request/answer exchange costs 2 x DELAY_US more.
 * Listens on loopback only; exits by itself after MAX_SECONDS (default
 * 3600), on SIGTERM or SIGINT. At most MAXCONN connections, and a side
 * is not read while MAXQUEUE bytes wait to be written to the other.
 *
 * Exit status: 0 stopped, 1 failure (message on stderr), 2 usage.
 */
#define _GNU_SOURCE
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MAXCONN 64
#define CHUNK (64 * 1024)
#define MAXQUEUE (4 * 1024 * 1024)

/* bytes read at one time, due for writing at `due` */
struct chunk {
	struct chunk *next;
	int64_t due;
	size_t len, off;
	char data[];
};

/* one direction: read from `from`, queued, written to `to` */
struct pipe {
	int from, to;
	struct chunk *head, *tail;
	size_t queued;
	int eof;	/* `from` said EOF: shut `to` down once drained */
};

struct link {
	int used;
	struct pipe dir[2];	/* [0] client -> server, [1] back */
};

static struct link links[MAXCONN];
static volatile sig_atomic_t stop;
static int64_t delay_ns;

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("delayproxy: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static int
connect_unix(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd;

	if (strlen(path) >= sizeof sa.sun_path)
		return -1;
	strcpy(sa.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof sa) < 0) {
		close(fd);
		return -1;
	}
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	return fd;
}

static void
link_close(struct link *l)
{
	struct chunk *c, *n;
	int d;

	for (d = 0; d < 2; d++) {
		for (c = l->dir[d].head; c != NULL; c = n) {
			n = c->next;
			free(c);
		}
	}
	close(l->dir[0].from);
	close(l->dir[0].to);
	memset(l, 0, sizeof *l);
}

static void
link_open(int lfd, const char *upath)
{
	struct link *l = NULL;
	int cfd, sfd, one = 1, i;

	cfd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (cfd < 0)
		return;
	for (i = 0; i < MAXCONN; i++)
		if (!links[i].used) {
			l = &links[i];
			break;
		}
	if (l == NULL || (sfd = connect_unix(upath)) < 0) {
		close(cfd);
		return;
	}
	(void)setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	l->used = 1;
	l->dir[0] = (struct pipe){ .from = cfd, .to = sfd };
	l->dir[1] = (struct pipe){ .from = sfd, .to = cfd };
}

/* Read what is there into a chunk due in delay_ns; -1: close the link. */
static int
pipe_read(struct pipe *p)
{
	struct chunk *c = malloc(sizeof *c + CHUNK);
	ssize_t n;

	if (c == NULL)
		die("out of memory");
	n = read(p->from, c->data, CHUNK);
	if (n <= 0) {
		free(c);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return 0;
		if (n < 0)
			return -1;
		p->eof = 1;
		return 0;
	}
	c->next = NULL;
	c->due = now_ns() + delay_ns;
	c->len = (size_t)n;
	c->off = 0;
	if (p->tail != NULL)
		p->tail->next = c;
	else
		p->head = c;
	p->tail = c;
	p->queued += (size_t)n;
	return 0;
}

/* Write the chunks that are due; -1: close the link. */
static int
pipe_write(struct pipe *p, int64_t now)
{
	struct chunk *c;
	ssize_t n;

	while ((c = p->head) != NULL && c->due <= now) {
		n = write(p->to, c->data + c->off, c->len - c->off);
		if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		c->off += (size_t)n;
		p->queued -= (size_t)n;
		if (c->off < c->len)
			return 0;
		p->head = c->next;
		if (p->head == NULL)
			p->tail = NULL;
		free(c);
	}
	if (p->head == NULL && p->eof == 1) {
		(void)shutdown(p->to, SHUT_WR);
		p->eof = 2;
	}
	return 0;
}

/* Poll entries for every link, and the time until the next chunk is due. */
static nfds_t
fill_poll(struct pollfd *pf, int lfd, int64_t now, int64_t *wait)
{
	nfds_t n = 1;
	struct pipe *p;
	int i, d;

	pf[0] = (struct pollfd){ .fd = lfd, .events = POLLIN };
	for (i = 0; i < MAXCONN; i++) {
		if (!links[i].used)
			continue;
		for (d = 0; d < 2; d++) {
			p = &links[i].dir[d];
			/* one entry a direction: writable when due, else
			 * readable (unless full), else nothing (-1) */
			pf[n] = (struct pollfd){ .fd = -1 };
			if (p->head != NULL && p->head->due <= now)
				pf[n] = (struct pollfd){ p->to, POLLOUT, 0 };
			else if (!p->eof && p->queued < MAXQUEUE)
				pf[n] = (struct pollfd){ p->from, POLLIN, 0 };
			if (p->head != NULL && p->head->due > now &&
			    p->head->due - now < *wait)
				*wait = p->head->due - now;
			n++;
		}
	}
	return n;
}

static void
serve(int lfd, const char *upath, int64_t until)
{
	struct pollfd pf[1 + 2 * MAXCONN];
	struct timespec ts;
	int64_t now, wait;
	nfds_t n, j;
	int i, d, bad;

	while (!stop && (now = now_ns()) < until) {
		wait = until - now;
		n = fill_poll(pf, lfd, now, &wait);
		ts.tv_sec = wait / 1000000000;
		ts.tv_nsec = wait % 1000000000;
		if (ppoll(pf, n, &ts, NULL) < 0 && errno != EINTR)
			die("poll: %s", strerror(errno));
		if (pf[0].revents & POLLIN)
			link_open(lfd, upath);
		now = now_ns();
		for (i = 0, j = 1; i < MAXCONN && j < n; i++) {
			if (!links[i].used)
				continue;
			bad = 0;
			for (d = 0; d < 2; d++, j++) {
				struct pipe *p = &links[i].dir[d];

				if (pf[j].fd == p->from &&
				    (pf[j].revents & (POLLIN | POLLHUP | POLLERR)))
					bad |= pipe_read(p) < 0;
				bad |= pipe_write(p, now) < 0;
			}
			if (bad || (links[i].dir[0].eof == 2 &&
			    links[i].dir[1].eof == 2))
				link_close(&links[i]);
		}
	}
}

int
main(int argc, char **argv)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t slen = sizeof sa;
	long us, secs = 3600;
	int lfd, i;

	if (argc < 3 || argc > 4 || (us = atol(argv[2])) < 0 ||
	    (argc == 4 && (secs = atol(argv[3])) <= 0)) {
		fprintf(stderr,
		    "usage: delayproxy UNIX_SOCKET DELAY_US [MAX_SECONDS]\n");
		return 2;
	}
	delay_ns = (int64_t)us * 1000;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	/* wake up on time: the default 50 us slack is 10% of the delay */
	(void)prctl(PR_SET_TIMERSLACK, 1UL);

	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (lfd < 0)
		die("socket: %s", strerror(errno));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0 ||
	    listen(lfd, 64) < 0 ||
	    getsockname(lfd, (struct sockaddr *)&sa, &slen) < 0)
		die("listen on 127.0.0.1: %s", strerror(errno));
	printf("%d\n", ntohs(sa.sin_port));
	fflush(stdout);

	serve(lfd, argv[1], now_ns() + (int64_t)secs * 1000000000);
	for (i = 0; i < MAXCONN; i++)
		if (links[i].used)
			link_close(&links[i]);
	close(lfd);
	return 0;
}

/* SPDX-License-Identifier: MIT */
/*
 * bench/loadgen.c -- load generator and timing helpers for bench/run.
 * Speaks migrated's NDJSON control protocol directly; links only libc
 * (cc -O2 -o loadgen loadgen.c).
 *
 *   loadgen latency SOCK N [BODY]
 *       one connection, N `status` requests one after the other (or
 *       {"id":K,BODY} requests, e.g. BODY = "op":"upgrade"); prints
 *       "p50_us p99_us mean_us min_us max_us errors reply_bytes" (the
 *       last reply's size, its newline included)
 *   loadgen throughput SOCK CLIENTS SECONDS [WARMUP_SECONDS]
 *       CLIENTS connections (epoll), each with one request in flight;
 *       counts replies in the SECONDS after the warm-up; prints
 *       "req_per_s replies errors all_replies" (all: warm-up included)
 *   loadgen ready NOTIFY_PATH TIMEOUT_MS LOG -- PROGRAM ARGS...
 *       binds a datagram socket at NOTIFY_PATH, starts PROGRAM with
 *       NOTIFY_SOCKET set (stdout and stderr to LOG) and waits for
 *       READY=1; prints "ready_ms pid cpu_ms" (cpu_ms: PROGRAM's CPU time
 *       when READY=1 came) and exits, leaving PROGRAM running
 *   loadgen failover SOCK PID TIMEOUT_MS
 *       connects to SOCK (a standby), sends SIGKILL to PID (the leader),
 *       then polls `status` on SOCK until it says "role":"leader";
 *       prints the milliseconds from the kill to that reply
 *
 * Exit status: 0 done, 1 failure (message on stderr), 2 usage.
 */
#define _GNU_SOURCE
#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>
#include <sys/wait.h>

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

#define BUFSZ (256 * 1024)
#define BIGBUFSZ (64 * 1024 * 1024)	/* latency: history of 10,000 */

static void
die(const char *fmt, ...)
{
	va_list ap;

	fputs("loadgen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static int
connect_unix(const char *path, int nonblock)
{
	struct sockaddr_un sun;
	int fd;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path)
		die("socket path too long: %s", path);
	strcpy(sun.sun_path, path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) < 0)
		die("connect %s: %s", path, strerror(errno));
	if (nonblock && fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) < 0)
		die("fcntl: %s", strerror(errno));
	return fd;
}

static void
write_all(int fd, const char *s, size_t n)
{
	ssize_t w;

	while (n > 0) {
		w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			die("write: %s", strerror(errno));
		s += w;
		n -= (size_t)w;
	}
}

/* A connection with a line buffer. */
struct conn {
	int fd;
	char *buf;
	size_t len, cap;
	unsigned long long next_id;
	uint64_t sent_ns;
};

/* what follows "id" in a request; `"op":"status"` unless told otherwise */
static const char *req_body = "\"op\":\"status\"";

static int
send_status(struct conn *c)
{
	char req[1024];
	int n;

	n = snprintf(req, sizeof req, "{\"id\":%llu,%s}\n", ++c->next_id,
	    req_body);
	if (n < 0 || (size_t)n >= sizeof req)
		die("request too long");
	c->sent_ns = now_ns();
	write_all(c->fd, req, (size_t)n);
	return 0;
}

/* Is the reply line an ok reply to the last request sent? */
static int
reply_ok(const struct conn *c, const char *line, size_t len)
{
	char want[48];
	int n;

	n = snprintf(want, sizeof want, "{\"id\":%llu,", c->next_id);
	return len > (size_t)n && memcmp(line, want, (size_t)n) == 0 &&
	    memmem(line, len, "\"ok\":true", 9) != NULL;
}

/*
 * Read what is there (blocking fds wait); return the length of the first
 * complete line (newline excluded) or -1 if none yet; 0 bytes read = EOF.
 */
static ssize_t
read_line(struct conn *c, int *eof)
{
	char *nl;
	ssize_t r;

	*eof = 0;
	for (;;) {
		if ((nl = memchr(c->buf, '\n', c->len)) != NULL)
			return nl - c->buf;
		if (c->len == c->cap)
			die("reply line longer than %zu bytes", c->cap);
		r = read(c->fd, c->buf + c->len, c->cap - c->len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			return -1;
		if (r < 0)
			die("read: %s", strerror(errno));
		if (r == 0) {
			*eof = 1;
			return -1;
		}
		c->len += (size_t)r;
	}
}

static void
consume(struct conn *c, size_t linelen)
{
	memmove(c->buf, c->buf + linelen + 1, c->len - linelen - 1);
	c->len -= linelen + 1;
}

static void
conn_init(struct conn *c, const char *path, int nonblock, size_t cap)
{
	memset(c, 0, sizeof *c);
	c->fd = connect_unix(path, nonblock);
	c->cap = cap;
	c->buf = malloc(cap);
	if (c->buf == NULL)
		die("out of memory");
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const uint64_t *v, size_t n, double p)
{
	size_t k = (size_t)(p * (double)(n - 1) + 0.5);

	return (double)v[k < n ? k : n - 1];
}

static int
cmd_latency(int argc, char **argv)
{
	struct conn c;
	uint64_t *lat, sum = 0;
	long n, i, errors = 0;
	ssize_t l = 0;
	int eof;

	if (argc != 4 && argc != 5)
		return 2;
	if (argc == 5)
		req_body = argv[4];
	n = strtol(argv[3], NULL, 10);
	if (n <= 0)
		return 2;
	lat = calloc((size_t)n, sizeof *lat);
	conn_init(&c, argv[2], 0, BIGBUFSZ);
	for (i = 0; i < n; i++) {
		send_status(&c);
		while ((l = read_line(&c, &eof)) < 0)
			if (eof)
				die("connection closed by the daemon");
		lat[i] = now_ns() - c.sent_ns;
		if (!reply_ok(&c, c.buf, (size_t)l))
			errors++;
		consume(&c, (size_t)l);
		sum += lat[i];
	}
	qsort(lat, (size_t)n, sizeof *lat, cmp_u64);
	printf("%.1f %.1f %.1f %.1f %.1f %ld %zd\n", pct(lat, (size_t)n, 0.50) /
	    1e3, pct(lat, (size_t)n, 0.99) / 1e3, (double)sum / (double)n / 1e3,
	    (double)lat[0] / 1e3, (double)lat[n - 1] / 1e3, errors, l + 1);
	close(c.fd);
	free(c.buf);
	free(lat);
	return errors > 0;
}

static int
cmd_throughput(int argc, char **argv)
{
	struct epoll_event ev, evs[512];
	struct conn *cs;
	uint64_t start, t0, t1, end;
	long nconn, i, counted = 0, total = 0, errors = 0;
	double secs, warm = 1.0;
	int ep, k, nev, eof, measuring = 0;
	ssize_t l;

	if (argc != 5 && argc != 6)
		return 2;
	nconn = strtol(argv[3], NULL, 10);
	secs = strtod(argv[4], NULL);
	if (argc == 6)
		warm = strtod(argv[5], NULL);
	if (nconn <= 0 || secs <= 0)
		return 2;
	cs = calloc((size_t)nconn, sizeof *cs);
	if ((ep = epoll_create1(EPOLL_CLOEXEC)) < 0)
		die("epoll_create1: %s", strerror(errno));
	for (i = 0; i < nconn; i++) {
		conn_init(&cs[i], argv[2], 1, BUFSZ);
		ev.events = EPOLLIN;
		ev.data.ptr = &cs[i];
		if (epoll_ctl(ep, EPOLL_CTL_ADD, cs[i].fd, &ev) < 0)
			die("epoll_ctl: %s", strerror(errno));
	}
	start = now_ns();
	t0 = start + (uint64_t)(warm * 1e9);
	end = t0 + (uint64_t)(secs * 1e9);
	for (i = 0; i < nconn; i++)
		send_status(&cs[i]);
	for (;;) {
		nev = epoll_wait(ep, evs, 512, 100);
		if (nev < 0 && errno == EINTR)
			continue;
		if (nev < 0)
			die("epoll_wait: %s", strerror(errno));
		t1 = now_ns();
		if (!measuring && t1 >= t0)
			measuring = 1;
		if (t1 >= end)
			break;
		for (k = 0; k < nev; k++) {
			struct conn *c = evs[k].data.ptr;

			while ((l = read_line(c, &eof)) >= 0) {
				if (!reply_ok(c, c->buf, (size_t)l))
					errors++;
				consume(c, (size_t)l);
				total++;
				if (measuring)
					counted++;
				send_status(c);
			}
			if (eof)
				die("connection closed by the daemon (max_clients?)");
		}
	}
	printf("%.0f %ld %ld %ld\n", (double)counted / secs, counted, errors,
	    total);
	for (i = 0; i < nconn; i++) {
		close(cs[i].fd);
		free(cs[i].buf);
	}
	free(cs);
	close(ep);
	return errors > 0;
}

/* CPU time (user + system) of pid so far, from /proc/PID/schedstat. */
static uint64_t
proc_cpu_ns(pid_t pid)
{
	unsigned long long ns = 0;
	char path[64];
	FILE *f;

	snprintf(path, sizeof path, "/proc/%ld/schedstat", (long)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fscanf(f, "%llu", &ns) != 1)
		ns = 0;
	fclose(f);
	return ns;
}

static int
cmd_ready(int argc, char **argv)
{
	struct sockaddr_un sun;
	struct pollfd pfd;
	char msg[4096];
	uint64_t t0, deadline, elapsed;
	int fd, logfd, timeout_ms;
	ssize_t r;
	pid_t pid;

	if (argc < 7 || strcmp(argv[5], "--") != 0)
		return 2;
	timeout_ms = atoi(argv[3]);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(argv[2]) >= sizeof sun.sun_path)
		die("socket path too long");
	strcpy(sun.sun_path, argv[2]);
	(void)unlink(argv[2]);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0)
		die("notify socket %s: %s", argv[2], strerror(errno));
	logfd = open(argv[4], O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
	if (logfd < 0)
		die("open %s: %s", argv[4], strerror(errno));
	setenv("NOTIFY_SOCKET", argv[2], 1);
	t0 = now_ns();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		dup2(logfd, 1);
		dup2(logfd, 2);
		setsid();
		execv(argv[6], argv + 6);
		_exit(127);
	}
	deadline = t0 + (uint64_t)timeout_ms * 1000000u;
	for (;;) {
		uint64_t now = now_ns();
		int wait;

		if (now >= deadline) {
			kill(pid, SIGKILL);
			die("no READY=1 within %d ms", timeout_ms);
		}
		wait = (int)((deadline - now) / 1000000u) + 1;
		pfd.fd = fd;
		pfd.events = POLLIN;
		if (poll(&pfd, 1, wait) <= 0) {
			if (waitpid(pid, NULL, WNOHANG) == pid)
				die("the program exited before READY=1");
			continue;
		}
		r = recv(fd, msg, sizeof msg - 1, 0);
		if (r <= 0)
			continue;
		msg[r] = '\0';
		if (strncmp(msg, "READY=1", 7) == 0 || strstr(msg, "\nREADY=1"))
			break;
	}
	elapsed = now_ns() - t0;
	printf("%.3f %ld %.3f\n", (double)elapsed / 1e6, (long)pid,
	    (double)proc_cpu_ns(pid) / 1e6);
	fflush(stdout);
	close(fd);
	(void)unlink(argv[2]);	/* later notifications go nowhere */
	return 0;
}

/* The value of "role" in a status reply, or NULL. */
static int
reply_is_leader(const char *line, size_t len)
{
	return memmem(line, len, "\"role\":\"leader\"", 15) != NULL;
}

static int
cmd_failover(int argc, char **argv)
{
	struct conn c;
	uint64_t t0, deadline;
	ssize_t l;
	int eof, leader = 0;
	pid_t pid;

	if (argc != 5)
		return 2;
	pid = (pid_t)strtol(argv[3], NULL, 10);
	conn_init(&c, argv[2], 0, BUFSZ);
	/* the standby answers before the kill: it is not the leader yet */
	send_status(&c);
	while ((l = read_line(&c, &eof)) < 0)
		if (eof)
			die("standby closed the connection");
	if (reply_is_leader(c.buf, (size_t)l))
		die("the standby already is the leader");
	consume(&c, (size_t)l);
	t0 = now_ns();
	deadline = t0 + (uint64_t)atoi(argv[4]) * 1000000u;
	if (kill(pid, SIGKILL) < 0)
		die("kill %ld: %s", (long)pid, strerror(errno));
	while (!leader) {
		if (now_ns() > deadline)
			die("no takeover within %s ms", argv[4]);
		send_status(&c);
		while ((l = read_line(&c, &eof)) < 0)
			if (eof)
				die("standby closed the connection");
		leader = reply_is_leader(c.buf, (size_t)l);
		consume(&c, (size_t)l);
		if (!leader)
			usleep(500);
	}
	printf("%.3f\n", (double)(now_ns() - t0) / 1e6);
	close(c.fd);
	free(c.buf);
	return 0;
}

static void
usage(void)
{
	fputs("usage: loadgen latency SOCK N [BODY]\n"
	    "       loadgen throughput SOCK CLIENTS SECONDS [WARMUP]\n"
	    "       loadgen ready NOTIFY_PATH TIMEOUT_MS LOG -- PROGRAM ARGS\n"
	    "       loadgen failover SOCK PID TIMEOUT_MS\n", stderr);
}

int
main(int argc, char **argv)
{
	int r = 2;

	signal(SIGPIPE, SIG_IGN);
	if (argc >= 2 && strcmp(argv[1], "latency") == 0)
		r = cmd_latency(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "throughput") == 0)
		r = cmd_throughput(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "ready") == 0)
		r = cmd_ready(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "failover") == 0)
		r = cmd_failover(argc, argv);
	if (r == 2)
		usage();
	return r;
}

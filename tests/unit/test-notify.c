/* SPDX-License-Identifier: MIT */
/* test-notify.c: journal fields, sd_notify datagrams, activation, journald. */
#include <config.h>

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "daemon/notify.h"

static void
discard(const struct log_record *rec, void *arg)
{
}

struct notify_test {
	char dir[64];
	char path[128];
	int fd;
};

static int
setup_socket(void **state)
{
	struct notify_test *t = calloc(1, sizeof *t);
	struct sockaddr_un sun;
	struct timeval tv = { 1, 0 };

	assert_non_null(t);
	strcpy(t->dir, "/tmp/test-notify.XXXXXX");
	assert_non_null(mkdtemp(t->dir));
	snprintf(t->path, sizeof t->path, "%s/notify", t->dir);
	t->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(t->fd >= 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, t->path);
	assert_int_equal(bind(t->fd, (struct sockaddr *)&sun, sizeof sun), 0);
	assert_int_equal(setsockopt(t->fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
	    sizeof tv), 0);
	assert_int_equal(setenv("NOTIFY_SOCKET", t->path, 1), 0);
	*state = t;
	return 0;
}

static int
teardown_socket(void **state)
{
	struct notify_test *t = *state;

	unsetenv("NOTIFY_SOCKET");
	close(t->fd);
	unlink(t->path);
	rmdir(t->dir);
	free(t);
	return 0;
}

/* The next datagram, NUL-terminated, in buf. */
static const char *
next_datagram(struct notify_test *t, char *buf, size_t size)
{
	ssize_t n;

	n = recv(t->fd, buf, size - 1, 0);
	assert_true(n >= 0);
	buf[n] = '\0';
	return buf;
}

static void
assert_no_datagram(struct notify_test *t)
{
	char buf[64];

	assert_int_equal(recv(t->fd, buf, sizeof buf, MSG_DONTWAIT), -1);
	assert_true(errno == EAGAIN || errno == EWOULDBLOCK);
}

static void
test_ready_once(void **state)
{
	struct notify_test *t = *state;
	char buf[256];

	notify_ready();
	assert_string_equal(next_datagram(t, buf, sizeof buf), "READY=1");
	notify_ready();
	assert_no_datagram(t);
	/* after a reload READY=1 is sent again */
	notify_reload_done();
	assert_string_equal(next_datagram(t, buf, sizeof buf), "READY=1");
}

static void
test_status_dedup(void **state)
{
	struct notify_test *t = *state;
	char buf[256];

	notify_status("leader, at %s", "212c31d97f11");
	assert_string_equal(next_datagram(t, buf, sizeof buf),
	    "STATUS=leader, at 212c31d97f11");
	notify_status("leader, at %s", "212c31d97f11");
	assert_no_datagram(t);
	notify_status("standby");
	assert_string_equal(next_datagram(t, buf, sizeof buf),
	    "STATUS=standby");
	notify_status("leader, at %s", "212c31d97f11");
	assert_string_equal(next_datagram(t, buf, sizeof buf),
	    "STATUS=leader, at 212c31d97f11");
}

static void
test_status_one_line(void **state)
{
	struct notify_test *t = *state;
	char buf[256];

	notify_status("database unreachable: %s",
	    "connection refused\n\tIs the server running?\n");
	assert_string_equal(next_datagram(t, buf, sizeof buf),
	    "STATUS=database unreachable: connection refused \tIs the "
	    "server running?");
}

static void
test_other_states(void **state)
{
	struct notify_test *t = *state;
	unsigned long long usec;
	char buf[256];
	int n;

	notify_stopping();
	assert_string_equal(next_datagram(t, buf, sizeof buf), "STOPPING=1");
	notify_watchdog();
	assert_string_equal(next_datagram(t, buf, sizeof buf), "WATCHDOG=1");
	notify_extend_timeout(30000000);
	assert_string_equal(next_datagram(t, buf, sizeof buf),
	    "EXTEND_TIMEOUT_USEC=30000000");
	notify_reloading();
	next_datagram(t, buf, sizeof buf);
	n = 0;
	assert_int_equal(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu%n",
	    &usec, &n), 1);
	assert_int_equal(buf[n], '\0');
	assert_true(usec > 0);
}

static void
test_watchdog_usec(void **state)
{
	char pid[32];

	unsetenv("WATCHDOG_USEC");
	assert_int_equal(notify_watchdog_usec(), 0);
	setenv("WATCHDOG_USEC", "20000000", 1);
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(notify_watchdog_usec(), 20000000);
	/* meant for another process */
	setenv("WATCHDOG_PID", "1", 1);
	assert_int_equal(notify_watchdog_usec(), 0);
	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
}

static void
test_journal_fields_all(void **state)
{
	struct log_record rec = {
		LOG_LVL_ERROR, "relation \"x\" does not exist", "upgrade",
		"d382069dacef", 12, "42P01"
	};
	const char *want[] = {
		"PRIORITY=3",
		"MESSAGE=upgrade d382069dacef: relation \"x\" does not exist",
		"SYSLOG_IDENTIFIER=migrated",
		"MIGRATED_OP=upgrade",
		"MIGRATED_REVISION=d382069dacef",
		"MIGRATED_DURATION_MS=12",
		"SQLSTATE=42P01",
	};
	char *out[16];
	int i, n;

	n = notify_journal_fields(&rec, out, 16);
	assert_int_equal(n, (int)(sizeof want / sizeof want[0]));
	for (i = 0; i < n; i++) {
		assert_string_equal(out[i], want[i]);
		free(out[i]);
	}
}

static void
test_journal_fields_plain(void **state)
{
	struct log_record rec = {
		LOG_LVL_DEBUG, "listening on /run/migrated/migrated.sock",
		NULL, NULL, -1, NULL
	};
	char *out[16];
	int i, n;

	n = notify_journal_fields(&rec, out, 16);
	assert_int_equal(n, 3);
	assert_string_equal(out[0], "PRIORITY=7");
	assert_string_equal(out[1],
	    "MESSAGE=listening on /run/migrated/migrated.sock");
	assert_string_equal(out[2], "SYSLOG_IDENTIFIER=migrated");
	for (i = 0; i < n; i++)
		free(out[i]);
	/* max bounds the count */
	n = notify_journal_fields(&rec, out, 2);
	assert_int_equal(n, 2);
	free(out[0]);
	free(out[1]);
}

static void
test_journal_stream(void **state)
{
	struct stat st;
	char buf[64];

	unsetenv("JOURNAL_STREAM");
	assert_false(notify_stderr_is_journal());
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(buf, sizeof buf, "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", buf, 1);
	assert_true(notify_stderr_is_journal());
	snprintf(buf, sizeof buf, "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", buf, 1);
	assert_false(notify_stderr_is_journal());
	setenv("JOURNAL_STREAM", "garbage", 1);
	assert_false(notify_stderr_is_journal());
	unsetenv("JOURNAL_STREAM");
}

/* With JOURNAL_STREAM naming stderr, records go to sd_journal_sendv(). */
static void
test_init_journal_sink(void **state)
{
	FILE *err = tmpfile();
	struct stat st;
	char buf[4096];
	size_t n;
	int saved;

	assert_non_null(err);
	assert_int_equal(fstat(fileno(err), &st), 0);
	snprintf(buf, sizeof buf, "%llu:%llu", (unsigned long long)st.st_dev,
	    (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", buf, 1);
	saved = dup(STDERR_FILENO);
	dup2(fileno(err), STDERR_FILENO);
	notify_init(LOG_OUT_AUTO);
	log_op(LOG_LVL_WARN, "upgrade", "d382069dacef", 5, "55P03",
	    "lock timeout, retrying in %ds", 1);
	dup2(saved, STDERR_FILENO);
	close(saved);
	log_set_sink(discard, NULL);
	unsetenv("JOURNAL_STREAM");
	rewind(err);
	n = fread(buf, 1, sizeof buf - 1, err);
	buf[n] = '\0';
	fclose(err);
	/* the record went to the journal, not as a plain line to stderr */
	assert_null(strstr(buf, "lock timeout"));

	/* without JOURNAL_STREAM the plain writer stays */
	log_set_sink(NULL, NULL);
	notify_init(LOG_OUT_AUTO);
	assert_false(notify_stderr_is_journal());
	log_set_sink(discard, NULL);
}

/* Put a socket of the given type at fd 3 and announce it by LISTEN_FDS. */
static int
pass_socket(int type, bool listening)
{
	struct sockaddr_un sun;
	char dir[] = "/tmp/test-notify.XXXXXX", pid[32];
	int fd;

	if (fcntl(3, F_GETFD) != -1)
		return -1;		/* fd 3 in use: cannot test */
	assert_non_null(mkdtemp(dir));
	fd = socket(AF_UNIX, type, 0);
	assert_true(fd >= 0);
	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof sun.sun_path, "%s/s", dir);
	assert_int_equal(bind(fd, (struct sockaddr *)&sun, sizeof sun), 0);
	if (listening)
		assert_int_equal(listen(fd, 1), 0);
	unlink(sun.sun_path);
	rmdir(dir);
	if (fd != 3) {
		assert_int_equal(dup2(fd, 3), 3);
		close(fd);
	}
	snprintf(pid, sizeof pid, "%ld", (long)getpid());
	setenv("LISTEN_PID", pid, 1);
	setenv("LISTEN_FDS", "1", 1);
	return 0;
}

static void
test_listen_fd(void **state)
{
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
	assert_int_equal(notify_listen_fd(), -1);

	if (pass_socket(SOCK_STREAM, true) < 0)
		skip();
	assert_int_equal(notify_listen_fd(), 3);
	assert_int_equal(notify_listen_fd(), 3);	/* stays the same */
	close(3);

	assert_int_equal(pass_socket(SOCK_DGRAM, false), 0);
	assert_int_equal(notify_listen_fd(), -EINVAL);
	close(3);

	assert_int_equal(pass_socket(SOCK_STREAM, false), 0);
	assert_int_equal(notify_listen_fd(), -EINVAL);	/* not listening */
	close(3);
	unsetenv("LISTEN_PID");
	unsetenv("LISTEN_FDS");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ready_once, setup_socket,
		    teardown_socket),
		cmocka_unit_test_setup_teardown(test_status_dedup,
		    setup_socket, teardown_socket),
		cmocka_unit_test_setup_teardown(test_status_one_line,
		    setup_socket, teardown_socket),
		cmocka_unit_test_setup_teardown(test_other_states,
		    setup_socket, teardown_socket),
		cmocka_unit_test(test_watchdog_usec),
		cmocka_unit_test(test_journal_fields_all),
		cmocka_unit_test(test_journal_fields_plain),
		cmocka_unit_test(test_journal_stream),
		cmocka_unit_test(test_init_journal_sink),
		cmocka_unit_test(test_listen_fd),
	};

	log_init("test-notify", LOG_LVL_INFO);
	log_set_sink(discard, NULL);		/* expected errors stay quiet */
	return cmocka_run_group_tests(tests, NULL, NULL);
}

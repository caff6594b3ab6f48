/* SPDX-License-Identifier: MIT */
/*
 * once.c: migrated --once COMMAND ARGS: the client's commands without a
 * daemon (issue 10 item 8). Once the database is read (and, for a change,
 * this process leads), a child process runs migratectl's own code for the
 * command, on one end of a socketpair whose other end this daemon serves
 * as a client connection: the same engine, the same output and the same
 * exit codes as migratectl against a daemon.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../ctl/ctl.h"
#include "../ctl/verbs.h"
#include "daemon.h"
#include "log.h"

static bool once_cmd;		/* --once COMMAND, not --once [TARGET] */
static bool once_change;	/* the command needs the lock */
static pid_t once_child = -1;
static struct event *ev_child;

/* "migratectl" ARGS..., with the socket given first when fd >= 0. */
static char **
once_argv(int fd, int *argc)
{
	int n = D->cfg.once_argc, i, k = 0;
	char **v = xcalloc((size_t)n + 4, sizeof *v);

	v[k++] = xstrdup("migratectl");
	if (fd >= 0) {
		v[k++] = xstrdup("-s");
		v[k++] = xasprintf("fd:%d", fd);
	}
	for (i = 0; i < n; i++)
		v[k++] = xstrdup(D->cfg.once_argv[i]);
	*argc = k;
	return v;
}

static void
once_argv_free(char **v)
{
	size_t i;

	for (i = 0; v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

int
once_init(void)
{
	const char *first;
	char **v;
	int argc, r;

	if (!D->once || D->cfg.once_argc == 0)
		return -1;
	first = D->cfg.once_argv[0];
	/*
	 * One word that names no command is a target (--once [TARGET]); so
	 * is "heads", the default target, although a command has its name.
	 */
	if (D->cfg.once_argc == 1 && (verbs_find(first) == NULL ||
	    strcmp(first, "heads") == 0))
		return -1;
	v = once_argv(-1, &argc);
	r = ctl_once_check(argc, v, &once_change);
	once_argv_free(v);
	once_cmd = r < 0;
	return r;
}

bool
once_is_command(void)
{
	return once_cmd;
}

bool
once_reads_only(void)
{
	return once_cmd && !once_change;
}

static void
once_on_child(evutil_socket_t sig, short what, void *arg)
{
	int st, code;

	if (once_child < 0 || waitpid(once_child, &st, WNOHANG) != once_child)
		return;
	once_child = -1;
	code = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	log_debug("--once: the command exited %d", code);
	D->exit_code = code;
	event_base_loopexit(D->base, NULL);
}

/* In the child: migratectl's main on the socket, then leave. */
static void
once_child_run(int fd)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGCHLD };
	char **v;
	size_t i;
	int argc, code;

	for (i = 0; i < ARRAY_LEN(sigs); i++)
		signal(sigs[i], SIG_DFL);
	(void)fcntl(fd, F_SETFL, O_NONBLOCK);
	v = once_argv(fd, &argc);
	code = ctl_main(argc, v);
	fflush(stdout);
	fflush(stderr);
	_exit(code);
}

static void
once_start(void)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		fatal("socketpair: %s", strerror(errno));
	/* before the fork: a child that ends at once is not missed */
	ev_child = evsignal_new(D->base, SIGCHLD, once_on_child, NULL);
	if (ev_child == NULL)
		fatal("evsignal_new failed");
	evsignal_add(ev_child, NULL);
	fflush(stdout);
	fflush(stderr);
	if ((once_child = fork()) < 0)
		fatal("fork: %s", strerror(errno));
	if (once_child == 0) {
		close(sv[0]);
		once_child_run(sv[1]);
	}
	close(sv[1]);
	(void)fcntl(sv[0], F_SETFL, O_NONBLOCK);
	conn_accept(sv[0]);
}

void
once_status_changed(void)
{
	if (!once_cmd || ev_child != NULL || D->shutting_down)
		return;
	if (D->st.read && (!once_change || leader_is()))
		once_start();
}

bool
once_lockwait(void)
{
	if (!once_cmd)
		return false;
	if (ev_child != NULL)
		return true;
	/* a read runs anyway, and says what it finds (unknown: 75) */
	if (!once_change) {
		once_start();
		return true;
	}
	return false;
}

void
once_stop(void)
{
	if (ev_child != NULL)
		event_free(ev_child);
	ev_child = NULL;
}

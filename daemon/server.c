/* SPDX-License-Identifier: MIT */
/* server.c: the listening socket, socket activation, accept, SO_PEERCRED. */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "notify.h"

/* uid -> name, read once at start (no name-service look-ups in the loop) */
struct user_ent {
	uid_t uid;
	char *name;
};
static struct user_ent *users;
static size_t nusers;

void
server_load_users(void)
{
	struct passwd *pw;
	size_t cap = 0;

	setpwent();
	while ((pw = getpwent()) != NULL) {
		if (nusers == cap) {
			cap = cap ? cap * 2 : 64;
			users = xreallocarray(users, cap, sizeof *users);
		}
		users[nusers].uid = pw->pw_uid;
		users[nusers].name = xstrdup(pw->pw_name);
		nusers++;
	}
	endpwent();
}

static char *
server_user_name(uid_t uid)
{
	size_t i;

	for (i = 0; i < nusers; i++)
		if (users[i].uid == uid)
			return xstrdup(users[i].name);
	return xasprintf("uid:%lu", (unsigned long)uid);
}

int
server_peer(int fd, struct peer *peer)
{
	struct ucred cred;
	socklen_t len = sizeof cred;
	gid_t groups[256];
	size_t i, ng;

	memset(peer, 0, sizeof *peer);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) < 0)
		return -errno;
	peer->uid = cred.uid;
	peer->gid = cred.gid;
	peer->pid = cred.pid;
	peer->user = server_user_name(cred.uid);
	peer->admin = cred.uid == 0 || cred.uid == D->uid;
	if (peer->admin || !D->have_admin_gid)
		return 0;
	if (cred.gid == D->admin_gid) {
		peer->admin = true;
		return 0;
	}
	len = sizeof groups;
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) < 0)
		return 0;	/* no supplementary groups known: not admin */
	ng = len / sizeof(gid_t);
	for (i = 0; i < ng; i++)
		if (groups[i] == D->admin_gid)
			peer->admin = true;
	return 0;
}

static void
server_on_accept(evutil_socket_t lfd, short what, void *arg)
{
	int fd;

	for (;;) {
		fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR)
				continue;
			if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_errno(LOG_LVL_WARN, -errno,
				    "accept failed, ignoring");
			return;
		}
		conn_accept(fd);
	}
}

/*
 * Is somebody answering on path? 1 yes (or its backlog is full), 0 no:
 * nothing there, or a socket nobody listens on (stale); < 0 when we
 * cannot tell (EACCES: a socket we may not connect to is someone's) or
 * the path is not a socket: never remove it then.
 */
static int
server_is_live(const struct sockaddr_un *sun)
{
	struct stat sb;
	int fd, r, e;

	if (lstat(sun->sun_path, &sb) < 0)
		return errno == ENOENT ? 0 : -errno;
	if (!S_ISSOCK(sb.st_mode))
		return -ENOTSOCK;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	r = connect(fd, (const struct sockaddr *)sun, sizeof *sun);
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN || e == EINPROGRESS)
		return 1;
	if (e == ECONNREFUSED || e == ENOENT)
		return 0;
	return -e;
}

static int
server_bind(const char *path)
{
	struct sockaddr_un sun;
	struct group *gr;
	mode_t old;
	int fd, r;

	memset(&sun, 0, sizeof sun);
	sun.sun_family = AF_UNIX;
	if (strlen(path) >= sizeof sun.sun_path) {
		log_error("socket path %s is too long", path);
		return -ENAMETOOLONG;
	}
	strcpy(sun.sun_path, path);
	if ((r = server_is_live(&sun)) > 0) {
		log_error("another daemon is already answering on %s", path);
		return -EADDRINUSE;
	}
	if (r < 0)
		return log_errno(LOG_LVL_ERROR, r, "%s exists and may belong "
		    "to a live daemon or another program (left in place)",
		    path);
	if (unlink(path) < 0 && errno != ENOENT)
		return log_errno(LOG_LVL_ERROR, -errno,
		    "cannot remove stale socket %s", path);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return log_errno(LOG_LVL_ERROR, -errno, "socket");
	old = umask(0777 & ~D->cfg.socket_mode);
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) < 0) {
		umask(old);
		close(fd);
		return log_errno(LOG_LVL_ERROR, -errno, "cannot bind %s",
		    path);
	}
	umask(old);
	if (chmod(path, D->cfg.socket_mode) < 0)
		log_errno(LOG_LVL_WARN, -errno, "chmod %s, ignoring", path);
	if (D->cfg.socket_group != NULL) {
		gr = getgrnam(D->cfg.socket_group);
		if (gr == NULL || chown(path, (uid_t)-1, gr->gr_gid) < 0)
			log_warn("cannot give %s to group %s, ignoring", path,
			    D->cfg.socket_group);
	}
	if (listen(fd, 512) < 0) {
		close(fd);
		return log_errno(LOG_LVL_ERROR, -errno, "listen %s", path);
	}
	return fd;
}

int
server_listen(void)
{
	int fd, flags;

	fd = notify_listen_fd();
	if (fd == -EINVAL)
		return -EINVAL;
	if (fd >= 0) {
		D->listen_activated = true;
		flags = fcntl(fd, F_GETFL);
		if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
			return log_errno(LOG_LVL_ERROR, -errno, "fcntl");
		log_info("serving the socket passed by systemd");
	} else if ((fd = server_bind(D->cfg.socket_path)) < 0)
		return fd;
	else
		log_info("listening on %s", D->cfg.socket_path);
	D->listen_fd = fd;
	D->ev_listen = event_new(D->base, fd, EV_READ | EV_PERSIST,
	    server_on_accept, NULL);
	if (D->ev_listen == NULL)
		fatal("event_new failed");
	event_add(D->ev_listen, NULL);
	return 0;
}

void
server_close(void)
{
	size_t i;

	if (D->ev_listen != NULL) {
		event_free(D->ev_listen);
		D->ev_listen = NULL;
	}
	if (D->listen_fd >= 0) {
		close(D->listen_fd);
		/* an activated socket belongs to systemd: never unlink it */
		if (!D->listen_activated)
			(void)unlink(D->cfg.socket_path);
		D->listen_fd = -1;
	}
	for (i = 0; i < nusers; i++)
		free(users[i].name);
	free(users);
	users = NULL;
	nusers = 0;
}

/* SPDX-License-Identifier: MIT */
/* http.c: the optional HTTP listener (http_listen): metrics and probes. */
#include "config.h"

#include <sys/queue.h>
#include <sys/socket.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>

#include "daemon.h"
#include "log.h"

/*
 * Everything a peer can grow is bounded: connections (more wait in the
 * kernel's backlog while the listener is paused), the request line and
 * headers, the body (none: GET and HEAD only), idle time, and the life of
 * a connection however busy (a slow client dribbling bytes). Every page
 * is built from memory, as the status op is: no handler touches the
 * database or blocks.
 */
#define HTTP_MAX_CONNS		32
#define HTTP_BACKLOG		16
#define HTTP_IDLE_TIMEOUT	5	/* seconds */
#define HTTP_LIFETIME		30	/* seconds */
#define HTTP_MAX_HEADERS	8192
#define HTTP_MAX_BODY		0

/*
 * libevent 2.1 has no connection limit nor a hook for new server
 * connections, only one to create their bufferevent. We create it, keep
 * a reference until evhttp has wrapped it (the next loop turn), then
 * find its connection (the bufferevent's callback argument, checked
 * through evhttp_connection_get_bufferevent()) and count it until its
 * close callback. Holding the reference keeps the socket open (it is
 * closed on free) even if evhttp drops the connection before that.
 */
struct http_conn {
	LIST_ENTRY(http_conn) entry;
	struct bufferevent *bev;		/* ref held until attached */
	struct evhttp_connection *evcon;	/* NULL until attached */
	struct event *ev_deadline;
};

static struct evhttp *http;
static struct evconnlistener *http_listener;
static LIST_HEAD(, http_conn) http_conns = LIST_HEAD_INITIALIZER(http_conns);
static unsigned int http_nconns;
static struct event *http_ev_attach;
static bool http_paused;

static void
http_conn_free(struct http_conn *hc)
{
	LIST_REMOVE(hc, entry);
	if (hc->ev_deadline != NULL)
		event_free(hc->ev_deadline);
	free(hc);
	http_nconns--;
	if (http_paused && http_nconns < HTTP_MAX_CONNS) {
		http_paused = false;
		evconnlistener_enable(http_listener);
	}
}

static void
http_on_close(struct evhttp_connection *evcon, void *arg)
{
	http_conn_free(arg);
}

/* A connection past HTTP_LIFETIME: end it the way a peer would. */
static void
http_on_deadline(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *hc = arg;
	evutil_socket_t s;

	s = bufferevent_getfd(evhttp_connection_get_bufferevent(hc->evcon));
	log_debug("http: connection open for %ds, closing it", HTTP_LIFETIME);
	if (s >= 0)
		(void)shutdown(s, SHUT_RDWR);	/* evhttp sees EOF, closes */
}

static void
http_attach(struct http_conn *hc)
{
	struct evhttp_connection *evcon;
	bufferevent_data_cb readcb;
	struct timeval tv = { HTTP_LIFETIME, 0 };
	void *arg = NULL;

	bufferevent_getcb(hc->bev, &readcb, NULL, NULL, &arg);
	evcon = arg;
	if (readcb == NULL || evcon == NULL ||
	    evhttp_connection_get_bufferevent(evcon) != hc->bev) {
		/* already closed by evhttp: our reference frees it */
		bufferevent_decref(hc->bev);
		http_conn_free(hc);
		return;
	}
	hc->evcon = evcon;
	evhttp_connection_set_closecb(evcon, http_on_close, hc);
	hc->ev_deadline = evtimer_new(D->base, http_on_deadline, hc);
	if (hc->ev_deadline == NULL)
		fatal("evtimer_new failed");
	evtimer_add(hc->ev_deadline, &tv);
	bufferevent_decref(hc->bev);
}

static void
http_on_attach(evutil_socket_t fd, short what, void *arg)
{
	struct http_conn *hc, *next;

	for (hc = LIST_FIRST(&http_conns); hc != NULL; hc = next) {
		next = LIST_NEXT(hc, entry);
		if (hc->evcon == NULL)
			http_attach(hc);
	}
}

/* evhttp accepted a connection and asks for its bufferevent. */
static struct bufferevent *
http_on_accept(struct event_base *base, void *arg)
{
	struct bufferevent *bev;
	struct http_conn *hc;

	bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
	if (bev == NULL)
		return NULL;		/* evhttp makes one; uncounted */
	bufferevent_incref(bev);
	hc = xcalloc(1, sizeof *hc);
	hc->bev = bev;
	LIST_INSERT_HEAD(&http_conns, hc, entry);
	if (++http_nconns >= HTTP_MAX_CONNS && !http_paused) {
		http_paused = true;
		evconnlistener_disable(http_listener);
		log_warn("http: %d connections open, accepting more once one "
		    "closes", HTTP_MAX_CONNS);
	}
	event_active(http_ev_attach, 0, 0);
	return bev;
}

static void
http_reply(struct evhttp_request *req, int code, const char *type,
    struct evbuffer *body)
{
	struct evkeyvalq *h = evhttp_request_get_output_headers(req);

	evhttp_add_header(h, "Content-Type", type);
	evhttp_add_header(h, "Cache-Control", "no-store");
	evhttp_send_reply(req, code, code == 200 ? "OK" : code == 503 ?
	    "Service Unavailable" : code == 404 ? "Not Found" :
	    "Bad Request", body);
}

static void
http_text(struct evhttp_request *req, int code, const char *text)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		fatal("evbuffer_new failed");
	evbuffer_add(b, text, strlen(text));
	http_reply(req, code, "text/plain; charset=utf-8", b);
	evbuffer_free(b);
}

static void
http_metrics(struct evhttp_request *req, const char *query)
{
	struct evbuffer *b = evbuffer_new();

	if (b == NULL)
		fatal("evbuffer_new failed");
	metrics_render(b, http_nconns);
	http_reply(req, 200, "text/plain; version=0.0.4; charset=utf-8", b);
	evbuffer_free(b);
}

static void
http_healthz(struct evhttp_request *req, const char *query)
{
	if (D->shutting_down)
		http_text(req, 503, "stopping\n");
	else
		http_text(req, 200, "ok\n");
}

/* /readyz: at the heads; /readyz?requires=REV: at or beyond REV. */
static void
http_readyz(struct evhttp_request *req, const char *query)
{
	struct evkeyvalq q;
	const char *rev = NULL;
	char text[512];
	int code;

	TAILQ_INIT(&q);
	if (query != NULL && evhttp_parse_query_str(query, &q) < 0) {
		http_text(req, 400, "bad query\n");
		return;
	}
	rev = evhttp_find_header(&q, "requires");
	if (rev != NULL && (*rev == '\0' || strlen(rev) > 64))
		code = 400, snprintf(text, sizeof text, "bad revision\n");
	else
		code = requires_ready(rev, text, sizeof text);
	http_text(req, code, text);
	evhttp_clear_headers(&q);
}

static const struct {
	const char *path;
	void (*fn)(struct evhttp_request *, const char *);
} http_routes[] = {
	{ "/metrics", http_metrics },
	{ "/healthz", http_healthz },
	{ "/readyz", http_readyz },
};

static void
http_on_request(struct evhttp_request *req, void *arg)
{
	const struct evhttp_uri *uri = evhttp_request_get_evhttp_uri(req);
	const char *path = uri != NULL ? evhttp_uri_get_path(uri) : NULL;
	size_t i;

	for (i = 0; path != NULL && i < ARRAY_LEN(http_routes); i++) {
		if (strcmp(path, http_routes[i].path) == 0) {
			http_routes[i].fn(req, evhttp_uri_get_query(uri));
			return;
		}
	}
	http_text(req, 404, "not found: try /metrics, /healthz or "
	    "/readyz\n");
}

static int
http_bind(const char *addr)
{
	struct sockaddr_storage ss;
	int len = sizeof ss, r;

	memset(&ss, 0, sizeof ss);
	if (evutil_parse_sockaddr_port(addr, (struct sockaddr *)&ss,
	    &len) < 0) {
		log_error("http_listen = '%s': not ADDRESS:PORT", addr);
		return -EINVAL;
	}
	http_listener = evconnlistener_new_bind(D->base, NULL, NULL,
	    LEV_OPT_CLOSE_ON_FREE | LEV_OPT_REUSEABLE | LEV_OPT_CLOSE_ON_EXEC,
	    HTTP_BACKLOG, (struct sockaddr *)&ss, len);
	if (http_listener == NULL) {
		r = -errno;
		return log_errno(LOG_LVL_ERROR, r, "http_listen = '%s' (%s): "
		    "cannot listen", addr, settings_source(&D->cfg,
		    "http_listen"));
	}
	if (evhttp_bind_listener(http, http_listener) == NULL)
		fatal("evhttp_bind_listener failed");
	return 0;
}

int
http_start(void)
{
	const char *addr = D->cfg.http_listen;
	int r;

	metrics_init();
	if (addr == NULL)
		return 0;
	if ((http = evhttp_new(D->base)) == NULL)
		fatal("evhttp_new failed");
	http_ev_attach = event_new(D->base, -1, 0, http_on_attach, NULL);
	if (http_ev_attach == NULL)
		fatal("event_new failed");
	evhttp_set_allowed_methods(http, EVHTTP_REQ_GET | EVHTTP_REQ_HEAD);
	evhttp_set_max_headers_size(http, HTTP_MAX_HEADERS);
	evhttp_set_max_body_size(http, HTTP_MAX_BODY);
	evhttp_set_timeout(http, HTTP_IDLE_TIMEOUT);
	evhttp_set_bevcb(http, http_on_accept, NULL);
	evhttp_set_gencb(http, http_on_request, NULL);
	if ((r = http_bind(addr)) < 0) {
		http_stop();
		return r;
	}
	log_info("http: listening on %s (/metrics, /healthz, /readyz)",
	    addr);
	return 0;
}

void
http_stop(void)
{
	struct http_conn *hc;

	if (http != NULL)
		evhttp_free(http);	/* closes connections: http_on_close */
	http = NULL;
	http_listener = NULL;		/* freed by evhttp_free */
	http_paused = false;
	while ((hc = LIST_FIRST(&http_conns)) != NULL) {
		if (hc->evcon == NULL)
			bufferevent_decref(hc->bev);
		http_conn_free(hc);
	}
	if (http_ev_attach != NULL)
		event_free(http_ev_attach);
	http_ev_attach = NULL;
}

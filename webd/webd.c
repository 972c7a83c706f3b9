/*
 * webd: the only process that faces the network.  This file holds its
 * start-up and reload: the TLS context and the CSRF key from the
 * parent's blobs, connections on the listening socket the parent passed,
 * and the answers from dbd.
 */
#include <stdio.h>
#include <unistd.h>

#include "blob.h"
#include "child.h"
#include "log.h"
#include "sandbox.h"
#include "webd.h"

static int	listen_fd = -1;

const struct msg_conf_webd *
webd_conf(void)
{
	return child_conf();
}

static int
webd_fd(uint32_t type, int fd)
{
	if (listen_fd != -1)
		return -1;
	listen_fd = fd;
	return 0;
}

static SSL_CTX *
webd_tls(void)
{
	const struct msg_conf_webd	*conf = webd_conf();
	SSL_CTX				*ctx;
	char				 err[PROTO_ERR_MAX];

	if (!proto_str_ok(conf->tls_groups, sizeof(conf->tls_groups))) {
		log_warnx("malformed tls groups");
		return NULL;
	}
	if ((ctx = tls_ctx_new(conf->tls_groups, err, sizeof(err))) == NULL)
		log_warnx("TLS: %s", err);
	return ctx;
}

static int
webd_prepare(struct event_base *base)
{
	SSL_CTX	*ctx;

	if (listen_fd == -1) {
		log_warnx("no listening socket");
		return -1;
	}
	if ((ctx = webd_tls()) == NULL)
		return -1;
	if (csrf_init() == -1) {
		log_warnx("no usable CSRF key (16 bytes at least)");
		return -1;
	}
	db_init(base);
	if (conn_init(base, listen_fd, ctx) == -1) {
		log_warnx("HTTP set-up failed");
		return -1;
	}
	return 0;
}

static void
webd_start(struct event_base *base)
{
	conn_start();
}

/* SIGHUP: the parent sent the blobs again; open connections keep theirs. */
static int
webd_reload(void)
{
	SSL_CTX	*ctx;

	if ((ctx = webd_tls()) == NULL || csrf_init() == -1) {
		SSL_CTX_free(ctx);
		blob_wipe_all();
		return -1;
	}
	conn_set_ctx(ctx);
	conn_set_conf();
	log_info("TLS context, client CA and CRL reloaded");
	return 0;
}

static int
webd_dispatch(struct imsg *imsg, enum proc_id from)
{
	switch (imsg->hdr.type) {
	case MSG_DB_RESP:
		return db_answer(imsg->data, imsg->datalen);
	case MSG_PROCS:
		return procs_answer(imsg->data, imsg->datalen);
	default:
		return -1;
	}
}

static void
webd_state(char *buf, size_t len)
{
	char	pages[96];

	pages_state(pages, sizeof(pages));
	(void)snprintf(buf, len, "%d connections of %u; %s", conn_count(),
	    webd_conf()->max_connections, pages);
}

static const struct child_ops webd_ops = {
	.role = PROC_WEBD,
	.policy = &webd_sandbox,
	.blob_kinds = 1U << BLOB_TLS_CERT | 1U << BLOB_TLS_KEY |
	    1U << BLOB_CLIENT_CA | 1U << BLOB_CLIENT_CRL | 1U << BLOB_CSRF_KEY,
	.blob = blob_keep,
	.fd = webd_fd,
	.prepare = webd_prepare,
	.start = webd_start,
	.reload = webd_reload,
	.dispatch = webd_dispatch,
	.state = webd_state,
};

int
main(int argc, char *argv[])
{
	child_main(&webd_ops, argc, argv);
}

/*
 * webload: a TLS 1.3 HTTP/1.1 load generator with a client certificate,
 * offering one P-384 key share up front (no HelloRetryRequest), for
 * bench/web.sh and the slow-client tests.  One thread, non-blocking
 * sockets, poll(2).
 *
 *   webload [options] hs   PATH   full handshakes: connect, GET, close
 *   webload [options] ka   PATH   keep-alive GETs on -c connections
 *   webload [options] slow PATH   -c connections that send one header
 *                                 byte a second while a probe times a
 *                                 normal request (new connection) every
 *                                 200 ms
 * Options: -a ADDR (127.0.0.1) -P PORT (8443) -C CERT -K KEY
 *          -c CONNECTIONS (8) -t SECONDS (5) -p PID[,PID...] (server
 *          processes whose CPU time is reported) -g GROUPS (P-384)
 * Prints "name value" lines: count, rate, client and server CPU.
 */
#include <sys/resource.h>
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <openssl/err.h>
#include <openssl/ssl.h>

#define MAXCONN		4096
#define RBUF		(256 * 1024)

enum state { CONNECTING, HANDSHAKE, SENDING, RECEIVING, DRIPPING, DEAD };

struct cl {
	int		 fd;
	SSL		*ssl;
	enum state	 st;
	int		 probe;		/* slow mode: the timed client */
	size_t		 sent;
	size_t		 have;		/* bytes of the current answer */
	size_t		 need;		/* header + Content-Length, once known */
	double		 t0;		/* the request began */
	double		 next;		/* dripping: next byte due */
};

static struct sockaddr_in	 addr;
static SSL_CTX			*ctx;
static const char		*path = "/";
static char			 req_keep[512], req_close[512];
static const char		*mode;
static struct cl		 cls[MAXCONN];
static int			 nconn = 8;
static char			 rbuf[RBUF];
static long			 done_count, errors, closed_by_server;
static double			 lat_max, lat_sum;
static long			 lat_n;
static int			 handshaken;

static double
now(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double
cpu_self(void)
{
	struct rusage	ru;

	getrusage(RUSAGE_SELF, &ru);
	return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* utime + stime of the given processes, in seconds. */
static double
cpu_pids(const char *pids)
{
	char		 path_[64], line[1024], *p, *list, *save = NULL, *tok;
	unsigned long	 ut, st;
	double		 sum = 0;
	FILE		*f;
	int		 i;

	if (pids == NULL || (list = strdup(pids)) == NULL)
		return 0;
	for (tok = strtok_r(list, ",", &save); tok != NULL;
	    tok = strtok_r(NULL, ",", &save)) {
		snprintf(path_, sizeof(path_), "/proc/%s/stat", tok);
		if ((f = fopen(path_, "r")) == NULL)
			continue;
		if (fgets(line, sizeof(line), f) != NULL &&
		    (p = strrchr(line, ')')) != NULL) {
			/* fields 14 and 15, counted after "pid (comm)" */
			for (i = 0; i < 12 && p != NULL; i++)
				p = strchr(p + 1, ' ');
			if (p != NULL && sscanf(p, " %lu %lu", &ut, &st) == 2)
				sum += (double)(ut + st) / sysconf(_SC_CLK_TCK);
		}
		fclose(f);
	}
	free(list);
	return sum;
}

static void
cl_close(struct cl *c)
{
	if (c->ssl != NULL)
		SSL_free(c->ssl);
	if (c->fd != -1)
		close(c->fd);
	c->ssl = NULL;
	c->fd = -1;
	c->st = DEAD;
}

static int
cl_open(struct cl *c)
{
	int	one = 1;

	c->have = c->need = c->sent = 0;
	if ((c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0)) == -1)
		return -1;
	(void)setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if ((c->ssl = SSL_new(ctx)) == NULL || SSL_set_fd(c->ssl, c->fd) != 1)
		return -1;
	SSL_set_connect_state(c->ssl);
	c->t0 = now();
	if (connect(c->fd, (struct sockaddr *)&addr, sizeof(addr)) == -1 &&
	    errno != EINPROGRESS)
		return -1;
	c->st = CONNECTING;
	return 0;
}

/* The answer is complete once its head and Content-Length bytes are in. */
static int
cl_answer(struct cl *c, const char *buf, size_t n)
{
	const char	*end, *cl;

	if (c->need == 0) {
		if (c->have + n > sizeof(rbuf))
			return -1;
		memmove(rbuf + c->have, buf, n);
		c->have += n;
		rbuf[c->have] = '\0';
		if ((end = strstr(rbuf, "\r\n\r\n")) == NULL)
			return 0;
		if (strncmp(rbuf, "HTTP/1.1 200", 12) != 0)
			errors++;
		if ((cl = strcasestr(rbuf, "\r\nContent-Length:")) == NULL ||
		    cl > end)
			return -1;
		c->need = (size_t)(end + 4 - rbuf) + strtoul(cl + 17, NULL, 10);
		return c->have >= c->need;
	}
	c->have += n;
	return c->have >= c->need;
}

static void
cl_finished(struct cl *c)
{
	double	lat = now() - c->t0;

	done_count += c->probe || strcmp(mode, "slow") != 0;
	if (c->probe) {
		lat_sum += lat;
		lat_n++;
		if (lat > lat_max)
			lat_max = lat;
	}
}

/* Advance one client as far as it goes without blocking. */
static void
cl_step(struct cl *c, double deadline)
{
	const char	*req;
	char		 buf[16384];
	int		 n, e, err;
	socklen_t	 len = sizeof(e);

	for (;;) {
		switch (c->st) {
		case CONNECTING:
			if (getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &e, &len)
			    == -1 || e != 0) {
				if (e == EINPROGRESS)
					return;
				goto fail;
			}
			c->st = HANDSHAKE;
			break;
		case HANDSHAKE:
			if ((n = SSL_do_handshake(c->ssl)) != 1) {
				err = SSL_get_error(c->ssl, n);
				if (err == SSL_ERROR_WANT_READ ||
				    err == SSL_ERROR_WANT_WRITE)
					return;
				goto fail;
			}
			handshaken++;
			c->sent = 0;
			c->st = strcmp(mode, "slow") == 0 && !c->probe ?
			    DRIPPING : SENDING;
			c->next = now();
			break;
		case DRIPPING:
			/* "GET / HTTP/1.1\r\nHost: x\r\nX:..." a byte a second */
			if (now() < c->next)
				return;
			req = req_keep;
			buf[0] = c->sent < strlen(req) - 4 ? req[c->sent] : 'x';
			if ((n = SSL_write(c->ssl, buf, 1)) <= 0) {
				err = SSL_get_error(c->ssl, n);
				if (err == SSL_ERROR_WANT_WRITE ||
				    err == SSL_ERROR_WANT_READ)
					return;
				closed_by_server++;
				cl_close(c);
				return;
			}
			c->sent++;
			c->next += 1.0;
			return;
		case SENDING:
			req = strcmp(mode, "ka") == 0 ? req_keep : req_close;
			if ((n = SSL_write(c->ssl, req + c->sent,
			    (int)(strlen(req) - c->sent))) <= 0) {
				err = SSL_get_error(c->ssl, n);
				if (err == SSL_ERROR_WANT_WRITE ||
				    err == SSL_ERROR_WANT_READ)
					return;
				goto fail;
			}
			c->sent += (size_t)n;
			if (c->sent == strlen(req)) {
				c->st = RECEIVING;
				c->have = c->need = 0;
			}
			break;
		case RECEIVING:
			if ((n = SSL_read(c->ssl, buf, sizeof(buf))) <= 0) {
				err = SSL_get_error(c->ssl, n);
				if (err == SSL_ERROR_WANT_READ ||
				    err == SSL_ERROR_WANT_WRITE)
					return;
				goto fail;
			}
			if ((e = cl_answer(c, buf, (size_t)n)) == -1)
				goto fail;
			if (e == 0)
				break;
			cl_finished(c);
			if (now() >= deadline) {
				cl_close(c);
				return;
			}
			if (strcmp(mode, "ka") == 0) {
				c->st = SENDING;
				c->sent = 0;
				c->t0 = now();
				break;
			}
			cl_close(c);
			if (c->probe)
				return;		/* the next probe is timed */
			if (cl_open(c) == -1)
				goto fail;
			break;
		case DEAD:
			return;
		}
	}
fail:
	errors++;
	ERR_clear_error();
	cl_close(c);
	if (now() < deadline && strcmp(mode, "slow") != 0 && cl_open(c) == -1)
		cl_close(c);
}

static void
usage(void)
{
	fprintf(stderr, "usage: webload [-a addr] [-P port] -C cert -K key "
	    "[-c conns] [-t secs] [-p pids] [-g groups] hs|ka|slow path\n");
	exit(2);
}

int
main(int argc, char *argv[])
{
	static struct pollfd	 pfd[MAXCONN + 1];
	const char		*cert = NULL, *key = NULL, *pids = NULL;
	const char		*groups = "P-384";
	double			 secs = 5, t0, deadline, c0, s0, el, next_probe;
	double			 t_in = 0;
	int			 ch, i, n, slow;
	struct cl		*probe;

	addr.sin_family = AF_INET;
	addr.sin_port = htons(8443);
	addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	while ((ch = getopt(argc, argv, "a:P:C:K:c:t:p:g:")) != -1) {
		switch (ch) {
		case 'a':
			if (inet_pton(AF_INET, optarg, &addr.sin_addr) != 1)
				usage();
			break;
		case 'P': addr.sin_port = htons((uint16_t)atoi(optarg)); break;
		case 'C': cert = optarg; break;
		case 'K': key = optarg; break;
		case 'c': nconn = atoi(optarg); break;
		case 't': secs = atof(optarg); break;
		case 'p': pids = optarg; break;
		case 'g': groups = optarg; break;
		default: usage();
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 2 || cert == NULL || key == NULL || nconn < 1 ||
	    nconn >= MAXCONN || secs <= 0)
		usage();
	mode = argv[0];
	path = argv[1];
	slow = strcmp(mode, "slow") == 0;
	if (!slow && strcmp(mode, "hs") != 0 && strcmp(mode, "ka") != 0)
		usage();
	snprintf(req_keep, sizeof(req_keep), "GET %s HTTP/1.1\r\nHost: "
	    "127.0.0.1\r\n\r\n", path);
	snprintf(req_close, sizeof(req_close), "GET %s HTTP/1.1\r\nHost: "
	    "127.0.0.1\r\nConnection: close\r\n\r\n", path);

	/* The server's settings: TLS 1.3, one suite, one key share. */
	if ((ctx = SSL_CTX_new(TLS_client_method())) == NULL ||
	    SSL_CTX_set_min_proto_version(ctx, TLS1_3_VERSION) != 1 ||
	    SSL_CTX_set_ciphersuites(ctx, "TLS_AES_256_GCM_SHA384") != 1 ||
	    SSL_CTX_set1_groups_list(ctx, groups) != 1 ||
	    SSL_CTX_use_certificate_chain_file(ctx, cert) != 1 ||
	    SSL_CTX_use_PrivateKey_file(ctx, key, SSL_FILETYPE_PEM) != 1) {
		ERR_print_errors_fp(stderr);
		return 1;
	}
	SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
	SSL_CTX_set_session_cache_mode(ctx, SSL_SESS_CACHE_OFF);

	for (i = 0; i < nconn; i++) {
		cls[i].fd = -1;
		if (cl_open(&cls[i]) == -1) {
			perror("connect");
			return 1;
		}
	}
	probe = &cls[nconn];
	probe->fd = -1;
	probe->probe = 1;
	probe->st = DEAD;

	t0 = now();
	c0 = cpu_self();
	s0 = cpu_pids(pids);
	deadline = t0 + secs;
	next_probe = t0 + 1.0;
	for (;;) {
		double	tnow = now();
		int	live = 0;

		if (tnow >= deadline + (slow ? 0 : 5))
			break;
		/*
		 * Slow mode: probes start a second after the slow ones are in
		 * (the server has verified their certificates by then), or
		 * after 3 s when some of them cannot get in.
		 */
		if (slow && t_in == 0 && (handshaken >= nconn ||
		    tnow >= t0 + 2))
			t_in = tnow;
		if (slow && probe->st == DEAD && t_in > 0 &&
		    tnow >= t_in + 1 && tnow >= next_probe && tnow < deadline) {
			if (cl_open(probe) == -1)
				return 1;
			next_probe = tnow + 0.2;
		}
		for (i = 0; i <= nconn; i++) {
			pfd[i].fd = -1;
			pfd[i].events = 0;
			if (cls[i].st == DEAD)
				continue;
			live++;
			pfd[i].fd = cls[i].fd;
			pfd[i].events = cls[i].st == CONNECTING ? POLLOUT :
			    POLLIN | (cls[i].st == SENDING ? POLLOUT : 0);
			if (cls[i].st == HANDSHAKE && SSL_want_write(cls[i].ssl))
				pfd[i].events |= POLLOUT;
		}
		if (live == 0 && (!slow || tnow >= deadline))
			break;
		if (poll(pfd, (nfds_t)(nconn + 1), slow ? 50 : 100) == -1 &&
		    errno != EINTR)
			return 1;
		for (i = 0; i <= nconn; i++) {
			if (cls[i].st == DEAD)
				continue;
			if (cls[i].st == DRIPPING && (pfd[i].revents & POLLIN)) {
				/* the server closed it (timeout) */
				char b[256];
				int r = SSL_read(cls[i].ssl, b, sizeof(b));

				if (r <= 0 && SSL_get_error(cls[i].ssl, r) !=
				    SSL_ERROR_WANT_READ) {
					closed_by_server++;
					cl_close(&cls[i]);
					continue;
				}
			}
			if (pfd[i].revents != 0 || cls[i].st == DRIPPING)
				cl_step(&cls[i], deadline);
		}
	}
	el = now() - t0;
	if (el > secs && !slow)
		el = secs;
	printf("mode %s\nconnections %d\nseconds %.2f\ncount %ld\n"
	    "rate %.1f\nerrors %ld\nclient_cpu_ms_per_op %.3f\n", mode, nconn,
	    el, done_count, done_count / el, errors,
	    done_count > 0 ? (cpu_self() - c0) * 1000 / done_count : 0);
	if (pids != NULL)
		printf("server_cpu_ms_per_op %.3f\n", done_count > 0 ?
		    (cpu_pids(pids) - s0) * 1000 / done_count : 0);
	if (slow) {
		for (i = 0, n = 0; i < nconn; i++)
			n += cls[i].st == DRIPPING;
		printf("handshaken %d\nstill_open %d\nclosed_by_server %ld\n"
		    "probes %ld\nprobe_max_ms %.1f\nprobe_avg_ms %.1f\n",
		    handshaken, n, closed_by_server, lat_n, lat_max * 1000,
		    lat_n > 0 ? lat_sum * 1000 / lat_n : 0);
	}
	return 0;
}

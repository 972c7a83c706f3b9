#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "proto.h"

static int		 log_foreground = 1;
static int		 log_verbose;
static const char	*log_procname = "trunkd";
static log_sink_fn	 log_sink;
/* Held foreground lines: one write() for a burst instead of one each. */
static char		 log_buf[16 * 1024];
static size_t		 log_buflen;
static int		 log_buffered;

void
log_init(int foreground, int verbose, const char *procname)
{
	log_foreground = foreground;
	log_verbose = verbose;
	log_procname = procname;
	if (!foreground)
		openlog("trunkd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
	tzset();
}

void
log_set_sink(log_sink_fn sink)
{
	log_sink = sink;
}

void
log_set_procname(const char *name)
{
	log_procname = name;
}

int
log_get_verbose(void)
{
	return log_verbose;
}

void
log_buffer(void)
{
	if (log_buffered || !log_foreground)
		return;
	log_buffered = 1;
	(void)atexit(log_flush);
}

void
log_flush(void)
{
	size_t	off = 0;
	ssize_t	n;
	int	saved = errno;

	while (off < log_buflen) {
		n = write(STDERR_FILENO, log_buf + off, log_buflen - off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0)
			break;		/* nowhere to report it */
		off += (size_t)n;
	}
	log_buflen = 0;
	errno = saved;
}

/* Hold "procname: line\n", writing out what is held if it does not fit. */
static int
log_hold(const char *procname, const char *line)
{
	size_t	room;
	int	n, tries;

	for (tries = 0; tries < 2; tries++) {
		room = sizeof(log_buf) - log_buflen;
		n = snprintf(log_buf + log_buflen, room, "%s: %s\n", procname,
		    line);
		if (n >= 0 && (size_t)n < room) {
			log_buflen += (size_t)n;
			return 0;
		}
		log_flush();
	}
	return -1;
}

void
log_emit(int priority, const char *procname, const char *line)
{
	if (!log_foreground)
		syslog(priority, "%s: %s", procname, line);
	else if (!log_buffered || log_hold(procname, line) == -1)
		/* stderr is a terminal or the test's log: one line each. */
		dprintf(STDERR_FILENO, "%s: %s\n", procname, line);
	else if (priority <= LOG_CRIT)
		log_flush();
}

/* Format one line and send it to the sink or to syslog/stderr. */
static void
vlog(int priority, int saved_errno, const char *fmt, va_list ap)
{
	char	line[PROTO_LOG_MAX];
	int	n;

	if (priority == LOG_DEBUG && !log_verbose)
		return;
	/* A line longer than a LOG message is cut, never overflowed. */
	n = vsnprintf(line, sizeof(line), fmt, ap);
	if (saved_errno != 0 && n >= 0 && (size_t)n < sizeof(line))
		(void)snprintf(line + n, sizeof(line) - n, ": %s",
		    strerror(saved_errno));
	if (log_sink != NULL)
		log_sink(priority, line);
	else
		log_emit(priority, log_procname, line);
}

#define LOG_BODY(priority, saved) do {					\
	va_list	ap;							\
	va_start(ap, fmt);						\
	vlog((priority), (saved), fmt, ap);				\
	va_end(ap);							\
} while (0)

void
log_warn(const char *fmt, ...)
{
	int	saved = errno;

	LOG_BODY(LOG_ERR, saved);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_ERR, 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	int	saved = errno;

	LOG_BODY(LOG_CRIT, saved);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_CRIT, 0);
	exit(1);
}

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
log_emit(int priority, const char *procname, const char *line)
{
	if (log_foreground) {
		/* stderr is a terminal or the test's log: one line each. */
		dprintf(STDERR_FILENO, "%s: %s\n", procname, line);
	} else
		syslog(priority, "%s: %s", procname, line);
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

/*
 * Logging in the OpenBSD daemons' way.  The parent logs to syslog and, in
 * the foreground, to stderr; a child hands every line to a sink that sends
 * it to the parent (children have no syslog socket in their chroot).
 */
#ifndef TRUNKD_LOG_H
#define TRUNKD_LOG_H

#include <stdarg.h>

typedef void	(*log_sink_fn)(int priority, const char *line);

void	log_init(int foreground, int verbose, const char *procname);
void	log_set_sink(log_sink_fn);
void	log_set_procname(const char *);
int	log_get_verbose(void);
/* Emit a finished line as a given process (the parent, for children). */
void	log_emit(int priority, const char *procname, const char *line);
/*
 * Foreground only: hold lines in a buffer until log_flush(), which the
 * caller runs before it sleeps; LOG_CRIT and worse, a full buffer and
 * exit() flush at once.  Syslog is not affected.
 */
void	log_buffer(void);
void	log_flush(void);

void	log_warn(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_warnx(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_info(const char *, ...) __attribute__((format(printf, 1, 2)));
void	log_debug(const char *, ...) __attribute__((format(printf, 1, 2)));
void	fatal(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
void	fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));

#endif /* TRUNKD_LOG_H */

/*
 * trunkd, the parent: reads the configuration and the secrets, opens the
 * sockets, starts the four children, routes their messages and stops
 * everything when any of them dies.  It parses no network input.
 */
#include <sys/stat.h>

#include <err.h>
#include <errno.h>
#include <event2/event.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "parent.h"
#include "util.h"

struct trunkd	*env;

static __attribute__((noreturn)) void
usage(void)
{
	fprintf(stderr, "usage: trunkd [-dnv] [-f file]\n");
	exit(1);
}

int
parent_reload(char *errbuf, size_t errlen)
{
	struct trunkd_conf	*nconf;
	enum proc_id		 id;
	const char		*why = NULL;

	if ((nconf = calloc(1, sizeof(*nconf))) == NULL) {
		(void)strlcpy(errbuf, "out of memory", errlen);
		return -1;
	}
	/* The parser writes to stderr itself: held lines go first. */
	log_flush();
	if (config_parse(env->conf->path, nconf, 1) == -1)
		why = "configuration has errors; old one kept";
	else if (config_check_secrets(nconf) == -1)
		why = "a key or secret file cannot be used; old configuration "
		    "kept";
	else if (strcmp(nconf->libexec, env->conf->libexec) != 0 ||
	    strcmp(nconf->web_listen, env->conf->web_listen) != 0 ||
	    nconf->web_port != env->conf->web_port ||
	    strcmp(nconf->control_socket, env->conf->control_socket) != 0)
		log_warnx("reload: listen address, control socket and libexec "
		    "take effect at the next start");
	if (why != NULL) {
		log_warnx("reload: %s", why);
		(void)strlcpy(errbuf, why, errlen);
		free(nconf);
		return -1;
	}
	free(env->conf);
	env->conf = nconf;
	FOREACH_CHILD(id)
		if (config_send(id, env->conf) == -1) {
			parent_shutdown(1, "reload: cannot configure %s",
			    proc_name(id));
			(void)strlcpy(errbuf, "reload failed", errlen);
			return -1;
		}
	log_info("configuration reloaded");
	return 0;
}

static void
signal_cb(evutil_socket_t sig, short what, void *arg)
{
	char	err[PROTO_ERR_MAX];

	switch (sig) {
	case SIGTERM:
	case SIGINT:
		parent_shutdown(0, "stopping on signal %d", (int)sig);
		break;
	case SIGHUP:
		(void)parent_reload(err, sizeof(err));
		break;
	case SIGCHLD:
		proc_reap();
		break;
	}
}

static void
parent_checks(void)
{
	struct stat	sb;
	enum proc_id	id;

	char		netns[CONF_PATH_MAX];

	if (geteuid() != 0)
		errx(1, "need root privileges");
	if (env->conf->fw_netns[0] != '\0') {
		(void)snprintf(netns, sizeof(netns), "/run/netns/%s",
		    env->conf->fw_netns);
		if (access(netns, R_OK) == -1)
			err(1, "firewall namespace %s (create it with "
			    "\"ip netns add %s\")", env->conf->fw_netns,
			    env->conf->fw_netns);
	}
	FOREACH_CHILD(id) {
		const char *dir = env->conf->role[id].chroot;

		if (stat(dir, &sb) == -1)
			err(1, "%s chroot %s", proc_name(id), dir);
		if (!S_ISDIR(sb.st_mode) || sb.st_uid != 0 ||
		    (sb.st_mode & 022) != 0)
			errx(1, "%s chroot %s must be a directory owned by root "
			    "and not writable by group or others",
			    proc_name(id), dir);
	}
}

int
main(int argc, char *argv[])
{
	const char	*path = CONF_DEFAULT_PATH;
	struct event	*sigs[4];
	int		 signums[] = { SIGTERM, SIGINT, SIGHUP, SIGCHLD };
	int		 c, checkonly = 0, foreground = 0, verbose = 0, r;
	size_t		 i;

	while ((c = getopt(argc, argv, "df:nv")) != -1) {
		switch (c) {
		case 'd':
			foreground = 1;
			break;
		case 'f':
			path = optarg;
			break;
		case 'n':
			checkonly = 1;
			break;
		case 'v':
			verbose++;
			break;
		default:
			usage();
		}
	}
	if (optind != argc)
		usage();

	if ((env = calloc(1, sizeof(*env))) == NULL ||
	    (env->conf = calloc(1, sizeof(*env->conf))) == NULL)
		err(1, NULL);
	env->foreground = foreground;
	env->verbose = verbose;
	env->listen_fd = -1;
	if (config_parse(path, env->conf, 1) == -1)
		exit(1);
	if (checkonly) {
		config_print(env->conf, stdout);
		fprintf(stderr, "configuration OK\n");
		exit(0);
	}
	parent_checks();
	if (config_check_secrets(env->conf) == -1)
		errx(1, "cannot start without the files above");

	log_init(foreground, verbose, "parent");
	log_buffer();
	if (!foreground && daemon(0, 0) == -1)
		fatal("daemon");
	env->start_time = monotime();
	if ((env->base = event_base_new()) == NULL)
		fatalx("event_base_new");
	(void)signal(SIGPIPE, SIG_IGN);
	for (i = 0; i < nitems(signums); i++) {
		sigs[i] = evsignal_new(env->base, signums[i], signal_cb, NULL);
		if (sigs[i] == NULL || evsignal_add(sigs[i], NULL) == -1)
			fatalx("signal set-up");
	}
	if ((env->listen_fd = listen_open(env->conf->web_listen,
	    env->conf->web_port)) == -1)
		fatalx("cannot open the console's socket");
	if (control_init(env->conf->control_socket) == -1)
		fatalx("cannot open the control socket");

	proc_start_all();
	log_info("trunkd started, pid %d", (int)getpid());
	/* One turn at a time: its log lines go out before the next wait. */
	do {
		log_flush();
	} while ((r = event_base_loop(env->base, EVLOOP_ONCE)) == 0 &&
	    !event_base_got_break(env->base));
	if (r == -1)
		fatalx("event loop failed");

	control_cleanup();
	log_info("trunkd stopped%s", env->exit_code != 0 ? " after a failure" :
	    "");
	for (i = 0; i < nitems(signums); i++)
		event_free(sigs[i]);
	return env->exit_code;
}

/*
 * Driver of the golden configuration cases.
 *   conftest [-p] file	parse (-p: with the permission check) and print
 *   conftest -r file	also print, parse the printout again and compare
 *   conftest -s file	config_check_file(), as the parent does for secrets
 */
#include <sys/types.h>

#include <err.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "parent/config.h"

static void
usage(void)
{
	fprintf(stderr, "usage: conftest [-p | -r | -s] file\n");
	exit(2);
}

/* parse -> print -> parse gives the same configuration */
static int
round_trip(const struct trunkd_conf *conf)
{
	struct trunkd_conf	*again;
	char			 tmp[] = "/tmp/conftest.XXXXXX";
	FILE			*fp;
	int			 fd, rv;

	if ((again = calloc(1, sizeof(*again))) == NULL)
		err(1, NULL);
	if ((fd = mkstemp(tmp)) == -1 || (fp = fdopen(fd, "w")) == NULL)
		err(1, "%s", tmp);
	config_print(conf, fp);
	if (fclose(fp) != 0)
		err(1, "%s", tmp);
	rv = config_parse(tmp, again, 0);
	(void)unlink(tmp);
	if (rv == 0) {
		memset(again->path, 0, sizeof(again->path));
		(void)strlcpy(again->path, conf->path, sizeof(again->path));
		rv = memcmp(conf, again, sizeof(*conf)) == 0 ? 0 : -1;
	}
	free(again);
	if (rv == -1)
		fprintf(stderr, "round trip: the printout reads back "
		    "differently\n");
	return rv;
}

int
main(int argc, char *argv[])
{
	struct trunkd_conf	*conf;
	char			 errbuf[PROTO_ERR_MAX];
	int			 ch, perms = 0, rt = 0, secret = 0;

	while ((ch = getopt(argc, argv, "prs")) != -1) {
		switch (ch) {
		case 'p':
			perms = 1;
			break;
		case 'r':
			rt = 1;
			break;
		case 's':
			secret = 1;
			break;
		default:
			usage();
		}
	}
	if (optind != argc - 1)
		usage();

	if (secret) {
		if (config_check_file(argv[optind], errbuf, sizeof(errbuf))
		    == -1) {
			fprintf(stderr, "%s\n", errbuf);
			return 1;
		}
		return 0;
	}
	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		err(1, NULL);
	if (config_parse(argv[optind], conf, perms) == -1) {
		free(conf);
		return 1;
	}
	config_print(conf, stdout);
	if (rt && round_trip(conf) == -1) {
		free(conf);
		return 1;
	}
	free(conf);
	return 0;
}

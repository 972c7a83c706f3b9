/*
 * `trunkctl setup`: prepares the host for the trunkd.conf it reads -- the
 * role users, the chroot directories, the secret files and a stand-in
 * server certificate -- then prints what only the operator can do.  It
 * never overwrites a file, so it can be run again at any time.
 */
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "parent/config.h"

#define USERADD		"/usr/sbin/useradd"
#define SECRET_BYTES	32	/* written as 64 hex digits */
#define ASTD_OUT_DIR	"conf"	/* astd/astd.h's ASTD_CONF_DIR */

static int	failed;		/* something could not be done */

static void
fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void
fail(const char *fmt, ...)
{
	va_list	ap;

	fprintf(stderr, "trunkctl setup: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	failed = 1;
}

static int
file_exists(const char *path)
{
	struct stat	sb;

	return lstat(path, &sb) == 0;
}

/* A system user with its own group, no home and no shell. */
static void
add_user(const char *user)
{
	char	 name[CONF_STR_MAX];
	char	*argv[] = { USERADD, "--system", "--user-group",
		    "--no-create-home", "--home-dir", "/nonexistent",
		    "--shell", "/usr/sbin/nologin", "--no-log-init",
		    "--comment", "trunkd role", name, NULL };
	pid_t	 pid;
	int	 status;

	(void)strlcpy(name, user, sizeof(name));
	switch (pid = fork()) {
	case -1:
		fail("fork: %s", strerror(errno));
		return;
	case 0:
		execv(argv[0], argv);
		warn("%s", argv[0]);
		_exit(127);
	}
	while (waitpid(pid, &status, 0) == -1)
		if (errno != EINTR) {
			fail("waitpid: %s", strerror(errno));
			return;
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		fail("%s %s failed", USERADD, name);
	else
		printf("added system user %s\n", name);
}

/* Every missing directory of `path`, owned by root with `mode`. */
static int
make_dirs(const char *path, mode_t mode)
{
	char	buf[CONF_PATH_MAX];
	size_t	i, len;

	if ((len = strlcpy(buf, path, sizeof(buf))) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, mode) == 0) {
			if (chown(buf, 0, 0) == -1 || chmod(buf, mode) == -1)
				return -1;
			printf("created %s (root, %04o)\n", buf,
			    (unsigned int)mode);
		} else if (errno != EEXIST)
			return -1;
		buf[i] = path[i];
	}
	return 0;
}

/* What trunkd's children check before they chroot: owned by root, 0755. */
static void
chroot_dir(const char *role, const char *dir)
{
	struct stat	sb;

	if (make_dirs(dir, 0755) == -1) {
		fail("%s chroot %s: %s", role, dir, strerror(errno));
		return;
	}
	if (lstat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		fail("%s chroot %s: not a directory", role, dir);
		return;
	}
	if (sb.st_uid == 0 && sb.st_gid == 0 && (sb.st_mode & 022) == 0)
		return;
	if (chown(dir, 0, 0) == -1 || chmod(dir, sb.st_mode & 07755) == -1)
		fail("%s chroot %s: %s", role, dir, strerror(errno));
	else
		printf("%s: now owned by root and not writable by group or "
		    "others\n", dir);
}

/*
 * astd writes Asterisk's include files to a directory of its own in its
 * chroot; Asterisk reads them through the directory's group, inherited by
 * set-group-ID.  Returns 1 when that group is Asterisk's.
 */
static int
astd_dir(const struct conf_role *r, char *dir, size_t len)
{
	struct group	*gr = getgrnam("asterisk");
	struct stat	 sb;
	gid_t		 gid = gr != NULL ? gr->gr_gid : r->gid;

	if ((size_t)snprintf(dir, len, "%s/%s", r->chroot, ASTD_OUT_DIR) >=
	    len) {
		fail("%s/%s: path too long", r->chroot, ASTD_OUT_DIR);
		return 0;
	}
	if (lstat(dir, &sb) == 0) {
		if (!S_ISDIR(sb.st_mode))
			fail("%s: not a directory", dir);
		else if (sb.st_uid != r->uid && chown(dir, r->uid, -1) == -1)
			fail("%s: %s", dir, strerror(errno));
		else if (sb.st_uid != r->uid)
			printf("%s: now owned by %s\n", dir, r->user);
		return gr != NULL && sb.st_gid == gr->gr_gid;
	}
	if (mkdir(dir, 0700) == -1 || chown(dir, r->uid, gid) == -1 ||
	    chmod(dir, 02750) == -1) {
		fail("%s: %s", dir, strerror(errno));
		return 0;
	}
	printf("created %s (%s, group %s, 2750)\n", dir, r->user,
	    gr != NULL ? "asterisk" : r->user);
	return gr != NULL;
}

/* The missing directories above a file, root only. */
static int
parent_dirs(const char *path)
{
	char	dir[CONF_PATH_MAX];

	if (path[0] == '\0')
		return 0;
	(void)strlcpy(dir, path, sizeof(dir));
	if (make_dirs(dirname(dir), 0700) == -1) {
		fail("%s: %s", dir, strerror(errno));
		return -1;
	}
	return 0;
}

/* A new file, root only; -1 if it exists or cannot be made. */
static int
create_file(const char *path, mode_t mode)
{
	int	fd;

	if (parent_dirs(path) == -1)
		return -1;
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, mode)) == -1) {
		fail("%s: %s", path, strerror(errno));
		return -1;
	}
	if (fchown(fd, 0, 0) == -1 || fchmod(fd, mode) == -1) {
		fail("%s: %s", path, strerror(errno));
		close(fd);
		(void)unlink(path);
		return -1;
	}
	return fd;
}

/*
 * A secret: 32 bytes from the kernel's CSPRNG as 64 hex digits, without a
 * newline, so that the same text works as a key file, in SQL and in
 * manager.conf.  An existing one is checked as trunkd will check it.
 */
static void
secret_file(const char *what, const char *path)
{
	uint8_t		rnd[SECRET_BYTES];
	char		hex[2 * SECRET_BYTES + 1], err[PROTO_ERR_MAX];
	size_t		i, len = 0;
	ssize_t		n;
	int		fd;

	if (path[0] == '\0')
		return;
	if (file_exists(path)) {
		if (config_check_file(path, err, sizeof(err)) == -1)
			fail("%s: %s", what, err);
		return;
	}
	while (len < sizeof(rnd)) {
		if ((n = getrandom(rnd + len, sizeof(rnd) - len, 0)) == -1) {
			if (errno == EINTR)
				continue;
			fail("getrandom: %s", strerror(errno));
			return;
		}
		len += (size_t)n;
	}
	for (i = 0; i < sizeof(rnd); i++)
		(void)snprintf(hex + 2 * i, 3, "%02x", rnd[i]);
	explicit_bzero(rnd, sizeof(rnd));
	if ((fd = create_file(path, 0600)) != -1) {
		if (write(fd, hex, strlen(hex)) != (ssize_t)strlen(hex) ||
		    fsync(fd) == -1) {
			fail("%s: %s", path, strerror(errno));
			(void)unlink(path);
		} else
			printf("created %s %s (root, 0600)\n", what, path);
		close(fd);
	}
	explicit_bzero(hex, sizeof(hex));
}

/* A self-signed certificate only when neither it nor its key exists. */
static int
server_cert(const struct trunkd_conf *conf)
{
	int	have_cert = file_exists(conf->tls_cert);
	int	have_key = file_exists(conf->tls_key);
	int	kfd, cfd;

	if (have_cert && have_key)
		return 0;
	if (have_cert || have_key) {
		fail("tls certificate %s and tls key %s: one exists without "
		    "the other", conf->tls_cert, conf->tls_key);
		return 0;
	}
	if ((kfd = create_file(conf->tls_key, 0600)) == -1)
		return 0;
	if ((cfd = create_file(conf->tls_cert, 0644)) == -1) {
		close(kfd);
		(void)unlink(conf->tls_key);
		return 0;
	}
	if (setup_cert_write(conf->web_listen, kfd, cfd) == -1) {
		fail("cannot make a server certificate");
		(void)unlink(conf->tls_key);
		(void)unlink(conf->tls_cert);
		return 0;
	}
	printf("created a self-signed certificate %s and its key %s\n",
	    conf->tls_cert, conf->tls_key);
	return 1;
}

static int
is_loopback(const char *addr)
{
	return strncmp(addr, "127.", 4) == 0 || strcmp(addr, "::1") == 0;
}

/* What only the operator can do; secrets are named by file, never shown. */
static void
print_todo(const struct trunkd_conf *c, int self_signed, const char *astdir,
    int ast_group)
{
	const char	*from = is_loopback(c->db_host) ? c->db_host : "%";
	int		 n = 0;

	printf("\nStill to do by hand:\n");
	if (!file_exists(c->db_tls_ca))
		printf("\n%d. Copy the CA of the MariaDB server's certificate "
		    "to\n   %s (owned by root, mode 0644).\n", ++n,
		    c->db_tls_ca);
	if (!file_exists(c->tls_client_ca))
		printf("\n%d. Create the administrators' CA (%s):\n"
		    "   trunkctl ca init\n", ++n, c->tls_client_ca);
	if (self_signed)
		printf("\n%d. The server certificate %s\n   is self-signed: "
		    "replace it, and its key, with one the administrators'\n"
		    "   browsers trust.\n", ++n, c->tls_cert);

	/* The owner creates the schema and grants dbd's user (db init). */
	printf("\n%d. MariaDB, as its administrator (the passwords are read "
	    "from the files):\n"
	    "   mariadb -e \"CREATE DATABASE IF NOT EXISTS %s\"\n", ++n,
	    c->db_name);
	if (c->db_owner_user[0] != '\0')
		printf("   mariadb -e \"CREATE USER '%s'@'%s' IDENTIFIED BY "
		    "'$(cat %s)' REQUIRE SSL\"\n"
		    "   mariadb -e \"GRANT ALL PRIVILEGES ON %s.* TO '%s'@'%s' "
		    "WITH GRANT OPTION\"\n", c->db_owner_user, from,
		    c->db_owner_password_file, c->db_name, c->db_owner_user,
		    from);
	printf("   mariadb -e \"CREATE USER '%s'@'%s' IDENTIFIED BY "
	    "'$(cat %s)' REQUIRE SSL\"\n", c->db_user, from,
	    c->db_password_file);
	if (strcmp(from, "%") == 0)
		printf("   (\"%%\": better this host's address as MariaDB "
		    "sees it)\n");
	if (c->db_owner_user[0] != '\0')
		printf("   Then create the schema and grant %s its rights:\n"
		    "   trunkctl db init\n", c->db_user);
	else
		printf("   trunkctl db init, which creates the schema, needs an "
		    "\"owner\" in the\n   database block of the "
		    "configuration.\n");

	printf("\n%d. Asterisk: in manager.conf ([general] enabled = yes), "
	    "a user whose\n   secret is the content of %s:\n"
	    "   [%s]\n   secret = ...\n   deny = 0.0.0.0/0.0.0.0\n"
	    "   permit = %s\n   read = security\n   write = system\n",
	    ++n, c->ami_secret_file, c->ami_user,
	    is_loopback(c->ami_host) ? "127.0.0.1/255.255.255.255" :
	    "(this host's address)");
	printf("   In pjsip.conf and extensions.conf:\n"
	    "   #include \"%s/pjsip_trunkd.conf\"\n"
	    "   #include \"%s/extensions_trunkd.conf\"\n", astdir, astdir);
	if (!ast_group)
		printf("   Asterisk reads them through the group of %s:\n"
		    "   chgrp asterisk %s   (once Asterisk is installed)\n",
		    astdir, astdir);

	printf("\n%d. Start trunkd (systemctl enable --now trunkd, or "
	    "/etc/init.d/trunkd start)\n   and add the first administrator:\n"
	    "   trunkctl admin add NAME --role superadmin\n", ++n);
}

static __attribute__((noreturn)) void
setup_usage(void)
{
	fprintf(stderr, "usage: trunkctl setup [-f file]\n");
	exit(1);
}

int
setup_main(int argc, char *argv[])
{
	struct trunkd_conf	*conf;
	const char		*path = CONF_DEFAULT_PATH;
	enum proc_id		 id;
	char			 astdir[CONF_PATH_MAX + 8];
	int			 c, added = 0, self_signed, ast_group;

	optind = 1;
	while ((c = getopt(argc, argv, "f:")) != -1) {
		switch (c) {
		case 'f':
			path = optarg;
			break;
		default:
			setup_usage();
		}
	}
	if (optind != argc)
		setup_usage();
	if ((conf = calloc(1, sizeof(*conf))) == NULL)
		err(1, NULL);
	umask(077);

	/* Read once for the user names, add those missing, read again. */
	config_users_later = 1;
	if (config_parse(path, conf, 1) == -1)
		errx(1, "%s: fix the configuration first", path);
	for (id = PROC_WEBD; id <= PROC_ASTD; id++)
		if (id != PROC_FWD && conf->role[id].uid == 0) {
			add_user(conf->role[id].user);
			added = 1;
		}
	config_users_later = 0;
	if (added && config_parse(path, conf, 1) == -1)
		errx(1, "%s: the users cannot be found", path);

	for (id = PROC_WEBD; id <= PROC_ASTD; id++)
		chroot_dir(proc_name(id), conf->role[id].chroot);
	secret_file("csrf key", conf->csrf_key);
	secret_file("data key", conf->db_data_key_file);
	secret_file("database password", conf->db_password_file);
	secret_file("database owner password", conf->db_owner_password_file);
	secret_file("AMI secret", conf->ami_secret_file);
	self_signed = server_cert(conf);
	/* where `trunkctl ca init` and the operator put the CAs */
	(void)parent_dirs(conf->tls_client_ca);
	(void)parent_dirs(conf->tls_crl);
	(void)parent_dirs(conf->db_tls_ca);

	ast_group = astd_dir(&conf->role[PROC_ASTD], astdir, sizeof(astdir));
	print_todo(conf, self_signed, astdir, ast_group);
	free(conf);
	if (failed)
		fprintf(stderr, "\ntrunkctl setup: some steps failed (see "
		    "above)\n");
	return failed;
}

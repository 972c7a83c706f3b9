/*
 * astd: Asterisk's side of trunkd.  Start-up (the output directory, the
 * AMI client, AutoBan), the messages from dbd and fwd, the status line.
 * apply.c turns exports into loaded configuration, ban.c bans, live.c
 * reports the trunks' state.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"
#include "ami.h"
#include "astd.h"
#include "blob.h"
#include "child.h"
#include "log.h"
#include "sandbox.h"
#include "util.h"
#include "writer.h"

struct astd	astd = { .dirfd = -1 };

void
jbuf_clear(struct jbuf *jb)
{
	free(jb->data);
	memset(jb, 0, sizeof(*jb));
}

int
jbuf_add(struct jbuf *jb, const void *msg, size_t msglen)
{
	const struct msg_ast_json	*m = msg;
	char				*n;

	if (msglen < MSG_AST_JSON_MIN || m->json_len > PROTO_AST_JSON_MAX ||
	    m->json_len > msglen - MSG_AST_JSON_MIN || m->last > 1)
		return -1;
	if (m->seq != jb->next_seq ||
	    (m->seq > 0 && m->generation != jb->generation) ||
	    jb->len + m->json_len > AFILE_MAX ||
	    memchr(m->json, '\0', m->json_len) != NULL) {
		jbuf_clear(jb);
		return -1;
	}
	if ((n = realloc(jb->data, jb->len + m->json_len + 1)) == NULL) {
		jbuf_clear(jb);
		return -1;
	}
	jb->data = n;
	memcpy(jb->data + jb->len, m->json, m->json_len);
	jb->len += m->json_len;
	jb->data[jb->len] = '\0';
	jb->generation = m->generation;
	jb->next_seq++;
	return m->last ? 1 : 0;
}

static void
astd_ami_state(int up, void *arg)
{
	live_ami(up);
	apply_ami(up);
}

static void
astd_ami_event(const struct ami_msg *m, void *arg)
{
	ban_event(m);
	live_event(m);
}

/*
 * The chroot is root's and not writable by us: the includes go to a
 * subdirectory of ours.  Created set-group-ID so that files inherit its
 * group: the operator gives it Asterisk's group (see README).
 */
static int
astd_output_dir(void)
{
	const struct msg_conf_sandbox	*sb = child_sandbox();
	char				 path[PROTO_PATH_MAX + 16];
	struct stat			 st;

	if (sb == NULL || snprintf(path, sizeof(path), "%s/%s", sb->chroot,
	    ASTD_CONF_DIR) >= (int)sizeof(path))
		return -1;
	if (mkdir(path, 02750) == 0) {
		if (chown(path, sb->uid, sb->gid) == -1 ||
		    chmod(path, 02750) == -1) {
			log_warn("%s", path);
			return -1;
		}
	} else if (errno != EEXIST) {
		log_warn("%s", path);
		return -1;
	}
	if ((astd.dirfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1 || fstat(astd.dirfd, &st) == -1) {
		log_warn("%s", path);
		return -1;
	}
	if (st.st_uid != sb->uid && fchown(astd.dirfd, sb->uid, -1) == -1) {
		log_warn("%s: owner", path);
		return -1;
	}
	if ((st.st_mode & S_IWOTH) != 0) {
		log_warnx("%s: writable by others", path);
		return -1;
	}
	return 0;
}

static int
astd_prepare(struct event_base *base)
{
	static const struct ami_callbacks cb = {
		.state = astd_ami_state,
		.event = astd_ami_event,
	};
	const uint8_t	*secret;
	size_t		 len;
	int		 rv;

	astd.base = base;
	astd.conf = child_conf();
	if (!proto_str_ok(astd.conf->ami_host, sizeof(astd.conf->ami_host)) ||
	    !proto_str_ok(astd.conf->ami_user, sizeof(astd.conf->ami_user)) ||
	    astd.conf->n_ignore_nets > PROTO_CONF_NETS) {
		log_warnx("malformed asterisk settings");
		return -1;
	}
	(void)umask(027);	/* the pjsip include holds carrier secrets */
	export_init();
	if (astd_output_dir() == -1)
		return -1;
	if ((secret = blob_get(BLOB_AMI_SECRET, &len)) == NULL) {
		log_warnx("no AMI secret");
		return -1;
	}
	while (len > 0 && (secret[len - 1] == '\n' || secret[len - 1] == '\r' ||
	    secret[len - 1] == ' '))
		len--;		/* a secret file ends with a newline */
	rv = ami_init(base, astd.conf->ami_host, astd.conf->ami_port,
	    astd.conf->ami_user, (const char *)secret, len, &cb);
	blob_wipe(BLOB_AMI_SECRET);
	if (rv == -1) {
		log_warnx("AMI settings refused (address literal, a secret "
		    "without line breaks)");
		return -1;
	}
	return ban_init() == -1 || live_init() == -1 ? -1 : 0;
}

/* Asterisk's #include of a missing file fails: start with empty ones. */
static void
astd_empty_includes(void)
{
	static const char *const f[2][2] = { { PJSIP_FILE, "pjsip.conf" },
	    { DIALPLAN_FILE, "extensions.conf" } };
	char	*buf, *old;
	size_t	 len;
	FILE	*fp;
	int	 i;

	for (i = 0; i < 2; i++) {
		if ((old = afile_read(astd.dirfd, f[i][0], &len)) != NULL) {
			freezero(old, len);
			continue;
		}
		if (errno != ENOENT || (fp = open_memstream(&buf, &len)) ==
		    NULL)
			continue;
		wr_header(fp, f[i][0], f[i][1]);
		fclose(fp);
		if (afile_replace(astd.dirfd, f[i][0], buf, len) == -1)
			log_warn("%s", f[i][0]);
		free(buf);
	}
}

static void
astd_start(struct event_base *base)
{
	astd_empty_includes();
	ban_start();
	ami_start();
}

static int
astd_reload(void)
{
	astd.conf = child_conf();
	ban_reconf();
	return 0;
}

static int
astd_dispatch(struct imsg *imsg, enum proc_id from)
{
	struct msg_ast_generation	g;

	switch (imsg->hdr.type) {
	case MSG_AST_GENERATION:
		memcpy(&g, imsg->data, sizeof(g));
		apply_generation(g.generation);
		return 0;
	case MSG_AST_EXPORT:
		return apply_export(imsg->data, imsg->datalen);
	case MSG_AST_HISTORY:
		return ban_history(imsg->data, imsg->datalen);
	case MSG_FW_RESULT:
		return ban_fw_result(imsg->data, imsg->datalen);
	default:
		return -1;
	}
}

static void
astd_state(char *buf, size_t len)
{
	char			 a[128], b[128];
	unsigned long long	 events, bad;
	unsigned int		 reconnects;

	ami_stats(&events, &bad, &reconnects);
	apply_state(a, sizeof(a));
	ban_state(b, sizeof(b));
	(void)snprintf(buf, len, "asterisk %s%s, %llu events, %s; %s",
	    ami_is_up() ? "connected " : "disconnected",
	    ami_is_up() ? ami_version() : "", events, a, b);
}

static const struct child_ops astd_ops = {
	.role = PROC_ASTD,
	.policy = &astd_sandbox,
	.blob_kinds = 1U << BLOB_AMI_SECRET,
	.blob = blob_keep,
	.prepare = astd_prepare,
	.start = astd_start,
	.reload = astd_reload,
	.dispatch = astd_dispatch,
	.state = astd_state,
};

int
main(int argc, char *argv[])
{
	child_main(&astd_ops, argc, argv);
}

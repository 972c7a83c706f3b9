/*
 * The Asterisk Manager Interface wire format, parsed incrementally and
 * within fixed bounds: the banner line, then blocks of "Key: Value" lines
 * (CRLF or LF) ended by a blank line.  Whatever arrives, in whatever
 * pieces, the parser neither crashes nor grows: an overlong line is cut
 * (the block is flagged truncated), fields beyond the block's budget are
 * dropped, a line that is not "Key: Value" is counted and skipped, and
 * control or non-ASCII bytes in values become '?'.
 */
#ifndef TRUNKD_ASTD_AMIPARSE_H
#define TRUNKD_ASTD_AMIPARSE_H

#include <stddef.h>
#include <stdint.h>

#define AMI_LINE_MAX	1024		/* bytes kept of one line */
#define AMI_MSG_MAX	16384		/* bytes kept of one block */
#define AMI_FIELDS_MAX	128
#define AMI_KEY_MAX	64

struct ami_field {
	const char	*key;
	const char	*val;
};

/* Valid during the callback only. */
struct ami_msg {
	size_t		 nfields;
	struct ami_field f[AMI_FIELDS_MAX];
	int		 truncated;
};

typedef void	(*ami_msg_cb)(const struct ami_msg *, void *);
typedef void	(*ami_banner_cb)(const char *version, void *);

struct ami_parser {
	ami_msg_cb	 on_msg;
	ami_banner_cb	 on_banner;
	void		*arg;
	int		 banner_done;
	char		 line[AMI_LINE_MAX + 1];
	size_t		 linelen;
	int		 line_cut;		/* skipping the rest of a line */
	char		 buf[AMI_MSG_MAX];	/* "key\0value\0"... */
	size_t		 used;
	size_t		 nfields;
	uint16_t	 koff[AMI_FIELDS_MAX];
	uint16_t	 voff[AMI_FIELDS_MAX];
	int		 truncated;
	int		 has_response;
	uint64_t	 n_msgs;
	uint64_t	 n_bad_lines;
	uint64_t	 n_truncated;
};

void	ami_parser_init(struct ami_parser *, ami_msg_cb, ami_banner_cb,
	    void *);
/* A new connection: expect a banner again, forget any partial block. */
void	ami_parser_reset(struct ami_parser *);
void	ami_parser_feed(struct ami_parser *, const char *, size_t);
/* A field's value by case-insensitive key, or NULL. */
const char *ami_get(const struct ami_msg *, const char *key);

#endif /* TRUNKD_ASTD_AMIPARSE_H */

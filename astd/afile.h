/*
 * Files in astd's output directory, by directory descriptor: read with a
 * bound, and replaced atomically (temporary file, fsync, rename, fsync
 * of the directory) only when the content differs.
 */
#ifndef TRUNKD_ASTD_AFILE_H
#define TRUNKD_ASTD_AFILE_H

#include <stddef.h>

#define AFILE_MAX	(16U * 1024 * 1024)

/* The whole file, NUL-terminated, or NULL (errno; ENOENT: missing,
 * EFBIG: over AFILE_MAX). */
char	*afile_read(int dirfd, const char *name, size_t *len);
/* 1 replaced, 0 already the same, -1 on error (errno set). */
int	 afile_replace(int dirfd, const char *name, const char *data,
	    size_t len);

#endif /* TRUNKD_ASTD_AFILE_H */

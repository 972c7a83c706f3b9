#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "afile.h"

char *
afile_read(int dirfd, const char *name, size_t *len)
{
	char	*buf = NULL, *nbuf;
	size_t	 cap = 0, n = 0;
	ssize_t	 r;
	int	 fd, saved;

	if ((fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) ==
	    -1)
		return NULL;
	for (;;) {
		if (n + 1 >= cap) {
			if (cap >= AFILE_MAX) {
				errno = EFBIG;
				goto fail;
			}
			cap = cap == 0 ? 8192 : cap * 2;
			if ((nbuf = realloc(buf, cap)) == NULL)
				goto fail;
			buf = nbuf;
		}
		if ((r = read(fd, buf + n, cap - n - 1)) == -1) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*len = n;
	return buf;
 fail:
	saved = errno;
	close(fd);
	free(buf);
	errno = saved;
	return NULL;
}

static int
afile_write_all(int fd, const char *data, size_t len)
{
	ssize_t	r;

	while (len > 0) {
		if ((r = write(fd, data, len)) == -1) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		data += r;
		len -= (size_t)r;
	}
	return 0;
}

int
afile_replace(int dirfd, const char *name, const char *data, size_t len)
{
	char	 tmp[256], *old;
	size_t	 oldlen;
	int	 fd, saved, same;

	if ((old = afile_read(dirfd, name, &oldlen)) != NULL) {
		same = oldlen == len && memcmp(old, data, len) == 0;
		free(old);
		if (same)
			return 0;
	} else if (errno != ENOENT)
		return -1;
	if (snprintf(tmp, sizeof(tmp), ".%s.tmp", name) >= (int)sizeof(tmp)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	/* A leftover of a crash is ours to remove. */
	if (unlinkat(dirfd, tmp, 0) == -1 && errno != ENOENT)
		return -1;
	if ((fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1)
		return -1;
	if (afile_write_all(fd, data, len) == -1 || fsync(fd) == -1) {
		saved = errno;
		close(fd);
		(void)unlinkat(dirfd, tmp, 0);
		errno = saved;
		return -1;
	}
	if (close(fd) == -1 || renameat(dirfd, tmp, dirfd, name) == -1) {
		saved = errno;
		(void)unlinkat(dirfd, tmp, 0);
		errno = saved;
		return -1;
	}
	/* The rename itself must survive a crash. */
	return fsync(dirfd) == -1 ? -1 : 1;
}

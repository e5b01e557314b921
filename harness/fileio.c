/*
 * fileio.c - see fileio.h.
 */
#include "fileio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int fileio_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/*
 * Not mkostemp: it makes the file 0600, and only open(2) with a mode gives
 * "0644 less the umask" without reading the umask (which cannot be read
 * without setting it).  Six characters of [a-z0-9] from the clock and the
 * pid, tried again on EEXIST, as mkostemp does.
 */
int fileio_tmp_open(const char *path, char *tmp, size_t tmp_len, unsigned flags)
{
	static const char chars[] = "abcdefghijklmnopqrstuvwxyz0123456789";
	struct timespec ts;
	uint64_t v;
	int fd = -1, tries;

	if ((size_t)snprintf(tmp, tmp_len, "%s.tmp.XXXXXX", path) >= tmp_len)
		return -ENAMETOOLONG;
	clock_gettime(CLOCK_REALTIME, &ts);
	v = (uint64_t)ts.tv_nsec ^ ((uint64_t)ts.tv_sec << 20) ^ ((uint64_t)getpid() << 40);
	for (tries = 0; tries < 100; tries++) {
		char *x = tmp + strlen(tmp);

		for (int i = 0; i < 6; i++) {
			*--x = chars[v % 36];
			v /= 36;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOCTTY | O_CLOEXEC, 0644);
		if (fd >= 0 || errno != EEXIST)
			break;
		v = v * 6364136223846793005ull + 1442695040888963407ull + (uint64_t)tries;
	}
	if (fd < 0)
		return -errno;
	/* fchmod: a results file is for everyone, whatever the umask. */
	if ((flags & FILEIO_MODE_0644) && fchmod(fd, 0644) < 0) {
		int rc = -errno;

		close(fd);
		unlink(tmp);
		return rc;
	}
	return fd;
}

int fileio_tmp_commit(int fd, const char *tmp, const char *path, const void *buf, size_t len)
{
	int rc = fileio_write_all(fd, buf, len);

	if (rc == 0 && fsync(fd) < 0)
		rc = -errno;
	if (close(fd) < 0 && rc == 0)
		rc = -errno;
	if (rc == 0 && rename(tmp, path) < 0)
		rc = -errno;
	if (rc < 0)
		unlink(tmp);
	return rc;
}

int fileio_replace(const char *path, const void *buf, size_t len, unsigned flags)
{
	char tmp[PATH_MAX + FILEIO_TMP_EXTRA];
	int fd = fileio_tmp_open(path, tmp, sizeof(tmp), flags);

	if (fd < 0)
		return fd;
	return fileio_tmp_commit(fd, tmp, path, buf, len);
}

/* A one-line reason into err (len bytes), as fileio_write_out reports. */
static void fileio_err(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fileio_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

/*
 * A FIFO or a character device is written into as it is: replacing it
 * with a regular file would destroy it (and /dev/stdout is how a script
 * asks for stdout by name).  A symlink is followed by hand when its target
 * does not exist yet, since realpath() fails then.
 */
int fileio_write_out(const char *path, const void *buf, size_t len, char *err, size_t errlen)
{
	char tmp[PATH_MAX], real[PATH_MAX];
	struct stat sb;
	int fd, rc = 0;

	if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode)) {
		if (S_ISDIR(sb.st_mode)) {
			fileio_err(err, errlen, "--out '%s' is a folder", path);
			return -EISDIR;
		}
		fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || (rc = fileio_write_all(fd, buf, len)) < 0) {
			rc = rc ? rc : -errno;
			fileio_err(err, errlen, "cannot write %s: %s", path, strerror(-rc));
			if (fd >= 0)
				close(fd);
			return rc;
		}
		if (close(fd) < 0) {
			rc = -errno;
			fileio_err(err, errlen, "cannot write %s: %s", path, strerror(-rc));
		}
		return rc;
	}
	/* Through a symlink: replace the file it names, not the link (which
	 * may name a file that does not exist yet). */
	if (realpath(path, real)) {
		path = real;
	} else if (lstat(path, &sb) == 0 && S_ISLNK(sb.st_mode)) {
		char target[PATH_MAX];
		ssize_t tl = readlink(path, target, sizeof(target) - 1);
		const char *slash = strrchr(path, '/');

		if (tl <= 0) {
			rc = -errno;
			fileio_err(err, errlen, "cannot follow %s: %s", path, strerror(errno));
			return rc ? rc : -EINVAL;
		}
		target[tl] = 0;
		if (target[0] == '/' || !slash)
			tl = snprintf(real, sizeof(real), "%s", target);
		else
			tl = snprintf(real, sizeof(real), "%.*s/%.*s", (int)(slash - path), path,
				      (int)(sizeof(real) / 2), target);
		if (tl < 0 || (size_t)tl >= sizeof(real)) {
			fileio_err(err, errlen, "%s: path too long", path);
			return -ENAMETOOLONG;
		}
		path = real;
	}
	if (strlen(path) + FILEIO_TMP_EXTRA >= sizeof(tmp)) {
		fileio_err(err, errlen, "%s: path too long", path);
		return -ENAMETOOLONG;
	}
	fd = fileio_tmp_open(path, tmp, sizeof(tmp), FILEIO_MODE_0644);
	if (fd < 0) {
		fileio_err(err, errlen, "cannot create %s: %s", path, strerror(-fd));
		return fd;
	}
	rc = fileio_tmp_commit(fd, tmp, path, buf, len);
	if (rc < 0)
		fileio_err(err, errlen, "cannot write %s: %s", path, strerror(-rc));
	return rc;
}

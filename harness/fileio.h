/*
 * fileio.h - writing files whole: every byte of a buffer to a descriptor,
 * a file replaced atomically (a temporary file next to it, fsync, rename),
 * so that a reader sees the old file or the new one, never half, and a
 * command's --out file written that way (or into a FIFO or device).
 */
#ifndef PRIMBENCH_FILEIO_H
#define PRIMBENCH_FILEIO_H

#include <stddef.h>

/* fileio_tmp_open flags: the new file is 0644 whatever the umask (without
 * it, 0644 less the umask, as open(2) makes a file). */
#define FILEIO_MODE_0644 1u
/* Bytes a temporary name adds to its path (".tmp." and six characters). */
#define FILEIO_TMP_EXTRA 11

/* write(2) all of buf to fd, again after EINTR and short writes.  0 or
 * -errno. */
int fileio_write_all(int fd, const void *buf, size_t len);
/* Create a new file "<path>.tmp.XXXXXX" in path's folder (its name into
 * tmp, which holds tmp_len bytes) for writing.  The descriptor, or -errno
 * (-ENAMETOOLONG when the name does not fit in tmp). */
int fileio_tmp_open(const char *path, char *tmp, size_t tmp_len, unsigned flags);
/* Write buf to fd (from fileio_tmp_open), fsync, close, and rename tmp to
 * path.  0 or -errno; fd is closed and tmp removed in every case of error. */
int fileio_tmp_commit(int fd, const char *tmp, const char *path, const void *buf, size_t len);
/* fileio_tmp_open + fileio_tmp_commit: path holds buf, or is as it was.
 * 0 or -errno. */
int fileio_replace(const char *path, const void *buf, size_t len, unsigned flags);
/* Write buf to a command's --out path (compare, export): a regular or new
 * file atomically (fileio_tmp_open + fileio_tmp_commit, through a symlink
 * to the file it names, so the link survives), an existing FIFO or device
 * (/dev/stdout, /dev/null) opened and written as it is.  0 or -errno with
 * a one-line reason in err (errlen bytes); on error no temporary file
 * remains. */
int fileio_write_out(const char *path, const void *buf, size_t len, char *err, size_t errlen);

#endif

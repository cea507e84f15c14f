/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Reading a model file whole, safely: no memory map (another process
 * truncating the file while it loads would kill this one with SIGBUS), no
 * blocking open of a FIFO or device, and a file that changes while it is
 * read is refused. */
#include "safetensors.h"
#include "rnn.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static gboolean
same_file (const struct stat *a, const struct stat *b)
{
  return a->st_dev == b->st_dev && a->st_ino == b->st_ino
      && a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec
      && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static const char *
file_kind (mode_t mode)
{
  if (S_ISDIR (mode))
    return "a directory";
  if (S_ISFIFO (mode))
    return "a FIFO";
  if (S_ISCHR (mode))
    return "a character device";
  if (S_ISBLK (mode))
    return "a block device";
  if (S_ISSOCK (mode))
    return "a socket";
  return "not a regular file";
}

guint8 *
rnn_file_read (const char *path, gsize * size, GError ** error)
{
  struct stat before = { 0 }, after = { 0 };
  guint8 *buf = NULL;
  gsize got = 0;
  int fd;

  /* O_NONBLOCK: opening a FIFO for reading would wait for a writer */
  fd = open (path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
  if (fd < 0) {
    int e = errno;
    g_set_error (error, RNN_ERROR, RNN_ERROR_IO, "%s: cannot read: %s", path,
        g_strerror (e));
    return NULL;
  }
  if (fstat (fd, &before) != 0 || !S_ISREG (before.st_mode)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_IO, "%s: cannot read: %s, "
        "expected a regular file", path, file_kind (before.st_mode));
    goto fail;
  }
  if ((guint64) before.st_size > G_MAXSIZE - 1
      || !(buf = g_try_malloc (MAX ((gsize) before.st_size, 1)))) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_IO, "%s: cannot read: no "
        "memory for its %" G_GUINT64_FORMAT " bytes", path,
        (guint64) before.st_size);
    goto fail;
  }
  /* a regular file: blocking reads from here on */
  fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK);
  while (got < (gsize) before.st_size) {
    ssize_t r = read (fd, buf + got, (gsize) before.st_size - got);
    if (r < 0 && errno == EINTR)
      continue;
    if (r < 0) {
      int e = errno;
      g_set_error (error, RNN_ERROR, RNN_ERROR_IO, "%s: cannot read: %s",
          path, g_strerror (e));
      goto fail;
    }
    if (r == 0)
      break;
    got += (gsize) r;
  }
  if (got != (gsize) before.st_size || fstat (fd, &after) != 0
      || !same_file (&before, &after)) {
    g_set_error (error, RNN_ERROR, RNN_ERROR_IO, "%s: the file changed while "
        "it was read (%" G_GUINT64_FORMAT " bytes when opened, %"
        G_GSIZE_FORMAT " read): try again once it is written", path,
        (guint64) before.st_size, got);
    goto fail;
  }
  close (fd);
  *size = got;
  return buf;

fail:
  g_free (buf);
  close (fd);
  return NULL;
}

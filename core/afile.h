/*
 * core/afile.h - atomic file output: write to a temporary file in the same
 * directory, fsync, then rename over the destination.  A crash or an error
 * leaves either the old file or none, never a partial one.
 */
#ifndef PRIVAUDIT_CORE_AFILE_H
#define PRIVAUDIT_CORE_AFILE_H

#include <stddef.h>
#include <stdio.h>

#include "core/error.h"

struct afile {
    FILE *fp;            /* write through this between open and commit */
    char *path;          /* destination */
    char *tmp;           /* temporary name */
};

/* Open a temporary file beside `path`.  Returns 0 or ERR_IO. */
int afile_open(struct afile *af, const char *path, struct error *err);

/* Flush, fsync, close and rename onto the destination.  On any failure the
 * temporary file is removed.  Always releases af.  Returns 0 or ERR_IO. */
int afile_commit(struct afile *af, struct error *err);

/* Close and remove the temporary file; safe on a zeroed or released af. */
void afile_abort(struct afile *af);

/* Write len bytes of data to path atomically. */
int afile_write(const char *path, const void *data, size_t len,
                struct error *err);

/* Read a whole file into a NUL-terminated heap buffer (*out, free()), its
 * length in *len.  Returns 0, ERR_IO or ERR_NOMEM. */
int afile_read_all(const char *path, char **out, size_t *len,
                   struct error *err);

/* mkdir -p.  Returns 0 or ERR_IO. */
int afile_mkdirs(const char *dir, struct error *err);

#endif

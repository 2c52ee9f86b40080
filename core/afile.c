/*
 * core/afile.c - atomic writes and whole-file reads (see afile.h).
 */
#include "core/afile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char *dup_str(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

int afile_open(struct afile *af, const char *path, struct error *err)
{
    memset(af, 0, sizeof *af);
    size_t n = strlen(path);
    af->path = dup_str(path);
    af->tmp = malloc(n + 16);
    if (!af->path || !af->tmp) {
        afile_abort(af);
        return error_set(err, ERR_NOMEM, "out of memory");
    }
    snprintf(af->tmp, n + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(af->tmp);
    if (fd < 0) {
        int e = errno;
        free(af->tmp);
        af->tmp = NULL;
        afile_abort(af);
        return error_errno(err, e, "cannot create", path);
    }
    /* mkstemp makes 0600; reports are ordinary files. */
    mode_t mask = umask(0);
    umask(mask);
    (void)fchmod(fd, 0666 & ~mask);
    af->fp = fdopen(fd, "wb");
    if (!af->fp) {
        int e = errno;
        close(fd);
        afile_abort(af);
        return error_errno(err, e, "cannot create", path);
    }
    return 0;
}

int afile_commit(struct afile *af, struct error *err)
{
    int rc = 0;
    if (!af->fp)
        return error_set(err, ERR_INTERNAL, "afile_commit without open");
    if (fflush(af->fp) != 0 || ferror(af->fp) || fsync(fileno(af->fp)) != 0) {
        rc = error_errno(err, errno ? errno : EIO, "cannot write", af->path);
        afile_abort(af);
        return rc;
    }
    if (fclose(af->fp) != 0) {
        af->fp = NULL;
        rc = error_errno(err, errno, "cannot write", af->path);
        afile_abort(af);
        return rc;
    }
    af->fp = NULL;
    if (rename(af->tmp, af->path) != 0) {
        rc = error_errno(err, errno, "cannot rename onto", af->path);
        afile_abort(af);
        return rc;
    }
    free(af->tmp);
    free(af->path);
    af->tmp = af->path = NULL;
    return 0;
}

void afile_abort(struct afile *af)
{
    if (!af)
        return;
    if (af->fp)
        fclose(af->fp);
    if (af->tmp)
        unlink(af->tmp);
    free(af->tmp);
    free(af->path);
    af->fp = NULL;
    af->tmp = af->path = NULL;
}

int afile_write(const char *path, const void *data, size_t len,
                struct error *err)
{
    struct afile af;
    int rc = afile_open(&af, path, err);
    if (rc)
        return rc;
    if (len && fwrite(data, 1, len, af.fp) != len) {
        rc = error_errno(err, errno ? errno : EIO, "cannot write", path);
        afile_abort(&af);
        return rc;
    }
    return afile_commit(&af, err);
}

int afile_read_all(const char *path, char **out, size_t *len,
                   struct error *err)
{
    *out = NULL;
    *len = 0;
    FILE *fp = fopen(path, "rb");
    if (!fp)
        return error_errno(err, errno, "cannot read", path);
    struct stat st;
    if (fstat(fileno(fp), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(fp);
        return error_set(err, ERR_IO, "cannot read '%s': Is a directory", path);
    }
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    if (!buf) {
        fclose(fp);
        return error_set(err, ERR_NOMEM, "out of memory reading '%s'", path);
    }
    for (;;) {
        if (cap - n < 2) {
            if (cap > SIZE_MAX / 2) {
                free(buf);
                fclose(fp);
                return error_set(err, ERR_NOMEM, "'%s' is too large", path);
            }
            char *nb = realloc(buf, cap * 2);
            if (!nb) {
                free(buf);
                fclose(fp);
                return error_set(err, ERR_NOMEM, "out of memory reading '%s'",
                                 path);
            }
            buf = nb;
            cap *= 2;
        }
        size_t got = fread(buf + n, 1, cap - n - 1, fp);
        n += got;
        if (got == 0) {
            if (ferror(fp)) {
                int e = errno ? errno : EIO;
                free(buf);
                fclose(fp);
                return error_errno(err, e, "cannot read", path);
            }
            break;
        }
    }
    fclose(fp);
    buf[n] = '\0';
    *out = buf;
    *len = n;
    return 0;
}

int afile_mkdirs(const char *dir, struct error *err)
{
    char buf[PATH_MAX];
    size_t n = strlen(dir);
    if (n == 0 || n >= sizeof buf)
        return error_set(err, ERR_IO, "bad directory name '%s'", dir);
    memcpy(buf, dir, n + 1);
    for (size_t i = 1; i <= n; i++) {
        if (buf[i] == '/' || buf[i] == '\0') {
            char c = buf[i];
            buf[i] = '\0';
            if (mkdir(buf, 0777) != 0 && errno != EEXIST)
                return error_errno(err, errno, "cannot create directory", buf);
            struct stat st;
            if (stat(buf, &st) != 0 || !S_ISDIR(st.st_mode))
                return error_set(err, ERR_IO,
                                 "cannot create directory '%s': Not a directory",
                                 buf);
            buf[i] = c;
        }
    }
    return 0;
}

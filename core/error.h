/*
 * core/error.h - status codes and the error record every fallible call fills.
 *
 * Convention (see docs/STYLE.md): a fallible function returns an int status,
 * 0 on success or one of the negative ERR_* codes, and writes a one-line,
 * lowercase message into a `struct error` that the caller owns.  Nothing
 * below main() prints or exits; main() maps the status to an exit code with
 * error_exit_code().
 */
#ifndef PRIVAUDIT_CORE_ERROR_H
#define PRIVAUDIT_CORE_ERROR_H

#include <stddef.h>

enum {
    ERR_OK = 0,
    ERR_USAGE = -1,    /* bad command line: exit 2 */
    ERR_INPUT = -2,    /* bad input file / config / data: exit 2 */
    ERR_IO = -3,       /* a file cannot be read or written: exit 2 */
    ERR_NOMEM = -4,    /* allocation failed: exit 3 */
    ERR_INTERNAL = -5, /* a library call failed or an invariant broke: exit 3 */
    ERR_NUMERIC = -6   /* a computation diverged (NaN loss, ...): exit 2 */
};

#define ERROR_MSG_MAX 1024

struct error {
    int code;                  /* last status set, ERR_OK when none */
    char msg[ERROR_MSG_MAX];   /* "cannot read 'x.csv': No such file" */
};

/* Reset to ERR_OK with an empty message. */
void error_clear(struct error *e);

/*
 * Record a status and a printf-style message; returns `code` so callers can
 * write `return error_set(err, ERR_INPUT, "...")`.  `e` may be NULL (the
 * message is dropped).  The message is truncated to ERROR_MSG_MAX - 1 bytes.
 */
int error_set(struct error *e, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/*
 * Prepend context to an existing message: "loading config: " + old message.
 * Keeps e->code.  Returns e->code.
 */
int error_prefix(struct error *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Set ERR_IO with "<what> '<path>': strerror(errno_value)". */
int error_errno(struct error *e, int errno_value, const char *what,
                const char *path);

/* Map a status to the documented process exit code (0, 2 or 3). */
int error_exit_code(int status);

/* A short name for a status ("input", "io", ...), for logs and tests. */
const char *error_name(int status);

#endif

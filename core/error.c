/*
 * core/error.c - the error record (see error.h).
 */
#include "core/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void error_clear(struct error *e)
{
    if (!e)
        return;
    e->code = ERR_OK;
    e->msg[0] = '\0';
}

int error_set(struct error *e, int code, const char *fmt, ...)
{
    if (!e)
        return code;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof e->msg, fmt, ap);
    va_end(ap);
    e->code = code;
    return code;
}

int error_prefix(struct error *e, const char *fmt, ...)
{
    if (!e)
        return ERR_INTERNAL;
    char head[ERROR_MSG_MAX];
    char old[ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(head, sizeof head, fmt, ap);
    va_end(ap);
    memcpy(old, e->msg, sizeof old);
    /* Truncation is intended: messages are capped at ERROR_MSG_MAX. */
    size_t h = strlen(head);
    memcpy(e->msg, head, h + 1);
    size_t room = sizeof e->msg - 1 - h;
    size_t o = strnlen(old, sizeof old);
    if (o > room)
        o = room;
    memcpy(e->msg + h, old, o);
    e->msg[h + o] = '\0';
    return e->code;
}

int error_errno(struct error *e, int errno_value, const char *what,
                const char *path)
{
    return error_set(e, ERR_IO, "%s '%s': %s", what, path,
                     strerror(errno_value));
}

int error_exit_code(int status)
{
    switch (status) {
    case ERR_OK:
        return 0;
    case ERR_USAGE:
    case ERR_INPUT:
    case ERR_IO:
    case ERR_NUMERIC: /* diverging training: the hyperparameters are the input */
        return 2;
    default:
        return 3;
    }
}

const char *error_name(int status)
{
    switch (status) {
    case ERR_OK: return "ok";
    case ERR_USAGE: return "usage";
    case ERR_INPUT: return "input";
    case ERR_IO: return "io";
    case ERR_NOMEM: return "nomem";
    case ERR_INTERNAL: return "internal";
    case ERR_NUMERIC: return "numeric";
    default: return "unknown";
    }
}

/*
 * report/sbuf.h - a growable text buffer for the renderers.
 *
 * Appending never fails loudly: on an allocation failure the buffer records
 * `oom` and ignores further appends, so a renderer can write a whole document
 * and check once at the end (sbuf_status).
 */
#ifndef PRIVAUDIT_REPORT_SBUF_H
#define PRIVAUDIT_REPORT_SBUF_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

struct sbuf {
    char *s;    /* NUL-terminated text, NULL until the first append */
    size_t len; /* bytes in s, without the NUL */
    size_t cap;
    bool oom;
};

/* Zero the buffer (an all-zero struct sbuf is also initialised). */
void sbuf_init(struct sbuf *b);

/* Free the text; the buffer is empty and usable again. Accepts NULL. */
void sbuf_release(struct sbuf *b);

/* Append n bytes / a NUL-terminated string / formatted text. */
void sbuf_addn(struct sbuf *b, const char *s, size_t n);
void sbuf_add(struct sbuf *b, const char *s);
void sbuf_addf(struct sbuf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* The text so far ("" when empty); borrowed from b. */
const char *sbuf_str(const struct sbuf *b);

/* 0, or ERR_NOMEM ("out of memory rendering <what>") if an append failed. */
int sbuf_status(const struct sbuf *b, const char *what, struct error *err);

#endif

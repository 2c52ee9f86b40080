/*
 * report/html.h - a struct doc as one self-contained HTML page: inline CSS,
 * plots inline as SVG markup, no scripts, no external URLs; readable offline
 * and printable.  Every string is HTML-escaped.
 */
#ifndef PRIVAUDIT_REPORT_HTML_H
#define PRIVAUDIT_REPORT_HTML_H

#include <stdbool.h>
#include <stddef.h>

#include "report/doc.h"
#include "report/sbuf.h"

/* What fills a DOC_PLOT slot: inline SVG markup, or a note saying why there
 * is no plot.  All strings borrowed. */
struct html_plot {
    const char *name;  /* matches doc_plot's name */
    const char *title; /* caption */
    const char *svg;   /* sanitised <svg>...</svg>, or NULL */
    const char *note;  /* when svg is NULL: why */
};

struct html_opts {
    const char *title;   /* <title> */
    const char *status;  /* verdict status, styles the verdict paragraph */
    const struct html_plot *plots;
    size_t n_plots;
};

/* Append the page for d to out. */
void html_render(const struct doc *d, const struct html_opts *o, struct sbuf *out);

/* Append s HTML-escaped (& < > " '; control characters as spaces, malformed
 * UTF-8 as U+FFFD). */
void html_escape(struct sbuf *out, const char *s);

/*
 * Make gnuplot's SVG file text fit inline in an HTML page: keep from "<svg"
 * to the last "</svg>", drop the xmlns attributes (their URLs are names, not
 * links, but the page promises none), and prefix every id (and the url(#..)
 * and href="#.." references to it) with "PREFIX-", so several plots on one
 * page do not share ids.  Returns false (out unchanged) when the text has no
 * <svg> element or anything scriptable or external remains ("<script",
 * "http:", "https:", "javascript:", " on...=" handlers).
 */
bool html_inline_svg(const char *svg, const char *prefix, struct sbuf *out);

#endif

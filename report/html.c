/*
 * report/html.c - self-contained HTML output (see html.h).
 */
#include "report/html.h"

#include <ctype.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "report/view.h"

void html_escape(struct sbuf *out, const char *s)
{
    while (*s) {
        unsigned cp;
        size_t n = view_utf8_next(s, &cp);
        char enc[4];
        switch (cp) {
        case '&': sbuf_add(out, "&amp;"); break;
        case '<': sbuf_add(out, "&lt;"); break;
        case '>': sbuf_add(out, "&gt;"); break;
        case '"': sbuf_add(out, "&quot;"); break;
        case '\'': sbuf_add(out, "&#39;"); break;
        default:
            if ((cp < 0x20 && cp != '\n' && cp != '\t') || cp == 0x7F)
                sbuf_add(out, " ");
            else
                sbuf_addn(out, enc, view_utf8_put(enc, cp));
        }
        s += n;
    }
}

static const char CSS[] =
    "body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;"
    "line-height:1.45;color:#1b1b1b;background:#fff;margin:0}\n"
    "main{max-width:72em;margin:0 auto;padding:1.5em}\n"
    "h1{font-size:1.6em;margin-top:0}h2{font-size:1.25em;border-bottom:1px solid #ccc;"
    "padding-bottom:.2em;margin-top:1.6em}h3{font-size:1.05em}\n"
    "table{border-collapse:collapse;margin:.6em 0;font-size:.92em}\n"
    "th,td{border:1px solid #bbb;padding:.25em .55em;text-align:left;vertical-align:top}\n"
    "th{background:#f0f0f0}tr:nth-child(even) td{background:#fafafa}\n"
    "code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;"
    "font-size:.9em;background:#f3f3f3;padding:0 .2em;border-radius:3px;"
    "word-break:break-all}\n"
    ".verdict{font-size:1.15em;padding:.7em 1em;border-left:6px solid #888;"
    "background:#f4f4f4}\n"
    ".verdict.violated{border-color:#c62828;background:#fdecea}\n"
    ".verdict.consistent{border-color:#2e7d32;background:#edf7ed}\n"
    ".verdict.no-claim{border-color:#757575}\n"
    "figure{margin:1em 0;page-break-inside:avoid;break-inside:avoid}\n"
    "figure svg{max-width:100%;height:auto}\n"
    "figcaption{font-size:.9em;color:#444}\n"
    ".note{color:#555;font-style:italic}\n"
    "@media print{main{max-width:none;padding:0}h2{page-break-after:avoid}"
    "table{page-break-inside:avoid}}\n";

static void html_inline(struct sbuf *out, const struct doc_inline *r)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct doc_span *sp = &r->spans[i];
        const char *tag = sp->kind == DOC_STRONG ? "strong"
                          : sp->kind == DOC_CODE ? "code"
                                                 : NULL;
        if (tag)
            sbuf_addf(out, "<%s>", tag);
        html_escape(out, sp->text);
        if (tag)
            sbuf_addf(out, "</%s>", tag);
    }
}

static void html_table(struct sbuf *out, const struct doc_block *b)
{
    size_t rows = doc_table_rows(b);
    sbuf_add(out, "<table>\n<thead><tr>");
    for (size_t c = 0; c < b->n_cols; c++) {
        sbuf_add(out, "<th>");
        if (c < b->n_cells)
            html_inline(out, &b->cells[c]);
        sbuf_add(out, "</th>");
    }
    sbuf_add(out, "</tr></thead>\n<tbody>\n");
    for (size_t r = 1; r <= rows; r++) {
        sbuf_add(out, "<tr>");
        for (size_t c = 0; c < b->n_cols; c++) {
            size_t k = r * b->n_cols + c;
            sbuf_add(out, "<td>");
            if (k < b->n_cells)
                html_inline(out, &b->cells[k]);
            sbuf_add(out, "</td>");
        }
        sbuf_add(out, "</tr>\n");
    }
    sbuf_add(out, "</tbody>\n</table>\n");
}

static void html_plot_slot(struct sbuf *out, const char *name, const struct html_opts *o)
{
    const struct html_plot *p = NULL;
    for (size_t i = 0; i < o->n_plots && !p; i++)
        if (o->plots[i].name && strcmp(o->plots[i].name, name) == 0)
            p = &o->plots[i];
    if (!p)
        return;
    if (p->svg) {
        sbuf_add(out, "<figure>\n");
        sbuf_add(out, p->svg);
        sbuf_add(out, "\n<figcaption>");
        html_escape(out, p->title ? p->title : name);
        sbuf_add(out, "</figcaption>\n</figure>\n");
    } else if (p->note) {
        sbuf_add(out, "<p class=\"note\">Plot \xe2\x80\x9c");
        html_escape(out, p->title ? p->title : name);
        sbuf_add(out, "\xe2\x80\x9d not shown: ");
        html_escape(out, p->note);
        sbuf_add(out, "</p>\n");
    }
}

void html_render(const struct doc *d, const struct html_opts *o, struct sbuf *out)
{
    sbuf_add(out, "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
                  "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
                  "<title>");
    html_escape(out, o->title ? o->title : "privaudit report");
    sbuf_add(out, "</title>\n<style>\n");
    sbuf_add(out, CSS);
    sbuf_add(out, "</style>\n</head>\n<body>\n<main>\n");
    bool verdict_done = false;
    for (size_t i = 0; i < d->n; i++) {
        const struct doc_block *b = &d->blocks[i];
        switch (b->kind) {
        case DOC_HEADING:
            sbuf_addf(out, "<h%d>", b->level);
            if (b->n_cells)
                html_inline(out, &b->cells[0]);
            sbuf_addf(out, "</h%d>\n", b->level);
            break;
        case DOC_PARA:
            if (!verdict_done) {
                /* the first paragraph is the verdict line */
                const char *st = o->status ? o->status : "";
                sbuf_add(out, "<p class=\"verdict");
                if (strcmp(st, "violated") == 0 || strcmp(st, "consistent") == 0 ||
                    strcmp(st, "no-claim") == 0)
                    sbuf_addf(out, " %s", st);
                sbuf_add(out, "\">");
                verdict_done = true;
            } else {
                sbuf_add(out, "<p>");
            }
            if (b->n_cells)
                html_inline(out, &b->cells[0]);
            sbuf_add(out, "</p>\n");
            break;
        case DOC_LIST:
            if (!b->n_cells)
                break;
            sbuf_add(out, "<ul>\n");
            for (size_t j = 0; j < b->n_cells; j++) {
                sbuf_add(out, "<li>");
                html_inline(out, &b->cells[j]);
                sbuf_add(out, "</li>\n");
            }
            sbuf_add(out, "</ul>\n");
            break;
        case DOC_TABLE:
            html_table(out, b);
            break;
        case DOC_PLOT:
            html_plot_slot(out, b->name, o);
            break;
        }
    }
    sbuf_add(out, "</main>\n</body>\n</html>\n");
}

/* ---- inline SVG ------------------------------------------------------------ */

static const char *find_ci(const char *hay, const char *needle)
{
    size_t n = strlen(needle);
    for (const char *p = hay; *p; p++)
        if (strncasecmp(p, needle, n) == 0)
            return p;
    return NULL;
}

static const char *find_last(const char *hay, const char *needle)
{
    const char *last = NULL;
    for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
        last = p;
    return last;
}

/* An on...= event handler attribute anywhere (after whitespace). */
static bool has_handler(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (!isspace((unsigned char)p[0]) || tolower((unsigned char)p[1]) != 'o' ||
            tolower((unsigned char)p[2]) != 'n')
            continue;
        const char *q = p + 3;
        while (isalpha((unsigned char)*q))
            q++;
        if (q > p + 3 && *q == '=')
            return true;
    }
    return false;
}

/* At s: an attribute xmlns="..." or xmlns:x='...'; its length with the
 * leading space, else 0. */
static size_t xmlns_attr(const char *s)
{
    if (strncmp(s, " xmlns", 6) != 0)
        return 0;
    const char *q = s + 6;
    if (*q == ':')
        while (*q && *q != '=' && *q != ' ' && *q != '>')
            q++;
    if (*q != '=' || (q[1] != '"' && q[1] != '\''))
        return 0;
    const char *end = strchr(q + 2, q[1]);
    return end ? (size_t)(end + 1 - s) : 0;
}

bool html_inline_svg(const char *svg, const char *prefix, struct sbuf *out)
{
    const char *start = strstr(svg, "<svg");
    const char *end = find_last(svg, "</svg>");
    if (!start || !end || end < start)
        return false;
    end += strlen("</svg>");
    struct sbuf b;
    sbuf_init(&b);
    for (const char *p = start; p < end;) {
        size_t skip = xmlns_attr(p);
        if (skip) {
            p += skip;
        } else if (strncmp(p, "id='", 4) == 0 || strncmp(p, "id=\"", 4) == 0) {
            sbuf_addn(&b, p, 4);
            sbuf_addf(&b, "%s-", prefix);
            p += 4;
        } else if (strncmp(p, "url(#", 5) == 0) {
            sbuf_addf(&b, "url(#%s-", prefix);
            p += 5;
        } else if (strncmp(p, "href='#", 7) == 0 || strncmp(p, "href=\"#", 7) == 0) {
            sbuf_addn(&b, p, 7);
            sbuf_addf(&b, "%s-", prefix);
            p += 7;
        } else {
            sbuf_addn(&b, p, 1);
            p++;
        }
    }
    const char *s = sbuf_str(&b);
    bool ok = !b.oom && !find_ci(s, "<script") && !find_ci(s, "http:") &&
              !find_ci(s, "https:") && !find_ci(s, "javascript:") &&
              !find_ci(s, "<foreignobject") && !has_handler(s);
    if (ok)
        sbuf_addn(out, s, b.len);
    sbuf_release(&b);
    return ok;
}

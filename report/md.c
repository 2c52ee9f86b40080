/*
 * report/md.c - Markdown output (see md.h).
 */
#include "report/md.h"

#include <string.h>

#include "report/view.h"

void md_escape(struct sbuf *out, const char *s, bool in_table)
{
    (void)in_table; /* '|' is escaped everywhere: harmless outside tables */
    while (*s) {
        unsigned cp;
        size_t n = view_utf8_next(s, &cp);
        char enc[4];
        if (cp < 0x20 || cp == 0x7F) {
            sbuf_add(out, " ");
        } else if (cp == '<') {
            sbuf_add(out, "&lt;");
        } else if (cp == '>') {
            sbuf_add(out, "&gt;");
        } else if (cp == '&') {
            sbuf_add(out, "&amp;");
        } else if (cp < 0x80 && strchr("\\`*_[]|~@#!", (int)cp)) {
            enc[0] = '\\';
            enc[1] = (char)cp;
            sbuf_addn(out, enc, 2);
        } else {
            sbuf_addn(out, enc, view_utf8_put(enc, cp));
        }
        s += n;
    }
}

/* A code span: a backtick fence longer than any run inside; '|' escaped in
 * tables (GitHub reads \| inside code spans in tables as '|'). */
static void md_code(struct sbuf *out, const char *s, bool in_table)
{
    if (!*s) {
        sbuf_add(out, "(empty)");
        return;
    }
    size_t run = 0, best = 0;
    for (const char *p = s; *p; p++) {
        run = *p == '`' ? run + 1 : 0;
        if (run > best)
            best = run;
    }
    size_t fence = best + 1;
    bool pad = s[0] == '`' || s[strlen(s) - 1] == '`' || s[0] == ' ';
    for (size_t i = 0; i < fence; i++)
        sbuf_add(out, "`");
    if (pad)
        sbuf_add(out, " ");
    while (*s) {
        unsigned cp;
        size_t n = view_utf8_next(s, &cp);
        char enc[4];
        if (cp < 0x20 || cp == 0x7F)
            sbuf_add(out, " ");
        else if (cp == '|' && in_table)
            sbuf_add(out, "\\|");
        else
            sbuf_addn(out, enc, view_utf8_put(enc, cp));
        s += n;
    }
    if (pad)
        sbuf_add(out, " ");
    for (size_t i = 0; i < fence; i++)
        sbuf_add(out, "`");
}

static void md_inline(struct sbuf *out, const struct doc_inline *r, bool in_table)
{
    for (size_t i = 0; i < r->n; i++) {
        const struct doc_span *sp = &r->spans[i];
        switch (sp->kind) {
        case DOC_STRONG:
            sbuf_add(out, "**");
            md_escape(out, sp->text, in_table);
            sbuf_add(out, "**");
            break;
        case DOC_CODE:
            md_code(out, sp->text, in_table);
            break;
        default:
            md_escape(out, sp->text, in_table);
            break;
        }
    }
}

static void md_table(struct sbuf *out, const struct doc_block *b)
{
    size_t rows = doc_table_rows(b);
    for (size_t r = 0; r <= rows; r++) {
        sbuf_add(out, "|");
        for (size_t c = 0; c < b->n_cols; c++) {
            size_t k = r * b->n_cols + c;
            sbuf_add(out, " ");
            if (k < b->n_cells)
                md_inline(out, &b->cells[k], true);
            sbuf_add(out, " |");
        }
        sbuf_add(out, "\n");
        if (r == 0) {
            sbuf_add(out, "|");
            for (size_t c = 0; c < b->n_cols; c++)
                sbuf_add(out, " --- |");
            sbuf_add(out, "\n");
        }
    }
}

void md_render(const struct doc *d, struct sbuf *out)
{
    bool first = true;
    for (size_t i = 0; i < d->n; i++) {
        const struct doc_block *b = &d->blocks[i];
        if (b->kind == DOC_PLOT)
            continue;
        if (b->kind == DOC_LIST && b->n_cells == 0)
            continue;
        if (!first)
            sbuf_add(out, "\n");
        first = false;
        switch (b->kind) {
        case DOC_HEADING:
            for (int l = 0; l < b->level; l++)
                sbuf_add(out, "#");
            sbuf_add(out, " ");
            if (b->n_cells)
                md_inline(out, &b->cells[0], false);
            sbuf_add(out, "\n");
            break;
        case DOC_PARA:
            if (b->n_cells)
                md_inline(out, &b->cells[0], false);
            sbuf_add(out, "\n");
            break;
        case DOC_LIST:
            for (size_t j = 0; j < b->n_cells; j++) {
                sbuf_add(out, "- ");
                md_inline(out, &b->cells[j], false);
                sbuf_add(out, "\n");
            }
            break;
        case DOC_TABLE:
            md_table(out, b);
            break;
        default:
            break;
        }
    }
}

/*
 * report/doc.c - the document model (see doc.h).
 */
#include "report/doc.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void doc_init(struct doc *d)
{
    memset(d, 0, sizeof *d);
}

static void release_inline(struct doc_inline *r)
{
    for (size_t i = 0; i < r->n; i++)
        free(r->spans[i].text);
    free(r->spans);
}

void doc_release(struct doc *d)
{
    if (!d)
        return;
    for (size_t i = 0; i < d->n; i++) {
        struct doc_block *b = &d->blocks[i];
        for (size_t j = 0; j < b->n_cells; j++)
            release_inline(&b->cells[j]);
        free(b->cells);
        free(b->name);
    }
    free(d->blocks);
    memset(d, 0, sizeof *d);
}

static struct doc_block *new_block(struct doc *d, enum doc_block_kind kind)
{
    if (d->oom)
        return NULL;
    if (d->n == d->cap) {
        size_t cap = d->cap ? d->cap * 2 : 32;
        struct doc_block *nb = realloc(d->blocks, cap * sizeof *nb);
        if (!nb) {
            d->oom = true;
            return NULL;
        }
        d->blocks = nb;
        d->cap = cap;
    }
    struct doc_block *b = &d->blocks[d->n++];
    memset(b, 0, sizeof *b);
    b->kind = kind;
    return b;
}

static void new_cell(struct doc *d)
{
    if (d->oom || d->n == 0)
        return;
    struct doc_block *b = &d->blocks[d->n - 1];
    struct doc_inline *nc = realloc(b->cells, (b->n_cells + 1) * sizeof *nc);
    if (!nc) {
        d->oom = true;
        return;
    }
    b->cells = nc;
    memset(&b->cells[b->n_cells++], 0, sizeof *nc);
}

static void add_span(struct doc *d, enum doc_span_kind kind, const char *text)
{
    if (d->oom || d->n == 0)
        return;
    struct doc_block *b = &d->blocks[d->n - 1];
    if (b->n_cells == 0)
        new_cell(d);
    if (d->oom)
        return;
    struct doc_inline *r = &b->cells[b->n_cells - 1];
    size_t len = strlen(text);
    char *copy = malloc(len + 1);
    struct doc_span *ns = copy ? realloc(r->spans, (r->n + 1) * sizeof *ns) : NULL;
    if (!ns) {
        free(copy);
        d->oom = true;
        return;
    }
    memcpy(copy, text, len + 1);
    r->spans = ns;
    r->spans[r->n].kind = kind;
    r->spans[r->n].text = copy;
    r->n++;
}

void doc_heading(struct doc *d, int level, const char *text)
{
    struct doc_block *b = new_block(d, DOC_HEADING);
    if (!b)
        return;
    b->level = level < 1 ? 1 : level > 4 ? 4 : level;
    new_cell(d);
    add_span(d, DOC_TEXT, text);
}

void doc_para(struct doc *d)
{
    if (new_block(d, DOC_PARA))
        new_cell(d);
}

void doc_list(struct doc *d)
{
    new_block(d, DOC_LIST);
}

void doc_item(struct doc *d)
{
    new_cell(d);
}

void doc_table(struct doc *d, size_t n_cols)
{
    struct doc_block *b = new_block(d, DOC_TABLE);
    if (b)
        b->n_cols = n_cols ? n_cols : 1;
}

void doc_cell(struct doc *d)
{
    new_cell(d);
}

void doc_plot(struct doc *d, const char *name)
{
    struct doc_block *b = new_block(d, DOC_PLOT);
    if (!b)
        return;
    size_t len = strlen(name);
    b->name = malloc(len + 1);
    if (!b->name) {
        d->oom = true;
        return;
    }
    memcpy(b->name, name, len + 1);
}

void doc_text(struct doc *d, const char *text)
{
    add_span(d, DOC_TEXT, text);
}

void doc_textf(struct doc *d, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    add_span(d, DOC_TEXT, buf);
}

void doc_strong(struct doc *d, const char *text)
{
    add_span(d, DOC_STRONG, text);
}

void doc_code(struct doc *d, const char *text)
{
    add_span(d, DOC_CODE, text);
}

void doc_cell_text(struct doc *d, const char *text)
{
    new_cell(d);
    add_span(d, DOC_TEXT, text);
}

void doc_cell_code(struct doc *d, const char *text)
{
    new_cell(d);
    add_span(d, DOC_CODE, text);
}

size_t doc_table_rows(const struct doc_block *b)
{
    if (b->kind != DOC_TABLE || b->n_cols == 0 || b->n_cells <= b->n_cols)
        return 0;
    return (b->n_cells - b->n_cols + b->n_cols - 1) / b->n_cols;
}

int doc_status(const struct doc *d, struct error *err)
{
    return d->oom ? error_set(err, ERR_NOMEM, "out of memory building the document")
                  : 0;
}

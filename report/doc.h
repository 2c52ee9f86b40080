/*
 * report/doc.h - a tiny document model between the report and its text
 * formats: headings, paragraphs, bullet lists, tables and plot slots, each
 * holding runs of plain, strong or code text.  summary.h builds one from a
 * report; md.h and html.h print it, so both formats carry the same content
 * and each escapes in one place.
 *
 * Building never fails midway: an allocation failure sets `oom` and later
 * calls do nothing (check doc_status at the end).  Text is copied.
 */
#ifndef PRIVAUDIT_REPORT_DOC_H
#define PRIVAUDIT_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"

enum doc_span_kind { DOC_TEXT, DOC_STRONG, DOC_CODE };

struct doc_span {
    enum doc_span_kind kind;
    char *text;
};

/* A run of spans: a paragraph, a list item or a table cell. */
struct doc_inline {
    struct doc_span *spans;
    size_t n;
};

enum doc_block_kind { DOC_HEADING, DOC_PARA, DOC_LIST, DOC_TABLE, DOC_PLOT };

struct doc_block {
    enum doc_block_kind kind;
    int level;                 /* DOC_HEADING: 1..4 */
    struct doc_inline *cells;  /* heading, para: 1; list: the items; table:
                                  row-major, the first n_cols are the header */
    size_t n_cells;
    size_t n_cols;             /* DOC_TABLE */
    char *name;                /* DOC_PLOT: the plot's name ("roc") */
};

struct doc {
    struct doc_block *blocks;
    size_t n, cap;
    bool oom;
};

void doc_init(struct doc *d);
void doc_release(struct doc *d);

/* New blocks.  A heading or a paragraph opens its one run; then doc_text &
 * co. append to it.  A list takes runs with doc_item, a table with doc_cell
 * (header cells first, then the rows, row-major). */
void doc_heading(struct doc *d, int level, const char *text);
void doc_para(struct doc *d);
void doc_list(struct doc *d);
void doc_item(struct doc *d);
void doc_table(struct doc *d, size_t n_cols);
void doc_cell(struct doc *d);
void doc_plot(struct doc *d, const char *name);

/* Append to the current run (the last run of the last block). */
void doc_text(struct doc *d, const char *text);
void doc_textf(struct doc *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void doc_strong(struct doc *d, const char *text);
void doc_code(struct doc *d, const char *text);

/* A table cell holding one plain text / code run. */
void doc_cell_text(struct doc *d, const char *text);
void doc_cell_code(struct doc *d, const char *text);

/* Rows in a table block (header excluded). */
size_t doc_table_rows(const struct doc_block *b);

/* 0 or ERR_NOMEM. */
int doc_status(const struct doc *d, struct error *err);

#endif

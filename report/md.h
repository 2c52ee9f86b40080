/*
 * report/md.h - a struct doc as GitHub-flavoured Markdown, for a PR comment
 * or a job summary ($GITHUB_STEP_SUMMARY).  Every string is escaped (tables,
 * emphasis, HTML, @-mentions); plot slots are left out.  The output depends
 * on the document only, so golden files are byte-stable.
 */
#ifndef PRIVAUDIT_REPORT_MD_H
#define PRIVAUDIT_REPORT_MD_H

#include <stdbool.h>

#include "report/doc.h"
#include "report/sbuf.h"

/* Append the Markdown text of d to out. */
void md_render(const struct doc *d, struct sbuf *out);

/* Append s as Markdown text (escaped; newlines become spaces). */
void md_escape(struct sbuf *out, const char *s, bool in_table);

#endif

/*
 * report/summary.h - what a human reads about a report: the verdict first,
 * claimed vs measured epsilon, attacks, the target, fields added by later
 * schema revisions, provenance, and the threat model with what the bound does
 * not show; as a struct doc (doc.h) that md.h and html.h print.
 *
 * Works on any report that passed schema_check; optional fields that are
 * absent are left out, never printed as "(null)".
 */
#ifndef PRIVAUDIT_REPORT_SUMMARY_H
#define PRIVAUDIT_REPORT_SUMMARY_H

#include <cjson/cJSON.h>

#include "core/error.h"
#include "report/doc.h"

/* Append the summary of report to d (initialised by the caller, who releases
 * it).  Returns 0 or ERR_NOMEM. */
int summary_build(const cJSON *report, struct doc *d, struct error *err);

/* The one-line verdict sentence after "Verdict: STATUS" (e.g. "epsilon lower
 * bound 3.2 (one-run on loss, 95% confidence) exceeds the claimed epsilon
 * 1"), into buf. */
void summary_verdict_line(const cJSON *report, char *buf, size_t cap);

#endif

/*
 * report/junit.h - JUnit XML for CI systems (GitHub Actions test reporters,
 * GitLab's artifacts:reports:junit): one <testcase> per gate rule, or without
 * a policy one for the verdict and one per bound.  Failures carry messages;
 * every string is XML-escaped and the output is well-formed UTF-8 XML.
 */
#ifndef PRIVAUDIT_REPORT_JUNIT_H
#define PRIVAUDIT_REPORT_JUNIT_H

#include <cjson/cJSON.h>

#include "report/gate.h"
#include "report/sbuf.h"

/* Testcases for the verdict and each bound of a (schema-checked) report. */
void junit_report(const cJSON *report, struct sbuf *out);

/* Testcases for each rule of a gate result; report_name names the suite. */
void junit_gate(const struct gate_result *res, const char *report_name,
                struct sbuf *out);

/* Append s escaped for XML text and attribute values. */
void junit_escape(struct sbuf *out, const char *s);

#endif

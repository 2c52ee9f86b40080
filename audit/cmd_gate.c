/*
 * audit/cmd_gate.c - `privaudit gate`: check a report.json against a policy
 * of rules for a CI release gate (report/gate.h does the work).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "audit/cli.h"
#include "core/afile.h"
#include "report/doc.h"
#include "report/gate.h"
#include "report/junit.h"
#include "report/md.h"
#include "report/sbuf.h"
#include "report/schema.h"

static const char GATE_USAGE[] =
    "usage: privaudit gate REPORT.json --policy POLICY.json [--junit FILE]\n"
    "                      [--markdown FILE] [--quiet]\n"
    "\n"
    "Check every rule of a policy against a report.json; print each rule with\n"
    "the measured value, the limit and PASS / FAIL / ERROR.\n"
    "\n"
    "  --policy FILE    the policy (see docs/reporting.md)\n"
    "  --junit FILE     also write the result as JUnit XML (one testcase per rule)\n"
    "  --markdown FILE  also write it as Markdown (for $GITHUB_STEP_SUMMARY)\n"
    "  --quiet          print only failures and errors\n"
    "\n"
    "max_report_age_days measures from provenance.started_at to now; set\n"
    "PRIVAUDIT_NOW=2026-12-03T00:00:00Z to fix \"now\" (tests, reproducible CI).\n"
    "Colors only on a terminal, never with NO_COLOR set.\n"
    "\n"
    "Exit codes: 0 every rule holds, 1 a rule fails, 2 bad usage, an invalid\n"
    "report or policy, or a report lacking data a rule needs.\n";

static int write_file(const char *path, struct sbuf *b, const char *what,
                      struct error *err)
{
    int rc = sbuf_status(b, what, err);
    if (!rc)
        rc = afile_write(path, sbuf_str(b), b->len, err);
    return rc;
}

int cmd_gate(int argc, char **argv)
{
    const char *policy_path = NULL, *junit = NULL, *markdown = NULL;
    bool quiet = false, help = false;
    const struct opt_spec specs[] = {
        {"policy", true, &policy_path, NULL},
        {"junit", true, &junit, NULL},
        {"markdown", true, &markdown, NULL},
        {"quiet", false, NULL, &quiet},
    };
    const char *pos[1];
    size_t n_pos = 0;
    struct error err;
    error_clear(&err);
    if (cli_scan_opts(argc, argv, specs, 4, pos, 1, &n_pos, &help, &err))
        return cli_fail("gate", &err);
    if (help) {
        fputs(GATE_USAGE, stdout);
        return 0;
    }
    if (n_pos != 1) {
        error_set(&err, ERR_USAGE, "gate needs one REPORT.json argument");
        return cli_fail("gate", &err);
    }
    if (!policy_path) {
        error_set(&err, ERR_USAGE, "gate needs --policy POLICY.json");
        return cli_fail("gate", &err);
    }
    time_t now = time(NULL);
    const char *env_now = getenv("PRIVAUDIT_NOW");
    if (env_now && *env_now && gate_parse_time(env_now, &now) != 0) {
        error_set(&err, ERR_USAGE,
                  "PRIVAUDIT_NOW: expected a UTC time like 2026-12-03T00:00:00Z, got '%s'",
                  env_now);
        return cli_fail("gate", &err);
    }
    cJSON *rep = NULL, *pol = NULL;
    struct gate_result res = {0};
    struct sbuf b = {0};
    struct doc d = {0};
    int code = 0;
    if (schema_load(pos[0], &rep, &err) || gate_load_policy(policy_path, &pol, &err)) {
        code = cli_fail("gate", &err);
        goto cleanup;
    }
    if (gate_eval(rep, pol, now, &res, &err)) {
        error_prefix(&err, "%s: ", pos[0]);
        code = cli_fail("gate", &err);
        goto cleanup;
    }
    const char *nc = getenv("NO_COLOR");
    bool color = isatty(STDOUT_FILENO) && !(nc && *nc);
    if (!quiet)
        printf("gate '%s' on %s\n", res.policy_name, pos[0]);
    for (size_t i = 0; i < res.n; i++) {
        const struct gate_rule *g = &res.rules[i];
        if (quiet && g->status == GATE_PASS)
            continue;
        const char *on = !color ? ""
                         : g->status == GATE_PASS ? "\033[32m"
                         : g->status == GATE_FAIL ? "\033[31m"
                                                  : "\033[33m";
        printf("  %s%-5s%s rule %d %s: measured %s, limit %s\n", on,
               gate_status_name(g->status), color ? "\033[0m" : "", g->index, g->label,
               g->measured, g->limit);
        if (g->status == GATE_FAIL)
            printf("        %s\n", g->message);
    }
    for (size_t i = 0; i < res.n; i++)
        if (res.rules[i].status == GATE_ERROR)
            fprintf(stderr, "privaudit: error: %s\n", res.rules[i].message);
    code = gate_exit_code(&res);
    if (!quiet || code) {
        if (code == 0)
            printf("gate passed: all %zu rules hold\n", res.n);
        else if (code == 1)
            printf("gate FAILED: %zu of %zu rules failed\n", res.n_fail, res.n);
        else
            printf("gate INCOMPLETE: %zu of %zu rules could not be checked, %zu failed\n",
                   res.n_error, res.n, res.n_fail);
    }
    fflush(stdout);
    if (junit) {
        junit_gate(&res, pos[0], &b);
        if (write_file(junit, &b, "the JUnit file", &err)) {
            code = cli_fail("gate", &err);
            goto cleanup;
        }
        sbuf_release(&b);
    }
    if (markdown) {
        gate_summary(&res, &d);
        md_render(&d, &b);
        if (doc_status(&d, &err) || write_file(markdown, &b, "the Markdown file", &err)) {
            code = cli_fail("gate", &err);
            goto cleanup;
        }
    }
cleanup:
    doc_release(&d);
    sbuf_release(&b);
    gate_result_release(&res);
    cJSON_Delete(rep);
    cJSON_Delete(pol);
    return code;
}

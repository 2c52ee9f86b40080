/*
 * report/junit.c - JUnit XML (see junit.h).
 */
#include "report/junit.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "report/summary.h"
#include "report/view.h"

void junit_escape(struct sbuf *out, const char *s)
{
    while (s && *s) {
        unsigned cp;
        size_t n = view_utf8_next(s, &cp);
        char enc[4];
        switch (cp) {
        case '&': sbuf_add(out, "&amp;"); break;
        case '<': sbuf_add(out, "&lt;"); break;
        case '>': sbuf_add(out, "&gt;"); break;
        case '"': sbuf_add(out, "&quot;"); break;
        case '\'': sbuf_add(out, "&apos;"); break;
        case '\n': sbuf_add(out, "&#10;"); break;
        case '\t': sbuf_add(out, "&#9;"); break;
        default:
            /* XML 1.0 forbids most C0 controls and U+FFFE/U+FFFF */
            if (cp < 0x20 || cp == 0xFFFE || cp == 0xFFFF)
                sbuf_add(out, " ");
            else
                sbuf_addn(out, enc, view_utf8_put(enc, cp));
        }
        s += n;
    }
}

struct tcase {
    const char *name;
    const char *status;  /* "pass", "failure", "error", "skipped" */
    const char *message;
    const char *out;     /* system-out, or NULL */
};

static void write_case(struct sbuf *o, const char *classname, const struct tcase *t)
{
    sbuf_add(o, "    <testcase classname=\"");
    junit_escape(o, classname);
    sbuf_add(o, "\" name=\"");
    junit_escape(o, t->name);
    sbuf_add(o, "\" time=\"0\"");
    if (strcmp(t->status, "pass") == 0 && !t->out) {
        sbuf_add(o, "/>\n");
        return;
    }
    sbuf_add(o, ">\n");
    if (strcmp(t->status, "pass") != 0) {
        sbuf_addf(o, "      <%s message=\"", t->status);
        junit_escape(o, t->message);
        if (strcmp(t->status, "skipped") == 0) {
            sbuf_add(o, "\"/>\n");
        } else {
            sbuf_addf(o, "\" type=\"%s\">", strcmp(t->status, "failure") == 0
                                                ? "privaudit.failure"
                                                : "privaudit.missing-data");
            junit_escape(o, t->message);
            sbuf_addf(o, "</%s>\n", t->status);
        }
    }
    if (t->out) {
        sbuf_add(o, "      <system-out>");
        junit_escape(o, t->out);
        sbuf_add(o, "</system-out>\n");
    }
    sbuf_add(o, "    </testcase>\n");
}

static void suite_head(struct sbuf *o, const char *name, size_t tests, size_t failures,
                       size_t errors, size_t skipped)
{
    sbuf_add(o, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    sbuf_addf(o, "<testsuites name=\"privaudit\" tests=\"%zu\" failures=\"%zu\" "
                 "errors=\"%zu\" skipped=\"%zu\">\n",
              tests, failures, errors, skipped);
    sbuf_add(o, "  <testsuite name=\"");
    junit_escape(o, name);
    sbuf_addf(o, "\" tests=\"%zu\" failures=\"%zu\" errors=\"%zu\" skipped=\"%zu\">\n",
              tests, failures, errors, skipped);
}

static void suite_tail(struct sbuf *o)
{
    sbuf_add(o, "  </testsuite>\n</testsuites>\n");
}

void junit_report(const cJSON *rep, struct sbuf *out)
{
    const cJSON *v = view_obj(rep, "verdict");
    const char *status = view_str_or(v, "status", "unknown");
    const cJSON *claim = view_obj(v, "claim");
    double ceps = view_num(claim, "epsilon");
    const cJSON *bounds = view_arr(rep, "bounds"), *b;
    size_t tests = 1 + (size_t)cJSON_GetArraySize(bounds), failures = 0, skipped = 0;
    bool verdict_fail = strcmp(status, "violated") == 0;
    bool verdict_skip = strcmp(status, "no-claim") == 0;
    failures += verdict_fail;
    skipped += verdict_skip;
    cJSON_ArrayForEach(b, bounds)
    {
        double e = view_num(b, "epsilon_lower_bound");
        if (!isfinite(e))
            skipped++;
        else if (isfinite(ceps) && e > ceps)
            failures++;
    }
    char suite[512];
    snprintf(suite, sizeof suite, "privaudit report: %s", view_str_or(rep, "name", "unnamed"));
    suite_head(out, suite, tests, failures, 0, skipped);
    char line[1024], name[300];
    summary_verdict_line(rep, line, sizeof line);
    snprintf(name, sizeof name, "verdict is %s", status);
    struct tcase t = {name, verdict_fail ? "failure" : verdict_skip ? "skipped" : "pass",
                      line, view_str(v, "explanation")};
    if (verdict_skip)
        t.message = "no epsilon was claimed, so there is nothing to check the bounds against";
    write_case(out, "privaudit.verdict", &t);
    cJSON_ArrayForEach(b, bounds)
    {
        double e = view_num(b, "epsilon_lower_bound");
        char es[32], cs[32], cf[32], msg[512];
        view_fmt(es, sizeof es, e);
        view_fmt(cs, sizeof cs, ceps);
        view_fmt_pct(cf, sizeof cf, view_num(b, "confidence"));
        snprintf(name, sizeof name, "bound %s on %s", view_str_or(b, "method", "?"),
                 view_str_or(b, "attack", "?"));
        struct tcase c = {name, "pass", "", msg};
        if (!isfinite(e)) {
            c.status = "skipped";
            c.message = "the epsilon lower bound could not be computed (null)";
            c.out = NULL;
        } else if (isfinite(ceps) && e > ceps) {
            c.status = "failure";
            snprintf(msg, sizeof msg, "epsilon lower bound %s (%s confidence) exceeds the "
                     "claimed epsilon %s", es, cf, cs);
            c.message = msg;
        } else if (isfinite(ceps)) {
            snprintf(msg, sizeof msg, "epsilon lower bound %s (%s confidence) does not "
                     "exceed the claimed epsilon %s", es, cf, cs);
        } else {
            snprintf(msg, sizeof msg, "epsilon lower bound %s (%s confidence); no claim",
                     es, cf);
        }
        write_case(out, "privaudit.bound", &c);
    }
    suite_tail(out);
}

void junit_gate(const struct gate_result *res, const char *report_name, struct sbuf *out)
{
    char suite[600];
    snprintf(suite, sizeof suite, "privaudit gate: %s on %s", res->policy_name,
             report_name ? report_name : "report");
    suite_head(out, suite, res->n, res->n_fail, res->n_error, 0);
    for (size_t i = 0; i < res->n; i++) {
        const struct gate_rule *g = &res->rules[i];
        char name[400], so[800];
        snprintf(name, sizeof name, "rule %d: %s", g->index, g->label);
        snprintf(so, sizeof so, "measured %s, limit %s: %s", g->measured, g->limit,
                 gate_status_name(g->status));
        struct tcase t = {name,
                          g->status == GATE_PASS   ? "pass"
                          : g->status == GATE_FAIL ? "failure"
                                                   : "error",
                          g->message, so};
        write_case(out, "privaudit.gate", &t);
    }
    suite_tail(out);
}

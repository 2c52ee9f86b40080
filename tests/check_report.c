/*
 * tests/check_report.c - the report renderers: schema checks, Markdown
 * (golden file), HTML, JUnit, plots.  Run from the repository root.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/afile.h"
#include "core/error.h"
#include "core/jsonx.h"
#include "report/doc.h"
#include "report/html.h"
#include "report/junit.h"
#include "report/md.h"
#include "report/plot.h"
#include "report/render.h"
#include "report/schema.h"
#include "report/summary.h"
#include "report/view.h"

#define FIXTURE "fixtures/reports/v1-demo.json"
#define GOLDEN "fixtures/reports/v1-demo.expected.md"

static cJSON *load_fixture(void)
{
    struct error err;
    error_clear(&err);
    cJSON *r = NULL;
    int rc = schema_load(FIXTURE, &r, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    return r;
}

/* Replace the value at a dotted path ("attacks.0.auc"); v NULL deletes it. */
static void set_path(cJSON *root, const char *path, cJSON *v)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    cJSON *o = root;
    char *save = NULL, *tok = strtok_r(buf, ".", &save);
    while (tok) {
        char *next = strtok_r(NULL, ".", &save);
        bool idx = tok[0] >= '0' && tok[0] <= '9';
        if (!next) {
            if (idx) {
                if (v)
                    cJSON_ReplaceItemInArray(o, atoi(tok), v);
                else
                    cJSON_DeleteItemFromArray(o, atoi(tok));
            } else if (v) {
                if (cJSON_GetObjectItemCaseSensitive(o, tok))
                    cJSON_ReplaceItemInObjectCaseSensitive(o, tok, v);
                else
                    cJSON_AddItemToObject(o, tok, v);
            } else {
                cJSON_DeleteItemFromObjectCaseSensitive(o, tok);
            }
            return;
        }
        o = idx ? cJSON_GetArrayItem(o, atoi(tok)) : cJSON_GetObjectItemCaseSensitive(o, tok);
        ck_assert_msg(o != NULL, "no %s in %s", tok, path);
        tok = next;
    }
}

static char *markdown_of(const cJSON *r)
{
    struct error err;
    error_clear(&err);
    char *md = NULL;
    ck_assert_int_eq(report_markdown(r, &md, &err), 0);
    return md;
}

START_TEST(golden_markdown_should_match_expected_file_byte_for_byte)
{
    cJSON *r = load_fixture();
    char *md = markdown_of(r);
    char *want = NULL;
    size_t len = 0;
    struct error err;
    ck_assert_int_eq(afile_read_all(GOLDEN, &want, &len, &err), 0);
    if (strcmp(md, want) != 0) {
        size_t i = 0;
        while (md[i] && md[i] == want[i])
            i++;
        ck_abort_msg("report.md differs from %s at byte %zu: got '%.60s', want '%.60s' "
                     "(regenerate with: build/privaudit report %s --format md --out DIR)",
                     GOLDEN, i, md + i, want + i, FIXTURE);
    }
    free(want);
    free(md);
    cJSON_Delete(r);
}
END_TEST

START_TEST(schema_should_reject_unsupported_versions_naming_version_and_file)
{
    cJSON *r = load_fixture();
    set_path(r, "schema_version", cJSON_CreateNumber(2));
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(schema_check(r, "x/report.json", &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "x/report.json: schema_version 2 is not supported"));
    ck_assert_ptr_nonnull(strstr(err.msg, "schema version 1"));
    set_path(r, "schema_version", NULL);
    ck_assert_int_eq(schema_check(r, "r.json", &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "r.json: schema_version: missing"));
    cJSON_Delete(r);
}
END_TEST

static const struct {
    const char *path; /* deleted, or replaced by a string when bad_type */
    bool bad_type;
    const char *want;
} SCHEMA_CASES[] = {
    {"attacks.0.auc", false, "r.json: attacks[0].auc: missing (required: a number or null)"},
    {"attacks.1.tpr_at_fpr.2.resolvable", false, "attacks[1].tpr_at_fpr[2].resolvable: missing"},
    {"attacks.0.roc.tpr", false, "attacks[0].roc.tpr: missing"},
    {"bounds.1.confidence", true, "bounds[1].confidence: expected a number in [0, 1], got a string"},
    {"bounds.0.method", false, "bounds[0].method: missing"},
    {"verdict.status", false, "verdict.status: missing"},
    {"verdict.status", true, "verdict.status: expected one of 'no-claim', 'consistent', 'violated', got 'x'"},
    {"verdict.claim", false, "verdict.claim: missing"},
    {"provenance.inputs.1.sha256", false, "provenance.inputs[1].sha256: missing"},
    {"provenance.started_at", false, "provenance.started_at: missing"},
    {"target.test_accuracy", false, "target.test_accuracy: missing"},
    {"data.members", false, "data.members: missing"},
    {"bounds", true, "bounds: expected an array"},
    {"tool", false, "tool: missing"},
};

START_TEST(schema_should_name_the_missing_or_bad_field_path)
{
    struct error err;
    for (size_t i = 0; i < sizeof SCHEMA_CASES / sizeof *SCHEMA_CASES; i++) {
        cJSON *r = load_fixture();
        set_path(r, SCHEMA_CASES[i].path,
                 SCHEMA_CASES[i].bad_type ? cJSON_CreateString("x") : NULL);
        error_clear(&err);
        ck_assert_int_eq(schema_check(r, "r.json", &err), ERR_INPUT);
        ck_assert_msg(strstr(err.msg, SCHEMA_CASES[i].want) != NULL, "case %s: got '%s'",
                      SCHEMA_CASES[i].path, err.msg);
        cJSON_Delete(r);
    }
}
END_TEST

START_TEST(verdict_line_should_state_status_bound_and_claim)
{
    cJSON *r = load_fixture();
    char *md = markdown_of(r);
    ck_assert_ptr_nonnull(strstr(md, "**Verdict: violated** \xe2\x80\x94 epsilon lower bound "
                                     "2.071 (clopper-pearson on loss, 95% confidence) exceeds "
                                     "the claimed epsilon 1\n"));
    /* the verdict comes first, right after the title */
    ck_assert_ptr_eq(strstr(md, "**Verdict"), strchr(md, '\n') + 2);
    free(md);
    set_path(r, "verdict.status", cJSON_CreateString("consistent"));
    set_path(r, "verdict.claim.epsilon", cJSON_CreateNumber(8));
    md = markdown_of(r);
    ck_assert_ptr_nonnull(strstr(md, "**Verdict: consistent** \xe2\x80\x94 epsilon lower bound "
                                     "2.071 (clopper-pearson on loss, 95% confidence) does not "
                                     "exceed the claimed epsilon 8\n"));
    free(md);
    set_path(r, "verdict.status", cJSON_CreateString("no-claim"));
    set_path(r, "verdict.claim", cJSON_CreateNull());
    md = markdown_of(r);
    ck_assert_ptr_nonnull(strstr(md, "**Verdict: no-claim** \xe2\x80\x94 no epsilon was claimed; "
                                     "the largest epsilon lower bound is 2.071"));
    ck_assert_ptr_nonnull(strstr(md, "No epsilon was claimed"));
    free(md);
    cJSON_Delete(r);
}
END_TEST

START_TEST(markdown_should_have_tables_provenance_and_threat_model)
{
    cJSON *r = load_fixture();
    char *md = markdown_of(r);
    static const char *const want[] = {
        "| Method | Attack | Epsilon lower bound | Confidence | Delta | Counts |",
        "| `clopper-pearson` | `loss` | 2.071 | 97.5% | 1e-05 | tp 1148, fn 3, fp 1053, tn 97 |",
        "| config | 1 | 1e-05 | `verdict.claim` |",
        "| TPR at 0.01% FPR | TPR at 0.1% FPR | TPR at 1% FPR | TPR at 10% FPR |",
        "0.0004346 at FPR 0 (unresolvable)",
        "| `xgboost` | 2301 | 2300 | 0.9991 | 0.9461 |",
        "`44ddfaa74c09e1e05eb43a0d2d241de2c3a87a5a9ccd9b3f1bf440f7f3e35ff0`",
        "- Seed: `20261203`",
        "| `xgboost` | 1.7.4 |",
        "## Threat model and assumptions",
        "evidence of leakage, never a proof of privacy",
        "does not certify the claim",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(strstr(md, want[i]) != NULL, "markdown lacks '%s'", want[i]);
    ck_assert_ptr_null(strstr(md, "(null)"));
    free(md);
    cJSON_Delete(r);
}
END_TEST

START_TEST(markdown_should_render_fields_of_later_schema_revisions_generically)
{
    cJSON *r = load_fixture();
    cJSON *claims = cJSON_Parse(
        "[{\"source\": \"accountant\", \"epsilon\": 0.5, \"delta\": 1e-5, "
        "\"accountant\": \"rdp\", \"steps\": 1000}, {\"epsilon\": null}]");
    set_path(r, "claims", claims);
    set_path(r, "canaries", cJSON_Parse("{\"count\": 1000, \"guesses\": 100, \"correct\": 93, "
                                        "\"kinds\": [\"random\", \"mislabelled\"], "
                                        "\"per_guess\": [{\"k\": 10, \"eps\": 0.1}, {\"k\": 20}]}"));
    set_path(r, "shadows", cJSON_Parse("[{\"model\": 1, \"auc\": 0.5}, {\"model\": 2, \"in\": true}]"));
    set_path(r, "weird", cJSON_Parse("[1, \"two\", null, [3], {\"a\": 1}]"));
    cJSON *one = cJSON_Parse("{\"method\": \"one-run\", \"attack\": \"loss\", "
                             "\"epsilon_lower_bound\": null, \"confidence\": 0.95, "
                             "\"delta\": 1e-5, \"guesses\": 100, \"correct\": 93, "
                             "\"by_guesses\": {\"guesses\": [10, 100], "
                             "\"epsilon_lower_bound\": [0.1, 0.4]}}");
    cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(r, "bounds"), one);
    struct error err;
    error_clear(&err);
    ck_assert_msg(schema_check(r, "r", &err) == 0, "%s", err.msg);
    char *md = markdown_of(r);
    static const char *const want[] = {
        "| accountant | 0.5 | 1e-05 | `claims[0]` | accountant=rdp, steps=1000 |",
        "| unspecified | n/a | n/a | `claims[1]` |",
        "| `one-run` | `loss` | n/a | 95% | 1e-05 |  | n/a | guesses=100, correct=93 |",
        "### canaries", "| `count` | 1000 |", "| `kinds` | random, mislabelled |",
        "#### canaries.per\\_guess", "| `k` | `eps` |", "| 20 |  |",
        "### shadows", "| `model` | `auc` | `in` |", "| 2 |  | true |",
        "### weird", "1, two, n/a, (array), (object)",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        ck_assert_msg(strstr(md, want[i]) != NULL, "markdown lacks '%s'", want[i]);
    ck_assert_ptr_null(strstr(md, "(null)"));
    free(md);
    cJSON_Delete(r);
}
END_TEST

START_TEST(markdown_should_survive_a_minimal_report_without_optional_fields)
{
    cJSON *r = load_fixture();
    static const char *const drop[] = {
        "attacks.0.variant", "attacks.0.advantage", "attacks.0.threat_model",
        "attacks.0.balanced_accuracy", "attacks.1.roc.points_full", "provenance.libraries",
        "provenance.threads", "provenance.command", "provenance.config", "data.split",
        "data.label", "data.classes", "data.rows", "target.params", "target.n_train",
        "timings", "verdict.decided_by", "bounds.0.counts", "bounds.1.threshold",
        "bounds.0.assumptions", "provenance.inputs.1.rows"};
    for (size_t i = 0; i < sizeof drop / sizeof *drop; i++)
        set_path(r, drop[i], NULL);
    set_path(r, "attacks.1.tpr_at_fpr", cJSON_CreateArray());
    set_path(r, "bounds.1.epsilon_lower_bound", cJSON_CreateNull());
    set_path(r, "attacks.0.auc", cJSON_CreateNull());
    struct error err;
    error_clear(&err);
    ck_assert_msg(schema_check(r, "r", &err) == 0, "%s", err.msg);
    char *md = markdown_of(r);
    ck_assert_ptr_null(strstr(md, "(null)"));
    ck_assert_ptr_null(strstr(md, " nan"));
    ck_assert_ptr_null(strstr(md, "inf "));
    ck_assert_ptr_nonnull(strstr(md, "**Verdict: violated**"));
    /* without decided_by the verdict names the largest bound */
    ck_assert_ptr_nonnull(strstr(md, "epsilon lower bound 2.071 (clopper-pearson on loss"));
    free(md);
    cJSON_Delete(r);
}
END_TEST

START_TEST(markdown_should_escape_report_strings)
{
    cJSON *r = load_fixture();
    set_path(r, "name", cJSON_CreateString("a|b <script>*x* @team [l](u) `c`\nline2"));
    set_path(r, "attacks.0.name", cJSON_CreateString("lo|ss`"));
    char *md = markdown_of(r);
    ck_assert_ptr_nonnull(strstr(md, "# Privacy audit: a\\|b &lt;script&gt;\\*x\\* \\@team "
                                     "\\[l\\](u) \\`c\\` line2\n"));
    ck_assert_ptr_nonnull(strstr(md, "| `` lo\\|ss` `` |"));
    ck_assert_ptr_null(strstr(md, "<script"));
    free(md);
    cJSON_Delete(r);
}
END_TEST

START_TEST(view_fmt_should_be_deterministic)
{
    static const struct {
        double x;
        const char *want;
    } cases[] = {{0.1, "0.1"}, {2.0706414889823863, "2.071"}, {1e-5, "1e-05"},
                 {20261203, "2.026e+07"}, {-0.0, "0"}, {NAN, "n/a"}, {INFINITY, "n/a"},
                 {0.95, "0.95"}};
    char buf[32];
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        view_fmt(buf, sizeof buf, cases[i].x);
        ck_assert_str_eq(buf, cases[i].want);
    }
    view_fmt_pct(buf, sizeof buf, 0.0001);
    ck_assert_str_eq(buf, "0.01%");
    view_fmt_pct(buf, sizeof buf, 0.95);
    ck_assert_str_eq(buf, "95%");
}
END_TEST

START_TEST(format_list_should_parse_and_reject_unknown_names)
{
    unsigned f = 0;
    struct error err;
    ck_assert_int_eq(report_parse_formats("md,html", &f, &err), 0);
    ck_assert_uint_eq(f, REPORT_FMT_MD | REPORT_FMT_HTML);
    ck_assert_int_eq(report_parse_formats("all", &f, &err), 0);
    ck_assert_uint_eq(f, REPORT_FMT_ALL);
    ck_assert_int_eq(report_parse_formats("md,pdf", &f, &err), ERR_USAGE);
    ck_assert_ptr_nonnull(strstr(err.msg, "unknown format 'pdf'"));
    ck_assert_int_eq(report_parse_formats("", &f, &err), ERR_USAGE);
}
END_TEST

static char *read_text(const char *path)
{
    char *t = NULL;
    size_t len;
    struct error err;
    ck_assert_msg(afile_read_all(path, &t, &len, &err) == 0, "%s", err.msg);
    return t;
}

static bool exists(const char *dir, const char *name)
{
    char p[512];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return access(p, F_OK) == 0;
}

static void rm_dir(const char *dir)
{
    static const char *const names[] = {
        "report.md", "report.html", "report.junit.xml", "roc.dat", "roc.gp", "roc.png",
        "roc.svg", "epsilon.dat", "epsilon.gp", "epsilon.png", "epsilon.svg", "hist.dat",
        "hist.gp", "hist.png", "hist.svg", "guesses.dat", "guesses.gp", "guesses.png",
        "guesses.svg"};
    char p[512];
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, names[i]);
        unlink(p);
    }
    rmdir(dir);
}

START_TEST(html_should_be_self_contained_escaped_and_carry_inline_svg)
{
    cJSON *r = load_fixture();
    set_path(r, "name", cJSON_CreateString("x <img src=y onerror=alert(1)> & \"q\""));
    char dir[] = "/tmp/privaudit-check-html.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    struct error err;
    error_clear(&err);
    struct report_notes notes;
    int rc = report_render_ex(r, dir, REPORT_FMT_HTML, &notes, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    char p[512];
    snprintf(p, sizeof p, "%s/report.html", dir);
    char *html = read_text(p);
    ck_assert_ptr_null(strstr(html, "<script"));
    ck_assert_ptr_null(strstr(html, "http://"));
    ck_assert_ptr_null(strstr(html, "https://"));
    ck_assert_ptr_null(strstr(html, "<img"));
    ck_assert_ptr_nonnull(strstr(html, "x &lt;img src=y onerror=alert(1)&gt; &amp; &quot;q&quot;"));
    ck_assert_ptr_nonnull(strstr(html, "<p class=\"verdict violated\"><strong>Verdict: violated"));
    ck_assert_ptr_nonnull(strstr(html, "<th>Epsilon lower bound</th>"));
    ck_assert_ptr_nonnull(strstr(html, "not shown: the report has no score histograms"));
    char gp[512];
    if (plot_find_gnuplot(gp, sizeof gp)) {
        ck_assert_ptr_nonnull(strstr(html, "<svg"));
        ck_assert_ptr_nonnull(strstr(html, "id=\"roc-gnuplot_canvas\""));
        /* the SVGs were only drawn for the page */
        ck_assert(!exists(dir, "roc.svg"));
    } else {
        ck_assert(notes.gnuplot_missing);
    }
    free(html);
    rm_dir(dir);
    cJSON_Delete(r);
}
END_TEST

START_TEST(render_without_gnuplot_should_warn_and_write_the_rest)
{
    cJSON *r = load_fixture();
    char dir[] = "/tmp/privaudit-check-nognuplot.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char *old = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
    setenv("PATH", "/nonexistent", 1);
    struct error err;
    error_clear(&err);
    struct report_notes notes;
    int rc = report_render_ex(r, dir, REPORT_FMT_ALL, &notes, &err);
    if (old) {
        setenv("PATH", old, 1);
        free(old);
    }
    ck_assert_msg(rc == 0, "%s", err.msg);
    ck_assert(notes.gnuplot_missing);
    ck_assert(exists(dir, "report.md") && exists(dir, "report.html") &&
              exists(dir, "report.junit.xml") && exists(dir, "roc.dat") &&
              exists(dir, "roc.gp") && exists(dir, "epsilon.gp"));
    ck_assert(!exists(dir, "roc.png") && !exists(dir, "roc.svg"));
    char p[512];
    snprintf(p, sizeof p, "%s/report.html", dir);
    char *html = read_text(p);
    ck_assert_ptr_nonnull(strstr(html, "gnuplot was not found on PATH"));
    free(html);
    bool hist_note = false;
    for (size_t i = 0; i < notes.n_warnings; i++)
        hist_note |= strstr(notes.warnings[i], "plot 'hist' skipped") != NULL;
    ck_assert(hist_note);
    rm_dir(dir);
    cJSON_Delete(r);
}
END_TEST

START_TEST(plots_should_be_drawn_as_png_and_svg_when_gnuplot_is_present)
{
    char gp[512];
    if (!plot_find_gnuplot(gp, sizeof gp))
        return; /* nothing to check without gnuplot */
    cJSON *r = load_fixture();
    /* a histogram and a guesses series make every plot available */
    set_path(r, "attacks.0.histogram",
             cJSON_Parse("{\"bins\": [-3, -2, -1, 0], \"in\": [100, 300, 900], "
                         "\"out\": [300, 500, 500]}"));
    set_path(r, "bounds.0.by_guesses",
             cJSON_Parse("{\"guesses\": [10, 50, 100, 500], "
                         "\"epsilon_lower_bound\": [0.2, 0.9, 1.4, 1.1]}"));
    struct plot_info plan[PLOT_N];
    plot_plan(r, plan);
    for (int i = 0; i < PLOT_N; i++)
        ck_assert_msg(plan[i].available, "plot %s: %s", plan[i].name, plan[i].reason);
    char dir[] = "/tmp/privaudit-check-plots.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    struct error err;
    error_clear(&err);
    int rc = report_render(r, dir, REPORT_FMT_PNG | REPORT_FMT_SVG, &err);
    ck_assert_msg(rc == 0, "%s", err.msg);
    static const char *const files[] = {"roc.png", "roc.svg", "hist.png", "hist.svg",
                                         "epsilon.png", "epsilon.svg", "guesses.png",
                                         "guesses.svg"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        char p[512];
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        struct stat st;
        ck_assert_msg(stat(p, &st) == 0 && st.st_size > 1000, "%s missing or empty", p);
    }
    ck_assert(!exists(dir, "report.md"));
    rm_dir(dir);
    cJSON_Delete(r);
}
END_TEST

START_TEST(plot_plan_should_say_why_a_plot_is_skipped)
{
    cJSON *r = load_fixture();
    struct plot_info plan[PLOT_N];
    plot_plan(r, plan);
    ck_assert(plan[PLOT_ROC].available && plan[PLOT_EPSILON].available);
    ck_assert(!plan[PLOT_HIST].available && !plan[PLOT_GUESSES].available);
    ck_assert_ptr_nonnull(strstr(plan[PLOT_HIST].reason, "attacks[].histogram"));
    ck_assert_ptr_nonnull(strstr(plan[PLOT_GUESSES].reason, "bounds[].by_guesses"));
    set_path(r, "attacks.0.histogram", cJSON_Parse("{\"bins\": [1, 2], \"in\": [1, 2], \"out\": [1]}"));
    plot_plan(r, plan);
    ck_assert(!plan[PLOT_HIST].available);
    ck_assert_ptr_nonnull(strstr(plan[PLOT_HIST].reason, "malformed"));
    cJSON_Delete(r);
}
END_TEST

START_TEST(plot_scripts_should_not_carry_quotes_or_backquotes_from_the_report)
{
    cJSON *r = load_fixture();
    set_path(r, "attacks.0.name", cJSON_CreateString("x'; system('touch /tmp/pwn') #`id`"));
    char dir[] = "/tmp/privaudit-check-gp.XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    struct error err;
    ck_assert_int_eq(plot_write_script(r, dir, PLOT_ROC, &err), 0);
    char p[512];
    snprintf(p, sizeof p, "%s/roc.gp", dir);
    char *gp = read_text(p);
    ck_assert_ptr_null(strstr(gp, "system('touch"));
    ck_assert_ptr_null(strchr(gp, '`'));
    ck_assert_ptr_nonnull(strstr(gp, "title 'x?; system(?touch /tmp/pwn?) #?id? (AUC"));
    free(gp);
    rm_dir(dir);
    cJSON_Delete(r);
}
END_TEST

START_TEST(inline_svg_should_strip_namespaces_prefix_ids_and_refuse_scripts)
{
    const char *svg = "<?xml version=\"1.0\"?>\n<!DOCTYPE svg PUBLIC \"x\" "
                      "\"http://www.w3.org/Graphics/SVG/1.1/DTD/svg11.dtd\">\n"
                      "<svg width=\"10\"\n xmlns=\"http://www.w3.org/2000/svg\"\n"
                      " xmlns:xlink=\"http://www.w3.org/1999/xlink\">\n"
                      "<path id='a'/><use xlink:href='#a'/><g clip-path=\"url(#c)\"/></svg>\n";
    struct sbuf b = {0};
    ck_assert(html_inline_svg(svg, "roc", &b));
    ck_assert_str_eq(sbuf_str(&b), "<svg width=\"10\"\n\n>\n<path id='roc-a'/><use "
                                   "xlink:href='#roc-a'/><g clip-path=\"url(#roc-c)\"/></svg>");
    sbuf_release(&b);
    static const char *const bad[] = {
        "<svg><script>alert(1)</script></svg>", "<svg><a href=\"https://x\"/></svg>",
        "<svg><g onload=\"x()\"/></svg>", "no svg here",
        "<svg><foreignObject/></svg>"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        ck_assert_msg(!html_inline_svg(bad[i], "p", &b), "accepted '%s'", bad[i]);
        ck_assert_uint_eq(b.len, 0);
    }
}
END_TEST

START_TEST(junit_report_should_have_a_case_for_the_verdict_and_each_bound)
{
    cJSON *r = load_fixture();
    set_path(r, "bounds.1.attack", cJSON_CreateString("a&b<\"c\">"));
    struct sbuf b = {0};
    junit_report(r, &b);
    const char *x = sbuf_str(&b);
    ck_assert_ptr_nonnull(strstr(x, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
    ck_assert_ptr_nonnull(strstr(x, "tests=\"3\" failures=\"3\" errors=\"0\" skipped=\"0\""));
    ck_assert_ptr_nonnull(strstr(x, "name=\"verdict is violated\""));
    ck_assert_ptr_nonnull(strstr(x, "<failure message=\"epsilon lower bound 2.071 "
                                    "(clopper-pearson on loss, 95% confidence) exceeds the "
                                    "claimed epsilon 1\""));
    ck_assert_ptr_nonnull(strstr(x, "name=\"bound clopper-pearson on a&amp;b&lt;&quot;c&quot;&gt;\""));
    int cases = 0;
    for (const char *p = strstr(x, "<testcase"); p; p = strstr(p + 1, "<testcase"))
        cases++;
    ck_assert_int_eq(cases, 3);
    sbuf_release(&b);
    /* no claim: the verdict is skipped, the bounds pass */
    set_path(r, "verdict.status", cJSON_CreateString("no-claim"));
    set_path(r, "verdict.claim", cJSON_CreateNull());
    junit_report(r, &b);
    x = sbuf_str(&b);
    ck_assert_ptr_nonnull(strstr(x, "tests=\"3\" failures=\"0\" errors=\"0\" skipped=\"1\""));
    ck_assert_ptr_nonnull(strstr(x, "<skipped message=\"no epsilon was claimed"));
    sbuf_release(&b);
    cJSON_Delete(r);
}
END_TEST

START_TEST(junit_escape_should_make_any_bytes_valid_xml)
{
    struct sbuf b = {0};
    junit_escape(&b, "a\x01" "b\xff" "c<&>'\"\n\xe2\x82\xac");
    ck_assert_str_eq(sbuf_str(&b), "a b\xef\xbf\xbd" "c&lt;&amp;&gt;&apos;&quot;&#10;\xe2\x82\xac");
    sbuf_release(&b);
}
END_TEST

START_TEST(render_should_refuse_an_invalid_report)
{
    cJSON *r = load_fixture();
    set_path(r, "verdict", NULL);
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(report_render(r, "/tmp/privaudit-never-created", REPORT_FMT_MD, &err),
                     ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "verdict: missing"));
    ck_assert_int_ne(access("/tmp/privaudit-never-created", F_OK), 0);
    cJSON_Delete(r);
}
END_TEST

Suite *report_suite(void)
{
    Suite *s = suite_create("report");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, golden_markdown_should_match_expected_file_byte_for_byte);
    tcase_add_test(tc, schema_should_reject_unsupported_versions_naming_version_and_file);
    tcase_add_test(tc, schema_should_name_the_missing_or_bad_field_path);
    tcase_add_test(tc, verdict_line_should_state_status_bound_and_claim);
    tcase_add_test(tc, markdown_should_have_tables_provenance_and_threat_model);
    tcase_add_test(tc, markdown_should_render_fields_of_later_schema_revisions_generically);
    tcase_add_test(tc, markdown_should_survive_a_minimal_report_without_optional_fields);
    tcase_add_test(tc, markdown_should_escape_report_strings);
    tcase_add_test(tc, view_fmt_should_be_deterministic);
    tcase_add_test(tc, format_list_should_parse_and_reject_unknown_names);
    tcase_add_test(tc, html_should_be_self_contained_escaped_and_carry_inline_svg);
    tcase_add_test(tc, render_without_gnuplot_should_warn_and_write_the_rest);
    tcase_add_test(tc, plots_should_be_drawn_as_png_and_svg_when_gnuplot_is_present);
    tcase_add_test(tc, plot_plan_should_say_why_a_plot_is_skipped);
    tcase_add_test(tc, plot_scripts_should_not_carry_quotes_or_backquotes_from_the_report);
    tcase_add_test(tc, inline_svg_should_strip_namespaces_prefix_ids_and_refuse_scripts);
    tcase_add_test(tc, junit_report_should_have_a_case_for_the_verdict_and_each_bound);
    tcase_add_test(tc, junit_escape_should_make_any_bytes_valid_xml);
    tcase_add_test(tc, render_should_refuse_an_invalid_report);
    suite_add_tcase(s, tc);
    return s;
}

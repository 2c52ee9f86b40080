/*
 * tests/check_gate.c - release gate policies: validation with key paths, each
 * rule's pass / fail / missing-data outcome, times, JUnit and Markdown output.
 * Run from the repository root (reads fixtures/reports/v1-demo.json: verdict
 * violated; bounds 2.071 on loss and 1.635 on confidence at 97.5%; AUC 0.5488
 * (loss) and 0.5448 (confidence); started 2026-12-03T12:00:00Z).
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/error.h"
#include "report/doc.h"
#include "report/gate.h"
#include "report/junit.h"
#include "report/md.h"
#include "report/sbuf.h"
#include "report/schema.h"

/* 2026-12-03T12:00:00Z, the fixture's started_at (calendar.timegm). */
#define STARTED ((time_t)1796299200)
#define DAY ((time_t)86400)

static cJSON *fixture(void)
{
    struct error err;
    cJSON *r = NULL;
    ck_assert_msg(schema_load("fixtures/reports/v1-demo.json", &r, &err) == 0, "%s", err.msg);
    return r;
}

/* Evaluate a one-rule policy; returns the rule's outcome in *g. */
static void eval_one(const cJSON *rep, const char *rule_json, time_t now, struct gate_rule *g)
{
    char text[1024];
    snprintf(text, sizeof text, "{\"name\": \"t\", \"rules\": [%s]}", rule_json);
    cJSON *pol = cJSON_Parse(text);
    ck_assert_msg(pol != NULL, "bad test policy %s", text);
    struct error err;
    error_clear(&err);
    ck_assert_msg(gate_check_policy(pol, "p.json", &err) == 0, "%s: %s", rule_json, err.msg);
    struct gate_result res;
    ck_assert_msg(gate_eval(rep, pol, now, &res, &err) == 0, "%s", err.msg);
    ck_assert_uint_eq(res.n, 1);
    *g = res.rules[0];
    gate_result_release(&res);
    cJSON_Delete(pol);
}

static const struct {
    const char *rule;
    enum gate_status want;
    const char *text; /* in measured (PASS) or message (FAIL, ERROR) */
} CASES[] = {
    {"{\"require_verdict\": \"violated\"}", GATE_PASS, "violated"},
    {"{\"require_verdict\": \"consistent\"}", GATE_FAIL,
     "verdict is 'violated', the policy requires 'consistent'"},
    {"{\"max_epsilon_lower_bound\": 3}", GATE_PASS, "2.07064 (clopper-pearson on loss)"},
    {"{\"max_epsilon_lower_bound\": 2}", GATE_FAIL,
     "epsilon lower bound 2.07064 (clopper-pearson on loss) exceeds the limit 2"},
    {"{\"max_epsilon_lower_bound\": 1.7, \"attack\": \"confidence\"}", GATE_PASS, "(clopper-pearson on confidence)"},
    {"{\"max_epsilon_lower_bound\": 1, \"method\": \"one-run\"}", GATE_ERROR,
     "report lacks bounds[] with method 'one-run' needed by rule 1 (max_epsilon_lower_bound)"},
    {"{\"max_auc\": 0.6}", GATE_PASS, "0.548785 (loss)"},
    {"{\"max_auc\": 0.546, \"attack\": \"*\"}", GATE_FAIL, "attack 'loss' has AUC 0.548785, above the limit 0.546"},
    {"{\"max_auc\": 0.546, \"attack\": \"confidence\"}", GATE_PASS, "(confidence)"},
    {"{\"max_auc\": 0.6, \"attack\": \"lira\"}", GATE_ERROR,
     "report lacks attacks[] named 'lira' needed by rule 1 (max_auc)"},
    {"{\"max_tpr_at_fpr\": {\"fpr\": 0.01, \"max\": 0.05}}", GATE_PASS, "0.0112994 (loss)"},
    {"{\"max_tpr_at_fpr\": {\"fpr\": 0.1, \"max\": 0.1}, \"attack\": \"loss\"}", GATE_FAIL,
     "attack 'loss' has TPR 0.110821 at FPR 0.1, above the limit 0.1"},
    {"{\"max_tpr_at_fpr\": {\"fpr\": 0.0001, \"max\": 0.5}}", GATE_ERROR,
     "report lacks a resolvable attacks[0].tpr_at_fpr[0] needed by rule 1 (max_tpr_at_fpr): "
     "2300 non-members cannot measure FPR 0.0001"},
    {"{\"max_tpr_at_fpr\": {\"fpr\": 0.005, \"max\": 0.5}}", GATE_ERROR,
     "report lacks attacks[0].tpr_at_fpr with target_fpr 0.005 needed by rule 1"},
    {"{\"min_canaries\": 10}", GATE_ERROR, "report lacks canaries.count needed by rule 1 (min_canaries)"},
    {"{\"min_guesses\": 10}", GATE_ERROR, "report lacks canaries.guesses needed by rule 1 (min_guesses)"},
    {"{\"min_shadows\": 4}", GATE_ERROR, "report lacks shadows.count needed by rule 1 (min_shadows)"},
    {"{\"min_confidence\": 0.95}", GATE_PASS, "0.975"},
    {"{\"min_confidence\": 0.99, \"method\": \"clopper-pearson\"}", GATE_FAIL,
     "confidence 0.975 (clopper-pearson on loss) is below the required 0.99"},
    {"{\"max_report_age_days\": 30}", GATE_PASS, "3.00 days (started 2026-12-03T12:00:00Z)"},
};

START_TEST(each_rule_should_pass_fail_or_lack_data_as_tabulated)
{
    cJSON *rep = fixture();
    for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
        struct gate_rule g;
        eval_one(rep, CASES[i].rule, STARTED + 3 * DAY, &g);
        ck_assert_msg(g.status == CASES[i].want, "%s: got %s (%s)", CASES[i].rule,
                      gate_status_name(g.status), g.message);
        const char *where = CASES[i].want == GATE_PASS ? g.measured : g.message;
        ck_assert_msg(strstr(where, CASES[i].text) != NULL, "%s: '%s' lacks '%s'",
                      CASES[i].rule, where, CASES[i].text);
        if (CASES[i].want == GATE_PASS)
            ck_assert_str_eq(g.message, "");
    }
    cJSON_Delete(rep);
}
END_TEST

START_TEST(count_rules_should_read_canaries_and_shadows_when_present)
{
    cJSON *rep = fixture();
    cJSON_AddItemToObject(rep, "canaries", cJSON_Parse("{\"count\": 1000, \"guesses\": 50}"));
    cJSON_AddItemToObject(rep, "shadows", cJSON_Parse("{\"count\": 8}"));
    static const struct {
        const char *rule;
        enum gate_status want;
    } c[] = {{"{\"min_canaries\": 1000}", GATE_PASS}, {"{\"min_canaries\": 1001}", GATE_FAIL},
             {"{\"min_guesses\": 50}", GATE_PASS},    {"{\"min_guesses\": 100}", GATE_FAIL},
             {"{\"min_shadows\": 8}", GATE_PASS},     {"{\"min_shadows\": 16}", GATE_FAIL}};
    for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
        struct gate_rule g;
        eval_one(rep, c[i].rule, STARTED, &g);
        ck_assert_msg(g.status == c[i].want, "%s: got %s", c[i].rule, gate_status_name(g.status));
    }
    struct gate_rule g;
    eval_one(rep, "{\"min_shadows\": 16}", STARTED, &g);
    ck_assert_str_eq(g.message, "shadows.count is 8, the policy requires at least 16");
    cJSON_Delete(rep);
}
END_TEST

START_TEST(null_values_should_count_as_missing_data)
{
    cJSON *rep = fixture();
    cJSON *b0 = cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "bounds"), 1);
    cJSON_ReplaceItemInObjectCaseSensitive(b0, "epsilon_lower_bound", cJSON_CreateNull());
    struct gate_rule g;
    eval_one(rep, "{\"max_epsilon_lower_bound\": 5}", STARTED, &g);
    ck_assert_int_eq(g.status, GATE_ERROR);
    ck_assert_ptr_nonnull(strstr(g.message, "report lacks bounds[1].epsilon_lower_bound (it is null)"));
    cJSON *a0 = cJSON_GetArrayItem(cJSON_GetObjectItem(rep, "attacks"), 0);
    cJSON_ReplaceItemInObjectCaseSensitive(a0, "auc", cJSON_CreateNull());
    eval_one(rep, "{\"max_auc\": 0.9}", STARTED, &g);
    ck_assert_int_eq(g.status, GATE_ERROR);
    ck_assert_ptr_nonnull(strstr(g.message, "attacks[0].auc (it is null)"));
    cJSON_Delete(rep);
}
END_TEST

START_TEST(report_age_should_use_the_given_now)
{
    cJSON *rep = fixture();
    struct gate_rule g;
    eval_one(rep, "{\"max_report_age_days\": 30}", STARTED + 40 * DAY, &g);
    ck_assert_int_eq(g.status, GATE_FAIL);
    ck_assert_str_eq(g.message, "the report is 40.00 days old, older than the limit of 30 days");
    eval_one(rep, "{\"max_report_age_days\": 30}", STARTED - 2 * DAY, &g);
    ck_assert_int_eq(g.status, GATE_FAIL);
    ck_assert_ptr_nonnull(strstr(g.message, "is in the future"));
    eval_one(rep, "{\"max_report_age_days\": 0.5}", STARTED + DAY / 4, &g);
    ck_assert_int_eq(g.status, GATE_PASS);
    /* a started_at that is not a UTC time makes the report invalid */
    cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItem(rep, "provenance"), "started_at",
                                           cJSON_CreateString("yesterday"));
    cJSON *pol = cJSON_Parse("{\"rules\": [{\"max_report_age_days\": 1}]}");
    struct gate_result res;
    struct error err;
    ck_assert_int_eq(gate_eval(rep, pol, STARTED, &res, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "provenance.started_at: expected a UTC time"));
    cJSON_Delete(pol);
    cJSON_Delete(rep);
}
END_TEST

START_TEST(parse_time_should_match_calendar_timegm)
{
    /* values from python3 -c "import calendar; calendar.timegm((y,m,d,H,M,S,0,0,0))" */
    static const struct {
        const char *text;
        long long want;
    } ok[] = {{"2026-12-03T00:00:00Z", 1796256000LL},
              {"2000-02-29T12:34:56Z", 951827696LL},
              {"1969-12-31T23:59:59Z", -1LL},
              {"2026-12-03T12:00:00.25Z", 1796299200LL},
              {"2026-12-03T12:00:00+00:00", 1796299200LL},
              {"1970-01-01T00:00:00Z", 0LL}};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        time_t t;
        ck_assert_msg(gate_parse_time(ok[i].text, &t) == 0, "%s", ok[i].text);
        ck_assert_int_eq((long long)t, ok[i].want);
    }
    static const char *const bad[] = {"2026-02-29T00:00:00Z", "2026-12-03 00:00:00Z",
                                      "2026-12-03T00:00:00+01:00", "2026-13-01T00:00:00Z",
                                      "2026-12-03T00:00:00", "", "2026-12-03T24:00:00Z",
                                      "2026-12-03T00:00:00.Z"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        time_t t;
        ck_assert_msg(gate_parse_time(bad[i], &t) == ERR_INPUT, "accepted '%s'", bad[i]);
    }
}
END_TEST

static const struct {
    const char *policy;
    const char *want;
} BAD_POLICIES[] = {
    {"{}", "p.json: rules: missing"},
    {"{\"rules\": []}", "p.json: rules: empty"},
    {"{\"rules\": {}}", "p.json: rules: expected an array"},
    {"{\"rulez\": []}", "p.json: rulez: unknown key"},
    {"{\"rules\": [1]}", "p.json: rules[0]: expected an object"},
    {"{\"rules\": [{}]}", "p.json: rules[0]: no rule key"},
    {"{\"rules\": [{\"foo\": 1}]}", "p.json: rules[0].foo: unknown key"},
    {"{\"rules\": [{\"max_auc\": 0.6, \"atack\": \"loss\"}]}", "p.json: rules[0].atack: unknown key"},
    {"{\"rules\": [{\"max_auc\": 0.6, \"method\": \"x\"}]}", "p.json: rules[0].method: unknown key"},
    {"{\"rules\": [{\"max_auc\": 1.5}]}", "p.json: rules[0].max_auc: expected a number in [0, 1], got 1.5"},
    {"{\"rules\": [{\"max_auc\": \"0.5\"}]}", "p.json: rules[0].max_auc: expected a number in [0, 1], got a string"},
    {"{\"rules\": [{\"max_auc\": 0.5, \"min_guesses\": 3}]}", "p.json: rules[0]: more than one rule"},
    {"{\"rules\": [{\"max_auc\": 0.5, \"attack\": \"\"}]}", "p.json: rules[0].attack: expected a non-empty string"},
    {"{\"rules\": [{\"max_tpr_at_fpr\": {\"fpr\": 0.001}}]}", "p.json: rules[0].max_tpr_at_fpr.max: missing"},
    {"{\"rules\": [{\"max_tpr_at_fpr\": {\"fpr\": 0, \"max\": 0.1}}]}",
     "p.json: rules[0].max_tpr_at_fpr.fpr: expected a number in (0, 1], got 0"},
    {"{\"rules\": [{\"max_tpr_at_fpr\": {\"fpr\": 0.1, \"max\": 0.1, \"x\": 1}}]}",
     "p.json: rules[0].max_tpr_at_fpr.x: unknown key"},
    {"{\"rules\": [{\"max_tpr_at_fpr\": 0.1}]}", "p.json: rules[0].max_tpr_at_fpr: expected an object"},
    {"{\"rules\": [{\"require_verdict\": \"ok\"}]}",
     "p.json: rules[0].require_verdict: expected one of 'no-claim', 'consistent', 'violated', got 'ok'"},
    {"{\"rules\": [{\"min_canaries\": 2.5}]}", "p.json: rules[0].min_canaries: expected an integer >= 0, got 2.5"},
    {"{\"rules\": [{\"min_confidence\": 1}]}", "p.json: rules[0].min_confidence: expected a number in (0, 1), got 1"},
    {"{\"rules\": [{\"max_report_age_days\": 0}]}", "p.json: rules[0].max_report_age_days: expected a number > 0, got 0"},
    {"{\"rules\": [{\"max_epsilon_lower_bound\": -1}]}", "p.json: rules[0].max_epsilon_lower_bound: expected a number >= 0, got -1"},
    {"{\"rules\": [{\"require_verdict\": \"consistent\"}, {\"max_auc\": 2}]}", "p.json: rules[1].max_auc:"},
    {"{\"name\": 3, \"rules\": [{\"max_auc\": 0.5}]}", "p.json: name: expected a string"},
};

START_TEST(policy_validation_should_name_the_key_path)
{
    for (size_t i = 0; i < sizeof BAD_POLICIES / sizeof *BAD_POLICIES; i++) {
        cJSON *pol = cJSON_Parse(BAD_POLICIES[i].policy);
        ck_assert_ptr_nonnull(pol);
        struct error err;
        error_clear(&err);
        ck_assert_msg(gate_check_policy(pol, "p.json", &err) == ERR_INPUT, "accepted %s",
                      BAD_POLICIES[i].policy);
        ck_assert_msg(strstr(err.msg, BAD_POLICIES[i].want) != NULL, "%s: got '%s', want '%s'",
                      BAD_POLICIES[i].policy, err.msg, BAD_POLICIES[i].want);
        cJSON_Delete(pol);
    }
}
END_TEST

START_TEST(example_policies_should_be_valid)
{
    static const char *const files[] = {"fixtures/policies/release.json",
                                        "fixtures/policies/strict.json",
                                        "fixtures/policies/one-run.json"};
    for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
        cJSON *pol = NULL;
        struct error err;
        ck_assert_msg(gate_load_policy(files[i], &pol, &err) == 0, "%s", err.msg);
        cJSON_Delete(pol);
    }
}
END_TEST

static void eval_policy(const cJSON *rep, const char *text, struct gate_result *res)
{
    cJSON *pol = cJSON_Parse(text);
    struct error err;
    ck_assert_msg(gate_check_policy(pol, "p", &err) == 0, "%s", err.msg);
    ck_assert_int_eq(gate_eval(rep, pol, STARTED, res, &err), 0);
    cJSON_Delete(pol);
}

START_TEST(exit_code_should_prefer_missing_data_over_failure)
{
    cJSON *rep = fixture();
    struct gate_result res;
    eval_policy(rep, "{\"rules\": [{\"max_auc\": 0.9}, {\"min_confidence\": 0.5}]}", &res);
    ck_assert_int_eq(gate_exit_code(&res), 0);
    gate_result_release(&res);
    eval_policy(rep, "{\"rules\": [{\"max_auc\": 0.9}, {\"max_auc\": 0.1}]}", &res);
    ck_assert_int_eq(gate_exit_code(&res), 1);
    ck_assert_uint_eq(res.n_fail, 1);
    gate_result_release(&res);
    eval_policy(rep, "{\"rules\": [{\"max_auc\": 0.1}, {\"min_shadows\": 2}, {\"max_auc\": 0.9}]}",
                &res);
    ck_assert_int_eq(gate_exit_code(&res), 2);
    ck_assert_uint_eq(res.n_error, 1);
    ck_assert_uint_eq(res.n_pass, 1);
    ck_assert_str_eq(res.rules[1].message, "report lacks shadows.count needed by rule 2 (min_shadows)");
    gate_result_release(&res);
    cJSON_Delete(rep);
}
END_TEST

START_TEST(junit_and_markdown_should_carry_every_rule)
{
    cJSON *rep = fixture();
    struct gate_result res;
    eval_policy(rep, "{\"name\": \"rel<&>\", \"rules\": [{\"require_verdict\": \"violated\"}, "
                     "{\"max_auc\": 0.5, \"name\": \"auc \\\"cap\\\"\"}, {\"min_canaries\": 5}]}",
                &res);
    struct sbuf b = {0};
    junit_gate(&res, "r.json", &b);
    const char *x = sbuf_str(&b);
    ck_assert_ptr_nonnull(strstr(x, "tests=\"3\" failures=\"1\" errors=\"1\""));
    ck_assert_ptr_nonnull(strstr(x, "name=\"privaudit gate: rel&lt;&amp;&gt; on r.json\""));
    ck_assert_ptr_nonnull(strstr(x, "name=\"rule 1: require_verdict\" time=\"0\">"));
    ck_assert_ptr_nonnull(strstr(x, "name=\"rule 2: auc &quot;cap&quot;: max_auc (attack &apos;*&apos;)\""));
    ck_assert_ptr_nonnull(strstr(x, "<failure message=\"attack &apos;loss&apos; has AUC 0.548785, above the limit 0.5\""));
    ck_assert_ptr_nonnull(strstr(x, "<error message=\"report lacks canaries.count needed by rule 3 (min_canaries)\""));
    sbuf_release(&b);
    struct doc d;
    doc_init(&d);
    gate_summary(&res, &d);
    md_render(&d, &b);
    x = sbuf_str(&b);
    ck_assert_ptr_nonnull(strstr(x, "**Gate: incomplete** \xe2\x80\x94 1 of 3 rules could not be checked"));
    ck_assert_ptr_nonnull(strstr(x, "| 2 | `auc \"cap\": max_auc (attack '*')` | 0.548785 (loss) | &lt;= 0.5 | **FAIL** |"));
    ck_assert_ptr_nonnull(strstr(x, "| 3 | `min_canaries` | n/a | &gt;= 5 | **ERROR** |"));
    sbuf_release(&b);
    doc_release(&d);
    gate_result_release(&res);
    cJSON_Delete(rep);
}
END_TEST

Suite *gate_suite(void)
{
    Suite *s = suite_create("gate");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, each_rule_should_pass_fail_or_lack_data_as_tabulated);
    tcase_add_test(tc, count_rules_should_read_canaries_and_shadows_when_present);
    tcase_add_test(tc, null_values_should_count_as_missing_data);
    tcase_add_test(tc, report_age_should_use_the_given_now);
    tcase_add_test(tc, parse_time_should_match_calendar_timegm);
    tcase_add_test(tc, policy_validation_should_name_the_key_path);
    tcase_add_test(tc, example_policies_should_be_valid);
    tcase_add_test(tc, exit_code_should_prefer_missing_data_over_failure);
    tcase_add_test(tc, junit_and_markdown_should_carry_every_rule);
    suite_add_tcase(s, tc);
    return s;
}

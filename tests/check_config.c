/*
 * tests/check_config.c - config parsing: defaults, path resolution, and an
 * error naming the key path for every kind of bad value.
 */
#include <check.h>
#include <math.h>
#include <string.h>

#include "audit/config.h"
#include "targets/xgbm.h"

#define MINIMAL "\"data\": {\"path\": \"d.csv\"}, \"target\": {\"kind\": \"xgboost\"}"

static int parse(struct config *c, const char *text, struct error *e)
{
    return config_parse(c, text, strlen(text), "cfg.json", "conf/dir", e);
}

START_TEST(config_should_fill_documented_defaults)
{
    struct config c;
    struct error e;
    ck_assert_int_eq(parse(&c, "{" MINIMAL "}", &e), 0);
    ck_assert_str_eq(c.data_path, "conf/dir/d.csv");
    ck_assert_uint_eq(c.seed, 1);
    ck_assert_double_eq(c.member_fraction, 0.5);
    ck_assert_double_eq(c.confidence, 0.95);
    ck_assert_double_eq(c.delta, 1e-5);
    ck_assert_int_eq(c.threshold, THRESHOLD_SPLIT);
    ck_assert(c.attacks[ATTACK_LOSS]);
    ck_assert(!c.attacks[ATTACK_CONFIDENCE]);
    ck_assert(!c.has_claim);
    ck_assert_str_eq(c.target_ops->kind, "xgboost");
    const struct xgbm_params *p = c.target_params;
    ck_assert_int_eq(p->rounds, 100);
    ck_assert_str_eq(c.name, "cfg.json");
    cJSON *j = config_to_json(&c, &e);
    ck_assert_ptr_nonnull(j);
    ck_assert_double_eq(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "target"), "max_depth")
                            ->valuedouble, 6);
    cJSON_Delete(j);
    config_release(&c);
}
END_TEST

START_TEST(config_should_keep_absolute_paths_and_take_claim_delta_for_bounds)
{
    struct config c;
    struct error e;
    ck_assert_int_eq(parse(&c, "{\"data\": {\"path\": \"/abs/d.csv\"}, \"target\": "
                               "{\"kind\": \"xgboost\"}, \"claim\": {\"epsilon\": 2, "
                               "\"delta\": 1e-6}}", &e), 0);
    ck_assert_str_eq(c.data_path, "/abs/d.csv");
    ck_assert(c.has_claim);
    ck_assert_double_eq(c.delta, 1e-6);
    config_release(&c);
}
END_TEST

START_TEST(config_errors_should_name_the_key_path)
{
    static const struct {
        const char *json, *msg;
    } cases[] = {
        {"{\"target\": {\"kind\": \"xgboost\"}}", "cfg.json: data: missing (required)"},
        {"{\"data\": {}, \"target\": {\"kind\": \"xgboost\"}}",
         "cfg.json: data.path: missing (required: a string)"},
        {"{\"data\": {\"path\": \"d.csv\"}}", "cfg.json: target: missing (required)"},
        {"{" MINIMAL ", \"seeed\": 1}", "cfg.json: seeed: unknown key"},
        {"{" MINIMAL ", \"seed\": -1}",
         "cfg.json: seed: expected an integer in [0, 9007199254740991], got -1"},
        {"{\"data\": {\"path\": \"d.csv\"}, \"target\": {\"kind\": \"svm\"}}",
         "cfg.json: target.kind: expected one of xgboost"},
        {"{\"data\": {\"path\": \"d.csv\"}, \"target\": {\"kind\": \"xgboost\", "
         "\"max_depth\": 0}}",
         "cfg.json: target.max_depth: expected an integer in [1, 64], got 0"},
        {"{" MINIMAL ", \"split\": {\"members\": 1}}",
         "cfg.json: split.members: expected a number in (0, 1), got 1"},
        {"{" MINIMAL ", \"bounds\": {\"confidence\": 1}}",
         "cfg.json: bounds.confidence: expected a number in (0, 1), got 1"},
        {"{" MINIMAL ", \"bounds\": {\"threshold\": \"best\"}}",
         "cfg.json: bounds.threshold: expected one of 'split', 'union', got 'best'"},
        {"{" MINIMAL ", \"claim\": {\"epsilon\": 0, \"delta\": 0}}",
         "cfg.json: claim.epsilon: expected a number > 0, got 0"},
        {"{" MINIMAL ", \"claim\": {\"epsilon\": 1}}",
         "cfg.json: claim.delta: missing (required: a number in [0, 1))"},
        {"{" MINIMAL ", \"claim\": {\"epsilon\": 1, \"delta\": 1e-5}, \"bounds\": "
         "{\"delta\": 1e-6}}",
         "cfg.json: bounds.delta: 1e-06 is below claim.delta 1e-05"},
        {"{" MINIMAL ", \"attacks\": [\"lira\"]}",
         "cfg.json: attacks[0]: expected one of 'loss', 'confidence', 'entropy', "
         "'modified-entropy', got 'lira'"},
        {"{" MINIMAL ", \"attacks\": []}",
         "cfg.json: attacks: expected a non-empty array"},
        {"{" MINIMAL ", \"data\": {\"path\": \"x\"}}", "cfg.json: data: duplicate key"},
        {"{" MINIMAL ", \"fail_on_violation\": 1}",
         "cfg.json: fail_on_violation: expected true or false, got a number"},
        {"{\"data\": {\"path\": \"d.csv\", \"format\": \"xlsx\"}, \"target\": "
         "{\"kind\": \"xgboost\"}}",
         "cfg.json: data.format: expected one of 'auto', 'csv', 'libsvm', got 'xlsx'"},
        {"{\n\"data\": {\"path\": \"d.csv\",}\n}", "cfg.json:2:"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        struct config c;
        struct error e;
        ck_assert_int_eq(parse(&c, cases[i].json, &e), ERR_INPUT);
        ck_assert_msg(strncmp(e.msg, cases[i].msg, strlen(cases[i].msg)) == 0,
                      "case %zu: got '%s', want '%s...'", i, e.msg, cases[i].msg);
        ck_assert_ptr_null(c.root); /* released on error */
    }
}
END_TEST

START_TEST(config_load_should_report_a_missing_file_as_io_error)
{
    struct config c;
    struct error e;
    ck_assert_int_eq(config_load(&c, "/nonexistent/cfg.json", &e), ERR_IO);
    ck_assert_str_eq(e.msg, "cannot read '/nonexistent/cfg.json': No such file or directory");
}
END_TEST

Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("config");
    tcase_add_test(tc, config_should_fill_documented_defaults);
    tcase_add_test(tc, config_should_keep_absolute_paths_and_take_claim_delta_for_bounds);
    tcase_add_test(tc, config_errors_should_name_the_key_path);
    tcase_add_test(tc, config_load_should_report_a_missing_file_as_io_error);
    suite_add_tcase(s, tc);
    return s;
}

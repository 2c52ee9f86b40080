/*
 * report/gate.h - release gates: a policy of rules checked against a report.
 *
 * A policy is a JSON object (docs/reporting.md):
 *   {"name": "release", "description": "...", "rules": [
 *      {"require_verdict": "consistent"},
 *      {"max_epsilon_lower_bound": 1.0, "method": "clopper-pearson"},
 *      {"max_auc": 0.6, "attack": "*"},
 *      {"max_tpr_at_fpr": {"fpr": 0.001, "max": 0.01}, "attack": "loss"},
 *      {"min_canaries": 1000}, {"min_guesses": 100}, {"min_shadows": 8},
 *      {"min_confidence": 0.95},
 *      {"max_report_age_days": 30}]}
 * Each rule has exactly one rule key, optional modifiers ("attack", "method"
 * where they apply) and an optional "name".  Unknown keys are errors.
 *
 * Evaluating gives each rule PASS, FAIL, or ERROR when the report lacks what
 * the rule needs (a rule never passes for lack of data).  Exit codes: 0 all
 * pass, 1 some fail, 2 some error (gate_exit_code).
 */
#ifndef PRIVAUDIT_REPORT_GATE_H
#define PRIVAUDIT_REPORT_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "core/error.h"
#include "report/doc.h"

enum gate_status { GATE_PASS, GATE_FAIL, GATE_ERROR };

struct gate_rule {
    int index;           /* 1-based position in policy.rules */
    char kind[32];       /* the rule key: "max_auc" */
    char label[256];     /* "max_auc (attack '*')", or the rule's name */
    char measured[256];  /* "0.61 (loss)"; "n/a" on ERROR */
    char limit[128];     /* "<= 0.6" */
    enum gate_status status;
    char message[640];   /* why it failed / could not be checked; "" on PASS */
};

struct gate_result {
    struct gate_rule *rules;
    size_t n;
    size_t n_pass, n_fail, n_error;
    char policy_name[256];
};

/* Validate a policy tree read from file `name`: ERR_INPUT naming the key
 * path ("pol.json: rules[1].max_tpr_at_fpr.fpr: expected ..."). */
int gate_check_policy(const cJSON *policy, const char *name, struct error *err);

/* Parse and validate a policy file; *out freed with cJSON_Delete. */
int gate_load_policy(const char *path, cJSON **out, struct error *err);

/*
 * Check every rule of a validated policy against a schema-checked report at
 * time `now` (for max_report_age_days).  Fills res (gate_result_release
 * frees).  Returns 0, ERR_NOMEM, or ERR_INPUT when provenance.started_at is
 * not a UTC ISO 8601 time.  Rule failures and missing data are in res.
 */
int gate_eval(const cJSON *report, const cJSON *policy, time_t now,
              struct gate_result *res, struct error *err);

void gate_result_release(struct gate_result *res);

/* 0 when every rule passed, 1 when one failed, 2 when one could not be
 * checked (takes precedence). */
int gate_exit_code(const struct gate_result *res);

/* "PASS", "FAIL", "ERROR". */
const char *gate_status_name(enum gate_status s);

/* Parse "YYYY-MM-DDTHH:MM:SS[.frac](Z|+00:00)" as UTC.  0 or ERR_INPUT. */
int gate_parse_time(const char *text, time_t *out);

/* The gate result as a document: verdict line, rule table, messages (for
 * md_render: a job summary). */
void gate_summary(const struct gate_result *res, struct doc *d);

#endif

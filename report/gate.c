/*
 * report/gate.c - policies and their evaluation (see gate.h).
 */
#include "report/gate.h"

#include <ctype.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonx.h"
#include "report/view.h"

enum rule_kind {
    R_VERDICT, R_MAX_EPS, R_MAX_AUC, R_MAX_TPR, R_MIN_CANARIES, R_MIN_GUESSES,
    R_MIN_SHADOWS, R_MIN_CONF, R_MAX_AGE, R_N
};

static const char *const RULE_KEYS[R_N] = {
    "require_verdict", "max_epsilon_lower_bound", "max_auc", "max_tpr_at_fpr",
    "min_canaries", "min_guesses", "min_shadows", "min_confidence",
    "max_report_age_days"};

/* The modifiers each rule accepts besides "name". */
static const char *const MODS[R_N][3] = {
    [R_MAX_EPS] = {"method", "attack", NULL},
    [R_MAX_AUC] = {"attack", NULL, NULL},
    [R_MAX_TPR] = {"attack", NULL, NULL},
    [R_MIN_CONF] = {"method", "attack", NULL},
};

/* The report field each count rule reads (a proposed schema addition). */
static const char *const COUNT_PATH[R_N][2] = {
    [R_MIN_CANARIES] = {"canaries", "count"},
    [R_MIN_GUESSES] = {"canaries", "guesses"},
    [R_MIN_SHADOWS] = {"shadows", "count"},
};

static const char *const STATUSES[] = {"no-claim", "consistent", "violated"};

static const struct jrange UNIT = {0, 1, false, false};
static const struct jrange OPEN_UNIT = {0, 1, true, true};
static const struct jrange UNIT_LO_OPEN = {0, 1, true, false};
static const struct jrange NONNEG = {0, INFINITY, false, false};
static const struct jrange POS = {0, INFINITY, true, false};

const char *gate_status_name(enum gate_status s)
{
    return s == GATE_PASS ? "PASS" : s == GATE_FAIL ? "FAIL" : "ERROR";
}

/* Which rule key rule (at path) has; ERR_INPUT unless exactly one. */
static int rule_kind_of(const cJSON *rule, const char *path, int *kind, struct error *err)
{
    int found = -1;
    for (int k = 0; k < R_N; k++) {
        if (!cJSON_GetObjectItemCaseSensitive(rule, RULE_KEYS[k]))
            continue;
        if (found >= 0)
            return error_set(err, ERR_INPUT,
                             "%s: more than one rule ('%s' and '%s'); write one rule "
                             "per object", path, RULE_KEYS[found], RULE_KEYS[k]);
        found = k;
    }
    if (found < 0) {
        /* an unknown key is the likelier mistake: name it */
        const char *allowed[R_N + 4];
        size_t n = 0;
        for (int k = 0; k < R_N; k++)
            allowed[n++] = RULE_KEYS[k];
        allowed[n++] = "name";
        allowed[n++] = "attack";
        allowed[n++] = "method";
        int rc = jsonx_check_keys(rule, path, allowed, n, err);
        if (rc)
            return rc;
        return error_set(err, ERR_INPUT,
                         "%s: no rule key (expected one of 'require_verdict', "
                         "'max_epsilon_lower_bound', 'max_auc', 'max_tpr_at_fpr', "
                         "'min_canaries', 'min_guesses', 'min_shadows', "
                         "'min_confidence', 'max_report_age_days')", path);
    }
    *kind = found;
    return 0;
}

static int check_rule(const cJSON *rule, const char *path, struct error *err)
{
    int kind = 0, rc;
    if (!cJSON_IsObject(rule))
        return error_set(err, ERR_INPUT, "%s: expected an object (one rule)", path);
    if ((rc = rule_kind_of(rule, path, &kind, err)))
        return rc;
    const char *allowed[5];
    size_t n = 0;
    allowed[n++] = RULE_KEYS[kind];
    allowed[n++] = "name";
    for (int j = 0; j < 3 && MODS[kind][j]; j++)
        allowed[n++] = MODS[kind][j];
    if ((rc = jsonx_check_keys(rule, path, allowed, n, err)))
        return rc;
    const char *s;
    if ((rc = jsonx_string(rule, path, "name", NULL, false, &s, err)))
        return rc;
    for (size_t j = 2; j < n; j++) {
        if ((rc = jsonx_string(rule, path, allowed[j], NULL, false, &s, err)))
            return rc;
        if (s && !*s)
            return error_set(err, ERR_INPUT, "%s.%s: expected a non-empty string "
                             "(\"*\" for every one)", path, allowed[j]);
    }
    const char *key = RULE_KEYS[kind];
    double d;
    long long ll;
    int e;
    const cJSON *o;
    switch (kind) {
    case R_VERDICT:
        return jsonx_enum(rule, path, key, STATUSES, 3, 0, true, &e, err);
    case R_MAX_EPS:
        return jsonx_number(rule, path, key, NONNEG, 0, true, &d, err);
    case R_MAX_AUC:
        return jsonx_number(rule, path, key, UNIT, 0, true, &d, err);
    case R_MAX_TPR: {
        char p2[256];
        static const char *const TK[] = {"fpr", "max"};
        jsonx_join(p2, sizeof p2, path, key);
        if ((rc = jsonx_object(rule, path, key, true, &o, err)) ||
            (rc = jsonx_check_keys(o, p2, TK, 2, err)) ||
            (rc = jsonx_number(o, p2, "fpr", UNIT_LO_OPEN, 0, true, &d, err)) ||
            (rc = jsonx_number(o, p2, "max", UNIT, 0, true, &d, err)))
            return rc;
        return 0;
    }
    case R_MIN_CANARIES:
    case R_MIN_GUESSES:
    case R_MIN_SHADOWS:
        return jsonx_int(rule, path, key, 0, LLONG_MAX, 0, true, &ll, err);
    case R_MIN_CONF:
        return jsonx_number(rule, path, key, OPEN_UNIT, 0, true, &d, err);
    case R_MAX_AGE:
        return jsonx_number(rule, path, key, POS, 0, true, &d, err);
    default:
        return error_set(err, ERR_INTERNAL, "%s: unhandled rule", path);
    }
}

int gate_check_policy(const cJSON *policy, const char *name, struct error *err)
{
    static const char *const TOP[] = {"name", "description", "rules"};
    const char *s;
    int rc = 0;
    const cJSON *rules = cJSON_GetObjectItemCaseSensitive(policy, "rules");
    if (!cJSON_IsObject(policy)) {
        rc = error_set(err, ERR_INPUT, "expected a JSON object");
        goto fail;
    }
    if ((rc = jsonx_check_keys(policy, "", TOP, 3, err)) ||
        (rc = jsonx_string(policy, "", "name", NULL, false, &s, err)) ||
        (rc = jsonx_string(policy, "", "description", NULL, false, &s, err)))
        goto fail;
    if (!rules) {
        rc = error_set(err, ERR_INPUT, "rules: missing (required: an array of rules)");
        goto fail;
    }
    if (!cJSON_IsArray(rules)) {
        rc = error_set(err, ERR_INPUT, "rules: expected an array of rules");
        goto fail;
    }
    if (cJSON_GetArraySize(rules) == 0) {
        rc = error_set(err, ERR_INPUT,
                       "rules: empty; a policy without rules would pass anything");
        goto fail;
    }
    int i = 0;
    const cJSON *r;
    cJSON_ArrayForEach(r, rules)
    {
        char path[32];
        snprintf(path, sizeof path, "rules[%d]", i++);
        if ((rc = check_rule(r, path, err)))
            goto fail;
    }
    return 0;
fail:
    error_prefix(err, "%s: ", name);
    return rc;
}

int gate_load_policy(const char *path, cJSON **out, struct error *err)
{
    cJSON *root = NULL;
    *out = NULL;
    int rc = jsonx_parse_file(path, &root, err);
    if (rc)
        return rc;
    if ((rc = gate_check_policy(root, path, err))) {
        cJSON_Delete(root);
        return rc;
    }
    *out = root;
    return 0;
}

/* ---- time ------------------------------------------------------------------------ */

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
 * days_from_civil, exact for all int years). */
static long long days_from_civil(long long y, unsigned m, unsigned d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? (unsigned)-3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (long long)doe - 719468;
}

static bool digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (!isdigit((unsigned char)s[i]))
            return false;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return true;
}

int gate_parse_time(const char *t, time_t *out)
{
    int y, mo, d, h, mi, s;
    if (!t || strlen(t) < 20 || !digits(t, 4, &y) || t[4] != '-' || !digits(t + 5, 2, &mo) ||
        t[7] != '-' || !digits(t + 8, 2, &d) || (t[10] != 'T' && t[10] != 't') ||
        !digits(t + 11, 2, &h) || t[13] != ':' || !digits(t + 14, 2, &mi) ||
        t[16] != ':' || !digits(t + 17, 2, &s))
        return ERR_INPUT;
    const char *p = t + 19;
    if (*p == '.') {
        p++;
        if (!isdigit((unsigned char)*p))
            return ERR_INPUT;
        while (isdigit((unsigned char)*p))
            p++;
    }
    if (!((p[0] == 'Z' || p[0] == 'z') && p[1] == '\0') && strcmp(p, "+00:00") != 0)
        return ERR_INPUT;
    static const int MDAYS[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (mo < 1 || mo > 12 || d < 1 || d > MDAYS[mo - 1] || h > 23 || mi > 59 || s > 60)
        return ERR_INPUT;
    bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    if (mo == 2 && d == 29 && !leap)
        return ERR_INPUT;
    long long days = days_from_civil(y, (unsigned)mo, (unsigned)d);
    *out = (time_t)(days * 86400LL + h * 3600LL + mi * 60LL + s);
    return 0;
}

/* ---- evaluation --------------------------------------------------------------------- */

static void fmt6(char *buf, size_t cap, double x)
{
    if (!isfinite(x))
        snprintf(buf, cap, "n/a");
    else
        snprintf(buf, cap, "%.6g", x == 0 ? 0.0 : x);
}

static bool matches(const char *want, const char *have)
{
    return !want || strcmp(want, "*") == 0 || (have && strcmp(want, have) == 0);
}

static void lack(struct gate_rule *g, const char *field)
{
    g->status = GATE_ERROR;
    snprintf(g->measured, sizeof g->measured, "n/a");
    snprintf(g->message, sizeof g->message, "report lacks %s needed by rule %d (%s)",
             field, g->index, g->kind);
}

static void rule_verdict(const cJSON *rep, const cJSON *rule, struct gate_rule *g)
{
    const char *want = view_str(rule, g->kind);
    const char *have = view_str(view_obj(rep, "verdict"), "status");
    snprintf(g->limit, sizeof g->limit, "%s", want);
    snprintf(g->measured, sizeof g->measured, "%s", have ? have : "n/a");
    if (!have) {
        lack(g, "verdict.status");
        return;
    }
    g->status = strcmp(want, have) == 0 ? GATE_PASS : GATE_FAIL;
    if (g->status == GATE_FAIL)
        snprintf(g->message, sizeof g->message,
                 "verdict is '%s', the policy requires '%s'", have, want);
}

/* max_epsilon_lower_bound and min_confidence: over the matching bounds. */
static void rule_bounds(const cJSON *rep, const cJSON *rule, struct gate_rule *g, bool eps)
{
    double limit = view_num(rule, g->kind);
    const char *method = view_str(rule, "method"), *attack = view_str(rule, "attack");
    char lim[64], v[64], filt[200] = "";
    fmt6(lim, sizeof lim, limit);
    snprintf(g->limit, sizeof g->limit, "%s %s", eps ? "<=" : ">=", lim);
    if (method || attack)
        snprintf(filt, sizeof filt, " with%s%s%s%s%s%s", method ? " method '" : "",
                 method ? method : "", method ? "'" : "", attack ? " attack '" : "",
                 attack ? attack : "", attack ? "'" : "");
    const cJSON *b, *best = NULL;
    double best_v = NAN;
    int i = 0, n = 0;
    cJSON_ArrayForEach(b, view_arr(rep, "bounds"))
    {
        if (!matches(method, view_str(b, "method")) || !matches(attack, view_str(b, "attack"))) {
            i++;
            continue;
        }
        n++;
        double x = view_num(b, eps ? "epsilon_lower_bound" : "confidence");
        if (!isfinite(x)) {
            char f[80];
            snprintf(f, sizeof f, "bounds[%d].%s (it is null)", i,
                     eps ? "epsilon_lower_bound" : "confidence");
            lack(g, f);
            return;
        }
        if (!best || (eps ? x > best_v : x < best_v)) {
            best = b;
            best_v = x;
        }
        i++;
    }
    if (n == 0) {
        char f[220];
        snprintf(f, sizeof f, "bounds[]%s", filt);
        lack(g, f);
        return;
    }
    fmt6(v, sizeof v, best_v);
    snprintf(g->measured, sizeof g->measured, "%s (%s on %s)", v,
             view_str_or(best, "method", "?"), view_str_or(best, "attack", "?"));
    bool ok = eps ? best_v <= limit : best_v >= limit;
    g->status = ok ? GATE_PASS : GATE_FAIL;
    if (!ok)
        snprintf(g->message, sizeof g->message,
                 eps ? "epsilon lower bound %s (%s on %s) exceeds the limit %s"
                     : "confidence %s (%s on %s) is below the required %s",
                 v, view_str_or(best, "method", "?"), view_str_or(best, "attack", "?"), lim);
}

/* The end of a per-attack maximum rule: no matching attack is missing data;
 * otherwise the largest value best_v (of attack best) against limit. */
static void settle_attack_max(struct gate_rule *g, const char *attack, const cJSON *best,
                              double best_v, double limit, const char *lim,
                              const char *what, const char *after)
{
    char v[64];
    if (!best) {
        char f[200];
        if (strcmp(attack, "*") == 0)
            snprintf(f, sizeof f, "attacks[]");
        else
            snprintf(f, sizeof f, "attacks[] named '%s'", attack);
        lack(g, f);
        return;
    }
    fmt6(v, sizeof v, best_v);
    snprintf(g->measured, sizeof g->measured, "%s (%s)", v, view_str_or(best, "name", "?"));
    g->status = best_v <= limit ? GATE_PASS : GATE_FAIL;
    if (g->status == GATE_FAIL)
        snprintf(g->message, sizeof g->message, "attack '%s' has %s %s%s, above the limit %s",
                 view_str_or(best, "name", "?"), what, v, after, lim);
}

static void rule_auc(const cJSON *rep, const cJSON *rule, struct gate_rule *g)
{
    double limit = view_num(rule, g->kind);
    const char *attack = view_str_or(rule, "attack", "*");
    char lim[64];
    fmt6(lim, sizeof lim, limit);
    snprintf(g->limit, sizeof g->limit, "<= %s", lim);
    const cJSON *at, *best = NULL;
    double best_v = NAN;
    int i = 0;
    cJSON_ArrayForEach(at, view_arr(rep, "attacks"))
    {
        if (matches(attack, view_str(at, "name"))) {
            double x = view_num(at, "auc");
            if (!isfinite(x)) {
                char f[64];
                snprintf(f, sizeof f, "attacks[%d].auc (it is null)", i);
                lack(g, f);
                return;
            }
            if (!best || x > best_v) {
                best = at;
                best_v = x;
            }
        }
        i++;
    }
    settle_attack_max(g, attack, best, best_v, limit, lim, "AUC", "");
}

static void rule_tpr(const cJSON *rep, const cJSON *rule, struct gate_rule *g)
{
    const cJSON *spec = view_obj(rule, g->kind);
    double fpr = view_num(spec, "fpr"), limit = view_num(spec, "max");
    const char *attack = view_str_or(rule, "attack", "*");
    char lim[32], fs[32];
    fmt6(lim, sizeof lim, limit);
    fmt6(fs, sizeof fs, fpr);
    snprintf(g->limit, sizeof g->limit, "<= %s at FPR %s", lim, fs);
    const cJSON *at, *best = NULL;
    double best_v = NAN;
    int i = 0;
    cJSON_ArrayForEach(at, view_arr(rep, "attacks"))
    {
        if (!matches(attack, view_str(at, "name"))) {
            i++;
            continue;
        }
        const cJSON *t, *hit = NULL;
        int j = 0, hj = 0;
        cJSON_ArrayForEach(t, view_arr(at, "tpr_at_fpr"))
        {
            if (fabs(view_num(t, "target_fpr") - fpr) <= 1e-9 * fpr) {
                hit = t;
                hj = j;
            }
            j++;
        }
        char f[128];
        if (!hit) {
            snprintf(f, sizeof f, "attacks[%d].tpr_at_fpr with target_fpr %s", i, fs);
            lack(g, f);
            return;
        }
        if (!cJSON_IsTrue(view_get(hit, "resolvable"))) {
            snprintf(f, sizeof f, "attacks[%d].tpr_at_fpr[%d]", i, hj);
            char n[64];
            fmt6(n, sizeof n, view_num(at, "n_nonmembers"));
            g->status = GATE_ERROR;
            snprintf(g->measured, sizeof g->measured, "unresolvable");
            snprintf(g->message, sizeof g->message,
                     "report lacks a resolvable %s needed by rule %d (%s): %s "
                     "non-members cannot measure FPR %s (needs at least 1/FPR)",
                     f, g->index, g->kind, n, fs);
            return;
        }
        double x = view_num(hit, "tpr");
        if (!isfinite(x)) {
            snprintf(f, sizeof f, "attacks[%d].tpr_at_fpr[%d].tpr (it is null)", i, hj);
            lack(g, f);
            return;
        }
        if (!best || x > best_v) {
            best = at;
            best_v = x;
        }
        i++;
    }
    char after[64];
    snprintf(after, sizeof after, " at FPR %s", fs);
    settle_attack_max(g, attack, best, best_v, limit, lim, "TPR", after);
}

static void rule_count(const cJSON *rep, const cJSON *rule, struct gate_rule *g, int kind)
{
    double want = view_num(rule, g->kind);
    const char *o = COUNT_PATH[kind][0], *k = COUNT_PATH[kind][1];
    char field[64], v[64], lim[64];
    snprintf(field, sizeof field, "%s.%s", o, k);
    fmt6(lim, sizeof lim, want);
    snprintf(g->limit, sizeof g->limit, ">= %s", lim);
    double have = view_num(view_obj(rep, o), k);
    if (!isfinite(have)) {
        lack(g, field);
        return;
    }
    fmt6(v, sizeof v, have);
    snprintf(g->measured, sizeof g->measured, "%s", v);
    g->status = have >= want ? GATE_PASS : GATE_FAIL;
    if (g->status == GATE_FAIL)
        snprintf(g->message, sizeof g->message, "%s is %s, the policy requires at least %s",
                 field, v, lim);
}

static int rule_age(const cJSON *rep, const cJSON *rule, struct gate_rule *g, time_t now,
                    struct error *err)
{
    double max_days = view_num(rule, g->kind);
    char lim[64], v[64];
    fmt6(lim, sizeof lim, max_days);
    snprintf(g->limit, sizeof g->limit, "<= %s days", lim);
    const char *st = view_str(view_obj(rep, "provenance"), "started_at");
    if (!st) {
        lack(g, "provenance.started_at");
        return 0;
    }
    time_t t;
    if (gate_parse_time(st, &t) != 0)
        return error_set(err, ERR_INPUT,
                         "provenance.started_at: expected a UTC time like "
                         "2026-12-03T12:00:00Z, got '%s'", st);
    double days = difftime(now, t) / 86400.0;
    snprintf(v, sizeof v, "%.2f", days);
    snprintf(g->measured, sizeof g->measured, "%s days (started %s)", v, st);
    if (days < -1.0 / 24) {
        g->status = GATE_FAIL;
        snprintf(g->message, sizeof g->message,
                 "the report's started_at %s is in the future (%.2f days ahead)", st, -days);
    } else if (days > max_days) {
        g->status = GATE_FAIL;
        snprintf(g->message, sizeof g->message,
                 "the report is %s days old, older than the limit of %s days", v, lim);
    } else {
        g->status = GATE_PASS;
    }
    return 0;
}

static void rule_label(const cJSON *rule, int kind, struct gate_rule *g)
{
    const char *name = view_str(rule, "name");
    char mods[160] = "";
    size_t used = 0;
    for (int j = 0; j < 3 && MODS[kind][j]; j++) {
        const char *m = view_str(rule, MODS[kind][j]);
        if (kind == R_MAX_AUC || kind == R_MAX_TPR)
            m = m ? m : "*";
        if (m && used < sizeof mods)
            used += (size_t)snprintf(mods + used, sizeof mods - used, "%s%s '%s'",
                                     used ? ", " : " (", MODS[kind][j], m);
    }
    if (used && used < sizeof mods - 1)
        snprintf(mods + used, sizeof mods - used, ")");
    if (name)
        snprintf(g->label, sizeof g->label, "%s: %s%s", name, RULE_KEYS[kind], mods);
    else
        snprintf(g->label, sizeof g->label, "%s%s", RULE_KEYS[kind], mods);
}

int gate_eval(const cJSON *rep, const cJSON *policy, time_t now, struct gate_result *res,
              struct error *err)
{
    memset(res, 0, sizeof *res);
    const cJSON *rules = view_arr(policy, "rules");
    int n = cJSON_GetArraySize(rules);
    snprintf(res->policy_name, sizeof res->policy_name, "%s",
             view_str_or(policy, "name", "unnamed policy"));
    res->rules = calloc(n > 0 ? (size_t)n : 1, sizeof *res->rules);
    if (!res->rules)
        return error_set(err, ERR_NOMEM, "out of memory evaluating the policy");
    const cJSON *rule;
    cJSON_ArrayForEach(rule, rules)
    {
        struct gate_rule *g = &res->rules[res->n];
        g->index = (int)res->n + 1;
        res->n++;
        int kind = R_N;
        for (int k = 0; k < R_N && kind == R_N; k++)
            if (view_get(rule, RULE_KEYS[k]))
                kind = k;
        if (kind == R_N) {
            gate_result_release(res);
            return error_set(err, ERR_INTERNAL, "rules[%d]: not validated", g->index - 1);
        }
        snprintf(g->kind, sizeof g->kind, "%s", RULE_KEYS[kind]);
        rule_label(rule, kind, g);
        switch (kind) {
        case R_VERDICT: rule_verdict(rep, rule, g); break;
        case R_MAX_EPS: rule_bounds(rep, rule, g, true); break;
        case R_MIN_CONF: rule_bounds(rep, rule, g, false); break;
        case R_MAX_AUC: rule_auc(rep, rule, g); break;
        case R_MAX_TPR: rule_tpr(rep, rule, g); break;
        case R_MIN_CANARIES:
        case R_MIN_GUESSES:
        case R_MIN_SHADOWS: rule_count(rep, rule, g, kind); break;
        case R_MAX_AGE:
            if (rule_age(rep, rule, g, now, err)) {
                gate_result_release(res);
                return err->code;
            }
            break;
        default: break;
        }
        if (g->status == GATE_PASS)
            res->n_pass++;
        else if (g->status == GATE_FAIL)
            res->n_fail++;
        else
            res->n_error++;
    }
    return 0;
}

void gate_result_release(struct gate_result *res)
{
    if (!res)
        return;
    free(res->rules);
    memset(res, 0, sizeof *res);
}

int gate_exit_code(const struct gate_result *res)
{
    return res->n_error ? 2 : res->n_fail ? 1 : 0;
}

void gate_summary(const struct gate_result *res, struct doc *d)
{
    doc_para(d);
    const char *head = res->n_error ? "Gate: incomplete" : res->n_fail ? "Gate: failed"
                                                                       : "Gate: passed";
    doc_strong(d, head);
    doc_text(d, " \xe2\x80\x94 ");
    if (res->n_error)
        doc_textf(d, "%zu of %zu rules could not be checked (the report lacks data), "
                  "%zu failed", res->n_error, res->n, res->n_fail);
    else if (res->n_fail)
        doc_textf(d, "%zu of %zu rules failed", res->n_fail, res->n);
    else
        doc_textf(d, "all %zu rules hold", res->n);
    doc_text(d, " (policy ");
    doc_code(d, res->policy_name);
    doc_text(d, ")");
    doc_table(d, 5);
    doc_cell_text(d, "No.");
    doc_cell_text(d, "Rule");
    doc_cell_text(d, "Measured");
    doc_cell_text(d, "Limit");
    doc_cell_text(d, "Result");
    for (size_t i = 0; i < res->n; i++) {
        const struct gate_rule *g = &res->rules[i];
        char idx[16];
        snprintf(idx, sizeof idx, "%d", g->index);
        doc_cell_text(d, idx);
        doc_cell_code(d, g->label);
        doc_cell_text(d, g->measured);
        doc_cell_text(d, g->limit);
        doc_cell(d);
        doc_strong(d, gate_status_name(g->status));
    }
    if (res->n_fail || res->n_error) {
        doc_list(d);
        for (size_t i = 0; i < res->n; i++) {
            const struct gate_rule *g = &res->rules[i];
            if (g->status == GATE_PASS)
                continue;
            doc_item(d);
            doc_textf(d, "Rule %d ", g->index);
            doc_code(d, g->kind);
            doc_textf(d, " %s: %s", g->status == GATE_FAIL ? "failed" : "could not be checked",
                      g->message);
        }
    }
}

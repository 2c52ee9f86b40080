/*
 * report/summary.c - the report as a document (see summary.h).
 */
#include "report/summary.h"

#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/view.h"

#define NUM(buf, x) (view_fmt((buf), sizeof(buf), (x)), (buf))

/* The bound the verdict rests on: verdict.decided_by, else the largest. */
static void decisive(const cJSON *rep, const char **method, const char **attack,
                     double *eps, double *conf)
{
    const cJSON *dec = view_obj(view_obj(rep, "verdict"), "decided_by");
    *method = view_str(dec, "method");
    *attack = view_str(dec, "attack");
    *eps = view_num(dec, "epsilon_lower_bound");
    *conf = view_num(dec, "confidence");
    if (dec && isfinite(*eps))
        return;
    const cJSON *b;
    *eps = NAN;
    cJSON_ArrayForEach(b, view_arr(rep, "bounds"))
    {
        double e = view_num(b, "epsilon_lower_bound");
        if (isfinite(e) && (!isfinite(*eps) || e > *eps)) {
            *eps = e;
            *method = view_str(b, "method");
            *attack = view_str(b, "attack");
            *conf = view_num(b, "confidence");
        }
    }
}

void summary_verdict_line(const cJSON *rep, char *buf, size_t cap)
{
    const cJSON *v = view_obj(rep, "verdict");
    const char *status = view_str_or(v, "status", "unknown");
    const cJSON *claim = view_obj(v, "claim");
    const char *method, *attack;
    double eps, conf;
    decisive(rep, &method, &attack, &eps, &conf);
    char e[32], c[32], ce[32], which[256];
    view_fmt(e, sizeof e, eps);
    view_fmt_pct(c, sizeof c, conf);
    view_fmt(ce, sizeof ce, view_num(claim, "epsilon"));
    if (method && attack)
        snprintf(which, sizeof which, "%s on %s, %s confidence", method, attack, c);
    else
        snprintf(which, sizeof which, "%s confidence", c);
    if (!isfinite(eps)) {
        if (claim)
            snprintf(buf, cap, "no epsilon lower bound could be computed; the "
                     "claimed epsilon is %s", ce);
        else
            snprintf(buf, cap, "no epsilon was claimed and no epsilon lower bound "
                     "could be computed");
    } else if (strcmp(status, "no-claim") == 0 || !claim) {
        snprintf(buf, cap, "no epsilon was claimed; the largest epsilon lower bound "
                 "is %s (%s)", e, which);
    } else {
        snprintf(buf, cap, "epsilon lower bound %s (%s) %s the claimed epsilon %s",
                 e, which, strcmp(status, "violated") == 0 ? "exceeds" : "does not exceed",
                 ce);
    }
}

/* ---- generic rendering of fields this renderer does not know ---------- */

/* "k=v, k=v" of the scalar members of obj (skipping skip[0..n_skip) and
 * prose longer than 80 bytes), one level into sub-objects ("a.b=v"). */
static void scalar_pairs(struct doc *d, const cJSON *obj, const char *const *skip,
                         size_t n_skip, const char *prefix, bool *first)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, obj)
    {
        if (!it->string)
            continue;
        bool skipped = false;
        for (size_t i = 0; i < n_skip && !skipped; i++)
            skipped = strcmp(it->string, skip[i]) == 0;
        if (skipped)
            continue;
        char val[256], key[256];
        snprintf(key, sizeof key, "%s%s", prefix, it->string);
        if (cJSON_IsObject(it)) {
            if (!*prefix) {
                char p2[256];
                snprintf(p2, sizeof p2, "%s.", it->string);
                scalar_pairs(d, it, skip, n_skip, p2, first);
            }
            continue;
        }
        if (cJSON_IsArray(it)) {
            snprintf(val, sizeof val, "%d values", cJSON_GetArraySize(it));
        } else {
            view_scalar(it, val, sizeof val);
            if (cJSON_IsString(it) && strlen(it->valuestring) > 80)
                continue;
        }
        doc_textf(d, "%s%s=%s", *first ? "" : ", ", key, val);
        *first = false;
    }
}

static void generic_value(struct doc *d, const char *key, const cJSON *v, int level);

/* An array of objects as a table; columns: the scalar keys in order of first
 * appearance (at most 12). */
static void object_table(struct doc *d, const cJSON *arr)
{
    const char *cols[12];
    size_t nc = 0;
    const cJSON *o, *it;
    cJSON_ArrayForEach(o, arr)
    {
        cJSON_ArrayForEach(it, o)
        {
            if (!it->string || nc == 12)
                continue;
            bool seen = false;
            for (size_t i = 0; i < nc && !seen; i++)
                seen = strcmp(cols[i], it->string) == 0;
            if (!seen)
                cols[nc++] = it->string;
        }
    }
    if (nc == 0) {
        doc_para(d);
        doc_textf(d, "%d entries without fields.", cJSON_GetArraySize(arr));
        return;
    }
    doc_table(d, nc);
    for (size_t i = 0; i < nc; i++)
        doc_cell_code(d, cols[i]);
    cJSON_ArrayForEach(o, arr)
    {
        for (size_t i = 0; i < nc; i++) {
            const cJSON *x = view_get(o, cols[i]);
            char val[512];
            if (!x)
                doc_cell_text(d, "");
            else if (cJSON_IsArray(x)) {
                snprintf(val, sizeof val, "%d values", cJSON_GetArraySize(x));
                doc_cell_text(d, val);
            } else if (cJSON_IsObject(x)) {
                doc_cell(d);
                bool first = true;
                scalar_pairs(d, x, NULL, 0, "", &first);
            } else {
                view_scalar(x, val, sizeof val);
                doc_cell_text(d, val);
            }
        }
    }
}

static void scalar_list(struct doc *d, const cJSON *arr)
{
    doc_para(d);
    int n = cJSON_GetArraySize(arr), i = 0;
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (i == 20) {
            doc_textf(d, ", ... (%d values)", n);
            break;
        }
        char val[256];
        if (!view_scalar(it, val, sizeof val))
            snprintf(val, sizeof val, "(%s)", cJSON_IsArray(it) ? "array" : "object");
        doc_textf(d, "%s%s", i ? ", " : "", val);
        i++;
    }
    if (n == 0)
        doc_text(d, "(empty)");
}

static bool all_objects(const cJSON *arr)
{
    const cJSON *it;
    cJSON_ArrayForEach(it, arr)
    {
        if (!cJSON_IsObject(it))
            return false;
    }
    return cJSON_GetArraySize(arr) > 0;
}

/* An object: a Field | Value table of its scalars and short arrays, then a
 * sub-section for each member that is an array of objects or an object. */
static void object_fields(struct doc *d, const char *key, const cJSON *obj, int level)
{
    const cJSON *it;
    size_t n_scalar = 0;
    cJSON_ArrayForEach(it, obj)
    {
        if (!cJSON_IsObject(it) && !(cJSON_IsArray(it) && all_objects(it)))
            n_scalar++;
    }
    if (n_scalar) {
        doc_table(d, 2);
        doc_cell_text(d, "Field");
        doc_cell_text(d, "Value");
        cJSON_ArrayForEach(it, obj)
        {
            if (!it->string || cJSON_IsObject(it) || (cJSON_IsArray(it) && all_objects(it)))
                continue;
            doc_cell_code(d, it->string);
            char val[512];
            if (cJSON_IsArray(it)) {
                doc_cell(d);
                int n = cJSON_GetArraySize(it), i = 0;
                const cJSON *x;
                cJSON_ArrayForEach(x, it)
                {
                    if (i == 10) {
                        doc_textf(d, ", ... (%d values)", n);
                        break;
                    }
                    if (!view_scalar(x, val, sizeof val))
                        snprintf(val, sizeof val, "(array)");
                    doc_textf(d, "%s%s", i ? ", " : "", val);
                    i++;
                }
                if (n == 0)
                    doc_text(d, "(empty)");
            } else {
                view_scalar(it, val, sizeof val);
                doc_cell_text(d, val);
            }
        }
    }
    cJSON_ArrayForEach(it, obj)
    {
        if (!it->string)
            continue;
        if (cJSON_IsObject(it) || (cJSON_IsArray(it) && all_objects(it))) {
            char sub[256];
            snprintf(sub, sizeof sub, "%s.%s", key, it->string);
            generic_value(d, sub, it, level + 1);
        }
    }
}

static void generic_value(struct doc *d, const char *key, const cJSON *v, int level)
{
    if (level > 4) {
        doc_para(d);
        doc_code(d, key);
        doc_text(d, ": (nested too deep to show; see report.json)");
        return;
    }
    doc_heading(d, level, key);
    if (cJSON_IsObject(v))
        object_fields(d, key, v, level);
    else if (cJSON_IsArray(v) && all_objects(v))
        object_table(d, v);
    else if (cJSON_IsArray(v))
        scalar_list(d, v);
    else {
        char val[512];
        view_scalar(v, val, sizeof val);
        doc_para(d);
        doc_text(d, val);
    }
}

/* ---- sections ------------------------------------------------------------ */

static void verdict_section(struct doc *d, const cJSON *rep)
{
    const cJSON *v = view_obj(rep, "verdict");
    char line[1024];
    summary_verdict_line(rep, line, sizeof line);
    doc_para(d);
    char head[128];
    snprintf(head, sizeof head, "Verdict: %s", view_str_or(v, "status", "unknown"));
    doc_strong(d, head);
    doc_text(d, " \xe2\x80\x94 ");
    doc_text(d, line);
    const char *expl = view_str(v, "explanation");
    if (expl && *expl) {
        doc_para(d);
        doc_text(d, "The pipeline's explanation: ");
        doc_text(d, expl);
        doc_text(d, ".");
    }
}

static const char *const CLAIM_KNOWN[] = {"source", "epsilon", "delta"};

static void claim_row(struct doc *d, const cJSON *c, const char *dflt_source,
                      const char *where)
{
    char a[32];
    doc_cell_text(d, view_str_or(c, "source", dflt_source));
    doc_cell_text(d, NUM(a, view_num(c, "epsilon")));
    doc_cell_text(d, NUM(a, view_num(c, "delta")));
    doc_cell_code(d, where);
    doc_cell(d);
    bool first = true;
    scalar_pairs(d, c, CLAIM_KNOWN, 3, "", &first);
}

static const char *const BOUND_KNOWN[] = {
    "method", "attack", "epsilon_lower_bound", "confidence", "delta", "counts",
    "threat_model", "assumptions", "how", "by_guesses"};

static void epsilon_section(struct doc *d, const cJSON *rep)
{
    const cJSON *v = view_obj(rep, "verdict");
    const cJSON *claim = view_obj(v, "claim");
    /* Claims: a top-level "claims" array, else the target's accountants'. */
    const cJSON *claims = view_arr(rep, "claims");
    const char *claims_path = "claims";
    if (cJSON_GetArraySize(claims) == 0) {
        claims = view_arr(view_obj(rep, "target"), "claims");
        claims_path = "target.claims";
    }
    char a[64];
    doc_heading(d, 2, "Claimed vs measured epsilon");
    if (!claim && cJSON_GetArraySize(claims) == 0) {
        doc_para(d);
        doc_text(d, "No epsilon was claimed, so the bounds below are measurements "
                    "only.");
    } else {
        doc_para(d);
        doc_strong(d, "Claims");
        doc_table(d, 5);
        doc_cell_text(d, "Source");
        doc_cell_text(d, "Claimed epsilon");
        doc_cell_text(d, "Delta");
        doc_cell_text(d, "Field");
        doc_cell_text(d, "Details");
        if (claim)
            claim_row(d, claim, "unspecified", "verdict.claim");
        const cJSON *c;
        int i = 0;
        cJSON_ArrayForEach(c, claims)
        {
            char where[64];
            snprintf(where, sizeof where, "%s[%d]", claims_path, i++);
            claim_row(d, c, view_str_or(c, "accountant", "unspecified"), where);
        }
    }
    const cJSON *bounds = view_arr(rep, "bounds");
    doc_para(d);
    doc_strong(d, "Epsilon lower bounds");
    if (cJSON_GetArraySize(bounds) == 0) {
        doc_para(d);
        doc_text(d, "The report has no bounds.");
        doc_plot(d, "epsilon");
        return;
    }
    double ceps = view_num(claim, "epsilon");
    doc_table(d, 8);
    doc_cell_text(d, "Method");
    doc_cell_text(d, "Attack");
    doc_cell_text(d, "Epsilon lower bound");
    doc_cell_text(d, "Confidence");
    doc_cell_text(d, "Delta");
    doc_cell_text(d, "Counts");
    doc_cell_text(d, "Against the claim");
    doc_cell_text(d, "Details");
    const cJSON *b;
    cJSON_ArrayForEach(b, bounds)
    {
        double e = view_num(b, "epsilon_lower_bound");
        doc_cell_code(d, view_str_or(b, "method", "?"));
        doc_cell_code(d, view_str_or(b, "attack", "?"));
        doc_cell_text(d, NUM(a, e));
        view_fmt_pct(a, sizeof a, view_num(b, "confidence"));
        doc_cell_text(d, a);
        doc_cell_text(d, NUM(a, view_num(b, "delta")));
        doc_cell(d);
        bool first = true;
        const cJSON *cnt;
        cJSON_ArrayForEach(cnt, view_obj(b, "counts"))
        {
            char val[64];
            view_scalar(cnt, val, sizeof val);
            doc_textf(d, "%s%s %s", first ? "" : ", ", cnt->string ? cnt->string : "?",
                      val);
            first = false;
        }
        if (!isfinite(ceps) || !isfinite(e))
            doc_cell_text(d, "n/a");
        else
            doc_cell_text(d, e > ceps ? "exceeds the claim" : "within the claim");
        doc_cell(d);
        first = true;
        scalar_pairs(d, b, BOUND_KNOWN, sizeof BOUND_KNOWN / sizeof *BOUND_KNOWN, "",
                     &first);
    }
    doc_para(d);
    doc_text(d, "A bound at confidence c means: if the model's true epsilon were "
                "below it, counts like these would occur with probability at most "
                "1 - c.");
    doc_plot(d, "epsilon");
    doc_plot(d, "guesses");
}

/* Sorted distinct target FPRs over all attacks (at most 16). */
static size_t target_fprs(const cJSON *attacks, double *out, size_t cap)
{
    size_t n = 0;
    const cJSON *at, *t;
    cJSON_ArrayForEach(at, attacks)
    {
        cJSON_ArrayForEach(t, view_arr(at, "tpr_at_fpr"))
        {
            double f = view_num(t, "target_fpr");
            if (!isfinite(f))
                continue;
            bool seen = false;
            for (size_t i = 0; i < n && !seen; i++)
                seen = fabs(out[i] - f) <= 1e-12 * f;
            if (!seen && n < cap)
                out[n++] = f;
        }
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && out[j - 1] > out[j]; j--) {
            double x = out[j];
            out[j] = out[j - 1];
            out[j - 1] = x;
        }
    return n;
}

static const char *const ATTACK_KNOWN[] = {
    "name", "variant", "threat_model", "n_members", "n_nonmembers", "auc",
    "advantage", "balanced_accuracy", "tpr_at_fpr", "roc", "histogram"};

static void attack_section(struct doc *d, const cJSON *rep)
{
    const cJSON *attacks = view_arr(rep, "attacks");
    char a[64], b2[96];
    doc_heading(d, 2, "Membership inference attacks");
    if (cJSON_GetArraySize(attacks) == 0) {
        doc_para(d);
        doc_text(d, "The report has no attacks.");
        return;
    }
    double fprs[16];
    size_t nf = target_fprs(attacks, fprs, 16);
    doc_table(d, 4 + nf);
    doc_cell_text(d, "Attack");
    doc_cell_text(d, "Members / non-members");
    doc_cell_text(d, "AUC");
    doc_cell_text(d, "Advantage");
    for (size_t i = 0; i < nf; i++) {
        view_fmt_pct(a, sizeof a, fprs[i]);
        snprintf(b2, sizeof b2, "TPR at %s FPR", a);
        doc_cell_text(d, b2);
    }
    bool any_unres = false, any_diff = false;
    const cJSON *at;
    cJSON_ArrayForEach(at, attacks)
    {
        doc_cell_code(d, view_str_or(at, "name", "?"));
        doc_cell(d);
        doc_textf(d, "%s / ", NUM(a, view_num(at, "n_members")));
        doc_text(d, NUM(a, view_num(at, "n_nonmembers")));
        doc_cell_text(d, NUM(a, view_num(at, "auc")));
        doc_cell_text(d, NUM(a, view_num(at, "advantage")));
        for (size_t i = 0; i < nf; i++) {
            const cJSON *t, *hit = NULL;
            cJSON_ArrayForEach(t, view_arr(at, "tpr_at_fpr"))
            {
                double f = view_num(t, "target_fpr");
                if (fabs(f - fprs[i]) <= 1e-12 * fprs[i])
                    hit = t;
            }
            if (!hit) {
                doc_cell_text(d, "n/a");
                continue;
            }
            double tpr = view_num(hit, "tpr"), fpr = view_num(hit, "fpr");
            bool unres = cJSON_IsFalse(view_get(hit, "resolvable"));
            doc_cell(d);
            doc_text(d, NUM(a, tpr));
            if (isfinite(fpr) && fabs(fpr - fprs[i]) > 1e-9 * fprs[i]) {
                doc_textf(d, " at FPR %s", NUM(a, fpr));
                any_diff = true;
            }
            if (unres) {
                doc_text(d, " (unresolvable)");
                any_unres = true;
            }
        }
    }
    if (any_diff || any_unres) {
        doc_para(d);
        doc_text(d, "TPR at FPR x is the ROC point with the largest TPR among those "
                    "with FPR at most x");
        if (any_diff)
            doc_text(d, "; \"at FPR y\" gives the achieved FPR when it differs from "
                        "the target");
        doc_text(d, ".");
        if (any_unres) {
            doc_text(d, " Unresolvable: with n non-members the smallest measurable "
                        "FPR is 1/n (");
            bool first = true;
            cJSON_ArrayForEach(at, attacks)
            {
                double n = view_num(at, "n_nonmembers");
                doc_textf(d, "%s%s: 1/%s = %s", first ? "" : "; ",
                          view_str_or(at, "name", "?"), NUM(a, n),
                          NUM(b2, n > 0 ? 1.0 / n : NAN));
                first = false;
            }
            doc_text(d, "), so a lower target FPR cannot be measured and its TPR "
                        "is no evidence either way.");
        }
    }
    doc_list(d);
    cJSON_ArrayForEach(at, attacks)
    {
        doc_item(d);
        doc_code(d, view_str_or(at, "name", "?"));
        const char *var = view_str(at, "variant");
        if (var) {
            doc_text(d, ": ");
            doc_text(d, var);
        }
        double ba = view_num(at, "balanced_accuracy");
        if (isfinite(ba))
            doc_textf(d, "; balanced accuracy %s", NUM(a, ba));
        const cJSON *roc = view_obj(at, "roc");
        double pf = view_num(roc, "points_full");
        if (roc && isfinite(pf))
            doc_textf(d, "; ROC of %s points (%d kept in the report)", NUM(a, pf),
                      cJSON_GetArraySize(view_arr(roc, "fpr")));
        bool first = true;
        const cJSON *it;
        bool extra = false;
        cJSON_ArrayForEach(it, at)
        {
            bool known = false;
            for (size_t i = 0; i < sizeof ATTACK_KNOWN / sizeof *ATTACK_KNOWN && !known; i++)
                known = it->string && strcmp(it->string, ATTACK_KNOWN[i]) == 0;
            if (!known)
                extra = true;
        }
        if (extra) {
            doc_text(d, "; other fields: ");
            scalar_pairs(d, at, ATTACK_KNOWN, sizeof ATTACK_KNOWN / sizeof *ATTACK_KNOWN,
                         "", &first);
        }
    }
    doc_plot(d, "roc");
    doc_plot(d, "hist");
}

static void target_section(struct doc *d, const cJSON *rep)
{
    const cJSON *tg = view_obj(rep, "target");
    const cJSON *data = view_obj(rep, "data");
    char a[64];
    doc_heading(d, 2, "Target model");
    doc_table(d, 5);
    doc_cell_text(d, "Kind");
    doc_cell_text(d, "Trained on (members)");
    doc_cell_text(d, "Held out (non-members)");
    doc_cell_text(d, "Train accuracy");
    doc_cell_text(d, "Test accuracy");
    doc_cell_code(d, view_str_or(tg, "kind", "?"));
    doc_cell_text(d, NUM(a, view_num(tg, "n_train")));
    doc_cell_text(d, NUM(a, view_num(tg, "n_test")));
    doc_cell_text(d, NUM(a, view_num(tg, "train_accuracy")));
    doc_cell_text(d, NUM(a, view_num(tg, "test_accuracy")));
    const cJSON *params = view_obj(tg, "params");
    if (params && params->child) {
        doc_para(d);
        doc_text(d, "Parameters: ");
        const cJSON *it;
        bool first = true;
        cJSON_ArrayForEach(it, params)
        {
            char val[256], kv[400];
            if (!view_scalar(it, val, sizeof val))
                snprintf(val, sizeof val, "(%s)", cJSON_IsArray(it) ? "array" : "object");
            snprintf(kv, sizeof kv, "%s=%s", it->string ? it->string : "?", val);
            if (!first)
                doc_text(d, ", ");
            doc_code(d, kv);
            first = false;
        }
        doc_text(d, ".");
    }
    doc_para(d);
    doc_textf(d, "Data: %s rows", NUM(a, view_num(data, "rows")));
    double used = view_num(data, "rows_used");
    if (isfinite(used))
        doc_textf(d, " (%s used)", NUM(a, used));
    double nfeat = view_num(data, "features");
    if (isfinite(nfeat))
        doc_textf(d, ", %s features", NUM(a, nfeat));
    doc_textf(d, "; %s members", NUM(a, view_num(data, "members")));
    doc_textf(d, ", %s non-members", NUM(a, view_num(data, "nonmembers")));
    const char *label = view_str(data, "label");
    if (label) {
        doc_text(d, "; label ");
        doc_code(d, label);
    }
    const cJSON *classes = view_arr(data, "classes");
    if (cJSON_GetArraySize(classes) > 0) {
        doc_text(d, " with classes ");
        const cJSON *c;
        bool first = true;
        cJSON_ArrayForEach(c, classes)
        {
            char val[256];
            view_scalar(c, val, sizeof val);
            if (!first)
                doc_text(d, ", ");
            doc_code(d, val);
            first = false;
        }
    }
    doc_text(d, ".");
    const char *split = view_str(data, "split");
    if (split) {
        doc_text(d, " How members were chosen: ");
        doc_text(d, split);
        doc_text(d, ".");
    }
}

static const char *const TOP_KNOWN[] = {"schema_version", "tool", "name", "provenance",
                                        "data", "target", "attacks", "bounds",
                                        "verdict", "timings", "claims"};

static void other_section(struct doc *d, const cJSON *rep)
{
    const cJSON *it;
    bool any = false;
    cJSON_ArrayForEach(it, rep)
    {
        bool known = false;
        for (size_t i = 0; i < sizeof TOP_KNOWN / sizeof *TOP_KNOWN && !known; i++)
            known = it->string && strcmp(it->string, TOP_KNOWN[i]) == 0;
        if (known || !it->string)
            continue;
        if (!any)
            doc_heading(d, 2, "Further results");
        any = true;
        generic_value(d, it->string, it, 3);
    }
}

static const char *const INPUT_KNOWN[] = {"role", "path", "sha256"};

static void provenance_section(struct doc *d, const cJSON *rep)
{
    const cJSON *p = view_obj(rep, "provenance");
    const cJSON *tool = view_obj(rep, "tool");
    char a[64];
    doc_heading(d, 2, "Provenance");
    doc_list(d);
    doc_item(d);
    doc_text(d, "Tool: ");
    doc_code(d, view_str_or(tool, "name", "?"));
    doc_text(d, " ");
    doc_code(d, view_str_or(tool, "version", "?"));
    doc_textf(d, ", report schema version %s", NUM(a, view_num(rep, "schema_version")));
    doc_item(d);
    doc_text(d, "Started at: ");
    doc_text(d, view_str_or(p, "started_at", "?"));
    doc_item(d);
    doc_text(d, "Seed: ");
    double seed = view_num(p, "seed");
    /* the seed exactly (%.4g would round it) */
    if (isfinite(seed) && fabs(seed) < 1e17)
        snprintf(a, sizeof a, "%.0f", seed);
    else
        view_fmt(a, sizeof a, seed);
    doc_code(d, a);
    const char *cmd = view_str(p, "command");
    if (cmd) {
        doc_item(d);
        doc_text(d, "Command: ");
        doc_code(d, cmd);
    }
    const cJSON *th = view_obj(p, "threads");
    if (th) {
        doc_item(d);
        doc_text(d, "Threads: ");
        bool first = true;
        scalar_pairs(d, th, NULL, 0, "", &first);
    }
    const cJSON *tm = view_obj(rep, "timings");
    if (isfinite(view_num(tm, "total_s"))) {
        doc_item(d);
        doc_textf(d, "Run time: %s s", NUM(a, view_num(tm, "total_s")));
    }
    if (view_obj(p, "config")) {
        doc_item(d);
        doc_text(d, "The resolved config is in ");
        doc_code(d, "provenance.config");
        doc_text(d, " of report.json.");
    }
    doc_para(d);
    doc_strong(d, "Inputs");
    doc_table(d, 4);
    doc_cell_text(d, "Role");
    doc_cell_text(d, "Path");
    doc_cell_text(d, "SHA-256");
    doc_cell_text(d, "Details");
    const cJSON *in;
    cJSON_ArrayForEach(in, view_arr(p, "inputs"))
    {
        doc_cell_text(d, view_str_or(in, "role", "?"));
        doc_cell_code(d, view_str_or(in, "path", "?"));
        doc_cell_code(d, view_str_or(in, "sha256", "?"));
        doc_cell(d);
        bool first = true;
        scalar_pairs(d, in, INPUT_KNOWN, 3, "", &first);
    }
    const cJSON *lib = view_obj(p, "libraries");
    if (lib && lib->child) {
        doc_para(d);
        doc_strong(d, "Libraries");
        doc_table(d, 2);
        doc_cell_text(d, "Library");
        doc_cell_text(d, "Version");
        const cJSON *it;
        cJSON_ArrayForEach(it, lib)
        {
            char val[512];
            view_scalar(it, val, sizeof val);
            doc_cell_code(d, it->string ? it->string : "?");
            doc_cell_text(d, val);
        }
    }
}

/* Append s to the distinct list seen[0..*n) when new (at most cap). */
static bool distinct(const char **seen, size_t *n, size_t cap, const char *s)
{
    if (!s || !*s)
        return false;
    for (size_t i = 0; i < *n; i++)
        if (strcmp(seen[i], s) == 0)
            return false;
    if (*n < cap)
        seen[(*n)++] = s;
    return true;
}

static void threat_section(struct doc *d, const cJSON *rep)
{
    const cJSON *at, *b;
    const char *seen[64];
    size_t n_seen = 0;
    doc_heading(d, 2, "Threat model and assumptions");
    doc_list(d);
    cJSON_ArrayForEach(at, view_arr(rep, "attacks"))
    {
        const char *tm = view_str(at, "threat_model");
        if (distinct(seen, &n_seen, 64, tm)) {
            doc_item(d);
            doc_text(d, "What the attacker sees (attack ");
            doc_code(d, view_str_or(at, "name", "?"));
            doc_text(d, "): ");
            doc_text(d, tm);
            doc_text(d, ".");
        }
    }
    cJSON_ArrayForEach(b, view_arr(rep, "bounds"))
    {
        const char *tm = view_str(b, "threat_model");
        if (distinct(seen, &n_seen, 64, tm)) {
            doc_item(d);
            doc_text(d, "What the attacker sees (bound ");
            doc_code(d, view_str_or(b, "method", "?"));
            doc_text(d, " on ");
            doc_code(d, view_str_or(b, "attack", "?"));
            doc_text(d, "): ");
            doc_text(d, tm);
            doc_text(d, ".");
        }
    }
    cJSON_ArrayForEach(b, view_arr(rep, "bounds"))
    {
        const char *as = view_str(b, "assumptions");
        if (distinct(seen, &n_seen, 64, as)) {
            doc_item(d);
            doc_text(d, "The bound assumes: ");
            doc_text(d, as);
            doc_text(d, ".");
        }
        const char *how = view_str(view_obj(b, "threshold"), "how");
        if (distinct(seen, &n_seen, 64, how)) {
            doc_item(d);
            doc_text(d, "The decision threshold was ");
            doc_text(d, how);
            doc_text(d, ".");
        }
    }
    const cJSON *claim = view_obj(view_obj(rep, "verdict"), "claim");
    if (claim) {
        char e[32], dl[32];
        doc_item(d);
        doc_textf(d, "The claim tested is (epsilon %s, delta %s)-differential "
                  "privacy; the bounds are computed at their own delta, which must "
                  "be at least the claim's for the comparison to hold.",
                  NUM(e, view_num(claim, "epsilon")), NUM(dl, view_num(claim, "delta")));
    }
    doc_para(d);
    doc_strong(d, "What this does not show");
    doc_list(d);
    doc_item(d);
    doc_text(d, "An epsilon lower bound is evidence of leakage, never a proof of "
                "privacy: it says the model leaks at least this much to these "
                "attacks. Stronger attacks, other data or other threat models may "
                "show more.");
    doc_item(d);
    doc_text(d, "A \"consistent\" verdict does not certify the claim. It means only "
                "that these attacks found no contradiction at this confidence; the "
                "true epsilon may still exceed the claim.");
    doc_item(d);
    doc_text(d, "Each bound holds at its stated confidence; with several bounds, the "
                "chance that at least one overstates the leakage is larger than for "
                "any single one.");
    doc_item(d);
    doc_text(d, "The results describe this trained model on this data split, not "
                "the training algorithm in general.");
    doc_item(d);
    doc_text(d, "The TPR at a low FPR is only measurable down to 1/n non-members; "
                "below that the report marks it unresolvable.");
}

int summary_build(const cJSON *rep, struct doc *d, struct error *err)
{
    char title[512];
    snprintf(title, sizeof title, "Privacy audit: %s", view_str_or(rep, "name", "unnamed"));
    doc_heading(d, 1, title);
    verdict_section(d, rep);
    epsilon_section(d, rep);
    attack_section(d, rep);
    target_section(d, rep);
    other_section(d, rep);
    provenance_section(d, rep);
    threat_section(d, rep);
    return doc_status(d, err);
}

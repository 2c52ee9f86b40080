/*
 * audit/config.c - parsing and validating the audit config (see config.h).
 */
#include "audit/config.h"

#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/afile.h"
#include "core/jsonx.h"
#include "core/sha256.h"
#include "attacks/shadow.h"
#include "report/render.h"

const char *const config_attack_names[ATTACK_N] = {"loss", "confidence", "entropy",
                                                   "modified-entropy"};

const char *const config_bound_names[BOUND_N] = {"clopper-pearson", "one-run",
                                                 "one-run-fdp", "gdp"};

const char *const config_shadow_attack_names[SHADOW_ATTACK_N] = {
    "lira-online", "lira-offline", "rmia", "calibrated-loss", "shokri"};
static const char *const VARIANCES[] = {"auto", "per-example", "global"};

static const char *const FORMATS[] = {"auto", "csv", "libsvm"};
static const char *const THRESHOLDS[] = {"split", "union"};

static char *dup_str(const char *s)
{
    if (!s)
        return NULL;
    size_t n = strlen(s) + 1;
    char *d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* dir + "/" + p unless p is absolute or dir is empty. */
static char *resolve(const char *dir, const char *p)
{
    if (p[0] == '/' || !dir || !*dir || strcmp(dir, ".") == 0)
        return dup_str(p);
    size_t a = strlen(dir), b = strlen(p);
    char *out = malloc(a + b + 2);
    if (!out)
        return NULL;
    memcpy(out, dir, a);
    out[a] = '/';
    memcpy(out + a + 1, p, b + 1);
    return out;
}

void config_release(struct config *cfg)
{
    if (!cfg)
        return;
    cJSON_Delete(cfg->root);
    free(cfg->path);
    free(cfg->name);
    free(cfg->data_path);
    free(cfg->label);
    for (size_t i = 0; i < cfg->n_categorical; i++)
        free(cfg->categorical[i]);
    free(cfg->categorical);
    if (cfg->target_ops && cfg->target_params)
        cfg->target_ops->free_params(cfg->target_params);
    if (cfg->ref_ops && cfg->ref_params)
        cfg->ref_ops->free_params(cfg->ref_params);
    free(cfg->members_path);
    free(cfg->nonmembers_path);
    free(cfg->member_column);
    free(cfg->tp_path);
    for (size_t i = 0; i < cfg->tp_argc; i++)
        free(cfg->tp_argv[i]);
    free(cfg->tp_argv);
    memset(cfg, 0, sizeof *cfg);
}

static int parse_data(struct config *cfg, const cJSON *root, const char *dir,
                      struct error *err)
{
    static const char *const keys[] = {"path", "format", "label", "categorical",
                                       "members", "nonmembers", "member_column",
                                       "random_membership"};
    const cJSON *d = NULL;
    bool need = cfg->thirdparty != TP_PREDICTIONS;
    int rc = jsonx_object(root, "", "data", need, &d, err);
    if (rc)
        return rc;
    if ((rc = jsonx_check_keys(d, "data", keys, 8, err)))
        return rc;
    if ((rc = jsonx_bool(d, "data", "random_membership", true, false,
                         &cfg->random_membership, err)))
        return rc;
    if (!d)
        return 0;
    if (cfg->thirdparty == TP_PREDICTIONS)
        return error_set(err, ERR_INPUT,
                         "data: not used with target.kind 'predictions' (the predictions "
                         "file carries labels and membership)");
    const char *mp = NULL, *np = NULL, *mc = NULL;
    if ((rc = jsonx_string(d, "data", "members", NULL, false, &mp, err)) ||
        (rc = jsonx_string(d, "data", "nonmembers", NULL, false, &np, err)) ||
        (rc = jsonx_string(d, "data", "member_column", NULL, false, &mc, err)))
        return rc;
    if ((mp || np || mc) && cfg->thirdparty == TP_NONE)
        return error_set(err, ERR_INPUT,
                         "data.%s: only for targets privaudit does not train (the split "
                         "decides membership otherwise)",
                         mp ? "members" : np ? "nonmembers" : "member_column");
    if (cfg->thirdparty != TP_NONE && !mp && !mc)
        return error_set(err, ERR_INPUT,
                         "data: say which rows the model was trained on: 'members' (a file "
                         "of row numbers) or 'member_column'");
    if (mp && mc)
        return error_set(err, ERR_INPUT, "data.member_column: give 'members' or "
                                         "'member_column', not both");
    if (np && !mp)
        return error_set(err, ERR_INPUT, "data.nonmembers: needs 'members' too");
    if ((mp && !(cfg->members_path = resolve(dir, mp))) ||
        (np && !(cfg->nonmembers_path = resolve(dir, np))) ||
        (mc && !(cfg->member_column = dup_str(mc))))
        return error_set(err, ERR_NOMEM, "out of memory");
    const char *p = NULL, *label = NULL;
    int fmt = 0;
    if ((rc = jsonx_string(d, "data", "path", NULL, true, &p, err)))
        return rc;
    if (!*p)
        return error_set(err, ERR_INPUT, "data.path: must not be empty");
    if ((rc = jsonx_enum(d, "data", "format", FORMATS, 3, 0, false, &fmt, err)))
        return rc;
    if ((rc = jsonx_string(d, "data", "label", NULL, false, &label, err)))
        return rc;
    cfg->data_format = (enum dataset_format)fmt;
    cfg->data_path = resolve(dir, p);
    if (label && !(cfg->label = dup_str(label)))
        return error_set(err, ERR_NOMEM, "out of memory");
    if (!cfg->data_path)
        return error_set(err, ERR_NOMEM, "out of memory");
    const cJSON *cat = cJSON_GetObjectItemCaseSensitive(d, "categorical");
    if (cat) {
        if (!cJSON_IsArray(cat))
            return error_set(err, ERR_INPUT,
                             "data.categorical: expected an array of column names");
        size_t n = (size_t)cJSON_GetArraySize(cat);
        cfg->categorical = calloc(n ? n : 1, sizeof *cfg->categorical);
        if (!cfg->categorical)
            return error_set(err, ERR_NOMEM, "out of memory");
        size_t i = 0;
        for (const cJSON *it = cat->child; it; it = it->next, i++) {
            if (!cJSON_IsString(it) || !it->valuestring[0])
                return error_set(err, ERR_INPUT,
                                 "data.categorical[%zu]: expected a column name", i);
            if (!(cfg->categorical[i] = dup_str(it->valuestring)))
                return error_set(err, ERR_NOMEM, "out of memory");
            cfg->n_categorical = i + 1;
        }
    }
    return 0;
}

static int parse_split(struct config *cfg, const cJSON *root, struct error *err)
{
    static const char *const keys[] = {"members", "max_rows"};
    const cJSON *s = NULL;
    int rc = jsonx_object(root, "", "split", false, &s, err);
    if (rc)
        return rc;
    if ((rc = jsonx_check_keys(s, "split", keys, 2, err)))
        return rc;
    struct jrange open01 = {0.0, 1.0, true, true};
    if ((rc = jsonx_number(s, "split", "members", open01, 0.5, false,
                           &cfg->member_fraction, err)))
        return rc;
    long long mr = 0;
    if ((rc = jsonx_int(s, "split", "max_rows", 0, 1LL << 40, 0, false, &mr, err)))
        return rc;
    if (mr > 0 && mr < 4)
        return error_set(err, ERR_INPUT,
                         "split.max_rows: expected 0 (all rows) or an integer >= 4, "
                         "got %lld", mr);
    cfg->max_rows = (size_t)mr;
    return 0;
}

static int parse_target(struct config *cfg, const cJSON *root, const char *cfg_dir,
                        struct error *err)
{
    const cJSON *t = NULL;
    int rc = jsonx_object(root, "", "target", true, &t, err);
    if (rc)
        return rc;
    const char *kind = NULL;
    if ((rc = jsonx_string(t, "target", "kind", NULL, true, &kind, err)))
        return rc;
    if (strcmp(kind, "xgboost-file") == 0 || strcmp(kind, "predictions") == 0) {
        static const char *const keys[] = {"kind", "path"};
        const char *p = NULL;
        if ((rc = jsonx_check_keys(t, "target", keys, 2, err)) ||
            (rc = jsonx_string(t, "target", "path", NULL, true, &p, err)))
            return rc;
        if (!*p)
            return error_set(err, ERR_INPUT, "target.path: must not be empty");
        cfg->thirdparty = kind[0] == 'x' ? TP_MODEL_FILE : TP_PREDICTIONS;
        if (!(cfg->tp_path = resolve(cfg_dir, p)))
            return error_set(err, ERR_NOMEM, "out of memory");
        return 0;
    }
    if (strcmp(kind, "command") == 0) {
        static const char *const keys[] = {"kind", "argv", "batch", "timeout_s"};
        struct jrange pos = {0.0, 86400.0, true, false};
        if ((rc = jsonx_check_keys(t, "target", keys, 4, err)) ||
            (rc = jsonx_int(t, "target", "batch", 1, 1000000, 256, false, &cfg->tp_batch,
                            err)) ||
            (rc = jsonx_number(t, "target", "timeout_s", pos, 60.0, false,
                               &cfg->tp_timeout_s, err)))
            return rc;
        const cJSON *av = cJSON_GetObjectItemCaseSensitive(t, "argv");
        if (!cJSON_IsArray(av) || cJSON_GetArraySize(av) == 0)
            return error_set(err, ERR_INPUT,
                             "target.argv: %s (required: a non-empty array of strings; no "
                             "shell is used)", av ? "expected an array" : "missing");
        size_t na = (size_t)cJSON_GetArraySize(av);
        cfg->tp_argv = calloc(na + 1, sizeof *cfg->tp_argv);
        if (!cfg->tp_argv)
            return error_set(err, ERR_NOMEM, "out of memory");
        size_t i = 0;
        for (const cJSON *it = av->child; it; it = it->next, i++) {
            if (!cJSON_IsString(it) || !it->valuestring[0])
                return error_set(err, ERR_INPUT, "target.argv[%zu]: expected a non-empty "
                                                 "string", i);
            /* The program runs in the config's directory (pipeline.c), so
             * relative paths in argv, the program's own included, are
             * relative to it. */
            cfg->tp_argv[i] = dup_str(it->valuestring);
            if (!cfg->tp_argv[i])
                return error_set(err, ERR_NOMEM, "out of memory");
            cfg->tp_argc = i + 1;
        }
        cfg->thirdparty = TP_COMMAND;
        return 0;
    }
    cfg->target_ops = model_ops_find(kind);
    if (!cfg->target_ops)
        return error_set(err, ERR_INPUT, "target.kind: expected one of %s, "
                         "xgboost-file, predictions, command, got '%s'",
                         model_kinds_text(), kind);
    return cfg->target_ops->parse_params(t, "target", &cfg->target_params, err);
}

static int parse_attacks(struct config *cfg, const cJSON *root, struct error *err)
{
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(root, "attacks");
    if (!a) {
        cfg->attacks[ATTACK_LOSS] = true;
        return 0;
    }
    if (!cJSON_IsArray(a) || cJSON_GetArraySize(a) == 0)
        return error_set(err, ERR_INPUT,
                         "attacks: expected a non-empty array of attack names");
    size_t i = 0;
    for (const cJSON *it = a->child; it; it = it->next, i++) {
        int k = -1;
        for (int j = 0; j < ATTACK_N && cJSON_IsString(it); j++)
            if (strcmp(it->valuestring, config_attack_names[j]) == 0)
                k = j;
        if (k < 0)
            return error_set(err, ERR_INPUT,
                             "attacks[%zu]: expected one of 'loss', 'confidence', "
                             "'entropy', 'modified-entropy'%s%s%s",
                             i, cJSON_IsString(it) ? ", got '" : "",
                             cJSON_IsString(it) ? it->valuestring : "",
                             cJSON_IsString(it) ? "'" : "");
        if (cfg->attacks[k])
            return error_set(err, ERR_INPUT, "attacks[%zu]: '%s' listed twice", i,
                             config_attack_names[k]);
        cfg->attacks[k] = true;
    }
    return 0;
}

static int parse_canaries(struct config *cfg, const cJSON *root, struct error *err)
{
    static const char *const keys[] = {"kind", "count", "ood_norm", "dirac_value",
                                       "iterates", "iterates_statistic"};
    const cJSON *c = NULL;
    int rc = jsonx_object(root, "", "canaries", false, &c, err);
    if (rc || !c)
        return rc;
    if ((rc = jsonx_check_keys(c, "canaries", keys, 6, err)))
        return rc;
    int kind = 0;
    long long m = 0;
    struct jrange pos = {0.0, INFINITY, true, false};
    if ((rc = jsonx_enum(c, "canaries", "kind", canary_kind_names, CANARY_N, 0, true,
                         &kind, err)) ||
        (rc = jsonx_int(c, "canaries", "count", 2, 1000000, 0, true, &m, err)) ||
        (rc = jsonx_number(c, "canaries", "ood_norm", pos, 10.0, false,
                           &cfg->canaries.ood_norm, err)) ||
        (rc = jsonx_number(c, "canaries", "dirac_value", pos, 1.0, false,
                           &cfg->canaries.dirac_value, err)))
        return rc;
    if ((rc = jsonx_bool(c, "canaries", "iterates", false, false, &cfg->canaries.iterates,
                         err)))
        return rc;
    if (cfg->canaries.iterates &&
        (!cfg->target_ops || strcmp(cfg->target_ops->kind, "logreg")))
        return error_set(err, ERR_INPUT,
                         "canaries.iterates: needs target.kind 'logreg' (its weights "
                         "after every SGD step)");
    int stat = CANARY_ITER_VARIANCE;
    if ((rc = jsonx_enum(c, "canaries", "iterates_statistic", canary_iter_stat_names,
                         CANARY_ITER_N, CANARY_ITER_VARIANCE, false, &stat, err)))
        return rc;
    if (!cfg->canaries.iterates && cJSON_GetObjectItemCaseSensitive(c, "iterates_statistic"))
        return error_set(err, ERR_INPUT,
                         "canaries.iterates_statistic: not used unless canaries.iterates "
                         "is true");
    cfg->canaries.iter_stat = (enum canary_iter_stat)stat;
    cfg->canaries.kind = (enum canary_kind)kind;
    cfg->canaries.m = (size_t)m;
    cfg->has_canaries = true;
    return 0;
}

static int parse_shadows(struct config *cfg, const cJSON *root, struct error *err)
{
    static const char *const keys[] = {"count", "attacks", "variance", "rmia_a",
                                       "rmia_gamma", "statistic", "reference"};
    const cJSON *sh = NULL;
    int rc = jsonx_object(root, "", "shadows", false, &sh, err);
    if (rc || !sh)
        return rc;
    if ((rc = jsonx_check_keys(sh, "shadows", keys, 7, err)))
        return rc;
    const cJSON *ref = NULL;
    if ((rc = jsonx_object(sh, "shadows", "reference", false, &ref, err)))
        return rc;
    if (ref && cfg->thirdparty == TP_NONE)
        return error_set(err, ERR_INPUT, "shadows.reference: only for targets privaudit "
                                         "does not train (shadows train like the target)");
    if (!ref && (cfg->thirdparty == TP_MODEL_FILE || cfg->thirdparty == TP_COMMAND))
        return error_set(err, ERR_INPUT,
                         "shadows.reference: missing (required for a target privaudit does "
                         "not train: the model the auditor trains as reference, e.g. "
                         "{\"kind\": \"xgboost\", ...})");
    if (cfg->thirdparty == TP_PREDICTIONS && ref)
        return error_set(err, ERR_INPUT,
                         "shadows.reference: not used with target.kind 'predictions' (the "
                         "reference models are the file's ref<j>_ columns)");
    if (ref) {
        const char *rk = NULL;
        if ((rc = jsonx_string(ref, "shadows.reference", "kind", NULL, true, &rk, err)))
            return rc;
        if (!(cfg->ref_ops = model_ops_find(rk)))
            return error_set(err, ERR_INPUT,
                             "shadows.reference.kind: expected one of %s, got '%s'",
                             model_kinds_text(), rk);
        if ((rc = cfg->ref_ops->parse_params(ref, "shadows.reference", &cfg->ref_params,
                                             err)))
            return rc;
    }
    if ((rc = jsonx_enum(sh, "shadows", "statistic", shadow_stat_names, SHADOW_STAT_N, 0,
                         false, &cfg->shadow_statistic, err)))
        return rc;
    long long k = 0;
    int var = 0;
    struct jrange a01 = {0.0, 1.0, false, false};
    struct jrange pos = {0.0, INFINITY, true, false};
    /* With a predictions file the reference models are its ref<j> columns:
     * their number is the file's (count is then optional; 0 = all). */
    bool from_file = cfg->thirdparty == TP_PREDICTIONS;
    if ((rc = jsonx_int(sh, "shadows", "count", from_file ? 0 : 2, 4096, 0, !from_file, &k,
                        err)) ||
        (rc = jsonx_enum(sh, "shadows", "variance", VARIANCES, 3, 0, false, &var, err)) ||
        (rc = jsonx_number(sh, "shadows", "rmia_a", a01, 0.3, false, &cfg->rmia_a, err)) ||
        (rc = jsonx_number(sh, "shadows", "rmia_gamma", pos, 1.0, false, &cfg->rmia_gamma,
                           err)))
        return rc;
    if (k % 2 && !from_file)
        return error_set(err, ERR_INPUT,
                         "shadows.count: expected an even number (a balanced design: "
                         "every example is IN for half the shadows), got %lld", k);
    cfg->shadow_count = (size_t)k;
    cfg->shadow_variance = (enum shadow_variance)var;
    const cJSON *at = cJSON_GetObjectItemCaseSensitive(sh, "attacks");
    if (!at) {
        for (int i = 0; i < SHADOW_ATTACK_N; i++)
            cfg->shadow_attacks[i] = true;
    } else {
        if (!cJSON_IsArray(at) || cJSON_GetArraySize(at) == 0)
            return error_set(err, ERR_INPUT,
                             "shadows.attacks: expected a non-empty array of attack names");
        size_t i = 0;
        for (const cJSON *it = at->child; it; it = it->next, i++) {
            int kk = -1;
            for (int j = 0; j < SHADOW_ATTACK_N && cJSON_IsString(it); j++)
                if (strcmp(it->valuestring, config_shadow_attack_names[j]) == 0)
                    kk = j;
            if (kk < 0)
                return error_set(err, ERR_INPUT,
                                 "shadows.attacks[%zu]: expected one of 'lira-online', "
                                 "'lira-offline', 'rmia', 'calibrated-loss', 'shokri'", i);
            if (cfg->shadow_attacks[kk])
                return error_set(err, ERR_INPUT, "shadows.attacks[%zu]: '%s' listed twice",
                                 i, config_shadow_attack_names[kk]);
            cfg->shadow_attacks[kk] = true;
        }
    }
    if (cfg->shadow_statistic != SHADOW_STAT_PHI)
        for (int a = SHADOW_RMIA; a < SHADOW_ATTACK_N; a++)
            if (cfg->shadow_attacks[a])
                return error_set(err, ERR_INPUT,
                                 "shadows.attacks: '%s' needs shadows.statistic 'phi' (it "
                                 "reads the true-class probability); with '%s' only "
                                 "lira-online and lira-offline run",
                                 config_shadow_attack_names[a],
                                 shadow_stat_names[cfg->shadow_statistic]);
    if (cfg->thirdparty != TP_NONE && cfg->shadow_attacks[SHADOW_LIRA_ONLINE]) {
        if (cJSON_GetObjectItemCaseSensitive(sh, "attacks"))
            return error_set(err, ERR_INPUT,
                             "shadows.attacks: 'lira-online' needs reference models trained "
                             "with the target's members, which a third-party audit does "
                             "not have; use lira-offline");
        cfg->shadow_attacks[SHADOW_LIRA_ONLINE] = false;
    }
    cfg->has_shadows = true;
    return 0;
}

static int parse_multirun(struct config *cfg, const cJSON *root, struct error *err)
{
    static const char *const keys[] = {"runs"};
    const cJSON *mr = NULL;
    int rc = jsonx_object(root, "", "multirun", false, &mr, err);
    if (rc || !mr)
        return rc;
    if ((rc = jsonx_check_keys(mr, "multirun", keys, 1, err)))
        return rc;
    long long r = 0;
    if ((rc = jsonx_int(mr, "multirun", "runs", 2, 100000, 0, true, &r, err)))
        return rc;
    if (!cfg->has_canaries)
        return error_set(err, ERR_INPUT,
                         "multirun: needs a 'canaries' section (its first canary is the "
                         "one trained on in half of the runs)");
    cfg->multirun = (size_t)r;
    return 0;
}

static int parse_report(struct config *cfg, const cJSON *root, struct error *err)
{
    static const char *const keys[] = {"formats"};
    const cJSON *r = NULL;
    int rc = jsonx_object(root, "", "report", false, &r, err);
    if (rc)
        return rc;
    cfg->report_formats = REPORT_FMT_MD | REPORT_FMT_HTML | REPORT_FMT_PNG;
    if (!r)
        return 0;
    if ((rc = jsonx_check_keys(r, "report", keys, 1, err)))
        return rc;
    const cJSON *f = cJSON_GetObjectItemCaseSensitive(r, "formats");
    if (!f)
        return 0;
    if (!cJSON_IsArray(f))
        return error_set(err, ERR_INPUT, "report.formats: expected an array of format "
                                         "names");
    unsigned bits = 0;
    size_t i = 0;
    for (const cJSON *it = f->child; it; it = it->next, i++) {
        unsigned one = 0;
        struct error e2;
        if (!cJSON_IsString(it) ||
            (strcmp(it->valuestring, "json") != 0 &&
             report_parse_formats(it->valuestring, &one, &e2) != 0))
            return error_set(err, ERR_INPUT,
                             "report.formats[%zu]: expected one of 'json', 'md', 'html', "
                             "'junit', 'png', 'svg', 'all'", i);
        bits |= one;
    }
    cfg->report_formats = bits;
    return 0;
}

static int parse_claim_and_bounds(struct config *cfg, const cJSON *root,
                                  struct error *err)
{
    static const char *const ckeys[] = {"epsilon", "delta"};
    static const char *const bkeys[] = {"confidence", "delta", "threshold",
                                        "max_thresholds", "methods", "k_plus",
                                        "k_minus"};
    const cJSON *c = NULL, *b = NULL;
    int rc;
    struct jrange pos = {0.0, INFINITY, true, false};
    struct jrange d01 = {0.0, 1.0, false, true};
    struct jrange c01 = {0.0, 1.0, true, true};
    if ((rc = jsonx_object(root, "", "claim", false, &c, err)))
        return rc;
    if (c) {
        if ((rc = jsonx_check_keys(c, "claim", ckeys, 2, err)) ||
            (rc = jsonx_number(c, "claim", "epsilon", pos, 0, true,
                               &cfg->claim_epsilon, err)) ||
            (rc = jsonx_number(c, "claim", "delta", d01, 0, true, &cfg->claim_delta,
                               err)))
            return rc;
        cfg->has_claim = true;
    }
    if ((rc = jsonx_object(root, "", "bounds", false, &b, err)))
        return rc;
    if ((rc = jsonx_check_keys(b, "bounds", bkeys, 7, err)))
        return rc;
    const cJSON *ms = b ? cJSON_GetObjectItemCaseSensitive(b, "methods") : NULL;
    if (ms) {
        if (!cJSON_IsArray(ms) || cJSON_GetArraySize(ms) == 0)
            return error_set(err, ERR_INPUT,
                             "bounds.methods: expected a non-empty array of method names");
        size_t i = 0;
        for (const cJSON *it = ms->child; it; it = it->next, i++) {
            int k = -1;
            for (int j = 0; j < BOUND_N && cJSON_IsString(it); j++)
                if (strcmp(it->valuestring, config_bound_names[j]) == 0)
                    k = j;
            if (k < 0)
                return error_set(err, ERR_INPUT,
                                 "bounds.methods[%zu]: expected one of 'clopper-pearson', "
                                 "'one-run', 'one-run-fdp', 'gdp'", i);
            if (cfg->methods[k])
                return error_set(err, ERR_INPUT, "bounds.methods[%zu]: '%s' listed twice",
                                 i, config_bound_names[k]);
            cfg->methods[k] = true;
        }
        cfg->methods_set = true;
        if ((cfg->methods[BOUND_ONERUN] || cfg->methods[BOUND_ONERUN_FDP] ||
             cfg->methods[BOUND_GDP]) && !cfg->has_canaries)
            return error_set(err, ERR_INPUT,
                             "bounds.methods: one-run methods need a 'canaries' section");
    } else {
        cfg->methods[BOUND_CP] = true;
        if (cfg->has_canaries)
            cfg->methods[BOUND_ONERUN] = cfg->methods[BOUND_ONERUN_FDP] =
                cfg->methods[BOUND_GDP] = true;
    }
    long long kp = 0, km = 0;
    if ((rc = jsonx_int(b, "bounds", "k_plus", 0, 1LL << 40, 0, false, &kp, err)) ||
        (rc = jsonx_int(b, "bounds", "k_minus", 0, 1LL << 40, 0, false, &km, err)))
        return rc;
    if ((kp || km) && !cfg->has_canaries)
        return error_set(err, ERR_INPUT, "bounds.k_plus: needs a 'canaries' section");
    if (cfg->has_canaries && kp + km > (long long)cfg->canaries.m)
        return error_set(err, ERR_INPUT,
                         "bounds.k_plus + bounds.k_minus: %lld guesses exceed the %zu "
                         "canaries", kp + km, cfg->canaries.m);
    cfg->k_plus = (unsigned long long)kp;
    cfg->k_minus = (unsigned long long)km;
    double dflt_delta = cfg->has_claim ? cfg->claim_delta : 1e-5;
    int thr = 0;
    long long mt = 256;
    if ((rc = jsonx_number(b, "bounds", "confidence", c01, 0.95, false,
                           &cfg->confidence, err)) ||
        (rc = jsonx_number(b, "bounds", "delta", d01, dflt_delta, false, &cfg->delta,
                           err)) ||
        (rc = jsonx_enum(b, "bounds", "threshold", THRESHOLDS, 2, 0, false, &thr,
                         err)) ||
        (rc = jsonx_int(b, "bounds", "max_thresholds", 1, 1000000, 256, false, &mt,
                        err)))
        return rc;
    cfg->delta_set = b && cJSON_GetObjectItemCaseSensitive(b, "delta") != NULL;
    cfg->threshold = (enum threshold_mode)thr;
    cfg->max_thresholds = (size_t)mt;
    /* A bound at delta' is a bound for every claim with delta <= delta'; one
     * computed at a smaller delta than the claim's says nothing about it. */
    if (cfg->has_claim && cfg->delta < cfg->claim_delta)
        return error_set(err, ERR_INPUT,
                         "bounds.delta: %g is below claim.delta %g; a bound at a "
                         "smaller delta cannot test the claim",
                         cfg->delta, cfg->claim_delta);
    return 0;
}

int config_parse(struct config *cfg, const char *text, size_t len,
                 const char *name, const char *dir, struct error *err)
{
    static const char *const keys[] = {"name", "seed", "data", "split", "target",
                                       "attacks", "canaries", "bounds", "claim",
                                       "fail_on_violation", "report", "shadows",
                                       "multirun"};
    memset(cfg, 0, sizeof *cfg);
    int rc = jsonx_parse(text, len, name, &cfg->root, err);
    if (rc)
        return rc;
    sha256_hex(text, len, cfg->sha256);
    cfg->path = dup_str(name);
    const cJSON *root = cfg->root;
    const char *nm = NULL;
    long long seed = 0;
    if ((rc = jsonx_check_keys(root, "", keys, sizeof keys / sizeof keys[0], err)) ||
        (rc = jsonx_string(root, "", "name", NULL, false, &nm, err)) ||
        (rc = jsonx_int(root, "", "seed", 0, (1LL << 53) - 1, 1, false, &seed, err)) ||
        (rc = parse_target(cfg, root, dir, err)) || (rc = parse_data(cfg, root, dir, err)) ||
        (rc = parse_split(cfg, root, err)) || (rc = parse_attacks(cfg, root, err)) ||
        (rc = parse_canaries(cfg, root, err)) || (rc = parse_report(cfg, root, err)) ||
        (rc = parse_shadows(cfg, root, err)) || (rc = parse_multirun(cfg, root, err)) ||
        (rc = parse_claim_and_bounds(cfg, root, err)) ||
        (rc = jsonx_bool(root, "", "fail_on_violation", false, false,
                         &cfg->fail_on_violation, err)))
        goto fail;
    if (cfg->thirdparty != TP_NONE) {
        const char *bad = cfg->has_canaries ? "canaries"
                          : cfg->multirun ? "multirun"
                          : cJSON_GetObjectItemCaseSensitive(root, "split") ? "split"
                                                                             : NULL;
        if (bad) {
            rc = error_set(err, ERR_INPUT,
                           "%s: not available for a target privaudit does not train "
                           "(target.kind '%s')", bad,
                           cfg->thirdparty == TP_MODEL_FILE ? "xgboost-file"
                           : cfg->thirdparty == TP_COMMAND  ? "command"
                                                            : "predictions");
            goto fail;
        }
    }
    cfg->seed = (uint64_t)seed;
    if (!nm) {
        const char *slash = strrchr(name, '/');
        nm = slash ? slash + 1 : name;
    }
    if (!(cfg->name = dup_str(nm)) || !cfg->path) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto fail;
    }
    return 0;
fail:
    if (rc != ERR_NOMEM && strncmp(err->msg, name, strlen(name)) != 0)
        error_prefix(err, "%s: ", name);
    config_release(cfg);
    return rc;
}

int config_load(struct config *cfg, const char *path, struct error *err)
{
    char *text = NULL;
    size_t len = 0;
    memset(cfg, 0, sizeof *cfg);
    int rc = afile_read_all(path, &text, &len, err);
    if (rc)
        return rc;
    char *dir = dup_str(path);
    if (!dir) {
        free(text);
        return error_set(err, ERR_NOMEM, "out of memory");
    }
    char *slash = strrchr(dir, '/');
    if (slash)
        *slash = '\0';
    else
        dir[0] = '\0';
    if (slash == dir)
        strcpy(dir, "/");
    rc = config_parse(cfg, text, len, path, dir, err);
    free(dir);
    free(text);
    return rc;
}

cJSON *config_to_json(const struct config *cfg, struct error *err)
{
    cJSON *o = cJSON_CreateObject();
    cJSON *data = NULL, *split = NULL, *target = NULL, *attacks = NULL,
          *bounds = NULL;
    if (!o)
        goto nomem;
    if (!cJSON_AddStringToObject(o, "name", cfg->name) ||
        !cJSON_AddNumberToObject(o, "seed", (double)cfg->seed))
        goto nomem;
    if (!(data = cJSON_AddObjectToObject(o, "data")) ||
        (cfg->data_path && !cJSON_AddStringToObject(data, "path", cfg->data_path)) ||
        !cJSON_AddStringToObject(data, "format", FORMATS[cfg->data_format]) ||
        !cJSON_AddBoolToObject(data, "random_membership", cfg->random_membership))
        goto nomem;
    if ((cfg->members_path && !cJSON_AddStringToObject(data, "members", cfg->members_path)) ||
        (cfg->nonmembers_path &&
         !cJSON_AddStringToObject(data, "nonmembers", cfg->nonmembers_path)) ||
        (cfg->member_column &&
         !cJSON_AddStringToObject(data, "member_column", cfg->member_column)))
        goto nomem;
    if (cfg->label && !cJSON_AddStringToObject(data, "label", cfg->label))
        goto nomem;
    cJSON *cats = cJSON_AddArrayToObject(data, "categorical");
    if (!cats)
        goto nomem;
    for (size_t i = 0; i < cfg->n_categorical; i++)
        if (!cJSON_AddItemToArray(cats, cJSON_CreateString(cfg->categorical[i])))
            goto nomem;
    if (cfg->thirdparty == TP_NONE && (!(split = cJSON_AddObjectToObject(o, "split")) ||
        !cJSON_AddNumberToObject(split, "members", cfg->member_fraction) ||
        !cJSON_AddNumberToObject(split, "max_rows", (double)cfg->max_rows)))
        goto nomem;
    if (!(target = cJSON_AddObjectToObject(o, "target")))
        goto nomem;
    if (cfg->thirdparty == TP_NONE) {
        if (!cJSON_AddStringToObject(target, "kind", cfg->target_ops->kind))
            goto nomem;
        if (cfg->target_ops->params_to_json(cfg->target_params, target, err)) {
            cJSON_Delete(o);
            return NULL;
        }
    } else if (cfg->thirdparty == TP_COMMAND) {
        cJSON *av = NULL;
        if (!cJSON_AddStringToObject(target, "kind", "command") ||
            !(av = cJSON_AddArrayToObject(target, "argv")) ||
            !cJSON_AddNumberToObject(target, "batch", (double)cfg->tp_batch) ||
            !cJSON_AddNumberToObject(target, "timeout_s", cfg->tp_timeout_s))
            goto nomem;
        for (size_t i = 0; i < cfg->tp_argc; i++)
            if (!cJSON_AddItemToArray(av, cJSON_CreateString(cfg->tp_argv[i])))
                goto nomem;
    } else {
        if (!cJSON_AddStringToObject(target, "kind", cfg->thirdparty == TP_MODEL_FILE
                                                         ? "xgboost-file"
                                                         : "predictions") ||
            !cJSON_AddStringToObject(target, "path", cfg->tp_path))
            goto nomem;
    }
    if (!(attacks = cJSON_AddArrayToObject(o, "attacks")))
        goto nomem;
    for (int i = 0; i < ATTACK_N; i++)
        if (cfg->attacks[i] &&
            !cJSON_AddItemToArray(attacks, cJSON_CreateString(config_attack_names[i])))
            goto nomem;
    if (!(bounds = cJSON_AddObjectToObject(o, "bounds")) ||
        !cJSON_AddNumberToObject(bounds, "confidence", cfg->confidence) ||
        !cJSON_AddNumberToObject(bounds, "delta", cfg->delta) ||
        !cJSON_AddStringToObject(bounds, "threshold", THRESHOLDS[cfg->threshold]) ||
        !cJSON_AddNumberToObject(bounds, "max_thresholds", (double)cfg->max_thresholds))
        goto nomem;
    cJSON *ms = cJSON_AddArrayToObject(bounds, "methods");
    if (!ms)
        goto nomem;
    for (int i = 0; i < BOUND_N; i++)
        if (cfg->methods[i] &&
            !cJSON_AddItemToArray(ms, cJSON_CreateString(config_bound_names[i])))
            goto nomem;
    if (cfg->k_plus || cfg->k_minus) {
        if (!cJSON_AddNumberToObject(bounds, "k_plus", (double)cfg->k_plus) ||
            !cJSON_AddNumberToObject(bounds, "k_minus", (double)cfg->k_minus))
            goto nomem;
    }
    if (cfg->has_canaries) {
        cJSON *c = cJSON_AddObjectToObject(o, "canaries");
        if (!c || !cJSON_AddStringToObject(c, "kind", canary_kind_names[cfg->canaries.kind]) ||
            !cJSON_AddNumberToObject(c, "count", (double)cfg->canaries.m) ||
            !cJSON_AddNumberToObject(c, "ood_norm", cfg->canaries.ood_norm) ||
            !cJSON_AddNumberToObject(c, "dirac_value", cfg->canaries.dirac_value) ||
            !cJSON_AddBoolToObject(c, "iterates", cfg->canaries.iterates))
            goto nomem;
        if (cfg->canaries.iterates &&
            !cJSON_AddStringToObject(c, "iterates_statistic",
                                     canary_iter_stat_names[cfg->canaries.iter_stat]))
            goto nomem;
    }
    if (cfg->multirun) {
        cJSON *mr = cJSON_AddObjectToObject(o, "multirun");
        if (!mr || !cJSON_AddNumberToObject(mr, "runs", (double)cfg->multirun))
            goto nomem;
    }
    if (cfg->has_shadows) {
        cJSON *sh = cJSON_AddObjectToObject(o, "shadows");
        cJSON *sa = sh ? cJSON_AddArrayToObject(sh, "attacks") : NULL;
        if (!sa || !cJSON_AddNumberToObject(sh, "count", (double)cfg->shadow_count) ||
            !cJSON_AddStringToObject(sh, "variance", VARIANCES[cfg->shadow_variance]) ||
            !cJSON_AddStringToObject(sh, "statistic", shadow_stat_names[cfg->shadow_statistic]) ||
            !cJSON_AddNumberToObject(sh, "rmia_a", cfg->rmia_a) ||
            !cJSON_AddNumberToObject(sh, "rmia_gamma", cfg->rmia_gamma))
            goto nomem;
        for (int i = 0; i < SHADOW_ATTACK_N; i++)
            if (cfg->shadow_attacks[i] &&
                !cJSON_AddItemToArray(sa, cJSON_CreateString(config_shadow_attack_names[i])))
                goto nomem;
        if (cfg->ref_ops) {
            cJSON *rj = cJSON_AddObjectToObject(sh, "reference");
            if (!rj || !cJSON_AddStringToObject(rj, "kind", cfg->ref_ops->kind))
                goto nomem;
            if (cfg->ref_ops->params_to_json(cfg->ref_params, rj, err)) {
                cJSON_Delete(o);
                return NULL;
            }
        }
    }
    if (cfg->has_claim) {
        cJSON *c = cJSON_AddObjectToObject(o, "claim");
        if (!c || !cJSON_AddNumberToObject(c, "epsilon", cfg->claim_epsilon) ||
            !cJSON_AddNumberToObject(c, "delta", cfg->claim_delta))
            goto nomem;
    }
    if (!cJSON_AddBoolToObject(o, "fail_on_violation", cfg->fail_on_violation))
        goto nomem;
    cJSON *rep = cJSON_AddObjectToObject(o, "report");
    cJSON *fm = rep ? cJSON_AddArrayToObject(rep, "formats") : NULL;
    if (!fm || !cJSON_AddItemToArray(fm, cJSON_CreateString("json")))
        goto nomem;
    static const struct {
        unsigned bit;
        const char *name;
    } F[] = {{REPORT_FMT_MD, "md"},     {REPORT_FMT_HTML, "html"},
             {REPORT_FMT_JUNIT, "junit"}, {REPORT_FMT_PNG, "png"},
             {REPORT_FMT_SVG, "svg"}};
    for (size_t i = 0; i < sizeof F / sizeof F[0]; i++)
        if ((cfg->report_formats & F[i].bit) &&
            !cJSON_AddItemToArray(fm, cJSON_CreateString(F[i].name)))
            goto nomem;
    return o;
nomem:
    cJSON_Delete(o);
    error_set(err, ERR_NOMEM, "out of memory");
    return NULL;
}

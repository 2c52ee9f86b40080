/*
 * targets/xgbm.c - the XGBoost model kind (see xgbm.h).
 */
#include "targets/xgbm.h"

#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <xgboost/c_api.h>

#include "core/afile.h"
#include "core/jsonx.h"

const char *const xgbm_tree_methods[] = {"hist", "exact", "approx"};
#define N_TREE_METHODS 3

/* Every XGBoost call: on failure record XGBGetLastError() and jump to cleanup. */
#define XGB_CHECK(call)                                                        \
    do {                                                                       \
        if ((call) != 0) {                                                     \
            rc = error_set(err, ERR_INTERNAL, "xgboost: %s: %s", #call,        \
                           XGBGetLastError());                                 \
            goto cleanup;                                                      \
        }                                                                      \
    } while (0)

enum objective { OBJ_BINARY = 0, OBJ_MULTI };

struct xgbm {
    BoosterHandle booster;
    size_t n_classes;
    size_t n_features;
    enum objective obj;
};

void xgbm_version(char *buf, size_t cap)
{
    int a = 0, b = 0, c = 0;
    XGBoostVersion(&a, &b, &c);
    snprintf(buf, cap, "%d.%d.%d", a, b, c);
}

void xgbm_params_default(struct xgbm_params *p)
{
    p->rounds = 100;
    p->max_depth = 6;
    p->eta = 0.3;
    p->subsample = 1.0;
    p->colsample_bytree = 1.0;
    p->min_child_weight = 1.0;
    p->lambda = 1.0;
    p->alpha = 0.0;
    p->gamma = 0.0;
    p->max_bin = 256;
    p->tree_method = 0;
    p->nthread = 1;
}

static const struct jrange UNIT_OPEN_LO = {0.0, 1.0, true, false};
static const struct jrange NONNEG = {0.0, INFINITY, false, false};

static int parse_params(const cJSON *obj, const char *path, void **out,
                        struct error *err)
{
    static const char *const keys[] = {
        "kind", "rounds", "max_depth", "eta", "subsample", "colsample_bytree",
        "min_child_weight", "lambda", "alpha", "gamma", "max_bin",
        "tree_method", "nthread"};
    *out = NULL;
    int rc = jsonx_check_keys(obj, path, keys, sizeof keys / sizeof keys[0], err);
    if (rc)
        return rc;
    struct xgbm_params *p = malloc(sizeof *p);
    if (!p)
        return error_set(err, ERR_NOMEM, "out of memory");
    xgbm_params_default(p);
    long long v;
    if ((rc = jsonx_int(obj, path, "rounds", 1, 100000, p->rounds, false, &v, err)))
        goto fail;
    p->rounds = (int)v;
    if ((rc = jsonx_int(obj, path, "max_depth", 1, 64, p->max_depth, false, &v, err)))
        goto fail;
    p->max_depth = (int)v;
    if ((rc = jsonx_int(obj, path, "max_bin", 2, 65536, p->max_bin, false, &v, err)))
        goto fail;
    p->max_bin = (int)v;
    if ((rc = jsonx_int(obj, path, "nthread", 1, 1024, p->nthread, false, &v, err)))
        goto fail;
    p->nthread = (int)v;
    if ((rc = jsonx_number(obj, path, "eta", UNIT_OPEN_LO, p->eta, false, &p->eta, err)) ||
        (rc = jsonx_number(obj, path, "subsample", UNIT_OPEN_LO, p->subsample, false,
                           &p->subsample, err)) ||
        (rc = jsonx_number(obj, path, "colsample_bytree", UNIT_OPEN_LO,
                           p->colsample_bytree, false, &p->colsample_bytree, err)) ||
        (rc = jsonx_number(obj, path, "min_child_weight", NONNEG,
                           p->min_child_weight, false, &p->min_child_weight, err)) ||
        (rc = jsonx_number(obj, path, "lambda", NONNEG, p->lambda, false, &p->lambda,
                           err)) ||
        (rc = jsonx_number(obj, path, "alpha", NONNEG, p->alpha, false, &p->alpha, err)) ||
        (rc = jsonx_number(obj, path, "gamma", NONNEG, p->gamma, false, &p->gamma, err)))
        goto fail;
    if ((rc = jsonx_enum(obj, path, "tree_method", xgbm_tree_methods, N_TREE_METHODS,
                         p->tree_method, false, &p->tree_method, err)))
        goto fail;
    *out = p;
    return 0;
fail:
    free(p);
    return rc;
}

static void free_params(void *p)
{
    free(p);
}

static int params_to_json(const void *params, cJSON *out, struct error *err)
{
    const struct xgbm_params *p = params;
    if (!cJSON_AddNumberToObject(out, "rounds", p->rounds) ||
        !cJSON_AddNumberToObject(out, "max_depth", p->max_depth) ||
        !cJSON_AddNumberToObject(out, "eta", p->eta) ||
        !cJSON_AddNumberToObject(out, "subsample", p->subsample) ||
        !cJSON_AddNumberToObject(out, "colsample_bytree", p->colsample_bytree) ||
        !cJSON_AddNumberToObject(out, "min_child_weight", p->min_child_weight) ||
        !cJSON_AddNumberToObject(out, "lambda", p->lambda) ||
        !cJSON_AddNumberToObject(out, "alpha", p->alpha) ||
        !cJSON_AddNumberToObject(out, "gamma", p->gamma) ||
        !cJSON_AddNumberToObject(out, "max_bin", p->max_bin) ||
        !cJSON_AddStringToObject(out, "tree_method",
                                 xgbm_tree_methods[p->tree_method]) ||
        !cJSON_AddNumberToObject(out, "nthread", p->nthread))
        return error_set(err, ERR_NOMEM, "out of memory");
    return 0;
}

static int set_param(BoosterHandle b, const char *name, const char *value,
                     struct error *err)
{
    if (XGBoosterSetParam(b, name, value) != 0)
        return error_set(err, ERR_INTERNAL, "xgboost: setting %s=%s: %s", name,
                         value, XGBGetLastError());
    return 0;
}

static int set_paramf(BoosterHandle b, const char *name, double v,
                      struct error *err)
{
    char buf[64];
    snprintf(buf, sizeof buf, "%.17g", v);
    return set_param(b, name, buf, err);
}

/* Create a booster on dm and run the boosting rounds (the part of training
 * shared by the plain and the pool-slice paths). */
static int boost(struct xgbm *m, const struct xgbm_params *p, DMatrixHandle dm,
                 size_t k, size_t d, uint64_t seed, struct error *err)
{
    int rc = 0;
    XGB_CHECK(XGBoosterCreate(&dm, 1, &m->booster));
    m->n_classes = k;
    m->n_features = d;
    m->obj = k > 2 ? OBJ_MULTI : OBJ_BINARY;
    char buf[32];
    if ((rc = set_param(m->booster, "objective",
                        k > 2 ? "multi:softprob" : "binary:logistic", err)))
        goto cleanup;
    if (k > 2) {
        snprintf(buf, sizeof buf, "%zu", k);
        if ((rc = set_param(m->booster, "num_class", buf, err)))
            goto cleanup;
    }
    /* XGBoost takes a 32-bit seed; fold the 64-bit stream seed into it. */
    snprintf(buf, sizeof buf, "%u", (unsigned)((seed ^ (seed >> 32)) & 0x7fffffffu));
    if ((rc = set_param(m->booster, "seed", buf, err)) ||
        (rc = set_param(m->booster, "tree_method", xgbm_tree_methods[p->tree_method],
                        err)) ||
        (rc = set_paramf(m->booster, "max_depth", p->max_depth, err)) ||
        (rc = set_paramf(m->booster, "eta", p->eta, err)) ||
        (rc = set_paramf(m->booster, "subsample", p->subsample, err)) ||
        (rc = set_paramf(m->booster, "colsample_bytree", p->colsample_bytree, err)) ||
        (rc = set_paramf(m->booster, "min_child_weight", p->min_child_weight, err)) ||
        (rc = set_paramf(m->booster, "lambda", p->lambda, err)) ||
        (rc = set_paramf(m->booster, "alpha", p->alpha, err)) ||
        (rc = set_paramf(m->booster, "gamma", p->gamma, err)) ||
        (rc = set_paramf(m->booster, "max_bin", p->max_bin, err)) ||
        (rc = set_paramf(m->booster, "nthread", p->nthread, err)) ||
        (rc = set_param(m->booster, "verbosity", "0", err)) ||
        (rc = set_param(m->booster, "eval_metric", k > 2 ? "mlogloss" : "logloss",
                        err)))
        goto cleanup;
    for (int it = 0; it < p->rounds; it++)
        XGB_CHECK(XGBoosterUpdateOneIter(m->booster, it, dm));
cleanup:
    return rc;
}

static int train(void **impl, const void *params, const struct dataset *ds,
                 const size_t *rows, size_t n, uint64_t seed, struct error *err)
{
    const struct xgbm_params *p = params;
    int rc = 0;
    size_t d = ds->n_features, k = ds->schema.n_classes;
    float *x = malloc(n * (d ? d : 1) * sizeof *x);
    float *y = malloc(n * sizeof *y);
    DMatrixHandle dm = NULL;
    struct xgbm *m = calloc(1, sizeof *m);
    *impl = NULL;
    if (!x || !y || !m) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        size_t r = rows ? rows[i] : i;
        memcpy(x + i * d, ds->x + r * d, d * sizeof *x);
        y[i] = (float)ds->y[r];
    }
    XGB_CHECK(XGDMatrixCreateFromMat(x, (bst_ulong)n, (bst_ulong)d, NAN, &dm));
    XGB_CHECK(XGDMatrixSetFloatInfo(dm, "label", y, (bst_ulong)n));
    if ((rc = boost(m, p, dm, k, d, seed, err)))
        goto cleanup;
    *impl = m;
    m = NULL;
cleanup:
    if (dm)
        XGDMatrixFree(dm);
    if (m) {
        if (m->booster)
            XGBoosterFree(m->booster);
        free(m);
    }
    free(x);
    free(y);
    return rc;
}

/* Class probabilities from XGBoost margins: sigmoid for binary (one margin
 * per row), softmax for multi-class (k margins per row), both stable. */
static void margins_to_probs(const float *res, size_t n, size_t k, bool multi,
                             double *probs)
{
    size_t cols = multi ? k : 1;
    for (size_t i = 0; i < n; i++) {
        double *pi = probs + i * k;
        const float *ri = res + i * cols;
        if (!multi) {
            double z = ri[0];
            double p1 = z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
            pi[0] = 1.0 - p1;
            pi[1] = p1;
        } else {
            double mx = ri[0];
            for (size_t c = 1; c < k; c++)
                if (ri[c] > mx)
                    mx = ri[c];
            double s = 0;
            for (size_t c = 0; c < k; c++)
                s += (pi[c] = exp((double)ri[c] - mx));
            for (size_t c = 0; c < k; c++)
                pi[c] /= s;
        }
    }
}

static int predict(void *impl, const float *x, size_t n, size_t d, double *probs,
                   struct error *err)
{
    struct xgbm *m = impl;
    int rc = 0;
    DMatrixHandle dm = NULL;
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *res = NULL;
    size_t k = m->n_classes;
    XGB_CHECK(XGDMatrixCreateFromMat(x, (bst_ulong)n, (bst_ulong)d, NAN, &dm));
    /* type 1 = margin: probabilities are computed here, whatever the
     * objective's output transform is. */
    XGB_CHECK(XGBoosterPredictFromDMatrix(
        m->booster, dm,
        "{\"type\": 1, \"training\": false, \"iteration_begin\": 0, "
        "\"iteration_end\": 0, \"strict_shape\": true}",
        &shape, &dim, &res));
    size_t cols = m->obj == OBJ_MULTI ? k : 1;
    if (dim != 2 || shape[0] != n || shape[1] != cols) {
        rc = error_set(err, ERR_INTERNAL,
                       "xgboost: unexpected prediction shape (dim %lu)",
                       (unsigned long)dim);
        goto cleanup;
    }
    margins_to_probs(res, n, k, m->obj == OBJ_MULTI, probs);
    for (size_t i = 0; i < n * k; i++)
        if (!isfinite(probs[i])) {
            rc = error_set(err, ERR_NUMERIC, "xgboost: prediction of row %zu is not finite",
                           i / k);
            goto cleanup;
        }
cleanup:
    if (dm)
        XGDMatrixFree(dm);
    return rc;
}

static int save(void *impl, const char *path, struct error *err)
{
    struct xgbm *m = impl;
    int rc = 0;
    bst_ulong len = 0;
    const char *buf = NULL;
    XGB_CHECK(XGBoosterSaveModelToBuffer(m->booster, "{\"format\": \"json\"}", &len,
                                         &buf));
    /* The buffer lives until the next XGBoost call: write it out at once. */
    rc = afile_write(path, buf, (size_t)len, err);
cleanup:
    return rc;
}

int xgbm_check_feature_names(const struct model *m, const struct schema *s,
                             const char *data_path, const char *model_path,
                             struct error *err)
{
    if (!m || m->ops != &xgbm_ops || !m->impl || !s->named)
        return 0;
    const struct xgbm *x = m->impl;
    bst_ulong len = 0;
    const char **names = NULL;
    if (XGBoosterGetStrFeatureInfo(x->booster, "feature_name", &len, &names) != 0)
        return error_set(err, ERR_INTERNAL, "xgboost: reading the feature names of '%s': %s",
                         model_path, XGBGetLastError());
    if (len == 0)
        return 0;
    if ((size_t)len != s->n_features)
        return error_set(err, ERR_INPUT,
                         "the model '%s' names %llu features, the data '%s' has %zu",
                         model_path, (unsigned long long)len, data_path, s->n_features);
    for (size_t j = 0; j < s->n_features; j++)
        if (!names[j] || strcmp(names[j], s->features[j].name) != 0)
            return error_set(err, ERR_INPUT,
                             "%s: feature column %zu is '%s' but the model '%s' calls its "
                             "feature %zu '%s' (the header must name the model's features, "
                             "in order)",
                             data_path, j + 1, s->features[j].name, model_path, j + 1,
                             names[j] ? names[j] : "");
    return 0;
}

/* Read num_class, num_feature and the objective from the booster's config. */
static int read_shape(struct xgbm *m, const char *path, struct error *err)
{
    int rc = 0;
    bst_ulong len = 0, nf = 0;
    const char *cfg = NULL;
    cJSON *root = NULL;
    XGB_CHECK(XGBoosterGetNumFeature(m->booster, &nf));
    XGB_CHECK(XGBoosterSaveJsonConfig(m->booster, &len, &cfg));
    root = cJSON_ParseWithLength(cfg, (size_t)len);
    if (!root) {
        rc = error_set(err, ERR_INPUT, "%s: xgboost returned an unreadable config",
                       path);
        goto cleanup;
    }
    const cJSON *learner = cJSON_GetObjectItemCaseSensitive(root, "learner");
    const cJSON *lmp = cJSON_GetObjectItemCaseSensitive(learner, "learner_model_param");
    const cJSON *nc = cJSON_GetObjectItemCaseSensitive(lmp, "num_class");
    const cJSON *obj = cJSON_GetObjectItemCaseSensitive(learner, "objective");
    const cJSON *oname = cJSON_GetObjectItemCaseSensitive(obj, "name");
    if (!cJSON_IsString(nc) || !cJSON_IsString(oname)) {
        rc = error_set(err, ERR_INPUT, "%s: the model has no num_class/objective", path);
        goto cleanup;
    }
    long ncls = strtol(nc->valuestring, NULL, 10);
    const char *on = oname->valuestring;
    if (strcmp(on, "binary:logistic") == 0 || strcmp(on, "binary:logitraw") == 0 ||
        strcmp(on, "reg:logistic") == 0) {
        m->obj = OBJ_BINARY;
        m->n_classes = 2;
    } else if (strcmp(on, "multi:softprob") == 0 || strcmp(on, "multi:softmax") == 0) {
        if (ncls < 2) {
            rc = error_set(err, ERR_INPUT, "%s: multi-class model with num_class %ld",
                           path, ncls);
            goto cleanup;
        }
        m->obj = OBJ_MULTI;
        m->n_classes = (size_t)ncls;
    } else {
        rc = error_set(err, ERR_INPUT,
                       "%s: objective '%s' is not a classifier privaudit can audit "
                       "(binary:logistic, binary:logitraw, multi:softprob, "
                       "multi:softmax)", path, on);
        goto cleanup;
    }
    m->n_features = (size_t)nf;
cleanup:
    cJSON_Delete(root);
    return rc;
}

static int load(void **impl, const char *path, size_t *n_classes,
                size_t *n_features, struct error *err)
{
    int rc = 0;
    char *bytes = NULL;
    size_t len = 0;
    struct xgbm *m = calloc(1, sizeof *m);
    *impl = NULL;
    if (!m)
        return error_set(err, ERR_NOMEM, "out of memory");
    if ((rc = afile_read_all(path, &bytes, &len, err)))
        goto cleanup;
    if (len == 0) {
        rc = error_set(err, ERR_INPUT, "%s: empty model file", path);
        goto cleanup;
    }
    XGB_CHECK(XGBoosterCreate(NULL, 0, &m->booster));
    if (XGBoosterLoadModelFromBuffer(m->booster, bytes, (bst_ulong)len) != 0) {
        rc = error_set(err, ERR_INPUT, "%s: not an XGBoost model xgboost can read: %s",
                       path, XGBGetLastError());
        goto cleanup;
    }
    if ((rc = read_shape(m, path, err)))
        goto cleanup;
    *n_classes = m->n_classes;
    *n_features = m->n_features;
    *impl = m;
    m = NULL;
cleanup:
    if (m) {
        if (m->booster)
            XGBoosterFree(m->booster);
        free(m);
    }
    free(bytes);
    return rc;
}

static void free_model(void *impl)
{
    struct xgbm *m = impl;
    if (!m)
        return;
    if (m->booster)
        XGBoosterFree(m->booster);
    free(m);
}

const struct model_ops xgbm_ops = {
    .kind = "xgboost",
    .parse_params = parse_params,
    .free_params = free_params,
    .params_to_json = params_to_json,
    .train = train,
    .predict = predict,
    .save = save,
    .load = load,
    .free = free_model,
};

/* ---- the shadow engine's pool: one DMatrix, sliced per shadow ---------- */

struct xgbm_pool {
    DMatrixHandle dm;
    size_t n, d, k;
    pthread_mutex_t lock; /* serialises slicing of the shared DMatrix */
};

int xgbm_pool_new(struct xgbm_pool **out, const struct dataset *ds, const size_t *rows,
                  size_t n, struct error *err)
{
    int rc = 0;
    size_t d = ds->n_features;
    *out = NULL;
    struct xgbm_pool *p = calloc(1, sizeof *p);
    float *x = malloc(n * (d ? d : 1) * sizeof *x);
    float *y = malloc((n ? n : 1) * sizeof *y);
    if (!p || !x || !y) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        memcpy(x + i * d, ds->x + rows[i] * d, d * sizeof *x);
        y[i] = (float)ds->y[rows[i]];
    }
    XGB_CHECK(XGDMatrixCreateFromMat(x, (bst_ulong)n, (bst_ulong)d, NAN, &p->dm));
    XGB_CHECK(XGDMatrixSetFloatInfo(p->dm, "label", y, (bst_ulong)n));
    p->n = n;
    p->d = d;
    p->k = ds->schema.n_classes;
    pthread_mutex_init(&p->lock, NULL);
    *out = p;
    p = NULL;
cleanup:
    if (p) {
        if (p->dm)
            XGDMatrixFree(p->dm);
        free(p);
    }
    free(x);
    free(y);
    return rc;
}

void xgbm_pool_free(struct xgbm_pool *p)
{
    if (!p)
        return;
    XGDMatrixFree(p->dm);
    pthread_mutex_destroy(&p->lock);
    free(p);
}

/* Margins of the rows of dm into out (rows x cols floats, a copy: the
 * booster's buffer is reused by the next prediction). */
static int predict_margins(struct xgbm *mod, DMatrixHandle dm, size_t rows, size_t cols,
                           float *out, struct error *err)
{
    int rc = 0;
    const bst_ulong *shape = NULL;
    bst_ulong dim = 0;
    const float *res = NULL;
    XGB_CHECK(XGBoosterPredictFromDMatrix(
        mod->booster, dm,
        "{\"type\": 1, \"training\": false, \"iteration_begin\": 0, "
        "\"iteration_end\": 0, \"strict_shape\": true}",
        &shape, &dim, &res));
    if (dim != 2 || shape[0] != rows || shape[1] != cols)
        return error_set(err, ERR_INTERNAL, "xgboost: unexpected prediction shape");
    memcpy(out, res, rows * cols * sizeof *out);
cleanup:
    return rc;
}

int xgbm_pool_train_predict(struct xgbm_pool *p, const struct xgbm_params *params,
                            const int *idx, size_t m, uint64_t seed, double *probs,
                            void **impl_out, struct error *err)
{
    int rc = 0;
    DMatrixHandle slice = NULL, rest = NULL;
    float *marg = NULL, *part = NULL;
    int *out_idx = NULL;
    struct xgbm *mod = calloc(1, sizeof *mod);
    if (impl_out)
        *impl_out = NULL;
    if (!mod)
        return error_set(err, ERR_NOMEM, "out of memory");
    /* the pool positions not trained on, increasing (idx is increasing) */
    size_t n_out = p->n - m;
    if (n_out && !(out_idx = malloc(n_out * sizeof *out_idx))) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t i = 0, j = 0, w = 0; i < p->n; i++) {
        if (j < m && (size_t)idx[j] == i)
            j++;
        else if (w < n_out)
            out_idx[w++] = (int)i;
    }
    pthread_mutex_lock(&p->lock);
    int e = XGDMatrixSliceDMatrix(p->dm, idx, (bst_ulong)m, &slice);
    if (e == 0 && n_out)
        e = XGDMatrixSliceDMatrix(p->dm, out_idx, (bst_ulong)n_out, &rest);
    pthread_mutex_unlock(&p->lock);
    if (e != 0) {
        rc = error_set(err, ERR_INTERNAL, "xgboost: slicing the pool: %s",
                       XGBGetLastError());
        goto cleanup;
    }
    if ((rc = boost(mod, params, slice, p->k, p->d, seed, err)))
        goto cleanup;
    /* The training rows from the training DMatrix (XGBoost keeps their
     * margins from boosting), the others from their own slice. */
    size_t cols = mod->obj == OBJ_MULTI ? p->k : 1;
    marg = malloc(p->n * cols * sizeof *marg);
    part = malloc((m > n_out ? m : n_out) * cols * sizeof *part + 1);
    if (!marg || !part) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = predict_margins(mod, slice, m, cols, part, err)))
        goto cleanup;
    for (size_t i = 0; i < m; i++)
        memcpy(marg + (size_t)idx[i] * cols, part + i * cols, cols * sizeof *marg);
    if (n_out) {
        if ((rc = predict_margins(mod, rest, n_out, cols, part, err)))
            goto cleanup;
        for (size_t i = 0; i < n_out; i++)
            memcpy(marg + (size_t)out_idx[i] * cols, part + i * cols, cols * sizeof *marg);
    }
    margins_to_probs(marg, p->n, p->k, mod->obj == OBJ_MULTI, probs);
    if (impl_out) {
        *impl_out = mod;
        mod = NULL;
    }
cleanup:
    if (slice)
        XGDMatrixFree(slice);
    if (rest)
        XGDMatrixFree(rest);
    free(marg);
    free(part);
    free(out_idx);
    if (mod) {
        if (mod->booster)
            XGBoosterFree(mod->booster);
        free(mod);
    }
    return rc;
}

/*
 * targets/linear.c - logistic regression and a one-hidden-layer MLP, trained
 * with SGD, L-BFGS (logreg) or DP-SGD (see linear.h, docs/models.md).
 *
 * Layout.  A network is 1 (logreg) or 2 (mlp) dense layers.  Layer l maps
 * in_l inputs to out_l outputs with an (in_l + 1) x out_l row-major matrix
 * whose last row is the bias, so a batch forward pass is Z = [A, 1] W: one
 * dgemm with the batch's inputs augmented by a column of ones.  All layer
 * matrices live in one flat parameter vector (layer 0 first), which is what
 * the optimisers update.
 *
 * Gradients.  With softmax cross-entropy the error at the logits is
 * E = P - Y (Bishop, PRML, eq. 4.109); it is back-propagated through the
 * hidden layer as E_h = (E W_2[0:h]^T) .* act'(Z_1).  The gradient of layer l
 * summed over the batch is A_l^T E_l: one more dgemm per layer.
 *
 * Per-example norms (the "ghost norm" trick; Goodfellow, "Efficient
 * per-example gradient computations", arXiv:1510.01799, 2015): example i's
 * gradient of layer l is the outer product a_i e_i^T, whose Frobenius norm is
 * ||a_i|| ||e_i||, so the total norm is sqrt(sum_l ||a_i^l||^2 ||e_i^l||^2)
 * and costs O(B (in + out)) per layer instead of materialising B matrices.
 * Clipping multiplies every layer's error row i by min(1, C / norm_i); by
 * linearity A_l^T (S E_l) is then exactly the sum of clipped per-example
 * gradients, still one dgemm per layer.
 *
 * Precision: double.  The data sets are small (thousands of rows, tens of
 * features), so dgemm's cost over sgemm is immaterial, while double keeps
 * finite-difference checks, L-BFGS curvature pairs (s'y) and the comparison of
 * weights across neighbouring training sets free of float32 round-off.
 */
#include "targets/linear.h"

#include <cblas.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "core/afile.h"
#include "core/jsonx.h"

#define PI 3.14159265358979323846
#define CHUNK 256            /* rows per dgemm pass (bounds memory) */
#define MAX_HIDDEN 65536
#define MAX_STEPS 1000000000ULL
#define FORMAT_NAME "privaudit-linear"
#define FORMAT_VERSION 1

enum { KIND_LOGREG = 0, KIND_MLP };
enum { ACT_RELU = 0, ACT_TANH };
enum { OPT_SGD = 0, OPT_LBFGS };
enum { SCHED_CONSTANT = 0, SCHED_STEP, SCHED_COSINE, SCHED_INVSQRT };
enum { INIT_ZEROS = 0, INIT_RANDOM };

static const char *const KIND_NAMES[] = {"logreg", "mlp"};
static const char *const ACT_NAMES[] = {"relu", "tanh"};
static const char *const OPT_NAMES[] = {"sgd", "lbfgs"};
static const char *const SCHED_NAMES[] = {"constant", "step", "cosine",
                                          "inverse-sqrt"};
static const char *const INIT_NAMES[] = {"zeros", "random"};
static const char *const INPUT_NAMES[] = {"standardise", "bound"};
static const char *const FAULT_NAMES[] = {"none", "no-clip", "mean-noise",
                                          "shuffle", "reused-noise"};
#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------------ */
/* Parameters                                                                */

struct dp_params {
    bool on;
    double sigma, clip, delta;
    bool q_given;            /* "sampling_rate" given, else "expected_batch_size" */
    double q, ebs;
    bool steps_given;        /* "steps" given, else "epochs" */
    long long steps;
    double epochs;
    enum linear_fault fault;
};

struct lparams {
    int kind;
    int optimizer;
    double l2;
    /* sgd */
    double lr, momentum;
    int schedule;
    double step_epochs, gamma;
    long long epochs, batch_size;
    /* lbfgs */
    long long max_iter, history;
    double tol;
    /* model */
    int init;                /* logreg only */
    bool no_intercept;       /* logreg "intercept": false */
    long long hidden;        /* mlp only */
    int activation;          /* mlp only */
    enum linear_input input;
    double bound;            /* feature_bound as a scalar */
    double *bounds;          /* or per feature (n_bounds), owned */
    size_t n_bounds;
    struct dp_params dp;
};

const char *linear_fault_name(enum linear_fault f)
{
    if ((size_t)f < COUNT(FAULT_NAMES))
        return FAULT_NAMES[f];
    return "unknown";
}

static void lparams_free(void *p)
{
    struct lparams *lp = p;
    if (!lp)
        return;
    free(lp->bounds);
    free(lp);
}

static bool has_key(const cJSON *obj, const char *key)
{
    return obj && cJSON_GetObjectItemCaseSensitive(obj, key) != NULL;
}

/* ERR_INPUT "PATH.key: not used WHY" when obj has key. */
static int reject_key(const cJSON *obj, const char *path, const char *key,
                      const char *why, struct error *err)
{
    if (!has_key(obj, key))
        return 0;
    char kp[256];
    jsonx_join(kp, sizeof kp, path, key);
    return error_set(err, ERR_INPUT, "%s: not used %s", kp, why);
}

static const struct jrange R_POS = {0, INFINITY, true, true};      /* > 0 */
static const struct jrange R_NONNEG = {0, INFINITY, false, true};  /* >= 0 */
static const struct jrange R_UNIT_OC = {0, 1, true, false};        /* (0, 1] */
static const struct jrange R_UNIT_OO = {0, 1, true, true};         /* (0, 1) */
static const struct jrange R_MOMENTUM = {0, 1, false, true};       /* [0, 1) */

static int parse_feature_bound(const cJSON *obj, const char *path,
                               struct lparams *lp, struct error *err)
{
    const cJSON *fb = cJSON_GetObjectItemCaseSensitive(obj, "feature_bound");
    lp->bound = 1.0;
    if (!fb || !cJSON_IsArray(fb))
        return jsonx_number(obj, path, "feature_bound", R_POS, 1.0, false,
                            &lp->bound, err);
    char kp[256];
    jsonx_join(kp, sizeof kp, path, "feature_bound");
    int n = cJSON_GetArraySize(fb);
    if (n < 1)
        return error_set(err, ERR_INPUT,
                         "%s: expected a number > 0 or a non-empty array of them",
                         kp);
    lp->bounds = malloc((size_t)n * sizeof *lp->bounds);
    if (!lp->bounds)
        return error_set(err, ERR_NOMEM, "out of memory");
    lp->n_bounds = (size_t)n;
    size_t i = 0;
    for (const cJSON *e = fb->child; e; e = e->next, i++) {
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble) ||
            !(e->valuedouble > 0))
            return error_set(err, ERR_INPUT,
                             "%s[%zu]: expected a number > 0", kp, i);
        lp->bounds[i] = e->valuedouble;
    }
    return 0;
}

static int parse_dp(const cJSON *dpo, const char *path, struct dp_params *dp,
                    struct error *err)
{
    static const char *const keys[] = {
        "noise_multiplier", "clip_norm", "sampling_rate", "expected_batch_size",
        "steps", "epochs", "delta", "fault"};
    int rc = jsonx_check_keys(dpo, path, keys, COUNT(keys), err);
    if (rc)
        return rc;
    dp->on = true;
    if ((rc = jsonx_number(dpo, path, "noise_multiplier", R_POS, 0, true,
                           &dp->sigma, err)) ||
        (rc = jsonx_number(dpo, path, "clip_norm", R_POS, 0, true, &dp->clip,
                           err)) ||
        (rc = jsonx_number(dpo, path, "delta", R_UNIT_OO, 1e-5, false,
                           &dp->delta, err)))
        return rc;
    bool has_q = has_key(dpo, "sampling_rate");
    bool has_b = has_key(dpo, "expected_batch_size");
    if (has_q && has_b)
        return error_set(err, ERR_INPUT,
                         "%s: give either 'sampling_rate' or "
                         "'expected_batch_size', not both", path);
    if (!has_q && !has_b)
        return error_set(err, ERR_INPUT,
                         "%s: missing 'sampling_rate' (or 'expected_batch_size')",
                         path);
    dp->q_given = has_q;
    if (has_q)
        rc = jsonx_number(dpo, path, "sampling_rate", R_UNIT_OC, 0, true,
                          &dp->q, err);
    else
        rc = jsonx_number(dpo, path, "expected_batch_size", R_POS, 0, true,
                          &dp->ebs, err);
    if (rc)
        return rc;
    bool has_t = has_key(dpo, "steps");
    bool has_e = has_key(dpo, "epochs");
    if (has_t && has_e)
        return error_set(err, ERR_INPUT,
                         "%s: give either 'steps' or 'epochs', not both", path);
    if (!has_t && !has_e)
        return error_set(err, ERR_INPUT, "%s: missing 'steps' (or 'epochs')",
                         path);
    dp->steps_given = has_t;
    if (has_t)
        rc = jsonx_int(dpo, path, "steps", 1, (long long)MAX_STEPS, 0, true,
                       &dp->steps, err);
    else
        rc = jsonx_number(dpo, path, "epochs", R_POS, 0, true, &dp->epochs,
                          err);
    if (rc)
        return rc;
    int f = 0;
    rc = jsonx_enum(dpo, path, "fault", FAULT_NAMES, COUNT(FAULT_NAMES), 0,
                    false, &f, err);
    dp->fault = (enum linear_fault)f;
    return rc;
}

static int parse_common(int kind, const cJSON *obj, const char *path,
                        void **out, struct error *err)
{
    static const char *const logreg_keys[] = {
        "kind", "optimizer", "l2", "learning_rate", "momentum", "lr_schedule",
        "lr_step_epochs", "lr_gamma", "epochs", "batch_size", "max_iter",
        "tolerance", "history", "init", "intercept", "preprocess", "feature_bound",
        "dp"};
    static const char *const mlp_keys[] = {
        "kind", "optimizer", "l2", "learning_rate", "momentum", "lr_schedule",
        "lr_step_epochs", "lr_gamma", "epochs", "batch_size", "hidden",
        "activation", "preprocess", "feature_bound", "dp"};
    static const char *const mlp_opts[] = {"sgd"};
    *out = NULL;
    int rc = 0;
    struct lparams *lp = calloc(1, sizeof *lp);
    if (!lp)
        return error_set(err, ERR_NOMEM, "out of memory");
    lp->kind = kind;
    if (kind == KIND_LOGREG)
        rc = jsonx_check_keys(obj, path, logreg_keys, COUNT(logreg_keys), err);
    else
        rc = jsonx_check_keys(obj, path, mlp_keys, COUNT(mlp_keys), err);
    if (rc)
        goto cleanup;

    const cJSON *dpo = NULL;
    char dpath[256];
    jsonx_join(dpath, sizeof dpath, path, "dp");
    if ((rc = jsonx_object(obj, path, "dp", false, &dpo, err)))
        goto cleanup;
    if (dpo && (rc = parse_dp(dpo, dpath, &lp->dp, err)))
        goto cleanup;

    /* optimizer */
    char kp[256];
    if (kind == KIND_LOGREG) {
        int dflt = lp->dp.on ? OPT_SGD : OPT_LBFGS;
        if ((rc = jsonx_enum(obj, path, "optimizer", OPT_NAMES,
                             COUNT(OPT_NAMES), dflt, false, &lp->optimizer,
                             err)))
            goto cleanup;
        if (lp->dp.on && lp->optimizer == OPT_LBFGS) {
            jsonx_join(kp, sizeof kp, path, "optimizer");
            rc = error_set(err, ERR_INPUT,
                           "%s: dp training uses 'sgd', got 'lbfgs'", kp);
            goto cleanup;
        }
    } else {
        if ((rc = jsonx_enum(obj, path, "optimizer", mlp_opts, 1, 0, false,
                             &lp->optimizer, err)))
            goto cleanup;
        lp->optimizer = OPT_SGD;
    }
    if ((rc = jsonx_number(obj, path, "l2", R_NONNEG, 1e-4, false, &lp->l2,
                           err)))
        goto cleanup;

    if (lp->optimizer == OPT_SGD) {
        if ((rc = reject_key(obj, path, "max_iter", "with optimizer 'sgd'",
                             err)) ||
            (rc = reject_key(obj, path, "tolerance", "with optimizer 'sgd'",
                             err)) ||
            (rc = reject_key(obj, path, "history", "with optimizer 'sgd'",
                             err)))
            goto cleanup;
        if ((rc = jsonx_number(obj, path, "learning_rate", R_POS, 0.1, false,
                               &lp->lr, err)) ||
            (rc = jsonx_number(obj, path, "momentum", R_MOMENTUM, 0.0, false,
                               &lp->momentum, err)) ||
            (rc = jsonx_enum(obj, path, "lr_schedule", SCHED_NAMES,
                             COUNT(SCHED_NAMES), SCHED_CONSTANT, false,
                             &lp->schedule, err)))
            goto cleanup;
        if (lp->schedule == SCHED_STEP) {
            if ((rc = jsonx_number(obj, path, "lr_step_epochs", R_POS, 10.0,
                                   false, &lp->step_epochs, err)) ||
                (rc = jsonx_number(obj, path, "lr_gamma", R_UNIT_OC, 0.1, false,
                                   &lp->gamma, err)))
                goto cleanup;
        } else if ((rc = reject_key(obj, path, "lr_step_epochs",
                                    "unless lr_schedule is 'step'", err)) ||
                   (rc = reject_key(obj, path, "lr_gamma",
                                    "unless lr_schedule is 'step'", err))) {
            goto cleanup;
        }
        if (lp->dp.on) {
            if ((rc = reject_key(obj, path, "epochs",
                                 "with dp; set dp.epochs or dp.steps", err)) ||
                (rc = reject_key(obj, path, "batch_size",
                                 "with dp; set dp.sampling_rate or "
                                 "dp.expected_batch_size", err)))
                goto cleanup;
        } else if ((rc = jsonx_int(obj, path, "epochs", 1, 1000000, 20, false,
                                   &lp->epochs, err)) ||
                   (rc = jsonx_int(obj, path, "batch_size", 1, 100000000, 64,
                                   false, &lp->batch_size, err))) {
            goto cleanup;
        }
    } else {
        static const char *const sgd_only[] = {
            "learning_rate", "momentum", "lr_schedule", "lr_step_epochs",
            "lr_gamma", "epochs", "batch_size"};
        for (size_t i = 0; i < COUNT(sgd_only); i++)
            if ((rc = reject_key(obj, path, sgd_only[i],
                                 "with optimizer 'lbfgs'", err)))
                goto cleanup;
        if ((rc = jsonx_int(obj, path, "max_iter", 1, 1000000, 200, false,
                            &lp->max_iter, err)) ||
            (rc = jsonx_number(obj, path, "tolerance", R_POS, 1e-6, false,
                               &lp->tol, err)) ||
            (rc = jsonx_int(obj, path, "history", 1, 100, 10, false,
                            &lp->history, err)))
            goto cleanup;
    }

    if (kind == KIND_LOGREG) {
        if ((rc = jsonx_enum(obj, path, "init", INIT_NAMES, COUNT(INIT_NAMES),
                             INIT_ZEROS, false, &lp->init, err)))
            goto cleanup;
        bool icpt = true;
        if ((rc = jsonx_bool(obj, path, "intercept", true, false, &icpt, err)))
            goto cleanup;
        lp->no_intercept = !icpt;
    } else {
        lp->init = INIT_RANDOM;
        if ((rc = jsonx_int(obj, path, "hidden", 1, MAX_HIDDEN, 64, false,
                            &lp->hidden, err)) ||
            (rc = jsonx_enum(obj, path, "activation", ACT_NAMES,
                             COUNT(ACT_NAMES), ACT_RELU, false,
                             &lp->activation, err)))
            goto cleanup;
    }

    int inp = lp->dp.on ? LINEAR_INPUT_BOUNDED : LINEAR_INPUT_STANDARDISED;
    if ((rc = jsonx_enum(obj, path, "preprocess", INPUT_NAMES,
                         COUNT(INPUT_NAMES), inp, false, &inp, err)))
        goto cleanup;
    lp->input = (enum linear_input)inp;
    if (lp->dp.on && lp->input == LINEAR_INPUT_STANDARDISED) {
        jsonx_join(kp, sizeof kp, path, "preprocess");
        rc = error_set(err, ERR_INPUT,
                       "%s: 'standardise' computes statistics of the private "
                       "training rows; use 'bound' (with feature_bound) with dp",
                       kp);
        goto cleanup;
    }
    if (lp->input == LINEAR_INPUT_BOUNDED) {
        if ((rc = parse_feature_bound(obj, path, lp, err)))
            goto cleanup;
    } else if ((rc = reject_key(obj, path, "feature_bound",
                                "unless preprocess is 'bound'", err))) {
        goto cleanup;
    }

cleanup:
    if (rc) {
        lparams_free(lp);
        return rc;
    }
    *out = lp;
    return 0;
}

static int logreg_parse(const cJSON *obj, const char *path, void **out,
                        struct error *err)
{
    return parse_common(KIND_LOGREG, obj, path, out, err);
}

static int mlp_parse(const cJSON *obj, const char *path, void **out,
                     struct error *err)
{
    return parse_common(KIND_MLP, obj, path, out, err);
}

#define ADD_NUM(o, k, v)                                                      \
    do {                                                                      \
        if (!cJSON_AddNumberToObject((o), (k), (double)(v)))                  \
            goto nomem;                                                       \
    } while (0)
#define ADD_STR(o, k, v)                                                      \
    do {                                                                      \
        if (!cJSON_AddStringToObject((o), (k), (v)))                          \
            goto nomem;                                                       \
    } while (0)

static int lparams_to_json(const void *params, cJSON *out, struct error *err)
{
    const struct lparams *lp = params;
    ADD_STR(out, "optimizer", OPT_NAMES[lp->optimizer]);
    ADD_NUM(out, "l2", lp->l2);
    if (lp->optimizer == OPT_SGD) {
        ADD_NUM(out, "learning_rate", lp->lr);
        ADD_NUM(out, "momentum", lp->momentum);
        ADD_STR(out, "lr_schedule", SCHED_NAMES[lp->schedule]);
        if (lp->schedule == SCHED_STEP) {
            ADD_NUM(out, "lr_step_epochs", lp->step_epochs);
            ADD_NUM(out, "lr_gamma", lp->gamma);
        }
        if (!lp->dp.on) {
            ADD_NUM(out, "epochs", lp->epochs);
            ADD_NUM(out, "batch_size", lp->batch_size);
        }
    } else {
        ADD_NUM(out, "max_iter", lp->max_iter);
        ADD_NUM(out, "tolerance", lp->tol);
        ADD_NUM(out, "history", lp->history);
    }
    if (lp->kind == KIND_LOGREG) {
        ADD_STR(out, "init", INIT_NAMES[lp->init]);
        if (!cJSON_AddBoolToObject(out, "intercept", !lp->no_intercept))
            goto nomem;
    } else {
        ADD_NUM(out, "hidden", lp->hidden);
        ADD_STR(out, "activation", ACT_NAMES[lp->activation]);
    }
    ADD_STR(out, "preprocess", INPUT_NAMES[lp->input]);
    if (lp->input == LINEAR_INPUT_BOUNDED) {
        if (lp->bounds) {
            cJSON *a = cJSON_AddArrayToObject(out, "feature_bound");
            if (!a)
                goto nomem;
            for (size_t i = 0; i < lp->n_bounds; i++) {
                cJSON *v = cJSON_CreateNumber(lp->bounds[i]);
                if (!v)
                    goto nomem;
                cJSON_AddItemToArray(a, v);
            }
        } else {
            ADD_NUM(out, "feature_bound", lp->bound);
        }
    }
    if (lp->dp.on) {
        cJSON *d = cJSON_AddObjectToObject(out, "dp");
        if (!d)
            goto nomem;
        ADD_NUM(d, "noise_multiplier", lp->dp.sigma);
        ADD_NUM(d, "clip_norm", lp->dp.clip);
        if (lp->dp.q_given)
            ADD_NUM(d, "sampling_rate", lp->dp.q);
        else
            ADD_NUM(d, "expected_batch_size", lp->dp.ebs);
        if (lp->dp.steps_given)
            ADD_NUM(d, "steps", lp->dp.steps);
        else
            ADD_NUM(d, "epochs", lp->dp.epochs);
        ADD_NUM(d, "delta", lp->dp.delta);
        ADD_STR(d, "fault", FAULT_NAMES[lp->dp.fault]);
    }
    return 0;
nomem:
    return error_set(err, ERR_NOMEM, "out of memory");
}

/* q and T of the DP parameters for n training rows. */
static int resolve_dp(const struct dp_params *dp, size_t n, double *q,
                      uint64_t *steps, struct error *err)
{
    if (n == 0)
        return error_set(err, ERR_INPUT, "dp: no training rows");
    double qq = dp->q_given ? dp->q : dp->ebs / (double)n;
    if (!(qq > 0) || qq > 1)
        return error_set(err, ERR_INPUT,
                         "dp.expected_batch_size: %g exceeds the %zu training "
                         "rows (sampling rate must be <= 1)", dp->ebs, n);
    uint64_t t;
    if (dp->steps_given) {
        t = (uint64_t)dp->steps;
    } else {
        /* ceil(E / q); a quotient within 1e-9 (relative) of an integer is
         * that integer (the rule of accountant_steps_from_epochs) */
        double x = dp->epochs / qq, r = round(x);
        double s = fabs(x - r) <= 1e-9 * x ? r : ceil(x);
        if (!(s <= (double)MAX_STEPS))
            return error_set(err, ERR_INPUT,
                             "dp.epochs: %g epochs at sampling rate %g is more "
                             "than %llu steps", dp->epochs, qq,
                             (unsigned long long)MAX_STEPS);
        t = s < 1 ? 1 : (uint64_t)s;
    }
    *q = qq;
    *steps = t;
    return 0;
}

bool linear_is_kind(const struct model_ops *ops)
{
    return ops == &logreg_ops || ops == &mlp_ops;
}

int linear_dp_spec(const struct model_ops *ops, const void *params,
                   size_t n_train, struct linear_dp_spec *out,
                   struct error *err)
{
    memset(out, 0, sizeof *out);
    out->fault_name = FAULT_NAMES[0];
    if (!linear_is_kind(ops) || !params)
        return error_set(err, ERR_INPUT,
                         "linear_dp_spec: not a logreg or mlp parameter set");
    const struct lparams *lp = params;
    if (!lp->dp.on)
        return 0;
    double q;
    uint64_t t;
    int rc = resolve_dp(&lp->dp, n_train, &q, &t, err);
    if (rc)
        return rc;
    out->enabled = true;
    out->sampling_rate = q;
    out->expected_batch_size = q * (double)n_train;
    out->noise_multiplier = lp->dp.sigma;
    out->clip_norm = lp->dp.clip;
    out->steps = t;
    out->delta = lp->dp.delta;
    out->fault = lp->dp.fault;
    out->fault_name = FAULT_NAMES[lp->dp.fault];
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Networks                                                                  */

struct net {
    size_t n_layers;
    size_t in[2], out[2];
    size_t off[2];           /* offset of layer l's matrix in w */
    size_t n_params;
    int act;                 /* hidden activation */
    double *w;
};

struct lmodel {
    int kind;
    size_t k, d;
    struct net net;
    enum linear_input input;
    double *mean, *std;      /* LINEAR_INPUT_STANDARDISED */
    double *bound;           /* LINEAR_INPUT_BOUNDED, per feature */
    bool no_intercept;       /* the first layer's constant input is 0, not 1 */
    bool dp;
    struct linear_train_stats stats;
    /* Optional trace of input rows [trace_first, trace_first + trace_n) of
     * the first layer before the first SGD step and after every step
     * (linear_train_traced): the
     * all-iterates view of a white-box audit.  Owned by the caller. */
    size_t trace_first, trace_n;
    double *trace;            /* (steps + 1) x trace_n x out[0] */
    double *trace_lr;         /* the learning rate of each step (trace_cap - 1) */
    uint64_t trace_cap, trace_steps;
};

static void lmodel_free(void *impl)
{
    struct lmodel *m = impl;
    if (!m)
        return;
    free(m->net.w);
    free(m->mean);
    free(m->std);
    free(m->bound);
    free(m);
}

/* Shape the network (no weights yet).  hidden == 0: logreg. */
static void net_shape(struct net *net, size_t d, size_t k, size_t hidden,
                      int act)
{
    memset(net, 0, sizeof *net);
    net->act = act;
    if (hidden == 0) {
        net->n_layers = 1;
        net->in[0] = d;
        net->out[0] = k;
    } else {
        net->n_layers = 2;
        net->in[0] = d;
        net->out[0] = hidden;
        net->in[1] = hidden;
        net->out[1] = k;
    }
    size_t off = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        net->off[l] = off;
        off += (net->in[l] + 1) * net->out[l];
    }
    net->n_params = off;
}

/* Workspace for passes over at most `cap` rows. */
struct ws {
    size_t cap;
    double *a[2];            /* layer inputs with the ones column: cap x (in+1) */
    double *e[2];            /* logits / probabilities / errors: cap x out */
    double *a0sq;            /* ||a_0 row||^2 (with the 1) */
    double *sq;              /* per-example squared gradient norm */
    int32_t *y;
};

static void ws_release(struct ws *ws)
{
    for (int l = 0; l < 2; l++) {
        free(ws->a[l]);
        free(ws->e[l]);
    }
    free(ws->a0sq);
    free(ws->sq);
    free(ws->y);
    memset(ws, 0, sizeof *ws);
}

static int ws_init(struct ws *ws, const struct net *net, size_t cap,
                   struct error *err)
{
    memset(ws, 0, sizeof *ws);
    if (cap == 0)
        cap = 1;
    ws->cap = cap;
    for (size_t l = 0; l < net->n_layers; l++) {
        ws->a[l] = malloc(cap * (net->in[l] + 1) * sizeof(double));
        ws->e[l] = malloc(cap * net->out[l] * sizeof(double));
        if (!ws->a[l] || !ws->e[l])
            goto nomem;
    }
    ws->a0sq = malloc(cap * sizeof(double));
    ws->sq = malloc(cap * sizeof(double));
    ws->y = malloc(cap * sizeof(int32_t));
    if (!ws->a0sq || !ws->sq || !ws->y)
        goto nomem;
    return 0;
nomem:
    ws_release(ws);
    return error_set(err, ERR_NOMEM, "out of memory");
}

/* Map one raw row to the network's inputs out[0..d) and out[d] = 1 (0
 * without an intercept: the bias then gets no gradient and has no effect). */
static void transform_row(const struct lmodel *m, const float *x, double *out)
{
    size_t d = m->d;
    if (m->input == LINEAR_INPUT_STANDARDISED) {
        for (size_t j = 0; j < d; j++) {
            double v = ((double)x[j] - m->mean[j]) / m->std[j];
            out[j] = isfinite(v) ? v : 0.0;
        }
    } else {
        for (size_t j = 0; j < d; j++) {
            double v = (double)x[j];
            double b = m->bound[j];
            if (isnan(v))
                v = 0.0;
            else if (v > b)
                v = b;
            else if (v < -b)
                v = -b;
            out[j] = v / b;
        }
    }
    out[d] = m->no_intercept ? 0.0 : 1.0;
}

/* ||a||^2 with four partial sums (lets the compiler vectorise without
 * reassociating: the order is fixed, so results are reproducible). */
static double dot(const double *a, size_t n)
{
    double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
    size_t j = 0;
    for (; j + 4 <= n; j += 4) {
        s0 += a[j] * a[j];
        s1 += a[j + 1] * a[j + 1];
        s2 += a[j + 2] * a[j + 2];
        s3 += a[j + 3] * a[j + 3];
    }
    for (; j < n; j++)
        s0 += a[j] * a[j];
    return (s0 + s1) + (s2 + s3);
}

/*
 * Softmax of z (B x K) in place, subtracting the row maximum (so exp never
 * overflows; the log-sum-exp identity) and returning
 * sum_i -log p(y_i) = log sum_c exp(z_c - max) - (z_y - max) when y is given.
 * With to_errors the rows become P - onehot(y).
 */
static double softmax_rows(double *z, size_t b, size_t k, const int32_t *y,
                           bool to_errors)
{
    double loss = 0;
    for (size_t i = 0; i < b; i++) {
        double *r = z + i * k;
        double mx = r[0];
        for (size_t c = 1; c < k; c++)
            if (r[c] > mx)
                mx = r[c];
        double zy = y ? r[y[i]] - mx : 0, s = 0;
        for (size_t c = 0; c < k; c++) {
            /* exp(-500) ~ 7e-218: below it the probability is 0 to every
             * purpose, and flushing it keeps subnormals (slow in dgemm) out
             * of the errors */
            double t = r[c] - mx;
            r[c] = t > -500 ? exp(t) : 0.0;
            s += r[c];
        }
        if (y)
            loss += log(s) - zy;  /* not log(p_y): that underflows to -inf */
        double inv = 1.0 / s;
        for (size_t c = 0; c < k; c++)
            r[c] *= inv;
        if (to_errors)
            r[y[i]] -= 1.0;
    }
    return loss;
}

/* Forward pass over ws->a[0][0..b): probabilities end in ws->e[L-1]. */
static void forward(const struct net *net, struct ws *ws, size_t b)
{
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t in1 = net->in[l] + 1, out = net->out[l];
        bool last = l + 1 == net->n_layers;
        /* hidden: write Z into the next layer's input block (ldc = out + 1) */
        double *c = last ? ws->e[l] : ws->a[l + 1];
        size_t ldc = last ? out : out + 1;
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)b, (int)out,
                    (int)in1, 1.0, ws->a[l], (int)in1, net->w + net->off[l],
                    (int)out, 0.0, c, (int)ldc);
        if (!last) {
            for (size_t i = 0; i < b; i++) {
                double *r = c + i * ldc;
                if (net->act == ACT_RELU) {
                    /* branch-free (ReLU signs are unpredictable): maxsd */
                    for (size_t j = 0; j < out; j++)
                        r[j] = fmax(r[j], 0.0);
                } else {
                    for (size_t j = 0; j < out; j++)
                        r[j] = tanh(r[j]);
                }
                r[out] = 1.0;
            }
        }
    }
}

/* What one pass computes (accumulated over chunks). */
struct pass {
    double clip;             /* > 0: clip each example's gradient to this norm */
    double *grad;            /* += sum of (clipped) per-example gradients, or NULL */
    bool no_scale;           /* measure and count norms > clip, do not clip */
    double *norms;           /* per-example norms out (chunk-relative), or NULL */
    double loss;             /* += sum of cross-entropies */
    uint64_t clipped;
    double max_norm;
};

/*
 * Forward and backward over the b rows in ws (a[0], y, and a0sq when
 * have_a0sq).  See the file comment for the algebra.
 */
static void chunk_pass(const struct net *net, struct ws *ws, size_t b,
                       bool have_a0sq, struct pass *ps)
{
    size_t L = net->n_layers, k = net->out[L - 1];
    forward(net, ws, b);
    bool need_grad = ps->grad != NULL;
    ps->loss += softmax_rows(ws->e[L - 1], b, k, ws->y, need_grad || ps->norms);
    if (!need_grad && !ps->norms)
        return;
    if (L == 2) {
        /* E_h = (E W_2[0:h]^T) .* act'(Z_1); act' from the activations */
        size_t h = net->out[0];
        cblas_dgemm(CblasRowMajor, CblasNoTrans, CblasTrans, (int)b, (int)h,
                    (int)k, 1.0, ws->e[1], (int)k, net->w + net->off[1], (int)k,
                    0.0, ws->e[0], (int)h);
        for (size_t i = 0; i < b; i++) {
            const double *a = ws->a[1] + i * (h + 1);
            double *g = ws->e[0] + i * h;
            if (net->act == ACT_RELU) {
                for (size_t j = 0; j < h; j++)
                    g[j] *= (double)(a[j] > 0);   /* branch-free mask */
            } else {
                for (size_t j = 0; j < h; j++)
                    g[j] *= 1.0 - a[j] * a[j];
            }
        }
    }
    if (ps->clip > 0 || ps->norms) {
        /* ghost norms: sum over layers of ||a_i||^2 ||e_i||^2 */
        for (size_t i = 0; i < b; i++) {
            double s = 0;
            for (size_t l = 0; l < L; l++) {
                size_t in1 = net->in[l] + 1, out = net->out[l];
                double asq = (l == 0 && have_a0sq)
                                 ? ws->a0sq[i]
                                 : dot(ws->a[l] + i * in1, in1);
                s += asq * dot(ws->e[l] + i * out, out);
            }
            double nrm = sqrt(s);
            if (ps->norms)
                ps->norms[i] = nrm;
            if (nrm > ps->max_norm)
                ps->max_norm = nrm;
            if (ps->clip > 0 && nrm > ps->clip) {
                ps->clipped++;
                if (ps->no_scale)
                    continue;
                double sc = ps->clip / nrm;
                for (size_t l = 0; l < L; l++) {
                    size_t out = net->out[l];
                    double *g = ws->e[l] + i * out;
                    for (size_t j = 0; j < out; j++)
                        g[j] *= sc;
                }
            }
        }
    }
    if (!need_grad)
        return;
    for (size_t l = 0; l < L; l++) {
        size_t in1 = net->in[l] + 1, out = net->out[l];
        cblas_dgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)in1,
                    (int)out, (int)b, 1.0, ws->a[l], (int)in1, ws->e[l],
                    (int)out, 1.0, ps->grad + net->off[l], (int)out);
    }
}

/* Training data, transformed once: X is n x (d + 1) with the ones column. */
struct tdata {
    size_t n, d1;
    double *x;
    double *xsq;             /* squared row norms (with the 1) */
    int32_t *y;
};

static void tdata_release(struct tdata *t)
{
    free(t->x);
    free(t->xsq);
    free(t->y);
    memset(t, 0, sizeof *t);
}

/* Copy rows idx[0..b) (or start..start+b when idx is NULL) into ws. */
static void gather(struct ws *ws, const struct tdata *t, const size_t *idx,
                   size_t start, size_t b)
{
    size_t d1 = t->d1;
    for (size_t i = 0; i < b; i++) {
        size_t r = idx ? idx[i] : start + i;
        memcpy(ws->a[0] + i * d1, t->x + r * d1, d1 * sizeof(double));
        ws->a0sq[i] = t->xsq[r];
        ws->y[i] = t->y[r];
    }
}

/* One pass over rows idx[0..cnt) (idx NULL: all rows) in chunks. */
static void data_pass(const struct net *net, struct ws *ws,
                      const struct tdata *t, const size_t *idx, size_t cnt,
                      struct pass *ps)
{
    for (size_t s = 0; s < cnt; s += ws->cap) {
        size_t b = cnt - s < ws->cap ? cnt - s : ws->cap;
        gather(ws, t, idx ? idx + s : NULL, s, b);
        chunk_pass(net, ws, b, true, ps);
    }
}

/* 0.5 * l2 * ||weights||^2 and grad += l2 * weights (biases excluded). */
static double l2_term(const struct net *net, double l2, double *grad)
{
    if (l2 == 0)
        return 0;
    double s = 0;
    for (size_t l = 0; l < net->n_layers; l++) {
        const double *w = net->w + net->off[l];
        size_t nw = net->in[l] * net->out[l];
        for (size_t j = 0; j < nw; j++) {
            s += w[j] * w[j];
            if (grad)
                grad[net->off[l] + j] += l2 * w[j];
        }
    }
    return 0.5 * l2 * s;
}

static bool all_finite(const double *v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isfinite(v[i]))
            return false;
    return true;
}

static const char *bad_number(double v)
{
    return isnan(v) ? "NaN" : "infinite";
}

/* ------------------------------------------------------------------------ */
/* Gaussian noise                                                            */

/*
 * DP-SGD draws one N(0, 1) per parameter per step, which at small batches
 * costs more than the gradient itself with the polar method (rng_normal), so
 * the trainer uses the ziggurat method (Marsaglia & Tsang, "The ziggurat
 * method for generating random variables", J. Stat. Softw. 5(8), 2000) in
 * Doornik's form ("An improved ziggurat method to generate normal random
 * samples", 2005): 128 strips, R = 3.442619855899, V = 9.91256303526217e-3,
 * the strip index taken from bits independent of the uniform (the low 7 bits
 * of the same 64-bit draw, whose top 53 bits make the uniform), which avoids
 * the original's correlation between strip and value.  Exact in distribution:
 * rectangle interiors are accepted directly, wedges by rejection against the
 * density, the base strip's tail by Marsaglia's exponential method.  The
 * tables are computed per training run (no global state).
 */
#define ZIG_N 128
#define ZIG_R 3.442619855899
#define ZIG_V 9.91256303526217e-3

struct zig {
    double x[ZIG_N + 1];     /* strip edges; x[0] is the base strip's V / f(R) */
    double ratio[ZIG_N];     /* x[i + 1] / x[i]: the inner rectangle's share */
};

static void zig_init(struct zig *z)
{
    double f = exp(-0.5 * ZIG_R * ZIG_R);
    z->x[0] = ZIG_V / f;
    z->x[1] = ZIG_R;
    z->x[ZIG_N] = 0;
    for (int i = 2; i < ZIG_N; i++) {
        z->x[i] = sqrt(-2 * log(ZIG_V / z->x[i - 1] + f));
        f = exp(-0.5 * z->x[i] * z->x[i]);
    }
    for (int i = 0; i < ZIG_N; i++)
        z->ratio[i] = z->x[i + 1] / z->x[i];
}

static double zig_normal(const struct zig *z, struct rng *r)
{
    for (;;) {
        uint64_t b = rng_next(r);
        double u = 2.0 * ((double)(b >> 11) * 0x1.0p-53) - 1.0;
        unsigned i = (unsigned)(b & (ZIG_N - 1));
        if (fabs(u) < z->ratio[i])
            return u * z->x[i];
        if (i == 0) {
            /* tail beyond R: x = R + E1 / R accepted when 2 E2 > (E1/R)^2 */
            double t, y;
            do {
                t = log(rng_uniform_pos(r)) / ZIG_R;
                y = log(rng_uniform_pos(r));
            } while (-2 * y < t * t);
            return u < 0 ? t - ZIG_R : ZIG_R - t;
        }
        double x = u * z->x[i];
        double f0 = exp(-0.5 * (z->x[i] * z->x[i] - x * x));
        double f1 = exp(-0.5 * (z->x[i + 1] * z->x[i + 1] - x * x));
        if (f1 + rng_uniform(r) * (f0 - f1) < 1.0)
            return x;
    }
}

/* ------------------------------------------------------------------------ */
/* Optimisers                                                                */

/* Learning rate at step t of T; spe = steps per epoch. */
static double lr_at(const struct lparams *p, double t, double total, double spe)
{
    double e = t / spe;
    switch (p->schedule) {
    case SCHED_STEP:
        return p->lr * pow(p->gamma, floor(e / p->step_epochs));
    case SCHED_COSINE:
        return p->lr * 0.5 * (1.0 + cos(PI * t / total));
    case SCHED_INVSQRT:
        return p->lr / sqrt(1.0 + e);
    default:
        return p->lr;
    }
}

/*
 * Mini-batch SGD (heavy-ball momentum v = mu v + g, w -= lr v) and DP-SGD
 * (Abadi et al. 2016, Algorithm 1, with Poisson sampling as analysed by
 * Mironov, Talwar, Zhang, "Renyi DP of the sampled Gaussian mechanism", 2019):
 *   g = (sum_{i in batch} clip_C(g_i) + N(0, sigma^2 C^2 I)) / (q n) + l2 w.
 * The L2 term depends on no example, so it is added after the noise.
 */
static int run_sgd(struct lmodel *m, const struct lparams *p,
                   const struct tdata *t, uint64_t seed, struct error *err)
{
    struct net *net = &m->net;
    size_t n = t->n, np = net->n_params;
    const struct dp_params *dp = &p->dp;
    int rc = 0;
    struct ws ws = {0};
    double *grad = NULL, *vel = NULL, *noise = NULL;
    size_t *idx = NULL;
    struct rng batch_rng, noise_rng;
    rng_derive(&batch_rng, seed, 1);
    rng_derive(&noise_rng, seed, 2);

    double q = 0;
    uint64_t total;
    double spe;               /* steps per epoch */
    size_t bs = 0;            /* fixed batch size (non-private, shuffle fault) */
    if (dp->on) {
        if ((rc = resolve_dp(dp, n, &q, &total, err)))
            goto cleanup;
        spe = 1.0 / q;
        if (dp->fault == LINEAR_FAULT_SHUFFLE) {
            double r = round(q * (double)n);
            bs = r < 1 ? 1 : (size_t)r;
        }
    } else {
        bs = (size_t)p->batch_size < n ? (size_t)p->batch_size : n;
        uint64_t per = (n + bs - 1) / bs;
        total = per * (uint64_t)p->epochs;
        spe = (double)per;
    }
    if ((rc = ws_init(&ws, net, n < CHUNK ? n : CHUNK, err)))
        goto cleanup;
    grad = malloc(np * sizeof *grad);
    idx = malloc(n * sizeof *idx);
    if (!grad || !idx)
        goto nomem;
    if (p->momentum > 0 && !(vel = calloc(np, sizeof *vel)))
        goto nomem;
    if (dp->on && !(noise = malloc(np * sizeof *noise)))
        goto nomem;
    rng_permutation(&batch_rng, idx, n);
    struct zig zig;
    zig_init(&zig);

    struct linear_train_stats *st = &m->stats;
    memset(st, 0, sizeof *st);
    st->dp = dp->on;
    st->min_batch = SIZE_MAX;
    double norm_scale = dp->on ? 1.0 / (q * (double)n) : 0;
    size_t pos = 0;           /* position in the permutation */
    double tail_loss = 0;
    uint64_t tail_n = 0, tail_from = total > (uint64_t)ceil(spe)
                                          ? total - (uint64_t)ceil(spe) : 0;

    if (m->trace && m->trace_cap > 0) {
        size_t out0 = net->out[0], sz = m->trace_n * out0;
        memcpy(m->trace, net->w + net->off[0] + m->trace_first * out0, sz * sizeof *m->trace);
        m->trace_steps = 1;
    }
    for (uint64_t step = 0; step < total; step++) {
        size_t cnt;
        const size_t *bidx;
        if (dp->on && dp->fault != LINEAR_FAULT_SHUFFLE) {
            cnt = linear_poisson_sample(&batch_rng, n, q, idx);
            bidx = idx;
        } else {
            /* non-private: epochs of ceil(n / bs) batches, the last one
             * partial; shuffle fault: only full batches of round(q n) */
            if (dp->on ? pos + bs > n : pos >= n) {
                rng_shuffle(&batch_rng, idx, n);
                pos = 0;
            }
            cnt = n - pos < bs ? n - pos : bs;
            bidx = idx + pos;
            pos += cnt;
        }
        /* no-clip fault: norms are still measured against C (for the
         * statistics) but the errors are not rescaled */
        struct pass ps = {.clip = dp->on ? dp->clip : 0, .grad = grad,
                          .no_scale = dp->fault == LINEAR_FAULT_NO_CLIP};
        memset(grad, 0, np * sizeof *grad);
        data_pass(net, &ws, t, bidx, cnt, &ps);
        st->steps++;
        st->examples += cnt;
        if (cnt < st->min_batch)
            st->min_batch = cnt;
        if (cnt > st->max_batch)
            st->max_batch = cnt;
        st->clipped += ps.clipped;
        if (ps.max_norm > st->max_grad_norm)
            st->max_grad_norm = ps.max_norm;
        if (step >= tail_from) {
            tail_loss += ps.loss;
            tail_n += cnt;
        }
        if (!isfinite(ps.loss)) {
            double ep = floor((double)step / spe);
            rc = error_set(err, ERR_NUMERIC,
                           "training diverged at epoch %.0f step %.0f: loss is "
                           "%s; lower learning_rate", ep + 1,
                           (double)step - ceil(ep * spe - 1e-9) + 1,
                           bad_number(ps.loss));
            goto cleanup;
        }
        /* noise into the sum, then one fused pass over the parameters:
         * scaling, L2, momentum, the step and the finiteness check */
        double gs = dp->on ? norm_scale : 1.0 / (double)cnt;
        if (dp->on) {
            double sd = dp->sigma * dp->clip;
            if (dp->fault == LINEAR_FAULT_MEAN_NOISE)
                sd /= (double)(cnt > 0 ? cnt : 1);
            if (dp->fault != LINEAR_FAULT_REUSED_NOISE || step == 0)
                for (size_t j = 0; j < np; j++)
                    noise[j] = sd * zig_normal(&zig, &noise_rng);
            for (size_t j = 0; j < np; j++)
                grad[j] += noise[j];
        }
        double lr = lr_at(p, (double)step, (double)total, spe);
        double *w = net->w;
        int bad = 0;
        for (size_t l = 0; l < net->n_layers; l++) {
            size_t a = net->off[l], nw = net->in[l] * net->out[l];
            size_t b = a + nw + net->out[l];
            double l2 = p->l2;
            for (size_t j = a; j < b; j++) {
                if (j == a + nw)
                    l2 = 0;            /* biases are not penalised */
                double g = grad[j] * gs + l2 * w[j];
                if (vel)
                    g = vel[j] = p->momentum * vel[j] + g;
                w[j] -= lr * g;
                bad |= !isfinite(w[j]);
            }
        }
        if (bad) {
            double ep = floor((double)step / spe);
            rc = error_set(err, ERR_NUMERIC,
                           "training diverged at epoch %.0f step %.0f: weights "
                           "are not finite; lower learning_rate", ep + 1,
                           (double)step - ceil(ep * spe - 1e-9) + 1);
            goto cleanup;
        }
        if (m->trace && step + 1 < m->trace_cap) {
            size_t out0 = net->out[0], sz = m->trace_n * out0;
            if (m->trace_lr)
                m->trace_lr[step] = lr;
            memcpy(m->trace + (step + 1) * sz, net->w + net->off[0] + m->trace_first * out0,
                   sz * sizeof *m->trace);
            m->trace_steps = step + 2;
        }
    }
    if (st->min_batch == SIZE_MAX)
        st->min_batch = 0;
    st->final_loss = tail_n ? tail_loss / (double)tail_n : 0;
    goto cleanup;
nomem:
    rc = error_set(err, ERR_NOMEM, "out of memory");
cleanup:
    ws_release(&ws);
    free(grad);
    free(vel);
    free(noise);
    free(idx);
    return rc;
}

/* Full-batch objective f = mean CE + (l2/2)||W||^2 and its gradient. */
static double full_objective(const struct net *net, struct ws *ws,
                             const struct tdata *t, double l2, double *grad)
{
    struct pass ps = {.grad = grad};
    if (grad)
        memset(grad, 0, net->n_params * sizeof *grad);
    data_pass(net, ws, t, NULL, t->n, &ps);
    double inv = 1.0 / (double)t->n;
    if (grad)
        for (size_t j = 0; j < net->n_params; j++)
            grad[j] *= inv;
    return ps.loss * inv + l2_term(net, l2, grad);
}

static double vdot(const double *a, const double *b, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += a[i] * b[i];
    return s;
}

static double inf_norm(const double *a, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        if (fabs(a[i]) > s)
            s = fabs(a[i]);
    return s;
}

/*
 * Limited-memory BFGS (Nocedal, "Updating quasi-Newton matrices with limited
 * storage", Math. Comp. 35, 1980; two-loop recursion as in Nocedal & Wright,
 * Numerical Optimization, 2nd ed., Algorithm 7.4, initial scaling gamma =
 * s'y / y'y, eq. 7.20) with a backtracking line search on the Armijo condition
 * f(w + a d) <= f(w) + c1 a g'd, c1 = 1e-4 (N&W Algorithm 3.1).  Pairs with
 * s'y <= eps ||s|| ||y|| are skipped, which keeps the implicit Hessian
 * approximation positive definite.  The objective is convex (L2 softmax
 * regression), so Armijo backtracking suffices.  Stops when ||g||_inf <= tol,
 * after max_iter iterations, or when no step decreases f (at machine
 * precision around the optimum).
 */
static int run_lbfgs(struct lmodel *m, const struct lparams *p,
                     const struct tdata *t, struct error *err)
{
    struct net *net = &m->net;
    size_t np = net->n_params, hm = (size_t)p->history;
    int rc = 0;
    struct ws ws = {0};
    double *g = NULL, *gn = NULL, *dir = NULL, *w0 = NULL, *s = NULL, *y = NULL,
           *rho = NULL, *alpha = NULL;
    if ((rc = ws_init(&ws, net, t->n < CHUNK ? t->n : CHUNK, err)))
        goto cleanup;
    g = malloc(np * sizeof *g);
    gn = malloc(np * sizeof *gn);
    dir = malloc(np * sizeof *dir);
    w0 = malloc(np * sizeof *w0);
    s = malloc(hm * np * sizeof *s);
    y = malloc(hm * np * sizeof *y);
    rho = malloc(hm * sizeof *rho);
    alpha = malloc(hm * sizeof *alpha);
    if (!g || !gn || !dir || !w0 || !s || !y || !rho || !alpha) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    struct linear_train_stats *st = &m->stats;
    memset(st, 0, sizeof *st);
    st->min_batch = st->max_batch = t->n;

    double f = full_objective(net, &ws, t, p->l2, g);
    if (!isfinite(f) || !all_finite(g, np)) {
        rc = error_set(err, ERR_NUMERIC,
                       "training diverged at iteration 0: loss is %s",
                       bad_number(f));
        goto cleanup;
    }
    size_t used = 0, head = 0;    /* ring buffer of the newest `used` pairs */
    long long it;
    for (it = 0; it < p->max_iter; it++) {
        if (inf_norm(g, np) <= p->tol)
            break;
        /* two-loop recursion: dir = -H g */
        for (size_t j = 0; j < np; j++)
            dir[j] = -g[j];
        for (size_t c = 0; c < used; c++) {
            size_t i = (head + hm - 1 - c) % hm;
            alpha[i] = rho[i] * vdot(s + i * np, dir, np);
            for (size_t j = 0; j < np; j++)
                dir[j] -= alpha[i] * y[i * np + j];
        }
        if (used > 0) {
            size_t i = (head + hm - 1) % hm;
            double gam = vdot(s + i * np, y + i * np, np) /
                         vdot(y + i * np, y + i * np, np);
            for (size_t j = 0; j < np; j++)
                dir[j] *= gam;
        }
        for (size_t c = used; c-- > 0;) {
            size_t i = (head + hm - 1 - c) % hm;
            double beta = rho[i] * vdot(y + i * np, dir, np);
            for (size_t j = 0; j < np; j++)
                dir[j] += (alpha[i] - beta) * s[i * np + j];
        }
        double gd = vdot(g, dir, np);
        if (!(gd < 0)) {          /* not a descent direction: restart */
            used = 0;
            for (size_t j = 0; j < np; j++)
                dir[j] = -g[j];
            gd = vdot(g, dir, np);
        }
        double step = used == 0 ? fmin(1.0, 1.0 / sqrt(-gd)) : 1.0;
        memcpy(w0, net->w, np * sizeof *w0);
        double fn = f;
        bool ok = false;
        for (int ls = 0; ls < 60; ls++) {
            for (size_t j = 0; j < np; j++)
                net->w[j] = w0[j] + step * dir[j];
            fn = full_objective(net, &ws, t, p->l2, gn);
            if (isfinite(fn) && fn <= f + 1e-4 * step * gd) {
                ok = true;
                break;
            }
            step *= 0.5;
        }
        if (!ok) {
            memcpy(net->w, w0, np * sizeof *w0);
            break;                /* no decrease possible: at the optimum */
        }
        if (!all_finite(gn, np)) {
            rc = error_set(err, ERR_NUMERIC,
                           "training diverged at iteration %lld: gradient is "
                           "not finite", it + 1);
            goto cleanup;
        }
        double *sn = s + head * np, *yn = y + head * np;
        for (size_t j = 0; j < np; j++) {
            sn[j] = net->w[j] - w0[j];
            yn[j] = gn[j] - g[j];
        }
        double sy = vdot(sn, yn, np);
        if (sy > 1e-12 * sqrt(vdot(sn, sn, np) * vdot(yn, yn, np)) && sy > 0) {
            rho[head] = 1.0 / sy;
            head = (head + 1) % hm;
            if (used < hm)
                used++;
        }
        memcpy(g, gn, np * sizeof *g);
        f = fn;
    }
    st->steps = (uint64_t)it;
    st->examples = (uint64_t)it * t->n;
    st->final_loss = f;
    st->final_grad_norm = inf_norm(g, np);
cleanup:
    ws_release(&ws);
    free(g);
    free(gn);
    free(dir);
    free(w0);
    free(s);
    free(y);
    free(rho);
    free(alpha);
    return rc;
}

/* Glorot uniform (tanh, softmax layers) or He uniform (ReLU) weights, zero
 * biases (Glorot & Bengio, AISTATS 2010; He et al., ICCV 2015). */
static void init_weights(struct net *net, bool random, struct rng *r)
{
    memset(net->w, 0, net->n_params * sizeof *net->w);
    if (!random)
        return;
    for (size_t l = 0; l < net->n_layers; l++) {
        size_t in = net->in[l], out = net->out[l];
        bool relu_in = l + 1 < net->n_layers && net->act == ACT_RELU;
        double lim = relu_in ? sqrt(6.0 / (double)in)
                             : sqrt(6.0 / (double)(in + out));
        double *w = net->w + net->off[l];
        for (size_t j = 0; j < in * out; j++)
            w[j] = lim * (2.0 * rng_uniform(r) - 1.0);
    }
}

size_t linear_poisson_sample(struct rng *r, size_t n, double q, size_t *idx)
{
    size_t cnt = 0;
    if (q >= 1) {
        for (size_t i = 0; i < n; i++)
            idx[i] = i;
        return n;
    }
    if (!(q > 0))
        return 0;
    /* Gaps between successive successes of Bernoulli(q) trials are iid
     * Geometric(q): P(gap = k) = (1-q)^k q, k = floor(log U / log(1 - q)). */
    double lq = log1p(-q);
    double i = -1;
    for (;;) {
        double gap = floor(log(rng_uniform_pos(r)) / lq);
        i += gap + 1;
        if (!(i < (double)n))
            break;
        idx[cnt++] = (size_t)i;
    }
    return cnt;
}

/* Row i of the training set: rows[i], or i when rows is NULL. */
#define ROW(i) (rows ? rows[(i)] : (i))

struct trace_req {
    size_t first, n;
    double *buf, *lr_buf;
    uint64_t cap;
    uint64_t *steps_out;
};

static int ltrain_ex(void **impl, const void *params, const struct dataset *ds,
                     const size_t *rows, size_t n, uint64_t seed,
                     const struct trace_req *tr, struct error *err);

static int ltrain(void **impl, const void *params, const struct dataset *ds,
                  const size_t *rows, size_t n, uint64_t seed,
                  struct error *err)
{
    return ltrain_ex(impl, params, ds, rows, n, seed, NULL, err);
}

static int ltrain_ex(void **impl, const void *params, const struct dataset *ds,
                     const size_t *rows, size_t n, uint64_t seed,
                     const struct trace_req *tr, struct error *err)
{
    const struct lparams *p = params;
    *impl = NULL;
    int rc = 0;
    struct tdata t = {0};
    size_t d = ds->n_features, k = ds->schema.n_classes;
    struct lmodel *m = calloc(1, sizeof *m);
    if (!m)
        return error_set(err, ERR_NOMEM, "out of memory");
    if (tr) {
        m->trace_first = tr->first;
        m->trace_n = tr->n;
        m->trace = tr->buf;
        m->trace_lr = tr->lr_buf;
        m->trace_cap = tr->cap;
    }
    if (!rows && n > ds->n_rows) {
        rc = error_set(err, ERR_INPUT, "%zu training rows asked of %zu", n,
                       ds->n_rows);
        goto cleanup;
    }
    if (n == 0 || k < 2 || d == 0) {
        rc = error_set(err, ERR_INPUT,
                       "cannot train %s on %zu rows, %zu features, %zu classes",
                       KIND_NAMES[p->kind], n, d, k);
        goto cleanup;
    }
    if (p->input == LINEAR_INPUT_BOUNDED && p->bounds && p->n_bounds != d) {
        rc = error_set(err, ERR_INPUT,
                       "feature_bound: %zu bounds given for %zu features",
                       p->n_bounds, d);
        goto cleanup;
    }
    m->kind = p->kind;
    m->k = k;
    m->d = d;
    m->input = p->input;
    m->no_intercept = p->no_intercept;
    m->dp = p->dp.on;
    net_shape(&m->net, d, k, p->kind == KIND_MLP ? (size_t)p->hidden : 0,
              p->activation);
    m->net.w = malloc(m->net.n_params * sizeof *m->net.w);
    if (!m->net.w)
        goto nomem;

    if (m->input == LINEAR_INPUT_STANDARDISED) {
        /* mean and std (population) of the training rows, two passes for
         * accuracy; missing values skipped; constant columns get std 1 */
        m->mean = calloc(d, sizeof *m->mean);
        m->std = calloc(d, sizeof *m->std);
        size_t *cnt = calloc(d, sizeof *cnt);
        if (!m->mean || !m->std || !cnt) {
            free(cnt);
            goto nomem;
        }
        for (size_t i = 0; i < n; i++) {
            const float *x = ds->x + ROW(i) * d;
            for (size_t j = 0; j < d; j++)
                if (isfinite(x[j])) {
                    m->mean[j] += x[j];
                    cnt[j]++;
                }
        }
        for (size_t j = 0; j < d; j++)
            m->mean[j] = cnt[j] ? m->mean[j] / (double)cnt[j] : 0.0;
        for (size_t i = 0; i < n; i++) {
            const float *x = ds->x + ROW(i) * d;
            for (size_t j = 0; j < d; j++)
                if (isfinite(x[j])) {
                    double v = x[j] - m->mean[j];
                    m->std[j] += v * v;
                }
        }
        for (size_t j = 0; j < d; j++) {
            double sd = cnt[j] ? sqrt(m->std[j] / (double)cnt[j]) : 0.0;
            m->std[j] = (sd > 1e-12 * fmax(1.0, fabs(m->mean[j])) && isfinite(sd))
                            ? sd : 1.0;
        }
        free(cnt);
    } else {
        m->bound = malloc(d * sizeof *m->bound);
        if (!m->bound)
            goto nomem;
        for (size_t j = 0; j < d; j++)
            m->bound[j] = p->bounds ? p->bounds[j] : p->bound;
    }

    t.n = n;
    t.d1 = d + 1;
    t.x = malloc(n * (d + 1) * sizeof *t.x);
    t.xsq = malloc(n * sizeof *t.xsq);
    t.y = malloc(n * sizeof *t.y);
    if (!t.x || !t.xsq || !t.y)
        goto nomem;
    for (size_t i = 0; i < n; i++) {
        int32_t yi = ds->y[ROW(i)];
        if (yi < 0 || (size_t)yi >= k) {
            rc = error_set(err, ERR_INPUT, "row %zu: class %d outside 0..%zu",
                           ROW(i), (int)yi, k - 1);
            goto cleanup;
        }
        t.y[i] = yi;
        transform_row(m, ds->x + ROW(i) * d, t.x + i * (d + 1));
        t.xsq[i] = dot(t.x + i * (d + 1), d + 1);
    }

    struct rng init_rng;
    rng_derive(&init_rng, seed, 0);
    init_weights(&m->net, p->init == INIT_RANDOM, &init_rng);
    if (p->optimizer == OPT_LBFGS)
        rc = run_lbfgs(m, p, &t, err);
    else
        rc = run_sgd(m, p, &t, seed, err);
    if (m->no_intercept) {
        /* noise reached the unused bias; a saved model must not carry it */
        double *bias = m->net.w + m->net.off[0] + m->net.in[0] * m->net.out[0];
        for (size_t c = 0; c < m->net.out[0]; c++)
            bias[c] = 0.0;
    }
    if (tr && tr->steps_out)
        *tr->steps_out = m->trace_steps;
    m->trace = NULL; /* the caller's buffers */
    m->trace_lr = NULL;
    goto cleanup;
nomem:
    rc = error_set(err, ERR_NOMEM, "out of memory");
cleanup:
    tdata_release(&t);
    if (rc) {
        lmodel_free(m);
        return rc;
    }
    *impl = m;
    return 0;
}

static int lpredict(void *impl, const float *x, size_t n, size_t d,
                    double *probs, struct error *err)
{
    struct lmodel *m = impl;
    if (d != m->d)
        return error_set(err, ERR_INPUT,
                         "the model expects %zu features, the data has %zu",
                         m->d, d);
    struct ws ws;
    int rc = ws_init(&ws, &m->net, n < CHUNK ? n : CHUNK, err);
    if (rc)
        return rc;
    size_t L = m->net.n_layers, k = m->k;
    for (size_t s = 0; s < n; s += ws.cap) {
        size_t b = n - s < ws.cap ? n - s : ws.cap;
        for (size_t i = 0; i < b; i++)
            transform_row(m, x + (s + i) * d, ws.a[0] + i * (d + 1));
        forward(&m->net, &ws, b);
        softmax_rows(ws.e[L - 1], b, k, NULL, false);
        memcpy(probs + s * k, ws.e[L - 1], b * k * sizeof *probs);
    }
    ws_release(&ws);
    return 0;
}

/* ------------------------------------------------------------------------ */
/* Save and load                                                             */

/*
 * A number that reads back bit-identically: the shortest of %.15g, %.16g,
 * %.17g that strtod maps to v (17 significant digits always suffice for
 * binary64).  cJSON's own printer accepts a 15-digit form within DBL_EPSILON
 * relative, which loses the last bits, so the text is inserted raw.
 */
static cJSON *exact_number(double v)
{
    char buf[40];
    if (!isfinite(v))
        return cJSON_CreateNull();
    for (int prec = 15; prec <= 17; prec++) {
        snprintf(buf, sizeof buf, "%.*g", prec, v);
        if (strtod(buf, NULL) == v)
            break;
    }
    return cJSON_CreateRaw(buf);
}

static cJSON *num_array(const double *v, size_t n)
{
    cJSON *a = cJSON_CreateArray();
    if (!a)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        cJSON *x = exact_number(v[i]);
        if (!x) {
            cJSON_Delete(a);
            return NULL;
        }
        cJSON_AddItemToArray(a, x);
    }
    return a;
}

static int add_array(cJSON *o, const char *key, const double *v, size_t n)
{
    cJSON *a = num_array(v, n);
    if (!a)
        return -1;
    cJSON_AddItemToObject(o, key, a);
    return 0;
}

static int lsave(void *impl, const char *path, struct error *err)
{
    const struct lmodel *m = impl;
    int rc = 0;
    char *text = NULL;
    cJSON *root = cJSON_CreateObject();
    if (!root)
        goto nomem;
    ADD_STR(root, "format", FORMAT_NAME);
    ADD_NUM(root, "version", FORMAT_VERSION);
    ADD_STR(root, "kind", KIND_NAMES[m->kind]);
    ADD_NUM(root, "classes", m->k);
    ADD_NUM(root, "features", m->d);
    if (m->kind == KIND_MLP)
        ADD_STR(root, "activation", ACT_NAMES[m->net.act]);
    if (!cJSON_AddBoolToObject(root, "dp", m->dp))
        goto nomem;
    cJSON *in = cJSON_AddObjectToObject(root, "input");
    if (!in)
        goto nomem;
    ADD_STR(in, "transform", INPUT_NAMES[m->input]);
    if (m->input == LINEAR_INPUT_STANDARDISED) {
        if (add_array(in, "mean", m->mean, m->d) ||
            add_array(in, "std", m->std, m->d))
            goto nomem;
    } else if (add_array(in, "bound", m->bound, m->d)) {
        goto nomem;
    }
    cJSON *layers = cJSON_AddArrayToObject(root, "layers");
    if (!layers)
        goto nomem;
    for (size_t l = 0; l < m->net.n_layers; l++) {
        size_t ni = m->net.in[l], no = m->net.out[l];
        const double *w = m->net.w + m->net.off[l];
        cJSON *lo = cJSON_CreateObject();
        if (!lo)
            goto nomem;
        cJSON_AddItemToArray(layers, lo);
        ADD_NUM(lo, "inputs", ni);
        ADD_NUM(lo, "outputs", no);
        cJSON *wa = cJSON_AddArrayToObject(lo, "weights");
        if (!wa)
            goto nomem;
        for (size_t r = 0; r < ni; r++) {
            cJSON *row = num_array(w + r * no, no);
            if (!row)
                goto nomem;
            cJSON_AddItemToArray(wa, row);
        }
        if (add_array(lo, "bias", w + ni * no, no))
            goto nomem;
    }
    /* every stored double goes through exact_number: weights round-trip */
    text = cJSON_PrintUnformatted(root);
    if (!text)
        goto nomem;
    size_t len = strlen(text);
    {
        struct afile af;
        if ((rc = afile_open(&af, path, err)))
            goto cleanup;
        if (fwrite(text, 1, len, af.fp) != len || fputc('\n', af.fp) == EOF) {
            afile_abort(&af);
            rc = error_set(err, ERR_IO, "cannot write '%s'", path);
            goto cleanup;
        }
        rc = afile_commit(&af, err);
    }
    goto cleanup;
nomem:
    rc = error_set(err, ERR_NOMEM, "out of memory");
cleanup:
    if (text)
        cJSON_free(text);
    cJSON_Delete(root);
    return rc;
}

/* Fill out[0..n) from the JSON array `a` at `path` (finite numbers, all n);
 * out NULL only validates. */
static int read_vec(const cJSON *a, const char *path, size_t n, double *out,
                    struct error *err)
{
    if (!cJSON_IsArray(a))
        return error_set(err, ERR_INPUT, "%s: expected an array of %zu numbers",
                         path, n);
    size_t i = 0;
    for (const cJSON *e = a->child; e; e = e->next, i++) {
        if (i >= n)
            return error_set(err, ERR_INPUT,
                             "%s: expected %zu numbers, got more", path, n);
        if (!cJSON_IsNumber(e) || !isfinite(e->valuedouble))
            return error_set(err, ERR_INPUT,
                             "%s[%zu]: expected a finite number", path, i);
        if (out)
            out[i] = e->valuedouble;
    }
    if (i != n)
        return error_set(err, ERR_INPUT, "%s: expected %zu numbers, got %zu",
                         path, n, i);
    return 0;
}

static int get_vec(const cJSON *obj, const char *path, const char *key,
                   size_t n, double *out, struct error *err)
{
    char kp[256];
    jsonx_join(kp, sizeof kp, path, key);
    const cJSON *a = cJSON_GetObjectItemCaseSensitive(obj, key);
    if (!a)
        return error_set(err, ERR_INPUT, "%s: missing (required)", kp);
    return read_vec(a, kp, n, out, err);
}

static int load_layer(const cJSON *lo, const char *lpath, struct net *net,
                      size_t l, struct error *err)
{
    static const char *const keys[] = {"inputs", "outputs", "weights", "bias"};
    long long ni, no;
    int rc;
    if (!cJSON_IsObject(lo))
        return error_set(err, ERR_INPUT, "%s: expected an object", lpath);
    if ((rc = jsonx_check_keys(lo, lpath, keys, COUNT(keys), err)) ||
        (rc = jsonx_int(lo, lpath, "inputs", 1, LLONG_MAX, 0, true, &ni, err)) ||
        (rc = jsonx_int(lo, lpath, "outputs", 1, LLONG_MAX, 0, true, &no, err)))
        return rc;
    char kp[256];
    if ((size_t)ni != net->in[l]) {
        jsonx_join(kp, sizeof kp, lpath, "inputs");
        return error_set(err, ERR_INPUT, "%s: expected %zu, got %lld", kp,
                         net->in[l], ni);
    }
    if ((size_t)no != net->out[l]) {
        jsonx_join(kp, sizeof kp, lpath, "outputs");
        return error_set(err, ERR_INPUT, "%s: expected %zu, got %lld", kp,
                         net->out[l], no);
    }
    jsonx_join(kp, sizeof kp, lpath, "weights");
    const cJSON *wa = cJSON_GetObjectItemCaseSensitive(lo, "weights");
    if (!wa)
        return error_set(err, ERR_INPUT, "%s: missing (required)", kp);
    if (!cJSON_IsArray(wa) || (size_t)cJSON_GetArraySize(wa) != net->in[l])
        return error_set(err, ERR_INPUT,
                         "%s: expected an array of %zu rows of %zu numbers", kp,
                         net->in[l], net->out[l]);
    /* net->w NULL: validate only (the pass before allocation) */
    double *w = net->w ? net->w + net->off[l] : NULL;
    size_t r = 0;
    for (const cJSON *row = wa->child; row; row = row->next, r++) {
        char rp[300];
        snprintf(rp, sizeof rp, "%s[%zu]", kp, r);
        if ((rc = read_vec(row, rp, net->out[l], w ? w + r * net->out[l] : NULL,
                           err)))
            return rc;
    }
    return get_vec(lo, lpath, "bias", net->out[l],
                   w ? w + net->in[l] * net->out[l] : NULL, err);
}

static int load_tree(const cJSON *root, int want_kind, struct lmodel **out,
                     struct error *err)
{
    static const char *const keys[] = {"format", "version", "kind", "classes",
                                       "features", "activation", "dp", "input",
                                       "layers"};
    static const char *const in_std_keys[] = {"transform", "mean", "std"};
    static const char *const in_bnd_keys[] = {"transform", "bound"};
    int rc;
    const char *s = NULL;
    long long ver, k, d;
    int kind = 0, act = 0;
    *out = NULL;
    struct lmodel *m = calloc(1, sizeof *m);
    if (!m)
        return error_set(err, ERR_NOMEM, "out of memory");
    if ((rc = jsonx_check_keys(root, "", keys, COUNT(keys), err)) ||
        (rc = jsonx_string(root, "", "format", NULL, true, &s, err)))
        goto cleanup;
    if (strcmp(s, FORMAT_NAME) != 0) {
        rc = error_set(err, ERR_INPUT, "format: expected '%s', got '%s'",
                       FORMAT_NAME, s);
        goto cleanup;
    }
    if ((rc = jsonx_int(root, "", "version", FORMAT_VERSION, FORMAT_VERSION, 0,
                        true, &ver, err)) ||
        (rc = jsonx_enum(root, "", "kind", KIND_NAMES, COUNT(KIND_NAMES), 0,
                         true, &kind, err)))
        goto cleanup;
    if (kind != want_kind) {
        rc = error_set(err, ERR_INPUT, "kind: expected '%s', got '%s'",
                       KIND_NAMES[want_kind], KIND_NAMES[kind]);
        goto cleanup;
    }
    if ((rc = jsonx_int(root, "", "classes", 2, 1000000, 0, true, &k, err)) ||
        (rc = jsonx_int(root, "", "features", 1, 100000000, 0, true, &d,
                        err)) ||
        (rc = jsonx_bool(root, "", "dp", false, true, &m->dp, err)))
        goto cleanup;
    if (kind == KIND_MLP) {
        if ((rc = jsonx_enum(root, "", "activation", ACT_NAMES,
                             COUNT(ACT_NAMES), 0, true, &act, err)))
            goto cleanup;
    } else if (has_key(root, "activation")) {
        rc = error_set(err, ERR_INPUT, "activation: not used by kind 'logreg'");
        goto cleanup;
    }
    m->kind = kind;
    m->k = (size_t)k;
    m->d = (size_t)d;

    const cJSON *layers = cJSON_GetObjectItemCaseSensitive(root, "layers");
    size_t want_layers = kind == KIND_MLP ? 2 : 1;
    if (!layers) {
        rc = error_set(err, ERR_INPUT, "layers: missing (required)");
        goto cleanup;
    }
    if (!cJSON_IsArray(layers) ||
        (size_t)cJSON_GetArraySize(layers) != want_layers) {
        rc = error_set(err, ERR_INPUT, "layers: expected an array of %zu "
                       "layer%s", want_layers, want_layers > 1 ? "s" : "");
        goto cleanup;
    }
    size_t hidden = 0;
    if (kind == KIND_MLP) {
        long long h;
        const cJSON *l0 = layers->child;
        if (!cJSON_IsObject(l0)) {
            rc = error_set(err, ERR_INPUT, "layers[0]: expected an object");
            goto cleanup;
        }
        if ((rc = jsonx_int(l0, "layers[0]", "outputs", 1, MAX_HIDDEN, 0, true,
                            &h, err)))
            goto cleanup;
        hidden = (size_t)h;
    }
    /* Two passes: the first checks every layer against the declared shape
     * without storing anything, so the allocation that follows is bounded
     * by what the file really holds (a corrupted size cannot make it huge). */
    net_shape(&m->net, m->d, m->k, hidden, act);
    for (int store = 0; store < 2; store++) {
        if (store) {
            m->net.w = malloc(m->net.n_params * sizeof *m->net.w);
            if (!m->net.w) {
                rc = error_set(err, ERR_NOMEM, "out of memory");
                goto cleanup;
            }
        }
        size_t l = 0;
        for (const cJSON *lo = layers->child; lo; lo = lo->next, l++) {
            char lp[32];
            snprintf(lp, sizeof lp, "layers[%zu]", l);
            if ((rc = load_layer(lo, lp, &m->net, l, err)))
                goto cleanup;
        }
    }

    const cJSON *in = NULL;
    int tr = 0;
    if ((rc = jsonx_object(root, "", "input", true, &in, err)) ||
        (rc = jsonx_enum(in, "input", "transform", INPUT_NAMES,
                         COUNT(INPUT_NAMES), 0, true, &tr, err)))
        goto cleanup;
    m->input = (enum linear_input)tr;
    if (m->input == LINEAR_INPUT_STANDARDISED) {
        m->mean = malloc(m->d * sizeof *m->mean);
        m->std = malloc(m->d * sizeof *m->std);
        if (!m->mean || !m->std) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        if ((rc = jsonx_check_keys(in, "input", in_std_keys,
                                   COUNT(in_std_keys), err)) ||
            (rc = get_vec(in, "input", "mean", m->d, m->mean, err)) ||
            (rc = get_vec(in, "input", "std", m->d, m->std, err)))
            goto cleanup;
        for (size_t j = 0; j < m->d; j++)
            if (!(m->std[j] > 0)) {
                rc = error_set(err, ERR_INPUT,
                               "input.std[%zu]: expected a number > 0", j);
                goto cleanup;
            }
    } else {
        m->bound = malloc(m->d * sizeof *m->bound);
        if (!m->bound) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        if ((rc = jsonx_check_keys(in, "input", in_bnd_keys,
                                   COUNT(in_bnd_keys), err)) ||
            (rc = get_vec(in, "input", "bound", m->d, m->bound, err)))
            goto cleanup;
        for (size_t j = 0; j < m->d; j++)
            if (!(m->bound[j] > 0)) {
                rc = error_set(err, ERR_INPUT,
                               "input.bound[%zu]: expected a number > 0", j);
                goto cleanup;
            }
    }
cleanup:
    if (rc) {
        lmodel_free(m);
        return rc;
    }
    *out = m;
    return 0;
}

static int lload(int kind, void **impl, const char *path, size_t *n_classes,
                 size_t *n_features, struct error *err)
{
    *impl = NULL;
    char *text = NULL;
    size_t len = 0;
    cJSON *root = NULL;
    struct lmodel *m = NULL;
    int rc = afile_read_all(path, &text, &len, err);
    if (rc)
        return rc;
    if ((rc = jsonx_parse(text, len, path, &root, err)))
        goto cleanup;   /* names the file, line and column already */
    if ((rc = load_tree(root, kind, &m, err))) {
        error_prefix(err, "%s: ", path);
        goto cleanup;
    }
    *impl = m;
    *n_classes = m->k;
    *n_features = m->d;
cleanup:
    cJSON_Delete(root);
    free(text);
    return rc;
}

static int logreg_load(void **impl, const char *path, size_t *n_classes,
                       size_t *n_features, struct error *err)
{
    return lload(KIND_LOGREG, impl, path, n_classes, n_features, err);
}

static int mlp_load(void **impl, const char *path, size_t *n_classes,
                    size_t *n_features, struct error *err)
{
    return lload(KIND_MLP, impl, path, n_classes, n_features, err);
}

const struct model_ops logreg_ops = {
    .kind = "logreg",
    .parse_params = logreg_parse,
    .free_params = lparams_free,
    .params_to_json = lparams_to_json,
    .train = ltrain,
    .predict = lpredict,
    .save = lsave,
    .load = logreg_load,
    .free = lmodel_free,
};

const struct model_ops mlp_ops = {
    .kind = "mlp",
    .parse_params = mlp_parse,
    .free_params = lparams_free,
    .params_to_json = lparams_to_json,
    .train = ltrain,
    .predict = lpredict,
    .save = lsave,
    .load = mlp_load,
    .free = lmodel_free,
};

/* ------------------------------------------------------------------------ */
/* White-box access                                                          */

static int get_lm(const struct model *m, struct lmodel **out,
                  struct error *err)
{
    if (!m || !linear_is_kind(m->ops) || !m->impl)
        return error_set(err, ERR_INPUT, "not a logreg or mlp model");
    *out = m->impl;
    return 0;
}

int linear_first_layer(const struct model *m, const double **w, size_t *rows,
                       size_t *cols, enum linear_input *input,
                       struct error *err)
{
    struct lmodel *lm = NULL;
    int rc = get_lm(m, &lm, err);
    if (rc)
        return rc;
    if (input)
        *input = lm->input;
    return linear_layer(m, 0, w, rows, cols, err);
}

size_t linear_n_layers(const struct model *m)
{
    struct lmodel *lm = NULL;
    if (get_lm(m, &lm, NULL))
        return 0;
    return lm->net.n_layers;
}

int linear_layer(const struct model *m, size_t l, const double **w,
                 size_t *rows, size_t *cols, struct error *err)
{
    struct lmodel *lm = NULL;
    int rc = get_lm(m, &lm, err);
    if (rc)
        return rc;
    if (l >= lm->net.n_layers)
        return error_set(err, ERR_INPUT, "layer %zu: the model has %zu", l,
                         lm->net.n_layers);
    *w = lm->net.w + lm->net.off[l];
    *rows = lm->net.in[l] + 1;
    *cols = lm->net.out[l];
    return 0;
}

int linear_transform(const struct model *m, const float *x, size_t n,
                     double *out, struct error *err)
{
    struct lmodel *lm = NULL;
    int rc = get_lm(m, &lm, err);
    if (rc)
        return rc;
    double *row = malloc((lm->d + 1) * sizeof *row);
    if (!row)
        return error_set(err, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        transform_row(lm, x + i * lm->d, row);
        memcpy(out + i * lm->d, row, lm->d * sizeof *row);
    }
    free(row);
    return 0;
}

bool linear_has_intercept(const struct model *m)
{
    struct lmodel *lm = NULL;
    if (get_lm(m, &lm, NULL))
        return true;
    return !lm->no_intercept;
}

double *linear_params(struct model *m, size_t *n_params)
{
    struct lmodel *lm = NULL;
    if (get_lm(m, &lm, NULL)) {
        *n_params = 0;
        return NULL;
    }
    *n_params = lm->net.n_params;
    return lm->net.w;
}

int linear_example_grads(struct model *m, const float *x, const int32_t *y,
                         size_t n, double clip_norm, double *loss_sum,
                         double *grad_sum, double *norms, struct error *err)
{
    struct lmodel *lm = NULL;
    int rc = get_lm(m, &lm, err);
    if (rc)
        return rc;
    struct ws ws;
    if ((rc = ws_init(&ws, &lm->net, n < CHUNK ? n : CHUNK, err)))
        return rc;
    size_t d = lm->d;
    struct pass ps = {.clip = clip_norm, .grad = grad_sum};
    if (grad_sum)
        memset(grad_sum, 0, lm->net.n_params * sizeof *grad_sum);
    for (size_t s = 0; s < n; s += ws.cap) {
        size_t b = n - s < ws.cap ? n - s : ws.cap;
        for (size_t i = 0; i < b; i++) {
            int32_t yi = y[s + i];
            if (yi < 0 || (size_t)yi >= lm->k) {
                rc = error_set(err, ERR_INPUT, "row %zu: class %d outside "
                               "0..%zu", s + i, (int)yi, lm->k - 1);
                goto cleanup;
            }
            ws.y[i] = yi;
            transform_row(lm, x + (s + i) * d, ws.a[0] + i * (d + 1));
        }
        ps.norms = norms ? norms + s : NULL;
        chunk_pass(&lm->net, &ws, b, false, &ps);
    }
    if (loss_sum)
        *loss_sum = ps.loss;
cleanup:
    ws_release(&ws);
    return rc;
}

int linear_train_stats(const struct model *m, struct linear_train_stats *out,
                       struct error *err)
{
    struct lmodel *lm = NULL;
    int rc = get_lm(m, &lm, err);
    if (rc)
        return rc;
    *out = lm->stats;
    return 0;
}

int linear_objective(struct model *m, const float *x, const int32_t *y,
                     size_t n, double l2, double *out, struct error *err)
{
    struct lmodel *lm = NULL;
    int rc = get_lm(m, &lm, err);
    if (rc)
        return rc;
    if (n == 0)
        return error_set(err, ERR_INPUT, "linear_objective: no rows");
    double loss = 0;
    if ((rc = linear_example_grads(m, x, y, n, 0, &loss, NULL, NULL, err)))
        return rc;
    *out = loss / (double)n + l2_term(&lm->net, l2, NULL);
    return 0;
}

int linear_train_traced(struct model **out, const struct model_ops *ops,
                        const void *params, const struct dataset *ds,
                        const size_t *rows, size_t n, uint64_t seed, size_t first_col,
                        size_t n_cols, double **trace, uint64_t *steps, double **lrs,
                        struct error *err)
{
    *out = NULL;
    *trace = NULL;
    *steps = 0;
    if (lrs)
        *lrs = NULL;
    if (ops != &logreg_ops)
        return error_set(err, ERR_INPUT, "an all-iterates trace needs target.kind 'logreg'");
    const struct lparams *p = params;
    if (p->optimizer == OPT_LBFGS)
        return error_set(err, ERR_INPUT, "an all-iterates trace needs optimizer 'sgd'");
    size_t d = ds->n_features, k = ds->schema.n_classes;
    if (first_col + n_cols > d)
        return error_set(err, ERR_INTERNAL, "trace columns out of range");
    uint64_t total = 0;
    if (p->dp.on) {
        double q;
        int rc = resolve_dp(&p->dp, n, &q, &total, err);
        if (rc)
            return rc;
    } else {
        size_t bs = (size_t)p->batch_size < n ? (size_t)p->batch_size : n;
        total = (uint64_t)((n + bs - 1) / bs) * (uint64_t)p->epochs;
    }
    total += 1; /* the initial weights, then one row per step */
    double bytes = (double)total * (double)n_cols * (double)k * sizeof(double);
    if (bytes > 1024.0 * 1024 * 1024)
        return error_set(err, ERR_INPUT,
                         "an all-iterates trace of %llu models x %zu columns needs %.1f GiB; "
                         "use fewer canaries, features or steps", (unsigned long long)total, n_cols,
                         bytes / (1024.0 * 1024 * 1024));
    double *buf = malloc(total * n_cols * k * sizeof *buf + 1);
    double *lrb = lrs ? malloc(total * sizeof *lrb) : NULL;
    struct model *m = calloc(1, sizeof *m);
    if (!buf || (lrs && !lrb) || !m) {
        free(buf);
        free(lrb);
        free(m);
        return error_set(err, ERR_NOMEM, "out of memory for the iterates trace");
    }
    struct trace_req tr = {first_col, n_cols, buf, lrb, total, steps};
    m->ops = ops;
    m->n_classes = k;
    m->n_features = d;
    int rc = ltrain_ex(&m->impl, params, ds, rows, n, seed, &tr, err);
    if (rc) {
        free(buf);
        free(lrb);
        free(m);
        return rc;
    }
    *out = m;
    *trace = buf;
    if (lrs)
        *lrs = lrb;
    return 0;
}

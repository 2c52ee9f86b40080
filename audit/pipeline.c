/*
 * audit/pipeline.c - one audit from config to report.json (see pipeline.h).
 */
#include "audit/pipeline.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>

#include "attacks/iterates.h"
#include "attacks/metrics.h"
#include "attacks/mia.h"
#include "attacks/shadow.h"
#include "attacks/shokri.h"
#include "attacks/scores.h"
#include "core/afile.h"
#include "core/dataset.h"
#include "core/rng.h"
#include "core/sha256.h"
#include "audit/fdp.h"
#include "audit/gdp.h"
#include "audit/onerun.h"
#include "targets/accountant.h"
#include "targets/canary.h"
#include "targets/linear.h"
#include "targets/model.h"
#include "targets/oracle.h"
#include "targets/pld.h"
#include "targets/predfile.h"
#include "targets/xgbm.h"

#ifndef PRIVAUDIT_VERSION
#define PRIVAUDIT_VERSION "0.0.0"
#endif

static const double TPR_FPRS[] = {0.0001, 0.001, 0.01, 0.1};
#define N_TPR_FPRS (sizeof TPR_FPRS / sizeof TPR_FPRS[0])
#define ROC_POINTS 200

static const char *const ATTACK_VARIANT[ATTACK_N] = {
    "loss threshold (Yeom et al. 2018): score = -cross-entropy of the true "
    "label; global threshold",
    "confidence threshold (Salem et al. 2019): score = max_j p_j, label-free; "
    "global threshold",
    "entropy threshold (Salem et al. 2019): score = -sum_j p_j log p_j, "
    "label-free; global threshold",
    "modified-entropy threshold (Song and Mittal 2021, eq. 3): score = "
    "-Mentr(p, y); global threshold"};

static const char *const ATTACK_THREAT[ATTACK_N] = {
    "black-box: class probabilities of the final model and the true label",
    "black-box: class probabilities of the final model, no label",
    "black-box: class probabilities of the final model, no label",
    "black-box: class probabilities of the final model and the true label"};

static double attack_score(int a, const double *p, size_t k, size_t y)
{
    switch (a) {
    case ATTACK_LOSS:
        return -scores_loss(p, k, y);
    case ATTACK_CONFIDENCE: {
        double m = p[0];
        for (size_t c = 1; c < k; c++)
            if (p[c] > m)
                m = p[c];
        return m;
    }
    case ATTACK_ENTROPY:
        return -scores_entropy(p, k);
    default:
        return -scores_modified_entropy(p, k, y);
    }
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* cJSON helpers that turn a NULL (out of memory) into a sticky flag. */
struct jb {
    bool oom;
};

static cJSON *add_obj(struct jb *b, cJSON *o, const char *k)
{
    cJSON *c = o ? cJSON_AddObjectToObject(o, k) : NULL;
    if (!c)
        b->oom = true;
    return c;
}

static cJSON *add_arr(struct jb *b, cJSON *o, const char *k)
{
    cJSON *c = o ? cJSON_AddArrayToObject(o, k) : NULL;
    if (!c)
        b->oom = true;
    return c;
}

static void add_num(struct jb *b, cJSON *o, const char *k, double v)
{
    /* JSON has no inf/NaN; a report never contains them (callers ensure),
     * but be safe and write null rather than an invalid document. */
    cJSON *c = !o ? NULL : isfinite(v) ? cJSON_AddNumberToObject(o, k, v)
                                       : cJSON_AddNullToObject(o, k);
    if (!c)
        b->oom = true;
}

static void add_str(struct jb *b, cJSON *o, const char *k, const char *v)
{
    if (!o || !cJSON_AddStringToObject(o, k, v ? v : ""))
        b->oom = true;
}

static void add_bool(struct jb *b, cJSON *o, const char *k, bool v)
{
    if (!o || !cJSON_AddBoolToObject(o, k, v))
        b->oom = true;
}

static cJSON *push_obj(struct jb *b, cJSON *arr)
{
    cJSON *c = cJSON_CreateObject();
    if (!c || !arr || !cJSON_AddItemToArray(arr, c)) {
        cJSON_Delete(c);
        b->oom = true;
        return NULL;
    }
    return c;
}

static void push_num(struct jb *b, cJSON *arr, double v)
{
    cJSON *c = cJSON_CreateNumber(v);
    if (!c || !arr || !cJSON_AddItemToArray(arr, c)) {
        cJSON_Delete(c);
        b->oom = true;
    }
}

static void push_str(struct jb *b, cJSON *arr, const char *v)
{
    cJSON *c = cJSON_CreateString(v);
    if (!c || !arr || !cJSON_AddItemToArray(arr, c)) {
        cJSON_Delete(c);
        b->oom = true;
    }
}

static void iso_time(char *buf, size_t cap)
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(buf, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

static void add_provenance(struct jb *b, cJSON *rep, const struct config *cfg,
                           const struct dataset *ds, const struct pipeline_opts *o,
                           const struct xgbm_params *xp)
{
    cJSON *p = add_obj(b, rep, "provenance");
    char buf[256];
    iso_time(buf, sizeof buf);
    add_str(b, p, "started_at", buf);
    add_num(b, p, "seed", (double)cfg->seed);
    cJSON *inputs = add_arr(b, p, "inputs");
    cJSON *ci = push_obj(b, inputs);
    add_str(b, ci, "role", "config");
    add_str(b, ci, "path", cfg->path);
    add_str(b, ci, "sha256", cfg->sha256);
    if (ds) {
        cJSON *di = push_obj(b, inputs);
        add_str(b, di, "role", "data");
        add_str(b, di, "path", ds->path);
        add_str(b, di, "sha256", ds->sha256);
        add_num(b, di, "rows", (double)ds->n_rows);
        add_num(b, di, "features", (double)ds->n_features);
    }
    cJSON *lib = add_obj(b, p, "libraries");
    xgbm_version(buf, sizeof buf);
    add_str(b, lib, "xgboost", buf);
    add_str(b, lib, "openblas", openblas_get_config());
    snprintf(buf, sizeof buf, "%d.%d.%d", CJSON_VERSION_MAJOR, CJSON_VERSION_MINOR,
             CJSON_VERSION_PATCH);
    add_str(b, lib, "cjson", buf);
#ifdef __VERSION__
    add_str(b, lib, "compiler", __VERSION__);
#endif
    cJSON *th = add_obj(b, p, "threads");
    add_num(b, th, "openblas", openblas_get_num_threads());
    add_num(b, th, "xgboost_per_model", xp ? xp->nthread : 1);
    add_str(b, p, "command", o->argv0 ? o->argv0 : "privaudit");
    cJSON *resolved = config_to_json(cfg, NULL);
    if (!resolved || !p || !cJSON_AddItemToObject(p, "config", resolved)) {
        cJSON_Delete(resolved);
        b->oom = true;
    }
}

static void add_schema(struct jb *b, cJSON *data, const struct dataset *ds)
{
    const struct schema *s = &ds->schema;
    add_str(b, data, "label", s->label_name);
    cJSON *classes = add_arr(b, data, "classes");
    for (size_t k = 0; k < s->n_classes; k++)
        push_str(b, classes, s->class_names[k]);
    cJSON *cats = add_obj(b, data, "categorical");
    for (size_t j = 0; j < s->n_features; j++) {
        const struct column *c = &s->features[j];
        if (c->type != COLUMN_CATEGORICAL)
            continue;
        cJSON *a = add_arr(b, cats, c->name);
        for (size_t k = 0; k < c->n_categories; k++)
            push_str(b, a, c->categories[k]);
    }
}

static void add_roc(struct jb *b, cJSON *at, const struct roc *roc)
{
    struct roc ds = {0};
    struct error e;
    cJSON *r = add_obj(b, at, "roc");
    if (roc_downsample(roc, ROC_POINTS, &ds, &e) != 0) {
        b->oom = true;
        return;
    }
    cJSON *f = add_arr(b, r, "fpr");
    cJSON *t = add_arr(b, r, "tpr");
    for (size_t i = 0; i < ds.n_points; i++) {
        push_num(b, f, (double)ds.points[i].fp / (double)roc->n_neg);
        push_num(b, t, (double)ds.points[i].tp / (double)roc->n_pos);
    }
    add_num(b, r, "points_full", (double)roc->n_points);
    roc_release(&ds);
}

static void add_cp(struct jb *b, cJSON *bo, const struct cp_bound *cp)
{
    add_num(b, bo, "epsilon_lower_bound", cp->epsilon_lower_bound);
    add_num(b, bo, "confidence", cp->confidence);
    add_num(b, bo, "delta", cp->delta);
    add_num(b, bo, "fpr_upper", cp->fpr_upper);
    add_num(b, bo, "fnr_upper", cp->fnr_upper);
    add_num(b, bo, "fpr", cp->fpr);
    add_num(b, bo, "fnr", cp->fnr);
    add_str(b, bo, "direction",
            cp->direction > 0 ? "tpr-vs-fpr" : cp->direction < 0 ? "tnr-vs-fnr"
                                                                  : "none");
    cJSON *c = add_obj(b, bo, "counts");
    add_num(b, c, "tp", (double)cp->tp);
    add_num(b, c, "fn", (double)cp->fn);
    add_num(b, c, "fp", (double)cp->fp);
    add_num(b, c, "tn", (double)cp->tn);
}

/*
 * The claimed budget of a DP-SGD target, from both accountants: RDP (improved
 * and classic conversions) and PLD.  Returns the tightest (smallest) valid
 * claim epsilon in *eps_claim (+inf when not DP) and the composed PLD in
 * *pld_out (NULL when not DP; pld_free).  Faulty variants claim the budget of
 * the correct algorithm, as a buggy trainer would.
 */
static int add_dp_claims(struct jb *b, cJSON *tg, const struct config *cfg,
                         size_t n_train, bool *is_dp, double *eps_claim,
                         double *delta_claim, struct pld **pld_out, struct error *err)
{
    *pld_out = NULL;
    *is_dp = false;
    *eps_claim = INFINITY;
    *delta_claim = 0;
    if (!linear_is_kind(cfg->target_ops))
        return 0;
    struct linear_dp_spec sp;
    int rc = linear_dp_spec(cfg->target_ops, cfg->target_params, n_train, &sp, err);
    if (rc)
        return rc;
    cJSON *dp = add_obj(b, tg, "dp");
    add_bool(b, dp, "enabled", sp.enabled);
    if (!sp.enabled)
        return 0;
    *is_dp = true;
    add_str(b, dp, "algorithm", "DP-SGD (Abadi et al. 2016), Poisson sampling");
    add_num(b, dp, "sampling_rate", sp.sampling_rate);
    add_num(b, dp, "expected_batch_size", sp.expected_batch_size);
    add_num(b, dp, "noise_multiplier", sp.noise_multiplier);
    add_num(b, dp, "clip_norm", sp.clip_norm);
    add_num(b, dp, "steps", (double)sp.steps);
    add_num(b, dp, "delta", sp.delta);
    add_str(b, dp, "fault", sp.fault_name);
    cJSON *claims = add_arr(b, tg, "claims");
    struct rdp_result rr;
    if ((rc = accountant_rdp_epsilon(sp.sampling_rate, sp.noise_multiplier, sp.steps,
                                     sp.delta, NULL, 0, &rr, err)))
        return rc;
    const struct rdp_conversion *conv[2] = {&rr.improved, &rr.classic};
    const char *names[2] = {"rdp", "rdp-classic"};
    const char *how[2] = {"RDP of the Poisson-subsampled Gaussian (Mironov, Talwar, "
                          "Zhang 2019), improved conversion (Balle et al. 2020)",
                          "RDP of the Poisson-subsampled Gaussian, classic conversion "
                          "(Mironov 2017)"};
    for (int i = 0; i < 2; i++) {
        cJSON *c = push_obj(b, claims);
        add_str(b, c, "accountant", names[i]);
        add_str(b, c, "method", how[i]);
        add_num(b, c, "epsilon", conv[i]->epsilon);
        add_num(b, c, "delta", sp.delta);
        add_num(b, c, "order", conv[i]->order);
        add_bool(b, c, "order_at_edge", conv[i]->order_at_edge != 0);
        if (conv[i]->epsilon < *eps_claim)
            *eps_claim = conv[i]->epsilon;
    }
    /* The composed PLD is kept: the test of the claimed curve reads it too. */
    if ((rc = pld_new(sp.sampling_rate, sp.noise_multiplier, sp.steps,
                      PLD_DEFAULT_DISCRETIZATION, pld_out, err)))
        return rc;
    double pe = pld_epsilon_at(*pld_out, sp.delta);
    cJSON *c = push_obj(b, claims);
    add_str(b, c, "accountant", "pld");
    add_str(b, c, "method", "privacy loss distribution (Koskela et al. 2020), "
                            "pessimistic discretisation, FFT composition");
    add_num(b, c, "epsilon", pe);
    add_num(b, c, "delta", sp.delta);
    add_num(b, c, "discretization", PLD_DEFAULT_DISCRETIZATION);
    if (isfinite(pe) && pe < *eps_claim)
        *eps_claim = pe;
    *delta_claim = sp.delta;
    return 0;
}

/*
 * One membership score per canary (larger = more likely trained on).
 * mislabel/ood: minus the loss of the canary's label (black-box).  dirac on
 * logistic regression: the weight margin of the canary's column for its
 * label, W[c][y] - mean over other classes of W[c][j] (white-box).  dirac on
 * other kinds: phi(canary input) - phi(all-zero input) for the canary label,
 * the logit-confidence gain the canary's column causes.
 */
static int score_canaries(struct model *target, const struct canary_set *cs,
                          const double *cprobs, size_t k, double *out,
                          const char **how, const char **threat, struct error *err)
{
    size_t m = cs->m;
    if (cs->kind != CANARY_DIRAC) {
        for (size_t j = 0; j < m; j++)
            out[j] = -scores_loss(cprobs + j * k, k, (size_t)cs->y[j]);
        *how = "minus the cross-entropy of the canary's label on the final model";
        *threat = "black-box: class probabilities of the final model";
        return 0;
    }
    size_t d_real = cs->d - m;
    if (linear_is_kind(target->ops) && linear_n_layers(target) == 1) {
        const double *w = NULL;
        size_t rows = 0, cols = 0;
        int rc = linear_first_layer(target, &w, &rows, &cols, NULL, err);
        if (rc)
            return rc;
        for (size_t j = 0; j < m; j++) {
            const double *row = w + (d_real + j) * cols;
            size_t y = (size_t)cs->y[j];
            double others = 0;
            for (size_t c = 0; c < cols; c++)
                if (c != y)
                    others += row[c];
            out[j] = row[y] - others / (double)(cols - 1);
        }
        *how = "white-box: weight margin of the canary's column for its label, "
               "W[col][y] - mean of W[col][other classes]";
        *threat = "white-box: the final model's weights; Dirac canaries in extra "
                  "feature columns the auditor adds to the training data";
        return 0;
    }
    float *zero = calloc(cs->d, sizeof *zero);
    double *p0 = malloc(k * sizeof *p0);
    int rc = 0;
    if (!zero || !p0) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto done;
    }
    if ((rc = model_predict(target, zero, 1, cs->d, p0, err)))
        goto done;
    for (size_t j = 0; j < m; j++) {
        size_t y = (size_t)cs->y[j];
        out[j] = scores_logit_confidence(cprobs + j * k, k, y) -
                 scores_logit_confidence(p0, k, y);
    }
    *how = "phi(canary input) - phi(all-zero input) for the canary's label, "
           "phi = log p_y - log(sum of the other p)";
    *threat = "black-box queries of crafted inputs; Dirac canaries in extra feature "
              "columns the auditor adds to the training data";
done:
    free(zero);
    free(p0);
    return rc;
}

/* The columns to trace for cs, and for the statistics that need DP-SGD's
 * parameters: the epoch length of a training set of n_train rows
 * (floor(n / round(q n)), the shuffled trainer's epoch; a nominal epoch under
 * Poisson sampling), or q and sigma. */
static int iter_view_init(struct iter_view *v, const struct config *cfg,
                          const struct canary_set *cs, size_t n_features,
                          size_t n_train, struct error *err)
{
    memset(v, 0, sizeof *v);
    if (cs->kind == CANARY_DIRAC) {
        v->first = n_features - cs->m;
        v->ncols = cs->m;
    } else {
        v->ncols = n_features;
    }
    enum canary_iter_stat st = cfg->canaries.iter_stat;
    if (st == CANARY_ITER_EPOCH_MAX || st == CANARY_ITER_POISSON_LR) {
        struct linear_dp_spec sp;
        int rc = linear_dp_spec(cfg->target_ops, cfg->target_params, n_train, &sp, err);
        if (rc)
            return rc;
        if (!sp.enabled)
            return error_set(err, ERR_INPUT,
                             "%s: canaries.iterates_statistic: '%s' needs a DP-SGD target "
                             "(target.dp), whose sampling rate and noise it uses",
                             cfg->path, canary_iter_stat_names[st]);
        double bs = fmax(1.0, round(sp.expected_batch_size));
        v->window = (size_t)fmax(1.0, floor((double)n_train / bs));
        v->q = sp.sampling_rate;
        v->sigma = sp.noise_multiplier;
    }
    return 0;
}

/* The canaries' transformed inputs on the traced columns, from the trained
 * model m (its input map), and for poisson-lr each canary's jump in noise
 * standard deviations (iterates_snr). */
static int iter_view_weights(struct iter_view *v, const struct model *mdl,
                             const struct canary_set *cs, enum canary_iter_stat st,
                             struct error *err)
{
    bool lr = st == CANARY_ITER_POISSON_LR;
    if (cs->kind == CANARY_DIRAC && !lr)
        return 0;
    double *buf = malloc(cs->m * cs->d * sizeof *buf);
    double *snr = lr ? malloc(cs->m * sizeof *snr) : NULL;
    if (!buf || (lr && !snr)) {
        free(buf);
        free(snr);
        return error_set(err, ERR_NOMEM, "out of memory");
    }
    int rc = linear_transform(mdl, cs->x, cs->m, buf, err);
    if (rc) {
        free(buf);
        free(snr);
        return rc;
    }
    bool icpt = linear_has_intercept(mdl);
    for (size_t j = 0; lr && j < cs->m; j++) {
        const double *xt = buf + j * cs->d;
        snr[j] = iterates_snr(xt, cs->d, cs->kind == CANARY_DIRAC ? NULL : xt,
                              v->first + j, icpt, v->sigma);
    }
    free(v->snr);
    v->snr = snr;
    free(v->xw);
    if (cs->kind == CANARY_DIRAC) {
        free(buf); /* Dirac canaries read their column alone */
        v->xw = NULL;
    } else {
        v->xw = buf; /* cs->d == ncols for the non-dirac kinds */
    }
    return 0;
}

/* The IN-vs-OUT histogram below sorts scores. */
static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* The claimed privacy curve: delta(eps) of the PLD accountant on an NG-point
 * grid up to max(4 eps_claim, 8), as a trade-off function (Dong, Roth, Su
 * 2019, Prop. 2.12).  fc points into ge and gd. */
enum { CLAIM_GRID = 256 };
static int claimed_curve(const struct pld *pld, double eps_claim, double *ge, double *gd,
                         struct fdp_curve *fc, struct error *err)
{
    int rc = fdp_grid_from_pld(pld, fmax(4.0 * eps_claim, 8.0), CLAIM_GRID, ge, gd, err);
    if (rc)
        return rc;
    memset(fc, 0, sizeof *fc);
    fc->kind = FDP_GRID;
    fc->grid_eps = ge;
    fc->grid_delta = gd;
    fc->n_grid = CLAIM_GRID;
    return 0;
}

/* A test of the claimed curve in the bounds array: the fields both kinds
 * share; the caller adds what the test rests on and its assumptions. */
static cJSON *push_curve_test(struct jb *b, cJSON *bounds, const char *method, bool rejected,
                              double confidence, double delta, const struct config *cfg,
                              size_t family, const char *threat)
{
    cJSON *bo = push_obj(b, bounds);
    add_str(b, bo, "method", method);
    add_str(b, bo, "attack", "canary");
    add_str(b, bo, "curve", "delta(epsilon) of the PLD accountant, 256-point grid");
    if (bo && !cJSON_AddNullToObject(bo, "epsilon_lower_bound"))
        b->oom = true;
    add_bool(b, bo, "rejected", rejected);
    add_num(b, bo, "confidence", confidence);
    add_num(b, bo, "delta", delta);
    add_bool(b, bo, "decides", true);
    add_num(b, bo, "simultaneous_confidence", cfg->confidence);
    add_num(b, bo, "family_size", (double)family);
    add_str(b, bo, "threat_model", threat);
    return bo;
}

static const char *iterates_how(const struct canary_set *cs, enum canary_iter_stat stat)
{
    if (stat == CANARY_ITER_POISSON_LR)
        return cs->kind == CANARY_DIRAC
                   ? "white-box, every iterate: log-likelihood ratio of Poisson-sampled "
                     "jumps (rate q, size of a clipped gradient in noise sd) in the "
                     "increments of the canary column's weight margin W[col][y] - mean of "
                     "W[col][other classes], standardised by their median and MAD"
                   : "white-box, every iterate: log-likelihood ratio of Poisson-sampled "
                     "jumps (rate q, size of a clipped gradient in noise sd) in the "
                     "increments of the canary's weight margin sum_c x_c (W[c][y] - mean "
                     "of W[c][other classes]), standardised by their median and MAD";
    if (stat == CANARY_ITER_EPOCH_MAX)
        return cs->kind == CANARY_DIRAC
                   ? "white-box, every iterate: per epoch, the largest increment of the "
                     "canary column's weight margin W[col][y] - mean of W[col][other "
                     "classes], minus the median increment, summed over the epochs"
                   : "white-box, every iterate: per epoch, the largest increment of the "
                     "canary's weight margin sum_c x_c (W[c][y] - mean of W[c][other "
                     "classes]), minus the median increment, summed over the epochs";
    return cs->kind == CANARY_DIRAC
               ? "white-box, every iterate: the variance over steps of the increments of "
                 "the canary column's weight margin W[col][y] - mean of W[col][other "
                 "classes]"
               : "white-box, every iterate: the variance over steps of the increments of "
                 "the canary's weight margin sum_c x_c (W[c][y] - mean of W[c][other "
                 "classes])";
}

static const char *iterates_threat(const struct canary_set *cs)
{
    return cs->kind == CANARY_DIRAC
               ? "white-box: every intermediate model of training (all iterates, which "
                 "DP-SGD's guarantee covers); Dirac canaries in extra feature columns"
               : "white-box: every intermediate model of training (all iterates, which "
                 "DP-SGD's guarantee covers); canaries are training records";
}

static int write_report(const cJSON *rep, const char *dir, char *path_out,
                        size_t cap, struct error *err)
{
    int rc = afile_mkdirs(dir, err);
    if (rc)
        return rc;
    snprintf(path_out, cap, "%s/report.json", dir);
    char *text = cJSON_Print(rep);
    if (!text)
        return error_set(err, ERR_NOMEM, "out of memory printing the report");
    size_t n = strlen(text);
    char *buf = malloc(n + 2);
    if (!buf) {
        free(text);
        return error_set(err, ERR_NOMEM, "out of memory printing the report");
    }
    memcpy(buf, text, n);
    buf[n] = '\n';
    free(text);
    rc = afile_write(path_out, buf, n + 1, err);
    free(buf);
    return rc;
}

/* The end of both kinds of audit: the report built without running out of
 * memory is written to OUT/report.json and handed to res (*rep becomes
 * NULL), with res->verdict pointing into it. */
static int finish_report(const struct jb *b, cJSON **rep, const struct pipeline_opts *opts,
                         struct pipeline_result *res, struct error *err)
{
    if (b->oom)
        return error_set(err, ERR_NOMEM, "out of memory building the report");
    int rc = write_report(*rep, opts->out_dir, res->report_path, sizeof res->report_path, err);
    if (rc)
        return rc;
    res->report = *rep;
    *rep = NULL;
    res->verdict = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(res->report, "verdict"), "status"));
    return 0;
}

/* A progress bar on stderr: jobs done / total, rate, ETA. */
struct progress {
    double t0;
    size_t trained;
};

static void progress_cb(void *ctx, size_t done, size_t total, bool trained)
{
    struct progress *p = ctx;
    if (trained)
        p->trained++;
    double el = now_s() - p->t0;
    double rate = el > 0 ? (double)p->trained / el : 0;
    double eta = rate > 0 ? (double)(total - done) / rate : 0;
    int width = 30, fill = total ? (int)((double)width * (double)done / (double)total) : 0;
    fprintf(stderr, "\r  shadows [%.*s%*s] %zu/%zu  %.2f models/s  ETA %.0fs ", fill,
            "##############################", width - fill, "", done, total, rate, eta);
    if (done == total)
        fputc('\n', stderr);
    fflush(stderr);
}

/*
 * The one-run bound as a function of the number of guesses: for each
 * k+ = k- = k of the default grid, the bound with that pair fixed (each
 * point alone at the bound's confidence; the series is descriptive, the
 * reported bound pays for choosing among them).
 */
static int add_by_guesses(struct jb *b, cJSON *bo, const double *scores,
                          const uint8_t *coin, size_t m, const struct onerun_opts *o,
                          struct error *err)
{
    size_t ng = onerun_default_grid(m, NULL, 0);
    if (ng == 0)
        return 0;
    struct onerun_guess *grid = malloc(ng * sizeof *grid);
    if (!grid)
        return error_set(err, ERR_NOMEM, "out of memory");
    onerun_default_grid(m, grid, ng);
    uint64_t *cum = NULL;
    int rc = onerun_rank(scores, coin, m, &cum, err);
    if (rc) {
        free(grid);
        return rc;
    }
    cJSON *bg = add_obj(b, bo, "by_guesses");
    cJSON *gs = add_arr(b, bg, "guesses");
    cJSON *es = add_arr(b, bg, "epsilon_lower_bound");
    for (size_t i = 0; i < ng && rc == 0; i++) {
        if (grid[i].k_plus + grid[i].k_minus > m)
            continue;
        uint64_t r = grid[i].k_plus + grid[i].k_minus;
        uint64_t v = onerun_correct(cum, m, grid[i].k_plus, grid[i].k_minus);
        struct onerun_bound ob;
        rc = onerun_epsilon(m, r, v, o->delta, o->confidence, &ob, err);
        if (rc == 0) {
            push_num(b, gs, (double)r);
            push_num(b, es, ob.epsilon_lower_bound);
        }
    }
    add_str(b, bg, "note", "k+ = k- = guesses/2 fixed per point; descriptive only");
    free(cum);
    free(grid);
    return rc;
}

/* IN vs OUT histogram of the scores: 40 equal bins between the 0.5% and
 * 99.5% quantiles of the pooled scores (the extremes go to the end bins), so
 * one far outlier does not squash the plot. */
static void add_histogram(struct jb *b, cJSON *at, const double *scores,
                          const uint8_t *member, size_t n)
{
    enum { NB = 40 };
    double *s = malloc(n * sizeof *s);
    if (!s) {
        b->oom = true;
        return;
    }
    memcpy(s, scores, n * sizeof *s);
    qsort(s, n, sizeof *s, cmp_double);
    double lo = s[(size_t)(0.005 * (double)(n - 1))];
    double hi = s[(size_t)(0.995 * (double)(n - 1))];
    free(s);
    if (!(hi > lo) || !isfinite(lo) || !isfinite(hi))
        return; /* all scores (nearly) equal: no histogram */
    double cin[NB] = {0}, cout[NB] = {0};
    for (size_t i = 0; i < n; i++) {
        double t = (scores[i] - lo) / (hi - lo) * NB;
        int k = t < 0 ? 0 : t >= NB ? NB - 1 : (int)t;
        if (member[i])
            cin[k]++;
        else
            cout[k]++;
    }
    cJSON *h = add_obj(b, at, "histogram");
    cJSON *eb = add_arr(b, h, "bins");
    cJSON *ei = add_arr(b, h, "in");
    cJSON *eo = add_arr(b, h, "out");
    for (int k = 0; k <= NB; k++)
        push_num(b, eb, lo + (hi - lo) * k / NB);
    for (int k = 0; k < NB; k++) {
        push_num(b, ei, cin[k]);
        push_num(b, eo, cout[k]);
    }
    add_str(b, h, "range", "0.5% to 99.5% quantiles of all scores; outside values in "
                           "the end bins");
}

/* The largest deciding bound so far. */
struct decision {
    double eps;
    const char *method, *attack;
    bool any;
};

/* What emit_attack needs from pipeline_run. */
struct emit_ctx {
    struct jb *b;
    const struct config *cfg;
    cJSON *attacks, *bounds;
    const uint8_t *member;
    size_t n;
    double delta, conf_dec;
    size_t family;
    bool cp_decides;          /* Clopper-Pearson bounds decide (no canaries) */
    struct decision *best;
    double *t_bounds;
    struct error *err;
};

/*
 * One attack's entry: metrics from the exact ROC of scores[0..n) against
 * member[], and (with the clopper-pearson method) its bound, drawn with the
 * threshold-selection stream `stream`.
 */
static int emit_attack(struct emit_ctx *x, const char *name, const char *variant,
                       const char *threat, const double *scores, uint64_t stream)
{
    struct jb *bj = x->b;
    const struct config *cfg = x->cfg;
    struct error *err = x->err;
    struct roc roc = {0};
    int rc = roc_build(&roc, scores, x->member, x->n, err);
    if (rc)
        return rc;
    cJSON *at = push_obj(bj, x->attacks);
    add_str(bj, at, "name", name);
    add_str(bj, at, "variant", variant);
    add_str(bj, at, "threat_model", threat);
    add_num(bj, at, "n_members", (double)roc.n_pos);
    add_num(bj, at, "n_nonmembers", (double)roc.n_neg);
    add_num(bj, at, "auc", roc_auc(&roc));
    double adv_thr = 0;
    add_num(bj, at, "advantage", roc_advantage(&roc, &adv_thr));
    add_num(bj, at, "advantage_threshold", adv_thr);
    add_num(bj, at, "balanced_accuracy", roc_balanced_accuracy(&roc));
    cJSON *tf = add_arr(bj, at, "tpr_at_fpr");
    for (size_t j = 0; j < N_TPR_FPRS; j++) {
        struct tpr_at_fpr r = roc_tpr_at_fpr(&roc, TPR_FPRS[j]);
        cJSON *o = push_obj(bj, tf);
        add_num(bj, o, "target_fpr", r.target_fpr);
        add_num(bj, o, "fpr", r.fpr);
        add_num(bj, o, "tpr", r.tpr);
        add_num(bj, o, "tp", (double)r.tp);
        add_num(bj, o, "fp", (double)r.fp);
        if (isfinite(r.threshold))
            add_num(bj, o, "threshold", r.threshold);
        else if (o && !cJSON_AddNullToObject(o, "threshold"))
            bj->oom = true;
        add_bool(bj, o, "resolvable", (double)roc.n_neg * TPR_FPRS[j] >= 1.0);
    }
    add_roc(bj, at, &roc);
    roc_release(&roc);
    add_histogram(bj, at, scores, x->member, x->n);
    if (!cfg->methods[BOUND_CP])
        return 0;

    double tb = now_s();
    struct rng rb;
    rng_derive(&rb, cfg->seed, stream);
    struct scores_bound sb;
    bool decides = x->cp_decides;
    double conf = decides ? x->conf_dec : cfg->confidence;
    if ((rc = bounds_from_scores(scores, x->member, x->n, x->delta, conf, cfg->threshold,
                                 cfg->max_thresholds, &rb, &sb, err)))
        return rc;
    *x->t_bounds += now_s() - tb;
    cJSON *bo = push_obj(bj, x->bounds);
    add_str(bj, bo, "method", "clopper-pearson");
    add_str(bj, bo, "attack", name);
    add_cp(bj, bo, &sb.cp);
    add_bool(bj, bo, "decides", decides);
    add_num(bj, bo, "simultaneous_confidence", cfg->confidence);
    add_num(bj, bo, "family_size", decides ? (double)x->family : 1.0);
    cJSON *th = add_obj(bj, bo, "threshold");
    add_str(bj, th, "mode", bounds_threshold_mode_name(sb.mode));
    add_num(bj, th, "value", sb.threshold);
    add_num(bj, th, "candidates", (double)sb.n_thresholds);
    add_num(bj, th, "n_select", (double)sb.n_select);
    add_num(bj, th, "n_eval", (double)sb.n_eval);
    add_str(bj, th, "how",
            sb.mode == THRESHOLD_SPLIT
                ? "chosen on a random half of the members and non-members; "
                  "the counts come from the other half only"
                : "every candidate tried on all examples, each at confidence "
                  "1 - (1 - confidence) / candidates (union bound)");
    add_str(bj, bo, "threat_model", threat);
    add_str(bj, bo, "assumptions",
            "members were chosen uniformly at random from the pool; the "
            "counts are treated as independent trials of one membership "
            "test (Jagielski et al. 2020); from a single training run this "
            "is a heuristic lower bound, not a certificate");
    if (decides && (!x->best->any || sb.cp.epsilon_lower_bound > x->best->eps)) {
        x->best->eps = sb.cp.epsilon_lower_bound;
        x->best->method = "clopper-pearson";
        x->best->attack = name;
        x->best->any = true;
    }
    return 0;
}

/* A new report with the header every report starts with. */
static cJSON *report_new(struct jb *b, const struct config *cfg)
{
    cJSON *rep = cJSON_CreateObject();
    if (!rep) {
        b->oom = true;
        return NULL;
    }
    add_num(b, rep, "schema_version", REPORT_SCHEMA_VERSION);
    cJSON *tool = add_obj(b, rep, "tool");
    add_str(b, tool, "name", "privaudit");
    add_str(b, tool, "version", PRIVAUDIT_VERSION);
    add_str(b, rep, "name", cfg->name);
    return rep;
}

/* Load the config's data file. */
static int load_data(const struct config *cfg, struct dataset *ds, struct error *err)
{
    struct dataset_opts dopt = {0};
    dopt.format = cfg->data_format;
    dopt.label = cfg->label;
    dopt.categorical = (const char *const *)cfg->categorical;
    dopt.n_categorical = cfg->n_categorical;
    return dataset_load(ds, cfg->data_path, &dopt, err);
}

/* Index of the largest of p[0..k) (the first on ties). */
static size_t argmax(const double *p, size_t k)
{
    size_t best = 0;
    for (size_t c = 1; c < k; c++)
        if (p[c] > p[best])
            best = c;
    return best;
}

/* The guesses behind a one-run style bound. */
static void add_guesses(struct jb *b, cJSON *bo, uint64_t m, uint64_t r, uint64_t v,
                        uint64_t kp, uint64_t km, size_t grid, double conf_per_test)
{
    cJSON *g = add_obj(b, bo, "guesses");
    add_num(b, g, "canaries", (double)m);
    add_num(b, g, "guesses", (double)r);
    add_num(b, g, "correct", (double)v);
    add_num(b, g, "k_plus", (double)kp);
    add_num(b, g, "k_minus", (double)km);
    if (grid) {
        add_num(b, g, "grid", (double)grid);
        add_num(b, g, "confidence_per_test", conf_per_test);
        add_str(b, g, "how",
                grid > 1 ? "best (k+, k-) of the grid, each tested at "
                           "confidence_per_test (union bound)"
                         : "fixed in advance by bounds.k_plus/k_minus");
    }
}

/* The claim a verdict tests. */
struct claim {
    bool has;
    double epsilon, delta;
    const char *source;
};

/*
 * The verdict: violated when the largest deciding bound exceeds the claim or
 * the claimed curve was rejected, else consistent (no-claim without a
 * claim).  no_bound says why, when no bound could decide.  Returns the
 * status (a static string).
 */
static const char *add_verdict(struct jb *b, cJSON *rep, const struct config *cfg,
                               const struct claim *cl, const struct decision *best,
                               size_t family, bool curve_rejected, double delta,
                               const char *no_bound)
{
    cJSON *v = add_obj(b, rep, "verdict");
    /* With a claim and no deciding bound nothing contradicts the claim:
     * consistent, and the explanation says why. */
    const char *status = !cl->has ? "no-claim"
                         : (best->any && best->eps > cl->epsilon) || curve_rejected
                             ? "violated"
                             : "consistent";
    if (cl->has) {
        cJSON *c = add_obj(b, v, "claim");
        add_num(b, c, "epsilon", cl->epsilon);
        add_num(b, c, "delta", cl->delta);
        add_str(b, c, "source", cl->source);
    } else if (v && !cJSON_AddNullToObject(v, "claim")) {
        b->oom = true;
    }
    add_str(b, v, "status", status);
    cJSON *dec = add_obj(b, v, "decided_by");
    add_str(b, dec, "method", best->method ? best->method : "none");
    add_str(b, dec, "attack", best->attack ? best->attack : "none");
    add_num(b, dec, "epsilon_lower_bound", best->eps);
    add_num(b, dec, "confidence", cfg->confidence);
    add_num(b, dec, "family_size", (double)family);
    add_str(b, dec, "rule",
            "the largest of the bounds marked decides; each at confidence "
            "1 - (1 - confidence) / family_size, so they hold simultaneously");
    add_bool(b, dec, "curve_rejected", curve_rejected);
    char expl[512];
    if (curve_rejected)
        snprintf(expl, sizeof expl,
                 "the canary audit rejects the claimed privacy curve (PLD accountant, "
                 "epsilon %.4g at delta %g) at confidence %g; largest lower bound %.4g (%s)",
                 cl->epsilon, cl->delta, cfg->confidence, best->eps, best->method);
    else if (!best->any)
        snprintf(expl, sizeof expl, "no bound can decide a verdict: %s", no_bound);
    else if (!cl->has)
        snprintf(expl, sizeof expl,
                 "no claimed epsilon was given; the largest lower bound is %.4g "
                 "(%s, delta %g, confidence %g)", best->eps, best->method, delta,
                 cfg->confidence);
    else
        snprintf(expl, sizeof expl,
                 "largest lower bound %.4g (%s) %s the claimed epsilon %.4g (delta %g, "
                 "confidence %g)", best->eps, best->method,
                 best->eps > cl->epsilon ? "exceeds" : "does not exceed", cl->epsilon,
                 cl->delta, cfg->confidence);
    add_str(b, v, "explanation", expl);
    return status;
}

/*
 * The shadow phase shared by both kinds of audit: run the engine with the
 * given reference model on the pool, put the target's statistic (from probs,
 * the target's class probabilities of the pool rows) in column K with the
 * membership bits, and save the whole matrix as WORK/scores.pamx.
 */
static int shadow_phase(const struct config *cfg, const struct pipeline_opts *opts,
                        const struct model_ops *ops, const void *params,
                        const struct dataset *ds, const size_t *pool, size_t n,
                        const uint8_t *eligible, const double *probs, size_t k,
                        const int32_t *labels, const uint8_t *member,
                        struct score_matrix *smx, struct shadow_stats *st, int *workers,
                        float *aux, size_t aux_top, struct error *err)
{
    size_t K = cfg->shadow_count;
    char wdir[4096];
    if (opts->work_dir)
        snprintf(wdir, sizeof wdir, "%s", opts->work_dir);
    else
        snprintf(wdir, sizeof wdir, "%s/work", opts->out_dir);
    cJSON *pj = cJSON_CreateObject();
    char *ptext = NULL;
    if (!pj || ops->params_to_json(params, pj, err) ||
        !(ptext = cJSON_PrintUnformatted(pj))) {
        cJSON_Delete(pj);
        return err->code ? err->code : error_set(err, ERR_NOMEM, "out of memory");
    }
    cJSON_Delete(pj);
    struct progress prog = {now_s(), 0};
    struct shadow_spec sp = {0};
    sp.ops = ops;
    sp.params = params;
    sp.params_json = ptext;
    sp.ds = ds;
    sp.pool = pool;
    sp.n_pool = n;
    sp.eligible = eligible;
    sp.k = K;
    sp.statistic = (enum shadow_stat)cfg->shadow_statistic;
    sp.seed = cfg->seed;
    sp.work_dir = wdir;
    sp.resume = opts->resume;
    sp.keep_models = opts->keep_models;
    sp.workers = opts->workers > 0 ? opts->workers : 1;
    sp.progress = opts->progress ? progress_cb : NULL;
    sp.progress_ctx = &prog;
    sp.aux = aux;
    sp.aux_top = aux ? aux_top : 0;
    *workers = sp.workers;
    int rc = shadow_run(&sp, 1, smx, st, err);
    cJSON_free(ptext);
    if (rc)
        return rc;
    float *tcol = malloc(n * sizeof *tcol);
    if (!tcol)
        return error_set(err, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        tcol[i] = (float)shadow_statistic(sp.statistic, probs + i * k, k, (size_t)labels[i]);
    if (aux)
        for (size_t i = 0; i < n; i++)
            shadow_top_probs(probs + i * k, k, aux_top, aux + (K * n + i) * aux_top);
    rc = score_matrix_set_column(smx, K, tcol, member, err);
    free(tcol);
    if (rc)
        return rc;
    /* The whole score matrix (shadows and, in the last column, the target)
     * beside the per-job columns: attacks can be rerun from it. */
    char mpath[4200];
    snprintf(mpath, sizeof mpath, "%s/scores.pamx", wdir);
    return score_matrix_save(smx, mpath, err);
}

/*
 * Membership scores of shadow attack a against the target in column K.  For
 * the attacks of attacks/mia.h, *att describes it (for leave-one-out runs)
 * and *is_mia is set; Shokri's classifier has no leave-one-out.
 */
static int shadow_attack(const struct config *cfg, int a, const struct score_matrix *smx,
                         const int32_t *labels, size_t n_classes, const float *aux,
                         size_t aux_top, double *scores, struct mia_attack *att,
                         bool *is_mia, char *variant, size_t vcap, struct error *err)
{
    size_t K = cfg->shadow_count;
    *is_mia = false;
    if (a == SHADOW_SHOKRI) {
        struct rng ra;
        rng_derive(&ra, cfg->seed, SHADOW_STREAM_MASKS + 1);
        snprintf(variant, vcap, "%s", aux ? SHOKRI_VARIANT_TOP : SHOKRI_VARIANT);
        return shokri_scores_top(smx, K, labels, n_classes, aux, aux ? aux_top : 0,
                                 rng_next(&ra), scores, err);
    }
    memset(att, 0, sizeof *att);
    if (a == SHADOW_LIRA_ONLINE || a == SHADOW_LIRA_OFFLINE) {
        att->kind = MIA_LIRA;
        lira_params_default(&att->lira);
        att->lira.mode = a == SHADOW_LIRA_ONLINE ? LIRA_ONLINE : LIRA_OFFLINE;
        bool per_example = cfg->shadow_variance == SHADOW_VAR_PER_EXAMPLE ||
                           (cfg->shadow_variance == SHADOW_VAR_AUTO && K >= 64);
        att->lira.variance = per_example ? LIRA_VAR_PER_EXAMPLE : LIRA_VAR_GLOBAL;
    } else if (a == SHADOW_RMIA) {
        att->kind = MIA_RMIA;
        rmia_params_default(&att->rmia);
        att->rmia.a = cfg->rmia_a;
        att->rmia.gamma = cfg->rmia_gamma;
    } else {
        att->kind = MIA_CALIBRATED;
        calibrated_params_default(&att->calibrated);
    }
    *is_mia = true;
    mia_variant(att, variant, vcap);
    return mia_scores(att, smx, K, NULL, scores, err);
}

static void add_shadow_stats(struct jb *b, cJSON *sj, const struct config *cfg, size_t n,
                             const struct shadow_stats *st, int workers)
{
    add_num(b, sj, "count", (double)cfg->shadow_count);
    add_str(b, sj, "statistic", shadow_stat_names[cfg->shadow_statistic]);
    add_str(b, sj, "matrix", "WORK/scores.pamx: pool x (K + 1) float32, the target in "
                             "the last column");
    add_num(b, sj, "pool", (double)n);
    add_num(b, sj, "trained", (double)st->trained);
    add_num(b, sj, "resumed", (double)st->resumed);
    add_num(b, sj, "workers", (double)workers);
    add_num(b, sj, "train_s", st->train_s);
    add_num(b, sj, "wall_s", st->wall_s);
}

/* ---- targets privaudit does not train (docs/thirdparty.md) ------------- */

/* Read a file of 1-based row numbers (one per line, '#' comments, blank
 * lines ignored) and mark mark[row - 1] = value.  Errors name file:line. */
static int read_rowfile(const char *path, size_t n_rows, int8_t *mark, int8_t value,
                        struct error *err)
{
    char *text = NULL;
    size_t len = 0;
    int rc = afile_read_all(path, &text, &len, err);
    if (rc)
        return rc;
    size_t line = 1;
    char *p = text;
    while (*p && rc == 0) {
        char *eol = strchr(p, '\n');
        if (eol)
            *eol = '\0';
        char *q = p;
        while (*q == ' ' || *q == '\t' || *q == '\r')
            q++;
        if (*q && *q != '#') {
            char *end = NULL;
            errno = 0;
            unsigned long long v = strtoull(q, &end, 10);
            while (end && (*end == ' ' || *end == '\t' || *end == '\r'))
                end++;
            if (q[0] == '-' || q[0] == '+' || end == q || *end || errno || v < 1 ||
                v > n_rows)
                rc = error_set(err, ERR_INPUT,
                               "%s:%zu: expected a row number in 1..%zu, got '%.40s'", path,
                               line, n_rows, q);
            else if (mark[v - 1] != PREDFILE_MEMBER_UNKNOWN)
                rc = error_set(err, ERR_INPUT, "%s:%zu: row %llu is listed %s", path, line,
                               v, mark[v - 1] == value ? "twice" : "as both member and "
                                                                  "non-member");
            else
                mark[v - 1] = value;
        }
        if (!eol)
            break;
        p = eol + 1;
        line++;
    }
    free(text);
    return rc;
}

/* Take the 0/1 column `name` out of ds's features into mark[]. */
static int take_member_column(struct dataset *ds, const char *name, int8_t *mark,
                              struct error *err)
{
    size_t d = ds->n_features, c = d;
    for (size_t j = 0; j < d; j++)
        if (strcmp(ds->schema.features[j].name, name) == 0)
            c = j;
    if (c == d)
        return error_set(err, ERR_INPUT, "%s: data.member_column '%s' is not a feature column",
                         ds->path, name);
    if (ds->schema.features[c].type != COLUMN_NUMERIC)
        return error_set(err, ERR_INPUT, "%s: data.member_column '%s' must hold 0 or 1",
                         ds->path, name);
    for (size_t i = 0; i < ds->n_rows; i++) {
        float v = ds->x[i * d + c];
        if (isnan(v))
            mark[i] = PREDFILE_MEMBER_UNKNOWN;
        else if (v == 0.0f || v == 1.0f)
            mark[i] = (int8_t)v;
        else
            return error_set(err, ERR_INPUT,
                             "%s: row %zu: data.member_column '%s' must be 0, 1 or missing, "
                             "got %g", ds->path, i + 1, name, (double)v);
    }
    for (size_t i = 0; i < ds->n_rows; i++) {
        float *row = ds->x + i * d, *dst = ds->x + i * (d - 1);
        memmove(dst, row, c * sizeof *row);
        memmove(dst + c, row + c + 1, (d - c - 1) * sizeof *row);
    }
    struct column *cols = ds->schema.features;
    free(cols[c].name);
    for (size_t k = 0; k < cols[c].n_categories; k++)
        free(cols[c].categories[k]);
    free(cols[c].categories);
    memmove(cols + c, cols + c + 1, (d - c - 1) * sizeof *cols);
    ds->schema.n_features = d - 1;
    ds->n_features = d - 1;
    return 0;
}

static int run_thirdparty(const struct config *cfg, const struct pipeline_opts *opts,
                          struct pipeline_result *res, struct error *err)
{
    int rc = 0;
    struct jb b = {false};
    struct dataset ds = {0};
    struct predfile pf = {0};
    struct model *model = NULL;
    struct oracle orc = {0};
    int8_t *mark = NULL;
    double *probs = NULL, *scores = NULL, *loss = NULL;
    int32_t *labels = NULL;
    uint8_t *member = NULL;
    size_t *rows = NULL;
    cJSON *rep = NULL;
    const char *const *names = NULL;
    double t0 = now_s();
    size_t n_all = 0, k = 0, d = 0;
    memset(res, 0, sizeof *res);

    /* 1. The target's outputs on every row whose membership is known. */
    if (cfg->thirdparty == TP_PREDICTIONS) {
        if ((rc = predfile_load(&pf, cfg->tp_path, err)))
            goto cleanup;
        n_all = pf.n;
        k = pf.probs ? pf.k : 0;
        if (!(mark = malloc(n_all ? n_all : 1))) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        memcpy(mark, pf.member, n_all);
    } else {
        if ((rc = load_data(cfg, &ds, err)))
            goto cleanup;
        n_all = ds.n_rows;
        if (!(mark = malloc(n_all ? n_all : 1))) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        memset(mark, PREDFILE_MEMBER_UNKNOWN, n_all);
        if (cfg->member_column) {
            if ((rc = take_member_column(&ds, cfg->member_column, mark, err)))
                goto cleanup;
        } else {
            if ((rc = read_rowfile(cfg->members_path, n_all, mark, 1, err)))
                goto cleanup;
            if (cfg->nonmembers_path) {
                if ((rc = read_rowfile(cfg->nonmembers_path, n_all, mark, 0, err)))
                    goto cleanup;
            } else {
                for (size_t i = 0; i < n_all; i++)
                    if (mark[i] == PREDFILE_MEMBER_UNKNOWN)
                        mark[i] = 0;
            }
        }
        d = ds.n_features;
        if (cfg->thirdparty == TP_MODEL_FILE) {
            if ((rc = model_load(&model, &xgbm_ops, cfg->tp_path, err)))
                goto cleanup;
            if (model->n_features != d) {
                rc = error_set(err, ERR_INPUT,
                               "%s has %zu features but the model '%s' expects %zu",
                               cfg->data_path, d, cfg->tp_path, model->n_features);
                goto cleanup;
            }
            if ((rc = xgbm_check_feature_names(model, &ds.schema, cfg->data_path,
                                               cfg->tp_path, err)))
                goto cleanup;
            if (ds.schema.n_classes > model->n_classes) {
                rc = error_set(err, ERR_INPUT,
                               "%s has %zu classes but the model '%s' predicts %zu",
                               cfg->data_path, ds.schema.n_classes, cfg->tp_path,
                               model->n_classes);
                goto cleanup;
            }
            k = model->n_classes;
        } else {
            k = ds.schema.n_classes;
            if (k < 2) {
                rc = error_set(err, ERR_INPUT, "%s: the label column has one class only",
                               cfg->data_path);
                goto cleanup;
            }
        }
    }
    size_t n = 0;
    for (size_t i = 0; i < n_all; i++)
        n += mark[i] != PREDFILE_MEMBER_UNKNOWN;
    rows = malloc((n ? n : 1) * sizeof *rows);
    member = malloc(n ? n : 1);
    labels = malloc((n ? n : 1) * sizeof *labels);
    loss = malloc((n ? n : 1) * sizeof *loss);
    scores = malloc((n ? n : 1) * sizeof *scores);
    if (!rows || !member || !labels || !loss || !scores) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    size_t n_mem = 0;
    for (size_t i = 0, w = 0; i < n_all; i++)
        if (mark[i] != PREDFILE_MEMBER_UNKNOWN) {
            rows[w] = i;
            member[w] = (uint8_t)mark[i];
            n_mem += member[w];
            labels[w] = pf.n ? pf.labels[i] : ds.y[i];
            w++;
        }
    if (n_mem < 2 || n - n_mem < 2) {
        rc = error_set(err, ERR_INPUT,
                       "membership: %zu members and %zu non-members; need at least 2 of "
                       "each", n_mem, n - n_mem);
        goto cleanup;
    }
    if (k) {
        if (!(probs = malloc(n * k * sizeof *probs))) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        if (cfg->thirdparty == TP_PREDICTIONS) {
            for (size_t w = 0; w < n; w++)
                memcpy(probs + w * k, pf.probs + rows[w] * k, k * sizeof *probs);
        } else if (cfg->thirdparty == TP_MODEL_FILE) {
            if ((rc = model_predict_rows(model, &ds, rows, n, probs, err)))
                goto cleanup;
        } else {
            float *x = malloc(n * (d ? d : 1) * sizeof *x);
            const char **nm = malloc((d ? d : 1) * sizeof *nm);
            if (!x || !nm) {
                free(x);
                free(nm);
                rc = error_set(err, ERR_NOMEM, "out of memory");
                goto cleanup;
            }
            for (size_t j = 0; j < d; j++)
                nm[j] = ds.schema.features[j].name;
            names = nm;
            for (size_t w = 0; w < n; w++)
                memcpy(x + w * d, ds.x + rows[w] * d, d * sizeof *x);
            /* The program runs in the config's directory, so relative paths in
             * its argv mean what they say in the config. */
            char cwd[4096];
            snprintf(cwd, sizeof cwd, "%s", cfg->path);
            char *sl = strrchr(cwd, '/');
            if (sl)
                *sl = '\0';
            else
                snprintf(cwd, sizeof cwd, ".");
            struct oracle_opts oo = {(size_t)cfg->tp_batch, cfg->tp_timeout_s, cwd};
            rc = oracle_start(&orc, (const char *const *)cfg->tp_argv, &oo, err);
            if (rc == 0)
                rc = oracle_predict(&orc, x, n, d, names, probs, k, err);
            if (rc == 0)
                rc = oracle_finish(&orc, err);
            free(x);
            if (rc) {
                error_prefix(err, "target.argv '%s': ", cfg->tp_argv[0]);
                goto cleanup;
            }
        }
        for (size_t w = 0; w < n; w++)
            loss[w] = scores_loss(probs + w * k, k, (size_t)labels[w]);
    } else {
        for (size_t w = 0; w < n; w++)
            loss[w] = pf.loss[rows[w]];
    }
    for (int a = 0; a < ATTACK_N; a++)
        if (cfg->attacks[a] && !k && a != ATTACK_LOSS) {
            rc = error_set(err, ERR_INPUT,
                           "%s: attacks: '%s' needs class probabilities; the predictions "
                           "file '%s' has only a loss column", cfg->path,
                           config_attack_names[a], cfg->tp_path);
            goto cleanup;
        }
    double t_pred = now_s();

    /* 2. The report. */
    if (!(rep = report_new(&b, cfg))) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    add_provenance(&b, rep, cfg, cfg->thirdparty == TP_PREDICTIONS ? NULL : &ds, opts, NULL);
    cJSON *inputs = cJSON_GetObjectItemCaseSensitive(
        cJSON_GetObjectItemCaseSensitive(rep, "provenance"), "inputs");
    const char *tkind = cfg->thirdparty == TP_MODEL_FILE   ? "xgboost-file"
                        : cfg->thirdparty == TP_PREDICTIONS ? "predictions"
                                                            : "command";
    if (cfg->thirdparty != TP_COMMAND) {
        char hex[65];
        if (pf.n)
            memcpy(hex, pf.sha256, sizeof hex);
        else if ((rc = sha256_file(cfg->tp_path, hex, err)))
            goto cleanup;
        cJSON *ti = push_obj(&b, inputs);
        add_str(&b, ti, "role", cfg->thirdparty == TP_MODEL_FILE ? "model" : "predictions");
        add_str(&b, ti, "path", cfg->tp_path);
        add_str(&b, ti, "sha256", hex);
    }
    const char *const *mfiles[2] = {(const char *const *)&cfg->members_path,
                                    (const char *const *)&cfg->nonmembers_path};
    for (int f = 0; f < 2; f++) {
        if (!*mfiles[f])
            continue;
        char hex[65];
        if ((rc = sha256_file(*mfiles[f], hex, err)))
            goto cleanup;
        cJSON *mi = push_obj(&b, inputs);
        add_str(&b, mi, "role", f ? "nonmembers" : "members");
        add_str(&b, mi, "path", *mfiles[f]);
        add_str(&b, mi, "sha256", hex);
    }
    cJSON *data = add_obj(&b, rep, "data");
    add_num(&b, data, "rows", (double)n_all);
    add_num(&b, data, "rows_used", (double)n);
    add_num(&b, data, "features", (double)d);
    add_num(&b, data, "members", (double)n_mem);
    add_num(&b, data, "nonmembers", (double)(n - n_mem));
    const char *msrc = cfg->thirdparty == TP_PREDICTIONS ? "the predictions file's member column"
                       : cfg->member_column               ? "data.member_column"
                       : cfg->nonmembers_path             ? "data.members and data.nonmembers files"
                                                          : "data.members file (other rows: non-members)";
    char split[400];
    snprintf(split, sizeof split, "given by %s; %s", msrc,
             cfg->random_membership
                 ? "the user states membership was decided at random (e.g. a random "
                   "train/test split)"
                 : "the user states membership was NOT decided at random: the bounds "
                   "say nothing about differential privacy");
    add_str(&b, data, "split", split);
    if (pf.n == 0)
        add_schema(&b, data, &ds);
    cJSON *tg = add_obj(&b, rep, "target");
    add_str(&b, tg, "kind", tkind);
    cJSON *params = add_obj(&b, tg, "params");
    if (cfg->thirdparty == TP_COMMAND) {
        cJSON *av = add_arr(&b, params, "argv");
        for (size_t i = 0; i < cfg->tp_argc; i++)
            push_str(&b, av, cfg->tp_argv[i]);
        add_num(&b, params, "batch", (double)cfg->tp_batch);
        add_num(&b, params, "timeout_s", cfg->tp_timeout_s);
        add_num(&b, tg, "queries", (double)orc.queries);
        add_num(&b, tg, "batches", (double)orc.batches);
    } else {
        add_str(&b, params, "path", cfg->tp_path);
    }
    add_num(&b, tg, "classes", (double)k);
    add_num(&b, tg, "n_train", (double)n_mem);
    add_num(&b, tg, "n_members", (double)n_mem);
    add_num(&b, tg, "n_test", (double)(n - n_mem));
    if (k) {
        size_t ci = 0, co = 0;
        for (size_t w = 0; w < n; w++) {
            if ((int32_t)argmax(probs + w * k, k) != labels[w])
                continue;
            if (member[w])
                ci++;
            else
                co++;
        }
        add_num(&b, tg, "train_accuracy", (double)ci / (double)n_mem);
        add_num(&b, tg, "test_accuracy", (double)co / (double)(n - n_mem));
    } else if (tg && (!cJSON_AddNullToObject(tg, "train_accuracy") ||
                      !cJSON_AddNullToObject(tg, "test_accuracy"))) {
        b.oom = true;
    }
    add_str(&b, tg, "threat_model",
            cfg->thirdparty == TP_MODEL_FILE
                ? "the model file, used for its class probabilities (black-box)"
            : cfg->thirdparty == TP_COMMAND
                ? "black-box query access: class probabilities from a prediction command"
                : k ? "black-box outputs computed elsewhere (class probabilities)"
                    : "black-box outputs computed elsewhere (the loss of the true label)");
    add_str(&b, tg, "not_run",
            cfg->has_shadows
                ? "LiRA online: it needs reference models trained with the target's "
                  "members, which the auditor cannot train"
                : "attacks that need reference models (offline LiRA, RMIA, calibrated, "
                  "Shokri): add a 'shadows' section with a 'reference' model; LiRA "
                  "online needs the target's members in reference training and never "
                  "runs for a third-party target");

    cJSON *attacks = add_arr(&b, rep, "attacks");
    cJSON *bounds = add_arr(&b, rep, "bounds");
    size_t n_att = 0;
    for (int a = 0; a < ATTACK_N; a++)
        n_att += cfg->attacks[a];
    for (int a = 0; cfg->has_shadows && a < SHADOW_ATTACK_N; a++)
        n_att += cfg->shadow_attacks[a];
    bool decides = cfg->random_membership;
    size_t family = decides && cfg->methods[BOUND_CP] ? n_att : 0;
    double conf_dec = family ? 1.0 - (1.0 - cfg->confidence) / (double)family
                             : cfg->confidence;
    struct decision best = {0.0, NULL, NULL, false};
    double t_bounds_total = 0;
    struct emit_ctx ex = {&b,      cfg,      attacks, bounds, member, n,
                          cfg->delta, conf_dec, family, decides,
                          &best,   &t_bounds_total, err};
    for (int a = 0; a < ATTACK_N; a++) {
        if (!cfg->attacks[a])
            continue;
        for (size_t w = 0; w < n; w++)
            scores[w] = k ? attack_score(a, probs + w * k, k, (size_t)labels[w]) : -loss[w];
        if ((rc = emit_attack(&ex, config_attack_names[a], ATTACK_VARIANT[a],
                              ATTACK_THREAT[a], scores,
                              PIPE_STREAM_BOUNDS * 1000 + (uint64_t)a)))
            goto cleanup;
    }
    /* Offline reference models the auditor trains on the population (the
     * non-members): the target's members are OUT for every one of them. */
    struct score_matrix tsm = {0};
    if (cfg->has_shadows && k && cfg->thirdparty != TP_PREDICTIONS) {
        uint8_t *elig = malloc(n);
        if (!elig) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        for (size_t w = 0; w < n; w++)
            elig[w] = !member[w];
        struct shadow_stats st;
        int workers = 1;
        size_t atop = k < 3 ? k : 3;
        float *aux = cfg->shadow_attacks[SHADOW_SHOKRI]
                         ? malloc((cfg->shadow_count + 1) * n * atop * sizeof *aux)
                         : NULL;
        if (cfg->shadow_attacks[SHADOW_SHOKRI] && !aux) {
            free(elig);
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        rc = shadow_phase(cfg, opts, cfg->ref_ops, cfg->ref_params, &ds, rows, n, elig,
                          probs, k, labels, member, &tsm, &st, &workers, aux, atop, err);
        free(elig);
        if (rc) {
            free(aux);
            score_matrix_release(&tsm);
            goto cleanup;
        }
        cJSON *sj = add_obj(&b, rep, "shadows");
        add_str(&b, sj, "design", "offline reference models trained by the auditor on "
                                  "random halves of the non-members (the population); "
                                  "the target's members are OUT for all of them");
        cJSON *rj = add_obj(&b, sj, "reference");
        add_str(&b, rj, "kind", cfg->ref_ops->kind);
        add_shadow_stats(&b, sj, cfg, n, &st, workers);
        for (int a = 0; a < SHADOW_ATTACK_N && rc == 0; a++) {
            if (!cfg->shadow_attacks[a] || a == SHADOW_LIRA_ONLINE)
                continue;
            char variant[MIA_VARIANT_MAX];
            struct mia_attack att;
            bool is_mia;
            rc = shadow_attack(cfg, a, &tsm, labels, k, aux, atop, scores, &att, &is_mia,
                               variant, sizeof variant, err);
            if (rc == 0)
                rc = emit_attack(&ex, config_shadow_attack_names[a], variant,
                                 "black-box outputs of the target; reference models the "
                                 "auditor trained on population data (offline)",
                                 scores, PIPE_STREAM_BOUNDS * 1000 + 100 + (uint64_t)a);
        }
        free(aux);
        score_matrix_release(&tsm);
        if (rc)
            goto cleanup;
    }

    /* A predictions file's reference columns: the outputs of reference
     * models the auditor (or vendor) trained, with their own membership. */
    if (cfg->has_shadows && cfg->thirdparty == TP_PREDICTIONS) {
        size_t R = cfg->shadow_count ? cfg->shadow_count : pf.n_refs;
        if (pf.n_refs == 0 || R > pf.n_refs) {
            rc = error_set(err, ERR_INPUT,
                           "%s: shadows: the predictions file '%s' has %zu reference "
                           "models (ref<j>_ columns)%s", cfg->path, cfg->tp_path, pf.n_refs,
                           pf.n_refs ? ", fewer than shadows.count" : "");
            goto cleanup;
        }
        struct score_matrix psm = {0};
        float *col = malloc(n * sizeof *col);
        uint8_t *cin = malloc(n);
        if (!col || !cin || (rc = score_matrix_init(&psm, n, R + 1, err)) != 0) {
            free(col);
            free(cin);
            rc = rc ? rc : error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        enum shadow_stat sst = (enum shadow_stat)cfg->shadow_statistic;
        for (size_t j = 0; j <= R && rc == 0; j++) {
            const struct predfile_ref *rf = j < R ? &pf.refs[j] : NULL;
            for (size_t w = 0; w < n; w++) {
                size_t i = rows[w];
                const double *pr = rf ? (rf->probs ? rf->probs + i * pf.k : NULL)
                                      : (probs ? probs + w * k : NULL);
                double ls = rf ? rf->loss[i] : loss[w];
                if (pr)
                    col[w] = (float)shadow_statistic(sst, pr, pf.k, (size_t)labels[w]);
                else /* loss only: phi = log p - log(1 - p), p = e^-loss */
                    col[w] = (float)(-ls - log(-expm1(-fmax(ls, 1e-300))));
                /* an unknown reference membership counts as IN, so no offline
                 * fit uses it as OUT */
                cin[w] = rf ? (uint8_t)(rf->member[i] != 0) : member[w];
            }
            rc = score_matrix_set_column(&psm, j, col, cin, err);
        }
        free(col);
        free(cin);
        if (rc == 0 && !k && sst != SHADOW_STAT_PHI)
            rc = error_set(err, ERR_INPUT, "%s: shadows.statistic '%s' needs class "
                                           "probabilities; the file has only losses",
                           cfg->path, shadow_stat_names[sst]);
        if (rc) {
            score_matrix_release(&psm);
            goto cleanup;
        }
        struct config kcfg = *cfg; /* shadow_attack reads the count from it */
        kcfg.shadow_count = R;
        cJSON *sj = add_obj(&b, rep, "shadows");
        add_num(&b, sj, "count", (double)R);
        add_str(&b, sj, "design", "the predictions file's reference models (ref<j>_ "
                                  "columns) with their own membership columns");
        add_str(&b, sj, "statistic", shadow_stat_names[sst]);
        for (int a = 0; a < SHADOW_ATTACK_N && rc == 0; a++) {
            if (!cfg->shadow_attacks[a] || a == SHADOW_LIRA_ONLINE)
                continue;
            char variant[MIA_VARIANT_MAX];
            struct mia_attack att;
            bool is_mia;
            rc = shadow_attack(&kcfg, a, &psm, labels, pf.k ? pf.k : 2, NULL, 0, scores,
                               &att, &is_mia, variant, sizeof variant, err);
            if (rc == 0)
                rc = emit_attack(&ex, config_shadow_attack_names[a], variant,
                                 "black-box outputs computed elsewhere; reference models "
                                 "from the predictions file (offline)",
                                 scores, PIPE_STREAM_BOUNDS * 1000 + 100 + (uint64_t)a);
        }
        score_matrix_release(&psm);
        if (rc)
            goto cleanup;
    }

    /* The bounds' assumptions: the membership the user supplied. */
    cJSON *bo;
    cJSON_ArrayForEach(bo, bounds)
    {
        cJSON_DeleteItemFromObjectCaseSensitive(bo, "assumptions");
        add_str(&b, bo, "assumptions",
                cfg->random_membership
                    ? "membership as supplied by the user, stated to have been decided at "
                      "random (a random train/test split); the counts are treated as "
                      "independent trials of one membership test (Jagielski et al. 2020); "
                      "from a single training run this is a heuristic lower bound"
                    : "membership was not decided at random (the user says so): this "
                      "measures the attack, not differential privacy; it does not decide "
                      "the verdict");
    }

    /* 3. Verdict against a claim supplied by the vendor. */
    struct claim cl = {cfg->has_claim, cfg->claim_epsilon, cfg->claim_delta, "config"};
    add_verdict(&b, rep, cfg, &cl, &best, family, false, cfg->delta,
                cfg->random_membership ? "no bound method was run"
                                       : "membership was not decided at random");
    cJSON *tm = add_obj(&b, rep, "timings");
    add_num(&b, tm, "predict_s", t_pred - t0);
    add_num(&b, tm, "bounds_s", t_bounds_total);
    add_num(&b, tm, "total_s", now_s() - t0);
    rc = finish_report(&b, &rep, opts, res, err);
cleanup:
    cJSON_Delete(rep);
    oracle_release(&orc);
    model_free(model);
    dataset_release(&ds);
    predfile_release(&pf);
    free((void *)names);
    free(mark);
    free(probs);
    free(scores);
    free(loss);
    free(labels);
    free(member);
    free(rows);
    return rc;
}

int pipeline_run(const struct config *cfg, const struct pipeline_opts *opts,
                 struct pipeline_result *res, struct error *err)
{
    if (cfg->thirdparty != TP_NONE)
        return run_thirdparty(cfg, opts, res, err);
    int rc = 0;
    struct jb b = {false};
    struct dataset ds = {0};
    struct model *target = NULL;
    size_t *perm = NULL, *train_rows = NULL;
    struct canary_set cs = {0};
    struct dataset work = {0};
    struct score_matrix smx = {0};
    float *shadow_aux = NULL;
    struct pld *claim_pld = NULL;
    double *cprobs = NULL, *cscore = NULL, *trace = NULL, *trace_lr = NULL, *iscratch = NULL;
    uint64_t trace_steps = 0;
    struct iter_view iv = {0};
    double *probs = NULL, *scores = NULL;
    uint8_t *member = NULL;
    cJSON *rep = NULL;
    double t0 = now_s(), t_load, t_split, t_train, t_attack, t_bound;
    memset(res, 0, sizeof *res);

    /* 1. Data. */
    if ((rc = load_data(cfg, &ds, err)))
        goto cleanup;
    if (ds.schema.n_classes < 2) {
        rc = error_set(err, ERR_INPUT, "%s: the label column '%s' has one class only",
                       cfg->data_path, ds.schema.label_name);
        goto cleanup;
    }
    t_load = now_s();

    /* 2. Split: a random subset of max_rows rows (if set), then members are the
     * first round(fraction * n) of a random permutation. */
    size_t n_all = ds.n_rows;
    perm = malloc(n_all * sizeof *perm);
    if (!perm) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    struct rng rs;
    rng_derive(&rs, cfg->seed, PIPE_STREAM_SPLIT);
    rng_permutation(&rs, perm, n_all);
    size_t n = cfg->max_rows && cfg->max_rows < n_all ? cfg->max_rows : n_all;
    size_t n_mem = (size_t)llround(cfg->member_fraction * (double)n);
    if (n_mem < 2 || n - n_mem < 2) {
        rc = error_set(err, ERR_INPUT,
                       "split: %zu rows give %zu members and %zu non-members; need at "
                       "least 2 of each", n, n_mem, n - n_mem);
        goto cleanup;
    }
    size_t n_non = n - n_mem;

    /* 2b. Canaries: generated from the non-members (the population), each
     * included by its own fair coin; mislabel sources leave the non-member
     * evaluation set.  Dirac canaries widen every row by m zero columns. */
    const struct dataset *train_ds = &ds;
    size_t n_train = n_mem;
    train_rows = perm;
    if (cfg->has_canaries) {
        size_t m = cfg->canaries.m;
        if (cfg->canaries.kind == CANARY_DIRAC) {
            struct dataset wide;
            if ((rc = canary_widen(&wide, &ds, m, err)))
                goto cleanup;
            wide.path = ds.path;
            ds.path = NULL;
            dataset_release(&ds);
            ds = wide;
        }
        struct rng rg, rcoin;
        rng_derive(&rg, cfg->seed, PIPE_STREAM_CANARIES);
        rng_derive(&rcoin, cfg->seed, PIPE_STREAM_COINS);
        if ((rc = canary_generate(&cs, &cfg->canaries, &ds, perm + n_mem, n_non, &rg,
                                  &rcoin, err))) {
            error_prefix(err, "%s: ", cfg->path);
            goto cleanup;
        }
        if (cs.kind == CANARY_MISLABEL) {
            uint8_t *used = calloc(ds.n_rows, 1);
            if (!used) {
                rc = error_set(err, ERR_NOMEM, "out of memory");
                goto cleanup;
            }
            for (size_t j = 0; j < m; j++)
                used[cs.source[j]] = 1;
            size_t w = n_mem;
            for (size_t i = n_mem; i < n; i++)
                if (!used[perm[i]])
                    perm[w++] = perm[i];
            free(used);
            n = w;
            n_non = n - n_mem;
            if (n_non < 2) {
                rc = error_set(err, ERR_INPUT,
                               "canaries.count: %zu mislabel canaries leave fewer than 2 "
                               "non-members", m);
                goto cleanup;
            }
        }
        if ((rc = canary_append(&work, &ds, &cs, err)))
            goto cleanup;
        train_rows = malloc((n_mem + m) * sizeof *train_rows);
        if (!train_rows) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        memcpy(train_rows, perm, n_mem * sizeof *train_rows);
        for (size_t j = 0; j < m; j++)
            if (cs.coin[j])
                train_rows[n_train++] = ds.n_rows + j;
        train_ds = &work;
    }
    t_split = now_s();

    /* 3. Target. */
    struct rng rt;
    rng_derive(&rt, cfg->seed, PIPE_STREAM_TARGET);
    uint64_t tseed = rng_next(&rt);
    if (cfg->has_canaries && cfg->canaries.iterates) {
        /* Same training, also recording the traced columns' weights before
         * the first step and after every step (the all-iterates threat model). */
        if ((rc = iter_view_init(&iv, cfg, &cs, ds.n_features, n_train, err)))
            goto cleanup;
        rc = linear_train_traced(&target, cfg->target_ops, cfg->target_params, train_ds,
                                 train_rows, n_train, tseed, iv.first, iv.ncols, &trace,
                                 &trace_steps, &trace_lr, err);
        iv.lr = trace_lr;
        if (rc == 0)
            rc = iter_view_weights(&iv, target, &cs, cfg->canaries.iter_stat, err);
        if (rc == 0 &&
            !(iscratch = malloc((trace_steps + 1 + 2 * cs.m) * sizeof *iscratch)))
            rc = error_set(err, ERR_NOMEM, "out of memory");
    } else {
        rc = model_train(&target, cfg->target_ops, cfg->target_params, train_ds,
                         train_rows, n_train, tseed, err);
    }
    if (rc) {
        error_prefix(err, "training the target: ");
        goto cleanup;
    }
    t_train = now_s();

    /* 4. Predictions on members then non-members, in permutation order. */
    size_t k = target->n_classes;
    probs = malloc(n * k * sizeof *probs);
    scores = malloc(n * sizeof *scores);
    member = malloc(n);
    if (!probs || !scores || !member) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = model_predict_rows(target, &ds, perm, n, probs, err)))
        goto cleanup;
    size_t correct_in = 0, correct_out = 0;
    for (size_t i = 0; i < n; i++) {
        member[i] = i < n_mem;
        if ((int32_t)argmax(probs + i * k, k) == ds.y[perm[i]]) {
            if (i < n_mem)
                correct_in++;
            else
                correct_out++;
        }
    }

    if (!(rep = report_new(&b, cfg))) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    bool is_xgb = strcmp(cfg->target_ops->kind, "xgboost") == 0;
    add_provenance(&b, rep, cfg, &ds, opts,
                   is_xgb ? (const struct xgbm_params *)cfg->target_params : NULL);

    cJSON *data = add_obj(&b, rep, "data");
    add_num(&b, data, "rows", (double)n_all);
    add_num(&b, data, "rows_used", (double)n);
    add_num(&b, data, "features", (double)ds.n_features);
    add_num(&b, data, "members", (double)n_mem);
    add_num(&b, data, "nonmembers", (double)n_non);
    add_str(&b, data, "split",
            "uniformly random: a seeded permutation of the rows; the first "
            "round(split.members * rows_used) are members");
    add_schema(&b, data, &ds);

    cJSON *tg = add_obj(&b, rep, "target");
    add_str(&b, tg, "kind", cfg->target_ops->kind);
    cJSON *params = add_obj(&b, tg, "params");
    if (params && cfg->target_ops->params_to_json(cfg->target_params, params, err)) {
        rc = err->code;
        goto cleanup;
    }
    bool is_dp = false;
    double dp_eps = INFINITY, dp_delta = 0;
    if ((rc = add_dp_claims(&b, tg, cfg, n_train, &is_dp, &dp_eps, &dp_delta, &claim_pld,
                            err)))
        goto cleanup;
    /* Bounds are computed at the claim's delta unless the config sets one. */
    double bound_delta = cfg->delta;
    if (is_dp && !cfg->has_claim && !cfg->delta_set)
        bound_delta = dp_delta;
    /* The claim the verdict tests: the config's, else the DP target's
     * tightest accountant.  A bound at a delta below the claim's says nothing
     * about it: refuse before any attack runs. */
    bool has_claim = cfg->has_claim || (is_dp && isfinite(dp_eps));
    double claim_eps = cfg->has_claim ? cfg->claim_epsilon : dp_eps;
    double claim_delta = cfg->has_claim ? cfg->claim_delta : dp_delta;
    if (has_claim && !cfg->has_claim && bound_delta < claim_delta) {
        rc = error_set(err, ERR_INPUT,
                       "%s: bounds.delta %g is below the target's dp.delta %g; set "
                       "bounds.delta >= %g", cfg->path, bound_delta, claim_delta,
                       claim_delta);
        goto cleanup;
    }
    add_num(&b, tg, "n_train", (double)n_train);
    add_num(&b, tg, "n_members", (double)n_mem);
    add_num(&b, tg, "n_test", (double)n_non);
    add_num(&b, tg, "train_accuracy", (double)correct_in / (double)n_mem);
    add_num(&b, tg, "test_accuracy", (double)correct_out / (double)n_non);

    /* 5. Attacks and 6. bounds.  The verdict takes the largest of the
     * "deciding" bounds, so each of those is computed at confidence
     * 1 - (1 - confidence) / family (Bonferroni): together they hold with
     * the configured confidence.  With canaries the one-run bounds decide
     * (they are valid for an (epsilon, delta) claim from one training run);
     * otherwise the Clopper-Pearson bounds of the attacks do. */
    cJSON *attacks = add_arr(&b, rep, "attacks");
    cJSON *bounds = add_arr(&b, rep, "bounds");
    bool curve_test = cfg->has_canaries && cfg->methods[BOUND_ONERUN_FDP] && is_dp &&
                      !cfg->has_claim;
    size_t fam_canary = (size_t)cfg->methods[BOUND_ONERUN] +
                        (size_t)cfg->methods[BOUND_ONERUN_FDP] + (size_t)curve_test +
                        (size_t)(cfg->multirun > 0 && cfg->methods[BOUND_CP]);
    bool canary_decides = cfg->has_canaries && fam_canary > 0;
    size_t n_att = 0;
    for (int a = 0; a < ATTACK_N; a++)
        n_att += cfg->attacks[a];
    for (int a = 0; cfg->has_shadows && a < SHADOW_ATTACK_N; a++)
        n_att += cfg->shadow_attacks[a];
    size_t family = canary_decides ? fam_canary : (cfg->methods[BOUND_CP] ? n_att : 0);
    bool curve_rejected = false;
    double conf_dec = family ? 1.0 - (1.0 - cfg->confidence) / (double)family
                             : cfg->confidence;
    struct decision best = {0.0, NULL, NULL, false};
    double t_bounds_total = 0.0;
    struct emit_ctx ex = {&b,      cfg,      attacks, bounds, member, n,
                          bound_delta, conf_dec, family, !canary_decides,
                          &best,   &t_bounds_total, err};
    for (int a = 0; a < ATTACK_N; a++) {
        if (!cfg->attacks[a])
            continue;
        for (size_t i = 0; i < n; i++) {
            const double *pi = probs + i * k;
            size_t y = (size_t)ds.y[perm[i]];
            scores[i] = attack_score(a, pi, k, y);
        }
        if ((rc = emit_attack(&ex, config_attack_names[a], ATTACK_VARIANT[a],
                              ATTACK_THREAT[a], scores,
                              PIPE_STREAM_BOUNDS * 1000 + (uint64_t)a)))
            goto cleanup;
    }

    /* 6a. Shadow models and the attacks that need them (attacks/shadow.h):
     * K reference models on balanced random halves of the pool (members and
     * non-members), plus the target as column K of the score matrix. */
    if (cfg->has_shadows) {
        size_t K = cfg->shadow_count;
        int32_t *plab = malloc(n * sizeof *plab);
        if (!plab) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        for (size_t i = 0; i < n; i++)
            plab[i] = ds.y[perm[i]];
        struct shadow_stats st;
        int workers = 1;
        size_t atop = k < 3 ? k : 3;
        if (cfg->shadow_attacks[SHADOW_SHOKRI] &&
            !(shadow_aux = malloc((K + 1) * n * atop * sizeof *shadow_aux))) {
            free(plab);
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        rc = shadow_phase(cfg, opts, cfg->target_ops, cfg->target_params, &ds, perm, n, NULL,
                          probs, k, plab, member, &smx, &st, &workers, shadow_aux, atop,
                          err);
        if (rc) {
            free(plab);
            goto cleanup;
        }
        cJSON *sj = add_obj(&b, rep, "shadows");
        add_str(&b, sj, "design", "balanced: every pool example is IN for exactly K/2 "
                                  "shadows (Carlini et al. 2022); masks from (seed, K)");
        add_shadow_stats(&b, sj, cfg, n, &st, workers);
        cJSON *loo = add_arr(&b, sj, "leave_one_out");
        size_t *cols = malloc(K * sizeof *cols);
        if (!cols) {
            free(plab);
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        for (size_t j = 0; j < K; j++)
            cols[j] = j;
        for (int a = 0; a < SHADOW_ATTACK_N; a++) {
            if (!cfg->shadow_attacks[a])
                continue;
            char variant[MIA_VARIANT_MAX];
            struct mia_attack att;
            bool is_mia;
            rc = shadow_attack(cfg, a, &smx, plab, ds.schema.n_classes, shadow_aux, atop,
                               scores, &att, &is_mia, variant, sizeof variant, err);
            const char *threat =
                a == SHADOW_LIRA_ONLINE
                    ? "black-box outputs of the final model; the auditor trains reference "
                      "models on data that includes the audited examples (online)"
                : a == SHADOW_SHOKRI
                    ? "black-box outputs of the final model; an attack classifier trained "
                      "on the shadows' outputs"
                    : "black-box outputs of the final model; reference models where the "
                      "audited example is OUT (offline)";
            if (rc == 0)
                rc = emit_attack(&ex, config_shadow_attack_names[a], variant, threat,
                                 scores, PIPE_STREAM_BOUNDS * 1000 + 100 + (uint64_t)a);
            if (rc) {
                free(cols);
                free(plab);
                goto cleanup;
            }
            if (!is_mia)
                continue;
            /* Leave-one-out over the shadows: each in turn as the target. */
            struct mia_loo lr;
            memset(&lr, 0, sizeof lr);
            if ((rc = mia_loo_run(&att, &smx, cols, K, &lr, err))) {
                free(cols);
                free(plab);
                goto cleanup;
            }
            cJSON *lj = push_obj(&b, loo);
            add_str(&b, lj, "name", config_shadow_attack_names[a]);
            add_str(&b, lj, "variant", lr.variant);
            add_num(&b, lj, "columns", (double)lr.n_columns);
            cJSON *au = add_obj(&b, lj, "auc");
            add_num(&b, au, "mean", lr.auc.mean);
            add_num(&b, au, "ci95_lo", lr.auc.lo);
            add_num(&b, au, "ci95_hi", lr.auc.hi);
            cJSON *tp = add_arr(&b, lj, "tpr_at_fpr");
            for (size_t q = 0; q < MIA_N_FPR; q++) {
                cJSON *o = push_obj(&b, tp);
                add_num(&b, o, "target_fpr", mia_fpr_grid(q));
                add_num(&b, o, "mean", lr.tpr[q].mean);
                add_num(&b, o, "ci95_lo", lr.tpr[q].lo);
                add_num(&b, o, "ci95_hi", lr.tpr[q].hi);
            }
            add_str(&b, lj, "interval", "95% Student-t over the held-out columns "
                                        "(treats them as independent; approximate)");
            mia_loo_release(&lr);
        }
        free(cols);
        free(plab);
    }

    /* 6b. Canaries: score each on the final model, then the one-run bounds. */
    if (cfg->has_canaries) {
        double tb = now_s();
        size_t m = cs.m;
        cprobs = malloc(m * k * sizeof *cprobs);
        cscore = malloc(m * sizeof *cscore);
        if (!cprobs || !cscore) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        if ((rc = model_predict(target, cs.x, m, cs.d, cprobs, err)))
            goto cleanup;
        const char *how_scored, *threat;
        if ((rc = score_canaries(target, &cs, cprobs, k, cscore, &how_scored, &threat,
                                 err)))
            goto cleanup;
        if (trace) {
            iterates_score(trace, trace_steps, &iv, cs.y, m, m, k, cfg->canaries.iter_stat,
                           iscratch, cscore);
            how_scored = iterates_how(&cs, cfg->canaries.iter_stat);
            threat = iterates_threat(&cs);
        }
        cJSON *cj = add_obj(&b, rep, "canaries");
        add_str(&b, cj, "kind", canary_kind_names[cs.kind]);
        add_num(&b, cj, "count", (double)m);
        size_t heads = 0;
        for (size_t j = 0; j < m; j++)
            heads += cs.coin[j];
        add_num(&b, cj, "included", (double)heads);
        add_str(&b, cj, "design", "one fair coin per canary (Steinke, Nasr, Jagielski "
                                  "2023); heads: added to the target's training set");
        add_str(&b, cj, "score", how_scored);
        add_str(&b, cj, "threat_model", threat);
        cJSON *coins = add_arr(&b, cj, "coins");
        cJSON *labels = add_arr(&b, cj, "labels");
        cJSON *sc = add_arr(&b, cj, "scores");
        for (size_t j = 0; j < m; j++) {
            push_num(&b, coins, cs.coin[j]);
            push_num(&b, labels, cs.y[j]);
            push_num(&b, sc, cscore[j]);
        }
        if (cs.kind == CANARY_MISLABEL) {
            cJSON *src = add_arr(&b, cj, "source_rows");
            for (size_t j = 0; j < m; j++)
                push_num(&b, src, (double)cs.source[j]);
        }
        if (cfg->methods[BOUND_ONERUN]) {
            /* At the claim's delta (deciding), and at delta = 0 for reference. */
            double deltas[2] = {bound_delta, 0.0};
            for (int di = 0; di < (bound_delta > 0 ? 2 : 1); di++) {
                struct onerun_opts oo = {0};
                oo.delta = deltas[di];
                oo.confidence = di == 0 ? conf_dec : cfg->confidence;
                oo.k_plus = cfg->k_plus;
                oo.k_minus = cfg->k_minus;
                struct onerun_bound ob;
                if ((rc = onerun_from_scores(cscore, cs.coin, m, &oo, &ob, err)))
                    goto cleanup;
                cJSON *bo = push_obj(&b, bounds);
                add_str(&b, bo, "method", "one-run");
                add_str(&b, bo, "attack", "canary");
                add_num(&b, bo, "epsilon_lower_bound", ob.epsilon_lower_bound);
                add_num(&b, bo, "confidence", oo.confidence);
                add_num(&b, bo, "delta", ob.delta);
                add_bool(&b, bo, "decides", di == 0);
                add_num(&b, bo, "simultaneous_confidence", cfg->confidence);
                add_num(&b, bo, "family_size", di == 0 ? (double)family : 1.0);
                add_guesses(&b, bo, ob.m, ob.r, ob.v, ob.k_plus, ob.k_minus, ob.n_grid,
                            ob.confidence_per_test);
                if (di == 0) {
                    add_num(&b, cj, "guesses", (double)ob.r);
                    if ((rc = add_by_guesses(&b, bo, cscore, cs.coin, m, &oo, err)))
                        goto cleanup;
                }
                add_str(&b, bo, "threat_model", threat);
                add_str(&b, bo, "assumptions",
                        "each canary was included by an independent fair coin and the "
                        "guesses depend only on the trained model; valid for an "
                        "(epsilon, delta) claim (Steinke, Nasr, Jagielski 2023, Thm. 3.1)");
                if (di == 0 && (!best.any || ob.epsilon_lower_bound > best.eps)) {
                    best.eps = ob.epsilon_lower_bound;
                    best.method = "one-run";
                    best.attack = "canary";
                    best.any = true;
                }
            }
        }
        if (cfg->methods[BOUND_ONERUN_FDP] || cfg->methods[BOUND_GDP]) {
            struct onerun_opts oo = {0};
            oo.delta = bound_delta;
            oo.confidence = cfg->methods[BOUND_ONERUN_FDP] ? conf_dec : cfg->confidence;
            oo.k_plus = cfg->k_plus;
            oo.k_minus = cfg->k_minus;
            struct fdp_bound fb;
            if ((rc = fdp_bound_from_scores(cscore, cs.coin, m, &oo, &fb, err)))
                goto cleanup;
            if (cfg->methods[BOUND_ONERUN_FDP]) {
                cJSON *bo = push_obj(&b, bounds);
                add_str(&b, bo, "method", "one-run-fdp");
                add_str(&b, bo, "attack", "canary");
                add_num(&b, bo, "epsilon_lower_bound", fb.epsilon_lower_bound);
                add_num(&b, bo, "confidence", oo.confidence);
                add_num(&b, bo, "delta", fb.delta);
                add_bool(&b, bo, "decides", true);
                add_num(&b, bo, "simultaneous_confidence", cfg->confidence);
                add_num(&b, bo, "family_size", (double)family);
                add_guesses(&b, bo, fb.m, fb.k, fb.c, fb.k_plus, fb.k_minus, fb.n_grid,
                            fb.confidence_per_test);
                add_str(&b, bo, "threat_model", threat);
                add_str(&b, bo, "assumptions",
                        "the f-DP one-run test (Mahloujifar, Melis, Chaudhuri 2024) "
                        "against the (epsilon, delta) curves: the largest epsilon whose "
                        "curve the guesses reject; valid for an (epsilon, delta) claim");
                if (!best.any || fb.epsilon_lower_bound > best.eps) {
                    best.eps = fb.epsilon_lower_bound;
                    best.method = "one-run-fdp";
                    best.attack = "canary";
                    best.any = true;
                }
            }
            if (cfg->methods[BOUND_GDP]) {
                cJSON *bo = push_obj(&b, bounds);
                add_str(&b, bo, "method", "gdp");
                add_str(&b, bo, "attack", "canary");
                add_num(&b, bo, "epsilon_lower_bound",
                        isfinite(fb.gdp_epsilon) ? fb.gdp_epsilon : 0.0);
                add_num(&b, bo, "mu_lower_bound", fb.mu_lower_bound);
                add_num(&b, bo, "confidence", oo.confidence);
                add_num(&b, bo, "delta", fb.delta);
                add_bool(&b, bo, "decides", false);
                add_guesses(&b, bo, fb.m, fb.mu_k_plus + fb.mu_k_minus, fb.mu_c, fb.mu_k_plus,
                            fb.mu_k_minus, 0, 0);
                add_str(&b, bo, "assumption", "gaussian trade-off");
                add_str(&b, bo, "threat_model", threat);
                add_str(&b, bo, "assumptions",
                        "an estimate: the largest mu-GDP the guesses reject, converted "
                        "to epsilon at delta; it assumes the mechanism's trade-off "
                        "curve is Gaussian and never decides the verdict alone");
            }
        }
        if (cfg->multirun) {
            /* Multi-run (Jagielski et al. 2020; Nasr et al. 2023): R models
             * trained on the members plus canary 0, R on the members alone,
             * each with its own seed; the canary's score on each model. */
            size_t R = cfg->multirun, nr = 2 * R;
            double *ms = malloc(nr * sizeof *ms);
            uint8_t *mi = malloc(nr);
            double *mp = malloc(m * k * sizeof *mp);
            double *msc = malloc(m * sizeof *msc);
            size_t *rows = malloc((n_mem + 1) * sizeof *rows);
            if (!ms || !mi || !mp || !msc || !rows) {
                free(ms), free(mi), free(mp), free(msc), free(rows);
                rc = error_set(err, ERR_NOMEM, "out of memory");
                goto cleanup;
            }
            memcpy(rows, perm, n_mem * sizeof *rows);
            rows[n_mem] = ds.n_rows; /* canary 0 in the appended dataset */
            for (size_t r = 0; r < nr && rc == 0; r++) {
                bool with = r < R;
                struct rng rr;
                rng_derive(&rr, cfg->seed, PIPE_STREAM_MULTIRUN * 1000000 + r);
                struct model *mm = NULL;
                size_t nr_train = n_mem + (with ? 1 : 0);
                if (cfg->canaries.iterates) {
                    /* canary 0 from every iterate of this run */
                    double *rtr = NULL, *rlr = NULL, *rsc = NULL;
                    uint64_t rsteps = 0;
                    struct iter_view rv;
                    rc = iter_view_init(&rv, cfg, &cs, ds.n_features, nr_train, err);
                    if (rc == 0)
                        rc = linear_train_traced(&mm, cfg->target_ops, cfg->target_params,
                                                 &work, rows, nr_train, rng_next(&rr),
                                                 rv.first, rv.ncols, &rtr, &rsteps, &rlr, err);
                    rv.lr = rlr;
                    if (rc == 0)
                        rc = iter_view_weights(&rv, mm, &cs, cfg->canaries.iter_stat, err);
                    if (rc == 0 && !(rsc = malloc((rsteps + 1 + 2 * m) * sizeof *rsc)))
                        rc = error_set(err, ERR_NOMEM, "out of memory");
                    if (rc == 0)
                        iterates_score(rtr, rsteps, &rv, cs.y, 1, m, k,
                                       cfg->canaries.iter_stat, rsc, msc);
                    free(rtr);
                    free(rlr);
                    free(rsc);
                    free(rv.xw);
                    free(rv.snr);
                } else {
                    rc = model_train(&mm, cfg->target_ops, cfg->target_params, &work, rows,
                                     nr_train, rng_next(&rr), err);
                    if (rc == 0)
                        rc = model_predict(mm, cs.x, m, cs.d, mp, err);
                    const char *h2, *t2;
                    if (rc == 0)
                        rc = score_canaries(mm, &cs, mp, k, msc, &h2, &t2, err);
                }
                model_free(mm);
                ms[r] = msc[0];
                mi[r] = with;
            }
            free(mp), free(msc), free(rows);
            if (rc) {
                free(ms), free(mi);
                error_prefix(err, "multi-run training: ");
                goto cleanup;
            }
            cJSON *mj = add_obj(&b, rep, "multirun");
            add_num(&b, mj, "runs", (double)R);
            add_str(&b, mj, "design", "R trainings on the members plus canary 0 and R on "
                                      "the members alone, each with its own seed");
            add_num(&b, mj, "canary", 0);
            cJSON *mss = add_arr(&b, mj, "scores");
            cJSON *mis = add_arr(&b, mj, "with_canary");
            for (size_t r = 0; r < nr; r++) {
                push_num(&b, mss, ms[r]);
                push_num(&b, mis, mi[r]);
            }
            struct rng rb;
            if (cfg->methods[BOUND_CP]) {
                rng_derive(&rb, cfg->seed, PIPE_STREAM_BOUNDS * 1000 + 500);
                struct scores_bound sb;
                if ((rc = bounds_from_scores(ms, mi, nr, bound_delta, conf_dec,
                                             cfg->threshold, cfg->max_thresholds, &rb, &sb,
                                             err))) {
                    free(ms), free(mi);
                    goto cleanup;
                }
                cJSON *bo = push_obj(&b, bounds);
                add_str(&b, bo, "method", "clopper-pearson-multirun");
                add_str(&b, bo, "attack", "canary");
                add_cp(&b, bo, &sb.cp);
                add_bool(&b, bo, "decides", true);
                add_num(&b, bo, "simultaneous_confidence", cfg->confidence);
                add_num(&b, bo, "family_size", (double)family);
                cJSON *th = add_obj(&b, bo, "threshold");
                add_str(&b, th, "mode", bounds_threshold_mode_name(sb.mode));
                add_num(&b, th, "value", sb.threshold);
                add_num(&b, th, "candidates", (double)sb.n_thresholds);
                add_num(&b, th, "n_select", (double)sb.n_select);
                add_num(&b, th, "n_eval", (double)sb.n_eval);
                add_str(&b, bo, "threat_model", threat);
                add_str(&b, bo, "assumptions",
                        "independent training runs with and without the canary "
                        "(Jagielski, Ullman, Oprea 2020); valid for an (epsilon, delta) "
                        "claim");
                if (!best.any || sb.cp.epsilon_lower_bound > best.eps) {
                    best.eps = sb.cp.epsilon_lower_bound;
                    best.method = "clopper-pearson-multirun";
                    best.attack = "canary";
                    best.any = true;
                }
                if (is_dp && !cfg->has_claim) {
                    /* The same two rate bounds against the whole claimed
                     * curve (fdp_rejects_rates): no extra confidence spent. */
                    double ge[CLAIM_GRID], gd[CLAIM_GRID];
                    struct fdp_curve fc;
                    if ((rc = claimed_curve(claim_pld, dp_eps, ge, gd, &fc, err))) {
                        free(ms), free(mi);
                        goto cleanup;
                    }
                    bool rej = fdp_rejects_rates(&fc, sb.cp.fpr_upper, sb.cp.fnr_upper);
                    curve_rejected = curve_rejected || rej;
                    cJSON *co = push_curve_test(&b, bounds, "multirun-fdp-curve", rej,
                                                conf_dec, bound_delta, cfg, family, threat);
                    add_num(&b, co, "fpr_upper", sb.cp.fpr_upper);
                    add_num(&b, co, "fnr_upper", sb.cp.fnr_upper);
                    add_num(&b, co, "curve_at_fpr_upper", fdp_tradeoff(&fc, sb.cp.fpr_upper));
                    add_num(&b, co, "curve_at_fnr_upper", fdp_tradeoff(&fc, sb.cp.fnr_upper));
                    add_str(&b, co, "assumptions",
                            "the Clopper-Pearson rate bounds of clopper-pearson-multirun "
                            "(same threshold and runs, same event) against the whole "
                            "claimed trade-off curve: rejected when no mechanism with that "
                            "curve has a test with both rates that low");
                }
            }
            if (cfg->methods[BOUND_GDP]) {
                rng_derive(&rb, cfg->seed, PIPE_STREAM_BOUNDS * 1000 + 501);
                struct gdp_scores_bound gb;
                if ((rc = gdp_bound_from_scores(ms, mi, nr, bound_delta, cfg->confidence,
                                                cfg->threshold, cfg->max_thresholds, &rb,
                                                &gb, err))) {
                    free(ms), free(mi);
                    goto cleanup;
                }
                cJSON *bo = push_obj(&b, bounds);
                add_str(&b, bo, "method", "gdp-multirun");
                add_str(&b, bo, "attack", "canary");
                add_num(&b, bo, "epsilon_lower_bound",
                        isfinite(gb.gdp.epsilon_estimate) ? gb.gdp.epsilon_estimate : 0.0);
                add_num(&b, bo, "mu_lower_bound", gb.gdp.mu_lower_bound);
                add_num(&b, bo, "confidence", cfg->confidence);
                add_num(&b, bo, "delta", bound_delta);
                add_bool(&b, bo, "decides", false);
                cJSON *c = add_obj(&b, bo, "counts");
                add_num(&b, c, "tp", (double)gb.gdp.tp);
                add_num(&b, c, "fn", (double)gb.gdp.fn);
                add_num(&b, c, "fp", (double)gb.gdp.fp);
                add_num(&b, c, "tn", (double)gb.gdp.tn);
                add_str(&b, bo, "assumption", "gaussian trade-off");
                add_str(&b, bo, "threat_model", threat);
                add_str(&b, bo, "assumptions",
                        "Nasr et al. 2023: mu from Clopper-Pearson bounds on FPR and FNR at "
                        "one threshold, as epsilon at delta of mu-GDP; an estimate under a "
                        "Gaussian trade-off assumption that never decides alone");
            }
            free(ms);
            free(mi);
        }
        if (curve_test) {
            /* The claimed curve itself, tested by the canary guesses. */
            double ge[CLAIM_GRID], gd[CLAIM_GRID];
            struct fdp_curve fc;
            if ((rc = claimed_curve(claim_pld, dp_eps, ge, gd, &fc, err)))
                goto cleanup;
            struct onerun_opts oo = {0};
            oo.delta = bound_delta;
            oo.confidence = conf_dec;
            oo.k_plus = cfg->k_plus;
            oo.k_minus = cfg->k_minus;
            double pv = 1.0;
            bool rej = false;
            if ((rc = fdp_test_scores(cscore, cs.coin, m, &oo, &fc, &rej, &pv,
                                      err)))
                goto cleanup;
            curve_rejected = curve_rejected || rej;
            cJSON *bo = push_curve_test(&b, bounds, "one-run-fdp-curve", rej, conf_dec,
                                        bound_delta, cfg, family, threat);
            add_num(&b, bo, "p_value", pv);
            add_str(&b, bo, "assumptions",
                    "tests the whole claimed privacy curve, not one (epsilon, delta) "
                    "point; rejected means the guesses are too good for any mechanism "
                    "with that curve (Mahloujifar, Melis, Chaudhuri 2024)");
        }
        t_bounds_total += now_s() - tb;
    }
    t_attack = now_s();
    t_bound = t_bounds_total;

    /* 7. Verdict. */
    struct claim cl = {has_claim, claim_eps, claim_delta,
                       cfg->has_claim ? "config" : "accountant (tightest of target.claims)"};
    res->verdict = add_verdict(&b, rep, cfg, &cl, &best, family, curve_rejected,
                               bound_delta, "no bound method that can decide a verdict was run");

    double t_end = now_s();
    cJSON *tm = add_obj(&b, rep, "timings");
    add_num(&b, tm, "load_s", t_load - t0);
    add_num(&b, tm, "split_s", t_split - t_load);
    add_num(&b, tm, "train_s", t_train - t_split);
    add_num(&b, tm, "attack_s", t_attack - t_train - t_bound);
    add_num(&b, tm, "bounds_s", t_bound);
    add_num(&b, tm, "total_s", t_end - t0);
    rc = finish_report(&b, &rep, opts, res, err);
cleanup:
    cJSON_Delete(rep);
    model_free(target);
    dataset_release(&ds);
    if (train_rows != perm)
        free(train_rows);
    free(perm);
    canary_release(&cs);
    dataset_release(&work);
    score_matrix_release(&smx);
    free(shadow_aux);
    pld_free(claim_pld);
    free(cprobs);
    free(cscore);
    free(trace);
    free(trace_lr);
    free(iscratch);
    free(iv.xw);
    free(iv.snr);
    free(probs);
    free(scores);
    free(member);
    return rc;
}

static const cJSON *get(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static double num(const cJSON *o, const char *k)
{
    const cJSON *v = get(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

void pipeline_print_summary(const cJSON *report, FILE *fp)
{
    const cJSON *tg = get(report, "target");
    const cJSON *v = get(report, "verdict");
    fprintf(fp, "audit '%s'\n", cJSON_GetStringValue(get(report, "name")));
    fprintf(fp, "  target      %s: train accuracy %.3f, test accuracy %.3f "
                "(%g members, %g non-members)\n",
            cJSON_GetStringValue(get(tg, "kind")), num(tg, "train_accuracy"),
            num(tg, "test_accuracy"), num(tg, "n_members"), num(tg, "n_test"));
    const cJSON *cj = get(report, "canaries");
    if (cj)
        fprintf(fp, "  canaries    %g %s canaries, %g included by their coins; %s\n",
                num(cj, "count"), cJSON_GetStringValue(get(cj, "kind")),
                num(cj, "included"), cJSON_GetStringValue(get(cj, "threat_model")));
    const cJSON *at;
    cJSON_ArrayForEach(at, get(report, "attacks"))
    {
        double tpr1 = NAN;
        const cJSON *t;
        cJSON_ArrayForEach(t, get(at, "tpr_at_fpr"))
        {
            if (fabs(num(t, "target_fpr") - 0.01) < 1e-12)
                tpr1 = num(t, "tpr");
        }
        fprintf(fp, "  attack      %-10s AUC %.4f   TPR@1%%FPR %.4f   advantage %.4f\n",
                cJSON_GetStringValue(get(at, "name")), num(at, "auc"), tpr1,
                num(at, "advantage"));
    }
    const cJSON *bo;
    cJSON_ArrayForEach(bo, get(report, "bounds"))
    {
        const cJSON *th = get(bo, "threshold");
        const cJSON *g = get(bo, "guesses");
        char how[128] = "";
        if (get(bo, "rejected")) {
            char pv[48] = "";
            if (get(bo, "p_value"))
                snprintf(pv, sizeof pv, "p = %.3g, ", num(bo, "p_value"));
            else
                snprintf(pv, sizeof pv, "FNR <= %.3g at FPR <= %.3g, ", num(bo, "fnr_upper"),
                         num(bo, "fpr_upper"));
            fprintf(fp, "  bound       %s on %s: the claimed curve is %s (%sconfidence %g)\n",
                    cJSON_GetStringValue(get(bo, "method")),
                    cJSON_GetStringValue(get(bo, "attack")),
                    cJSON_IsTrue(get(bo, "rejected")) ? "REJECTED" : "not rejected", pv,
                    num(bo, "confidence"));
            continue;
        }
        if (th)
            snprintf(how, sizeof how, ", threshold by %s",
                     cJSON_GetStringValue(get(th, "mode")));
        else if (g)
            snprintf(how, sizeof how, ", %g of %g guesses correct", num(g, "correct"),
                     num(g, "guesses"));
        fprintf(fp, "  bound       %s on %s: epsilon >= %.4f (confidence %g, delta %g%s)%s\n",
                cJSON_GetStringValue(get(bo, "method")),
                cJSON_GetStringValue(get(bo, "attack")), num(bo, "epsilon_lower_bound"),
                num(bo, "confidence"), num(bo, "delta"), how,
                cJSON_IsTrue(get(bo, "decides")) ? "" : " [does not decide]");
    }
    fprintf(fp, "  verdict     %s: %s\n", cJSON_GetStringValue(get(v, "status")),
            cJSON_GetStringValue(get(v, "explanation")));
}

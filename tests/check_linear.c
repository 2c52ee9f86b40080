/*
 * tests/check_linear.c - logreg, mlp and DP-SGD (targets/linear.h).
 *
 * Gradients are checked against central finite differences; the ghost-norm
 * and clipped-sum kernels against per-example gradients materialised
 * explicitly (by hand for logreg: a_i (p_i - e_{y_i})^T; for the MLP as
 * batches of one row, themselves checked by finite differences); the DP-SGD
 * noise against its closed-form scale; Poisson batch sizes against the
 * binomial mean and variance.
 */
#include <cblas.h>
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/dataset.h"
#include "core/jsonx.h"
#include "core/rng.h"
#include "targets/linear.h"
#include "targets/model.h"

#define FD_STEP 1e-5       /* central differences: O(h^2) truncation */
#define FD_TOL 1e-6        /* |analytic - numeric| / max(1, |analytic|) */
#define KERNEL_TOL 1e-10   /* ghost norms vs explicit (pure round-off) */
#define PROB_TOL 1e-12

#ifndef PRIVAUDIT_SOURCE_DIR
#define PRIVAUDIT_SOURCE_DIR "."
#endif

static void setup(void)
{
    openblas_set_num_threads(1);
}

/* Gaussian blobs: class c centred at sep * (unit vector c mod d), plus
 * optional NaNs.  With a large sep the classes are linearly separable. */
static void make_blobs(struct dataset *ds, size_t n, size_t d, size_t k,
                       double sep, double nan_rate, uint64_t seed)
{
    memset(ds, 0, sizeof *ds);
    struct rng r;
    rng_seed(&r, seed);
    ds->n_rows = n;
    ds->n_features = d;
    ds->x = malloc(n * d * sizeof *ds->x);
    ds->y = malloc(n * sizeof *ds->y);
    ds->schema.n_classes = k;
    ds->schema.n_features = d;
    for (size_t i = 0; i < n; i++) {
        size_t c = (size_t)rng_below(&r, k);
        ds->y[i] = (int32_t)c;
        for (size_t j = 0; j < d; j++) {
            double v = rng_normal(&r) + (j == c % d ? sep : 0.0) +
                       (c >= d && j == (c + 1) % d ? sep : 0.0);
            ds->x[i * d + j] = (float)(3.0 * v + 1.0);
            if (rng_uniform(&r) < nan_rate)
                ds->x[i * d + j] = NAN;
        }
    }
}

/* XOR of the signs of the first two features (not linearly separable). */
static void make_xor(struct dataset *ds, size_t n, uint64_t seed)
{
    memset(ds, 0, sizeof *ds);
    struct rng r;
    rng_seed(&r, seed);
    ds->n_rows = n;
    ds->n_features = 2;
    ds->x = malloc(n * 2 * sizeof *ds->x);
    ds->y = malloc(n * sizeof *ds->y);
    ds->schema.n_classes = 2;
    ds->schema.n_features = 2;
    for (size_t i = 0; i < n; i++) {
        double a = 2 * rng_uniform(&r) - 1, b = 2 * rng_uniform(&r) - 1;
        ds->x[2 * i] = (float)a;
        ds->x[2 * i + 1] = (float)b;
        ds->y[i] = (a > 0) != (b > 0);
    }
}

static void free_data(struct dataset *ds)
{
    free(ds->x);
    free(ds->y);
    memset(ds, 0, sizeof *ds);
}

static int parse(const struct model_ops *ops, const char *json, void **out,
                 struct error *e)
{
    cJSON *o = cJSON_Parse(json);
    ck_assert_msg(o != NULL, "bad test JSON: %s", json);
    error_clear(e);
    int rc = ops->parse_params(o, "target", out, e);
    cJSON_Delete(o);
    return rc;
}

static void *params_from(const struct model_ops *ops, const char *json)
{
    void *p = NULL;
    struct error e;
    int rc = parse(ops, json, &p, &e);
    ck_assert_msg(rc == 0, "%s: %s", json, e.msg);
    return p;
}

static struct model *train(const struct model_ops *ops, const char *json,
                           const struct dataset *ds, size_t n, uint64_t seed)
{
    void *p = params_from(ops, json);
    struct model *m = NULL;
    struct error e;
    int rc = model_train(&m, ops, p, ds, NULL, n, seed, &e);
    ck_assert_msg(rc == 0, "%s: %s", json, e.msg);
    ops->free_params(p);
    return m;
}

/* Random weights (so gradients are not those of the trained optimum). */
static void randomise(struct model *m, double scale, uint64_t seed)
{
    size_t np;
    double *w = linear_params(m, &np);
    ck_assert_ptr_nonnull(w);
    struct rng r;
    rng_seed(&r, seed);
    for (size_t j = 0; j < np; j++)
        w[j] = scale * rng_normal(&r);
}

static double norm2(const double *v, size_t n)
{
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i] * v[i];
    return sqrt(s);
}

static const char *const GRAD_MODELS[][2] = {
    {"logreg", "{\"kind\": \"logreg\", \"optimizer\": \"sgd\", \"epochs\": 1}"},
    {"mlp", "{\"kind\": \"mlp\", \"hidden\": 7, \"activation\": \"relu\", "
            "\"epochs\": 1}"},
    {"mlp", "{\"kind\": \"mlp\", \"hidden\": 7, \"activation\": \"tanh\", "
            "\"epochs\": 1}"},
    {"logreg", "{\"kind\": \"logreg\", \"optimizer\": \"sgd\", \"epochs\": 1, "
               "\"preprocess\": \"bound\", \"feature_bound\": 2.5}"},
};

static const struct model_ops *ops_of(const char *kind)
{
    return strcmp(kind, "mlp") == 0 ? &mlp_ops : &logreg_ops;
}

START_TEST(gradients_should_match_finite_differences)
{
    struct dataset ds;
    make_blobs(&ds, 12, 4, 3, 1.0, 0.1, 11);
    for (size_t c = 0; c < sizeof GRAD_MODELS / sizeof GRAD_MODELS[0]; c++) {
        struct model *m = train(ops_of(GRAD_MODELS[c][0]), GRAD_MODELS[c][1],
                                &ds, ds.n_rows, 5);
        randomise(m, 0.7, 100 + c);
        size_t np;
        double *w = linear_params(m, &np);
        double *g = malloc(np * sizeof *g);
        struct error e;
        double f0;
        ck_assert_int_eq(linear_example_grads(m, ds.x, ds.y, ds.n_rows, 0, &f0,
                                              g, NULL, &e), 0);
        for (size_t j = 0; j < np; j++) {
            double keep = w[j], fp, fm;
            w[j] = keep + FD_STEP;
            linear_example_grads(m, ds.x, ds.y, ds.n_rows, 0, &fp, NULL, NULL, &e);
            w[j] = keep - FD_STEP;
            linear_example_grads(m, ds.x, ds.y, ds.n_rows, 0, &fm, NULL, NULL, &e);
            w[j] = keep;
            double num = (fp - fm) / (2 * FD_STEP);
            ck_assert_msg(fabs(num - g[j]) <= FD_TOL * fmax(1.0, fabs(g[j])),
                          "case %zu param %zu: analytic %.10g numeric %.10g", c,
                          j, g[j], num);
        }
        free(g);
        model_free(m);
    }
    free_data(&ds);
}
END_TEST

/* Explicit per-example gradients: batches of one row (the GEMM of a single
 * row is the materialised outer product). */
static double *explicit_grads(struct model *m, const struct dataset *ds,
                              size_t np)
{
    size_t n = ds->n_rows, d = ds->n_features;
    double *g = malloc(n * np * sizeof *g);
    struct error e;
    for (size_t i = 0; i < n; i++)
        ck_assert_int_eq(linear_example_grads(m, ds->x + i * d, ds->y + i, 1, 0,
                                              NULL, g + i * np, NULL, &e), 0);
    return g;
}

START_TEST(ghost_norms_should_equal_explicit_per_example_norms)
{
    struct dataset ds;
    make_blobs(&ds, 300, 5, 3, 1.0, 0.05, 12); /* > one 256-row chunk */
    size_t n = ds.n_rows, d = ds.n_features, k = 3;
    struct error e;
    for (size_t c = 0; c < sizeof GRAD_MODELS / sizeof GRAD_MODELS[0]; c++) {
        struct model *m = train(ops_of(GRAD_MODELS[c][0]), GRAD_MODELS[c][1],
                                &ds, n, 5);
        randomise(m, 0.5, 200 + c);
        size_t np;
        linear_params(m, &np);
        double *norms = malloc(n * sizeof *norms);
        ck_assert_int_eq(linear_example_grads(m, ds.x, ds.y, n, 0, NULL, NULL,
                                              norms, &e), 0);
        double *g = explicit_grads(m, &ds, np);
        for (size_t i = 0; i < n; i++) {
            double want = norm2(g + i * np, np);
            ck_assert_msg(fabs(norms[i] - want) <= KERNEL_TOL * fmax(1, want),
                          "case %zu row %zu: ghost %.15g explicit %.15g", c, i,
                          norms[i], want);
        }
        if (strcmp(GRAD_MODELS[c][0], "logreg") == 0) {
            /* by hand: G_i = a_i (p_i - e_y)^T with a_i = [x_i, 1] */
            double *a = malloc(n * d * sizeof *a);
            double *p = malloc(n * k * sizeof *p);
            ck_assert_int_eq(linear_transform(m, ds.x, n, a, &e), 0);
            ck_assert_int_eq(model_predict(m, ds.x, n, d, p, &e), 0);
            for (size_t i = 0; i < n; i++) {
                double s = 0;
                for (size_t j = 0; j <= d; j++)
                    for (size_t cc = 0; cc < k; cc++) {
                        double aj = j < d ? a[i * d + j] : 1.0;
                        double gj = aj * (p[i * k + cc] - (ds.y[i] == (int)cc));
                        s += gj * gj;
                        /* and the batch-of-one GEMM equals it entrywise */
                        ck_assert(fabs(g[i * np + j * k + cc] - gj) <= KERNEL_TOL);
                    }
                ck_assert(fabs(sqrt(s) - norms[i]) <= KERNEL_TOL * fmax(1, norms[i]));
            }
            free(a);
            free(p);
        }
        free(g);
        free(norms);
        model_free(m);
    }
    free_data(&ds);
}
END_TEST

START_TEST(clipped_sum_should_equal_sum_of_explicitly_clipped_gradients)
{
    struct dataset ds;
    make_blobs(&ds, 300, 5, 3, 1.0, 0.05, 13);
    size_t n = ds.n_rows;
    struct error e;
    for (size_t c = 0; c < sizeof GRAD_MODELS / sizeof GRAD_MODELS[0]; c++) {
        struct model *m = train(ops_of(GRAD_MODELS[c][0]), GRAD_MODELS[c][1],
                                &ds, n, 5);
        randomise(m, 0.5, 300 + c);
        size_t np;
        linear_params(m, &np);
        double *g = explicit_grads(m, &ds, np);
        /* clip at the median norm so about half the rows are clipped */
        double *nr = malloc(n * sizeof *nr);
        for (size_t i = 0; i < n; i++)
            nr[i] = norm2(g + i * np, np);
        double med = 0;
        size_t below = 0;
        for (size_t i = 0; i < n; i++) {
            size_t lt = 0;
            for (size_t j = 0; j < n; j++)
                lt += nr[j] < nr[i];
            if (lt == n / 2)
                med = nr[i];
        }
        ck_assert(med > 0);
        double *want = calloc(np, sizeof *want);
        for (size_t i = 0; i < n; i++) {
            double s = nr[i] > med ? med / nr[i] : 1.0;
            below += nr[i] <= med;
            for (size_t j = 0; j < np; j++)
                want[j] += s * g[i * np + j];
        }
        ck_assert(below > n / 4 && below < 3 * n / 4);
        double *got = malloc(np * sizeof *got);
        ck_assert_int_eq(linear_example_grads(m, ds.x, ds.y, n, med, NULL, got,
                                              NULL, &e), 0);
        for (size_t j = 0; j < np; j++)
            ck_assert_msg(fabs(got[j] - want[j]) <= 1e-9 * fmax(1, fabs(want[j])),
                          "case %zu param %zu: %.15g vs %.15g", c, j, got[j],
                          want[j]);
        free(got);
        free(want);
        free(nr);
        free(g);
        model_free(m);
    }
    free_data(&ds);
}
END_TEST

START_TEST(lbfgs_should_reach_the_l2_logistic_optimum)
{
    struct dataset ds;
    make_blobs(&ds, 400, 6, 3, 0.6, 0.0, 14);  /* overlapping: finite optimum */
    size_t n = ds.n_rows;
    const double l2 = 1e-2;
    struct error e;
    struct model *m = train(&logreg_ops,
                            "{\"optimizer\": \"lbfgs\", \"l2\": 0.01, "
                            "\"tolerance\": 1e-9, \"max_iter\": 500}",
                            &ds, n, 1);
    struct linear_train_stats st;
    ck_assert_int_eq(linear_train_stats(m, &st, &e), 0);
    ck_assert(st.final_grad_norm <= 1e-9);
    /* independently: mean gradient + l2 * weights (biases unpenalised) */
    size_t np;
    const double *w = linear_params(m, &np);
    double *g = malloc(np * sizeof *g);
    ck_assert_int_eq(linear_example_grads(m, ds.x, ds.y, n, 0, NULL, g, NULL, &e), 0);
    size_t nw = 6 * 3;
    for (size_t j = 0; j < np; j++)
        g[j] = g[j] / (double)n + (j < nw ? l2 * w[j] : 0.0);
    ck_assert(norm2(g, np) < 1e-8);
    double f_lbfgs;
    ck_assert_int_eq(linear_objective(m, ds.x, ds.y, n, l2, &f_lbfgs, &e), 0);
    ck_assert_double_eq_tol(f_lbfgs, st.final_loss, 1e-12);

    struct model *s = train(&logreg_ops,
                            "{\"optimizer\": \"sgd\", \"l2\": 0.01, "
                            "\"learning_rate\": 0.5, \"lr_schedule\": \"cosine\", "
                            "\"epochs\": 60, \"batch_size\": 20, \"momentum\": 0.5}",
                            &ds, n, 2);
    double f_sgd;
    ck_assert_int_eq(linear_objective(s, ds.x, ds.y, n, l2, &f_sgd, &e), 0);
    ck_assert_msg(f_sgd >= f_lbfgs - 1e-9, "sgd %.9g below lbfgs %.9g", f_sgd,
                  f_lbfgs);
    ck_assert_msg(f_sgd - f_lbfgs <= 2e-3 * f_lbfgs, "sgd %.9g lbfgs %.9g",
                  f_sgd, f_lbfgs);
    free(g);
    model_free(m);
    model_free(s);
    free_data(&ds);
}
END_TEST

START_TEST(models_should_fit_separable_problems)
{
    static const char *const cases[][2] = {
        {"logreg", "{}"},
        {"logreg", "{\"optimizer\": \"sgd\", \"lr_schedule\": \"step\", "
                   "\"lr_step_epochs\": 5, \"lr_gamma\": 0.5}"},
        {"logreg", "{\"optimizer\": \"sgd\", \"lr_schedule\": \"inverse-sqrt\", "
                   "\"init\": \"random\"}"},
        {"mlp", "{\"hidden\": 16, \"epochs\": 30}"},
        {"mlp", "{\"hidden\": 16, \"activation\": \"tanh\", \"epochs\": 30, "
                "\"momentum\": 0.9, \"learning_rate\": 0.02}"},
    };
    struct dataset ds;
    make_blobs(&ds, 1000, 5, 4, 4.0, 0.02, 15);
    size_t rows[300];
    for (size_t i = 0; i < 300; i++)
        rows[i] = 700 + i;
    struct error e;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct model *m = train(ops_of(cases[c][0]), cases[c][1], &ds, 700, 3);
        double acc;
        ck_assert_int_eq(model_accuracy(m, &ds, rows, 300, &acc, &e), 0);
        ck_assert_msg(acc > 0.95, "%s %s: accuracy %.3f", cases[c][0],
                      cases[c][1], acc);
        model_free(m);
    }
    free_data(&ds);

    make_xor(&ds, 1000, 16);
    struct model *lin = train(&logreg_ops, "{}", &ds, 700, 1);
    struct model *mlp = train(&mlp_ops,
                              "{\"hidden\": 16, \"epochs\": 60, "
                              "\"learning_rate\": 0.3, \"momentum\": 0.5}",
                              &ds, 700, 1);
    double acc_lin, acc_mlp;
    ck_assert_int_eq(model_accuracy(lin, &ds, rows, 300, &acc_lin, &e), 0);
    ck_assert_int_eq(model_accuracy(mlp, &ds, rows, 300, &acc_mlp, &e), 0);
    ck_assert_msg(acc_lin < 0.7, "logreg on xor: %.3f", acc_lin);
    ck_assert_msg(acc_mlp > 0.93, "mlp on xor: %.3f", acc_mlp);
    model_free(lin);
    model_free(mlp);
    free_data(&ds);
}
END_TEST

START_TEST(logreg_should_be_accurate_on_spam)
{
    struct dataset ds;
    struct error e;
    int rc = dataset_load(&ds, PRIVAUDIT_SOURCE_DIR "/fixtures/data/spam.csv",
                          NULL, &e);
    ck_assert_msg(rc == 0, "%s", e.msg);
    ck_assert_uint_eq(ds.schema.n_classes, 2);
    size_t n = ds.n_rows, *perm = malloc(n * sizeof *perm);
    struct rng r;
    rng_seed(&r, 7);
    rng_permutation(&r, perm, n);
    size_t ntr = n * 4 / 5;
    struct model *m = NULL;
    void *p = params_from(&logreg_ops, "{\"l2\": 1e-4}");
    ck_assert_int_eq(model_train(&m, &logreg_ops, p, &ds, perm, ntr, 1, &e), 0);
    double acc;
    ck_assert_int_eq(model_accuracy(m, &ds, perm + ntr, n - ntr, &acc, &e), 0);
    ck_assert_msg(acc > 0.9, "spam test accuracy %.3f", acc);
    logreg_ops.free_params(p);
    model_free(m);
    free(perm);
    dataset_release(&ds);
}
END_TEST

START_TEST(poisson_batches_should_have_binomial_sizes)
{
    enum { N = 1000, REPS = 4000 };
    const double q = 0.05;
    size_t *idx = malloc(N * sizeof *idx);
    unsigned *hits = calloc(N, sizeof *hits);
    struct rng r;
    rng_seed(&r, 99);
    double s = 0, s2 = 0;
    for (int t = 0; t < REPS; t++) {
        size_t c = linear_poisson_sample(&r, N, q, idx);
        for (size_t i = 0; i < c; i++) {
            if (i > 0)
                ck_assert(idx[i] > idx[i - 1]); /* increasing, distinct */
            ck_assert(idx[i] < N);
            hits[idx[i]]++;
        }
        s += (double)c;
        s2 += (double)c * (double)c;
    }
    double mean = s / REPS, var = (s2 - s * s / REPS) / (REPS - 1);
    double mu = N * q, sig2 = N * q * (1 - q);
    /* 5 standard errors: mean SE = sqrt(var / R); variance SE ~ var sqrt(2/R) */
    ck_assert_msg(fabs(mean - mu) < 5 * sqrt(sig2 / REPS), "mean %g", mean);
    ck_assert_msg(fabs(var - sig2) < 5 * sig2 * sqrt(2.0 / REPS), "var %g", var);
    /* each index ~ Binomial(R, q): none beyond 6 sd (p ~ 1e-6 over 1000) */
    double hm = REPS * q, hs = sqrt(REPS * q * (1 - q));
    for (size_t i = 0; i < N; i++)
        ck_assert_msg(fabs(hits[i] - hm) < 6 * hs, "index %zu: %u", i, hits[i]);
    ck_assert_uint_eq(linear_poisson_sample(&r, N, 1.0, idx), N);
    free(idx);
    free(hits);
}
END_TEST

/* DP-SGD config with the given dp body; constant lr, no momentum, no L2. */
static struct model *dp_train(const char *kind, double lr, const char *dp,
                              const struct dataset *ds, uint64_t seed)
{
    char buf[1024];
    snprintf(buf, sizeof buf,
             "{\"kind\": \"%s\", \"learning_rate\": %.17g, \"l2\": 0, "
             "\"dp\": {%s}}", kind, lr, dp);
    return train(ops_of(kind), buf, ds, ds->n_rows, seed);
}

static double param_norm(struct model *m)
{
    size_t np;
    double *w = linear_params(m, &np);
    return norm2(w, np);
}

START_TEST(dpsgd_with_huge_sigma_should_move_weights_like_pure_noise)
{
    /* logreg from zero init: after T steps each coordinate is
     * lr * sum_t (signal_t + N(0, (sigma C)^2)) / (q n), so its sd is
     * lr sigma C sqrt(T) / (q n); the signal (<= lr C T in norm) is
     * negligible at sigma = 1e4. */
    struct dataset ds;
    make_blobs(&ds, 200, 50, 4, 2.0, 0.0, 17);
    const double lr = 1e-3, sigma = 1e4, q = 0.5;
    const int T = 40;
    struct model *m = dp_train("logreg", lr,
                               "\"noise_multiplier\": 1e4, \"clip_norm\": 1, "
                               "\"sampling_rate\": 0.5, \"steps\": 40", &ds, 3);
    size_t np;
    double *w = linear_params(m, &np);
    ck_assert_uint_eq(np, 51 * 4);
    double mean = 0, ss = 0;
    for (size_t j = 0; j < np; j++)
        mean += w[j];
    mean /= (double)np;
    for (size_t j = 0; j < np; j++)
        ss += w[j] * w[j];
    double sd = sqrt(ss / (double)np);
    double want = lr * sigma * 1.0 * sqrt((double)T) / (q * 200);
    /* chi-square with 204 df: relative sd of the estimate ~ 1/sqrt(408) */
    ck_assert_msg(fabs(sd / want - 1) < 0.2, "sd %g want %g", sd, want);
    ck_assert_msg(fabs(mean) < 4 * want / sqrt((double)np), "mean %g", mean);
    model_free(m);
    free_data(&ds);
}
END_TEST

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

START_TEST(dpsgd_noise_should_be_gaussian_with_sd_sigma_times_c)
{
    /* q = 1e-7 with n = 100: the Poisson batch is empty (probability
     * 1 - 1e-5), so one step from zero weights is w = -lr * noise / (q n);
     * lr = q n makes w = -noise, 1010 iid N(0, (sigma C)^2 = 1) values.
     * Kolmogorov-Smirnov: D < 1.95 / sqrt(n) is the 0.1% critical value. */
    struct dataset ds;
    make_blobs(&ds, 100, 100, 10, 1.0, 0.0, 27);
    struct model *m = dp_train("logreg", 1e-5,
                               "\"noise_multiplier\": 2, \"clip_norm\": 0.5, "
                               "\"sampling_rate\": 1e-7, \"steps\": 1", &ds, 8);
    struct linear_train_stats st;
    struct error e;
    ck_assert_int_eq(linear_train_stats(m, &st, &e), 0);
    ck_assert_uint_eq(st.examples, 0);
    size_t np;
    double *w = linear_params(m, &np);
    ck_assert_uint_eq(np, 1010);
    double *v = malloc(np * sizeof *v), mean = 0, var = 0;
    for (size_t j = 0; j < np; j++) {
        v[j] = -w[j];
        mean += v[j];
    }
    mean /= (double)np;
    for (size_t j = 0; j < np; j++)
        var += (v[j] - mean) * (v[j] - mean);
    var /= (double)(np - 1);
    ck_assert_msg(fabs(mean) < 4 / sqrt((double)np), "mean %g", mean);
    ck_assert_msg(fabs(var - 1) < 4 * sqrt(2.0 / (double)np), "var %g", var);
    qsort(v, np, sizeof *v, cmp_double);
    double dmax = 0;
    for (size_t j = 0; j < np; j++) {
        double f = 0.5 * erfc(-v[j] / sqrt(2.0));
        dmax = fmax(dmax, fmax(fabs(f - (double)j / (double)np),
                               fabs((double)(j + 1) / (double)np - f)));
    }
    ck_assert_msg(dmax < 1.95 / sqrt((double)np), "KS D = %g", dmax);
    free(v);
    model_free(m);
    free_data(&ds);
}
END_TEST

START_TEST(dpsgd_updates_should_be_bounded_by_the_clip_norm_unless_no_clip)
{
    /* one full-batch step (q = 1) from zero weights with negligible noise:
     * ||w_1|| = lr ||sum_i clip(g_i)|| / n <= lr C. */
    struct dataset ds;
    make_blobs(&ds, 100, 5, 2, 3.0, 0.0, 18);
    const char *body = "\"noise_multiplier\": 1e-9, \"clip_norm\": 0.01, "
                       "\"sampling_rate\": 1, \"steps\": 1";
    char dp[256];
    struct error e;
    snprintf(dp, sizeof dp, "%s%s", body, "");
    struct model *ok = dp_train("logreg", 1.0, dp, &ds, 1);
    snprintf(dp, sizeof dp, "%s%s", body, ", \"fault\": \"no-clip\"");
    struct model *bad = dp_train("logreg", 1.0, dp, &ds, 1);
    ck_assert(param_norm(ok) <= 0.01 * (1 + 1e-9));
    ck_assert_msg(param_norm(ok) > 0.002, "clipped step %g", param_norm(ok));
    ck_assert_msg(param_norm(bad) > 10 * 0.01, "no-clip moved %g",
                  param_norm(bad));
    struct linear_train_stats s1, s2;
    ck_assert_int_eq(linear_train_stats(ok, &s1, &e), 0);
    ck_assert_int_eq(linear_train_stats(bad, &s2, &e), 0);
    ck_assert(s1.dp && s2.dp);
    ck_assert_uint_eq(s1.clipped, 100);   /* every norm ~ 1 > C */
    ck_assert_uint_eq(s2.clipped, 100);   /* measured, not applied */
    ck_assert(s2.max_grad_norm > 0.5);
    model_free(ok);
    model_free(bad);

    /* the MLP too (init is random, so compare the displacement) */
    snprintf(dp, sizeof dp, "%s%s", body, "");
    struct model *m0 = dp_train("mlp", 0.0 + 1e-300, dp, &ds, 4);
    struct model *m1 = dp_train("mlp", 1.0, dp, &ds, 4);
    snprintf(dp, sizeof dp, "%s%s", body, ", \"fault\": \"no-clip\"");
    struct model *m2 = dp_train("mlp", 1.0, dp, &ds, 4);
    size_t np;
    double *w0 = linear_params(m0, &np), *w1 = linear_params(m1, &np),
           *w2 = linear_params(m2, &np);
    double d1 = 0, d2 = 0;
    for (size_t j = 0; j < np; j++) {
        d1 += (w1[j] - w0[j]) * (w1[j] - w0[j]);
        d2 += (w2[j] - w0[j]) * (w2[j] - w0[j]);
    }
    ck_assert_msg(sqrt(d1) <= 0.01 * (1 + 1e-6), "mlp clipped step %g", sqrt(d1));
    ck_assert_msg(sqrt(d2) > 10 * 0.01, "mlp no-clip step %g", sqrt(d2));
    model_free(m0);
    model_free(m1);
    model_free(m2);
    free_data(&ds);
}
END_TEST

START_TEST(mean_noise_fault_should_shrink_noise_by_the_batch_size)
{
    /* q = 1, one step, n = 200: correct noise sd per coordinate is
     * sigma C / n = 5, mean-noise sigma C / n^2 = 0.025. */
    struct dataset ds;
    make_blobs(&ds, 200, 50, 4, 2.0, 0.0, 19);
    const char *body = "\"noise_multiplier\": 1000, \"clip_norm\": 1, "
                       "\"sampling_rate\": 1, \"steps\": 1";
    char dp[256];
    snprintf(dp, sizeof dp, "%s%s", body, "");
    struct model *ok = dp_train("logreg", 1.0, dp, &ds, 1);
    snprintf(dp, sizeof dp, "%s%s", body, ", \"fault\": \"mean-noise\"");
    struct model *bad = dp_train("logreg", 1.0, dp, &ds, 1);
    double want = 1000.0 / 200 * sqrt(51 * 4);
    ck_assert_msg(fabs(param_norm(ok) / want - 1) < 0.2, "%g vs %g",
                  param_norm(ok), want);
    /* <= signal (lr C = 1) + noise (want / 200) */
    ck_assert_msg(param_norm(bad) < 1 + 2 * want / 200, "%g", param_norm(bad));
    model_free(ok);
    model_free(bad);
    free_data(&ds);
}
END_TEST

START_TEST(reused_noise_fault_should_add_up_linearly)
{
    /* T steps of fresh noise grow like sqrt(T), one reused draw like T. */
    struct dataset ds;
    make_blobs(&ds, 200, 50, 4, 2.0, 0.0, 20);
    const char *body = "\"noise_multiplier\": 1000, \"clip_norm\": 1, "
                       "\"sampling_rate\": 0.5, \"steps\": 64";
    char dp[256];
    snprintf(dp, sizeof dp, "%s%s", body, "");
    struct model *ok = dp_train("logreg", 1e-3, dp, &ds, 1);
    snprintf(dp, sizeof dp, "%s%s", body, ", \"fault\": \"reused-noise\"");
    struct model *bad = dp_train("logreg", 1e-3, dp, &ds, 1);
    double ratio = param_norm(bad) / param_norm(ok);
    ck_assert_msg(fabs(ratio / 8.0 - 1) < 0.3, "ratio %g, want ~sqrt(64)", ratio);
    model_free(ok);
    model_free(bad);
    free_data(&ds);
}
END_TEST

START_TEST(shuffle_fault_should_use_fixed_size_batches)
{
    struct dataset ds;
    make_blobs(&ds, 200, 3, 2, 2.0, 0.0, 21);
    const char *body = "\"noise_multiplier\": 1, \"clip_norm\": 1, "
                       "\"expected_batch_size\": 20, \"epochs\": 5";
    char dp[256];
    struct error e;
    struct linear_train_stats s;
    snprintf(dp, sizeof dp, "%s%s", body, ", \"fault\": \"shuffle\"");
    struct model *bad = dp_train("logreg", 0.1, dp, &ds, 1);
    ck_assert_int_eq(linear_train_stats(bad, &s, &e), 0);
    ck_assert_uint_eq(s.steps, 50);
    ck_assert_uint_eq(s.min_batch, 20);
    ck_assert_uint_eq(s.max_batch, 20);
    snprintf(dp, sizeof dp, "%s%s", body, "");
    struct model *ok = dp_train("logreg", 0.1, dp, &ds, 1);
    ck_assert_int_eq(linear_train_stats(ok, &s, &e), 0);
    ck_assert_uint_eq(s.steps, 50);
    ck_assert(s.min_batch < s.max_batch);
    /* mean batch 20, sd of the mean over 50 steps sqrt(18 / 50) = 0.6 */
    ck_assert(fabs((double)s.examples / 50.0 - 20) < 3);
    model_free(ok);
    model_free(bad);
    free_data(&ds);
}
END_TEST

/* Without an intercept the first layer's constant input is 0: the bias gets
 * no gradient, so a per-example norm is |p - e_y| |x| instead of
 * |p - e_y| sqrt(|x|^2 + 1); the logits at x = 0 are 0 (uniform
 * probabilities) and the model's bias row is 0. */
START_TEST(logreg_without_intercept_should_have_no_bias)
{
    struct dataset ds;
    make_blobs(&ds, 300, 2, 2, 2.0, 0.0, 5);
    static const char *const js[2] = {
        "{\"kind\": \"logreg\", \"preprocess\": \"bound\", \"feature_bound\": 10, "
        "\"intercept\": false}",
        "{\"kind\": \"logreg\", \"preprocess\": \"bound\", \"feature_bound\": 10}"};
    struct model *mm[2];
    for (int i = 0; i < 2; i++)
        mm[i] = train(&logreg_ops, js[i], &ds, ds.n_rows, 3);
    struct error e;
    float zero[2] = {0, 0};
    double p[2];
    ck_assert_int_eq(model_predict(mm[0], zero, 1, 2, p, &e), 0);
    ck_assert_double_eq(p[0], 0.5);
    ck_assert_double_eq(p[1], 0.5);
    ck_assert_int_eq(model_predict(mm[1], zero, 1, 2, p, &e), 0);
    ck_assert(fabs(p[0] - 0.5) > 1e-3); /* the blobs are not centred at 0 */
    const double *w;
    size_t rows, cols;
    ck_assert_int_eq(linear_first_layer(mm[0], &w, &rows, &cols, NULL, &e), 0);
    ck_assert_uint_eq(rows, 3);
    ck_assert_double_eq(w[2 * cols], 0.0);
    ck_assert_double_eq(w[2 * cols + 1], 0.0);
    /* zero weights: p = (1/2, 1/2), |p - e_y| = sqrt(1/2); x = (5, 0) maps to
     * (0.5, 0) under the bound 10 */
    float x[2] = {5, 0};
    int32_t y = 0;
    const double want[2] = {sqrt(0.5) * 0.5, sqrt(0.5) * sqrt(1.25)};
    for (int i = 0; i < 2; i++) {
        size_t np;
        double *wp = linear_params(mm[i], &np);
        memset(wp, 0, np * sizeof *wp);
        double norm;
        ck_assert_int_eq(linear_example_grads(mm[i], x, &y, 1, 0, NULL, NULL, &norm, &e), 0);
        ck_assert_double_eq_tol(norm, want[i], 1e-12);
        model_free(mm[i]);
    }
    free_data(&ds);
}
END_TEST

/* The all-iterates trace: the same training as without it, T + 1 rows, row
 * 0 the initial weights (zeros), the last row the final weights of the
 * traced columns; L-BFGS and mlp are input errors. */
START_TEST(traced_training_should_equal_plain_training)
{
    struct dataset ds;
    make_blobs(&ds, 120, 3, 2, 2.0, 0.0, 8);
    const char *js = "{\"kind\": \"logreg\", \"learning_rate\": 0.5, \"l2\": 0, "
                     "\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                     "\"expected_batch_size\": 12, \"steps\": 25}}";
    void *p = params_from(&logreg_ops, js);
    struct error e;
    struct model *plain = NULL, *traced = NULL;
    double *trace = NULL;
    uint64_t rows = 0;
    ck_assert_int_eq(model_train(&plain, &logreg_ops, p, &ds, NULL, ds.n_rows, 4, &e), 0);
    double *lrs = NULL;
    ck_assert_int_eq(linear_train_traced(&traced, &logreg_ops, p, &ds, NULL, ds.n_rows, 4, 1,
                                         2, &trace, &rows, &lrs, &e),
                     0);
    ck_assert_uint_eq(rows, 26);
    for (size_t t = 0; t < 25; t++)
        ck_assert_double_eq(lrs[t], 0.5); /* constant schedule */
    free(lrs);
    size_t n1, n2;
    double *w1 = linear_params(plain, &n1), *w2 = linear_params(traced, &n2);
    ck_assert_uint_eq(n1, n2);
    for (size_t j = 0; j < n1; j++)
        ck_assert_double_eq(w1[j], w2[j]);
    /* layout: (inputs + 1) x classes, row-major; traced columns 1 and 2 */
    for (size_t c = 0; c < 2 * 2; c++) {
        ck_assert_double_eq(trace[c], 0.0);
        ck_assert_double_eq(trace[25 * 4 + c], w1[1 * 2 + c]);
    }
    free(trace);
    model_free(plain);
    model_free(traced);
    ck_assert_int_eq(linear_train_traced(&traced, &mlp_ops, p, &ds, NULL, ds.n_rows, 4, 0, 1,
                                         &trace, &rows, NULL, &e),
                     ERR_INPUT);
    logreg_ops.free_params(p);
    void *lb = params_from(&logreg_ops, "{\"kind\": \"logreg\"}");
    ck_assert_int_eq(linear_train_traced(&traced, &logreg_ops, lb, &ds, NULL, ds.n_rows, 4, 0,
                                         1, &trace, &rows, NULL, &e),
                     ERR_INPUT);
    logreg_ops.free_params(lb);
    /* a cosine schedule: lr_t = lr (1 + cos(pi t / T)) / 2 */
    void *pc = params_from(&logreg_ops,
                           "{\"kind\": \"logreg\", \"learning_rate\": 0.5, \"l2\": 0, "
                           "\"lr_schedule\": \"cosine\", \"dp\": {\"noise_multiplier\": 1, "
                           "\"clip_norm\": 1, \"expected_batch_size\": 12, \"steps\": 25}}");
    ck_assert_int_eq(linear_train_traced(&traced, &logreg_ops, pc, &ds, NULL, ds.n_rows, 4, 0,
                                         1, &trace, &rows, &lrs, &e),
                     0);
    for (size_t t = 0; t < 25; t++)
        ck_assert_double_eq_tol(lrs[t], 0.25 * (1 + cos(acos(-1.0) * (double)t / 25.0)), 1e-15);
    free(lrs);
    free(trace);
    model_free(traced);
    logreg_ops.free_params(pc);
    free_data(&ds);
}
END_TEST

START_TEST(dp_spec_should_resolve_rate_steps_and_fault)
{
    struct error e;
    struct linear_dp_spec sp;
    void *p = params_from(&mlp_ops,
                          "{\"dp\": {\"noise_multiplier\": 1.1, \"clip_norm\": 2, "
                          "\"expected_batch_size\": 50, \"epochs\": 3, "
                          "\"delta\": 1e-6, \"fault\": \"shuffle\"}}");
    ck_assert_int_eq(linear_dp_spec(&mlp_ops, p, 1000, &sp, &e), 0);
    ck_assert(sp.enabled);
    ck_assert_double_eq_tol(sp.sampling_rate, 0.05, 1e-15);
    ck_assert_double_eq_tol(sp.expected_batch_size, 50, 1e-12);
    ck_assert_uint_eq(sp.steps, 60);
    ck_assert_double_eq(sp.noise_multiplier, 1.1);
    ck_assert_double_eq(sp.clip_norm, 2);
    ck_assert_double_eq(sp.delta, 1e-6);
    ck_assert_int_eq(sp.fault, LINEAR_FAULT_SHUFFLE);
    ck_assert_str_eq(sp.fault_name, "shuffle");
    ck_assert_int_eq(linear_dp_spec(&mlp_ops, p, 40, &sp, &e), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.msg, "expected_batch_size"));
    mlp_ops.free_params(p);

    p = params_from(&logreg_ops,
                    "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                    "\"sampling_rate\": 0.01, \"epochs\": 1}}");
    ck_assert_int_eq(linear_dp_spec(&logreg_ops, p, 123, &sp, &e), 0);
    ck_assert_uint_eq(sp.steps, 100);       /* 1 / 0.01, not 101 */
    ck_assert_double_eq(sp.delta, 1e-5);    /* the default */
    ck_assert_str_eq(sp.fault_name, "none");
    logreg_ops.free_params(p);

    p = params_from(&logreg_ops, "{}");
    ck_assert_int_eq(linear_dp_spec(&logreg_ops, p, 123, &sp, &e), 0);
    ck_assert(!sp.enabled);
    logreg_ops.free_params(p);
}
END_TEST

static char *tmp_path(const char *name)
{
    static char buf[256];
    snprintf(buf, sizeof buf, "/tmp/check_linear_%ld_%s", (long)getpid(), name);
    return buf;
}

START_TEST(saved_models_should_predict_identically_after_load)
{
    static const char *const cases[][2] = {
        {"logreg", "{}"},
        {"logreg", "{\"preprocess\": \"bound\", \"feature_bound\": "
                   "[3, 4, 5, 6]}"},
        {"mlp", "{\"hidden\": 5, \"activation\": \"tanh\", \"epochs\": 2}"},
        {"mlp", "{\"hidden\": 5, \"dp\": {\"noise_multiplier\": 1, "
                "\"clip_norm\": 1, \"sampling_rate\": 0.1, \"steps\": 30}}"},
    };
    struct dataset ds;
    make_blobs(&ds, 200, 4, 3, 2.0, 0.1, 22);
    struct error e;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct model_ops *ops = ops_of(cases[c][0]);
        struct model *m = train(ops, cases[c][1], &ds, 150, 4);
        char *path = tmp_path("model.json");
        ck_assert_int_eq(model_save(m, path, &e), 0);
        struct model *l = NULL;
        int rc = model_load(&l, ops, path, &e);
        ck_assert_msg(rc == 0, "%s", e.msg);
        ck_assert_uint_eq(l->n_classes, 3);
        ck_assert_uint_eq(l->n_features, 4);
        double p1[200 * 3], p2[200 * 3];
        ck_assert_int_eq(model_predict(m, ds.x, 200, 4, p1, &e), 0);
        ck_assert_int_eq(model_predict(l, ds.x, 200, 4, p2, &e), 0);
        for (size_t i = 0; i < 200 * 3; i++)
            ck_assert_msg(p1[i] == p2[i], "case %zu prob %zu: %.17g vs %.17g",
                          c, i, p1[i], p2[i]);
        for (size_t i = 0; i < 200; i++)
            ck_assert_double_eq_tol(p1[3 * i] + p1[3 * i + 1] + p1[3 * i + 2],
                                    1.0, PROB_TOL);
        /* the wrong kind is refused */
        const struct model_ops *other = ops == &mlp_ops ? &logreg_ops : &mlp_ops;
        struct model *x = NULL;
        ck_assert_int_eq(model_load(&x, other, path, &e), ERR_INPUT);
        ck_assert_ptr_nonnull(strstr(e.msg, "kind"));
        unlink(path);
        model_free(m);
        model_free(l);
    }
    free_data(&ds);
}
END_TEST

/* Text replacement: the first occurrence of `from` in s by `to`. */
static char *replace(const char *s, const char *from, const char *to)
{
    const char *at = strstr(s, from);
    ck_assert_msg(at != NULL, "'%s' not in the saved model", from);
    size_t n = strlen(s) + strlen(to) + 1;
    char *out = malloc(n);
    size_t pre = (size_t)(at - s);
    memcpy(out, s, pre);
    strcpy(out + pre, to);
    strcat(out, at + strlen(from));
    return out;
}

START_TEST(corrupted_model_files_should_be_input_errors)
{
    struct dataset ds;
    make_blobs(&ds, 100, 3, 2, 2.0, 0.0, 23);
    struct error e;
    struct model *m = train(&mlp_ops, "{\"hidden\": 2, \"epochs\": 1}", &ds, 100, 1);
    char *path = tmp_path("good.json");
    ck_assert_int_eq(model_save(m, path, &e), 0);
    FILE *f = fopen(path, "rb");
    char good[65536];
    size_t len = fread(good, 1, sizeof good - 1, f);
    good[len] = '\0';
    fclose(f);
    unlink(path);
    model_free(m);

    static const char *const cases[][3] = {
        /* from, to, the field the message must name */
        {"\"format\":\"privaudit-linear\"", "\"format\":\"other\"", "format"},
        {"\"version\":1", "\"version\":2", "version"},
        {"\"classes\":2", "\"classes\":3", "layers[1].outputs"},
        {"\"features\":3", "\"features\":4", "layers[0].inputs"},
        {"\"outputs\":2", "\"outputs\":60000", "layers[0].weights[0]"},
        {"\"activation\":\"relu\"", "\"activation\":\"elu\"", "activation"},
        {"\"dp\":false", "\"dp\":0", "dp"},
        {"\"weights\":[[", "\"weights\":[[\"x\",", "layers[0].weights[0]"},
        {"\"bias\":[", "\"bias\":[1,", "layers[0].bias"},
        {"\"bias\":[", "\"bias\":[null,", "layers[0].bias[0]"},
        {"\"std\":[", "\"std\":[0,", "input.std"},
        {"\"std\":[", "\"sd\":[", "input.sd"},
        {"\"transform\":\"standardise\"", "\"transform\":\"log\"",
         "input.transform"},
        {"\"layers\":[", "\"layers\":[{},", "layers"},
        {"\"inputs\":2", "\"inputs\":3", "layers[1].inputs"},
        {"{\"format\"", "{\"extra\":1,\"format\"", "extra"},
        {"\"kind\":\"mlp\"", "\"kind\":\"logreg\"", "kind"},
    };
    char *bad = tmp_path("bad.json");
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        char *text = replace(good, cases[c][0], cases[c][1]);
        f = fopen(bad, "wb");
        fputs(text, f);
        fclose(f);
        free(text);
        struct model *l = NULL;
        int rc = model_load(&l, &mlp_ops, bad, &e);
        ck_assert_msg(rc == ERR_INPUT, "case %zu: rc %d (%s)", c, rc, e.msg);
        ck_assert_ptr_null(l);
        ck_assert_msg(strstr(e.msg, bad) && strstr(e.msg, cases[c][2]),
                      "case %zu: '%s' lacks the file or '%s'", c, e.msg,
                      cases[c][2]);
    }
    /* every truncation of the file */
    for (size_t cut = 0; cut + 1 < len; cut += 1 + cut / 7) {
        f = fopen(bad, "wb");
        fwrite(good, 1, cut, f);
        fclose(f);
        struct model *l = NULL;
        int rc = model_load(&l, &mlp_ops, bad, &e);
        ck_assert_msg(rc == ERR_INPUT, "cut %zu: rc %d (%s)", cut, rc, e.msg);
        ck_assert_msg(strstr(e.msg, bad) != NULL, "cut %zu: %s", cut, e.msg);
    }
    unlink(bad);
    struct model *l = NULL;
    ck_assert_int_eq(model_load(&l, &mlp_ops, "/nonexistent/m.json", &e), ERR_IO);
    free_data(&ds);
}
END_TEST

START_TEST(parse_errors_should_name_key_paths)
{
    static const char *const cases[][3] = {
        {"logreg", "{\"learning_rat\": 0.1}", "target.learning_rat"},
        {"logreg", "{\"optimizer\": \"adam\"}", "target.optimizer"},
        {"logreg", "{\"optimizer\": \"lbfgs\", \"learning_rate\": 0.1}",
         "target.learning_rate"},
        {"logreg", "{\"optimizer\": \"sgd\", \"max_iter\": 10}", "target.max_iter"},
        {"logreg", "{\"l2\": -1}", "target.l2"},
        {"logreg", "{\"hidden\": 3}", "target.hidden"},
        {"logreg", "{\"intercept\": 0}", "target.intercept"},
        {"mlp", "{\"intercept\": false}", "target.intercept"},
        {"logreg", "{\"optimizer\": \"sgd\", \"lr_gamma\": 0.5}", "target.lr_gamma"},
        {"logreg", "{\"feature_bound\": 2}", "target.feature_bound"},
        {"logreg", "{\"preprocess\": \"bound\", \"feature_bound\": [1, -2]}",
         "target.feature_bound[1]"},
        {"mlp", "{\"hidden\": 0}", "target.hidden"},
        {"mlp", "{\"activation\": \"sigmoid\"}", "target.activation"},
        {"mlp", "{\"optimizer\": \"lbfgs\"}", "target.optimizer"},
        {"mlp", "{\"momentum\": 1}", "target.momentum"},
        {"mlp", "{\"epochs\": 0}", "target.epochs"},
        {"mlp", "{\"dp\": 3}", "target.dp"},
        {"mlp", "{\"dp\": {\"clip_norm\": 1, \"sampling_rate\": 0.1, "
                "\"steps\": 1}}", "target.dp.noise_multiplier"},
        {"mlp", "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                "\"sampling_rate\": 1.5, \"steps\": 1}}",
         "target.dp.sampling_rate"},
        {"mlp", "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 0, "
                "\"sampling_rate\": 0.5, \"steps\": 1}}", "target.dp.clip_norm"},
        {"mlp", "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                "\"sampling_rate\": 0.5, \"expected_batch_size\": 5, "
                "\"steps\": 1}}", "target.dp"},
        {"mlp", "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                "\"sampling_rate\": 0.5}}", "target.dp"},
        {"mlp", "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                "\"sampling_rate\": 0.5, \"steps\": 0}}", "target.dp.steps"},
        {"mlp", "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                "\"sampling_rate\": 0.5, \"steps\": 1, \"delta\": 1}}",
         "target.dp.delta"},
        {"mlp", "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                "\"sampling_rate\": 0.5, \"steps\": 1, \"fault\": \"x\"}}",
         "target.dp.fault"},
        {"mlp", "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                "\"sampling_rate\": 0.5, \"steps\": 1, \"sigma\": 1}}",
         "target.dp.sigma"},
        {"mlp", "{\"batch_size\": 8, \"dp\": {\"noise_multiplier\": 1, "
                "\"clip_norm\": 1, \"sampling_rate\": 0.5, \"steps\": 1}}",
         "target.batch_size"},
        {"logreg", "{\"optimizer\": \"lbfgs\", \"dp\": {\"noise_multiplier\": 1, "
                   "\"clip_norm\": 1, \"sampling_rate\": 0.5, \"steps\": 1}}",
         "target.optimizer"},
        {"logreg", "{\"preprocess\": \"standardise\", \"dp\": {"
                   "\"noise_multiplier\": 1, \"clip_norm\": 1, "
                   "\"sampling_rate\": 0.5, \"steps\": 1}}", "target.preprocess"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        void *p = NULL;
        struct error e;
        int rc = parse(ops_of(cases[c][0]), cases[c][1], &p, &e);
        ck_assert_msg(rc == ERR_INPUT, "case %zu (%s): rc %d", c, cases[c][1], rc);
        ck_assert_ptr_null(p);
        ck_assert_msg(strncmp(e.msg, cases[c][2], strlen(cases[c][2])) == 0 &&
                          e.msg[strlen(cases[c][2])] == ':',
                      "case %zu: '%s' does not start with '%s:'", c, e.msg,
                      cases[c][2]);
    }
    /* "kind" is the caller's and allowed */
    void *p = params_from(&mlp_ops, "{\"kind\": \"mlp\"}");
    mlp_ops.free_params(p);
}
END_TEST

START_TEST(resolved_params_should_parse_back_to_themselves)
{
    static const char *const cases[][2] = {
        {"logreg", "{}"},
        {"logreg", "{\"optimizer\": \"sgd\", \"lr_schedule\": \"step\"}"},
        {"logreg", "{\"intercept\": false}"},
        {"mlp", "{\"preprocess\": \"bound\", \"feature_bound\": [1, 2]}"},
        {"mlp", "{\"dp\": {\"noise_multiplier\": 1, \"clip_norm\": 1, "
                "\"expected_batch_size\": 5, \"epochs\": 2, "
                "\"fault\": \"mean-noise\"}}"},
    };
    struct error e;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        const struct model_ops *ops = ops_of(cases[c][0]);
        void *p = params_from(ops, cases[c][1]);
        cJSON *j1 = cJSON_CreateObject();
        ck_assert_int_eq(ops->params_to_json(p, j1, &e), 0);
        void *q = NULL;
        ck_assert_int_eq(ops->parse_params(j1, "target", &q, &e), 0);
        cJSON *j2 = cJSON_CreateObject();
        ck_assert_int_eq(ops->params_to_json(q, j2, &e), 0);
        char *s1 = cJSON_PrintUnformatted(j1), *s2 = cJSON_PrintUnformatted(j2);
        ck_assert_str_eq(s1, s2);
        if (c == 0)
            ck_assert_ptr_nonnull(strstr(s1, "\"optimizer\":\"lbfgs\""));
        cJSON_free(s1);
        cJSON_free(s2);
        cJSON_Delete(j1);
        cJSON_Delete(j2);
        ops->free_params(p);
        ops->free_params(q);
    }
}
END_TEST

START_TEST(divergence_should_be_a_numeric_error)
{
    static const char *const cases[][2] = {
        {"logreg", "{\"optimizer\": \"sgd\", \"learning_rate\": 1000, \"l2\": 1, "
                   "\"batch_size\": 10}"},
        {"mlp", "{\"learning_rate\": 1e6, \"l2\": 1, \"batch_size\": 10}"},
        {"logreg", "{\"learning_rate\": 1000, \"l2\": 1, \"dp\": {"
                   "\"noise_multiplier\": 1, \"clip_norm\": 1, "
                   "\"sampling_rate\": 0.1, \"steps\": 2000}}"},
    };
    struct dataset ds;
    make_blobs(&ds, 100, 3, 2, 1.0, 0.0, 24);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        void *p = params_from(ops_of(cases[c][0]), cases[c][1]);
        struct model *m = NULL;
        struct error e;
        int rc = model_train(&m, ops_of(cases[c][0]), p, &ds, NULL, 100, 1, &e);
        ck_assert_msg(rc == ERR_NUMERIC, "case %zu: rc %d", c, rc);
        ck_assert_ptr_null(m);
        ck_assert_msg(strstr(e.msg, "training diverged at epoch ") &&
                          strstr(e.msg, "lower learning_rate"),
                      "case %zu: %s", c, e.msg);
        ops_of(cases[c][0])->free_params(p);
    }
    free_data(&ds);
}
END_TEST

START_TEST(white_box_access_should_expose_the_weights_and_inputs)
{
    struct dataset ds;
    make_blobs(&ds, 200, 4, 3, 2.0, 0.1, 25);
    struct error e;
    struct model *m = train(&logreg_ops, "{}", &ds, 200, 1);
    const double *w;
    size_t rows, cols;
    enum linear_input in;
    ck_assert_int_eq(linear_first_layer(m, &w, &rows, &cols, &in, &e), 0);
    ck_assert_uint_eq(rows, 5);
    ck_assert_uint_eq(cols, 3);
    ck_assert_int_eq(in, LINEAR_INPUT_STANDARDISED);
    ck_assert_uint_eq(linear_n_layers(m), 1);
    /* softmax([a, 1] W) reproduces the predictions */
    double a[4], p[3];
    ck_assert_int_eq(linear_transform(m, ds.x, 1, a, &e), 0);
    ck_assert_int_eq(model_predict(m, ds.x, 1, 4, p, &e), 0);
    double z[3], mx = -INFINITY, s = 0;
    for (size_t c = 0; c < 3; c++) {
        z[c] = w[4 * 3 + c];
        for (size_t j = 0; j < 4; j++)
            z[c] += a[j] * w[j * 3 + c];
        mx = fmax(mx, z[c]);
    }
    for (size_t c = 0; c < 3; c++)
        s += exp(z[c] - mx);
    for (size_t c = 0; c < 3; c++)
        ck_assert_double_eq_tol(exp(z[c] - mx) / s, p[c], 1e-12);
    model_free(m);

    /* DP models see clamp(x, -B, B) / B, no statistics of the data */
    m = train(&mlp_ops,
              "{\"hidden\": 6, \"feature_bound\": 2, \"dp\": {"
              "\"noise_multiplier\": 1, \"clip_norm\": 1, "
              "\"sampling_rate\": 0.1, \"steps\": 5}}", &ds, 200, 1);
    ck_assert_int_eq(linear_first_layer(m, &w, &rows, &cols, &in, &e), 0);
    ck_assert_uint_eq(rows, 5);
    ck_assert_uint_eq(cols, 6);
    ck_assert_int_eq(in, LINEAR_INPUT_BOUNDED);
    ck_assert_uint_eq(linear_n_layers(m), 2);
    ck_assert_int_eq(linear_layer(m, 1, &w, &rows, &cols, &e), 0);
    ck_assert_uint_eq(rows, 7);
    ck_assert_uint_eq(cols, 3);
    float x[4] = {5.0f, -0.5f, NAN, -3.0f};
    ck_assert_int_eq(linear_transform(m, x, 1, a, &e), 0);
    ck_assert_double_eq(a[0], 1.0);
    ck_assert_double_eq(a[1], -0.25);
    ck_assert_double_eq(a[2], 0.0);
    ck_assert_double_eq(a[3], -1.0);
    struct model fake = {.ops = &logreg_ops, .impl = NULL};
    ck_assert_int_eq(linear_first_layer(&fake, &w, &rows, &cols, NULL, &e),
                     ERR_INPUT);
    model_free(m);
    free_data(&ds);
}
END_TEST

START_TEST(training_should_be_deterministic_in_the_seed)
{
    struct dataset ds;
    make_blobs(&ds, 200, 4, 3, 2.0, 0.1, 26);
    const char *cfg = "{\"hidden\": 6, \"dp\": {\"noise_multiplier\": 1, "
                      "\"clip_norm\": 1, \"sampling_rate\": 0.1, \"steps\": 20}}";
    struct model *a = train(&mlp_ops, cfg, &ds, 200, 5);
    struct model *b = train(&mlp_ops, cfg, &ds, 200, 5);
    struct model *c = train(&mlp_ops, cfg, &ds, 200, 6);
    size_t np;
    double *wa = linear_params(a, &np), *wb = linear_params(b, &np),
           *wc = linear_params(c, &np);
    ck_assert(memcmp(wa, wb, np * sizeof *wa) == 0);
    ck_assert(memcmp(wa, wc, np * sizeof *wa) != 0);
    model_free(a);
    model_free(b);
    model_free(c);
    free_data(&ds);
}
END_TEST

Suite *linear_suite(void)
{
    Suite *s = suite_create("linear");
    TCase *tc = tcase_create("linear");
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, gradients_should_match_finite_differences);
    tcase_add_test(tc, ghost_norms_should_equal_explicit_per_example_norms);
    tcase_add_test(tc, clipped_sum_should_equal_sum_of_explicitly_clipped_gradients);
    tcase_add_test(tc, lbfgs_should_reach_the_l2_logistic_optimum);
    tcase_add_test(tc, models_should_fit_separable_problems);
    tcase_add_test(tc, logreg_should_be_accurate_on_spam);
    tcase_add_test(tc, poisson_batches_should_have_binomial_sizes);
    tcase_add_test(tc, dpsgd_with_huge_sigma_should_move_weights_like_pure_noise);
    tcase_add_test(tc, dpsgd_noise_should_be_gaussian_with_sd_sigma_times_c);
    tcase_add_test(tc, dpsgd_updates_should_be_bounded_by_the_clip_norm_unless_no_clip);
    tcase_add_test(tc, mean_noise_fault_should_shrink_noise_by_the_batch_size);
    tcase_add_test(tc, reused_noise_fault_should_add_up_linearly);
    tcase_add_test(tc, shuffle_fault_should_use_fixed_size_batches);
    tcase_add_test(tc, logreg_without_intercept_should_have_no_bias);
    tcase_add_test(tc, traced_training_should_equal_plain_training);
    tcase_add_test(tc, dp_spec_should_resolve_rate_steps_and_fault);
    tcase_add_test(tc, saved_models_should_predict_identically_after_load);
    tcase_add_test(tc, corrupted_model_files_should_be_input_errors);
    tcase_add_test(tc, parse_errors_should_name_key_paths);
    tcase_add_test(tc, resolved_params_should_parse_back_to_themselves);
    tcase_add_test(tc, divergence_should_be_a_numeric_error);
    tcase_add_test(tc, white_box_access_should_expose_the_weights_and_inputs);
    tcase_add_test(tc, training_should_be_deterministic_in_the_seed);
    suite_add_tcase(s, tc);
    return s;
}

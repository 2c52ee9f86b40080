/*
 * tests/check_xgbm.c - the XGBoost model kind through the model interface.
 */
#include <check.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/jsonx.h"
#include "core/rng.h"
#include "targets/model.h"
#include "targets/xgbm.h"

#define PROB_TOL 1e-6

/* A synthetic k-class problem: class = argmax of k fixed linear scores of
 * d Gaussian features, with 10% NaN to exercise missing values. */
static void make_data(struct dataset *ds, size_t n, size_t d, size_t k, uint64_t seed)
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
        double best = -INFINITY;
        int arg = 0;
        for (size_t j = 0; j < d; j++)
            ds->x[i * d + j] = (float)rng_normal(&r);
        for (size_t c = 0; c < k; c++) {
            double s = 0;
            for (size_t j = 0; j < d; j++)
                s += ds->x[i * d + j] * (double)(((c + 1) * (j + 3)) % 5 - 2.0);
            if (s > best) {
                best = s;
                arg = (int)c;
            }
        }
        ds->y[i] = arg;
        for (size_t j = 0; j < d; j++)
            if (rng_uniform(&r) < 0.1)
                ds->x[i * d + j] = NAN;
    }
}

static void free_data(struct dataset *ds)
{
    free(ds->x);
    free(ds->y);
    memset(ds, 0, sizeof *ds);
}

static void *params_from(const char *json)
{
    cJSON *o = cJSON_Parse(json);
    ck_assert_ptr_nonnull(o);
    void *p = NULL;
    struct error e;
    ck_assert_int_eq(xgbm_ops.parse_params(o, "target", &p, &e), 0);
    cJSON_Delete(o);
    return p;
}

static void check_probs(const double *p, size_t n, size_t k)
{
    for (size_t i = 0; i < n; i++) {
        double s = 0;
        for (size_t c = 0; c < k; c++) {
            ck_assert(p[i * k + c] >= 0 && p[i * k + c] <= 1);
            s += p[i * k + c];
        }
        ck_assert_double_eq_tol(s, 1.0, PROB_TOL);
    }
}

START_TEST(xgboost_should_learn_binary_and_multiclass_problems)
{
    static const size_t ks[] = {2, 4};
    for (size_t t = 0; t < 2; t++) {
        struct dataset ds;
        make_data(&ds, 1200, 6, ks[t], 1 + t);
        void *p = params_from("{\"kind\": \"xgboost\", \"rounds\": 40, \"max_depth\": 4}");
        struct model *m = NULL;
        struct error e;
        ck_assert_int_eq(model_train(&m, &xgbm_ops, p, &ds, NULL, 800, 9, &e), 0);
        ck_assert_uint_eq(m->n_classes, ks[t]);
        double *probs = malloc(1200 * ks[t] * sizeof *probs);
        ck_assert_int_eq(model_predict(m, ds.x, 1200, 6, probs, &e), 0);
        check_probs(probs, 1200, ks[t]);
        size_t rows[400];
        for (size_t i = 0; i < 400; i++)
            rows[i] = 800 + i;
        double acc_test = 0, acc_train = 0;
        ck_assert_int_eq(model_accuracy(m, &ds, rows, 400, &acc_test, &e), 0);
        for (size_t i = 0; i < 400; i++)
            rows[i] = i;
        ck_assert_int_eq(model_accuracy(m, &ds, rows, 400, &acc_train, &e), 0);
        /* chance is 1/k; the problem is learnable from the features */
        ck_assert_double_gt(acc_test, 1.0 / ks[t] + 0.25);
        ck_assert_double_ge(acc_train, acc_test);
        free(probs);
        model_free(m);
        xgbm_ops.free_params(p);
        free_data(&ds);
    }
}
END_TEST

/* The shadow engine's pool path (training rows predicted from the training
 * DMatrix, the others from their own slice) gives exactly the probabilities
 * of model_train on the same rows followed by model_predict of every pool
 * row; for binary and multiclass, with subsampling, with no rows left out. */
START_TEST(pool_train_predict_should_equal_train_then_predict)
{
    static const size_t ks[] = {2, 3};
    for (size_t t = 0; t < 2; t++) {
        enum { N = 500, D = 5 };
        size_t k = ks[t];
        struct dataset ds;
        make_data(&ds, N, D, k, 11 + t);
        void *p = params_from("{\"kind\": \"xgboost\", \"rounds\": 25, \"max_depth\": 4, "
                              "\"subsample\": 0.8}");
        size_t pool_rows[N];
        for (size_t i = 0; i < N; i++)
            pool_rows[i] = N - 1 - i; /* the pool in another order than the data */
        struct xgbm_pool *pool = NULL;
        struct error e;
        ck_assert_int_eq(xgbm_pool_new(&pool, &ds, pool_rows, N, &e), 0);
        for (int all = 0; all < 2; all++) {
            int idx[N];
            size_t m = 0, rows[N];
            for (size_t i = 0; i < N; i++)
                if (all || i % 3 != 1) {
                    idx[m] = (int)i;
                    rows[m++] = pool_rows[i];
                }
            double *got = malloc(N * k * sizeof *got), *want = malloc(N * k * sizeof *want);
            ck_assert_int_eq(xgbm_pool_train_predict(pool, p, idx, m, 5, got, NULL, &e), 0);
            struct model *mod = NULL;
            ck_assert_int_eq(model_train(&mod, &xgbm_ops, p, &ds, rows, m, 5, &e), 0);
            float *x = malloc(N * D * sizeof *x);
            for (size_t i = 0; i < N; i++)
                memcpy(x + i * D, ds.x + pool_rows[i] * D, D * sizeof *x);
            ck_assert_int_eq(model_predict(mod, x, N, D, want, &e), 0);
            for (size_t i = 0; i < N * k; i++)
                ck_assert_msg(got[i] == want[i], "k %zu, all %d, entry %zu: %.17g vs %.17g", k,
                              all, i, got[i], want[i]);
            model_free(mod);
            free(x);
            free(got);
            free(want);
        }
        xgbm_pool_free(pool);
        xgbm_ops.free_params(p);
        free_data(&ds);
    }
}
END_TEST

START_TEST(xgboost_should_be_deterministic_for_a_seed)
{
    struct dataset ds;
    make_data(&ds, 600, 5, 3, 4);
    void *p = params_from("{\"kind\": \"xgboost\", \"rounds\": 20, \"subsample\": 0.7, "
                          "\"colsample_bytree\": 0.8}");
    struct model *a = NULL, *b = NULL, *c = NULL;
    struct error e;
    ck_assert_int_eq(model_train(&a, &xgbm_ops, p, &ds, NULL, 600, 77, &e), 0);
    ck_assert_int_eq(model_train(&b, &xgbm_ops, p, &ds, NULL, 600, 77, &e), 0);
    ck_assert_int_eq(model_train(&c, &xgbm_ops, p, &ds, NULL, 600, 78, &e), 0);
    double pa[600 * 3], pb[600 * 3], pc[600 * 3];
    ck_assert_int_eq(model_predict(a, ds.x, 600, 5, pa, &e), 0);
    ck_assert_int_eq(model_predict(b, ds.x, 600, 5, pb, &e), 0);
    ck_assert_int_eq(model_predict(c, ds.x, 600, 5, pc, &e), 0);
    ck_assert_int_eq(memcmp(pa, pb, sizeof pa), 0);
    ck_assert_int_ne(memcmp(pa, pc, sizeof pa), 0); /* subsampling uses the seed */
    model_free(a);
    model_free(b);
    model_free(c);
    xgbm_ops.free_params(p);
    free_data(&ds);
}
END_TEST

START_TEST(xgboost_saved_json_model_should_predict_the_same_after_load)
{
    struct dataset ds;
    make_data(&ds, 500, 4, 3, 8);
    void *p = params_from("{\"kind\": \"xgboost\", \"rounds\": 15}");
    struct model *m = NULL, *l = NULL;
    struct error e;
    ck_assert_int_eq(model_train(&m, &xgbm_ops, p, &ds, NULL, 500, 3, &e), 0);
    char path[] = "/tmp/privaudit-xgb-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(model_save(m, path, &e), 0);
    /* XGBoost's JSON format: a JSON document with a "learner" object. */
    cJSON *doc = NULL;
    ck_assert_int_eq(jsonx_parse_file(path, &doc, &e), 0);
    ck_assert_ptr_nonnull(cJSON_GetObjectItemCaseSensitive(doc, "learner"));
    cJSON_Delete(doc);
    ck_assert_int_eq(model_load(&l, &xgbm_ops, path, &e), 0);
    ck_assert_uint_eq(l->n_classes, 3);
    ck_assert_uint_eq(l->n_features, 4);
    double a[500 * 3], b[500 * 3];
    ck_assert_int_eq(model_predict(m, ds.x, 500, 4, a, &e), 0);
    ck_assert_int_eq(model_predict(l, ds.x, 500, 4, b, &e), 0);
    for (size_t i = 0; i < 500 * 3; i++)
        ck_assert_double_eq_tol(a[i], b[i], 1e-12);
    unlink(path);
    model_free(m);
    model_free(l);
    xgbm_ops.free_params(p);
    free_data(&ds);
}
END_TEST

START_TEST(xgboost_load_should_reject_missing_empty_and_garbage_files)
{
    struct model *m = NULL;
    struct error e;
    ck_assert_int_eq(model_load(&m, &xgbm_ops, "/nonexistent/model.json", &e), ERR_IO);
    ck_assert_ptr_nonnull(strstr(e.msg, "/nonexistent/model.json"));
    char path[] = "/tmp/privaudit-bad-XXXXXX";
    int fd = mkstemp(path);
    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(model_load(&m, &xgbm_ops, path, &e), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.msg, "empty"));
    FILE *fp = fopen(path, "w");
    fputs("{\"learner\": {\"this is\": \"not a model\"", fp);
    fclose(fp);
    ck_assert_int_eq(model_load(&m, &xgbm_ops, path, &e), ERR_INPUT);
    ck_assert_ptr_null(m);
    ck_assert_ptr_nonnull(strstr(e.msg, path));
    unlink(path);
}
END_TEST

START_TEST(xgboost_params_should_reject_bad_values_with_key_paths)
{
    static const struct {
        const char *json, *msg;
    } cases[] = {
        {"{\"max_depth\": 0}", "target.max_depth: expected an integer in [1, 64], got 0"},
        {"{\"eta\": 0}", "target.eta: expected a number in (0, 1], got 0"},
        {"{\"subsample\": 1.5}", "target.subsample: expected a number in (0, 1], got 1.5"},
        {"{\"rounds\": \"many\"}", "target.rounds: expected an integer in [1, 100000], got a string"},
        {"{\"lambda\": -1}", "target.lambda: expected a number >= 0, got -1"},
        {"{\"tree_method\": \"gpu\"}",
         "target.tree_method: expected one of 'hist', 'exact', 'approx', got 'gpu'"},
        {"{\"depth\": 3}", "target.depth: unknown key"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *o = cJSON_Parse(cases[i].json);
        void *p = NULL;
        struct error e;
        ck_assert_int_eq(xgbm_ops.parse_params(o, "target", &p, &e), ERR_INPUT);
        ck_assert_str_eq(e.msg, cases[i].msg);
        ck_assert_ptr_null(p);
        cJSON_Delete(o);
    }
}
END_TEST

START_TEST(model_predict_should_reject_a_feature_count_mismatch)
{
    struct dataset ds;
    make_data(&ds, 100, 3, 2, 1);
    void *p = params_from("{\"rounds\": 3}");
    struct model *m = NULL;
    struct error e;
    ck_assert_int_eq(model_train(&m, &xgbm_ops, p, &ds, NULL, 100, 1, &e), 0);
    double probs[200];
    ck_assert_int_eq(model_predict(m, ds.x, 50, 2, probs, &e), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(e.msg, "expects 3 features"));
    model_free(m);
    xgbm_ops.free_params(p);
    free_data(&ds);
}
END_TEST

Suite *xgbm_suite(void)
{
    Suite *s = suite_create("xgbm");
    TCase *tc = tcase_create("xgbm");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, xgboost_should_learn_binary_and_multiclass_problems);
    tcase_add_test(tc, xgboost_should_be_deterministic_for_a_seed);
    tcase_add_test(tc, pool_train_predict_should_equal_train_then_predict);
    tcase_add_test(tc, xgboost_saved_json_model_should_predict_the_same_after_load);
    tcase_add_test(tc, xgboost_load_should_reject_missing_empty_and_garbage_files);
    tcase_add_test(tc, xgboost_params_should_reject_bad_values_with_key_paths);
    tcase_add_test(tc, model_predict_should_reject_a_feature_count_mismatch);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * bench/bench.c - `make bench`: timings of the heavy parts, printed as a
 * table and written to bench/results.json.  Benchmarks are measurements, not
 * tests: nothing here fails on a slow machine.
 *
 * usage: build/bench [--quick] [--out FILE]
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cblas.h>
#include <cjson/cJSON.h>

#include "attacks/metrics.h"
#include "audit/bounds.h"
#include "core/afile.h"
#include "core/dataset.h"
#include "core/jsonx.h"
#include "core/rng.h"
#include "targets/accountant.h"
#include "targets/linear.h"
#include "targets/model.h"
#include "targets/xgbm.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

struct row {
    char name[96];
    double value;
    char unit[32];
    char note[160];
};

static struct row rows[64];
static size_t n_rows;

static void record(const char *name, double value, const char *unit, const char *note)
{
    if (n_rows >= sizeof rows / sizeof rows[0])
        return;
    struct row *r = &rows[n_rows++];
    snprintf(r->name, sizeof r->name, "%s", name);
    r->value = value;
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    snprintf(r->note, sizeof r->note, "%s", note ? note : "");
    printf("%-44s %14.4g %-12s %s\n", name, value, unit, note ? note : "");
    fflush(stdout);
}

static int bench_xgboost(int quick)
{
    struct dataset ds = {0};
    struct dataset_opts o = {0};
    struct error e;
    if (dataset_load(&ds, "fixtures/data/spam.csv", &o, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return -1;
    }
    struct xgbm_params p;
    xgbm_params_default(&p);
    p.rounds = quick ? 50 : 200;
    size_t n = ds.n_rows / 2;
    struct model *m = NULL;
    double t0 = now_s();
    if (model_train(&m, &xgbm_ops, &p, &ds, NULL, n, 1, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        dataset_release(&ds);
        return -1;
    }
    double t = now_s() - t0;
    char note[160];
    snprintf(note, sizeof note, "spam.csv, %zu rows, %d rounds, depth 6, 1 thread", n,
             p.rounds);
    record("xgboost train (rows x rounds / s)", (double)n * p.rounds / t, "row-rounds/s",
           note);
    double *probs = malloc(ds.n_rows * 2 * sizeof *probs);
    t0 = now_s();
    model_predict(m, ds.x, ds.n_rows, ds.n_features, probs, &e);
    t = now_s() - t0;
    record("xgboost predict", (double)ds.n_rows / t, "rows/s", "spam.csv, all rows");
    free(probs);
    model_free(m);
    dataset_release(&ds);
    return 0;
}

static int bench_metrics(int quick)
{
    size_t n = quick ? 100000 : 1000000;
    double *s = malloc(n * sizeof *s);
    uint8_t *mem = malloc(n);
    struct rng r;
    rng_seed(&r, 3);
    for (size_t i = 0; i < n; i++) {
        mem[i] = (uint8_t)(i & 1);
        s[i] = rng_normal(&r) + 0.3 * mem[i];
    }
    struct roc roc = {0};
    struct error e;
    double t0 = now_s();
    roc_build(&roc, s, mem, n, &e);
    double auc = roc_auc(&roc);
    double t = now_s() - t0;
    char note[160];
    snprintf(note, sizeof note, "%zu scores, AUC %.3f", n, auc);
    record("exact ROC + AUC", t, "s", note);
    roc_release(&roc);
    struct scores_bound sb;
    t0 = now_s();
    bounds_from_scores(s, mem, n, 1e-5, 0.95, THRESHOLD_SPLIT, 0, &r, &sb, &e);
    t = now_s() - t0;
    snprintf(note, sizeof note, "%zu scores, split threshold, eps_lb %.3f", n,
             sb.cp.epsilon_lower_bound);
    record("Clopper-Pearson bound from scores", t, "s", note);
    free(s);
    free(mem);
    return 0;
}

static void *params_of(const struct model_ops *ops, const char *json)
{
    cJSON *o = cJSON_Parse(json);
    void *p = NULL;
    struct error e;
    if (!o || ops->parse_params(o, "target", &p, &e)) {
        fprintf(stderr, "bench: bad params %s: %s\n", json, o ? e.msg : "json");
        p = NULL;
    }
    cJSON_Delete(o);
    return p;
}

/* Examples per second of one training run (best of `reps`). */
static double train_rate(const struct model_ops *ops, void *params, const struct dataset *ds,
                         size_t n, double examples, int reps)
{
    double best = 0;
    for (int r = 0; r < reps; r++) {
        struct model *m = NULL;
        struct error e;
        double t0 = now_s();
        if (model_train(&m, ops, params, ds, NULL, n, 7 + (uint64_t)r, &e)) {
            fprintf(stderr, "bench: %s\n", e.msg);
            return 0;
        }
        double rate = examples / (now_s() - t0);
        if (rate > best)
            best = rate;
        model_free(m);
    }
    return best;
}

/* DP-SGD against non-private SGD with the same input transform, batch size
 * and number of examples processed: the ghost-norm design should keep the
 * ratio within 1.5x. */
static int bench_dpsgd(int quick)
{
    static const struct {
        const char *data, *kind, *extra;
        double bound;
    } cases[] = {
        {"fixtures/data/spam.csv", "logreg", "", 10},
        {"fixtures/data/spam.csv", "mlp", ", \"hidden\": 64", 10},
        {"fixtures/data/satellite.csv", "mlp", ", \"hidden\": 64", 160},
    };
    int epochs = quick ? 2 : 10, batch = 64, reps = quick ? 1 : 3;
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct dataset ds = {0};
        struct dataset_opts o = {0};
        struct error e;
        if (dataset_load(&ds, cases[c].data, &o, &e)) {
            fprintf(stderr, "bench: %s\n", e.msg);
            return -1;
        }
        const struct model_ops *ops = model_ops_find(cases[c].kind);
        size_t n = ds.n_rows;
        char sgd[512], dp[512];
        snprintf(sgd, sizeof sgd,
                 "{\"optimizer\": \"sgd\", \"preprocess\": \"bound\", \"feature_bound\": %g, "
                 "\"epochs\": %d, \"batch_size\": %d, \"learning_rate\": 0.1%s}",
                 cases[c].bound, epochs, batch, cases[c].extra);
        snprintf(dp, sizeof dp,
                 "{\"optimizer\": \"sgd\", \"preprocess\": \"bound\", \"feature_bound\": %g, "
                 "\"learning_rate\": 0.1%s, \"dp\": {\"noise_multiplier\": 1.0, "
                 "\"clip_norm\": 1.0, \"expected_batch_size\": %d, \"epochs\": %d}}",
                 cases[c].bound, cases[c].extra, batch, epochs);
        void *ps = params_of(ops, sgd), *pd = params_of(ops, dp);
        if (ps && pd) {
            double examples = (double)epochs * (double)n;
            double rs = train_rate(ops, ps, &ds, n, examples, reps);
            double rd = train_rate(ops, pd, &ds, n, examples, reps);
            char name[96], note[160];
            const char *base = strrchr(cases[c].data, '/') + 1;
            snprintf(note, sizeof note, "%s, %zu rows, batch %d, %d epochs", base, n, batch,
                     epochs);
            snprintf(name, sizeof name, "%s SGD (non-private)", cases[c].kind);
            record(name, rs, "examples/s", note);
            snprintf(name, sizeof name, "%s DP-SGD", cases[c].kind);
            record(name, rd, "examples/s", note);
            snprintf(name, sizeof name, "%s DP-SGD slowdown", cases[c].kind);
            record(name, rd > 0 ? rs / rd : 0, "x", "non-private / private time per example");
        }
        if (ps)
            ops->free_params(ps);
        if (pd)
            ops->free_params(pd);
        dataset_release(&ds);
    }
    return 0;
}

static int bench_accountants(int quick)
{
    static const uint64_t steps[] = {10000, 1000000};
    for (size_t i = 0; i < (quick ? 1u : 2u); i++) {
        struct error e;
        struct rdp_result rr;
        struct pld_result pr;
        char note[160];
        double t0 = now_s();
        if (accountant_rdp_epsilon(256.0 / 60000, 1.1, steps[i], 1e-5, NULL, 0, &rr, &e))
            fprintf(stderr, "bench: %s\n", e.msg);
        double t = now_s() - t0;
        snprintf(note, sizeof note, "q 256/60000, sigma 1.1, %llu steps: eps %.4f",
                 (unsigned long long)steps[i], rr.improved.epsilon);
        record(steps[i] == 10000 ? "RDP accountant, 1e4 steps" : "RDP accountant, 1e6 steps",
               t, "s", note);
        t0 = now_s();
        if (accountant_pld_epsilon(256.0 / 60000, 1.1, steps[i], 1e-5, 0, &pr, &e))
            fprintf(stderr, "bench: %s\n", e.msg);
        t = now_s() - t0;
        snprintf(note, sizeof note, "q 256/60000, sigma 1.1, %llu steps: eps %.4f",
                 (unsigned long long)steps[i], pr.epsilon);
        record(steps[i] == 10000 ? "PLD accountant, 1e4 steps" : "PLD accountant, 1e6 steps",
               t, "s", note);
    }
    return 0;
}

int main(int argc, char **argv)
{
    int quick = 0;
    const char *out = "bench/results.json";
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
    }
    openblas_set_num_threads(1);
    jsonx_init();
    printf("%-44s %14s %-12s %s\n", "benchmark", "value", "unit", "setting");
    bench_xgboost(quick);
    bench_metrics(quick);
    bench_dpsgd(quick);
    bench_accountants(quick);
    cJSON *o = cJSON_CreateObject();
    char ver[32];
    xgbm_version(ver, sizeof ver);
    cJSON_AddStringToObject(o, "xgboost", ver);
    cJSON_AddStringToObject(o, "openblas", openblas_get_config());
    cJSON *arr = cJSON_AddArrayToObject(o, "results");
    for (size_t i = 0; i < n_rows; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "name", rows[i].name);
        cJSON_AddNumberToObject(r, "value", rows[i].value);
        cJSON_AddStringToObject(r, "unit", rows[i].unit);
        cJSON_AddStringToObject(r, "setting", rows[i].note);
        cJSON_AddItemToArray(arr, r);
    }
    char *text = cJSON_Print(o);
    struct error e;
    int rc = 0;
    if (!text || afile_write(out, text, strlen(text), &e)) {
        fprintf(stderr, "bench: cannot write %s\n", out);
        rc = 1;
    } else {
        printf("wrote %s\n", out);
    }
    free(text);
    cJSON_Delete(o);
    return rc;
}

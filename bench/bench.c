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

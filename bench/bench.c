/*
 * bench/bench.c - `make bench`: timings of the heavy parts, printed as a
 * table and written to bench/results.json.  Benchmarks are measurements, not
 * tests: nothing here fails on a slow machine.  bench/README.md says what
 * every row means.
 *
 * usage: build/privaudit-bench [--quick] [--out FILE] [--keep DIR]
 *   --quick     smaller sizes, one repetition (about a minute)
 *   --out FILE  results file (default bench/results.json)
 *   --keep DIR  keep the generated configs and reports of the audit tables
 *               in DIR (default: a temporary directory, removed at the end)
 *
 * Internal, spawned by the parent (each measurement in a fresh process, so
 * each peak-memory figure is its own and both sides start equally cold):
 *   --shadow-child K WORKERS WORKDIR SEED   one shadow_run
 *   --plain-child K DIR SEED                the same K models by plain
 *                                           XGBoost C API calls
 * Each prints one line of measurements on stdout.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cblas.h>
#include <cjson/cJSON.h>
#include <xgboost/c_api.h>

#include "attacks/metrics.h"
#include "attacks/scorematrix.h"
#include "attacks/scores.h"
#include "attacks/shadow.h"
#include "audit/bounds.h"
#include "audit/config.h"
#include "audit/pipeline.h"
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
    char note[256];
};

static struct row rows[256];
static size_t n_rows;

/* Store a row for results.json; print it too unless the section prints its
 * own table. */
static void record_row(const char *name, double value, const char *unit, const char *note,
                       int print)
{
    if (n_rows >= sizeof rows / sizeof rows[0])
        return;
    struct row *r = &rows[n_rows++];
    snprintf(r->name, sizeof r->name, "%s", name);
    r->value = value;
    snprintf(r->unit, sizeof r->unit, "%s", unit);
    snprintf(r->note, sizeof r->note, "%s", note ? note : "");
    if (print) {
        printf("%-44s %14.4g %-12s %s\n", name, value, unit, note ? note : "");
        fflush(stdout);
    }
}

static void record(const char *name, double value, const char *unit, const char *note)
{
    record_row(name, value, unit, note, 1);
}

static void record_quiet(const char *name, double value, const char *unit,
                         const char *note)
{
    record_row(name, value, unit, note, 0);
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
static double train_rate(const struct model_ops *ops, void *params,
                         const struct dataset *ds, size_t n, double examples, int reps)
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
        snprintf(
            sgd, sizeof sgd,
            "{\"optimizer\": \"sgd\", \"preprocess\": \"bound\", \"feature_bound\": %g, "
            "\"epochs\": %d, \"batch_size\": %d, \"learning_rate\": 0.1%s}",
            cases[c].bound, epochs, batch, cases[c].extra);
        snprintf(
            dp, sizeof dp,
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
            snprintf(note, sizeof note, "%s, %zu rows, batch %d, %d epochs", base, n,
                     batch, epochs);
            snprintf(name, sizeof name, "%s SGD (non-private)", cases[c].kind);
            record(name, rs, "examples/s", note);
            snprintf(name, sizeof name, "%s DP-SGD", cases[c].kind);
            record(name, rd, "examples/s", note);
            snprintf(name, sizeof name, "%s DP-SGD slowdown", cases[c].kind);
            record(name, rd > 0 ? rs / rd : 0, "x",
                   "non-private / private time per example");
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
        record(steps[i] == 10000 ? "RDP accountant, 1e4 steps"
                                 : "RDP accountant, 1e6 steps",
               t, "s", note);
        t0 = now_s();
        if (accountant_pld_epsilon(256.0 / 60000, 1.1, steps[i], 1e-5, 0, &pr, &e))
            fprintf(stderr, "bench: %s\n", e.msg);
        t = now_s() - t0;
        snprintf(note, sizeof note, "q 256/60000, sigma 1.1, %llu steps: eps %.4f",
                 (unsigned long long)steps[i], pr.epsilon);
        record(steps[i] == 10000 ? "PLD accountant, 1e4 steps"
                                 : "PLD accountant, 1e6 steps",
               t, "s", note);
    }
    return 0;
}

/* snprintf for paths and notes: truncation is acceptable in a benchmark's
 * labels, and the compiler need not prove it cannot happen. */
__attribute__((format(printf, 3, 4))) static void fmt(char *buf, size_t cap,
                                                      const char *f, ...)
{
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, cap, f, ap);
    va_end(ap);
}

/* ------------------------------------------------------------------------
 * Shared helpers of the shadow-engine and audit benchmarks.
 */

/* CPU time of the whole process (all threads): less sensitive than wall
 * time to other jobs on a shared machine. */
static double cpu_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* Remove a directory tree the benchmark created itself. */
static void rm_tree(const char *path)
{
    struct stat st;
    if (lstat(path, &st) != 0)
        return;
    if (S_ISDIR(st.st_mode)) {
        DIR *d = opendir(path);
        if (d) {
            struct dirent *de;
            while ((de = readdir(d)) != NULL) {
                if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
                    continue;
                char sub[4096];
                fmt(sub, sizeof sub, "%s/%s", path, de->d_name);
                rm_tree(sub);
            }
            closedir(d);
        }
        rmdir(path);
    } else {
        unlink(path);
    }
}

/* A field of /proc/self/status in kB ("VmHWM", "VmRSS"); -1 when unknown. */
static long status_kb(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    if (!f)
        return -1;
    char line[256];
    long v = -1;
    size_t kl = strlen(key);
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':') {
            v = strtol(line + kl + 1, NULL, 10);
            break;
        }
    fclose(f);
    return v;
}

static long peak_rss_kb(void)
{
    long v = status_kb("VmHWM");
    if (v < 0) {
        struct rusage ru;
        if (getrusage(RUSAGE_SELF, &ru) == 0)
            v = ru.ru_maxrss; /* kB on Linux */
    }
    return v;
}

static const cJSON *jget(const cJSON *o, const char *k)
{
    return cJSON_GetObjectItemCaseSensitive(o, k);
}

static double jnum(const cJSON *o, const char *k)
{
    const cJSON *v = jget(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : NAN;
}

#define SHADOW_SEED 31u
#define SHADOW_ROUNDS 100
#define SHADOW_DEPTH 6

static void shadow_params(struct xgbm_params *p)
{
    xgbm_params_default(p);
    p->rounds = SHADOW_ROUNDS;
    p->max_depth = SHADOW_DEPTH;
    p->nthread = 1;
}

/* ------------------------------------------------------------------------
 * 1. Shadow engine overhead.  The engine (attacks/shadow.c) runs in a fresh
 * child process per measurement so that each peak RSS is its own; the same
 * K models are trained in this process by plain XGBoost C API calls.
 */

/* The child: one shadow_run on spam.csv (pool = every row, in order). */
static int shadow_child(char **args)
{
    size_t k = (size_t)strtoull(args[0], NULL, 10);
    int workers = atoi(args[1]);
    const char *dir = args[2];
    uint64_t seed = strtoull(args[3], NULL, 10);
    struct dataset ds = {0};
    struct dataset_opts o = {0};
    struct error e;
    error_clear(&e);
    if (dataset_load(&ds, "fixtures/data/spam.csv", &o, &e)) {
        fprintf(stderr, "bench child: %s\n", e.msg);
        return 1;
    }
    size_t n = ds.n_rows;
    size_t *pool = malloc(n * sizeof *pool);
    if (!pool) {
        dataset_release(&ds);
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        pool[i] = i;
    struct xgbm_params p;
    shadow_params(&p);
    cJSON *pj = cJSON_CreateObject();
    char *ptext = NULL;
    if (pj && xgbm_ops.params_to_json(&p, pj, &e) == 0)
        ptext = cJSON_PrintUnformatted(pj);
    cJSON_Delete(pj);
    long rss_before = status_kb("VmRSS");
    struct shadow_spec sp = {0};
    sp.ops = &xgbm_ops;
    sp.params = &p;
    sp.params_json = ptext;
    sp.ds = &ds;
    sp.pool = pool;
    sp.n_pool = n;
    sp.k = k;
    sp.seed = seed;
    sp.work_dir = dir;
    sp.workers = workers;
    struct score_matrix smx = {0};
    struct shadow_stats st;
    double c0 = cpu_s(), t0 = now_s();
    int rc = shadow_run(&sp, 0, &smx, &st, &e);
    double wall = now_s() - t0, cpu = cpu_s() - c0;
    long peak = peak_rss_kb();
    if (rc)
        fprintf(stderr, "bench child: %s\n", e.msg);
    else
        printf("ok %.6f %.6f %.6f %.6f %ld %ld %zu %.6f\n", wall, st.wall_s, st.train_s,
               st.predict_s, peak, rss_before, st.trained, cpu);
    fflush(stdout);
    score_matrix_release(&smx);
    cJSON_free(ptext);
    free(pool);
    dataset_release(&ds);
    return rc ? 1 : 0;
}

extern char **environ;

/* Run `self` with args, its stdout into out (NUL-terminated).  0 when it
 * exited 0. */
static int spawn_capture(const char *self, char *const args[], char *out, size_t cap)
{
    int fd[2];
    if (pipe(fd) != 0)
        return -1;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    posix_spawn_file_actions_addclose(&fa, fd[1]);
    pid_t pid;
    int rc = posix_spawn(&pid, self, &fa, NULL, args, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    size_t len = 0;
    if (rc == 0) {
        ssize_t r;
        while (len + 1 < cap && (r = read(fd[0], out + len, cap - 1 - len)) != 0) {
            if (r < 0) {
                if (errno == EINTR)
                    continue;
                break;
            }
            len += (size_t)r;
        }
    }
    out[len] = '\0';
    close(fd[0]);
    if (rc != 0)
        return -1;
    int status = 0;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

struct engine_run {
    double wall, engine_wall, train_s, predict_s, cpu;
    long peak_kb, rss_before_kb;
    size_t trained;
};

static int run_engine_child(const char *self, size_t k, int workers, const char *dir,
                            struct engine_run *r)
{
    char ks[32], ws[32], ss[32], out[512];
    fmt(ks, sizeof ks, "%zu", k);
    fmt(ws, sizeof ws, "%d", workers);
    fmt(ss, sizeof ss, "%u", SHADOW_SEED);
    char *args[] = {(char *)self, "--shadow-child", ks, ws, (char *)dir, ss, NULL};
    if (spawn_capture(self, args, out, sizeof out) != 0)
        return -1;
    if (sscanf(out, "ok %lf %lf %lf %lf %ld %ld %zu %lf", &r->wall, &r->engine_wall,
               &r->train_s, &r->predict_s, &r->peak_kb, &r->rss_before_kb, &r->trained,
               &r->cpu) != 8)
        return -1;
    return 0;
}

struct raw_times {
    double gather, dmatrix, train, predict, pool_dmatrix, total;
    double cpu_train, cpu_total; /* process CPU time of the training calls / of all */
};

#define XGB_OK(call)                                                                     \
    do {                                                                                 \
        if ((call) != 0) {                                                               \
            fprintf(stderr, "bench: %s: %s\n", #call, XGBGetLastError());                \
            rc = -1;                                                                     \
            goto cleanup;                                                                \
        }                                                                                \
    } while (0)

static int setp(BoosterHandle b, const char *k, const char *v)
{
    if (XGBoosterSetParam(b, k, v) != 0) {
        fprintf(stderr, "bench: XGBoosterSetParam %s: %s\n", k, XGBGetLastError());
        return -1;
    }
    return 0;
}

static int setpf(BoosterHandle b, const char *k, double v)
{
    char buf[64];
    fmt(buf, sizeof buf, "%.17g", v); /* as targets/xgbm.c writes them */
    return setp(b, k, buf);
}

/*
 * The engine's K jobs by plain XGBoost C API calls, one after another: the
 * same design (shadow_masks), the same per-job seeds (rng_derive(seed,
 * SHADOW_STREAM_JOB(j)), then rng_next), the same parameters as
 * targets/xgbm.c sets; the pool DMatrix is built once and every booster
 * predicts on it.  phi (n x k, column-major by model) may be NULL.
 */
static int raw_shadows(const struct dataset *ds, size_t k, uint64_t seed,
                       const struct xgbm_params *p, float *phi, struct raw_times *t)
{
    int rc = 0;
    size_t n = ds->n_rows, d = ds->n_features;
    uint8_t *masks = malloc(n * k);
    float *x = malloc(n * d * sizeof *x);
    float *y = malloc(n * sizeof *y);
    DMatrixHandle pool_dm = NULL, dm = NULL;
    BoosterHandle b = NULL;
    memset(t, 0, sizeof *t);
    if (!masks || !x || !y) {
        rc = -1;
        goto cleanup;
    }
    double t_all = now_s(), c_all = cpu_s();
    shadow_masks(seed, n, k, masks);
    double t0 = now_s();
    XGB_OK(XGDMatrixCreateFromMat(ds->x, (bst_ulong)n, (bst_ulong)d, NAN, &pool_dm));
    t->pool_dmatrix = now_s() - t0;
    for (size_t j = 0; j < k; j++) {
        t0 = now_s();
        size_t nr = 0;
        for (size_t i = 0; i < n; i++)
            if (masks[i * k + j]) {
                memcpy(x + nr * d, ds->x + i * d, d * sizeof *x);
                y[nr++] = (float)ds->y[i];
            }
        double t1 = now_s();
        XGB_OK(XGDMatrixCreateFromMat(x, (bst_ulong)nr, (bst_ulong)d, NAN, &dm));
        XGB_OK(XGDMatrixSetFloatInfo(dm, "label", y, (bst_ulong)nr));
        double t2 = now_s(), c2 = cpu_s();
        struct rng r;
        rng_derive(&r, seed, SHADOW_STREAM_JOB(j));
        uint64_t s = rng_next(&r);
        char sb[32];
        fmt(sb, sizeof sb, "%u", (unsigned)((s ^ (s >> 32)) & 0x7fffffffu));
        XGB_OK(XGBoosterCreate(&dm, 1, &b));
        if (setp(b, "objective", "binary:logistic") || setp(b, "seed", sb) ||
            setp(b, "tree_method", xgbm_tree_methods[p->tree_method]) ||
            setpf(b, "max_depth", p->max_depth) || setpf(b, "eta", p->eta) ||
            setpf(b, "subsample", p->subsample) ||
            setpf(b, "colsample_bytree", p->colsample_bytree) ||
            setpf(b, "min_child_weight", p->min_child_weight) ||
            setpf(b, "lambda", p->lambda) || setpf(b, "alpha", p->alpha) ||
            setpf(b, "gamma", p->gamma) || setpf(b, "max_bin", p->max_bin) ||
            setpf(b, "nthread", p->nthread) || setp(b, "verbosity", "0") ||
            setp(b, "eval_metric", "logloss")) {
            rc = -1;
            goto cleanup;
        }
        for (int it = 0; it < p->rounds; it++)
            XGB_OK(XGBoosterUpdateOneIter(b, it, dm));
        double t3 = now_s();
        t->cpu_train += cpu_s() - c2;
        const bst_ulong *shape = NULL;
        bst_ulong dim = 0;
        const float *res = NULL;
        XGB_OK(XGBoosterPredictFromDMatrix(
            b, pool_dm,
            "{\"type\": 1, \"training\": false, \"iteration_begin\": 0, "
            "\"iteration_end\": 0, \"strict_shape\": true}",
            &shape, &dim, &res));
        for (size_t i = 0; phi && i < n; i++) {
            double z = res[i], pr[2];
            pr[1] = z >= 0 ? 1.0 / (1.0 + exp(-z)) : exp(z) / (1.0 + exp(z));
            pr[0] = 1.0 - pr[1];
            phi[j * n + i] = (float)scores_logit_confidence(pr, 2, (size_t)ds->y[i]);
        }
        double t4 = now_s();
        XGBoosterFree(b);
        b = NULL;
        XGDMatrixFree(dm);
        dm = NULL;
        t->gather += t1 - t0;
        t->dmatrix += t2 - t1;
        t->train += t3 - t2;
        t->predict += t4 - t3;
    }
    t->total = now_s() - t_all;
    t->cpu_total = cpu_s() - c_all;
cleanup:
    if (b)
        XGBoosterFree(b);
    if (dm)
        XGDMatrixFree(dm);
    if (pool_dm)
        XGDMatrixFree(pool_dm);
    free(masks);
    free(x);
    free(y);
    return rc;
}

/* Largest |phi_engine - phi_plain| over the columns the child wrote to dir;
 * NAN when a column cannot be read. */
static double compare_columns(const char *dir, size_t n, size_t k, const float *phi)
{
    struct score_matrix m = {0};
    struct error e;
    double worst = 0;
    float *col = malloc(n * sizeof *col);
    if (!col || score_matrix_init(&m, n, k, &e)) {
        free(col);
        return NAN;
    }
    for (size_t j = 0; j < k && isfinite(worst); j++) {
        char path[4096];
        fmt(path, sizeof path, "%s/shadow-%04zu.pamx", dir, j);
        if (score_matrix_load_column(&m, j, path, &e) ||
            score_matrix_get_column(&m, j, col, NULL, &e)) {
            worst = NAN;
            break;
        }
        for (size_t i = 0; i < n; i++) {
            double dlt = fabs((double)col[i] - (double)phi[j * n + i]);
            if (!(dlt <= worst))
                worst = dlt; /* NaN propagates */
        }
    }
    score_matrix_release(&m);
    free(col);
    return worst;
}

/* The plain-API child: the same K models by raw_shadows in a fresh process
 * (so that it starts as cold as the engine's child); with a non-empty DIR
 * it also writes phi (n x k floats, model-major) to DIR/plain-phi.f32. */
static int plain_child(char **args)
{
    size_t k = (size_t)strtoull(args[0], NULL, 10);
    const char *dir = args[1];
    uint64_t seed = strtoull(args[2], NULL, 10);
    struct dataset ds = {0};
    struct dataset_opts o = {0};
    struct error e;
    if (dataset_load(&ds, "fixtures/data/spam.csv", &o, &e)) {
        fprintf(stderr, "bench child: %s\n", e.msg);
        return 1;
    }
    int rc = 1;
    size_t n = ds.n_rows;
    float *phi = *dir ? malloc(n * k * sizeof *phi) : NULL;
    struct xgbm_params p;
    shadow_params(&p);
    long rss_before = status_kb("VmRSS");
    struct raw_times t;
    if (ds.schema.n_classes == 2 && (!*dir || phi) &&
        raw_shadows(&ds, k, seed, &p, phi, &t) == 0) {
        rc = 0;
        if (phi) {
            char path[4096];
            fmt(path, sizeof path, "%s/plain-phi.f32", dir);
            if (afile_mkdirs(dir, &e) ||
                afile_write(path, phi, n * k * sizeof *phi, &e)) {
                fprintf(stderr, "bench child: %s\n", e.msg);
                rc = 1;
            }
        }
        if (rc == 0)
            printf("ok %.6f %.6f %.6f %.6f %.6f %.6f %.6f %.6f %ld %ld\n", t.gather,
                   t.dmatrix, t.train, t.predict, t.pool_dmatrix, t.total, t.cpu_train,
                   t.cpu_total, peak_rss_kb(), rss_before);
        fflush(stdout);
    }
    free(phi);
    dataset_release(&ds);
    return rc;
}

static int run_plain_child(const char *self, size_t k, const char *dir,
                           struct raw_times *t, long *peak_kb)
{
    char ks[32], ss[32], out[512];
    long before = 0;
    fmt(ks, sizeof ks, "%zu", k);
    fmt(ss, sizeof ss, "%u", SHADOW_SEED);
    char *args[] = {(char *)self, "--plain-child", ks, (char *)dir, ss, NULL};
    if (spawn_capture(self, args, out, sizeof out) != 0)
        return -1;
    if (sscanf(out, "ok %lf %lf %lf %lf %lf %lf %lf %lf %ld %ld", &t->gather, &t->dmatrix,
               &t->train, &t->predict, &t->pool_dmatrix, &t->total, &t->cpu_train,
               &t->cpu_total, peak_kb, &before) != 10)
        return -1;
    return 0;
}

/* Host CPU steal so far (ticks), all ticks and busy ticks (all but idle and
 * iowait), from /proc/stat: on a virtual machine the host may run other
 * guests on our cores, and other jobs may share this machine. */
static int cpu_ticks(unsigned long long *steal, unsigned long long *total,
                     unsigned long long *busy)
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    unsigned long long v[8] = {0};
    int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1],
                     &v[2], &v[3], &v[4], &v[5], &v[6], &v[7]);
    fclose(f);
    if (got != 8)
        return -1;
    *steal = v[7];
    *total = 0;
    for (int i = 0; i < 8; i++)
        *total += v[i];
    *busy = *total - v[3] - v[4];
    return 0;
}

/* CPU seconds of this process and its waited-for children so far. */
static double own_cpu_s(void)
{
    struct rusage a, b;
    double s = 0;
    if (getrusage(RUSAGE_SELF, &a) == 0)
        s += (double)a.ru_utime.tv_sec + (double)a.ru_stime.tv_sec +
             1e-6 * (double)(a.ru_utime.tv_usec + a.ru_stime.tv_usec);
    if (getrusage(RUSAGE_CHILDREN, &b) == 0)
        s += (double)b.ru_utime.tv_sec + (double)b.ru_stime.tv_sec +
             1e-6 * (double)(b.ru_utime.tv_usec + b.ru_stime.tv_usec);
    return s;
}

static cJSON *g_engine_json, *g_power_json, *g_tight_json, *g_sampler_json;

/* Median of v[0..n) (sorted in place); NAN for n = 0. */
static double median(double *v, size_t n)
{
    if (n == 0)
        return NAN;
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0 && v[j - 1] > v[j]; j--) {
            double t = v[j];
            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static void bench_shadow_engine(int quick, const char *self, const char *tmp)
{
    static const size_t ks_full[] = {8, 16, 64}, ks_quick[] = {8, 16};
    const size_t *ks = quick ? ks_quick : ks_full;
    size_t nk = quick ? 2 : 3;
    struct dataset ds = {0};
    struct dataset_opts o = {0};
    struct error e;
    if (dataset_load(&ds, "fixtures/data/spam.csv", &o, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return;
    }
    if (ds.schema.n_classes != 2) {
        fprintf(stderr, "bench: spam.csv is expected to have 2 classes\n");
        dataset_release(&ds);
        return;
    }
    struct xgbm_params p;
    shadow_params(&p);
    size_t n = ds.n_rows;
    g_engine_json = cJSON_CreateArray();
    printf(
        "\nshadow engine: spam.csv, pool %zu rows (each shadow trains on %zu), XGBoost "
        "%d rounds, depth %d, nthread 1; times best of N, overheads the median of N "
        "paired "
        "runs, each run in a fresh process\n",
        n, n / 2, p.rounds, p.max_depth);
    printf(
        "| K | N | engine w=1 (s) | plain: training (s) | plain: all (s) | overhead vs "
        "training | overhead vs plain all | same two in CPU time | engine w=2 (s) | "
        "speedup w=2 | CPU w=2 / w=1 | peak RSS w=1 (MB) | peak RSS w=2 (MB) | "
        "peak RSS plain (MB) | other load | host steal |\n"
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    for (size_t ki = 0; ki < nk; ki++) {
        size_t k = ks[ki];
        int reps = quick ? 1 : k <= 16 ? 5 : 3;
        unsigned long long st0 = 0, tt0 = 0, bt0 = 0, st1 = 0, tt1 = 0, bt1 = 0;
        int have_ticks = cpu_ticks(&st0, &tt0, &bt0) == 0;
        double own0 = own_cpu_s();
        float *phi = malloc(n * k * sizeof *phi);
        struct raw_times best_raw = {0};
        struct engine_run best[2] = {{0}}, cur;
        long peak[2] = {0, 0}, plain_peak = 0;
        double best_cpu[2] = {0, 0};
        int phi_ok = phi != NULL;
        int ok_raw = 0, ok_eng[2] = {0, 0};
        double maxdiff = NAN;
        struct engine_run pair_e = {0};
        /* Per repetition, the plain loop and the engine (w=1) run next to
         * each other (in alternating order, plain first in the first one,
         * whose phi the check needs): the median of these paired ratios is
         * the overhead, robust to the machine's speed drifting between
         * repetitions. */
        double pr[4][5];
        size_t npr = 0;
        for (int r = 0; r < reps; r++) {
            struct raw_times rt;
            int plain_ok = 0, eng_ok = 0;
            for (int step = 0; step < 2; step++) {
                if ((step == 0) == (r % 2 == 0)) {
                    char pdir[4096];
                    long ppk = 0;
                    fmt(pdir, sizeof pdir, "%s/plain-k%zu", tmp, k);
                    if (run_plain_child(self, k, r == 0 ? pdir : "", &rt, &ppk) == 0) {
                        plain_ok = 1;
                        if (ppk > plain_peak)
                            plain_peak = ppk;
                        if (r == 0) {
                            char path[4096];
                            char *bytes = NULL;
                            size_t len = 0;
                            fmt(path, sizeof path, "%s/plain-phi.f32", pdir);
                            if (phi && afile_read_all(path, &bytes, &len, &e) == 0 &&
                                len == n * k * sizeof *phi)
                                memcpy(phi, bytes, len);
                            else
                                phi_ok = 0;
                            free(bytes);
                            rm_tree(pdir);
                        }
                        if (!ok_raw) {
                            best_raw = rt;
                        } else { /* best of N, each figure on its own */
                            best_raw.gather = fmin(best_raw.gather, rt.gather);
                            best_raw.dmatrix = fmin(best_raw.dmatrix, rt.dmatrix);
                            best_raw.train = fmin(best_raw.train, rt.train);
                            best_raw.predict = fmin(best_raw.predict, rt.predict);
                            best_raw.pool_dmatrix =
                                fmin(best_raw.pool_dmatrix, rt.pool_dmatrix);
                            best_raw.total = fmin(best_raw.total, rt.total);
                            best_raw.cpu_train = fmin(best_raw.cpu_train, rt.cpu_train);
                            best_raw.cpu_total = fmin(best_raw.cpu_total, rt.cpu_total);
                        }
                        ok_raw = 1;
                    }
                } else {
                    for (int w = 1; w <= 2; w++) {
                        char dir[4096];
                        fmt(dir, sizeof dir, "%s/engine-k%zu-w%d-r%d", tmp, k, w, r);
                        if (run_engine_child(self, k, w, dir, &cur) == 0) {
                            if (!ok_eng[w - 1] || cur.cpu < best_cpu[w - 1])
                                best_cpu[w - 1] = cur.cpu;
                            if (!ok_eng[w - 1] ||
                                cur.engine_wall < best[w - 1].engine_wall)
                                best[w - 1] = cur;
                            if (cur.peak_kb > peak[w - 1])
                                peak[w - 1] = cur.peak_kb;
                            ok_eng[w - 1] = 1;
                            if (r == 0 && w == 1 && phi_ok && ok_raw)
                                maxdiff = compare_columns(dir, n, k, phi);
                            if (w == 1) {
                                eng_ok = 1;
                                pair_e = cur;
                            }
                        } else {
                            fprintf(
                                stderr,
                                "bench: shadow engine child K=%zu workers=%d failed\n", k,
                                w);
                        }
                        rm_tree(dir);
                    }
                }
            }
            if (plain_ok && eng_ok && npr < 5) {
                pr[0][npr] = 100.0 * (pair_e.engine_wall - rt.train) / rt.train;
                pr[1][npr] = 100.0 * (pair_e.engine_wall - rt.total) / rt.total;
                pr[2][npr] = 100.0 * (pair_e.cpu - rt.cpu_train) / rt.cpu_train;
                pr[3][npr] = 100.0 * (pair_e.cpu - rt.cpu_total) / rt.cpu_total;
                npr++;
            }
        }
        free(phi);
        double steal = NAN, others = NAN;
        if (have_ticks && cpu_ticks(&st1, &tt1, &bt1) == 0 && tt1 > tt0) {
            double hz = (double)sysconf(_SC_CLK_TCK);
            double span = (double)(tt1 - tt0) / hz; /* CPU-seconds of all cores */
            steal = 100.0 * (double)(st1 - st0) / (double)(tt1 - tt0);
            others = 100.0 * ((double)(bt1 - bt0) / hz - (own_cpu_s() - own0)) / span;
            if (others < 0)
                others = 0;
        }
        if (!ok_raw || !ok_eng[0]) {
            fprintf(stderr, "bench: shadow engine K=%zu: no measurement\n", k);
            continue;
        }
        double raw_all = best_raw.total;
        double ov_train = median(pr[0], npr), ov_all = median(pr[1], npr);
        double speed = ok_eng[1] ? best[0].engine_wall / best[1].engine_wall : NAN;
        double cov_train = median(pr[2], npr), cov_all = median(pr[3], npr);
        double cpu_ratio = ok_eng[1] ? best_cpu[1] / best_cpu[0] : NAN;
        printf("| %zu | %d | %.2f | %.2f | %.2f | %+.1f%% | %+.1f%% | %+.1f%% / %+.1f%% "
               "| %.2f | "
               "%.2fx | %.2f | %.1f | %.1f | %.1f | %.0f%% | %.0f%% |\n",
               k, reps, best[0].engine_wall, best_raw.train, raw_all, ov_train, ov_all,
               cov_train, cov_all, ok_eng[1] ? best[1].engine_wall : NAN, speed,
               cpu_ratio, (double)peak[0] / 1024.0,
               ok_eng[1] ? (double)peak[1] / 1024.0 : NAN, (double)plain_peak / 1024.0,
               others, steal);
        fflush(stdout);
        char name[96], note[256];
        fmt(name, sizeof name, "shadow engine K=%zu, workers 1", k);
        fmt(note, sizeof note,
            "shadow_run wall, temp work dir; engine's own split: train %.2f s (with "
            "the prediction on its XGBoost fast path), predict %.2f s, rest %.2f s",
            best[0].train_s, best[0].predict_s,
            best[0].engine_wall - best[0].train_s - best[0].predict_s);
        record_quiet(name, best[0].engine_wall, "s", note);
        fmt(name, sizeof name, "plain XGBoost API K=%zu: training", k);
        record_quiet(
            name, best_raw.train, "s",
            "sum of XGBoosterCreate + SetParam + 100 UpdateOneIter, same rows and seeds");
        fmt(name, sizeof name, "plain XGBoost API K=%zu: all", k);
        fmt(note, sizeof note,
            "gather %.3f + DMatrix %.3f + train %.2f + predict on pool %.2f s "
            "(pool DMatrix once, %.3f s)",
            best_raw.gather, best_raw.dmatrix, best_raw.train, best_raw.predict,
            best_raw.pool_dmatrix);
        record_quiet(name, raw_all, "s", note);
        fmt(name, sizeof name, "shadow engine overhead K=%zu vs training", k);
        record_quiet(
            name, ov_train, "%",
            "includes what a job does besides boosting: its rows (DMatrix slice or "
            "gather + build), prediction on the pool, phi, the column file (fsync)");
        fmt(name, sizeof name, "shadow engine overhead K=%zu vs plain all", k);
        record_quiet(
            name, ov_all, "%",
            "what the engine adds to the same plain calls: slicing instead of building, "
            "column file + sha256 + fsync, manifest, threads");
        fmt(name, sizeof name, "shadow engine overhead K=%zu vs training, CPU", k);
        record_quiet(name, cov_train, "%",
                     "as above in process CPU time (less sensitive to other jobs)");
        fmt(name, sizeof name, "shadow engine overhead K=%zu vs plain all, CPU", k);
        record_quiet(name, cov_all, "%", "as above in process CPU time");
        fmt(name, sizeof name, "shadow engine K=%zu, workers 2", k);
        record_quiet(name, ok_eng[1] ? best[1].engine_wall : NAN, "s", "shadow_run wall");
        fmt(name, sizeof name, "shadow engine speedup K=%zu, workers 2", k);
        fmt(note, sizeof note,
            "wall(workers 1) / wall(workers 2), 2 cores; CPU time w2/w1 %.2f (1.00 = the "
            "two workers did not slow each other down)",
            cpu_ratio);
        record_quiet(name, speed, "x", note);
        for (int w = 1; w <= 2; w++) {
            if (!ok_eng[w - 1])
                continue;
            fmt(name, sizeof name, "shadow engine peak RSS K=%zu, workers %d", k, w);
            fmt(note, sizeof note,
                "VmHWM of a fresh child process (max over runs); its RSS before the "
                "shadow phase %.1f MB",
                (double)best[w - 1].rss_before_kb / 1024.0);
            record_quiet(name, (double)peak[w - 1] / 1024.0, "MB", note);
        }
        fmt(name, sizeof name, "engine vs plain phi, max |diff|, K=%zu", k);
        record_quiet(name, maxdiff, "",
                     "0 = the plain calls trained the very same models");
        fmt(name, sizeof name, "plain XGBoost API K=%zu: peak RSS", k);
        record_quiet(name, (double)plain_peak / 1024.0, "MB",
                     "VmHWM of the plain loop's fresh child process (max over runs)");
        cJSON *j = cJSON_CreateObject();
        cJSON_AddNumberToObject(j, "k", (double)k);
        cJSON_AddNumberToObject(j, "pool_rows", (double)n);
        cJSON_AddNumberToObject(j, "reps", reps);
        cJSON_AddStringToObject(
            j, "note",
            "times: best of reps, each figure on its own; *_pct: median over "
            "reps of paired engine/plain runs; every run in a fresh child process");
        cJSON_AddNumberToObject(j, "engine_w1_s", best[0].engine_wall);
        cJSON_AddNumberToObject(j, "engine_w1_model_train_s", best[0].train_s);
        cJSON_AddNumberToObject(j, "engine_w1_predict_s", best[0].predict_s);
        if (ok_eng[1])
            cJSON_AddNumberToObject(j, "engine_w2_s", best[1].engine_wall);
        cJSON_AddNumberToObject(j, "plain_train_s", best_raw.train);
        cJSON_AddNumberToObject(j, "plain_gather_s", best_raw.gather);
        cJSON_AddNumberToObject(j, "plain_dmatrix_s", best_raw.dmatrix);
        cJSON_AddNumberToObject(j, "plain_predict_s", best_raw.predict);
        cJSON_AddNumberToObject(j, "plain_pool_dmatrix_s", best_raw.pool_dmatrix);
        cJSON_AddNumberToObject(j, "plain_all_s", raw_all);
        cJSON_AddNumberToObject(j, "overhead_vs_training_pct", ov_train);
        cJSON_AddNumberToObject(j, "overhead_vs_plain_all_pct", ov_all);
        cJSON_AddNumberToObject(j, "engine_w1_cpu_s", best_cpu[0]);
        cJSON_AddNumberToObject(j, "plain_train_cpu_s", best_raw.cpu_train);
        cJSON_AddNumberToObject(j, "plain_all_cpu_s", best_raw.cpu_total);
        cJSON_AddNumberToObject(j, "cpu_overhead_vs_training_pct", cov_train);
        cJSON_AddNumberToObject(j, "cpu_overhead_vs_plain_all_pct", cov_all);
        if (ok_eng[1]) {
            cJSON_AddNumberToObject(j, "speedup_w2", speed);
            cJSON_AddNumberToObject(j, "peak_rss_w2_mb", (double)peak[1] / 1024.0);
        }
        cJSON_AddNumberToObject(j, "peak_rss_w1_mb", (double)peak[0] / 1024.0);
        cJSON_AddNumberToObject(j, "peak_rss_plain_mb", (double)plain_peak / 1024.0);
        if (isfinite(steal))
            cJSON_AddNumberToObject(j, "host_steal_pct", steal);
        if (isfinite(others))
            cJSON_AddNumberToObject(j, "other_load_pct", others);
        if (ok_eng[1]) {
            cJSON_AddNumberToObject(j, "engine_w2_cpu_s", best_cpu[1]);
            cJSON_AddNumberToObject(j, "cpu_w2_over_w1", cpu_ratio);
        }
        cJSON_AddNumberToObject(j, "rss_before_shadows_mb",
                                (double)best[0].rss_before_kb / 1024.0);
        if (isfinite(maxdiff))
            cJSON_AddNumberToObject(j, "phi_max_abs_diff", maxdiff);
        else
            cJSON_AddNullToObject(j, "phi_max_abs_diff");
        cJSON_AddItemToArray(g_engine_json, j);
    }
    dataset_release(&ds);
}

/* ------------------------------------------------------------------------
 * 2. Attack power against K: the audit pipeline on bench/configs/
 * shadows-xgboost-k<K>.json (XGBoost on spambase, same seed, so the target
 * and the loss attack are the same for every K).
 */
static const char *const POWER_ATTACKS[] = {"loss", "lira-online", "lira-offline", "rmia",
                                            "calibrated-loss"};
#define N_POWER_ATTACKS (sizeof POWER_ATTACKS / sizeof POWER_ATTACKS[0])

static double tpr_at(const cJSON *at, double fpr)
{
    const cJSON *t;
    cJSON_ArrayForEach(t, jget(at, "tpr_at_fpr"))
    {
        if (fabs(jnum(t, "target_fpr") - fpr) < 1e-12)
            return jnum(t, "tpr");
    }
    return NAN;
}

static int run_audit(const char *config_path, const char *out_dir, int workers,
                     cJSON **report, double *wall)
{
    struct config cfg;
    struct error e;
    error_clear(&e);
    *report = NULL;
    if (config_load(&cfg, config_path, &e)) {
        fprintf(stderr, "bench: %s\n", e.msg);
        return -1;
    }
    struct pipeline_opts po = {0};
    po.out_dir = out_dir;
    po.argv0 = "privaudit-bench";
    po.workers = workers;
    struct pipeline_result res;
    double t0 = now_s();
    int rc = pipeline_run(&cfg, &po, &res, &e);
    *wall = now_s() - t0;
    config_release(&cfg);
    if (rc) {
        fprintf(stderr, "bench: %s: %s\n", config_path, e.msg);
        return -1;
    }
    *report = res.report;
    return 0;
}

static void bench_attack_power(int quick, const char *tmp)
{
    static const size_t ks_full[] = {8, 16, 64}, ks_quick[] = {8, 16};
    const size_t *ks = quick ? ks_quick : ks_full;
    size_t nk = quick ? 2 : 3;
    g_power_json = cJSON_CreateArray();
    double res[3][N_POWER_ATTACKS][3];
    int have[3] = {0, 0, 0};
    double walls[3] = {0};
    for (size_t ki = 0; ki < nk; ki++) {
        char cfgp[256], out[4096];
        fmt(cfgp, sizeof cfgp, "bench/configs/shadows-xgboost-k%zu.json", ks[ki]);
        fmt(out, sizeof out, "%s/power-k%zu", tmp, ks[ki]);
        cJSON *rep = NULL;
        if (run_audit(cfgp, out, 2, &rep, &walls[ki]))
            continue;
        for (size_t a = 0; a < N_POWER_ATTACKS; a++)
            res[ki][a][0] = res[ki][a][1] = res[ki][a][2] = NAN;
        const cJSON *at;
        cJSON_ArrayForEach(at, jget(rep, "attacks"))
        {
            const char *nm = cJSON_GetStringValue(jget(at, "name"));
            for (size_t a = 0; nm && a < N_POWER_ATTACKS; a++)
                if (strcmp(nm, POWER_ATTACKS[a]) == 0) {
                    res[ki][a][0] = jnum(at, "auc");
                    res[ki][a][1] = tpr_at(at, 0.001);
                    res[ki][a][2] = tpr_at(at, 0.01);
                    cJSON *j = cJSON_CreateObject();
                    cJSON_AddNumberToObject(j, "k", (double)ks[ki]);
                    cJSON_AddStringToObject(j, "attack", nm);
                    cJSON_AddStringToObject(j, "variant",
                                            cJSON_GetStringValue(jget(at, "variant")));
                    cJSON_AddNumberToObject(j, "auc", res[ki][a][0]);
                    cJSON_AddNumberToObject(j, "tpr_at_0.1pct_fpr", res[ki][a][1]);
                    cJSON_AddNumberToObject(j, "tpr_at_1pct_fpr", res[ki][a][2]);
                    cJSON_AddNumberToObject(j, "members", jnum(at, "n_members"));
                    cJSON_AddNumberToObject(j, "nonmembers", jnum(at, "n_nonmembers"));
                    cJSON_AddStringToObject(j, "config", cfgp);
                    cJSON_AddItemToArray(g_power_json, j);
                }
        }
        have[ki] = 1;
        const cJSON *tg = jget(rep, "target");
        char name[96], note[256];
        fmt(name, sizeof name, "audit with %zu shadows (wall)", ks[ki]);
        fmt(note, sizeof note,
            "%s, workers 2; target train/test accuracy %.3f/%.3f; shadows %.1f s", cfgp,
            jnum(tg, "train_accuracy"), jnum(tg, "test_accuracy"),
            jnum(jget(rep, "shadows"), "wall_s"));
        record_quiet(name, walls[ki], "s", note);
        cJSON_Delete(rep);
    }
    printf(
        "\nattack power against K: XGBoost (100 rounds, depth 6) on spambase, 2301 "
        "members vs 2300 non-members, seed 31 (bench/configs/shadows-xgboost-k*.json)\n");
    printf("| attack | K | AUC | TPR @ 0.1%% FPR | TPR @ 1%% FPR "
           "|\n|---|---|---|---|---|\n");
    for (size_t a = 0; a < N_POWER_ATTACKS; a++)
        for (size_t ki = 0; ki < nk; ki++)
            if (have[ki])
                printf("| %s | %zu | %.4f | %.4f | %.4f |\n", POWER_ATTACKS[a], ks[ki],
                       res[ki][a][0], res[ki][a][1], res[ki][a][2]);
    fflush(stdout);
}

/* ------------------------------------------------------------------------
 * 3. Tightness of the canary audits: correct DP-SGD logistic regression at
 * claimed epsilon 1, 2, 4, 8 (delta 1e-5), the noise multiplier found with
 * the PLD accountant; dirac (white-box) and mislabel (black-box) canaries,
 * m = 1000.  Configs are generated from fixtures/configs/audit-dpsgd-none.json.
 */
struct tight_design {
    const char *name, *what;
    double q;
    unsigned steps;
    double lr, clip;
    /* The noise multipliers for TIGHT_EPS, found by
     *   privaudit account --sampling-rate Q --steps T --delta 1e-5
     *     --target-epsilon E --accountant pld --tolerance 1e-4
     * (each search takes seconds; full mode redoes it and uses its result). */
    double sigma[4];
};

static const struct tight_design DESIGNS[] = {
    {"fixture",
     "q = 0.023 (batch ~64), 435 steps (~10 epochs), as audit-dpsgd-none.json",
     0.023,
     435,
     5.0,
     0.05,
     {1.9964599609375, 1.24395751953125, 0.8804931640625, 0.67181396484375}},
    {"full-batch",
     "q = 1, 20 steps: every step sees every canary",
     1.0,
     20,
     50.0,
     0.05,
     {16.68389892578125, 8.9166259765625, 4.83514404296875, 2.684326171875}},
};
#define N_DESIGNS (sizeof DESIGNS / sizeof DESIGNS[0])

static const double TIGHT_EPS[] = {1, 2, 4, 8};
#define N_TIGHT_EPS (sizeof TIGHT_EPS / sizeof TIGHT_EPS[0])
/* label in the table, canary kind, extra canaries keys, extra target keys */
static const char *const TIGHT_KINDS[][4] = {
    {"dirac", "dirac", ", \"dirac_value\": 10", ""},
    {"dirac, no intercept", "dirac", ", \"dirac_value\": 10", "\"intercept\": false, "},
    {"dirac, all iterates, variance", "dirac", ", \"dirac_value\": 10, \"iterates\": true", ""},
    {"dirac, all iterates, poisson-lr", "dirac",
     ", \"dirac_value\": 10, \"iterates\": true, \"iterates_statistic\": \"poisson-lr\"", ""},
    {"dirac, all iterates, poisson-lr, no intercept", "dirac",
     ", \"dirac_value\": 10, \"iterates\": true, \"iterates_statistic\": \"poisson-lr\"",
     "\"intercept\": false, "},
    {"mislabel", "mislabel", "", ""}};
#define N_TIGHT_KINDS (sizeof TIGHT_KINDS / sizeof TIGHT_KINDS[0])
#define TIGHT_DIRAC 10.0 /* = feature_bound: the canary's input is exactly 1 */
#define TIGHT_BOUND 10.0

static int write_text(const char *path, const char *text)
{
    struct error e;
    return afile_write(path, text, strlen(text), &e);
}

static void bench_tightness(int quick, const char *tmp)
{
    static const unsigned seeds_full[] = {21, 22, 23}, seeds_quick[] = {21};
    const unsigned *seeds = quick ? seeds_quick : seeds_full;
    size_t ns = quick ? 1 : 3;
    char cwd[2048], data[4096];
    if (!getcwd(cwd, sizeof cwd) || access("fixtures/data/spam.csv", R_OK) != 0) {
        fprintf(stderr, "bench: fixtures/data/spam.csv not found\n");
        return;
    }
    fmt(data, sizeof data, "%s/fixtures/data/spam.csv", cwd);
    g_tight_json = cJSON_CreateArray();
    printf(
        "\ntightness of the canary audits: correct DP-SGD logreg on spambase, m = 1000 "
        "canaries, delta 1e-5; bound / claimed epsilon, mean over %zu seed%s "
        "[min, max]\n",
        ns, ns > 1 ? "s" : "");
    printf(
        "| design | canaries | claimed eps | sigma | one-run / eps | one-run-fdp / eps | "
        "gdp / eps (estimate) |\n|---|---|---|---|---|---|---|\n");
    fflush(stdout);
    for (size_t di = 0; di < N_DESIGNS; di++) {
        const struct tight_design *dz = &DESIGNS[di];
        for (size_t ei = 0; ei < N_TIGHT_EPS; ei++) {
            double sigma = dz->sigma[ei];
            struct error e;
            if (!quick) {
                double s = 0;
                if (accountant_noise_for_epsilon(dz->q, dz->steps, 1e-5, TIGHT_EPS[ei],
                                                 ACCOUNTANT_PLD, 1e-4, &s, &e) == 0)
                    sigma = s;
                else
                    fprintf(stderr, "bench: %s; using sigma %g\n", e.msg, sigma);
            }
            for (size_t ci = 0; ci < N_TIGHT_KINDS; ci++) {
                double sum[3] = {0, 0, 0}, lo[3], hi[3], claim = NAN;
                for (int t = 0; t < 3; t++) {
                    lo[t] = INFINITY;
                    hi[t] = -INFINITY;
                }
                size_t got = 0, rejected = 0;
                for (size_t si = 0; si < ns; si++) {
                    char cfgp[4096], out[4096], text[2048];
                    fmt(cfgp, sizeof cfgp, "%s/tight-%s-eps%g-c%zu-s%u.json", tmp, dz->name,
                        TIGHT_EPS[ei], ci, seeds[si]);
                    fmt(out, sizeof out, "%s/tight-%s-eps%g-c%zu-s%u", tmp, dz->name,
                        TIGHT_EPS[ei], ci, seeds[si]);
                    fmt(text, sizeof text,
                        "{\n  \"name\": \"bench: tightness, DP-SGD logreg, %s design, "
                        "claimed epsilon %g, %s canaries\",\n"
                        "  \"seed\": %u,\n  \"data\": {\"path\": \"%s\"},\n"
                        "  \"target\": {\"kind\": \"logreg\", \"optimizer\": \"sgd\", "
                        "\"learning_rate\": %g, \"l2\": 0, %s\n"
                        "             \"preprocess\": \"bound\", \"feature_bound\": %g,\n"
                        "             \"dp\": {\"noise_multiplier\": %.17g, "
                        "\"clip_norm\": %g, \"sampling_rate\": %g,\n"
                        "                    \"steps\": %u, \"delta\": 1e-5, "
                        "\"fault\": \"none\"}},\n"
                        "  \"attacks\": [\"loss\"],\n"
                        "  \"canaries\": {\"kind\": \"%s\", \"count\": 1000%s}\n}\n",
                        dz->name, TIGHT_EPS[ei], TIGHT_KINDS[ci][0], seeds[si], data, dz->lr,
                        TIGHT_KINDS[ci][3], TIGHT_BOUND, sigma, dz->clip, dz->q, dz->steps,
                        TIGHT_KINDS[ci][1], TIGHT_KINDS[ci][2]);
                    cJSON *rep = NULL;
                    double wall = 0;
                    if (write_text(cfgp, text) || run_audit(cfgp, out, 1, &rep, &wall))
                        continue;
                    double b[3] = {NAN, NAN, NAN};
                    const cJSON *bo;
                    cJSON_ArrayForEach(bo, jget(rep, "bounds"))
                    {
                        const char *m = cJSON_GetStringValue(jget(bo, "method"));
                        if (!m)
                            continue;
                        if (strcmp(m, "one-run") == 0 &&
                            cJSON_IsTrue(jget(bo, "decides")))
                            b[0] = jnum(bo, "epsilon_lower_bound");
                        else if (strcmp(m, "one-run-fdp") == 0)
                            b[1] = jnum(bo, "epsilon_lower_bound");
                        else if (strcmp(m, "gdp") == 0)
                            b[2] = jnum(bo, "epsilon_lower_bound");
                        else if (strcmp(m, "one-run-fdp-curve") == 0 &&
                                 cJSON_IsTrue(jget(bo, "rejected")))
                            rejected++;
                    }
                    claim = jnum(jget(jget(rep, "verdict"), "claim"), "epsilon");
                    cJSON *j = cJSON_CreateObject();
                    cJSON_AddStringToObject(j, "design", dz->name);
                    cJSON_AddStringToObject(j, "canaries", TIGHT_KINDS[ci][0]);
                    cJSON_AddNumberToObject(j, "seed", seeds[si]);
                    cJSON_AddNumberToObject(j, "target_epsilon", TIGHT_EPS[ei]);
                    cJSON_AddNumberToObject(j, "claimed_epsilon", claim);
                    cJSON_AddNumberToObject(j, "noise_multiplier", sigma);
                    cJSON_AddNumberToObject(j, "sampling_rate", dz->q);
                    cJSON_AddNumberToObject(j, "steps", dz->steps);
                    cJSON_AddNumberToObject(j, "learning_rate", dz->lr);
                    cJSON_AddNumberToObject(j, "clip_norm", dz->clip);
                    cJSON_AddNumberToObject(j, "one_run", b[0]);
                    cJSON_AddNumberToObject(j, "one_run_fdp", b[1]);
                    cJSON_AddNumberToObject(j, "gdp", b[2]);
                    cJSON_AddNumberToObject(j, "one_run_ratio", b[0] / claim);
                    cJSON_AddNumberToObject(j, "one_run_fdp_ratio", b[1] / claim);
                    cJSON_AddNumberToObject(j, "gdp_ratio", b[2] / claim);
                    cJSON_AddStringToObject(
                        j, "verdict",
                        cJSON_GetStringValue(jget(jget(rep, "verdict"), "status")));
                    cJSON_AddNumberToObject(j, "test_accuracy",
                                            jnum(jget(rep, "target"), "test_accuracy"));
                    cJSON_AddItemToArray(g_tight_json, j);
                    cJSON_Delete(rep);
                    for (int t = 0; t < 3; t++) {
                        double r = b[t] / claim;
                        sum[t] += r;
                        lo[t] = fmin(lo[t], r);
                        hi[t] = fmax(hi[t], r);
                    }
                    got++;
                }
                if (!got)
                    continue;
                char cell[3][64];
                for (int t = 0; t < 3; t++) {
                    if (got > 1)
                        fmt(cell[t], sizeof cell[t], "%.3f [%.3f, %.3f]",
                            sum[t] / (double)got, lo[t], hi[t]);
                    else
                        fmt(cell[t], sizeof cell[t], "%.3f", sum[t]);
                }
                printf("| %s | %s | %.3f | %.4f | %s | %s | %s |%s\n", dz->name,
                       TIGHT_KINDS[ci][0], claim, sigma, cell[0], cell[1], cell[2],
                       rejected ? " curve rejected!" : "");
                fflush(stdout);
                char name[96], note[256];
                fmt(name, sizeof name, "tightness %s %s eps %g: one-run-fdp/eps",
                    dz->name, TIGHT_KINDS[ci][0], TIGHT_EPS[ei]);
                fmt(note, sizeof note,
                    "mean of %zu seeds; one-run/eps %.3f, gdp/eps %.3f; sigma %.4f", got,
                    sum[0] / (double)got, sum[2] / (double)got, sigma);
                record_quiet(name, sum[1] / (double)got, "ratio", note);
            }
        }
    }
    for (size_t di = 0; di < N_DESIGNS; di++)
        printf("  %s: %s; learning rate %g, clip norm %g, feature_bound %g, dirac_value "
               "%g\n",
               DESIGNS[di].name, DESIGNS[di].what, DESIGNS[di].lr, DESIGNS[di].clip,
               TIGHT_BOUND, TIGHT_DIRAC);
    fflush(stdout);
}

/* ------------------------------------------------------------------------
 * 4. The batch-sampler audit (docs/bounds.md, "Auditing the batch sampler"):
 * fixtures/configs/audit-dpsgd-{none,shuffle}-multirun.json at several seeds;
 * the deciding multi-run Clopper-Pearson bound against the claim.
 */
static void bench_sampler(int quick, const char *tmp)
{
    static const unsigned seeds_full[] = {21, 1, 2, 3, 4, 5}, seeds_quick[] = {21};
    const unsigned *seeds = quick ? seeds_quick : seeds_full;
    size_t ns = quick ? 1 : 6;
    static const char *const faults[] = {"none", "shuffle"};
    char base[2048];
    if (!getcwd(base, sizeof base) ||
        access("fixtures/configs/audit-dpsgd-shuffle-multirun.json", R_OK) != 0) {
        fprintf(stderr, "bench: fixtures/configs/audit-dpsgd-shuffle-multirun.json not found\n");
        return;
    }
    g_sampler_json = cJSON_CreateArray();
    printf("\nbatch-sampler audit: multi-run (1000 + 1000 trainings), all iterates, "
           "epoch-max, two-point data; clopper-pearson-multirun bound\n"
           "| fault | claimed eps | bound mean [min, max] | curve rejected | violated | "
           "seconds per audit |\n|---|---|---|---|---|---|\n");
    fflush(stdout);
    for (size_t fi = 0; fi < 2; fi++) {
        double sum = 0, lo = INFINITY, hi = -INFINITY, claim = NAN, secs = 0;
        size_t got = 0, violated = 0, curve = 0;
        for (size_t si = 0; si < ns; si++) {
            char src[4096], cfgp[4096], out[4096];
            fmt(src, sizeof src, "%s/fixtures/configs/audit-dpsgd-%s-multirun.json", base,
                faults[fi]);
            fmt(cfgp, sizeof cfgp, "%s/sampler-%s-s%u.json", tmp, faults[fi], seeds[si]);
            fmt(out, sizeof out, "%s/sampler-%s-s%u", tmp, faults[fi], seeds[si]);
            char *text = NULL;
            size_t len = 0;
            struct error e;
            if (afile_read_all(src, &text, &len, &e)) {
                fprintf(stderr, "bench: %s\n", e.msg);
                return;
            }
            cJSON *c = cJSON_Parse(text);
            free(text);
            char data[4096];
            fmt(data, sizeof data, "%s/fixtures/data/twopoint.csv", base);
            cJSON_ReplaceItemInObject(c, "seed", cJSON_CreateNumber(seeds[si]));
            cJSON_ReplaceItemInObject(cJSON_GetObjectItemCaseSensitive(c, "data"), "path",
                                      cJSON_CreateString(data));
            char *ctext = cJSON_Print(c);
            cJSON_Delete(c);
            cJSON *rep = NULL;
            double wall = 0;
            int bad = !ctext || write_text(cfgp, ctext) || run_audit(cfgp, out, 1, &rep, &wall);
            free(ctext);
            if (bad)
                continue;
            double b = NAN;
            const cJSON *bo;
            cJSON_ArrayForEach(bo, jget(rep, "bounds"))
            {
                const char *m = cJSON_GetStringValue(jget(bo, "method"));
                if (m && strcmp(m, "clopper-pearson-multirun") == 0)
                    b = jnum(bo, "epsilon_lower_bound");
                else if (m && strcmp(m, "multirun-fdp-curve") == 0)
                    curve += cJSON_IsTrue(jget(bo, "rejected"));
            }
            claim = jnum(jget(jget(rep, "verdict"), "claim"), "epsilon");
            const char *st = cJSON_GetStringValue(jget(jget(rep, "verdict"), "status"));
            violated += st && strcmp(st, "violated") == 0;
            cJSON *j = cJSON_CreateObject();
            cJSON_AddStringToObject(j, "fault", faults[fi]);
            cJSON_AddNumberToObject(j, "seed", seeds[si]);
            cJSON_AddNumberToObject(j, "claimed_epsilon", claim);
            cJSON_AddNumberToObject(j, "clopper_pearson_multirun", b);
            cJSON_AddStringToObject(j, "verdict", st ? st : "?");
            cJSON_AddNumberToObject(j, "seconds", wall);
            cJSON_AddItemToArray(g_sampler_json, j);
            cJSON_Delete(rep);
            sum += b;
            lo = fmin(lo, b);
            hi = fmax(hi, b);
            secs += wall;
            got++;
        }
        if (!got)
            continue;
        printf("| %s | %.3f | %.3f [%.3f, %.3f] | %zu of %zu | %zu of %zu | %.1f |\n",
               faults[fi], claim, sum / (double)got, lo, hi, curve, got, violated, got,
               secs / (double)got);
        fflush(stdout);
        char name[96], note[160];
        fmt(name, sizeof name, "batch-sampler audit, fault %s: bound", faults[fi]);
        fmt(note, sizeof note, "mean of %zu seeds; claim %.3f; violated in %zu", got, claim,
            violated);
        record_quiet(name, sum / (double)got, "epsilon", note);
    }
}

static double now_wall_s(void)
{
    return now_s();
}

int main(int argc, char **argv)
{
    int quick = 0;
    const char *out = "bench/results.json", *keep = NULL;
    if (argc == 6 && strcmp(argv[1], "--shadow-child") == 0) {
        openblas_set_num_threads(1);
        jsonx_init();
        return shadow_child(argv + 2);
    }
    if (argc == 5 && strcmp(argv[1], "--plain-child") == 0) {
        openblas_set_num_threads(1);
        jsonx_init();
        return plain_child(argv + 2);
    }
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--quick") == 0)
            quick = 1;
        else if (strcmp(argv[i], "--out") == 0 && i + 1 < argc)
            out = argv[++i];
        else if (strcmp(argv[i], "--keep") == 0 && i + 1 < argc)
            keep = argv[++i];
        else {
            fprintf(stderr,
                    "usage: privaudit-bench [--quick] [--out FILE] [--keep DIR]\n");
            return 2;
        }
    }
    openblas_set_num_threads(1);
    jsonx_init();
    double t_start = now_wall_s();
    /* The engine children are this binary again. */
    char self[4096];
    ssize_t sl = readlink("/proc/self/exe", self, sizeof self - 1);
    if (sl > 0)
        self[sl] = '\0';
    else
        fmt(self, sizeof self, "%s", argv[0]);
    char tmp[4096];
    struct error e;
    if (keep) {
        fmt(tmp, sizeof tmp, "%s", keep);
        if (afile_mkdirs(tmp, &e)) {
            fprintf(stderr, "bench: %s\n", e.msg);
            return 1;
        }
    } else {
        const char *td = getenv("TMPDIR");
        fmt(tmp, sizeof tmp, "%s/privaudit-bench-XXXXXX", td && *td ? td : "/tmp");
        if (!mkdtemp(tmp)) {
            fprintf(stderr, "bench: cannot create a temporary directory: %s\n",
                    strerror(errno));
            return 1;
        }
    }
    printf("privaudit-bench (%s mode)\n", quick ? "quick" : "full");
    printf("%-44s %14s %-12s %s\n", "benchmark", "value", "unit", "setting");
    bench_xgboost(quick);
    bench_metrics(quick);
    bench_dpsgd(quick);
    bench_accountants(quick);
    double t_sec = now_wall_s();
    bench_shadow_engine(quick, self, tmp);
    printf("(shadow engine section: %.0f s)\n", now_wall_s() - t_sec);
    t_sec = now_wall_s();
    bench_attack_power(quick, tmp);
    printf("(attack power section: %.0f s)\n", now_wall_s() - t_sec);
    t_sec = now_wall_s();
    bench_tightness(quick, tmp);
    printf("(tightness section: %.0f s)\n", now_wall_s() - t_sec);
    t_sec = now_wall_s();
    bench_sampler(quick, tmp);
    printf("(batch-sampler section: %.0f s)\n", now_wall_s() - t_sec);
    if (!keep)
        rm_tree(tmp);
    else
        printf("\ngenerated configs and reports kept in %s\n", tmp);
    cJSON *o = cJSON_CreateObject();
    char ver[32];
    xgbm_version(ver, sizeof ver);
    cJSON_AddStringToObject(o, "mode", quick ? "quick" : "full");
    cJSON_AddStringToObject(o, "xgboost", ver);
    cJSON_AddStringToObject(o, "openblas", openblas_get_config());
    cJSON_AddNumberToObject(o, "cores", (double)sysconf(_SC_NPROCESSORS_ONLN));
    cJSON *arr = cJSON_AddArrayToObject(o, "results");
    for (size_t i = 0; i < n_rows; i++) {
        cJSON *r = cJSON_CreateObject();
        cJSON_AddStringToObject(r, "name", rows[i].name);
        cJSON_AddNumberToObject(r, "value", rows[i].value);
        cJSON_AddStringToObject(r, "unit", rows[i].unit);
        cJSON_AddStringToObject(r, "setting", rows[i].note);
        cJSON_AddItemToArray(arr, r);
    }
    if (g_engine_json)
        cJSON_AddItemToObject(o, "shadow_engine", g_engine_json);
    if (g_power_json)
        cJSON_AddItemToObject(o, "attack_power", g_power_json);
    if (g_tight_json)
        cJSON_AddItemToObject(o, "tightness", g_tight_json);
    if (g_sampler_json)
        cJSON_AddItemToObject(o, "batch_sampler", g_sampler_json);
    cJSON_AddNumberToObject(o, "total_s", now_wall_s() - t_start);
    char *text = cJSON_Print(o);
    int rc = 0;
    if (!text || afile_write(out, text, strlen(text), &e)) {
        fprintf(stderr, "bench: cannot write %s\n", out);
        rc = 1;
    } else {
        printf("\nwrote %s (%.0f s)\n", out, now_wall_s() - t_start);
    }
    free(text);
    cJSON_Delete(o);
    return rc;
}

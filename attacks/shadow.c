/*
 * attacks/shadow.c - the shadow model engine (see shadow.h).
 */
#include "attacks/shadow.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "attacks/scores.h"
#include "core/afile.h"
#include "core/jsonx.h"
#include "core/rng.h"
#include "core/sha256.h"
#include "targets/xgbm.h"

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

const char *const shadow_stat_names[SHADOW_STAT_N] = {
    "phi", "neg-loss", "confidence", "neg-entropy", "neg-modified-entropy"};

double shadow_statistic(enum shadow_stat st, const double *p, size_t k, size_t y)
{
    switch (st) {
    case SHADOW_STAT_NEG_LOSS:
        return -scores_loss(p, k, y);
    case SHADOW_STAT_CONFIDENCE:
        return scores_confidence(p, k, y);
    case SHADOW_STAT_NEG_ENTROPY:
        return -scores_entropy(p, k);
    case SHADOW_STAT_NEG_MENTR:
        return -scores_modified_entropy(p, k, y);
    default:
        return scores_logit_confidence(p, k, y);
    }
}

void shadow_top_probs(const double *p, size_t c, size_t t, float *out)
{
    /* t is small (a few classes): selection by repeated maxima, ties by the
     * lower class index, so the result is a pure function of p. */
    uint64_t used = 0;
    for (size_t r = 0; r < t; r++) {
        size_t best = SIZE_MAX;
        for (size_t j = 0; j < c && j < 64; j++)
            if (!(used >> j & 1) && (best == SIZE_MAX || p[j] > p[best]))
                best = j;
        if (best == SIZE_MAX) {
            out[r] = 0.0f;
            continue;
        }
        used |= 1ULL << best;
        out[r] = (float)p[best];
    }
}

void shadow_masks(uint64_t seed, size_t n_pool, size_t k, uint8_t *in)
{
    struct rng r;
    rng_derive(&r, seed, SHADOW_STREAM_MASKS);
    size_t *perm = malloc(k * sizeof *perm);
    for (size_t i = 0; i < n_pool; i++) {
        uint8_t *row = in + i * k;
        memset(row, 0, k);
        if (perm) {
            rng_permutation(&r, perm, k);
            for (size_t t = 0; t < k / 2; t++)
                row[perm[t]] = 1;
        } else {
            /* Out of memory for k indices: a partial Fisher-Yates on the row
             * itself gives the same distribution. */
            for (size_t t = 0; t < k / 2; t++)
                row[t] = 1;
            for (size_t t = k; t > 1; t--) {
                size_t u = (size_t)rng_below(&r, t);
                uint8_t x = row[t - 1];
                row[t - 1] = row[u];
                row[u] = x;
            }
        }
    }
    free(perm);
}

struct engine {
    const struct shadow_spec *spec;
    struct xgbm_pool *xpool;  /* XGBoost: the pool's DMatrix, sliced per job */
    struct score_matrix *out;
    const uint8_t *masks;   /* n_pool x k */
    uint8_t *done;          /* k: 1 when the column is filled */
    pthread_mutex_t lock;
    size_t next, finished;
    int rc;
    struct error err;
    struct shadow_stats *stats;
};

static void column_path(char *buf, size_t cap, const char *dir, size_t j,
                        const char *ext)
{
    snprintf(buf, cap, "%s/shadow-%04zu.%s", dir, j, ext);
}

/* Train shadow j, score the pool, store (and write) its column. */
static int run_job(struct engine *e, size_t j, float *stat, uint8_t *in,
                   size_t *rows, double *probs, struct error *err)
{
    const struct shadow_spec *s = e->spec;
    size_t n = s->n_pool, k = s->k, nr = 0;
    for (size_t i = 0; i < n; i++) {
        in[i] = e->masks[i * k + j];
        if (in[i])
            rows[nr++] = s->pool[i];
    }
    struct rng r;
    rng_derive(&r, s->seed, SHADOW_STREAM_JOB(j));
    uint64_t seed = rng_next(&r);
    struct model *m = NULL;
    double t0 = now_s(), t1, t2;
    int rc = 0;
    size_t c = s->ds->schema.n_classes;
    if (e->xpool) {
        /* Positions in the pool, not rows of ds: the pool's DMatrix is
         * sliced (increasing positions, as the mask gives them). */
        int *idx = (int *)rows;
        for (size_t i = 0, w = 0; i < n; i++)
            if (in[i])
                idx[w++] = (int)i;
        void *impl = NULL;
        rc = xgbm_pool_train_predict(e->xpool, s->params, idx, nr, seed, probs,
                                     s->keep_models && s->work_dir ? &impl : NULL, err);
        t1 = t2 = now_s();
        if (rc == 0 && impl) {
            struct model wrap = {&xgbm_ops, impl, c, s->ds->n_features};
            char path[4096];
            column_path(path, sizeof path, s->work_dir, j, "model");
            rc = model_save(&wrap, path, err);
            xgbm_ops.free(impl);
        }
        if (rc) {
            error_prefix(err, "training shadow %zu: ", j);
            return rc;
        }
    } else {
        rc = model_train(&m, s->ops, s->params, s->ds, rows, nr, seed, err);
        if (rc) {
            error_prefix(err, "training shadow %zu: ", j);
            return rc;
        }
        t1 = now_s();
        rc = model_predict_rows(m, s->ds, s->pool, n, probs, err);
        t2 = now_s();
        c = m->n_classes;
    }
    for (size_t i = 0; rc == 0 && i < n; i++)
        stat[i] = (float)shadow_statistic(s->statistic, probs + i * c, c,
                                          (size_t)s->ds->y[s->pool[i]]);
    if (rc == 0 && m && s->work_dir && s->keep_models) {
        char path[4096];
        column_path(path, sizeof path, s->work_dir, j, "model");
        rc = model_save(m, path, err);
    }
    model_free(m);
    if (rc)
        return rc;
    float *top = NULL;
    if (s->aux_top) {
        size_t tt = s->aux_top;
        if (!(top = malloc(n * tt * sizeof *top)))
            return error_set(err, ERR_NOMEM, "out of memory");
        for (size_t i = 0; i < n; i++)
            shadow_top_probs(probs + i * c, c, tt, top + i * tt);
        if (s->work_dir) {
            struct score_matrix tm;
            if ((rc = score_matrix_init(&tm, n, tt, err))) {
                free(top);
                return rc;
            }
            memcpy(tm.stat, top, n * tt * sizeof *top);
            memset(tm.in, 0, n * tt);
            char path[4096];
            column_path(path, sizeof path, s->work_dir, j, "top.pamx");
            rc = score_matrix_save(&tm, path, err);
            score_matrix_release(&tm);
            if (rc) {
                free(top);
                return rc;
            }
        }
    }
    if (s->work_dir) {
        struct score_matrix col;
        if ((rc = score_matrix_init(&col, n, 1, err))) {
            free(top);
            return rc;
        }
        rc = score_matrix_set_column(&col, 0, stat, in, err);
        char path[4096];
        column_path(path, sizeof path, s->work_dir, j, "pamx");
        if (rc == 0)
            rc = score_matrix_save(&col, path, err);
        score_matrix_release(&col);
        if (rc) {
            free(top);
            return rc;
        }
    }
    pthread_mutex_lock(&e->lock);
    rc = score_matrix_set_column(e->out, j, stat, in, err);
    if (top)
        memcpy(s->aux + j * n * s->aux_top, top, n * s->aux_top * sizeof *top);
    free(top);
    e->stats->train_s += t1 - t0;
    e->stats->predict_s += t2 - t1;
    e->stats->trained++;
    e->finished++;
    if (s->progress)
        s->progress(s->progress_ctx, e->finished, k, true);
    pthread_mutex_unlock(&e->lock);
    return rc;
}

static void *worker(void *arg)
{
    struct engine *e = arg;
    const struct shadow_spec *s = e->spec;
    size_t n = s->n_pool;
    size_t k_cls = s->ds->schema.n_classes;
    float *stat = malloc(n * sizeof *stat);
    uint8_t *in = malloc(n);
    size_t *rows = malloc(n * sizeof *rows);
    double *probs = malloc(n * (k_cls > 2 ? k_cls : 2) * sizeof *probs);
    struct error err;
    error_clear(&err);
    int rc = 0;
    if (!stat || !in || !rows || !probs)
        rc = error_set(&err, ERR_NOMEM, "out of memory in a shadow worker");
    while (rc == 0) {
        pthread_mutex_lock(&e->lock);
        while (e->next < s->k && e->done[e->next])
            e->next++;
        size_t j = e->next < s->k && e->rc == 0 ? e->next++ : s->k;
        pthread_mutex_unlock(&e->lock);
        if (j >= s->k)
            break;
        rc = run_job(e, j, stat, in, rows, probs, &err);
    }
    if (rc) {
        pthread_mutex_lock(&e->lock);
        if (e->rc == 0) {
            e->rc = rc;
            e->err = err;
        }
        pthread_mutex_unlock(&e->lock);
    }
    free(stat);
    free(in);
    free(rows);
    free(probs);
    return NULL;
}

/* What the columns in the work directory belong to. */
static char *manifest_text(const struct shadow_spec *s)
{
    struct sha256 h;
    uint8_t d[32];
    char pool_hex[65];
    sha256_init(&h);
    for (size_t i = 0; i < s->n_pool; i++) {
        uint64_t v = s->pool[i];
        uint8_t b[8];
        for (int t = 0; t < 8; t++)
            b[t] = (uint8_t)(v >> (8 * t));
        sha256_update(&h, b, 8);
    }
    sha256_update(&h, s->ds->sha256, strlen(s->ds->sha256));
    if (s->eligible)
        sha256_update(&h, s->eligible, s->n_pool);
    sha256_final(&h, d);
    for (int i = 0; i < 32; i++)
        snprintf(pool_hex + 2 * i, 3, "%02x", d[i]);
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    cJSON_AddStringToObject(o, "format", "privaudit-shadows");
    cJSON_AddNumberToObject(o, "version", 1);
    cJSON_AddNumberToObject(o, "seed", (double)s->seed);
    cJSON_AddNumberToObject(o, "shadows", (double)s->k);
    cJSON_AddNumberToObject(o, "pool_rows", (double)s->n_pool);
    cJSON_AddStringToObject(o, "pool_sha256", pool_hex);
    cJSON_AddStringToObject(o, "data_sha256", s->ds->sha256);
    cJSON_AddStringToObject(o, "kind", s->ops->kind);
    cJSON_AddStringToObject(o, "params", s->params_json ? s->params_json : "");
    cJSON_AddStringToObject(o, "statistic", shadow_stat_names[s->statistic]);
    char *text = cJSON_Print(o);
    cJSON_Delete(o);
    return text;
}

static int check_manifest(const struct shadow_spec *s, const char *want, bool *fresh,
                          struct error *err)
{
    char path[4096];
    snprintf(path, sizeof path, "%s/manifest.json", s->work_dir);
    *fresh = true;
    if (access(path, F_OK) != 0 || !s->resume)
        return afile_write(path, want, strlen(want), err);
    char *have = NULL;
    size_t len = 0;
    int rc = afile_read_all(path, &have, &len, err);
    if (rc)
        return rc;
    bool same = strcmp(have, want) == 0;
    free(have);
    if (!same)
        return error_set(err, ERR_INPUT,
                         "%s: the work directory belongs to a different audit (seed, "
                         "shadows, data, pool or target parameters differ); use another "
                         "--work directory or run without --resume", path);
    *fresh = false;
    return 0;
}

int shadow_run(const struct shadow_spec *s, size_t extra_columns,
               struct score_matrix *out, struct shadow_stats *stats,
               struct error *err)
{
    memset(stats, 0, sizeof *stats);
    memset(out, 0, sizeof *out);
    if (s->k < 2 || s->k % 2)
        return error_set(err, ERR_INPUT, "shadows.count: expected an even number >= 2, "
                                         "got %zu", s->k);
    if (s->n_pool < 2)
        return error_set(err, ERR_INPUT, "shadows: the pool has %zu rows", s->n_pool);
    if (s->workers < 1)
        return error_set(err, ERR_INPUT, "--workers: expected an integer >= 1");
    double t0 = now_s();
    int rc = score_matrix_init(out, s->n_pool, s->k + extra_columns, err);
    if (rc)
        return rc;
    uint8_t *masks = malloc(s->n_pool * s->k);
    uint8_t *done = calloc(s->k, 1);
    uint8_t *col_in = malloc(s->n_pool);
    char *manifest = NULL;
    pthread_t *th = NULL;
    size_t started = 0;
    struct engine e;
    memset(&e, 0, sizeof e);
    if (!masks || !done || !col_in) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    shadow_masks(s->seed, s->n_pool, s->k, masks);
    if (s->eligible)
        for (size_t i = 0; i < s->n_pool; i++)
            if (!s->eligible[i])
                memset(masks + i * s->k, 0, s->k);
    e.spec = s;
    e.out = out;
    e.masks = masks;
    e.done = done;
    e.stats = stats;
    pthread_mutex_init(&e.lock, NULL);
    if (s->work_dir) {
        if ((rc = afile_mkdirs(s->work_dir, err)))
            goto cleanup_lock;
        if (!(manifest = manifest_text(s))) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup_lock;
        }
        bool fresh = true;
        if ((rc = check_manifest(s, manifest, &fresh, err)))
            goto cleanup_lock;
        for (size_t j = 0; !fresh && j < s->k; j++) {
            char path[4096];
            column_path(path, sizeof path, s->work_dir, j, "pamx");
            if (access(path, F_OK) != 0)
                continue;
            if (s->aux_top) {
                /* The job's sorted probabilities too; without them the job is
                 * run again (it rewrites the same column). */
                char tpath[4096];
                column_path(tpath, sizeof tpath, s->work_dir, j, "top.pamx");
                if (access(tpath, F_OK) != 0)
                    continue;
                struct score_matrix tm;
                if ((rc = score_matrix_load(&tm, tpath, err)))
                    goto cleanup_lock;
                if (tm.n_examples != s->n_pool || tm.n_models != s->aux_top) {
                    score_matrix_release(&tm);
                    rc = error_set(err, ERR_INPUT, "%s: has %zu x %zu values, expected "
                                   "%zu x %zu", tpath, tm.n_examples, tm.n_models,
                                   s->n_pool, s->aux_top);
                    goto cleanup_lock;
                }
                memcpy(s->aux + j * s->n_pool * s->aux_top, tm.stat,
                       s->n_pool * s->aux_top * sizeof *tm.stat);
                score_matrix_release(&tm);
            }
            if ((rc = score_matrix_load_column(out, j, path, err)))
                goto cleanup_lock;
            /* The IN bits must be the design's: a column from other masks
             * would silently mix two audits. */
            score_matrix_get_column(out, j, NULL, col_in, err);
            for (size_t i = 0; i < s->n_pool; i++)
                if (col_in[i] != masks[i * s->k + j]) {
                    rc = error_set(err, ERR_INPUT,
                                   "%s: its IN bits differ from this audit's design", path);
                    goto cleanup_lock;
                }
            done[j] = 1;
            stats->resumed++;
            e.finished++;
            if (s->progress)
                s->progress(s->progress_ctx, e.finished, s->k, false);
        }
    }
    if (s->ops == &xgbm_ops && e.finished < s->k &&
        (rc = xgbm_pool_new(&e.xpool, s->ds, s->pool, s->n_pool, err)))
        goto cleanup_lock;
    size_t nw = (size_t)s->workers;
    if (nw > s->k)
        nw = s->k;
    th = calloc(nw, sizeof *th);
    if (!th) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup_lock;
    }
    for (; started < nw; started++)
        if (pthread_create(&th[started], NULL, worker, &e) != 0)
            break;
    if (started == 0) {
        rc = error_set(err, ERR_INTERNAL, "cannot start shadow worker threads");
        goto cleanup_lock;
    }
    for (size_t t = 0; t < started; t++)
        pthread_join(th[t], NULL);
    if (e.rc) {
        rc = e.rc;
        *err = e.err;
    }
cleanup_lock:
    xgbm_pool_free(e.xpool);
    pthread_mutex_destroy(&e.lock);
cleanup:
    stats->wall_s = now_s() - t0;
    free(th);
    free(masks);
    free(done);
    free(col_in);
    cJSON_free(manifest);
    if (rc)
        score_matrix_release(out);
    return rc;
}

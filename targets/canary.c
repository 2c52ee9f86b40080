/*
 * targets/canary.c - canary generation (see canary.h).
 */
#include "targets/canary.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const canary_kind_names[CANARY_N] = {"mislabel", "ood", "dirac"};
const char *const canary_iter_stat_names[CANARY_ITER_N] = {"variance", "epoch-max",
                                                            "poisson-lr"};

void canary_release(struct canary_set *cs)
{
    if (!cs)
        return;
    free(cs->x);
    free(cs->y);
    free(cs->coin);
    free(cs->source);
    free(cs->orig_y);
    memset(cs, 0, sizeof *cs);
}

/* Column means and standard deviations of the population rows. */
static int column_stats(const struct dataset *ds, const size_t *rows, size_t n,
                        double *mean, double *sd)
{
    size_t d = ds->n_features;
    for (size_t j = 0; j < d; j++) {
        double s = 0, s2 = 0;
        size_t c = 0;
        for (size_t i = 0; i < n; i++) {
            float v = ds->x[rows[i] * d + j];
            if (isnan(v))
                continue;
            s += v;
            c++;
        }
        mean[j] = c ? s / (double)c : 0.0;
        for (size_t i = 0; i < n; i++) {
            float v = ds->x[rows[i] * d + j];
            if (!isnan(v))
                s2 += ((double)v - mean[j]) * ((double)v - mean[j]);
        }
        sd[j] = c > 1 ? sqrt(s2 / (double)(c - 1)) : 0.0;
        if (!(sd[j] > 0))
            sd[j] = 1.0; /* constant column: unit steps */
    }
    return 0;
}

int canary_generate(struct canary_set *cs, const struct canary_opts *o,
                    const struct dataset *ds, const size_t *population,
                    size_t n_pop, struct rng *gen, struct rng *coins,
                    struct error *err)
{
    memset(cs, 0, sizeof *cs);
    size_t m = o->m, k = ds->schema.n_classes;
    if (m < 2)
        return error_set(err, ERR_INPUT, "canaries.count: need at least 2 canaries");
    if (k < 2)
        return error_set(err, ERR_INPUT, "canaries: the data has a single class");
    size_t d = ds->n_features;
    if (o->kind == CANARY_DIRAC && d < m)
        return error_set(err, ERR_INTERNAL, "canary_generate: dirac data not widened");
    if (o->kind == CANARY_MISLABEL && n_pop < m)
        return error_set(err, ERR_INPUT,
                         "canaries.count: %zu mislabel canaries need as many population "
                         "rows; only %zu are not trained on", m, n_pop);
    if (o->kind == CANARY_OOD && n_pop < 2)
        return error_set(err, ERR_INPUT, "canaries: ood canaries need population rows");
    cs->kind = o->kind;
    cs->m = m;
    cs->d = d;
    cs->x = calloc(m * d, sizeof *cs->x);
    cs->y = malloc(m * sizeof *cs->y);
    cs->coin = malloc(m);
    cs->source = malloc(m * sizeof *cs->source);
    cs->orig_y = malloc(m * sizeof *cs->orig_y);
    double *mean = NULL, *sd = NULL, *u = NULL;
    size_t *perm = NULL;
    int rc = 0;
    if (!cs->x || !cs->y || !cs->coin || !cs->source || !cs->orig_y) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    for (size_t j = 0; j < m; j++)
        cs->coin[j] = (uint8_t)(rng_next(coins) >> 63);
    switch (o->kind) {
    case CANARY_MISLABEL:
        perm = malloc(n_pop * sizeof *perm);
        if (!perm) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        rng_permutation(gen, perm, n_pop);
        for (size_t j = 0; j < m; j++) {
            size_t r = population[perm[j]];
            memcpy(cs->x + j * d, ds->x + r * d, d * sizeof *cs->x);
            int32_t y0 = ds->y[r];
            int32_t nl = (int32_t)rng_below(gen, k - 1);
            cs->y[j] = nl >= y0 ? nl + 1 : nl;
            cs->source[j] = r;
            cs->orig_y[j] = y0;
        }
        break;
    case CANARY_OOD:
        mean = malloc(d * sizeof *mean);
        sd = malloc(d * sizeof *sd);
        u = malloc(d * sizeof *u);
        if (!mean || !sd || !u) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        column_stats(ds, population, n_pop, mean, sd);
        for (size_t j = 0; j < m; j++) {
            double nrm = 0;
            for (size_t c = 0; c < d; c++) {
                u[c] = rng_normal(gen);
                nrm += u[c] * u[c];
            }
            nrm = sqrt(nrm);
            for (size_t c = 0; c < d; c++)
                cs->x[j * d + c] = (float)(mean[c] + o->ood_norm * sd[c] * u[c] / nrm);
            cs->y[j] = (int32_t)rng_below(gen, k);
            cs->source[j] = SIZE_MAX;
            cs->orig_y[j] = -1;
        }
        break;
    default: /* dirac: the last m columns are the canary columns */
        for (size_t j = 0; j < m; j++) {
            cs->x[j * d + (d - m) + j] = (float)o->dirac_value;
            cs->y[j] = (int32_t)rng_below(gen, k);
            cs->source[j] = SIZE_MAX;
            cs->orig_y[j] = -1;
        }
        break;
    }
cleanup:
    free(mean);
    free(sd);
    free(u);
    free(perm);
    if (rc)
        canary_release(cs);
    return rc;
}

int canary_widen(struct dataset *dst, const struct dataset *ds, size_t m,
                 struct error *err)
{
    memset(dst, 0, sizeof *dst);
    size_t n = ds->n_rows, d = ds->n_features, w = d + m;
    int rc = schema_copy(&dst->schema, &ds->schema, err);
    if (rc)
        return rc;
    struct column *cols = realloc(dst->schema.features, w * sizeof *cols);
    dst->x = calloc((n * w) > 0 ? n * w : 1, sizeof *dst->x);
    dst->y = malloc((n ? n : 1) * sizeof *dst->y);
    if (!cols || !dst->x || !dst->y) {
        if (cols)
            dst->schema.features = cols;
        dataset_release(dst);
        return error_set(err, ERR_NOMEM, "out of memory");
    }
    dst->schema.features = cols;
    for (size_t j = d; j < w; j++) {
        char name[32];
        snprintf(name, sizeof name, "canary_%zu", j - d + 1);
        memset(&cols[j], 0, sizeof cols[j]);
        cols[j].type = COLUMN_NUMERIC;
        cols[j].name = malloc(strlen(name) + 1);
        if (!cols[j].name) {
            dst->schema.n_features = j;
            dataset_release(dst);
            return error_set(err, ERR_NOMEM, "out of memory");
        }
        strcpy(cols[j].name, name);
    }
    dst->schema.n_features = w;
    dst->n_features = w;
    dst->n_rows = n;
    for (size_t i = 0; i < n; i++)
        memcpy(dst->x + i * w, ds->x + i * d, d * sizeof *dst->x);
    memcpy(dst->y, ds->y, n * sizeof *dst->y);
    memcpy(dst->sha256, ds->sha256, sizeof dst->sha256);
    return 0;
}

int canary_append(struct dataset *dst, const struct dataset *ds,
                  const struct canary_set *cs, struct error *err)
{
    memset(dst, 0, sizeof *dst);
    if (cs->d != ds->n_features)
        return error_set(err, ERR_INTERNAL, "canary_append: width %zu vs %zu", cs->d,
                         ds->n_features);
    size_t n = ds->n_rows, d = ds->n_features, t = n + cs->m;
    int rc = schema_copy(&dst->schema, &ds->schema, err);
    if (rc)
        return rc;
    dst->x = malloc(t * d * sizeof *dst->x);
    dst->y = malloc(t * sizeof *dst->y);
    if (!dst->x || !dst->y) {
        dataset_release(dst);
        return error_set(err, ERR_NOMEM, "out of memory");
    }
    memcpy(dst->x, ds->x, n * d * sizeof *dst->x);
    memcpy(dst->x + n * d, cs->x, cs->m * d * sizeof *dst->x);
    memcpy(dst->y, ds->y, n * sizeof *dst->y);
    memcpy(dst->y + n, cs->y, cs->m * sizeof *dst->y);
    dst->n_rows = t;
    dst->n_features = d;
    memcpy(dst->sha256, ds->sha256, sizeof dst->sha256);
    return 0;
}

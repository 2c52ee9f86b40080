/*
 * attacks/shokri.c - the Shokri et al. 2017 attack classifier (see shokri.h).
 */
#include "attacks/shokri.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/dataset.h"
#include "targets/model.h"
#include "targets/xgbm.h"

int shokri_scores(const struct score_matrix *m, size_t target, const int32_t *classes,
                  size_t n_classes, uint64_t seed, double *scores, struct error *err)
{
    return shokri_scores_top(m, target, classes, n_classes, NULL, 0, seed, scores, err);
}

int shokri_scores_top(const struct score_matrix *m, size_t target, const int32_t *classes,
                      size_t n_classes, const float *top, size_t t, uint64_t seed,
                      double *scores, struct error *err)
{
    if (!top)
        t = 0;
    size_t f = 2 + t; /* features: phi, class, top-t probabilities */
    size_t n = m->n_examples, k = m->n_models;
    if (target >= k || k < 2)
        return error_set(err, ERR_INPUT, "shokri: need a target and at least one shadow");
    size_t rows = n * (k - 1);
    struct dataset ds;
    memset(&ds, 0, sizeof ds);
    ds.x = malloc(rows * f * sizeof *ds.x);
    ds.y = malloc(rows * sizeof *ds.y);
    float *tx = malloc(n * f * sizeof *tx);
    double *p = malloc(n * 2 * sizeof *p);
    int rc = 0;
    struct model *am = NULL;
    if (!ds.x || !ds.y || !tx || !p) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    size_t r = 0;
    for (size_t j = 0; j < k; j++) {
        if (j == target)
            continue;
        for (size_t i = 0; i < n; i++, r++) {
            ds.x[f * r] = m->stat[i * k + j];
            ds.x[f * r + 1] = (float)classes[i];
            for (size_t q = 0; q < t; q++)
                ds.x[f * r + 2 + q] = top[(j * n + i) * t + q];
            ds.y[r] = m->in[i * k + j] ? 1 : 0;
        }
    }
    ds.n_rows = rows;
    ds.n_features = f;
    ds.schema.n_classes = 2;
    ds.schema.n_features = f;
    struct xgbm_params xp;
    xgbm_params_default(&xp);
    xp.rounds = 60;
    xp.max_depth = n_classes > 2 ? 5 : 3;
    xp.eta = 0.2;
    if ((rc = model_train(&am, &xgbm_ops, &xp, &ds, NULL, rows, seed, err))) {
        error_prefix(err, "shokri attack model: ");
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        tx[f * i] = m->stat[i * k + target];
        tx[f * i + 1] = (float)classes[i];
        for (size_t q = 0; q < t; q++)
            tx[f * i + 2 + q] = top[(target * n + i) * t + q];
    }
    if ((rc = model_predict(am, tx, n, f, p, err)))
        goto cleanup;
    for (size_t i = 0; i < n; i++)
        scores[i] = p[2 * i + 1];
cleanup:
    model_free(am);
    free(ds.x);
    free(ds.y);
    free(tx);
    free(p);
    return rc;
}

/*
 * targets/model.c - the model interface: the kind table and the thin
 * wrappers that check shapes before calling a kind's operations.
 */
#include "targets/model.h"

#include <stdlib.h>
#include <string.h>

extern const struct model_ops xgbm_ops;
extern const struct model_ops logreg_ops, mlp_ops;

static const struct model_ops *const KINDS[] = {
    &xgbm_ops,
    &logreg_ops,
    &mlp_ops,
};
#define N_KINDS (sizeof KINDS / sizeof KINDS[0])

const struct model_ops *model_ops_find(const char *kind)
{
    if (!kind)
        return NULL;
    for (size_t i = 0; i < N_KINDS; i++)
        if (strcmp(KINDS[i]->kind, kind) == 0)
            return KINDS[i];
    return NULL;
}

const char *model_kinds_text(void)
{
    return "xgboost, logreg, mlp";
}

int model_train(struct model **out, const struct model_ops *ops,
                const void *params, const struct dataset *ds,
                const size_t *rows, size_t n, uint64_t seed, struct error *err)
{
    *out = NULL;
    if (n == 0)
        return error_set(err, ERR_INPUT, "no training rows");
    if (ds->schema.n_classes < 2)
        return error_set(err, ERR_INPUT,
                         "the training data has %zu class; need at least 2",
                         ds->schema.n_classes);
    struct model *m = calloc(1, sizeof *m);
    if (!m)
        return error_set(err, ERR_NOMEM, "out of memory");
    m->ops = ops;
    m->n_classes = ds->schema.n_classes;
    m->n_features = ds->n_features;
    int rc = ops->train(&m->impl, params, ds, rows, n, seed, err);
    if (rc) {
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

int model_predict(struct model *m, const float *x, size_t n, size_t d,
                  double *probs, struct error *err)
{
    if (d != m->n_features)
        return error_set(err, ERR_INPUT,
                         "the model expects %zu features, the data has %zu",
                         m->n_features, d);
    if (n == 0)
        return 0;
    return m->ops->predict(m->impl, x, n, d, probs, err);
}

int model_predict_rows(struct model *m, const struct dataset *ds,
                       const size_t *rows, size_t n, double *probs,
                       struct error *err)
{
    if (!rows)
        return model_predict(m, ds->x, ds->n_rows, ds->n_features, probs, err);
    size_t d = ds->n_features;
    float *x = malloc((n ? n : 1) * d * sizeof *x);
    if (!x)
        return error_set(err, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        memcpy(x + i * d, ds->x + rows[i] * d, d * sizeof *x);
    int rc = model_predict(m, x, n, d, probs, err);
    free(x);
    return rc;
}

int model_save(const struct model *m, const char *path, struct error *err)
{
    return m->ops->save(m->impl, path, err);
}

int model_load(struct model **out, const struct model_ops *ops,
               const char *path, struct error *err)
{
    *out = NULL;
    struct model *m = calloc(1, sizeof *m);
    if (!m)
        return error_set(err, ERR_NOMEM, "out of memory");
    m->ops = ops;
    int rc = ops->load(&m->impl, path, &m->n_classes, &m->n_features, err);
    if (rc) {
        free(m);
        return rc;
    }
    *out = m;
    return 0;
}

void model_free(struct model *m)
{
    if (!m)
        return;
    if (m->impl)
        m->ops->free(m->impl);
    free(m);
}

int model_accuracy(struct model *m, const struct dataset *ds,
                   const size_t *rows, size_t n, double *acc,
                   struct error *err)
{
    size_t cnt = rows ? n : ds->n_rows;
    size_t k = m->n_classes;
    *acc = 0.0;
    if (cnt == 0)
        return 0;
    double *p = malloc(cnt * k * sizeof *p);
    if (!p)
        return error_set(err, ERR_NOMEM, "out of memory");
    int rc = model_predict_rows(m, ds, rows, cnt, p, err);
    if (rc == 0) {
        size_t correct = 0;
        for (size_t i = 0; i < cnt; i++) {
            const double *pi = p + i * k;
            size_t best = 0;
            for (size_t c = 1; c < k; c++)
                if (pi[c] > pi[best])
                    best = c;
            size_t row = rows ? rows[i] : i;
            if ((int32_t)best == ds->y[row])
                correct++;
        }
        *acc = (double)correct / (double)cnt;
    }
    free(p);
    return rc;
}

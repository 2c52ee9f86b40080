/*
 * attacks/mia.c - attack dispatch, metrics and leave-one-out (see mia.h).
 *
 * The t quantile inverts the standard relation between Student's t and the
 * beta distribution, P(|T_df| > t) = I_x(df/2, 1/2) with x = df/(df + t^2),
 * using specfun_betainc_inv (~1e-14 relative in x): t = sqrt(df y / x),
 * y = 1 - x.  y is obtained as its own quantile, I_y(1/2, df/2) = 1 - alpha
 * (specfun_betaincc_inv), not as 1 - x, so it keeps full relative accuracy
 * for large df where x is close to 1.
 */
#include "attacks/mia.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/specfun.h"

double mia_fpr_grid(size_t k)
{
    static const double grid[MIA_N_FPR] = {1e-4, 1e-3, 1e-2, 1e-1};
    return k < MIA_N_FPR ? grid[k] : NAN;
}

int mia_variant(const struct mia_attack *a, char *buf, size_t len)
{
    switch (a->kind) {
    case MIA_LIRA:
        return snprintf(buf, len, "%s", lira_variant(&a->lira));
    case MIA_RMIA:
        return rmia_variant(&a->rmia, buf, len);
    case MIA_CALIBRATED:
    default:
        return snprintf(buf, len, "%s", calibrated_variant(&a->calibrated));
    }
}

int mia_scores(const struct mia_attack *a, const struct score_matrix *m,
               size_t target, const uint8_t *ref_mask, double *scores,
               struct error *err)
{
    switch (a->kind) {
    case MIA_LIRA:
        return lira_scores(m, target, ref_mask, &a->lira, scores, NULL, err);
    case MIA_RMIA:
        return rmia_scores(m, target, ref_mask, &a->rmia, scores, NULL, err);
    case MIA_CALIBRATED:
        return calibrated_scores(m, target, ref_mask, &a->calibrated, scores,
                                 NULL, err);
    default:
        return error_set(err, ERR_INTERNAL, "mia: unknown attack kind %d",
                         (int)a->kind);
    }
}

int mia_metrics_compute(const double *scores, const uint8_t *member, size_t n,
                        struct mia_metrics *out, struct error *err)
{
    struct roc roc;
    int rc = roc_build(&roc, scores, member, n, err);
    if (rc)
        return rc;
    out->auc = roc_auc(&roc);
    for (size_t k = 0; k < MIA_N_FPR; k++)
        out->tpr[k] = roc_tpr_at_fpr(&roc, mia_fpr_grid(k));
    roc_release(&roc);
    return ERR_OK;
}

double mia_t_quantile(double alpha, double df)
{
    if (!(alpha > 0.0 && alpha < 1.0 && df >= 1.0) || isinf(df))
        return NAN;
    double x = specfun_betainc_inv(0.5 * df, 0.5, alpha);
    double one_minus_x = specfun_betaincc_inv(0.5, 0.5 * df, alpha);
    if (x <= 0.0)
        return INFINITY;
    return sqrt(df * one_minus_x / x);
}

static struct mia_interval summarise(const double *v, size_t n, double tq,
                                     int clip01)
{
    struct mia_interval r;
    double s = 0;
    for (size_t i = 0; i < n; i++)
        s += v[i];
    r.mean = s / (double)n;
    double ss = 0;
    for (size_t i = 0; i < n; i++)
        ss += (v[i] - r.mean) * (v[i] - r.mean);
    r.sd = sqrt(ss / (double)(n - 1));
    double half = tq * r.sd / sqrt((double)n);
    r.lo = r.mean - half;
    r.hi = r.mean + half;
    if (clip01) {
        r.lo = r.lo < 0.0 ? 0.0 : r.lo;
        r.hi = r.hi > 1.0 ? 1.0 : r.hi;
    }
    return r;
}

void mia_loo_release(struct mia_loo *r)
{
    if (!r)
        return;
    free(r->columns);
    free(r->per_column);
    memset(r, 0, sizeof *r);
}

int mia_loo_run(const struct mia_attack *a, const struct score_matrix *m,
                const size_t *columns, size_t n_columns, struct mia_loo *out,
                struct error *err)
{
    int rc = ERR_OK;
    uint8_t *mask = NULL, *truth = NULL, *listed = NULL;
    double *scores = NULL, *vals = NULL;
    size_t *pop = NULL;
    size_t n = m->n_examples;

    memset(out, 0, sizeof *out);
    if (n_columns < 2) {
        rc = error_set(err, ERR_INPUT,
                       "leave-one-out: need at least 2 shadow columns, got %zu",
                       n_columns);
        goto cleanup;
    }
    mask = calloc(m->n_models, 1);
    listed = calloc(m->n_models, 1);
    truth = malloc(n);
    scores = malloc(n * sizeof *scores);
    vals = malloc(n_columns * sizeof *vals);
    size_t pop_cap = n;
    if (a->kind == MIA_RMIA && a->rmia.population && a->rmia.n_population > n)
        pop_cap = a->rmia.n_population; /* duplicates are reported later */
    pop = malloc(pop_cap * sizeof *pop);
    out->columns = malloc(n_columns * sizeof *out->columns);
    out->per_column = calloc(n_columns, sizeof *out->per_column);
    if (!mask || !listed || !truth || !scores || !vals || !pop ||
        !out->columns || !out->per_column) {
        rc = error_set(err, ERR_NOMEM, "leave-one-out: out of memory");
        goto cleanup;
    }
    for (size_t c = 0; c < n_columns; c++) {
        size_t j = columns[c];
        if (j >= m->n_models) {
            rc = error_set(err, ERR_INPUT,
                           "leave-one-out: column %zu out of range (%zu "
                           "models)",
                           j, m->n_models);
            goto cleanup;
        }
        if (listed[j]) {
            rc = error_set(err, ERR_INPUT,
                           "leave-one-out: column %zu listed twice", j);
            goto cleanup;
        }
        listed[j] = 1;
        out->columns[c] = j;
    }
    out->n_columns = n_columns;
    mia_variant(a, out->variant, sizeof out->variant);

    for (size_t c = 0; c < n_columns; c++) {
        size_t t = columns[c];
        memcpy(mask, listed, m->n_models);
        mask[t] = 0;
        struct mia_attack at = *a;
        if (a->kind == MIA_RMIA) {
            size_t np = 0;
            if (a->rmia.population) {
                for (size_t q = 0; q < a->rmia.n_population; q++) {
                    size_t r = a->rmia.population[q];
                    /* out-of-range rows are kept for rmia_scores to report */
                    if (r >= n || !m->in[r * m->n_models + t])
                        pop[np++] = r;
                }
            } else {
                for (size_t i = 0; i < n; i++)
                    if (!m->in[i * m->n_models + t])
                        pop[np++] = i;
            }
            at.rmia.population = pop;
            at.rmia.n_population = np;
        }
        rc = mia_scores(&at, m, t, mask, scores, err);
        if (!rc) {
            for (size_t i = 0; i < n; i++)
                truth[i] = m->in[i * m->n_models + t];
            rc = mia_metrics_compute(scores, truth, n, &out->per_column[c],
                                     err);
        }
        if (rc) {
            error_prefix(err, "leave-one-out column %zu: ", t);
            goto cleanup;
        }
    }

    double tq = mia_t_quantile(0.05, (double)(n_columns - 1));
    for (size_t c = 0; c < n_columns; c++)
        vals[c] = out->per_column[c].auc;
    out->auc = summarise(vals, n_columns, tq, 1);
    for (size_t k = 0; k < MIA_N_FPR; k++) {
        for (size_t c = 0; c < n_columns; c++)
            vals[c] = out->per_column[c].tpr[k].tpr;
        out->tpr[k] = summarise(vals, n_columns, tq, 1);
    }

cleanup:
    free(mask);
    free(listed);
    free(truth);
    free(scores);
    free(vals);
    free(pop);
    if (rc)
        mia_loo_release(out);
    return rc;
}

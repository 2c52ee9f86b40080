/*
 * attacks/rmia.c - RMIA (Zarifzadeh et al. 2024); see rmia.h.
 *
 * Numerics: everything is in logs.  log p_y comes from phi directly
 * (score_matrix_log_py, no exp overflow, no log of 0), the means of p_y
 * over reference models are log-sum-exps minus log count, and the offline
 * mixture is log(((1+a) P + (1-a)) / 2) = logaddexp(log(1+a) + log P,
 * log(1-a)) - log 2 (log(1-a) = -inf at a = 1 is fine for logaddexp).  So
 * LR(x) never underflows even when p_y ~ 1e-300.
 *
 * Counting: LR(x)/LR(z) >= gamma  <=>  llr(z) <= llr(x) - log gamma.  The
 * llr(z) are sorted once ascending and each row does one upper-bound binary
 * search for t = llr(x) - log gamma.  A population row's own comparison is
 * the same test on the same doubles (llr(x) <= t), so removing it is exact.
 */
#include "attacks/rmia.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/specfun.h"

#define LN2 0.69314718055994530942

void rmia_params_default(struct rmia_params *p)
{
    memset(p, 0, sizeof *p);
    p->mode = RMIA_OFFLINE;
    p->a = RMIA_DEFAULT_A;
    p->gamma = RMIA_DEFAULT_GAMMA;
}

int rmia_variant(const struct rmia_params *p, char *buf, size_t len)
{
    if (p->mode == RMIA_ONLINE)
        return snprintf(buf, len, "rmia-online/gamma=%g", p->gamma);
    return snprintf(buf, len, "rmia-offline/a=%g/gamma=%g", p->a, p->gamma);
}

static int check_params(const struct rmia_params *p, struct error *err)
{
    if (p->mode == RMIA_OFFLINE && !(p->a >= 0.0 && p->a <= 1.0))
        return error_set(err, ERR_INPUT,
                         "rmia: offline parameter 'a' must be in [0, 1], "
                         "got %g",
                         p->a);
    if (!(p->gamma > 0.0 && isfinite(p->gamma)))
        return error_set(err, ERR_INPUT,
                         "rmia: 'gamma' must be a finite number > 0, got %g",
                         p->gamma);
    return ERR_OK;
}

int rmia_log_ratios(const struct score_matrix *m, size_t target,
                    const uint8_t *ref_mask, const struct rmia_params *p,
                    double *llr, struct rmia_info *info, struct error *err)
{
    int rc = ERR_OK;
    uint8_t *refs = NULL;
    double *lp_all = NULL, *lp_out = NULL;
    struct rmia_info inf = {0};
    size_t k = m->n_models;

    rc = check_params(p, err);
    if (rc)
        goto cleanup;
    refs = malloc(k);
    lp_all = malloc(k * sizeof *lp_all);
    lp_out = malloc(k * sizeof *lp_out);
    if (!refs || !lp_all || !lp_out) {
        rc = error_set(err, ERR_NOMEM, "rmia: out of memory");
        goto cleanup;
    }
    rc = score_matrix_refs(m, target, ref_mask, refs, &inf.n_refs, err);
    if (rc)
        goto cleanup;
    int offline = p->mode == RMIA_OFFLINE;
    double log_1pa = log1p(p->a), log_1ma = log1p(-p->a);

    for (size_t i = 0; i < m->n_examples; i++) {
        const float *row = m->stat + i * k;
        const uint8_t *in = m->in + i * k;
        size_t n_all = 0, n_out = 0;
        if (!isfinite(row[target])) {
            rc = error_set(err, ERR_INPUT,
                           "score matrix: stat of example %zu in target "
                           "column %zu is %g (column not filled?)",
                           i, target, (double)row[target]);
            goto cleanup;
        }
        for (size_t j = 0; j < k; j++) {
            if (!refs[j])
                continue;
            if (!isfinite(row[j])) {
                rc = error_set(err, ERR_INPUT,
                               "score matrix: stat of example %zu in column "
                               "%zu is %g (column not filled?)",
                               i, j, (double)row[j]);
                goto cleanup;
            }
            double lp = score_matrix_log_py(row[j]);
            lp_all[n_all++] = lp;
            if (!in[j])
                lp_out[n_out++] = lp;
        }
        double log_pr;
        if (offline && n_out > 0) {
            double log_pout =
                specfun_logsumexp(lp_out, n_out) - log((double)n_out);
            log_pr = specfun_logaddexp(log_1pa + log_pout, log_1ma) - LN2;
        } else {
            if (offline)
                inf.n_fallback++;
            log_pr = specfun_logsumexp(lp_all, n_all) - log((double)n_all);
        }
        llr[i] = score_matrix_log_py(row[target]) - log_pr;
    }
    if (info)
        *info = inf;

cleanup:
    free(refs);
    free(lp_all);
    free(lp_out);
    return rc;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Number of v[0..n) (ascending) that are <= t. */
static size_t count_le(const double *v, size_t n, double t)
{
    size_t lo = 0, hi = n;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (v[mid] <= t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int rmia_scores(const struct score_matrix *m, size_t target,
                const uint8_t *ref_mask, const struct rmia_params *p,
                double *scores, struct rmia_info *info, struct error *err)
{
    int rc = ERR_OK;
    double *llr = NULL, *z = NULL;
    uint8_t *is_pop = NULL;
    struct rmia_info inf = {0};
    size_t n = m->n_examples;

    llr = malloc(n * sizeof *llr);
    z = malloc(n * sizeof *z);
    is_pop = calloc(n, 1);
    if (!llr || !z || !is_pop) {
        rc = error_set(err, ERR_NOMEM, "rmia: out of memory");
        goto cleanup;
    }
    rc = rmia_log_ratios(m, target, ref_mask, p, llr, &inf, err);
    if (rc)
        goto cleanup;

    size_t nz = 0;
    if (p->population) {
        for (size_t q = 0; q < p->n_population; q++) {
            size_t r = p->population[q];
            if (r >= n) {
                rc = error_set(err, ERR_INPUT,
                               "rmia: population row %zu out of range (%zu "
                               "examples)",
                               r, n);
                goto cleanup;
            }
            if (is_pop[r]) {
                rc = error_set(err, ERR_INPUT,
                               "rmia: population row %zu listed twice", r);
                goto cleanup;
            }
            is_pop[r] = 1;
            z[nz++] = llr[r];
        }
    } else {
        for (size_t i = 0; i < n; i++) {
            if (!m->in[i * m->n_models + target]) {
                is_pop[i] = 1;
                z[nz++] = llr[i];
            }
        }
    }
    if (nz < 2) {
        rc = error_set(err, ERR_INPUT,
                       "rmia: need at least 2 population rows, got %zu", nz);
        goto cleanup;
    }
    inf.n_population = nz;
    qsort(z, nz, sizeof *z, cmp_double);

    double log_gamma = log(p->gamma);
    for (size_t i = 0; i < n; i++) {
        double t = llr[i] - log_gamma;
        size_t c = count_le(z, nz, t);
        size_t denom = nz;
        if (is_pop[i]) {
            denom--;
            if (llr[i] <= t)
                c--;
        }
        scores[i] = (double)c / (double)denom;
    }
    if (info)
        *info = inf;

cleanup:
    free(llr);
    free(z);
    free(is_pop);
    return rc;
}

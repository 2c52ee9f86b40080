/*
 * attacks/calibrated.c - difficulty calibration (Watson et al. 2022); see
 * calibrated.h.
 *
 * Method: two passes over the matrix rows, both in double: the first
 * accumulates the per-example OUT means and the global OUT sum (Neumaier
 * compensated, since it adds up to n * K terms), the second subtracts.  The
 * signals are derived from phi stably: log p_y by score_matrix_log_py, p_y
 * as exp of it.
 */
#include "attacks/calibrated.h"

#include <math.h>
#include <stdlib.h>

#include "core/specfun.h"

void calibrated_params_default(struct calibrated_params *p)
{
    p->signal = CALIBRATED_LOSS;
    p->reference = CALIBRATED_PER_EXAMPLE;
}

const char *calibrated_variant(const struct calibrated_params *p)
{
    int g = p->reference == CALIBRATED_GLOBAL;
    switch (p->signal) {
    case CALIBRATED_CONFIDENCE:
        return g ? "calibrated-confidence/global"
                 : "calibrated-confidence/per-example";
    case CALIBRATED_LOGIT:
        return g ? "calibrated-logit/global" : "calibrated-logit/per-example";
    case CALIBRATED_STAT:
        return g ? "calibrated-stat/global" : "calibrated-stat/per-example";
    case CALIBRATED_LOSS:
    default:
        return g ? "calibrated-loss/global" : "calibrated-loss/per-example";
    }
}

static double signal_of(enum calibrated_signal s, double phi)
{
    switch (s) {
    case CALIBRATED_CONFIDENCE:
        return exp(score_matrix_log_py(phi));
    case CALIBRATED_LOGIT:
    case CALIBRATED_STAT:
        return phi;
    case CALIBRATED_LOSS:
    default:
        return score_matrix_log_py(phi); /* -loss */
    }
}

int calibrated_scores(const struct score_matrix *m, size_t target,
                      const uint8_t *ref_mask,
                      const struct calibrated_params *p, double *scores,
                      struct calibrated_info *info, struct error *err)
{
    int rc = ERR_OK;
    uint8_t *refs = NULL;
    double *mean = NULL;
    struct calibrated_info inf = {0};
    size_t k = m->n_models;

    refs = malloc(k);
    mean = malloc(m->n_examples * sizeof *mean);
    if (!refs || !mean) {
        rc = error_set(err, ERR_NOMEM, "calibrated: out of memory");
        goto cleanup;
    }
    rc = score_matrix_refs(m, target, ref_mask, refs, &inf.n_refs, err);
    if (rc)
        goto cleanup;

    struct ksum g = {0, 0};
    size_t g_n = 0;
    for (size_t i = 0; i < m->n_examples; i++) {
        const float *row = m->stat + i * k;
        const uint8_t *in = m->in + i * k;
        if (!isfinite(row[target])) {
            rc = error_set(err, ERR_INPUT,
                           "score matrix: stat of example %zu in target "
                           "column %zu is %g (column not filled?)",
                           i, target, (double)row[target]);
            goto cleanup;
        }
        double s = 0;
        size_t n_out = 0;
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
            if (in[j])
                continue;
            double v = signal_of(p->signal, row[j]);
            s += v;
            ksum_add(&g, v);
            n_out++;
        }
        g_n += n_out;
        mean[i] = n_out ? s / (double)n_out : NAN;
    }
    if (g_n == 0) {
        rc = error_set(err, ERR_INPUT,
                       "calibrated: no OUT value in the %zu reference "
                       "columns to calibrate with",
                       inf.n_refs);
        goto cleanup;
    }
    inf.global_mean = ksum_value(&g) / (double)g_n;
    for (size_t i = 0; i < m->n_examples; i++) {
        double ref = mean[i];
        if (p->reference == CALIBRATED_GLOBAL) {
            ref = inf.global_mean;
        } else if (isnan(ref)) {
            ref = inf.global_mean;
            inf.n_fallback++;
        }
        scores[i] = signal_of(p->signal, m->stat[i * k + target]) - ref;
    }
    if (info)
        *info = inf;

cleanup:
    free(refs);
    free(mean);
    return rc;
}

/*
 * attacks/lira.c - LiRA (Carlini et al. 2022, Algorithm 1); see lira.h.
 *
 * Method: one pass per example over its row of the score matrix (contiguous
 * in memory) for the IN / OUT counts and means, a second pass for the sums
 * of squared deviations about those means (two-pass variance, no
 * cancellation of E[x^2] - E[x]^2), both in double.  The pooled variance is
 * the sum of the per-example sums of squares over the sum of their degrees
 * of freedom.  The online score is written as
 *   log(s_out / s_in) + (z_out^2 - z_in^2) / 2,
 * which is finite for finite inputs because both variances are floored.
 * Offline tails use core/specfun's log survival / log cdf, accurate far in
 * the tails (no log of an underflowed probability).
 */
#include "attacks/lira.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/specfun.h"

#define LN_SQRT_2PI 0.91893853320467274178

struct fit {
    size_t n_in, n_out;
    double mu_in, mu_out;
    double ss_in, ss_out; /* sums of squared deviations */
};

void lira_params_default(struct lira_params *p)
{
    p->mode = LIRA_ONLINE;
    p->variance = LIRA_VAR_PER_EXAMPLE;
    p->offline_score = LIRA_OFFLINE_NEG_LOGSF;
}

const char *lira_variant(const struct lira_params *p)
{
    int global = p->variance == LIRA_VAR_GLOBAL;
    if (p->mode == LIRA_ONLINE)
        return global ? "lira-online/global-variance"
                      : "lira-online/per-example-variance";
    switch (p->offline_score) {
    case LIRA_OFFLINE_LOGCDF:
        return global ? "lira-offline/global-variance/logcdf"
                      : "lira-offline/per-example-variance/logcdf";
    case LIRA_OFFLINE_NEG_LOGPDF:
        return global ? "lira-offline/global-variance/neg-logpdf"
                      : "lira-offline/per-example-variance/neg-logpdf";
    case LIRA_OFFLINE_NEG_LOGSF:
    default:
        return global ? "lira-offline/global-variance/neg-logsf"
                      : "lira-offline/per-example-variance/neg-logsf";
    }
}

static double floor_var(double v)
{
    return v > LIRA_VAR_FLOOR ? v : LIRA_VAR_FLOOR;
}

/* log N(x; mu, sd^2). */
static double norm_logpdf(double x, double mu, double sd)
{
    double z = (x - mu) / sd;
    return -0.5 * z * z - log(sd) - LN_SQRT_2PI;
}

/* Fit the IN / OUT groups of every example; checks the used stats. */
static int fit_rows(const struct score_matrix *m, size_t target,
                    const uint8_t *refs, struct fit *fits, struct error *err)
{
    size_t k = m->n_models;
    for (size_t i = 0; i < m->n_examples; i++) {
        const float *row = m->stat + i * k;
        const uint8_t *in = m->in + i * k;
        struct fit f = {0};
        double s_in = 0, s_out = 0;
        if (!isfinite(row[target]))
            return error_set(err, ERR_INPUT,
                             "score matrix: stat of example %zu in target "
                             "column %zu is %g (column not filled?)",
                             i, target, (double)row[target]);
        for (size_t j = 0; j < k; j++) {
            if (!refs[j])
                continue;
            double v = row[j];
            if (!isfinite(v))
                return error_set(err, ERR_INPUT,
                                 "score matrix: stat of example %zu in "
                                 "column %zu is %g (column not filled?)",
                                 i, j, v);
            if (in[j]) {
                f.n_in++;
                s_in += v;
            } else {
                f.n_out++;
                s_out += v;
            }
        }
        f.mu_in = f.n_in ? s_in / (double)f.n_in : 0.0;
        f.mu_out = f.n_out ? s_out / (double)f.n_out : 0.0;
        for (size_t j = 0; j < k; j++) {
            if (!refs[j])
                continue;
            double v = row[j];
            if (in[j])
                f.ss_in += (v - f.mu_in) * (v - f.mu_in);
            else
                f.ss_out += (v - f.mu_out) * (v - f.mu_out);
        }
        fits[i] = f;
    }
    return ERR_OK;
}

int lira_scores(const struct score_matrix *m, size_t target,
                const uint8_t *ref_mask, const struct lira_params *p,
                double *scores, struct lira_info *info, struct error *err)
{
    int rc = ERR_OK;
    uint8_t *refs = NULL;
    struct fit *fits = NULL;
    struct lira_info inf = {0};
    int online = p->mode == LIRA_ONLINE;

    refs = malloc(m->n_models);
    fits = malloc(m->n_examples * sizeof *fits);
    if (!refs || !fits) {
        rc = error_set(err, ERR_NOMEM, "lira: out of memory");
        goto cleanup;
    }
    rc = score_matrix_refs(m, target, ref_mask, refs, &inf.n_refs, err);
    if (rc)
        goto cleanup;
    rc = fit_rows(m, target, refs, fits, err);
    if (rc)
        goto cleanup;

    /* Pooled variances and the mean IN - OUT shift. */
    double ss_in = 0, ss_out = 0, d_sum = 0;
    size_t df_in = 0, df_out = 0, n_both = 0;
    for (size_t i = 0; i < m->n_examples; i++) {
        const struct fit *f = &fits[i];
        if (f->n_in >= 2) {
            ss_in += f->ss_in;
            df_in += f->n_in - 1;
        }
        if (f->n_out >= 2) {
            ss_out += f->ss_out;
            df_out += f->n_out - 1;
        }
        if (f->n_in && f->n_out) {
            d_sum += f->mu_in - f->mu_out;
            n_both++;
        }
    }
    double gv_in = df_in ? ss_in / (double)df_in : NAN;
    double gv_out = df_out ? ss_out / (double)df_out : NAN;
    inf.global_sd_in = sqrt(gv_in);
    inf.global_sd_out = sqrt(gv_out);
    inf.mean_shift = n_both ? d_sum / (double)n_both : NAN;
    /* A group with no pooled estimate borrows the other group's. */
    if (!df_in)
        gv_in = gv_out;
    if (!df_out)
        gv_out = gv_in;
    if (isnan(gv_out)) {
        rc = error_set(err, ERR_INPUT,
                       "lira: cannot estimate a variance: no example has 2 "
                       "or more IN or OUT values among the %zu reference "
                       "columns",
                       inf.n_refs);
        goto cleanup;
    }
    int global = p->variance == LIRA_VAR_GLOBAL;

    for (size_t i = 0; i < m->n_examples; i++) {
        const struct fit *f = &fits[i];
        double mu_in = f->mu_in, mu_out = f->mu_out;
        double v_in, v_out;
        /* Means: a group with no value is shifted from the other one. */
        if ((online && !f->n_in) || !f->n_out) {
            if (!n_both) {
                rc = error_set(err, ERR_INPUT,
                               "lira: example %zu has no %s reference value "
                               "and no example has both IN and OUT values to "
                               "estimate the shift from",
                               i, f->n_out ? "IN" : "OUT");
                goto cleanup;
            }
            if (!f->n_in)
                mu_in = mu_out + inf.mean_shift;
            else
                mu_out = mu_in - inf.mean_shift;
            inf.n_mean_fallback++;
        }
        /* Variances: per example when estimable, else pooled. */
        if (global || f->n_in < 2) {
            v_in = gv_in;
            if (!global && online)
                inf.n_var_fallback++;
        } else {
            v_in = f->ss_in / (double)(f->n_in - 1);
        }
        if (global || f->n_out < 2) {
            v_out = gv_out;
            if (!global)
                inf.n_var_fallback++;
        } else {
            v_out = f->ss_out / (double)(f->n_out - 1);
        }
        double sd_in = sqrt(floor_var(v_in)), sd_out = sqrt(floor_var(v_out));
        double x = m->stat[i * m->n_models + target];
        double z_out = (x - mu_out) / sd_out;
        double sc;
        if (online) {
            sc = norm_logpdf(x, mu_in, sd_in) - norm_logpdf(x, mu_out, sd_out);
        } else if (p->offline_score == LIRA_OFFLINE_LOGCDF) {
            sc = specfun_norm_logcdf(z_out);
        } else if (p->offline_score == LIRA_OFFLINE_NEG_LOGPDF) {
            sc = -norm_logpdf(x, mu_out, sd_out);
        } else {
            sc = -specfun_norm_logsf(z_out);
        }
        scores[i] = sc;
    }
    if (info)
        *info = inf;

cleanup:
    free(refs);
    free(fits);
    return rc;
}

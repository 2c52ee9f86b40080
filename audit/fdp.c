/*
 * audit/fdp.c - one-run f-DP audit (Mahloujifar, Melis, Chaudhuri 2024);
 * the recursion and its proof are in audit/fdp.h and docs/bounds.md.
 */
#include "audit/fdp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit/bounds.h"
#include "audit/gdp.h"
#include "core/specfun.h"

#define EPS_MAX 64.0
#define MU_MAX 40.0
/* r + h must beat k/m by this relative margin: the recursion's c additions
 * carry ~c * 1e-16 relative round-off, so the margin keeps the rejection
 * on the safe side. */
#define REJECT_MARGIN 1e-9

int fdp_curve_check(const struct fdp_curve *f, struct error *err)
{
    switch (f->kind) {
    case FDP_GAUSSIAN:
        if (!(f->mu >= 0.0) || !isfinite(f->mu))
            return error_set(err, ERR_INPUT, "curve mu: expected a finite number >= 0, "
                                             "got %g", f->mu);
        return 0;
    case FDP_EPS_DELTA:
        if (!(f->eps >= 0.0) || !isfinite(f->eps))
            return error_set(err, ERR_INPUT,
                             "curve eps: expected a finite number >= 0, got %g", f->eps);
        if (!(f->delta >= 0.0 && f->delta <= 1.0))
            return error_set(err, ERR_INPUT,
                             "curve delta: expected a number in [0, 1], got %g", f->delta);
        return 0;
    case FDP_GRID:
        if (f->n_grid == 0 || !f->grid_eps || !f->grid_delta)
            return error_set(err, ERR_INPUT, "curve grid: expected at least one point");
        for (size_t i = 0; i < f->n_grid; i++) {
            if (!(f->grid_eps[i] >= 0.0) || !isfinite(f->grid_eps[i]))
                return error_set(err, ERR_INPUT,
                                 "curve grid eps[%zu]: expected a finite number >= 0, "
                                 "got %g", i, f->grid_eps[i]);
            if (!(f->grid_delta[i] >= 0.0 && f->grid_delta[i] <= 1.0))
                return error_set(err, ERR_INPUT,
                                 "curve grid delta[%zu]: expected a number in [0, 1], "
                                 "got %g", i, f->grid_delta[i]);
        }
        return 0;
    }
    return error_set(err, ERR_INPUT, "curve kind: unknown value %d", (int)f->kind);
}

/* The (eps, delta) trade-off line pair at x (Kairouz et al. 2015;
 * Dong, Roth, Su 2019, eq. for f_{eps,delta}). */
static double f_eps_delta(double eps, double delta, double x)
{
    double a = 1.0 - delta - exp(eps) * x;
    double b = exp(-eps) * (1.0 - delta - x);
    double v = a > b ? a : b;
    return v > 0.0 ? v : 0.0;
}

double fdp_tradeoff(const struct fdp_curve *f, double x)
{
    if (isnan(x) || x < 0.0 || x > 1.0)
        return NAN;
    switch (f->kind) {
    case FDP_GAUSSIAN:
        return gdp_tradeoff(f->mu, x);
    case FDP_EPS_DELTA:
        return f_eps_delta(f->eps, f->delta, x);
    case FDP_GRID: {
        double best = 0.0;
        for (size_t i = 0; i < f->n_grid; i++) {
            double v = f_eps_delta(f->grid_eps[i], f->grid_delta[i], x);
            if (v > best)
                best = v;
        }
        return best;
    }
    }
    return NAN;
}

bool fdp_rejects_rates(const struct fdp_curve *f, double fpr_hi, double fnr_hi)
{
    if (!(fpr_hi >= 0 && fpr_hi <= 1 && fnr_hi >= 0 && fnr_hi <= 1))
        return false;
    double a = fdp_tradeoff(f, fpr_hi), b = fdp_tradeoff(f, fnr_hi);
    return (a > 0 && fnr_hi < a * (1 - 1e-9)) || (b > 0 && fpr_hi < b * (1 - 1e-9));
}

/* g(y) = f^-1(1 - y) = f(1 - y) for symmetric f: the least probability,
 * under one coin value, of an event whose probability is y under the
 * other.  Evaluated without forming 1 - y where that would round. */
static double g_of(const struct fdp_curve *f, double y)
{
    if (y <= 0.0)
        return 0.0;
    if (y >= 1.0)
        return 1.0;
    switch (f->kind) {
    case FDP_GAUSSIAN:
        /* f_mu(1 - y) = Phi(Phi^-1(y) - mu) */
        return specfun_norm_cdf(specfun_norm_quantile(y) - f->mu);
    case FDP_EPS_DELTA: {
        double a = 1.0 - f->delta - exp(f->eps) * (1.0 - y);
        double b = exp(-f->eps) * (y - f->delta);
        double v = a > b ? a : b;
        return v > 0.0 ? v : 0.0;
    }
    case FDP_GRID:
        return fdp_tradeoff(f, 1.0 - y);
    }
    return 0.0;
}

bool fdp_rejects(uint64_t m, uint64_t k, uint64_t c, const struct fdp_curve *f,
                 double alpha)
{
    if (k == 0 || c == 0 || c > k || k > m || !(alpha > 0.0 && alpha < 1.0))
        return false;
    double dm = (double)m, cap = (double)k / dm * (1.0 + REJECT_MARGIN);
    double r = alpha * (double)c / dm, h = alpha * (double)(k - c) / dm;
    for (uint64_t j = c; j >= 1; j--) {
        double hn = g_of(f, r);
        if (!(hn > h))
            break; /* fixed point: nothing changes any more */
        r += (double)(j - 1) / (double)(k - j + 1) * (hn - h);
        h = hn;
        if (r + h > cap)
            return true; /* r and h only grow from here */
    }
    return r + h > cap;
}

double fdp_pvalue(uint64_t m, uint64_t k, uint64_t c, const struct fdp_curve *f)
{
    /* rejects(alpha) is monotone in alpha (docs/bounds.md): bisect on
     * log alpha in [-700, log(1 - 1e-12)]. */
    double hi = log1p(-1e-12), lo = -700.0;
    if (!fdp_rejects(m, k, c, f, exp(hi)))
        return 1.0;
    if (fdp_rejects(m, k, c, f, exp(lo)))
        return exp(lo);
    while (hi - lo > 1e-9) {
        double mid = 0.5 * (lo + hi);
        if (fdp_rejects(m, k, c, f, exp(mid)))
            hi = mid;
        else
            lo = mid;
    }
    return exp(hi);
}

/* Largest parameter in [0, cap] whose curve is rejected (the rejection is
 * monotone: a larger eps or mu gives a pointwise smaller f, and the
 * recursion is monotone in f); 0 when none. */
static double family_bound(uint64_t m, uint64_t k, uint64_t c, double alpha,
                           enum fdp_kind kind, double delta, double cap)
{
    struct fdp_curve f = {.kind = kind, .delta = delta};
    double *par = kind == FDP_GAUSSIAN ? &f.mu : &f.eps;
    *par = 0.0;
    if (!fdp_rejects(m, k, c, &f, alpha))
        return 0.0;
    double lo = 0.0, hi = 1.0;
    for (;;) {
        *par = hi;
        if (!fdp_rejects(m, k, c, &f, alpha))
            break;
        lo = hi;
        if (hi >= cap)
            return cap;
        hi = fmin(2.0 * hi, cap);
    }
    while (hi - lo > 1e-9) {
        *par = 0.5 * (lo + hi);
        if (fdp_rejects(m, k, c, &f, alpha))
            lo = *par;
        else
            hi = *par;
    }
    return lo;
}

static int gdp_eps_of(double mu, double delta, double *out, struct error *err)
{
    if (mu <= 0.0) {
        *out = 0.0;
        return 0;
    }
    if (delta == 0.0) {
        *out = INFINITY; /* mu-GDP, mu > 0, is eps-DP for no finite eps */
        return 0;
    }
    return gdp_epsilon(mu, delta, out, err);
}

int fdp_bound_from_counts(uint64_t m, uint64_t k, uint64_t c, double delta,
                          double confidence, struct fdp_bound *out,
                          struct error *err)
{
    int rc = bounds_check_levels(delta, confidence, err);
    if (rc)
        return rc;
    if (k > m)
        return error_set(err, ERR_INPUT,
                         "guesses k: expected at most the %llu canaries, got %llu",
                         (unsigned long long)m, (unsigned long long)k);
    if (c > k)
        return error_set(err, ERR_INPUT,
                         "correct guesses c: expected at most the %llu guesses, got %llu",
                         (unsigned long long)k, (unsigned long long)c);
    memset(out, 0, sizeof *out);
    out->m = m;
    out->k = k;
    out->c = c;
    out->mu_c = c;
    out->delta = delta;
    out->confidence = out->confidence_per_test = confidence;
    out->n_grid = 1;
    double alpha = 1.0 - confidence;
    out->epsilon_lower_bound = family_bound(m, k, c, alpha, FDP_EPS_DELTA, delta, EPS_MAX);
    out->mu_lower_bound = family_bound(m, k, c, alpha, FDP_GAUSSIAN, 0.0, MU_MAX);
    return gdp_eps_of(out->mu_lower_bound, delta, &out->gdp_epsilon, err);
}

int fdp_bound_from_scores(const double *scores, const uint8_t *member,
                          size_t m, const struct onerun_opts *opts,
                          struct fdp_bound *out, struct error *err)
{
    struct onerun_count *cnt = NULL;
    size_t nc = 0, n_grid = 1;
    int rc = bounds_check_levels(opts->delta, opts->confidence, err);
    if (rc)
        return rc;
    if ((rc = onerun_count_guesses(scores, member, m, opts, &cnt, &nc, &n_grid, err)))
        return rc;
    memset(out, 0, sizeof *out);
    out->m = m;
    out->delta = opts->delta;
    out->confidence = opts->confidence;
    out->n_grid = n_grid;
    out->confidence_per_test = 1.0 - (1.0 - opts->confidence) / (double)n_grid;
    double alpha = (1.0 - opts->confidence) / (double)n_grid;
    for (size_t i = 0; i < nc; i++) {
        uint64_t k = cnt[i].k, c = cnt[i].c;
        double e = family_bound(m, k, c, alpha, FDP_EPS_DELTA, opts->delta, EPS_MAX);
        double mu = family_bound(m, k, c, alpha, FDP_GAUSSIAN, 0.0, MU_MAX);
        if (i == 0 || e > out->epsilon_lower_bound) {
            out->epsilon_lower_bound = e;
            out->k = k;
            out->c = c;
            out->k_plus = cnt[i].k_plus;
            out->k_minus = cnt[i].k_minus;
        }
        if (i == 0 || mu > out->mu_lower_bound) {
            out->mu_lower_bound = mu;
            out->mu_k_plus = cnt[i].k_plus;
            out->mu_k_minus = cnt[i].k_minus;
            out->mu_c = c;
        }
    }
    free(cnt);
    return gdp_eps_of(out->mu_lower_bound, opts->delta, &out->gdp_epsilon, err);
}

int fdp_test_scores(const double *scores, const uint8_t *member, size_t m,
                    const struct onerun_opts *opts, const struct fdp_curve *f,
                    bool *rejected, double *pvalue, struct error *err)
{
    struct onerun_count *cnt = NULL;
    size_t nc = 0, n_grid = 1;
    int rc = bounds_check_levels(opts->delta, opts->confidence, err);
    if (rc)
        return rc;
    if ((rc = fdp_curve_check(f, err)))
        return rc;
    if ((rc = onerun_count_guesses(scores, member, m, opts, &cnt, &nc, &n_grid, err)))
        return rc;
    double n = (double)n_grid;
    double alpha = (1.0 - opts->confidence) / n;
    *rejected = false;
    double best = 1.0;
    for (size_t i = 0; i < nc; i++) {
        if (fdp_rejects(m, cnt[i].k, cnt[i].c, f, alpha))
            *rejected = true;
        double p = fdp_pvalue(m, cnt[i].k, cnt[i].c, f) * n;
        if (p < best)
            best = p;
    }
    *pvalue = best < 1.0 ? best : 1.0;
    free(cnt);
    return 0;
}

int fdp_grid_from_pld(const struct pld *pld, double eps_max, size_t n,
                      double *eps, double *delta, struct error *err)
{
    if (n < 2)
        return error_set(err, ERR_INPUT, "grid size: expected at least 2, got %zu", n);
    if (!(eps_max > 0.0) || !isfinite(eps_max))
        return error_set(err, ERR_INPUT, "grid eps_max: expected a finite number > 0, "
                                         "got %g", eps_max);
    for (size_t i = 0; i < n; i++) {
        eps[i] = eps_max * (double)i / (double)(n - 1);
        double d = pld_delta_at(pld, eps[i]);
        delta[i] = d < 0.0 ? 0.0 : (d > 1.0 ? 1.0 : d);
    }
    return 0;
}

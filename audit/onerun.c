/*
 * audit/onerun.c - the one-run epsilon lower bound of Steinke, Nasr and
 * Jagielski 2023 (see audit/onerun.h and docs/bounds.md).
 */
#include "audit/onerun.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit/bounds.h"
#include "core/specfun.h"

#define EPS_MAX 64.0

/*
 * log p(eps, delta).  p(eps) = e^eps/(1+e^eps) = 1/(1+e^-eps).
 *
 * beta = P[Bin(r, p) >= v]: specfun_binom_logsf (log space).
 *
 * alpha = max_{i=1..v} S_i / i with S_i = sum_{j=v-i}^{v-1} pmf(j): the
 * pmf is walked down from j = v-1 by the ratio
 *   pmf(j) / pmf(j+1) = (j+1)/(r-j) * (1-p)/p = (j+1)/(r-j) * e^-eps,
 * in logs, S_i accumulated by logaddexp.  Since S_i <= L = P[Bin < v] for
 * every i, once L / (i+1) <= alpha no later i can improve alpha: stop.
 *
 * This is Steinke et al.'s Theorem 3.1 bound
 *   P[W >= v] <= f(v) + 2 m delta max_{i in [m]} (f(v - i) - f(v)) / i,
 *   f(v) = P[Bin(r, p(eps)) >= v],
 * where f(v - i) - f(v) = S_i; for i > v, f(v - i) = 1 and the ratio
 * (1 - f(v)) / i is below the one at i = v, so i <= v suffices (as in the
 * paper's Appendix D code).
 */
double onerun_log_pvalue(uint64_t m, uint64_t r, uint64_t v, double eps,
                         double delta)
{
    if (!(v <= r && r <= m) || isnan(eps) || eps < 0.0 || !(delta >= 0.0) ||
        delta > 1.0)
        return NAN;
    if (v == 0)
        return 0.0;
    double p = 1.0 / (1.0 + exp(-eps));
    double lbeta = specfun_binom_logsf(v, r, p);
    if (delta == 0.0 || lbeta >= 0.0)
        return lbeta < 0.0 ? lbeta : 0.0;
    double lL = specfun_binom_logcdf(v - 1, r, p);
    double lt = specfun_binom_logpmf(v - 1, r, p);
    double lS = -INFINITY, la = -INFINITY;
    for (uint64_t i = 1; i <= v; i++) {
        uint64_t j = v - i; /* the term added: pmf(j) */
        if (i > 1)
            lt += log((double)(j + 1)) - log((double)(r - j)) - eps;
        lS = specfun_logaddexp(lS, lt);
        double cand = lS - log((double)i);
        if (cand > la)
            la = cand;
        if (lL - log((double)i + 1.0) <= la)
            break;
    }
    double lp = specfun_logaddexp(lbeta, log(2.0 * (double)m * delta) + la);
    return lp < 0.0 ? lp : 0.0;
}

static int check_args(uint64_t m, uint64_t r, uint64_t v, double delta,
                      double confidence, struct error *err)
{
    if (r > m)
        return error_set(err, ERR_INPUT,
                         "guesses r: expected at most the %llu canaries, got %llu",
                         (unsigned long long)m, (unsigned long long)r);
    if (v > r)
        return error_set(err, ERR_INPUT,
                         "correct guesses v: expected at most the %llu guesses, got %llu",
                         (unsigned long long)r, (unsigned long long)v);
    return bounds_check_levels(delta, confidence, err);
}

/* Largest eps in [0, EPS_MAX] with log p(eps) <= log_alpha (bisection). */
static double epsilon_at(uint64_t m, uint64_t r, uint64_t v, double delta,
                         double log_alpha)
{
    if (!(onerun_log_pvalue(m, r, v, 0.0, delta) <= log_alpha))
        return 0.0;
    double lo = 0.0, hi = 1.0;
    while (hi < EPS_MAX && onerun_log_pvalue(m, r, v, hi, delta) <= log_alpha) {
        lo = hi;
        hi = fmin(2.0 * hi, EPS_MAX);
    }
    if (onerun_log_pvalue(m, r, v, hi, delta) <= log_alpha)
        return hi; /* rejected up to the cap */
    while (hi - lo > 1e-10) {
        double mid = 0.5 * (lo + hi);
        if (onerun_log_pvalue(m, r, v, mid, delta) <= log_alpha)
            lo = mid;
        else
            hi = mid;
    }
    return lo;
}

int onerun_epsilon(uint64_t m, uint64_t r, uint64_t v, double delta,
                   double confidence, struct onerun_bound *out,
                   struct error *err)
{
    int rc = check_args(m, r, v, delta, confidence, err);
    if (rc)
        return rc;
    memset(out, 0, sizeof *out);
    out->m = m;
    out->r = r;
    out->v = v;
    out->delta = delta;
    out->confidence = out->confidence_per_test = confidence;
    out->n_grid = 1;
    out->epsilon_lower_bound = epsilon_at(m, r, v, delta, log1p(-confidence));
    return 0;
}

size_t onerun_default_grid(uint64_t m, struct onerun_guess *out, size_t cap)
{
    size_t n = 0;
    uint64_t half = m / 2;
    if (half == 0)
        return 0;
    static const uint64_t mant[3] = {1, 2, 5};
    for (uint64_t dec = 1; dec <= half; dec *= 10) {
        for (int i = 0; i < 3; i++) {
            uint64_t k = mant[i] * dec;
            if (k >= half)
                goto last;
            if (n < cap)
                out[n] = (struct onerun_guess){k, k};
            n++;
        }
        if (dec > UINT64_MAX / 10)
            break;
    }
last:
    if (n < cap)
        out[n] = (struct onerun_guess){half, half};
    return n + 1;
}

struct ranked {
    double s;
    size_t i;
};

static int cmp_ranked(const void *a, const void *b)
{
    const struct ranked *x = a, *y = b;
    if (x->s != y->s)
        return x->s > y->s ? -1 : 1; /* descending score */
    return (x->i > y->i) - (x->i < y->i);
}

int onerun_rank(const double *scores, const uint8_t *member, size_t m,
                uint64_t **cum, struct error *err)
{
    *cum = NULL;
    for (size_t i = 0; i < m; i++)
        if (isnan(scores[i]))
            return error_set(err, ERR_INPUT, "score %zu: is NaN", i);
    struct ranked *rk = malloc((m ? m : 1) * sizeof *rk);
    uint64_t *c = malloc((m + 1) * sizeof *c);
    if (!rk || !c) {
        free(rk);
        free(c);
        return error_set(err, ERR_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < m; i++)
        rk[i] = (struct ranked){scores[i], i};
    qsort(rk, m, sizeof *rk, cmp_ranked);
    c[0] = 0;
    for (size_t j = 0; j < m; j++)
        c[j + 1] = c[j] + (member[rk[j].i] ? 1 : 0);
    free(rk);
    *cum = c;
    return 0;
}

uint64_t onerun_correct(const uint64_t *cum, size_t m, uint64_t k_plus,
                        uint64_t k_minus)
{
    uint64_t members_bottom = cum[m] - cum[m - k_minus];
    return cum[k_plus] + (k_minus - members_bottom);
}

int onerun_guess_pairs(size_t m, const struct onerun_opts *opts,
                       struct onerun_guess **pairs, size_t *n_pairs,
                       struct error *err)
{
    *pairs = NULL;
    *n_pairs = 0;
    size_t ng = opts->n_grid;
    struct onerun_guess *g = NULL;
    if (ng > 0) {
        g = malloc(ng * sizeof *g);
        if (!g)
            return error_set(err, ERR_NOMEM, "out of memory");
        memcpy(g, opts->grid, ng * sizeof *g);
    } else if (opts->k_plus || opts->k_minus) {
        if (opts->k_plus > m || opts->k_minus > m - opts->k_plus)
            return error_set(err, ERR_INPUT,
                             "guesses k+ %llu + k- %llu: more than the %zu canaries",
                             (unsigned long long)opts->k_plus,
                             (unsigned long long)opts->k_minus, m);
        g = malloc(sizeof *g);
        if (!g)
            return error_set(err, ERR_NOMEM, "out of memory");
        g[0] = (struct onerun_guess){opts->k_plus, opts->k_minus};
        ng = 1;
    } else {
        ng = onerun_default_grid(m, NULL, 0);
        g = malloc((ng ? ng : 1) * sizeof *g);
        if (!g)
            return error_set(err, ERR_NOMEM, "out of memory");
        onerun_default_grid(m, g, ng);
    }
    *pairs = g;
    *n_pairs = ng;
    return 0;
}

int onerun_count_guesses(const double *scores, const uint8_t *member, size_t m,
                         const struct onerun_opts *opts, struct onerun_count **counts,
                         size_t *n_counts, size_t *n_grid, struct error *err)
{
    uint64_t *cum = NULL;
    struct onerun_guess *g = NULL;
    size_t ng = 0;
    *counts = NULL;
    *n_counts = 0;
    int rc = onerun_guess_pairs(m, opts, &g, &ng, err);
    if (rc)
        return rc;
    struct onerun_count *out = malloc((ng ? ng : 1) * sizeof *out);
    if (!out) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if ((rc = onerun_rank(scores, member, m, &cum, err))) {
        free(out);
        goto cleanup;
    }
    size_t w = 0;
    for (size_t i = 0; i < ng; i++) {
        uint64_t kp = g[i].k_plus, km = g[i].k_minus;
        if (kp > m || km > m - kp)
            continue;
        out[w++] = (struct onerun_count){kp, km, kp + km, onerun_correct(cum, m, kp, km)};
    }
    *counts = out;
    *n_counts = w;
    *n_grid = ng ? ng : 1;
cleanup:
    free(cum);
    free(g);
    return rc;
}

int onerun_from_scores(const double *scores, const uint8_t *member, size_t m,
                       const struct onerun_opts *opts, struct onerun_bound *out,
                       struct error *err)
{
    struct onerun_count *cnt = NULL;
    size_t nc = 0, n_grid = 1;
    int rc = check_args(m, 0, 0, opts->delta, opts->confidence, err);
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
    double log_alpha = log((1.0 - opts->confidence) / (double)n_grid);
    for (size_t i = 0; i < nc; i++) {
        double e = epsilon_at(m, cnt[i].k, cnt[i].c, opts->delta, log_alpha);
        if (i == 0 || e > out->epsilon_lower_bound) {
            out->epsilon_lower_bound = e;
            out->r = cnt[i].k;
            out->v = cnt[i].c;
            out->k_plus = cnt[i].k_plus;
            out->k_minus = cnt[i].k_minus;
        }
    }
    free(cnt);
    return rc;
}

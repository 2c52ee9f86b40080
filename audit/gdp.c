/*
 * audit/gdp.c - mu-GDP curves and the multi-run mu lower bound.  Formulas
 * and sources are in audit/gdp.h and docs/bounds.md.
 */
#include "audit/gdp.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "audit/bounds.h"
#include "core/specfun.h"

#define DEFAULT_MAX_THRESHOLDS 256

double gdp_delta(double mu, double eps)
{
    if (isnan(mu) || isnan(eps) || mu < 0.0)
        return NAN;
    if (mu == 0.0) /* f(x) = 1 - x: delta(eps) = max(0, 1 - e^eps) */
        return eps >= 0.0 ? 0.0 : -expm1(eps);
    if (isinf(mu))
        return 1.0;
    if (eps == INFINITY)
        return 0.0;
    if (eps == -INFINITY)
        return 1.0;
    /* Dong, Roth, Su 2019, Cor. 2.13:
     *   delta = Phi(a) - e^eps Phi(b),  a = -eps/mu + mu/2, b = a - mu.
     * As Phi(a) * (1 - exp(eps + log Phi(b) - log Phi(a))): the difference
     * is formed in the exponent (no cancellation between two tiny terms)
     * and expm1 keeps relative accuracy when the ratio is close to 1. */
    double a = -eps / mu + 0.5 * mu, b = a - mu;
    double la = specfun_norm_logcdf(a), lb = specfun_norm_logcdf(b);
    if (la == -INFINITY)
        return 0.0;
    double t = eps + lb - la; /* < 0 mathematically */
    if (t >= 0.0)
        return 0.0;
    return exp(la) * -expm1(t);
}

int gdp_epsilon(double mu, double delta, double *eps_out, struct error *err)
{
    if (!(mu >= 0.0) || !isfinite(mu))
        return error_set(err, ERR_INPUT, "mu: expected a finite number >= 0, got %g", mu);
    if (!(delta > 0.0 && delta < 1.0))
        return error_set(err, ERR_INPUT, "delta: expected a number in (0, 1), got %g",
                         delta);
    if (gdp_delta(mu, 0.0) <= delta) {
        *eps_out = 0.0;
        return 0;
    }
    /* delta(eps) is continuous and strictly decreasing where positive:
     * bracket [lo, hi] with delta(lo) > target >= delta(hi), then bisect. */
    double lo = 0.0, hi = 1.0;
    while (gdp_delta(mu, hi) > delta) {
        lo = hi;
        hi *= 2.0;
        if (hi > 1e300)
            return error_set(err, ERR_NUMERIC, "gdp epsilon: no finite eps for mu %g",
                             mu);
    }
    for (int it = 0; it < 200 && hi - lo > 1e-13 * hi; it++) {
        double mid = 0.5 * (lo + hi);
        if (gdp_delta(mu, mid) > delta)
            lo = mid;
        else
            hi = mid;
    }
    *eps_out = hi;
    return 0;
}

double gdp_tradeoff(double mu, double x)
{
    if (isnan(mu) || isnan(x) || mu < 0.0 || x < 0.0 || x > 1.0)
        return NAN;
    if (x == 0.0)
        return 1.0;
    if (x == 1.0)
        return 0.0;
    /* Phi(Phi^-1(1 - x) - mu) = Phi_sf(Phi^-1(x) + mu): no 1 - x rounding. */
    return specfun_norm_sf(specfun_norm_quantile(x) + mu);
}

double gdp_mu_from_rates(double fpr, double fnr)
{
    if (!(fpr < 1.0) || !(fnr < 1.0))
        return 0.0;
    double mu = -specfun_norm_quantile(fpr) - specfun_norm_quantile(fnr);
    return mu > 0.0 ? mu : 0.0;
}

/* mu lower bound at significance alpha (alpha / 2 to each rate). */
static double mu_lower_at(uint64_t tp, uint64_t fn, uint64_t fp, uint64_t tn,
                          double alpha, double *fpr_hi, double *fnr_hi)
{
    double a = bounds_cp_upper(fp, fp + tn, 0.5 * alpha);
    double b = bounds_cp_upper(fn, tp + fn, 0.5 * alpha);
    if (fpr_hi)
        *fpr_hi = a;
    if (fnr_hi)
        *fnr_hi = b;
    return gdp_mu_from_rates(a, b);
}

static int fill_bound(uint64_t tp, uint64_t fn, uint64_t fp, uint64_t tn,
                      double delta, double confidence, double alpha,
                      struct gdp_bound *out, struct error *err)
{
    memset(out, 0, sizeof *out);
    out->tp = tp;
    out->fn = fn;
    out->fp = fp;
    out->tn = tn;
    out->delta = delta;
    out->confidence = confidence;
    out->fpr = fp + tn ? (double)fp / (double)(fp + tn) : 0.0;
    out->fnr = tp + fn ? (double)fn / (double)(tp + fn) : 0.0;
    out->mu_lower_bound = mu_lower_at(tp, fn, fp, tn, alpha, &out->fpr_upper,
                                      &out->fnr_upper);
    if (!isfinite(out->mu_lower_bound))
        return error_set(err, ERR_NUMERIC, "gdp bound: mu is not finite");
    if (out->mu_lower_bound == 0.0) {
        out->epsilon_estimate = 0.0;
        return 0;
    }
    if (delta == 0.0) { /* mu-GDP, mu > 0, is eps-DP for no finite eps */
        out->epsilon_estimate = INFINITY;
        return 0;
    }
    return gdp_epsilon(out->mu_lower_bound, delta, &out->epsilon_estimate, err);
}

int gdp_bound_from_counts(uint64_t tp, uint64_t fn, uint64_t fp, uint64_t tn,
                          double delta, double confidence,
                          struct gdp_bound *out, struct error *err)
{
    int rc = bounds_check_levels(delta, confidence, err);
    if (rc)
        return rc;
    if (tp > UINT64_MAX - fn || fp > UINT64_MAX - tn)
        return error_set(err, ERR_INPUT, "counts: too large");
    return fill_bound(tp, fn, fp, tn, delta, confidence, 1.0 - confidence, out, err);
}

/* ---- from scores ----------------------------------------------------- */

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Number of entries of sorted s[0..n) that are >= t. */
static size_t count_ge(const double *s, size_t n, double t)
{
    size_t lo = 0, hi = n; /* first index with s[i] >= t */
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (s[mid] < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return n - lo;
}

/* Candidate thresholds: the distinct values of sorted all[0..n), or, when
 * there are more than max of them, the values at max evenly spaced ranks
 * (quantiles), deduplicated.  Writes to cand (capacity >= min(n, max)). */
static size_t candidates(const double *all, size_t n, size_t max, double *cand)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || all[i] != all[i - 1])
            d++;
    size_t k = 0;
    if (d <= max) {
        for (size_t i = 0; i < n; i++)
            if (i == 0 || all[i] != all[i - 1])
                cand[k++] = all[i];
        return k;
    }
    for (size_t i = 0; i < max; i++) {
        size_t at = max > 1 ? (size_t)((double)i * (double)(n - 1) / (double)(max - 1))
                            : 0;
        double v = all[at];
        if (k == 0 || cand[k - 1] != v)
            cand[k++] = v;
    }
    return k;
}

/* Group sorted scores of members (ms, nm) and non-members (os, no). */
struct groups {
    double *ms, *os, *all;
    size_t nm, no;
};

static void counts_at(const struct groups *g, double t, uint64_t *tp,
                      uint64_t *fn, uint64_t *fp, uint64_t *tn)
{
    size_t a = count_ge(g->ms, g->nm, t), b = count_ge(g->os, g->no, t);
    *tp = a;
    *fn = g->nm - a;
    *fp = b;
    *tn = g->no - b;
}

/* Best candidate of g at per-threshold significance alpha_each(n_cand). */
static double best_threshold(const struct groups *g, const double *cand, size_t nc,
                             double alpha, int divide, double *best_mu)
{
    double best_t = INFINITY, bm = -1.0;
    double a = divide ? alpha / (double)(nc ? nc : 1) : alpha;
    for (size_t i = 0; i < nc; i++) {
        uint64_t tp, fn, fp, tn;
        counts_at(g, cand[i], &tp, &fn, &fp, &tn);
        double mu = mu_lower_at(tp, fn, fp, tn, a, NULL, NULL);
        if (mu > bm) {
            bm = mu;
            best_t = cand[i];
        }
    }
    *best_mu = bm < 0.0 ? 0.0 : bm;
    return best_t;
}

static int build_groups(const double *scores, const uint8_t *member,
                        const size_t *idx, size_t n, struct groups *g)
{
    g->ms = malloc((n ? n : 1) * sizeof *g->ms);
    g->os = malloc((n ? n : 1) * sizeof *g->os);
    g->all = malloc((n ? n : 1) * sizeof *g->all);
    if (!g->ms || !g->os || !g->all)
        return ERR_NOMEM;
    g->nm = g->no = 0;
    for (size_t j = 0; j < n; j++) {
        size_t i = idx ? idx[j] : j;
        if (member[i])
            g->ms[g->nm++] = scores[i];
        else
            g->os[g->no++] = scores[i];
        g->all[j] = scores[i];
    }
    qsort(g->ms, g->nm, sizeof *g->ms, cmp_double);
    qsort(g->os, g->no, sizeof *g->os, cmp_double);
    qsort(g->all, n, sizeof *g->all, cmp_double);
    return 0;
}

static void free_groups(struct groups *g)
{
    free(g->ms);
    free(g->os);
    free(g->all);
    g->ms = g->os = g->all = NULL;
}

int gdp_bound_from_scores(const double *scores, const uint8_t *member,
                          size_t n, double delta, double confidence,
                          enum threshold_mode mode, size_t max_thresholds,
                          struct rng *rng, struct gdp_scores_bound *out,
                          struct error *err)
{
    int rc = bounds_check_levels(delta, confidence, err);
    if (rc)
        return rc;
    if (mode != THRESHOLD_SPLIT && mode != THRESHOLD_UNION)
        return error_set(err, ERR_INPUT, "threshold mode: unknown value %d", (int)mode);
    if (mode == THRESHOLD_SPLIT && !rng)
        return error_set(err, ERR_INPUT, "threshold mode split: needs a random stream");
    for (size_t i = 0; i < n; i++)
        if (isnan(scores[i]))
            return error_set(err, ERR_INPUT, "score %zu: is NaN", i);
    if (max_thresholds == 0)
        max_thresholds = DEFAULT_MAX_THRESHOLDS;
    memset(out, 0, sizeof *out);
    out->mode = mode;

    struct groups sel = {0}, ev = {0};
    size_t *idx = NULL;
    double *cand = malloc((n < max_thresholds ? (n ? n : 1) : max_thresholds) *
                          sizeof *cand);
    double alpha = 1.0 - confidence;
    if (!cand) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    if (mode == THRESHOLD_UNION) {
        if (build_groups(scores, member, NULL, n, &ev)) {
            rc = error_set(err, ERR_NOMEM, "out of memory");
            goto cleanup;
        }
        size_t nc = candidates(ev.all, n, max_thresholds, cand);
        double mu;
        out->threshold = best_threshold(&ev, cand, nc, alpha, 1, &mu);
        out->n_thresholds = nc ? nc : 1;
        out->n_select = out->n_eval = n;
        uint64_t tp, fn, fp, tn;
        counts_at(&ev, out->threshold, &tp, &fn, &fp, &tn);
        rc = fill_bound(tp, fn, fp, tn, delta, confidence,
                        alpha / (double)out->n_thresholds, &out->gdp, err);
        goto cleanup;
    }

    /* SPLIT: shuffle members and non-members separately, first halves
     * select, second halves evaluate. */
    idx = malloc((n ? n : 1) * sizeof *idx);
    if (!idx) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    size_t nm = 0;
    for (size_t i = 0; i < n; i++)
        if (member[i])
            idx[nm++] = i;
    size_t no = 0;
    for (size_t i = 0; i < n; i++)
        if (!member[i])
            idx[nm + no++] = i;
    if (nm < 2 || no < 2) {
        rc = error_set(err, ERR_INPUT,
                       "threshold mode 'split' needs at least 2 members and 2 non-members, "
                       "got %zu and %zu", nm, no);
        goto cleanup;
    }
    rng_shuffle(rng, idx, nm);
    rng_shuffle(rng, idx + nm, no);
    /* selection set: idx[0..nm/2) and idx[nm..nm+no/2); evaluation: rest */
    size_t hs = nm / 2, ho = no / 2;
    size_t *sel_idx = malloc(((hs + ho) ? hs + ho : 1) * sizeof *sel_idx);
    size_t *ev_idx = malloc(((n - hs - ho) ? n - hs - ho : 1) * sizeof *ev_idx);
    if (!sel_idx || !ev_idx) {
        free(sel_idx);
        free(ev_idx);
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    size_t ns = 0, ne = 0;
    for (size_t j = 0; j < nm; j++) {
        if (j < hs)
            sel_idx[ns++] = idx[j];
        else
            ev_idx[ne++] = idx[j];
    }
    for (size_t j = 0; j < no; j++) {
        if (j < ho)
            sel_idx[ns++] = idx[nm + j];
        else
            ev_idx[ne++] = idx[nm + j];
    }
    int brc = build_groups(scores, member, sel_idx, ns, &sel);
    if (!brc)
        brc = build_groups(scores, member, ev_idx, ne, &ev);
    free(sel_idx);
    free(ev_idx);
    if (brc) {
        rc = error_set(err, ERR_NOMEM, "out of memory");
        goto cleanup;
    }
    size_t nc = candidates(sel.all, ns, max_thresholds, cand);
    double mu;
    out->threshold = best_threshold(&sel, cand, nc, alpha, 0, &mu);
    out->n_thresholds = nc;
    out->n_select = ns;
    out->n_eval = ne;
    uint64_t tp, fn, fp, tn;
    counts_at(&ev, out->threshold, &tp, &fn, &fp, &tn);
    rc = fill_bound(tp, fn, fp, tn, delta, confidence, alpha, &out->gdp, err);

cleanup:
    free(cand);
    free(idx);
    free_groups(&sel);
    free_groups(&ev);
    return rc;
}

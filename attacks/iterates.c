/*
 * attacks/iterates.c - all-iterates canary scores (see iterates.h).
 */
#include "attacks/iterates.h"

#include <math.h>
#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Margin of canary j at step t (see iterates.h). */
static double margin_at(const double *trace, uint64_t t, const struct iter_view *v,
                        size_t j, size_t y, size_t k)
{
    size_t nc = v->ncols;
    double margin = 0;
    for (size_t c = 0; c < nc; c++) {
        double wgt = v->xw ? v->xw[j * nc + c] : (c == j ? 1.0 : 0.0);
        if (wgt == 0)
            continue;
        const double *row = trace + (t * nc + c) * k;
        double others = 0;
        for (size_t o = 0; o < k; o++)
            if (o != y)
                others += row[o];
        margin += wgt * (row[y] - others / (double)(k - 1));
    }
    return margin;
}

double iterates_snr(const double *xt, size_t d, const double *w, size_t col, bool intercept,
                    double sigma)
{
    double xx = 0, wx = 0, ww = 0;
    for (size_t c = 0; c < d; c++) {
        double wc = w ? w[c] : (c == col ? 1.0 : 0.0);
        xx += xt[c] * xt[c];
        wx += wc * xt[c];
        ww += wc * wc;
    }
    double den = sqrt(ww) * sigma * sqrt(xx + (intercept ? 1.0 : 0.0));
    return den > 0 && wx != 0 ? fabs(wx) / den : 0.0;
}

/* log(1 - q + q e^x) without overflow or cancellation. */
static double log_mix(double q, double x)
{
    if (x > 0)
        return x + log(q + (1 - q) * exp(-x));
    return log1p(q * expm1(x));
}

/* The increments D_0..D_{steps-2} of canary j's margin into d; their count. */
static size_t increments(const double *trace, uint64_t steps, const struct iter_view *v,
                         size_t j, size_t y, size_t k, double *d)
{
    double prev = 0;
    size_t nd = 0;
    for (uint64_t t = 0; t < steps; t++) {
        double mg = margin_at(trace, t, v, j, y, k);
        if (t > 0) {
            double lr = v->lr ? v->lr[nd] : 1.0;
            d[nd] = lr > 0 ? (mg - prev) / lr : 0.0;
            nd++;
        }
        prev = mg;
    }
    return nd;
}

static double median_sorted(const double *s, size_t n)
{
    return n % 2 ? s[n / 2] : 0.5 * (s[n / 2 - 1] + s[n / 2]);
}

/* Median of x[0..n) (sorts x). */
static double median_of(double *x, size_t n)
{
    qsort(x, n, sizeof *x, cmp_double);
    return median_sorted(x, n);
}

/*
 * poisson-lr.  The noise scale and the drift are the same for every canary
 * of a run (same sigma, C, learning rate and batch normalisation), so they
 * are estimated once over the pool: the median of the canaries' medians and
 * of their median absolute deviations.  Per-canary estimates would add noise
 * of a few percent to each canary's scale, which the likelihood ratio is
 * sensitive (in a simulation of the ideal mechanism, per-canary estimates
 * gave AUC 0.55, pooled ones 0.68, the true values 0.68).
 */
static void score_poisson_lr(const double *trace, uint64_t steps, const struct iter_view *v,
                             const int32_t *y, size_t m_score, size_t m_pool, size_t k,
                             double *scratch, double *out)
{
    double *d = scratch, *meds = scratch + steps, *mads = meds + m_pool;
    double big = 0;
    size_t nd = 0;
    for (size_t j = 0; j < m_pool; j++) {
        nd = increments(trace, steps, v, j, (size_t)y[j], k, d);
        if (nd == 0)
            break;
        double med = median_of(d, nd);
        for (size_t i = 0; i < nd; i++) {
            d[i] = fabs(d[i] - med);
            big = fmax(big, d[i]);
        }
        meds[j] = med;
        mads[j] = median_of(d, nd);
    }
    if (nd == 0) {
        for (size_t j = 0; j < m_score; j++)
            out[j] = 0;
        return;
    }
    double center = median_of(meds, m_pool), s = 1.4826 * median_of(mads, m_pool);
    if (!(s > 0))
        s = big > 0 ? 1e-6 * big : 1.0;
    for (size_t j = 0; j < m_score; j++) {
        nd = increments(trace, steps, v, j, (size_t)y[j], k, d);
        double a = v->snr ? v->snr[j] : 0, lr = 0;
        for (size_t i = 0; i < nd; i++)
            lr += log_mix(v->q, a * (d[i] - center) / s - 0.5 * a * a);
        out[j] = lr;
    }
}

/*
 * Why these three.  Without the canary its margin moves by the noise and by
 * what the other records push; the canary's clipped gradient adds a jump at
 * every step that sampled it.  The variance sees the jumps even when the
 * noise repeats every step (the reused-noise fault: the increments are then
 * constant but for the jumps).  epoch-max looks for exactly one jump per
 * epoch, which fixed-size shuffled batches guarantee and Poisson sampling
 * does not; in a fixed-size batch the canary also displaces another record,
 * which a background of records pushing the other way turns into a jump of
 * twice the clipped norm (docs/bounds.md, "Auditing the batch sampler").
 * poisson-lr is the most powerful test against the correct algorithm itself
 * (jumps of known size at independent Poisson steps), for tight audits.
 */
void iterates_score(const double *trace, uint64_t steps, const struct iter_view *v,
                    const int32_t *y, size_t m_score, size_t m_pool, size_t k,
                    enum canary_iter_stat stat, double *scratch, double *out)
{
    if (stat == CANARY_ITER_POISSON_LR) {
        score_poisson_lr(trace, steps, v, y, m_score, m_pool < m_score ? m_score : m_pool,
                         k, scratch, out);
        return;
    }
    for (size_t j = 0; j < m_score; j++) {
        size_t nd = increments(trace, steps, v, j, (size_t)y[j], k, scratch);
        if (nd == 0) {
            out[j] = 0;
            continue;
        }
        if (stat == CANARY_ITER_VARIANCE) {
            double s1 = 0, s2 = 0;
            for (size_t i = 0; i < nd; i++) {
                s1 += scratch[i];
                s2 += scratch[i] * scratch[i];
            }
            double mean = s1 / (double)nd;
            out[j] = s2 / (double)nd - mean * mean;
            continue;
        }
        /* increment i is SGD step i */
        size_t w = v->window ? v->window : 1, windows = 0;
        double sum = 0, best = -INFINITY;
        for (size_t i = 0; i < nd; i++) {
            if (scratch[i] > best)
                best = scratch[i];
            if ((i + 1) % w == 0 || i + 1 == nd) {
                sum += best;
                best = -INFINITY;
                windows++;
            }
        }
        out[j] = sum - (double)windows * median_of(scratch, nd);
    }
}

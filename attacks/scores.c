/*
 * attacks/scores.c - per-example statistics of a model's output (see
 * scores.h).
 *
 * Numerics: every logarithm is taken of a value clamped to
 * [SCORES_PMIN, 1], so a confidently wrong model yields a large finite score
 * (at most -log(1e-300) ~ 690.8) instead of inf.  Complements 1 - p_y are
 * never formed by subtraction: the sum of the other classes is accumulated
 * directly, which keeps full relative precision when p_y is within a few ulp
 * of 1 (1 - p_y would round to 0 there).  NaN inputs propagate to the result
 * so callers can detect them.
 */
#include "attacks/scores.h"

#include <math.h>

#include "core/specfun.h"

/* Clamp a probability to [SCORES_PMIN, 1]; NaN passes through. */
static double clampp(double x)
{
    if (x < SCORES_PMIN)
        return SCORES_PMIN;
    if (x > 1.0)
        return 1.0;
    return x;
}

/* sum_{j != y} p_j, accumulated directly (never as 1 - p_y). */
static double sum_others(const double *p, size_t k, size_t y)
{
    struct ksum a = {0.0, 0.0};
    for (size_t j = 0; j < k; j++)
        if (j != y)
            ksum_add(&a, p[j]);
    return ksum_value(&a);
}

double scores_loss(const double *p, size_t k, size_t y)
{
    if (y >= k)
        return NAN;
    return -log(clampp(p[y]));
}

double scores_confidence(const double *p, size_t k, size_t y)
{
    if (y >= k)
        return NAN;
    return p[y];
}

/*
 * Carlini et al. 2022 ("Membership inference attacks from first
 * principles"), Sec. IV-B: phi(p) = log(p_y / (1 - p_y)), with 1 - p_y
 * replaced by the sum of the other classes.  For k = 2 this is exactly
 * logit(p_y) = log p_y - log p_{1-y}.
 */
double scores_logit_confidence(const double *p, size_t k, size_t y)
{
    if (y >= k)
        return NAN;
    return log(clampp(p[y])) - log(clampp(sum_others(p, k, y)));
}

/* Shannon entropy; p_j log p_j -> 0 as p_j -> 0, and p_j * log(clampp(p_j))
 * is exactly 0 at p_j = 0 (0 * log(1e-300) = 0). */
double scores_entropy(const double *p, size_t k)
{
    struct ksum h = {0.0, 0.0};
    for (size_t j = 0; j < k; j++)
        ksum_add(&h, -p[j] * log(clampp(p[j])));
    return ksum_value(&h);
}

/*
 * Song and Mittal 2021 ("Systematic evaluation of privacy risks of machine
 * learning models"), eq. 3:
 *   Mentr(p, y) = -(1 - p_y) log p_y - sum_{j != y} p_j log(1 - p_j).
 * 1 - p_y is taken as the sum of the other classes; log(1 - p_j) is
 * log1p(-p_j), accurate for small p_j, clamped at log(SCORES_PMIN) when
 * p_j = 1.  Members tend to have *smaller* Mentr.
 */
double scores_modified_entropy(const double *p, size_t k, size_t y)
{
    if (y >= k)
        return NAN;
    double rest = sum_others(p, k, y);
    struct ksum m = {-rest * log(clampp(p[y])), 0.0};
    for (size_t j = 0; j < k; j++) {
        if (j == y)
            continue;
        double q = 1.0 - p[j];
        double lq = q < SCORES_PMIN ? log(SCORES_PMIN) : log1p(-p[j]);
        ksum_add(&m, -p[j] * lq);
    }
    return ksum_value(&m);
}

/* Yeom et al. 2018 ("Privacy risk in machine learning: analyzing the
 * connection to overfitting"), loss-threshold adversary: members have lower
 * loss, so the membership score is -loss. */
void scores_loss_attack(const double *probs, size_t n, size_t k,
                        const int *y, double *out)
{
    for (size_t i = 0; i < n; i++) {
        if (y[i] < 0 || (size_t)y[i] >= k) {
            out[i] = NAN;
            continue;
        }
        out[i] = -scores_loss(probs + i * k, k, (size_t)y[i]);
    }
}

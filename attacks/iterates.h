/*
 * attacks/iterates.h - membership scores of canaries from every intermediate
 * model of SGD training (the all-iterates, white-box threat model that
 * DP-SGD's accounting covers).
 *
 * The input is a trace of first-layer weights, the initial ones and then
 * after every step: row t (t = 0..steps-1) holds ncols traced input columns,
 * each k class weights (the layout of linear_train_traced; row t + 1 is the
 * model after SGD step t).  A canary j reads its weight margin
 *   M_t(j) = sum_c x_j[c] (W_t[c][y_j] - mean over o != y_j of W_t[c][o]),
 * x_j its input on the traced columns as the model transforms it (xw, m x
 * ncols), or, for Dirac canaries (xw NULL), column j alone with weight 1.
 * The scores are functions of the increments D_t = (M_{t+1} - M_t) / lr_t,
 * the change made by SGD step t = 0..steps-2 per unit learning rate (lr_t =
 * 1 without v->lr):
 *   CANARY_ITER_VARIANCE   the population variance of the D_t;
 *   CANARY_ITER_EPOCH_MAX  sum over windows e of max_{t in e} D_t, minus
 *                          (number of windows) x median(D); window e holds
 *                          SGD steps [e W, (e + 1) W), the last one possibly
 *                          partial, W = window (0 counts as 1).
 *   CANARY_ITER_POISSON_LR sum over t of log(1 - q + q exp(a_j z_t - a_j^2/2)),
 *                          z_t = (D_t - c) / s with c the median over the
 *                          pool canaries of their median increment and s
 *                          1.4826 x the median of their median absolute
 *                          deviations (when that is 0, 1e-6 x the largest
 *                          deviation, or 1): the log-likelihood ratio of "a
 *                          jump of a_j noise sd at each step with probability
 *                          q" against "noise only", the Neyman-Pearson test
 *                          of the claimed Poisson-sampled Gaussian mechanism.
 * Larger = more member-like for all three.  docs/attacks.md says what each
 * catches.
 */
#ifndef PRIVAUDIT_ATTACKS_ITERATES_H
#define PRIVAUDIT_ATTACKS_ITERATES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "targets/canary.h"

struct iter_view {
    size_t first, ncols;      /* traced input columns [first, first + ncols) */
    double *xw;               /* m x ncols canary inputs, or NULL (Dirac) */
    size_t window;            /* steps per epoch (CANARY_ITER_EPOCH_MAX) */
    double q, sigma;          /* sampling rate, noise multiplier (POISSON_LR) */
    double *snr;              /* a_j per canary (POISSON_LR; the caller's) */
    const double *lr;         /* the learning rate of each SGD step, or NULL:
                                 increments are divided by it, so a schedule
                                 does not change the noise scale */
};

/*
 * a_j for the Poisson likelihood ratio: the jump of a clipped canary
 * gradient in its weight margin, in noise standard deviations, for DP-SGD
 * with noise multiplier sigma.  xt: the canary's transformed input (d
 * features); w: the margin's weights on those features (NULL: e_col, the
 * Dirac column); intercept: whether the bias shares the clipped norm.
 *   a = (w . xt) / (|w| sigma sqrt(|xt|^2 + intercept))
 * (exact for two classes, and when the other classes' probabilities are
 * equal; an approximation otherwise).  0 when xt or w is 0.
 */
double iterates_snr(const double *xt, size_t d, const double *w, size_t col, bool intercept,
                    double sigma);

/* Scores of canaries [0, m_score) with labels y (each < k, k >= 2) into out.
 * poisson-lr estimates the noise scale and drift over canaries [0, m_pool)
 * (m_pool >= m_score; all canaries of the trace, members or not).  scratch
 * holds at least steps + 2 m_pool doubles. */
void iterates_score(const double *trace, uint64_t steps, const struct iter_view *v,
                    const int32_t *y, size_t m_score, size_t m_pool, size_t k,
                    enum canary_iter_stat stat, double *scratch, double *out);

#endif

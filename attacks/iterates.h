/*
 * attacks/iterates.h - membership scores of canaries from every intermediate
 * model of SGD training (the all-iterates, white-box threat model that
 * DP-SGD's accounting covers).
 *
 * The input is a trace of first-layer weights after every step: for step t,
 * ncols traced input columns, each a row of k class weights (the layout of
 * linear_train_traced).  A canary j reads its weight margin
 *   M_t(j) = sum_c x_j[c] (W_t[c][y_j] - mean over o != y_j of W_t[c][o]),
 * x_j its input on the traced columns as the model transforms it (xw, m x
 * ncols), or, for Dirac canaries (xw NULL), column j alone with weight 1.
 * The scores are functions of the increments D_t = M_t - M_{t-1}, t = 1..T-1
 * (step 0 has no earlier iterate in the trace):
 *   CANARY_ITER_VARIANCE   the population variance of the D_t;
 *   CANARY_ITER_EPOCH_MAX  sum over windows e of max_{t in e} D_t, minus
 *                          (number of windows) x median(D); window e holds
 *                          steps [e W, (e + 1) W), the last one possibly
 *                          partial, W = window (0 counts as 1).
 * Larger = more member-like for both.  docs/attacks.md says what each
 * catches.
 */
#ifndef PRIVAUDIT_ATTACKS_ITERATES_H
#define PRIVAUDIT_ATTACKS_ITERATES_H

#include <stddef.h>
#include <stdint.h>

#include "targets/canary.h"

struct iter_view {
    size_t first, ncols;      /* traced input columns [first, first + ncols) */
    double *xw;               /* m x ncols canary inputs, or NULL (Dirac) */
    size_t window;            /* steps per epoch (CANARY_ITER_EPOCH_MAX) */
};

/* Scores of canaries [0, m_score) with labels y (each < k, k >= 2) into out;
 * scratch holds at least `steps` doubles. */
void iterates_score(const double *trace, uint64_t steps, const struct iter_view *v,
                    const int32_t *y, size_t m_score, size_t k,
                    enum canary_iter_stat stat, double *scratch, double *out);

#endif

/*
 * attacks/scores.h - per-example statistics of a model's output.
 *
 * All functions take one row of class probabilities p[0..k) (k >= 2) and the
 * true class y, and are computed stably: probabilities are clamped to
 * [SCORES_PMIN, 1] before logs so a confident wrong model gives a large finite
 * loss, not inf.  Convention: larger membership score = more likely member.
 *
 * A class index y >= k (or a negative label in scores_loss_attack) is a
 * caller bug that these void/double functions cannot report: they return
 * NaN for it, and NaN inputs propagate, so roc_build's NaN check (or the
 * caller's) catches both.
 */
#ifndef PRIVAUDIT_ATTACKS_SCORES_H
#define PRIVAUDIT_ATTACKS_SCORES_H

#include <stddef.h>

#define SCORES_PMIN 1e-300

/* Cross-entropy loss -log max(p_y, SCORES_PMIN); at most ~690.8. */
double scores_loss(const double *p, size_t k, size_t y);

/* Confidence of the true class, p_y (returned unclamped). */
double scores_confidence(const double *p, size_t k, size_t y);

/* Logit-scaled confidence phi = log p_y - log(sum_{j != y} p_j) (Carlini et
 * al. 2022, LiRA), computed from the sum of the other classes directly (not
 * 1 - p_y) so it does not cancel for p_y near 1.  Both terms are clamped to
 * >= SCORES_PMIN, so |phi| <= ~690.8.  For k = 2, phi = logit(p_y). */
double scores_logit_confidence(const double *p, size_t k, size_t y);

/* Shannon entropy -sum p_j log p_j (label-free), with 0 log 0 = 0. */
double scores_entropy(const double *p, size_t k);

/* Modified entropy of Song and Mittal 2021 (eq. 3):
 * -(1 - p_y) log p_y - sum_{j != y} p_j log(1 - p_j), with 1 - p_y taken as
 * the sum of the other classes and both logs clamped at log(SCORES_PMIN).
 * Members tend to have smaller values: use -Mentr as a membership score. */
double scores_modified_entropy(const double *p, size_t k, size_t y);

/*
 * Loss-threshold attack membership scores (Yeom et al. 2018): out[i] =
 * -loss of row i, probs row-major n x k, labels y[0..n).  A label outside
 * [0, k) gives out[i] = NaN.  out has n entries, owned by the caller.
 */
void scores_loss_attack(const double *probs, size_t n, size_t k,
                        const int *y, double *out);

#endif

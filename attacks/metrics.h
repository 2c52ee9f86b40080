/*
 * attacks/metrics.h - how well membership scores separate members from
 * non-members: the exact ROC, AUC, advantage, TPR at fixed FPR.
 *
 * Scores: larger = "more likely member"; the attack guesses member when
 * score >= t.  The ROC has one point per distinct score (ties move together),
 * from (0,0) to (1,1).  AUC by the trapezoid rule over those points equals the
 * Mann-Whitney U / (P * N) with ties counted one half.
 *
 * The metric functions below take a roc filled by roc_build or
 * roc_downsample (at least one point, P > 0, N > 0).  Infinite scores are
 * allowed; a +inf score shares the +inf threshold of the (0,0) point, which
 * then means "never guess member".  Everything is O(n log n) (one sort).
 */
#ifndef PRIVAUDIT_ATTACKS_METRICS_H
#define PRIVAUDIT_ATTACKS_METRICS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct roc_point {
    double threshold;      /* guess member when score >= threshold (+inf at (0,0)) */
    uint64_t tp, fp;       /* counts at this threshold */
};

struct roc {
    size_t n_points;
    struct roc_point *points;  /* increasing fp and tp; first (0,0), last (P,N) */
    uint64_t n_pos, n_neg;     /* members, non-members */
};

/* Build the exact ROC of scores[0..n), member[i] != 0 meaning member.  n = 0,
 * a NaN score (the message names its index) or no member / no non-member
 * are ERR_INPUT errors.  *roc is overwritten (zeroed on error, so
 * roc_release is always safe); roc_release frees; it accepts NULL. */
int roc_build(struct roc *roc, const double *scores, const uint8_t *member,
              size_t n, struct error *err);
void roc_release(struct roc *roc);

/* Area under the ROC (ties = 1/2), exact: twice U is summed in integers and
 * divided once, so it equals the brute-force pair count. */
double roc_auc(const struct roc *roc);

struct tpr_at_fpr {
    double target_fpr;     /* requested */
    double fpr, tpr;       /* achieved: the ROC point with largest TPR and FPR <= target */
    uint64_t tp, fp;       /* counts behind them */
    double threshold;
};

/* TPR at FPR <= target (no interpolation; the achieved FPR is returned).
 * Among the points with fp/N <= target it picks the largest tp, and for equal
 * tp the smallest fp (highest threshold).  When only (0,0) qualifies (or
 * target < 0 or NaN) the result is tpr = fpr = 0 at threshold +inf. */
struct tpr_at_fpr roc_tpr_at_fpr(const struct roc *roc, double target_fpr);

/* max over thresholds of TPR - FPR (membership advantage, Yeom et al.), and
 * the balanced accuracy (1 + advantage) / 2 at that threshold.  Always in
 * [0, 1] since (0,0) counts; ties go to the highest threshold, which is
 * written to *threshold_out unless it is NULL. */
double roc_advantage(const struct roc *roc, double *threshold_out);
double roc_balanced_accuracy(const struct roc *roc);

/*
 * A downsampled ROC for reports and log-log plots: at most max_points points
 * (>= 16, else ERR_INPUT) that keep (0,0), (1,1), the first point with
 * fp > 0, and for each value of a log-spaced FPR grid from 1/N to 1 (about
 * max_points/2 values) and of a linear grid j/m, j = 1..m (the rest) the
 * point roc_tpr_at_fpr would report.  The kept points are a subset of the
 * input's, in the same order.  A roc with <= max_points points is copied.
 * *out must not alias *roc; it is zeroed on error.  Caller frees with
 * roc_release.
 */
int roc_downsample(const struct roc *roc, size_t max_points, struct roc *out,
                   struct error *err);

#endif

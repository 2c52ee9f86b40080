/*
 * attacks/metrics.h - how well membership scores separate members from
 * non-members: the exact ROC, AUC, advantage, TPR at fixed FPR.
 *
 * Scores: larger = "more likely member"; the attack guesses member when
 * score >= t.  The ROC has one point per distinct score (ties move together),
 * from (0,0) to (1,1).  AUC by the trapezoid rule over those points equals the
 * Mann-Whitney U / (P * N) with ties counted one half.
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

/* Build the exact ROC.  NaN scores are an ERR_INPUT error; needs at least one
 * member and one non-member (ERR_INPUT otherwise).  roc_release frees. */
int roc_build(struct roc *roc, const double *scores, const uint8_t *member,
              size_t n, struct error *err);
void roc_release(struct roc *roc);

/* Area under the ROC (ties = 1/2). */
double roc_auc(const struct roc *roc);

struct tpr_at_fpr {
    double target_fpr;     /* requested */
    double fpr, tpr;       /* achieved: the ROC point with largest TPR and FPR <= target */
    uint64_t tp, fp;       /* counts behind them */
    double threshold;
};

/* TPR at FPR <= target (no interpolation; the achieved FPR is returned). */
struct tpr_at_fpr roc_tpr_at_fpr(const struct roc *roc, double target_fpr);

/* max over thresholds of TPR - FPR (membership advantage, Yeom et al.), and
 * the balanced accuracy (1 + advantage) / 2 at that threshold. */
double roc_advantage(const struct roc *roc, double *threshold_out);
double roc_balanced_accuracy(const struct roc *roc);

/*
 * A downsampled ROC for reports and log-log plots: at most max_points points
 * (>= 16) that keep (0,0), (1,1), the first point with fp > 0, and the
 * points nearest a log-spaced FPR grid from 1/N to 1.  Caller frees
 * out->points with roc_release.
 */
int roc_downsample(const struct roc *roc, size_t max_points, struct roc *out,
                   struct error *err);

#endif

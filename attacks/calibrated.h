/*
 * attacks/calibrated.h - difficulty-calibrated threshold attacks (Watson,
 * Guo, Cormode, Sablayrolles, "On the importance of difficulty calibration
 * in membership inference attacks", ICLR 2022), on a score matrix of
 * logit-scaled confidences phi (attacks/scorematrix.h).
 *
 * A per-example signal s (oriented so that larger = more likely member) is
 * read from the target column and calibrated by subtracting its mean over
 * reference models that did not train on the example:
 *   per-example:  score(x) = s_t(x) - mean_{j in OUT(x)} s_j(x)
 *   global:       score(x) = s_t(x) - mean over all OUT cells of all
 *                 reference columns (one constant: the ROC is that of the
 *                 uncalibrated threshold attack, e.g. Yeom et al.'s loss
 *                 attack; this is the baseline the paper improves on).
 * Signals, all computed from phi (p_y = 1 / (1 + exp(-phi))):
 *   loss        s = -loss = log p_y   (cross-entropy; member = low loss)
 *   confidence  s = p_y
 *   logit       s = phi
 *   stat        s = the stored statistic itself, whatever it is, taken as
 *               larger = member (for matrices that do not hold phi)
 * An example with no OUT reference value gets the global mean (counted in
 * calibrated_info.n_fallback).
 */
#ifndef PRIVAUDIT_ATTACKS_CALIBRATED_H
#define PRIVAUDIT_ATTACKS_CALIBRATED_H

#include <stddef.h>
#include <stdint.h>

#include "attacks/scorematrix.h"
#include "core/error.h"

enum calibrated_signal {
    CALIBRATED_LOSS,
    CALIBRATED_CONFIDENCE,
    CALIBRATED_LOGIT,
    CALIBRATED_STAT
};
enum calibrated_reference { CALIBRATED_PER_EXAMPLE, CALIBRATED_GLOBAL };

struct calibrated_params {
    enum calibrated_signal signal;
    enum calibrated_reference reference;
};

struct calibrated_info {
    size_t n_refs;
    size_t n_fallback;   /* examples calibrated with the global mean */
    double global_mean;  /* mean signal over all OUT reference cells */
};

/* Loss signal, per-example calibration. */
void calibrated_params_default(struct calibrated_params *p);

/* "calibrated-<signal>/<per-example|global>", e.g.
 * "calibrated-loss/per-example".  A static string. */
const char *calibrated_variant(const struct calibrated_params *p);

/* Scores into scores[0..n_examples) (caller-owned, written on success);
 * ref_mask as in score_matrix_refs; info may be NULL.  No OUT cell in any
 * reference column, or a non-finite stat in a used column, is ERR_INPUT. */
int calibrated_scores(const struct score_matrix *m, size_t target,
                      const uint8_t *ref_mask,
                      const struct calibrated_params *p, double *scores,
                      struct calibrated_info *info, struct error *err);

#endif

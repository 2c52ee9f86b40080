/*
 * attacks/shokri.h - the shadow-model attack classifier of Shokri, Stronati,
 * Song, Shmatikov 2017 ("Membership inference attacks against machine
 * learning models", IEEE S&P), on the score matrix.
 *
 * Shokri et al. train an attack model on the shadows' outputs with IN/OUT
 * labels (one per class, or with the class as a feature).  Here: one XGBoost
 * classifier over every (example, shadow) cell with features (phi, class of
 * the example), where phi is the logit-scaled confidence of the true label
 * (p_y = 1 / (1 + e^-phi) exactly), label IN/OUT; its probability of IN on
 * the target's column is the membership score.  The features are those the
 * score matrix holds: the true-class confidence and the class, not the whole
 * sorted probability vector; the variant name says so.  With the sorted
 * probabilities (shokri_scores_top) they are added as features.
 */
#ifndef PRIVAUDIT_ATTACKS_SHOKRI_H
#define PRIVAUDIT_ATTACKS_SHOKRI_H

#include <stddef.h>
#include <stdint.h>

#include "attacks/scorematrix.h"
#include "core/error.h"

#define SHOKRI_VARIANT "shokri/xgboost-attack-model/features=phi,class"
#define SHOKRI_VARIANT_TOP "shokri/xgboost-attack-model/features=phi,class,sorted-probabilities"

/*
 * Train the attack model on every column except `target` and score the
 * target column: scores[i] = P(IN | phi_i, class_i).  classes[i] is example
 * i's class index (n_examples entries), seed the attack model's seed.
 * Returns 0, ERR_INPUT (bad target, no reference column), ERR_NOMEM or an
 * XGBoost error.
 */
int shokri_scores(const struct score_matrix *m, size_t target, const int32_t *classes,
                  size_t n_classes, uint64_t seed, double *scores, struct error *err);

/* The same with the sorted probability vectors as further features:
 * top[(j * n + i) * t + r] is model j's r-th largest class probability of
 * example i (attacks/shadow.h shadow_top_probs), t of them (Shokri et al.'s
 * sorted prediction vector, cut at t).  top NULL or t 0: shokri_scores. */
int shokri_scores_top(const struct score_matrix *m, size_t target, const int32_t *classes,
                      size_t n_classes, const float *top, size_t t, uint64_t seed,
                      double *scores, struct error *err);

#endif

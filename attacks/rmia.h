/*
 * attacks/rmia.h - the Relative Membership Inference Attack (RMIA) of
 * Zarifzadeh, Liu, Chaudhuri, Shokri, "Low-cost high-power membership
 * inference attacks", ICML 2024, on a score matrix of logit-scaled
 * confidences phi (attacks/scorematrix.h), from which
 * Pr(x | theta) = p_y(x) = 1 / (1 + exp(-phi)).
 *
 * For target column t and reference columns R (all but t unless masked):
 *   Pr(x | theta) = p_y of x under the target model;
 *   Pr(x) online  = mean over all j in R of p_y under model j (IN and OUT
 *                   reference models: the paper's
 *                   Pr(x) = E_theta' Pr(x | theta'));
 *   Pr(x) offline = ((1 + a) * Pr_OUT(x) + (1 - a)) / 2, Pr_OUT(x) the mean
 *                   over the OUT reference models of x: the paper's offline
 *                   approximation, which linearly models the unseen IN
 *                   average as Pr_IN(x) ~ a * Pr_OUT(x) + (1 - a) and
 *                   averages it with Pr_OUT; a in [0, 1] (a = 1: no
 *                   correction).  Note the plus sign before (1 - a).
 *   LR(x) = Pr(x | theta) / Pr(x), computed in logs;
 *   score(x) = fraction of population records z in Z with
 *              LR(x) / LR(z) >= gamma  (the paper's Score_MIA, gamma >= 0
 *              default 1).  Larger = more likely member; in [0, 1].
 * Pr(z) is computed by the same formula as Pr(x): the population records
 * are audit-pool rows, which reference models may have trained on.
 * Z defaults to the rows that are OUT for the target column (the auditor
 * knows them in a pool audit); a row of Z is left out of its own
 * comparison, so its score is over the other |Z| - 1 records.
 *
 * An example with no OUT reference value (offline) uses the online Pr(x)
 * instead (counted in rmia_info.n_fallback).  Cost: O(n K) for the ratios,
 * then one sort of Z and a binary search per example,
 * O((n + |Z|) log |Z|).
 */
#ifndef PRIVAUDIT_ATTACKS_RMIA_H
#define PRIVAUDIT_ATTACKS_RMIA_H

#include <stddef.h>
#include <stdint.h>

#include "attacks/scorematrix.h"
#include "core/error.h"

#define RMIA_DEFAULT_A 0.3
#define RMIA_DEFAULT_GAMMA 1.0
#define RMIA_VARIANT_MAX 96

enum rmia_mode { RMIA_ONLINE, RMIA_OFFLINE };

struct rmia_params {
    enum rmia_mode mode;
    double a;                  /* offline interpolation, [0, 1] */
    double gamma;              /* > 0, finite */
    const size_t *population;  /* rows of Z, distinct, < n_examples; NULL = */
    size_t n_population;       /* the rows OUT for the target column */
};

struct rmia_info {
    size_t n_refs;        /* reference columns used */
    size_t n_population;  /* |Z| */
    size_t n_fallback;    /* offline rows without OUT values (online Pr) */
};

/* Offline, a = RMIA_DEFAULT_A, gamma = 1, default population. */
void rmia_params_default(struct rmia_params *p);

/* "rmia-online/gamma=<g>" or "rmia-offline/a=<a>/gamma=<g>" (%g) into buf;
 * returns snprintf's count (truncated when >= len). */
int rmia_variant(const struct rmia_params *p, char *buf, size_t len);

/*
 * log LR(x) = log Pr(x | theta) - log Pr(x) for every row (n_examples
 * entries in llr, caller-owned), with ref_mask as in score_matrix_refs.
 * info may be NULL (only n_refs and n_fallback are set here).
 */
int rmia_log_ratios(const struct score_matrix *m, size_t target,
                    const uint8_t *ref_mask, const struct rmia_params *p,
                    double *llr, struct rmia_info *info, struct error *err);

/*
 * RMIA scores of every row for target column `target` into
 * scores[0..n_examples) (caller-owned, written only on success).
 * ERR_INPUT for a, gamma out of range, a population row out of range or
 * listed twice, fewer than 2 population rows, a non-finite stat in a used
 * column, or a bad target / mask.
 */
int rmia_scores(const struct score_matrix *m, size_t target,
                const uint8_t *ref_mask, const struct rmia_params *p,
                double *scores, struct rmia_info *info, struct error *err);

#endif

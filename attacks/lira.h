/*
 * attacks/lira.h - the Likelihood Ratio Attack (LiRA) of Carlini, Chien,
 * Nasr, Song, Terzis, Tramer, "Membership inference attacks from first
 * principles", IEEE S&P 2022 (Algorithm 1), on a score matrix of
 * logit-scaled confidences phi (attacks/scorematrix.h).
 *
 * For example i and target column t, the reference columns R (all columns
 * but t unless a mask is given) are split by the example's bit into
 * IN_i = {j in R : in[i][j]} and OUT_i = {j in R : !in[i][j]}, and Gaussians
 * are fitted to phi over each: mu = sample mean, s^2 = unbiased sample
 * variance (per-example variance) or one pooled within-example variance for
 * all examples (global variance: sum over examples of squared deviations
 * from each example's own mean, divided by sum (n_i - 1); pooled separately
 * for IN and OUT).  With x = phi[i][t] (larger score = more likely member):
 *
 *   online  (needs IN and OUT shadows):
 *     score = log N(x; mu_in, s_in^2) - log N(x; mu_out, s_out^2)
 *   offline (OUT shadows only), z = (x - mu_out) / s_out:
 *     neg-logsf  score = -log P[Z > z] = -log(1 - Phi(z))   (default)
 *     logcdf     score = log Phi(z) = log Lambda of the paper's one-sided
 *                test Lambda = 1 - Pr[Z > x], Z ~ N(mu_out, s_out^2)
 *     neg-logpdf score = -log N(x; mu_out, s_out^2) (two-sided; what the
 *                authors' first code release computed)
 *   neg-logsf and logcdf rank examples identically (both increase with z);
 *   neg-logsf stays resolved for members far above the OUT mean, where
 *   logcdf rounds to 0 (z > ~38) and would tie them.
 *
 * Robustness (documented in docs/attacks.md):
 *   - fewer than 2 IN (OUT) values for an example: its IN (OUT) variance is
 *     the global pooled one (counted in lira_info.n_var_fallback);
 *   - no IN (OUT) value at all: mu_in = mu_out + delta (mu_out = mu_in -
 *     delta), delta = mean of mu_in - mu_out over the examples that have
 *     both (counted in n_mean_fallback);
 *   - variances are floored at LIRA_VAR_FLOOR, so every score is finite.
 * A pooled variance that cannot be estimated (no example with 2 values in
 * either group) or a needed delta with no example having both groups is
 * ERR_INPUT, as is a non-finite stat in a used column (e.g. a column the
 * engine never filled).
 */
#ifndef PRIVAUDIT_ATTACKS_LIRA_H
#define PRIVAUDIT_ATTACKS_LIRA_H

#include <stddef.h>
#include <stdint.h>

#include "attacks/scorematrix.h"
#include "core/error.h"

/* Floor on every fitted variance (phi units^2): float32 phi has ~1e-7
 * relative resolution, so a smaller spread is quantisation, not signal. */
#define LIRA_VAR_FLOOR 1e-12

enum lira_mode { LIRA_ONLINE, LIRA_OFFLINE };
enum lira_variance { LIRA_VAR_PER_EXAMPLE, LIRA_VAR_GLOBAL };
enum lira_offline_score {
    LIRA_OFFLINE_NEG_LOGSF,
    LIRA_OFFLINE_LOGCDF,
    LIRA_OFFLINE_NEG_LOGPDF
};

struct lira_params {
    enum lira_mode mode;
    enum lira_variance variance;
    enum lira_offline_score offline_score; /* ignored online */
};

/* What the fit did, for the report. */
struct lira_info {
    size_t n_refs;            /* reference columns used */
    size_t n_var_fallback;    /* example-groups given the global variance */
    size_t n_mean_fallback;   /* example-groups given a shifted mean */
    double global_sd_in;      /* pooled sds (NaN when not estimable) */
    double global_sd_out;
    double mean_shift;        /* delta (NaN when no example has both) */
};

/* Online, per-example variance. */
void lira_params_default(struct lira_params *p);

/* The variant name carried by reports: "lira-online/per-example-variance",
 * "lira-online/global-variance", "lira-offline/<variance>/<score>" with
 * <score> one of neg-logsf, logcdf, neg-logpdf.  A static string. */
const char *lira_variant(const struct lira_params *p);

/*
 * LiRA membership scores of every example for target column `target`.
 * ref_mask: see score_matrix_refs (NULL = all columns but the target).
 * scores: n_examples entries, written only on success, owned by the caller.
 * info may be NULL.  Cost O(n_examples * n_models), memory O(n_examples).
 */
int lira_scores(const struct score_matrix *m, size_t target,
                const uint8_t *ref_mask, const struct lira_params *p,
                double *scores, struct lira_info *info, struct error *err);

#endif

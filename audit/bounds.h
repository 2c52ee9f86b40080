/*
 * audit/bounds.h - empirical epsilon lower bounds from membership guesses.
 *
 * An (epsilon, delta)-DP mechanism forces every membership test to satisfy
 *   TPR <= e^eps * FPR + delta   and   TNR <= e^eps * FNR + delta
 * (Kairouz, Oh, Viswanath 2015).  Observing a test's error rates therefore
 * rules out small epsilons.  The Clopper-Pearson bound (Jagielski, Ullman,
 * Oprea 2020, "Auditing differentially private machine learning"; with delta
 * as in Nasr et al. 2021) replaces FPR and FNR by one-sided Clopper-Pearson
 * upper confidence bounds that share the significance level alpha = 1 -
 * confidence (alpha/2 each, a union bound), so with probability >= confidence
 * the returned value is <= the true epsilon of the mechanism:
 *   eps_LB = max(ln((1 - delta - FNR_hi) / FPR_hi),
 *                ln((1 - delta - FPR_hi) / FNR_hi)),  clamped at 0.
 */
#ifndef PRIVAUDIT_AUDIT_BOUNDS_H
#define PRIVAUDIT_AUDIT_BOUNDS_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "core/rng.h"

/* One-sided Clopper-Pearson upper bound on a binomial proportion: the p with
 * P[Bin(n, p) <= k] = alpha; 1 when k == n or n == 0; exact for k == 0
 * (1 - alpha^(1/n)).  Requires k <= n, alpha in (0, 1). */
double bounds_cp_upper(uint64_t k, uint64_t n, double alpha);

struct cp_bound {
    double epsilon_lower_bound;  /* >= 0, finite */
    double fpr_upper, fnr_upper; /* the Clopper-Pearson upper bounds used */
    double fpr, fnr;             /* point estimates (0 when undefined) */
    double delta, confidence;
    uint64_t tp, fn, fp, tn;
    int direction;               /* +1 from (FPR, TPR), -1 from (FNR, TNR), 0 none */
};

/* The bound from counts.  delta in [0, 1), confidence in (0, 1).
 * Returns 0 or ERR_INPUT (with the offending argument named). */
int bounds_clopper_pearson(uint64_t tp, uint64_t fn, uint64_t fp, uint64_t tn,
                           double delta, double confidence,
                           struct cp_bound *out, struct error *err);

enum threshold_mode {
    THRESHOLD_SPLIT = 0, /* choose on a random half, bound on the other half */
    THRESHOLD_UNION      /* scan thresholds on all data, alpha / #thresholds */
};

struct scores_bound {
    struct cp_bound cp;          /* the bound at the chosen threshold */
    enum threshold_mode mode;
    double threshold;            /* guess "member" when score >= threshold */
    size_t n_thresholds;         /* candidates scanned (UNION: the union-bound size) */
    size_t n_select, n_eval;     /* examples used to select / to bound */
};

/*
 * Epsilon lower bound from membership scores (higher = more likely member)
 * and the true membership bits of n examples.  The threshold is never chosen
 * on the data the bound uses:
 *   THRESHOLD_SPLIT: members and non-members are each split in half at random
 *     (rng); the threshold maximising the bound on the first half is applied
 *     to the second half, which alone gives the counts.
 *   THRESHOLD_UNION: every distinct threshold (at most max_thresholds, chosen
 *     as score quantiles, 0 = 256) is tried on all data with confidence
 *     1 - alpha / n_thresholds each, and the best is returned (a union bound).
 * NaN scores are an ERR_INPUT error.  Returns 0, ERR_INPUT or ERR_NOMEM.
 */
int bounds_from_scores(const double *scores, const uint8_t *member, size_t n,
                       double delta, double confidence, enum threshold_mode mode,
                       size_t max_thresholds, struct rng *rng,
                       struct scores_bound *out, struct error *err);

const char *bounds_threshold_mode_name(enum threshold_mode m);

#endif

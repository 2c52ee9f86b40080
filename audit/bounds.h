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
 * P[Bin(n, p) <= k] = alpha, i.e. the Beta(k+1, n-k) quantile at 1 - alpha;
 * 1 when k == n or n == 0; exact for k == 0 (1 - alpha^(1/n), computed as
 * -expm1(log(alpha) / n)).  Requires k <= n, alpha in (0, 1); returns NaN
 * otherwise.  Relative accuracy ~1e-14. */
double bounds_cp_upper(uint64_t k, uint64_t n, double alpha);

struct cp_bound {
    double epsilon_lower_bound;  /* >= 0, finite */
    double fpr_upper, fnr_upper; /* the Clopper-Pearson upper bounds used */
    double fpr, fnr;             /* point estimates (0 when undefined) */
    double delta, confidence;
    uint64_t tp, fn, fp, tn;
    int direction;               /* +1 from (FPR, TPR), -1 from (FNR, TNR), 0 none */
};

/* The bound from counts (tp, fn: members guessed in / out; fp, tn:
 * non-members guessed in / out).  delta in [0, 1), confidence in (0, 1);
 * FPR_hi and FNR_hi are taken at alpha/2 each.  A class with no examples has
 * upper bound 1 (so that direction contributes nothing); numerators <= 0
 * give 0.  `direction` is +1 on a tie.  Fills *out (zeroed on error).
 * Returns 0 or ERR_INPUT (with the offending argument named: 'delta',
 * 'confidence', or counts whose sums overflow). */
/* ERR_INPUT unless delta is in [0, 1) and confidence in (0, 1), naming
 * which ("'delta': expected a number in [0, 1), got 1"); the check of every
 * bound (Clopper-Pearson, one-run, f-DP, GDP). */
int bounds_check_levels(double delta, double confidence, struct error *err);

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
 * and the true membership bits of n examples (member[i] != 0: member).  The
 * test is "score >= threshold guesses member".  The threshold is never
 * chosen on the data the bound uses:
 *   THRESHOLD_SPLIT: members and non-members are each shuffled (rng: the
 *     member indices first, then the non-members, with rng_shuffle) and split
 *     in half; the first floor(n_class / 2) of each class select the
 *     threshold, the rest give the counts.  Every distinct selection score is
 *     scanned; the one maximising the Clopper-Pearson bound (same delta and
 *     confidence) on the selection half wins, ties broken by the larger
 *     point-estimate log ratio, then the larger threshold.  Needs >= 2
 *     members and >= 2 non-members.  n_select / n_eval are the half sizes.
 *   THRESHOLD_UNION: the candidates are every distinct score if there are at
 *     most max_thresholds (0 = 256) of them, else the pooled scores at ranks
 *     floor(j (n-1) / (T-1)), j = 0..T-1, with ties merged; each is evaluated
 *     on all data at confidence 1 - (1 - confidence) / n_thresholds and the
 *     best is returned (same tie-break).  cp.confidence is the overall
 *     level (the bound holds with that probability); cp.fpr_upper and
 *     cp.fnr_upper are the limits at (1 - confidence) / (2 n_thresholds).  Needs >= 1 member and >= 1 non-member; rng is
 *     not used (may be NULL).  n_select = n_eval = n.  The union bound treats
 *     the candidates as fixed although they are read off the pooled scores;
 *     SPLIT is the mode with an exact guarantee.
 * Cost O(n log n) plus one Beta quantile per distinct count.  NaN scores
 * are an ERR_INPUT error naming the index ('scores[i]'); infinite scores are
 * allowed.  Returns 0, ERR_INPUT, ERR_NOMEM, or ERR_INTERNAL for NULL
 * pointers (or a NULL rng in SPLIT mode).  *out is zeroed on error.
 */
int bounds_from_scores(const double *scores, const uint8_t *member, size_t n,
                       double delta, double confidence, enum threshold_mode mode,
                       size_t max_thresholds, struct rng *rng,
                       struct scores_bound *out, struct error *err);

/* "split", "union", or "unknown"; a static string. */
const char *bounds_threshold_mode_name(enum threshold_mode m);

#endif

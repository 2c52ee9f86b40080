/*
 * audit/onerun.h - the one-run epsilon lower bound (Steinke, Nasr,
 * Jagielski 2023, "Privacy auditing with one (1) training run", NeurIPS;
 * arXiv:2305.08846).
 *
 * Game: m canaries, each included in the (single) training run by an
 * independent fair coin.  The auditor ranks the canaries by score, guesses
 * IN for the k+ highest and OUT for the k- lowest and abstains on the rest:
 * r = k+ + k- guesses, v of them correct.
 *
 *  - Pure eps-DP (their main theorem, Thm. 3.1 with delta = 0): the number
 *    of correct guesses is stochastically dominated by
 *    Binomial(r, p(eps)), p(eps) = e^eps / (1 + e^eps), so the p-value of
 *    the claim "eps-DP" is  beta(eps) = P[Bin(r, p(eps)) >= v].
 *  - (eps, delta)-DP (Thm. 3.1 in full; computed as in their Appendix D):
 *      p(eps, delta) = min(1, beta(eps) + 2 m delta alpha(eps)),
 *      alpha(eps) = max_{i = 1..v} P[v - i <= Bin(r, p(eps)) < v] / i.
 *    The delta term scales with ALL m canaries, not only the r guesses.
 * The lower bound is the largest eps whose claim is rejected at level
 * 1 - confidence: p(eps, delta) <= 1 - confidence.  Probabilities are
 * handled in log space (specfun_binom_logsf / logpmf), so tails far below
 * 1e-308 are fine.
 *
 * Validity: if the mechanism is (eps, delta)-DP with respect to each
 * canary, P[bound > eps] <= 1 - confidence.  The guesses must be a
 * function of the trained model (the scores) only: ties between equal
 * scores are broken by canary index, which the coins do not influence.
 */
#ifndef PRIVAUDIT_AUDIT_ONERUN_H
#define PRIVAUDIT_AUDIT_ONERUN_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

struct onerun_bound {
    double epsilon_lower_bound; /* >= 0, finite */
    double delta;
    double confidence;          /* asked for */
    double confidence_per_test; /* confidence of each (k+, k-) test after the
                                   union bound: 1 - (1 - confidence) / n_grid */
    uint64_t m, r, v;           /* canaries, guesses, correct guesses */
    uint64_t k_plus, k_minus;   /* the guesses behind the bound (from scores) */
    size_t n_grid;              /* (k+, k-) pairs tried; 1 when fixed */
};

/* log of the p-value p(eps, delta) above (<= 0).  Requires v <= r <= m,
 * eps >= 0, delta in [0, 1]; NaN otherwise. */
double onerun_log_pvalue(uint64_t m, uint64_t r, uint64_t v, double eps,
                         double delta);

/*
 * The largest eps in [0, 64] with p(eps, delta) <= 1 - confidence, to
 * ~1e-10 absolute (bisection; 0 when even eps = 0 is not rejected).  Any
 * eps with p <= 1 - confidence is a valid bound, so the bisection's answer
 * is valid even where p is not monotone in eps (possible only via the
 * delta term).  Requires v <= r <= m, delta in [0, 1), confidence in
 * (0, 1): ERR_INPUT naming the argument otherwise.
 */
int onerun_epsilon(uint64_t m, uint64_t r, uint64_t v, double delta,
                   double confidence, struct onerun_bound *out,
                   struct error *err);

struct onerun_guess {
    uint64_t k_plus, k_minus;
};

struct onerun_opts {
    double delta;      /* in [0, 1) */
    double confidence; /* in (0, 1) */
    /* Fixed guesses when n_grid == 0 and (k_plus or k_minus) > 0; with
     * n_grid > 0 the pairs grid[0..n_grid) are all tried and the best
     * reported, each at confidence 1 - (1 - confidence) / n_grid (a union
     * bound).  All zero: the default grid (onerun_default_grid). */
    uint64_t k_plus, k_minus;
    const struct onerun_guess *grid;
    size_t n_grid;
};

/* The default grid for m canaries: k+ = k- = k for k in 1, 2, 5, 10, 20,
 * 50, ... up to m/2, plus k = floor(m/2) (all canaries guessed).  Writes
 * up to cap pairs to out and returns how many there are (call with cap 0
 * to size).  Empty when m < 2. */
size_t onerun_default_grid(uint64_t m, struct onerun_guess *out, size_t cap);

/* The (k+, k-) pairs opts describes for m canaries, as a new array for
 * free() (*pairs; at least one element is allocated).  A fixed pair with
 * k+ + k- > m is ERR_INPUT; grid pairs that do not fit are kept (callers
 * skip them) so that the union-bound size is the grid's.  ERR_NOMEM. */
int onerun_guess_pairs(size_t m, const struct onerun_opts *opts,
                       struct onerun_guess **pairs, size_t *n_pairs,
                       struct error *err);

/*
 * Rank canaries by score (descending; ties by lower index first) and fill
 * cum[0..m]: cum[j] = number of members among the j highest ranked.  Then
 * guessing IN for the top k+ and OUT for the bottom k- (k+ + k- <= m)
 * makes v = cum[k+] + k- - (cum[m] - cum[m - k-]) correct guesses
 * (onerun_correct).  *cum is a new array for free().  NaN scores are
 * ERR_INPUT naming the index; ERR_NOMEM.
 */
int onerun_rank(const double *scores, const uint8_t *member, size_t m,
                uint64_t **cum, struct error *err);
uint64_t onerun_correct(const uint64_t *cum, size_t m, uint64_t k_plus,
                        uint64_t k_minus);

/* One pair of opts that fits: k = k+ + k- guesses, c of them correct. */
struct onerun_count {
    uint64_t k_plus, k_minus, k, c;
};

/*
 * The guesses of opts on the scores of m canaries (onerun_guess_pairs,
 * onerun_rank, onerun_correct): *counts (free(); at least one element is
 * allocated) holds the *n_counts pairs that fit m, *n_grid the number of
 * pairs paid for by the union bound (the grid's size, at least 1).  Errors
 * as those functions'.
 */
int onerun_count_guesses(const double *scores, const uint8_t *member, size_t m,
                         const struct onerun_opts *opts, struct onerun_count **counts,
                         size_t *n_counts, size_t *n_grid, struct error *err);

/*
 * The bound from the scores and coins of m canaries (member[i] = 1 when
 * canary i was included), with the guesses of opts.  Pairs with k+ + k- >
 * m are ERR_INPUT (fixed) or skipped (grid).  0, ERR_INPUT or ERR_NOMEM.
 */
int onerun_from_scores(const double *scores, const uint8_t *member, size_t m,
                       const struct onerun_opts *opts, struct onerun_bound *out,
                       struct error *err);

#endif

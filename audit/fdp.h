/*
 * audit/fdp.h - one-run audit of a whole privacy curve (f-DP), after
 * Mahloujifar, Melis, Chaudhuri 2024, "Auditing f-differential privacy in
 * one run" (arXiv:2410.22235; ICML 2025).
 *
 * Same game as audit/onerun.h: m canaries with fair coins, k = k+ + k-
 * guesses (abstain on the rest), c correct.  Instead of one (eps, delta)
 * point, the claim tested is a symmetric trade-off function f (the FNR of
 * the best test at each FPR, Dong, Roth, Su 2019): "the mechanism is f-DP
 * with respect to each canary".
 *
 * The test (their recursive bound on the probability of >= c correct
 * guesses, proved in docs/bounds.md, "One-run f-DP", and checked against the
 * authors' routine in tests/check_fdp.c):
 * with tau = 1 - confidence, start from
 *     r = tau c / m,   h = tau (k - c) / m
 * and for j = c, c-1, ..., 1 set
 *     h' = max(h, f(1 - r)),   r' = r + (j - 1)/(k - j + 1) (h' - h).
 * If the final r + h exceeds k/m, then P[>= c correct] < tau for every
 * f-DP mechanism and adversary, and f is rejected at level tau.  (r and h
 * lower-bound the probabilities that a uniformly random canary is guessed
 * correctly / wrongly on the event ">= j correct"; f-DP plus Jensen gives
 * H_{j-1} >= f(1 - R_j); they must sum to exactly k/m at j = 0.)
 *
 * The claimed curve can be
 *  - FDP_GAUSSIAN: f_mu (mu-GDP, audit/gdp.h);
 *  - FDP_EPS_DELTA: the (eps, delta)-DP curve
 *      f(x) = max(0, 1 - delta - e^eps x, e^-eps (1 - delta - x));
 *  - FDP_GRID: delta(eps) given at eps_0 < ... (e.g. from the PLD
 *    accountant, fdp_grid_from_pld), turned into the trade-off function
 *      f(x) = sup_i max(0, 1 - delta_i - e^eps_i x, e^-eps_i (1 - delta_i - x))
 *    (Dong, Roth, Su 2019, Prop. 2.12: f-DP from a family of (eps, delta)
 *    guarantees).  This f is below the true curve of a mechanism whose
 *    delta(eps) is at most the grid's, so rejecting it rejects the claim.
 */
#ifndef PRIVAUDIT_AUDIT_FDP_H
#define PRIVAUDIT_AUDIT_FDP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "audit/onerun.h"
#include "core/error.h"
#include "targets/pld.h"

enum fdp_kind { FDP_GAUSSIAN = 0, FDP_EPS_DELTA, FDP_GRID };

struct fdp_curve {
    enum fdp_kind kind;
    double mu;                 /* FDP_GAUSSIAN: >= 0 */
    double eps, delta;         /* FDP_EPS_DELTA: eps >= 0, delta in [0, 1] */
    const double *grid_eps;    /* FDP_GRID: n_grid points, eps >= 0 finite, */
    const double *grid_delta;  /*   delta in [0, 1]; not copied */
    size_t n_grid;
};

/* ERR_INPUT naming the offending field; 0 when usable. */
int fdp_curve_check(const struct fdp_curve *f, struct error *err);

/* The trade-off function f(x), x in [0, 1] (NaN outside). */
double fdp_tradeoff(const struct fdp_curve *f, double x);

/*
 * The multi-run test of a claimed curve: given upper confidence bounds on one
 * test's FPR and FNR that hold together (e.g. Clopper-Pearson at alpha/2
 * each, from R runs with and R without the canary), true when they are
 * impossible under f: fnr_hi < f(fpr_hi) or fpr_hi < f(fnr_hi) (f symmetric:
 * every test has FNR >= f(FPR), and FPR >= f(FNR) by swapping the two
 * datasets; f is non-increasing, so the true rates would give FNR <= fnr_hi <
 * f(fpr_hi) <= f(FPR)).  A relative margin of 1e-9 keeps round-off from
 * rejecting.  It needs no confidence of its own: it is a consequence of the
 * same event as the bounds.
 */
bool fdp_rejects_rates(const struct fdp_curve *f, double fpr_hi, double fnr_hi);

/* true when f is rejected at significance alpha in (0, 1) by (m, k, c):
 * c <= k <= m, k >= 1 (else false). */
bool fdp_rejects(uint64_t m, uint64_t k, uint64_t c, const struct fdp_curve *f,
                 double alpha);

/* An upper bound on the largest P[>= c correct guesses] over f-DP
 * mechanisms: the smallest alpha the test rejects at (bisection to ~1e-9
 * relative, rounded up), 1 when none.  The test rejects f at level alpha
 * iff this is <= alpha (up to that tolerance). */
double fdp_pvalue(uint64_t m, uint64_t k, uint64_t c, const struct fdp_curve *f);

struct fdp_bound {
    double epsilon_lower_bound; /* largest eps whose (eps, delta) curve is
                                   rejected: valid, like onerun's */
    double mu_lower_bound;      /* largest mu whose f_mu is rejected */
    double gdp_epsilon;         /* eps at delta of mu_lower_bound-GDP: an
                                   estimate under a Gaussian assumption */
    double delta, confidence, confidence_per_test;
    uint64_t m, k, c;           /* canaries, guesses, correct (best pair) */
    uint64_t k_plus, k_minus;
    size_t n_grid;
    /* The pairs behind mu_lower_bound (may differ from the eps one): */
    uint64_t mu_k_plus, mu_k_minus, mu_c;
};

/*
 * Both family bounds from counts: epsilon_lower_bound (delta fixed, eps
 * bisected in [0, 64]) and mu_lower_bound (bisected in [0, 40]), each to
 * ~1e-9, and gdp_epsilon.  delta in [0, 1) (gdp_epsilon is 0 when delta is
 * 0: mu-GDP with mu > 0 has no finite pure eps; reported as +inf instead
 * when mu_lower_bound > 0), confidence in (0, 1).  0 or ERR_INPUT.
 */
int fdp_bound_from_counts(uint64_t m, uint64_t k, uint64_t c, double delta,
                          double confidence, struct fdp_bound *out,
                          struct error *err);

/* The same from scores and coins, with the guesses of opts (fixed pair,
 * grid, or the default grid, each test at 1 - (1 - confidence)/n_grid as
 * in onerun_from_scores; opts->delta is the delta of the eps family). */
int fdp_bound_from_scores(const double *scores, const uint8_t *member,
                          size_t m, const struct onerun_opts *opts,
                          struct fdp_bound *out, struct error *err);

/* Test a claimed curve from scores: *rejected when some pair of opts
 * rejects it at (1 - confidence) / n_grid; *pvalue = min over pairs of
 * fdp_pvalue * n_grid (capped at 1), the union-bound p-value. */
int fdp_test_scores(const double *scores, const uint8_t *member, size_t m,
                    const struct onerun_opts *opts, const struct fdp_curve *f,
                    bool *rejected, double *pvalue, struct error *err);

/* Fill eps[i] = eps_max * i / (n - 1), delta[i] = pld_delta_at(pld, eps[i])
 * for i < n (n >= 2, eps_max > 0 finite): a FDP_GRID claim from the PLD
 * accountant (pessimistic delta, so the curve is conservative). */
int fdp_grid_from_pld(const struct pld *pld, double eps_max, size_t n,
                      double *eps, double *delta, struct error *err);

#endif

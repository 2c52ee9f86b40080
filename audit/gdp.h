/*
 * audit/gdp.h - Gaussian differential privacy (mu-GDP): the analytic
 * trade-off and privacy curves, and the multi-run mu lower bound.
 *
 * A mechanism is mu-GDP (Dong, Roth, Su 2019, "Gaussian differential
 * privacy", JRSS-B 2022) when no test of "member" vs "non-member" beats
 * the trade-off function
 *   f_mu(x) = Phi(Phi^-1(1 - x) - mu)        (their Def. 2.4 / eq. (2.4)),
 * the type II error (FNR) at type I error (FPR) x of telling N(0, 1) from
 * N(mu, 1).  mu-GDP is (eps, delta(eps))-DP for every eps with
 *   delta(eps) = Phi(-eps/mu + mu/2) - e^eps Phi(-eps/mu - mu/2)
 *                                           (their Corollary 2.13),
 * which is also the exact curve of the Gaussian mechanism with
 * sigma = 1/mu (Balle, Wang 2018, Thm. 8).
 *
 * Multi-run bound (Nasr, Hayes, Steinke, Balle, Tramer, Jagielski, Carlini,
 * Terzis 2023, "Tight auditing of differentially private machine
 * learning", USENIX Security; their Sec. 4, "auditing in the GDP
 * family"): from R runs with the canary and R without, thresholded at t,
 * one-sided Clopper-Pearson upper bounds FPR_hi, FNR_hi with (1 - C)/2
 * each give, with probability >= C when the mechanism IS mu-GDP,
 *   mu_lower = Phi^-1(1 - FPR_hi) - Phi^-1(FNR_hi) <= mu
 * (clamped at 0); its epsilon at delta is gdp_epsilon(mu_lower, delta).
 * That epsilon is an ESTIMATE under a Gaussian trade-off assumption: a
 * mechanism that is (eps, delta)-DP but not Gaussian-shaped (randomized
 * response, say) can give mu_lower whose gdp_epsilon exceeds its eps.
 * It never decides a verdict alone.
 */
#ifndef PRIVAUDIT_AUDIT_GDP_H
#define PRIVAUDIT_AUDIT_GDP_H

#include <stddef.h>
#include <stdint.h>

#include "audit/bounds.h"
#include "core/error.h"
#include "core/rng.h"

/* delta(eps) of mu-GDP (formula above), mu >= 0, any real eps; computed as
 * Phi(a) (1 - exp(eps + log Phi(b) - log Phi(a))) so that neither term
 * underflows or cancels.  0 for mu == 0 and eps >= 0; NaN for mu < 0 or
 * NaN input; 1 - e^eps ... limits are handled (mu = +inf gives 1). */
double gdp_delta(double mu, double eps);

/* The smallest eps >= 0 with gdp_delta(mu, eps) <= delta (bisection to
 * ~1e-13 relative; delta(eps) is decreasing).  mu >= 0 finite, delta in
 * (0, 1).  ERR_INPUT naming the argument otherwise. */
int gdp_epsilon(double mu, double delta, double *eps_out, struct error *err);

/* The trade-off function f_mu(x) = Phi(Phi^-1(1 - x) - mu), x in [0, 1]. */
double gdp_tradeoff(double mu, double x);

/* mu implied by one test's error rates: Phi^-1(1 - fpr) - Phi^-1(fnr),
 * clamped at 0 (0 also when either rate is 1). */
double gdp_mu_from_rates(double fpr, double fnr);

struct gdp_bound {
    double mu_lower_bound;      /* >= 0, finite */
    double epsilon_estimate;    /* gdp_epsilon(mu_lower_bound, delta); 0 if mu
                                   is 0, +inf if delta is 0 and mu > 0 */
    double fpr_upper, fnr_upper;/* Clopper-Pearson upper bounds used */
    double fpr, fnr;            /* point estimates (0 when undefined) */
    double delta, confidence;
    uint64_t tp, fn, fp, tn;
};

/* The bound from the counts at one threshold: TP members guessed IN, FN
 * members guessed OUT, FP non-members guessed IN, TN non-members guessed
 * OUT.  delta in [0, 1), confidence in (0, 1).  0 or ERR_INPUT.  The
 * Clopper-Pearson limits are bounds_cp_upper's (audit/bounds.h). */
int gdp_bound_from_counts(uint64_t tp, uint64_t fn, uint64_t fp, uint64_t tn,
                          double delta, double confidence,
                          struct gdp_bound *out, struct error *err);

struct gdp_scores_bound {
    struct gdp_bound gdp;    /* at the chosen threshold */
    enum threshold_mode mode;
    double threshold;        /* guess IN when score >= threshold */
    size_t n_thresholds;     /* candidates scanned (UNION: the union size) */
    size_t n_select, n_eval; /* examples used to select / to bound */
};

/*
 * The bound from scores (higher = more likely member) and membership bits,
 * with the threshold rules of bounds_from_scores (audit/bounds.h):
 *   THRESHOLD_SPLIT: members and non-members are each split in half at
 *     random (rng); the threshold maximising mu_lower on the first half is
 *     applied to the second half, which alone gives the counts (needs at
 *     least 2 members and 2 non-members, else ERR_INPUT, as bounds.c);
 *   THRESHOLD_UNION: every distinct score (at most max_thresholds, taken as
 *     quantiles; 0 = 256) is a candidate on all data with confidence
 *     1 - (1 - confidence) / n_thresholds each; the best is returned.
 * NaN scores are ERR_INPUT (naming the index); ERR_NOMEM.  rng is used only
 * by THRESHOLD_SPLIT (may be NULL for UNION).
 */
int gdp_bound_from_scores(const double *scores, const uint8_t *member,
                          size_t n, double delta, double confidence,
                          enum threshold_mode mode, size_t max_thresholds,
                          struct rng *rng, struct gdp_scores_bound *out,
                          struct error *err);

#endif

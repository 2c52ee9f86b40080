/*
 * tests/check_bounds.c - Clopper-Pearson epsilon lower bounds (audit/bounds).
 *
 * Reference values come from SciPy 1.10.1 (/usr/bin/python3); the script
 * line is given above each table.  The statistical tests repeat the audit on
 * simulated scores with known privacy (null scores: epsilon = 0; randomized
 * response: epsilon = 1) and count how often the bound exceeds the truth.
 */
#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "audit/bounds.h"
#include "core/error.h"
#include "core/rng.h"

#define TOL_CP 1e-12    /* relative, Clopper-Pearson limits vs SciPy */
#define TOL_EPS 1e-11   /* absolute, epsilon bounds vs SciPy */
#define TOL_EXACT 4e-16 /* relative, closed forms evaluated the same way */

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

/* ------------------------------------------------------------------ */
/* bounds_cp_upper                                                     */
/* ------------------------------------------------------------------ */

/* scipy.stats.beta.ppf(1 - alpha, k + 1, n - k) for each row (k, n, alpha).
 * All rows were re-derived with mpmath (mp.dps = 50) by solving
 *   mpmath.fsum(math.comb(n, j) * t**j * (1-t)**(n-j) for j in range(k+1))
 *     == alpha
 * with mpmath.findroot (solver='anderson'); they agree to 5e-16 except for
 * (3, 100, 1e-6), where SciPy is 1.4e-12 low and the mpmath root is used. */
static const struct {
    uint64_t k, n;
    double alpha, want;
} cp_cases[] = {
    {1, 10, 0.05, 0.39416330243650466},
    {5, 10, 0.025, 0.81291397155260148},
    {9, 10, 0.05, 0.99488380310817626},     /* k = n - 1 */
    {0, 10, 0.05, 0.25886555089305219},     /* k = 0 */
    {0, 1, 0.05, 0.94999999999999996},      /* n = 1 */
    {1, 100, 0.025, 0.054459385392080645},
    {50, 100, 0.025, 0.60167887049669888},
    {99, 100, 0.025, 0.99974685396702256},
    {0, 10000, 0.025, 0.00036881991461876218},
    {1, 10000, 0.025, 0.00055703699794704728},
    {50, 10000, 0.025, 0.0065866264290799156},
    {5000, 10000, 0.01, 0.51167985535873872},
    {9999, 10000, 0.025, 0.99999746822240654},
    {3, 100, 1e-6, 0.19493278672088135}, /* mpmath; SciPy 0.1949327867206099 */
    {250, 1000, 0.001953125, 0.29142610943315828},
};

START_TEST(cp_upper_should_match_scipy_beta_ppf)
{
    for (size_t i = 0; i < N_OF(cp_cases); i++) {
        double got = bounds_cp_upper(cp_cases[i].k, cp_cases[i].n,
                                     cp_cases[i].alpha);
        double want = cp_cases[i].want;
        ck_assert_msg(fabs(got - want) <= TOL_CP * want,
                      "cp_upper(%llu, %llu, %g): got %.17g want %.17g",
                      (unsigned long long)cp_cases[i].k,
                      (unsigned long long)cp_cases[i].n, cp_cases[i].alpha, got,
                      want);
    }
}
END_TEST

START_TEST(cp_upper_should_match_closed_form_at_zero)
{
    static const uint64_t ns[] = {1, 2, 10, 1000, 1000000, 1000000000};
    static const double alphas[] = {0.5, 0.05, 0.025, 1e-10};
    for (size_t i = 0; i < N_OF(ns); i++)
        for (size_t j = 0; j < N_OF(alphas); j++) {
            double n = (double)ns[i], a = alphas[j];
            double got = bounds_cp_upper(0, ns[i], a);
            /* 1 - alpha^(1/n), written without cancellation */
            double want = -expm1(log(a) / n);
            ck_assert_msg(fabs(got - want) <= TOL_EXACT * want,
                          "n=%g alpha=%g: got %.17g want %.17g", n, a, got,
                          want);
            /* and it solves (1 - p)^n = alpha (checked where 1 - p is not
             * too close to 0 to be represented accurately) */
            if (got < 0.5)
                ck_assert_msg(fabs(n * log1p(-got) - log(a)) <=
                                  1e-13 * fabs(log(a)),
                              "n=%g alpha=%g: (1-p)^n != alpha", n, a);
        }
    ck_assert(fabs(bounds_cp_upper(0, 1, 0.05) - 0.95) <= TOL_EXACT);
}
END_TEST

START_TEST(cp_upper_should_handle_edges)
{
    ck_assert(bounds_cp_upper(10, 10, 0.05) == 1.0);
    ck_assert(bounds_cp_upper(1, 1, 0.05) == 1.0);
    ck_assert(bounds_cp_upper(0, 0, 0.05) == 1.0);
    ck_assert(isnan(bounds_cp_upper(11, 10, 0.05)));
    ck_assert(isnan(bounds_cp_upper(1, 10, 0.0)));
    ck_assert(isnan(bounds_cp_upper(1, 10, 1.0)));
    ck_assert(isnan(bounds_cp_upper(1, 10, NAN)));
    /* increasing in k, decreasing in alpha, always above k / n */
    double prev = 0.0;
    for (uint64_t k = 0; k < 200; k++) {
        double u = bounds_cp_upper(k, 200, 0.025);
        ck_assert_msg(u > prev && u >= (double)k / 200.0, "k=%llu",
                      (unsigned long long)k);
        ck_assert(bounds_cp_upper(k, 200, 0.01) > u);
        prev = u;
    }
}
END_TEST

/* ------------------------------------------------------------------ */
/* bounds_clopper_pearson                                              */
/* ------------------------------------------------------------------ */

/* From the header's formula with SciPy limits:
 *   from scipy.stats import beta; import math
 *   cpu = lambda k, n, a: 1.0 if k == n or n == 0 else beta.ppf(1-a, k+1, n-k)
 *   def eps(tp, fn, fp, tn, d, c):
 *       a = 1-c; F = cpu(fp, fp+tn, a/2); N = cpu(fn, tp+fn, a/2)
 *       e1 = math.log((1-d-N)/F) if 1-d-N > 0 else 0.0
 *       e2 = math.log((1-d-F)/N) if 1-d-F > 0 else 0.0
 *       return max(e1, e2, 0.0)
 * direction: +1 when e1 is the max (ties: +1), -1 for e2, 0 when eps = 0. */
static const struct {
    uint64_t tp, fn, fp, tn;
    double delta, conf, eps;
    int dir;
} cpb_cases[] = {
    {1000, 0, 0, 1000, 0, 0.95, 5.6005875312989231, 1},
    {500, 500, 500, 500, 0, 0.95, 0, 0},
    {900, 100, 100, 900, 0, 0.95, 1.9897063137037165, 1},
    {100, 900, 1, 999, 0, 0.95, 2.6925983735355614, 1},
    {999, 1, 900, 100, 0, 0.95, 2.6925983735355614, -1},
    {100, 900, 1, 999, 1e-5, 0.95, 2.6924765713517966, 1},
    {100, 900, 1, 999, 0.05, 0.95, 1.7536175809387757, 1},
    {100, 900, 1, 999, 0.1, 0.95, 0, 0},
    {900, 100, 100, 900, 0.05, 0.99, 1.8698614787346661, 1},
    {0, 0, 10, 10, 0, 0.95, 0, 0},  /* no members */
    {10, 0, 0, 0, 0, 0.95, 0, 0},   /* no non-members */
    {5, 5, 0, 10, 0, 0.9, 0, 0},
    {30, 20, 0, 50, 0, 0.5, 2.9872406370184952, 1},
    {999, 1, 0, 1000, 0, 0.95, 5.5987019781538843, 1},
};

START_TEST(clopper_pearson_should_match_scipy_table)
{
    for (size_t i = 0; i < N_OF(cpb_cases); i++) {
        struct cp_bound b;
        struct error err = {0};
        int rc = bounds_clopper_pearson(cpb_cases[i].tp, cpb_cases[i].fn,
                                        cpb_cases[i].fp, cpb_cases[i].tn,
                                        cpb_cases[i].delta, cpb_cases[i].conf,
                                        &b, &err);
        ck_assert_int_eq(rc, 0);
        ck_assert_msg(fabs(b.epsilon_lower_bound - cpb_cases[i].eps) <= TOL_EPS,
                      "case %zu: eps %.17g want %.17g", i,
                      b.epsilon_lower_bound, cpb_cases[i].eps);
        ck_assert_msg(b.direction == cpb_cases[i].dir, "case %zu: dir %d", i,
                      b.direction);
        ck_assert(isfinite(b.epsilon_lower_bound) && b.epsilon_lower_bound >= 0);
        ck_assert(b.tp == cpb_cases[i].tp && b.fn == cpb_cases[i].fn);
        ck_assert(b.fp == cpb_cases[i].fp && b.tn == cpb_cases[i].tn);
        ck_assert(b.delta == cpb_cases[i].delta);
        ck_assert(fabs(b.confidence - cpb_cases[i].conf) <= 1e-15);
        uint64_t neg = b.fp + b.tn, pos = b.tp + b.fn;
        ck_assert(b.fpr == (neg ? (double)b.fp / (double)neg : 0.0));
        ck_assert(b.fnr == (pos ? (double)b.fn / (double)pos : 0.0));
        ck_assert(b.fpr_upper >= b.fpr && b.fnr_upper >= b.fnr);
    }
}
END_TEST

START_TEST(clopper_pearson_should_be_finite_with_zero_error_counts)
{
    /* tp = n, fp = 0 with n = 1000 per side, delta = 0, confidence 0.95:
     * FPR_hi = FNR_hi = 1 - 0.025^(1/1000), eps = ln((1 - FNR_hi) / FPR_hi) */
    struct cp_bound b;
    struct error err = {0};
    ck_assert_int_eq(bounds_clopper_pearson(1000, 0, 0, 1000, 0.0, 0.95, &b, &err),
                     0);
    double hi = -expm1(log(0.025) / 1000.0);
    ck_assert(fabs(b.fpr_upper - hi) <= 1e-14 * hi);
    ck_assert(fabs(b.fnr_upper - hi) <= 1e-14 * hi);
    ck_assert(fabs(b.epsilon_lower_bound - log((1.0 - hi) / hi)) <= 1e-13);
    ck_assert(b.fpr == 0.0 && b.fnr == 0.0);
    /* even perfect separation at 1e7 per side stays finite */
    ck_assert_int_eq(bounds_clopper_pearson(10000000, 0, 0, 10000000, 0.0, 0.95,
                                            &b, &err),
                     0);
    ck_assert(isfinite(b.epsilon_lower_bound) && b.epsilon_lower_bound > 10.0);
}
END_TEST

START_TEST(clopper_pearson_delta_should_reduce_the_bound)
{
    double prev = INFINITY;
    for (double d = 0.0; d < 0.4; d += 0.01) {
        struct cp_bound b;
        struct error err = {0};
        ck_assert_int_eq(bounds_clopper_pearson(300, 700, 2, 998, d, 0.95, &b,
                                                &err),
                         0);
        ck_assert_msg(b.epsilon_lower_bound <= prev, "delta %g", d);
        if (prev > 0.0)
            ck_assert_msg(b.epsilon_lower_bound < prev, "delta %g", d);
        prev = b.epsilon_lower_bound;
    }
    ck_assert(prev == 0.0); /* delta large enough explains everything */
}
END_TEST

START_TEST(clopper_pearson_should_reject_invalid_levels)
{
    static const double bad_delta[] = {-0.1, 1.0, 2.0, NAN};
    static const double bad_conf[] = {0.0, 1.0, 1.5, -0.5, NAN};
    struct cp_bound b;
    struct error err = {0};
    for (size_t i = 0; i < N_OF(bad_delta); i++) {
        error_clear(&err);
        ck_assert_int_eq(bounds_clopper_pearson(1, 1, 1, 1, bad_delta[i], 0.95,
                                                &b, &err),
                         ERR_INPUT);
        ck_assert_msg(strstr(err.msg, "'delta'") != NULL, "%s", err.msg);
    }
    error_clear(&err);
    bounds_clopper_pearson(1, 1, 1, 1, 1.5, 0.95, &b, &err);
    ck_assert_msg(strstr(err.msg, "1.5") != NULL, "%s", err.msg);
    for (size_t i = 0; i < N_OF(bad_conf); i++) {
        error_clear(&err);
        ck_assert_int_eq(bounds_clopper_pearson(1, 1, 1, 1, 0.0, bad_conf[i],
                                                &b, &err),
                         ERR_INPUT);
        ck_assert_msg(strstr(err.msg, "'confidence'") != NULL, "%s", err.msg);
    }
    error_clear(&err);
    bounds_clopper_pearson(1, 1, 1, 1, 0.0, 1.5, &b, &err);
    ck_assert_msg(strstr(err.msg, "1.5") != NULL, "%s", err.msg);
    ck_assert_int_eq(bounds_clopper_pearson(UINT64_MAX, 1, 1, 1, 0.0, 0.9, &b,
                                            &err),
                     ERR_INPUT);
}
END_TEST

/* ------------------------------------------------------------------ */
/* bounds_from_scores                                                  */
/* ------------------------------------------------------------------ */

struct sample {
    double *s;
    uint8_t *m;
    size_t n;
};

static void sample_alloc(struct sample *x, size_t n)
{
    x->s = malloc(n * sizeof *x->s);
    x->m = malloc(n);
    x->n = n;
    ck_assert(x->s && x->m);
}

static void sample_free(struct sample *x)
{
    free(x->s);
    free(x->m);
}

/* members N(shift, 1), non-members N(0, 1); the first n_mem are members */
static void gaussian_scores(struct sample *x, size_t n_mem, double shift,
                            struct rng *r)
{
    for (size_t i = 0; i < x->n; i++) {
        x->m[i] = i < n_mem;
        x->s[i] = rng_normal(r) + (x->m[i] ? shift : 0.0);
    }
}

/* Randomized response on the membership bit with epsilon: the score is the
 * reported bit, truthful with probability e^eps / (1 + e^eps).  Every test
 * then has TPR <= e^eps FPR exactly. */
static void rr_scores(struct sample *x, size_t n_mem, double eps, struct rng *r)
{
    double truth = exp(eps) / (1.0 + exp(eps));
    for (size_t i = 0; i < x->n; i++) {
        x->m[i] = i < n_mem;
        int honest = rng_uniform(r) < truth;
        x->s[i] = honest ? (double)x->m[i] : (double)!x->m[i];
    }
}

/*
 * Validity limits for 200 runs at confidence 0.95.  The bound exceeds the
 * true epsilon with probability at most 5% per run.  A procedure failing at
 * exactly 5% would have more than 20 failures with probability 0.00116
 * (scipy.stats.binom.sf(20, 200, 0.05)): MAX_FAIL_LENIENT, the binomial test
 * of validity.  The Clopper-Pearson union bound is much more conservative:
 * a failure needs FPR_hi + FNR_hi below the truth, i.e. the two one-sided
 * limits to miss jointly; with equal class sizes the normal approximation
 * gives a rate of Phi(-1.96 sqrt 2) = 0.0028 (scipy.stats.norm.cdf(
 * -1.96*2**.5)), under which more than 10 failures in 200 has probability
 * 1.9e-11 (scipy.stats.binom.sf(10, 200, 0.0028)).  MAX_FAIL_STRICT (at
 * least 95% of runs exact) is therefore also asserted.  The seeds are fixed,
 * so the counts are deterministic; the probabilities say how unlikely a
 * correct implementation is to trip the limits for a given seed choice.
 */
#define VALIDITY_RUNS 200
#define MAX_FAIL_LENIENT 20
#define MAX_FAIL_STRICT 10

static int count_failures(enum threshold_mode mode, int rr, uint64_t seed)
{
    struct sample x;
    sample_alloc(&x, 1000);
    int fails = 0;
    for (int run = 0; run < VALIDITY_RUNS; run++) {
        struct rng r;
        rng_derive(&r, seed, (uint64_t)run);
        double truth;
        if (rr) {
            rr_scores(&x, 500, 1.0, &r);
            truth = 1.0;
        } else {
            gaussian_scores(&x, 500, 0.0, &r);
            truth = 0.0;
        }
        struct scores_bound sb;
        struct error err = {0};
        int rc = bounds_from_scores(x.s, x.m, x.n, 0.0, 0.95, mode, 0, &r, &sb,
                                    &err);
        ck_assert_msg(rc == 0, "run %d: %s", run, err.msg);
        ck_assert(isfinite(sb.cp.epsilon_lower_bound));
        if (sb.cp.epsilon_lower_bound > truth)
            fails++;
    }
    sample_free(&x);
    return fails;
}

START_TEST(split_should_be_valid_on_null_scores)
{
    int f = count_failures(THRESHOLD_SPLIT, 0, 0x5eed0001);
    ck_assert_msg(f <= MAX_FAIL_LENIENT, "split null: %d of %d runs > 0", f,
                  VALIDITY_RUNS);
    ck_assert_msg(f <= MAX_FAIL_STRICT, "split null: %d of %d runs > 0", f,
                  VALIDITY_RUNS);
}
END_TEST

START_TEST(union_should_be_valid_on_null_scores)
{
    int f = count_failures(THRESHOLD_UNION, 0, 0x5eed0002);
    ck_assert_msg(f <= MAX_FAIL_LENIENT, "union null: %d of %d runs > 0", f,
                  VALIDITY_RUNS);
    ck_assert_msg(f <= MAX_FAIL_STRICT, "union null: %d of %d runs > 0", f,
                  VALIDITY_RUNS);
}
END_TEST

START_TEST(bounds_should_respect_randomized_response_epsilon)
{
    /* 500 + 500 reports of eps = 1 randomized response: the bound must stay
     * <= 1 (the limits are as above). */
    int fs = count_failures(THRESHOLD_SPLIT, 1, 0x5eed0003);
    int fu = count_failures(THRESHOLD_UNION, 1, 0x5eed0004);
    ck_assert_msg(fs <= MAX_FAIL_LENIENT && fs <= MAX_FAIL_STRICT,
                  "split rr: %d of %d runs > 1", fs, VALIDITY_RUNS);
    ck_assert_msg(fu <= MAX_FAIL_LENIENT && fu <= MAX_FAIL_STRICT,
                  "union rr: %d of %d runs > 1", fu, VALIDITY_RUNS);
}
END_TEST

START_TEST(bounds_should_detect_separated_scores)
{
    /* members N(3,1), non-members N(0,1), 1000 each: the best threshold has
     * TPR/FPR far above e, so both modes give a clearly positive bound. */
    static const enum threshold_mode modes[] = {THRESHOLD_SPLIT,
                                                THRESHOLD_UNION};
    struct sample x;
    sample_alloc(&x, 2000);
    struct rng r;
    rng_derive(&r, 0x5eed0005, 0);
    gaussian_scores(&x, 1000, 3.0, &r);
    for (size_t i = 0; i < N_OF(modes); i++) {
        struct scores_bound sb;
        struct error err = {0};
        ck_assert_int_eq(bounds_from_scores(x.s, x.m, x.n, 0.0, 0.95, modes[i],
                                            0, &r, &sb, &err),
                         0);
        ck_assert_msg(sb.cp.epsilon_lower_bound > 1.0, "%s: eps %g",
                      bounds_threshold_mode_name(modes[i]),
                      sb.cp.epsilon_lower_bound);
        ck_assert(sb.mode == modes[i]);
        if (modes[i] == THRESHOLD_SPLIT) {
            ck_assert(sb.n_select == 1000 && sb.n_eval == 1000);
            ck_assert(sb.cp.tp + sb.cp.fn == 500 && sb.cp.fp + sb.cp.tn == 500);
        } else {
            ck_assert(sb.n_select == 2000 && sb.n_eval == 2000);
            ck_assert(sb.n_thresholds == 256);
            ck_assert(sb.cp.confidence == 0.95);
            ck_assert(sb.cp.tp + sb.cp.fn == 1000);
            /* the limits are at the per-threshold level */
            double a = (1.0 - (1.0 - (1.0 - 0.95) / 256.0)) / 2.0;
            ck_assert(fabs(sb.cp.fpr_upper -
                           bounds_cp_upper(sb.cp.fp, 1000, a)) <=
                      1e-10 * sb.cp.fpr_upper);
        }
    }
    sample_free(&x);
}
END_TEST

START_TEST(union_should_equal_a_brute_force_scan)
{
    /* 60 scores with ties; every distinct score is a candidate (<= 256), so
     * the result must be the max over thresholds of the count-based bound at
     * confidence 1 - 0.05 / #distinct, computed here naively. */
    struct sample x;
    sample_alloc(&x, 60);
    struct rng r;
    for (uint64_t rep = 0; rep < 20; rep++) {
        rng_derive(&r, 0x5eed0006, rep);
        for (size_t i = 0; i < x.n; i++) {
            x.m[i] = i % 3 != 0;
            x.s[i] = floor(4.0 * (rng_normal(&r) + (x.m[i] ? 1.5 : 0.0)));
        }
        struct scores_bound sb;
        struct error err = {0};
        ck_assert_int_eq(bounds_from_scores(x.s, x.m, x.n, 0.0, 0.9,
                                            THRESHOLD_UNION, 0, NULL, &sb, &err),
                         0);
        size_t distinct = 0;
        for (size_t i = 0; i < x.n; i++) {
            int seen = 0;
            for (size_t j = 0; j < i; j++)
                seen |= x.s[j] == x.s[i];
            distinct += !seen;
        }
        ck_assert_uint_eq(sb.n_thresholds, distinct);
        double conf = 1.0 - 0.1 / (double)distinct, best = 0.0;
        for (size_t i = 0; i < x.n; i++) {
            uint64_t tp = 0, fn = 0, fp = 0, tn = 0;
            for (size_t j = 0; j < x.n; j++) {
                int g = x.s[j] >= x.s[i];
                if (x.m[j])
                    g ? tp++ : fn++;
                else
                    g ? fp++ : tn++;
            }
            struct cp_bound b;
            ck_assert_int_eq(bounds_clopper_pearson(tp, fn, fp, tn, 0.0, conf,
                                                    &b, &err),
                             0);
            if (b.epsilon_lower_bound > best)
                best = b.epsilon_lower_bound;
        }
        ck_assert_msg(fabs(sb.cp.epsilon_lower_bound - best) <= 1e-12,
                      "rep %llu: %.17g vs %.17g", (unsigned long long)rep,
                      sb.cp.epsilon_lower_bound, best);
    }
    sample_free(&x);
}
END_TEST

START_TEST(union_should_cap_thresholds_at_quantiles)
{
    struct sample x;
    sample_alloc(&x, 1000);
    struct rng r;
    rng_derive(&r, 0x5eed0007, 0);
    gaussian_scores(&x, 500, 1.0, &r);
    struct scores_bound sb;
    struct error err = {0};
    ck_assert_int_eq(bounds_from_scores(x.s, x.m, x.n, 0.0, 0.95,
                                        THRESHOLD_UNION, 16, NULL, &sb, &err),
                     0);
    ck_assert_uint_eq(sb.n_thresholds, 16);
    ck_assert(sb.cp.confidence == 0.95);
    ck_assert(fabs(sb.cp.fnr_upper -
                   bounds_cp_upper(sb.cp.fn, 500, (1.0 - 0.95) / 32.0)) <=
              1e-10 * sb.cp.fnr_upper);
    /* the chosen threshold is one of the scores */
    int found = 0;
    for (size_t i = 0; i < x.n; i++)
        found |= x.s[i] == sb.threshold;
    ck_assert(found);
    sample_free(&x);
}
END_TEST

START_TEST(split_should_be_deterministic_for_a_seed)
{
    struct sample x;
    sample_alloc(&x, 400);
    struct rng r;
    rng_derive(&r, 0x5eed0008, 0);
    gaussian_scores(&x, 201, 1.0, &r);
    struct scores_bound a, b;
    struct error err = {0};
    struct rng r1, r2;
    rng_derive(&r1, 99, 1);
    rng_derive(&r2, 99, 1);
    ck_assert_int_eq(bounds_from_scores(x.s, x.m, x.n, 1e-5, 0.95,
                                        THRESHOLD_SPLIT, 0, &r1, &a, &err),
                     0);
    ck_assert_int_eq(bounds_from_scores(x.s, x.m, x.n, 1e-5, 0.95,
                                        THRESHOLD_SPLIT, 0, &r2, &b, &err),
                     0);
    ck_assert(a.cp.epsilon_lower_bound == b.cp.epsilon_lower_bound);
    ck_assert(a.threshold == b.threshold);
    /* floor(201/2) + floor(199/2) selected, the rest evaluated */
    ck_assert_uint_eq(a.n_select, 100 + 99);
    ck_assert_uint_eq(a.n_eval, 101 + 100);
    ck_assert(a.cp.tp + a.cp.fn == 101 && a.cp.fp + a.cp.tn == 100);
    ck_assert(a.cp.delta == 1e-5 && a.cp.confidence == 1.0 - (1.0 - 0.95));
    sample_free(&x);
}
END_TEST

START_TEST(from_scores_should_reject_bad_input)
{
    double s[6] = {0.1, 0.2, 0.3, NAN, 0.5, 0.6};
    uint8_t m[6] = {1, 1, 1, 0, 0, 0};
    struct scores_bound sb;
    struct error err = {0};
    struct rng r;
    rng_seed(&r, 1);
    ck_assert_int_eq(bounds_from_scores(s, m, 6, 0.0, 0.95, THRESHOLD_UNION, 0,
                                        &r, &sb, &err),
                     ERR_INPUT);
    ck_assert_msg(strstr(err.msg, "scores[3]") != NULL, "%s", err.msg);
    s[3] = 0.4;
    /* SPLIT needs 2 of each class */
    uint8_t one[6] = {1, 0, 0, 0, 0, 0};
    error_clear(&err);
    ck_assert_int_eq(bounds_from_scores(s, one, 6, 0.0, 0.95, THRESHOLD_SPLIT,
                                        0, &r, &sb, &err),
                     ERR_INPUT);
    ck_assert_msg(strstr(err.msg, "2 members") != NULL, "%s", err.msg);
    error_clear(&err);
    ck_assert_int_eq(bounds_from_scores(s, m, 6, -1.0, 0.95, THRESHOLD_SPLIT, 0,
                                        &r, &sb, &err),
                     ERR_INPUT);
    ck_assert_msg(strstr(err.msg, "'delta'") != NULL, "%s", err.msg);
    error_clear(&err);
    ck_assert_int_eq(bounds_from_scores(s, m, 6, 0.0, 1.0, THRESHOLD_UNION, 0,
                                        &r, &sb, &err),
                     ERR_INPUT);
    ck_assert_msg(strstr(err.msg, "'confidence'") != NULL, "%s", err.msg);
    error_clear(&err);
    ck_assert_int_eq(bounds_from_scores(s, m, 6, 0.0, 0.95,
                                        (enum threshold_mode)7, 0, &r, &sb,
                                        &err),
                     ERR_INPUT);
    /* the smallest valid split: 2 + 2 */
    ck_assert_int_eq(bounds_from_scores(s, m, 4, 0.0, 0.95, THRESHOLD_SPLIT, 0,
                                        &r, &sb, &err),
                     ERR_INPUT); /* 3 members, 1 non-member */
    uint8_t m4[4] = {1, 1, 0, 0};
    ck_assert_int_eq(bounds_from_scores(s, m4, 4, 0.0, 0.95, THRESHOLD_SPLIT, 0,
                                        &r, &sb, &err),
                     0);
    ck_assert(sb.cp.epsilon_lower_bound == 0.0);
    ck_assert_str_eq(bounds_threshold_mode_name(THRESHOLD_SPLIT), "split");
    ck_assert_str_eq(bounds_threshold_mode_name(THRESHOLD_UNION), "union");
}
END_TEST

Suite *bounds_suite(void)
{
    Suite *s = suite_create("bounds");
    TCase *tc = tcase_create("core");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, cp_upper_should_match_scipy_beta_ppf);
    tcase_add_test(tc, cp_upper_should_match_closed_form_at_zero);
    tcase_add_test(tc, cp_upper_should_handle_edges);
    tcase_add_test(tc, clopper_pearson_should_match_scipy_table);
    tcase_add_test(tc, clopper_pearson_should_be_finite_with_zero_error_counts);
    tcase_add_test(tc, clopper_pearson_delta_should_reduce_the_bound);
    tcase_add_test(tc, clopper_pearson_should_reject_invalid_levels);
    tcase_add_test(tc, split_should_be_valid_on_null_scores);
    tcase_add_test(tc, union_should_be_valid_on_null_scores);
    tcase_add_test(tc, bounds_should_respect_randomized_response_epsilon);
    tcase_add_test(tc, bounds_should_detect_separated_scores);
    tcase_add_test(tc, union_should_equal_a_brute_force_scan);
    tcase_add_test(tc, union_should_cap_thresholds_at_quantiles);
    tcase_add_test(tc, split_should_be_deterministic_for_a_seed);
    tcase_add_test(tc, from_scores_should_reject_bad_input);
    suite_add_tcase(s, tc);
    return s;
}

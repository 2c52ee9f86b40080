/*
 * tests/check_fdp.c - the one-run f-DP audit (audit/fdp.h; after
 * Mahloujifar, Melis, Chaudhuri 2024).
 *
 * Closed forms (derived in docs/bounds.md, "One-run f-DP"):
 *  - one canary guessed correctly (m = k = c = 1) under mu-GDP: the test
 *    rejects iff alpha + f_mu(1 - alpha) > 1, so its p-value is the best
 *    single-guess accuracy Phi(mu/2); scipy: stats.norm.cdf(mu/2) =
 *    0.5987063256829237 (mu 0.5), 0.6914624612740131 (1),
 *    0.8413447460685429 (2), 0.9331927987311419 (3);
 *  - m = k = c = 2 under eps-DP: p-value p(eps)^2, p = e^eps/(1+e^eps),
 *    exactly the binomial tail of Steinke et al.
 * Pure eps-DP: Steinke et al.'s tail is attained by randomized response,
 * so no valid test can beat it; the f-DP test with the eps-DP curve must
 * give a bound <= the one-run bound, equal for perfect guesses (checked to
 * 1e-8) and within a few percent otherwise.
 * Soundness: 300 audits per mechanism, violations X checked with
 * P[Bin(300, 0.05) >= X] >= 1e-6 (X <= 36); SOUNDNESS_REPORT=1 prints X.
 */
#include "audit/fdp.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "audit/bounds.h"
#include "audit/gdp.h"
#include "audit/onerun.h"
#include "core/rng.h"
#include "core/specfun.h"
#include "targets/pld.h"

#define RUNS 300
#define TEST_P 1e-6
#define M_CAN 1000

static void assert_rel(double got, double want, double rel)
{
    ck_assert_msg(fabs(got - want) <= rel * fabs(want) || got == want,
                  "got %.17g, want %.17g (rel %.3g)", got, want, rel);
}

static void assert_rate_ok(int x, int n, double a, const char *what)
{
    double lp = specfun_binom_logsf((uint64_t)x, (uint64_t)n, a);
    if (getenv("SOUNDNESS_REPORT"))
        fprintf(stderr, "soundness %s: %d/%d\n", what, x, n);
    ck_assert_msg(lp >= log(TEST_P), "%s: %d of %d runs violated (p = %.3g)", what, x, n,
                  exp(lp));
}

START_TEST(tradeoff_functions_should_match_closed_forms)
{
    struct fdp_curve e = {.kind = FDP_EPS_DELTA, .eps = 1.0, .delta = 0.01};
    /* max(0, 1 - d - e x, e^-1 (1 - d - x)) */
    assert_rel(fdp_tradeoff(&e, 0.1), 1 - 0.01 - exp(1.0) * 0.1, 1e-15);
    assert_rel(fdp_tradeoff(&e, 0.5), exp(-1.0) * (1 - 0.01 - 0.5), 1e-15);
    ck_assert(fdp_tradeoff(&e, 1.0) == 0.0);
    assert_rel(fdp_tradeoff(&e, 0.0), 0.99, 1e-15);
    struct fdp_curve g = {.kind = FDP_GAUSSIAN, .mu = 1.0};
    assert_rel(fdp_tradeoff(&g, 0.3), 0.31717987036400425, 1e-12);
    /* the grid's curve is the max of its points' curves */
    double ge[2] = {0.0, 1.0}, gd[2] = {0.5, 0.01};
    struct fdp_curve gr = {.kind = FDP_GRID, .grid_eps = ge, .grid_delta = gd, .n_grid = 2};
    for (double x = 0; x <= 1.0; x += 0.125) {
        double want = fmax(fmax(0.0, 0.5 - x), fdp_tradeoff(&e, x));
        assert_rel(fdp_tradeoff(&gr, x), want, 1e-15);
    }
    struct error err = {0};
    ck_assert_int_eq(fdp_curve_check(&gr, &err), 0);
    gd[1] = 1.5;
    ck_assert_int_eq(fdp_curve_check(&gr, &err), ERR_INPUT);
    ck_assert_str_eq(err.msg, "curve grid delta[1]: expected a number in [0, 1], got 1.5");
    g.mu = -1;
    ck_assert_int_eq(fdp_curve_check(&g, &err), ERR_INPUT);
}
END_TEST

START_TEST(pvalue_should_match_closed_forms)
{
    static const double mu[4] = {0.5, 1, 2, 3};
    static const double want[4] = {0.5987063256829237, 0.6914624612740131,
                                    0.8413447460685429, 0.9331927987311419};
    for (int i = 0; i < 4; i++) {
        struct fdp_curve g = {.kind = FDP_GAUSSIAN, .mu = mu[i]};
        assert_rel(fdp_pvalue(1, 1, 1, &g), want[i], 1e-8);
    }
    for (double eps = 0.5; eps <= 3.0; eps += 0.5) {
        struct fdp_curve e = {.kind = FDP_EPS_DELTA, .eps = eps};
        double p = 1 / (1 + exp(-eps));
        assert_rel(fdp_pvalue(2, 2, 2, &e), p * p, 1e-8);
    }
    /* nothing to reject without correct guesses */
    struct fdp_curve g = {.kind = FDP_GAUSSIAN, .mu = 1};
    ck_assert(fdp_pvalue(100, 10, 0, &g) == 1.0);
    ck_assert(!fdp_rejects(100, 0, 0, &g, 0.5));
}
END_TEST

START_TEST(pvalue_should_agree_with_rejects_and_be_monotone)
{
    double prev = 0;
    for (double mu = 0; mu <= 3; mu += 0.25) {
        struct fdp_curve g = {.kind = FDP_GAUSSIAN, .mu = mu};
        double p = fdp_pvalue(1000, 200, 170, &g);
        ck_assert(p >= prev);
        prev = p;
        if (p < 1.0) {
            ck_assert(fdp_rejects(1000, 200, 170, &g, p * (1 + 1e-6)));
            ck_assert(!fdp_rejects(1000, 200, 170, &g, p * (1 - 1e-6)));
        }
    }
    /* more correct guesses: smaller p-value */
    struct fdp_curve g = {.kind = FDP_GAUSSIAN, .mu = 1};
    ck_assert(fdp_pvalue(1000, 200, 180, &g) < fdp_pvalue(1000, 200, 170, &g));
}
END_TEST

START_TEST(eps_curve_should_match_onerun_for_pure_dp)
{
    static const uint64_t t[][3] = {
        {1000, 100, 100}, {100000, 100, 100}, {200, 200, 200}, {1000, 10, 10},
        {100, 50, 50},    {1000, 100, 80},    {1000, 200, 180}, {10000, 1000, 700},
        {1000, 1000, 900},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct onerun_bound o;
        struct fdp_bound f;
        struct error err = {0};
        ck_assert_int_eq(onerun_epsilon(t[i][0], t[i][1], t[i][2], 0, 0.95, &o, &err), 0);
        ck_assert_int_eq(fdp_bound_from_counts(t[i][0], t[i][1], t[i][2], 0, 0.95, &f, &err),
                         0);
        double a = o.epsilon_lower_bound, b = f.epsilon_lower_bound;
        ck_assert_msg(b <= a + 1e-8, "case %zu: fdp %.12g > onerun %.12g", i, b, a);
        if (t[i][1] == t[i][2])
            assert_rel(b, a, 1e-8);
        else
            ck_assert_msg(b >= 0.97 * a, "case %zu: fdp %.12g << onerun %.12g", i, b, a);
        /* mu-GDP with mu > 0 has no finite pure eps */
        ck_assert(f.mu_lower_bound > 0 && isinf(f.gdp_epsilon));
    }
}
END_TEST

START_TEST(pld_grid_should_be_conservative)
{
    /* q = 1, T = 1: the plain Gaussian mechanism, sigma 1 = 1-GDP. */
    struct pld *p = NULL;
    struct error err = {0};
    ck_assert_int_eq(pld_new(1.0, 1.0, 1, 0, &p, &err), 0);
    enum { N = 401 };
    double e[N], d[N];
    ck_assert_int_eq(fdp_grid_from_pld(p, 10.0, N, e, d, &err), 0);
    ck_assert_int_eq(fdp_grid_from_pld(p, 10.0, 1, e, d, &err), ERR_INPUT);
    struct fdp_curve grid = {.kind = FDP_GRID, .grid_eps = e, .grid_delta = d, .n_grid = N};
    struct fdp_curve gauss = {.kind = FDP_GAUSSIAN, .mu = 1.0};
    for (double x = 1e-6; x < 1; x *= 3) {
        double fg = fdp_tradeoff(&grid, x), ft = fdp_tradeoff(&gauss, x);
        ck_assert_msg(fg <= ft + 1e-9, "x %g: grid %g > true %g", x, fg, ft);
        ck_assert_msg(fg >= ft - 2e-3, "x %g: grid %g << true %g", x, fg, ft);
    }
    /* a weaker claim is harder to reject */
    double pg = fdp_pvalue(1000, 200, 170, &grid), pt = fdp_pvalue(1000, 200, 170, &gauss);
    ck_assert(pg >= pt * (1 - 1e-6));
    assert_rel(pg, pt, 0.05);
    pld_free(p);
}
END_TEST

/*
 * The authors' published routine: facebookresearch/PrivacyGuard,
 * privacy_guard/analysis/mia/fdp_analysis_node.py, audit_rh_with_cap (added
 * by co-author L. Melis; jax_privacy's auditing.py cites it as the routine of
 * arXiv:2410.22235).  Its recursion, transcribed independently in Python
 * with scipy (bisection to 1e-15), gives for (m, k, c) at confidence 0.95,
 * delta 1e-5: mu (largest rejected f_mu), its eps at delta, and the eps of
 * the largest rejected (eps, delta) curve.
 */
START_TEST(bounds_should_match_the_authors_routine)
{
    static const struct {
        uint64_t m, k, c;
        double mu, gdp_eps, eps;
    } t[] = {
        {1000, 100, 100, 1.2255334524342218, 5.5490278976912455, 3.49232117271249},
        {100, 80, 70, 0.7048036149955081, 2.9323584864098753, 1.352548861708621},
        {10000, 1000, 950, 0.8850810780674114, 3.8024439968260455, 2.6912696895332453},
        {1000, 800, 500, 0.2010475533511211, 0.7296781430251631, 0.3821436756988048},
    };
    struct error err;
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct fdp_bound b;
        ck_assert_int_eq(fdp_bound_from_counts(t[i].m, t[i].k, t[i].c, 1e-5, 0.95, &b, &err),
                         0);
        /* our 1e-9 relative safety margin on k/m moves the bisections by
         * far less than 1e-5 */
        ck_assert_msg(fabs(b.mu_lower_bound - t[i].mu) < 1e-5, "case %zu: mu %.10f vs %.10f",
                      i, b.mu_lower_bound, t[i].mu);
        ck_assert_msg(fabs(b.gdp_epsilon - t[i].gdp_eps) < 1e-4, "case %zu: gdp eps %.10f",
                      i, b.gdp_epsilon);
        ck_assert_msg(fabs(b.epsilon_lower_bound - t[i].eps) < 1e-5, "case %zu: eps %.10f", i,
                      b.epsilon_lower_bound);
    }
}
END_TEST

/* One multi-run audit of the Gaussian mechanism with shift mu (500 runs with
 * the canary, 500 without, threshold by split, confidence 0.95), its rate
 * bounds tested against f. */
static bool multirun_rejects(const struct fdp_curve *f, double mu, uint64_t seed,
                             uint64_t run)
{
    enum { R = 500 };
    double sc[2 * R];
    uint8_t mem[2 * R];
    struct rng r;
    rng_derive(&r, seed, run);
    for (size_t i = 0; i < 2 * R; i++) {
        mem[i] = i < R;
        sc[i] = (mem[i] ? mu : 0.0) + rng_normal(&r);
    }
    struct scores_bound sb;
    struct error err;
    ck_assert_int_eq(bounds_from_scores(sc, mem, 2 * R, 0, 0.95, THRESHOLD_SPLIT, 0, &r, &sb,
                                        &err),
                     0);
    return fdp_rejects_rates(f, sb.cp.fpr_upper, sb.cp.fnr_upper);
}

/* The multi-run curve test: FNR_hi < f(FPR_hi) or FPR_hi < f(FNR_hi).
 * f_1(0.05) = Phi(Phi^-1(0.95) - 1) = 0.7404889771585558 (scipy); the
 * (1, 0)-DP curve at 0.1 is 1 - e 0.1 = 0.7281718171540954. */
START_TEST(rate_test_should_match_hand_values_and_be_sound)
{
    struct fdp_curve g = {.kind = FDP_GAUSSIAN, .mu = 1.0};
    ck_assert(fdp_rejects_rates(&g, 0.05, 0.740));
    ck_assert(!fdp_rejects_rates(&g, 0.05, 0.7405));
    ck_assert(fdp_rejects_rates(&g, 0.740, 0.05)); /* the other direction */
    ck_assert(!fdp_rejects_rates(&g, 0.5, 0.5));
    ck_assert(!fdp_rejects_rates(&g, NAN, 0.1));
    ck_assert(!fdp_rejects_rates(&g, 0.05, 1.5));
    struct fdp_curve ed = {.kind = FDP_EPS_DELTA, .eps = 1.0, .delta = 0.0};
    ck_assert(fdp_rejects_rates(&ed, 0.1, 0.728));
    ck_assert(!fdp_rejects_rates(&ed, 0.1, 0.7282));
    /* soundness: 300 multi-run audits of the Gaussian mechanism with
     * mu = 1 (scores N(1, 1) with the canary, N(0, 1) without, 500 + 500
     * runs, threshold by split), each testing its own true curve f_1 at
     * confidence 0.95 */
    int x = 0;
    for (int run = 0; run < RUNS; run++)
        x += multirun_rejects(&g, 1.0, 77, (uint64_t)run);
    assert_rate_ok(x, RUNS, 0.05, "multi-run curve test, Gaussian mu 1");
    /* power: mu 2 tested against the claim mu 1 is rejected most of the time */
    int y = 0;
    for (int run = 0; run < 50; run++)
        y += multirun_rejects(&g, 2.0, 78, (uint64_t)run);
    ck_assert_msg(y >= 40, "mu 2 rejected in only %d of 50", y);
}
END_TEST

START_TEST(bad_arguments_should_be_input_errors)
{
    struct fdp_bound b;
    struct error err = {0};
    ck_assert_int_eq(fdp_bound_from_counts(10, 11, 1, 0, 0.95, &b, &err), ERR_INPUT);
    ck_assert_int_eq(fdp_bound_from_counts(10, 5, 6, 0, 0.95, &b, &err), ERR_INPUT);
    ck_assert_int_eq(fdp_bound_from_counts(10, 5, 5, 1, 0.95, &b, &err), ERR_INPUT);
    ck_assert_int_eq(fdp_bound_from_counts(10, 5, 5, 0, 0, &b, &err), ERR_INPUT);
    double s[2] = {NAN, 1};
    uint8_t c[2] = {0, 1};
    struct onerun_opts o = {.confidence = 0.95, .k_plus = 1, .k_minus = 1};
    ck_assert_int_eq(fdp_bound_from_scores(s, c, 2, &o, &b, &err), ERR_INPUT);
    bool rej;
    double pv;
    struct fdp_curve g = {.kind = FDP_GAUSSIAN, .mu = 1};
    ck_assert_int_eq(fdp_test_scores(s, c, 2, &o, &g, &rej, &pv, &err), ERR_INPUT);
}
END_TEST

/* ---- simulations (same mechanisms as tests/check_onerun.c) ---------------- */

enum mech { RR, RR_LEAK, GAUSS, NULLM };

static void simulate(enum mech k, double par, double par2, size_t m, uint64_t seed,
                     uint64_t stream, double *s, uint8_t *c)
{
    struct rng r;
    rng_derive(&r, seed, stream);
    double p = 1.0 / (1.0 + exp(-par));
    for (size_t i = 0; i < m; i++) {
        c[i] = (uint8_t)(rng_next(&r) >> 63);
        switch (k) {
        case RR_LEAK:
            if (rng_uniform(&r) < par2) {
                s[i] = c[i] ? 2.0 : -1.0;
                break;
            }
            /* fall through */
        case RR:
            s[i] = rng_uniform(&r) < p ? c[i] : 1 - c[i];
            break;
        case GAUSS:
            s[i] = c[i] + par * rng_normal(&r);
            break;
        case NULLM:
            s[i] = rng_normal(&r);
            break;
        }
    }
}

/* Runs in which the claimed curve f (true for the mechanism) is rejected. */
static int rejections(enum mech k, double par, double par2, const struct fdp_curve *f,
                      const struct onerun_opts *o, uint64_t seed)
{
    double *s = malloc(M_CAN * sizeof *s);
    uint8_t *c = malloc(M_CAN);
    ck_assert(s && c);
    int x = 0;
    for (int run = 0; run < RUNS; run++) {
        simulate(k, par, par2, M_CAN, seed, (uint64_t)run, s, c);
        bool rej;
        double pv;
        struct error err = {0};
        ck_assert_int_eq(fdp_test_scores(s, c, M_CAN, o, f, &rej, &pv, &err), 0);
        x += rej;
        ck_assert(rej == (pv <= 0.05 * (1 + 1e-6)) || fabs(pv - 0.05) < 1e-6);
    }
    free(s);
    free(c);
    return x;
}

START_TEST(true_curves_should_be_rejected_rarely)
{
    const struct onerun_opts fixed = {.confidence = 0.95, .k_plus = 100, .k_minus = 100};
    const struct onerun_opts grid = {.confidence = 0.95};
    struct fdp_curve rr1 = {.kind = FDP_EPS_DELTA, .eps = 1.0};
    struct fdp_curve rr2 = {.kind = FDP_EPS_DELTA, .eps = 2.0};
    assert_rate_ok(rejections(RR, 1.0, 0, &rr1, &fixed, 601), RUNS, 0.05, "fdp rr1 fixed");
    assert_rate_ok(rejections(RR, 2.0, 0, &rr2, &grid, 602), RUNS, 0.05, "fdp rr2 grid");
    struct fdp_curve leak = {.kind = FDP_EPS_DELTA, .eps = 2.0, .delta = 1e-5};
    assert_rate_ok(rejections(RR_LEAK, 2.0, 1e-5, &leak, &fixed, 603), RUNS, 0.05,
                   "fdp rr leak");
    /* Gaussian mechanism, sigma 0.5: exactly 2-GDP */
    struct fdp_curve g2 = {.kind = FDP_GAUSSIAN, .mu = 2.0};
    assert_rate_ok(rejections(GAUSS, 0.5, 0, &g2, &fixed, 604), RUNS, 0.05,
                   "fdp gauss fixed");
    assert_rate_ok(rejections(GAUSS, 0.5, 0, &g2, &grid, 605), RUNS, 0.05, "fdp gauss grid");
    /* ... and its exact delta(eps) on a grid (a weaker, still true claim) */
    enum { N = 121 };
    double e[N], d[N];
    for (int i = 0; i < N; i++) {
        e[i] = 0.1 * i;
        d[i] = gdp_delta(2.0, e[i]);
    }
    struct fdp_curve gg = {.kind = FDP_GRID, .grid_eps = e, .grid_delta = d, .n_grid = N};
    assert_rate_ok(rejections(GAUSS, 0.5, 0, &gg, &fixed, 606), RUNS, 0.05,
                   "fdp gauss delta grid");
}
END_TEST

START_TEST(family_bounds_should_be_sound_and_zero_on_null)
{
    double *s = malloc(M_CAN * sizeof *s);
    uint8_t *c = malloc(M_CAN);
    const struct onerun_opts fixed = {.confidence = 0.95, .delta = 1e-5, .k_plus = 100,
                                      .k_minus = 100};
    int over_mu = 0, over_eps = 0, null_mu = 0, null_eps = 0;
    double sum_mu = 0, eps_true;
    struct error err = {0};
    ck_assert_int_eq(gdp_epsilon(2.0, 1e-5, &eps_true, &err), 0);
    for (int run = 0; run < RUNS; run++) {
        struct fdp_bound b;
        simulate(GAUSS, 0.5, 0, M_CAN, 701, (uint64_t)run, s, c);
        ck_assert_int_eq(fdp_bound_from_scores(s, c, M_CAN, &fixed, &b, &err), 0);
        over_mu += b.mu_lower_bound > 2.0;
        over_eps += b.epsilon_lower_bound > eps_true;
        sum_mu += b.mu_lower_bound;
        simulate(NULLM, 0, 0, M_CAN, 702, (uint64_t)run, s, c);
        ck_assert_int_eq(fdp_bound_from_scores(s, c, M_CAN, &fixed, &b, &err), 0);
        null_mu += b.mu_lower_bound > 0;
        null_eps += b.epsilon_lower_bound > 0;
    }
    assert_rate_ok(over_mu, RUNS, 0.05, "fdp mu > true mu");
    assert_rate_ok(over_eps, RUNS, 0.05, "fdp eps > true eps(1e-5)");
    assert_rate_ok(null_mu, RUNS, 0.05, "fdp null mu");
    assert_rate_ok(null_eps, RUNS, 0.05, "fdp null eps");
    /* power: the mean mu bound is a fair part of the true 2 */
    ck_assert_msg(sum_mu / RUNS > 1.0, "mean mu bound %g", sum_mu / RUNS);
    if (getenv("SOUNDNESS_REPORT"))
        fprintf(stderr, "fdp gauss sigma 0.5: mean mu bound %g\n", sum_mu / RUNS);
    free(s);
    free(c);
}
END_TEST

Suite *fdp_suite(void)
{
    Suite *s = suite_create("fdp");
    TCase *tc = tcase_create("closed_forms");
    tcase_add_test(tc, tradeoff_functions_should_match_closed_forms);
    tcase_add_test(tc, pvalue_should_match_closed_forms);
    tcase_add_test(tc, pvalue_should_agree_with_rejects_and_be_monotone);
    tcase_add_test(tc, eps_curve_should_match_onerun_for_pure_dp);
    tcase_add_test(tc, pld_grid_should_be_conservative);
    tcase_add_test(tc, bounds_should_match_the_authors_routine);
    tcase_add_test(tc, rate_test_should_match_hand_values_and_be_sound);
    tcase_add_test(tc, bad_arguments_should_be_input_errors);
    suite_add_tcase(s, tc);
    TCase *sim = tcase_create("soundness");
    tcase_set_timeout(sim, 60);
    tcase_add_test(sim, true_curves_should_be_rejected_rarely);
    tcase_add_test(sim, family_bounds_should_be_sound_and_zero_on_null);
    suite_add_tcase(s, sim);
    return s;
}

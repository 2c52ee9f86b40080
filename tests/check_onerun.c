/*
 * tests/check_onerun.c - the one-run bound (audit/onerun.h; Steinke, Nasr,
 * Jagielski 2023).
 *
 * Reference values, computed with /usr/bin/python3 (SciPy 1.10) by an
 * independent implementation of their Thm. 3.1 / Appendix D:
 *   from scipy import stats, special, optimize; import numpy as np
 *   def pval(m, r, v, eps, delta):
 *       q = special.expit(eps)
 *       beta = stats.binom.sf(v-1, r, q)
 *       if delta == 0: return beta
 *       i = np.arange(1, v+1)
 *       S = stats.binom.cdf(v-1, r, q) - stats.binom.cdf(v-1-i, r, q)
 *       return min(1.0, beta + 2*m*delta*np.max(S/i))
 *   def eps_lb(m, r, v, delta, conf):
 *       a = 1-conf
 *       if pval(m, r, v, 0, delta) > a: return 0.0
 *       hi = 1.0
 *       while pval(m, r, v, hi, delta) <= a: hi *= 2
 *       return optimize.brentq(lambda e: pval(m, r, v, e, delta) - a,
 *                              hi/2 if hi > 1 else 0, hi,
 *                              xtol=1e-13, rtol=1e-13)
 * Closed form: r perfect guesses at 95% solve p(eps)^r = 0.05, i.e.
 *   eps = log(q/(1-q)), q = 0.05**(1/r)
 * (r = 100: q = 0.970487, eps = 3.4929654311522933, the paper's ~3.49 for
 * 100 perfect guesses).
 *
 * Soundness: 300 audits (distinct rng_derive streams) of mechanisms whose
 * privacy is exact.  The number X of runs whose bound exceeds the true
 * epsilon must pass a one-sided binomial test against Bin(300, 0.05) at
 * p = 1e-6: P[Bin(300, 0.05) >= X] >= 1e-6, i.e. X <= 36
 * (scipy: stats.binom.sf(36, 300, 0.05) = 5.07e-07 < 1e-6).
 * SOUNDNESS_REPORT=1 in the environment prints the observed counts.
 */
#include "audit/onerun.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "audit/gdp.h"
#include "core/rng.h"
#include "core/specfun.h"

#define TOL_SCIPY 1e-7 /* bisection (1e-10) vs brentq */
#define TOL_PV 1e-9    /* p-values, relative */
#define RUNS 300
#define TEST_P 1e-6

static void assert_close(double got, double want, double tol)
{
    ck_assert_msg(fabs(got - want) <= tol * fmax(1.0, fabs(want)),
                  "got %.17g, want %.17g (tol %.3g)", got, want, tol);
}

/* One-sided binomial test of X violations in n runs against level a. */
static void assert_rate_ok(int x, int n, double a, const char *what)
{
    double lp = specfun_binom_logsf((uint64_t)x, (uint64_t)n, a);
    if (getenv("SOUNDNESS_REPORT")) /* for docs/bounds.md's table */
        fprintf(stderr, "soundness %s: %d/%d\n", what, x, n);
    ck_assert_msg(lp >= log(TEST_P),
                  "%s: %d of %d runs violated (P[Bin(%d, %g) >= %d] = %.3g < %g)",
                  what, x, n, n, a, x, exp(lp), TEST_P);
}

START_TEST(perfect_guesses_should_match_closed_form)
{
    static const struct {
        uint64_t r;
        double eps;
    } t[] = {{10, 1.051873233231709},
             {100, 3.4929654311522933},
             {1000, 5.8090683385466},
             {10000, 8.113001881258104}};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct onerun_bound b;
        struct error err = {0};
        ck_assert_int_eq(onerun_epsilon(t[i].r * 10, t[i].r, t[i].r, 0.0, 0.95, &b, &err),
                         0);
        assert_close(b.epsilon_lower_bound, t[i].eps, 1e-9);
    }
}
END_TEST

START_TEST(epsilon_should_match_scipy_table)
{
    static const struct {
        uint64_t m, r, v;
        double delta, conf, eps;
    } t[] = {
        {1000, 100, 80, 0, 0.95, 0.9583920452920994},
        {1000, 200, 180, 0, 0.95, 1.7988652649778916},
        {10000, 1000, 700, 0, 0.95, 0.7320108623573904},
        {1000, 100, 60, 0, 0.99, 0.0},
        {100, 50, 50, 0, 0.9, 3.054876345843363},
        {1000, 100, 90, 1e-6, 0.95, 1.6303580020232833},
        {10000, 1000, 800, 1e-7, 0.95, 1.2542958057937015},
        {100000, 2000, 1500, 1e-8, 0.95, 1.012733764873696},
        {1000, 100, 95, 1e-5, 0.95, 2.165175799714093},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct onerun_bound b;
        struct error err = {0};
        ck_assert_int_eq(onerun_epsilon(t[i].m, t[i].r, t[i].v, t[i].delta, t[i].conf,
                                        &b, &err),
                         0);
        assert_close(b.epsilon_lower_bound, t[i].eps, TOL_SCIPY);
        ck_assert(b.m == t[i].m && b.r == t[i].r && b.v == t[i].v);
    }
}
END_TEST

START_TEST(pvalue_should_match_scipy_table)
{
    static const struct {
        uint64_t m, r, v;
        double eps, delta, p;
    } t[] = {
        {1000, 100, 80, 1.0, 0, 0.07155624680483674},
        {1000, 100, 80, 0.5, 0, 0.00010313521027892553},
        {10000, 1000, 900, 2.0, 0, 0.03167042266525861},
        {1000, 100, 90, 1.0, 1e-6, 0.00010875117135074856},
        {1000, 100, 90, 1.5, 1e-5, 0.018764588474672005},
        {100, 60, 55, 2.0, 1e-4, 0.2681008940149029},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double p = exp(onerun_log_pvalue(t[i].m, t[i].r, t[i].v, t[i].eps, t[i].delta));
        ck_assert_msg(fabs(p - t[i].p) <= TOL_PV * t[i].p, "case %zu: got %.17g, want %.17g",
                      i, p, t[i].p);
    }
    /* far tails stay finite in log space: 1000 perfect guesses at eps 0 */
    assert_close(onerun_log_pvalue(1000, 1000, 1000, 0.0, 0.0), 1000 * log(0.5), 1e-12);
}
END_TEST

START_TEST(delta_term_should_scale_with_all_canaries)
{
    /* Same guesses, more canaries: only the 2 m delta term grows. */
    double a = onerun_log_pvalue(1000, 100, 90, 1.0, 1e-6);
    double b = onerun_log_pvalue(100000, 100, 90, 1.0, 1e-6);
    ck_assert(b > a);
    struct onerun_bound x, y;
    struct error err = {0};
    ck_assert_int_eq(onerun_epsilon(1000, 100, 90, 1e-6, 0.95, &x, &err), 0);
    ck_assert_int_eq(onerun_epsilon(100000, 100, 90, 1e-6, 0.95, &y, &err), 0);
    ck_assert(y.epsilon_lower_bound < x.epsilon_lower_bound);
    /* delta = 0 does not depend on m */
    ck_assert_int_eq(onerun_epsilon(1000, 100, 90, 0, 0.95, &x, &err), 0);
    ck_assert_int_eq(onerun_epsilon(100000, 100, 90, 0, 0.95, &y, &err), 0);
    ck_assert(x.epsilon_lower_bound == y.epsilon_lower_bound);
}
END_TEST

START_TEST(bad_arguments_should_be_input_errors)
{
    struct onerun_bound b;
    struct error err = {0};
    ck_assert_int_eq(onerun_epsilon(10, 11, 1, 0, 0.95, &b, &err), ERR_INPUT);
    ck_assert_int_eq(onerun_epsilon(10, 5, 6, 0, 0.95, &b, &err), ERR_INPUT);
    ck_assert_int_eq(onerun_epsilon(10, 5, 5, 1.0, 0.95, &b, &err), ERR_INPUT);
    ck_assert_int_eq(onerun_epsilon(10, 5, 5, -0.1, 0.95, &b, &err), ERR_INPUT);
    ck_assert_int_eq(onerun_epsilon(10, 5, 5, 0, 1.0, &b, &err), ERR_INPUT);
    ck_assert_int_eq(onerun_epsilon(10, 5, 5, 0, NAN, &b, &err), ERR_INPUT);
    ck_assert_int_eq(onerun_epsilon(0, 0, 0, 0, 0.95, &b, &err), 0);
    ck_assert(b.epsilon_lower_bound == 0.0);
    double s[3] = {1, NAN, 0};
    uint8_t c[3] = {1, 0, 0};
    struct onerun_opts o = {.delta = 0, .confidence = 0.95, .k_plus = 1, .k_minus = 1};
    ck_assert_int_eq(onerun_from_scores(s, c, 3, &o, &b, &err), ERR_INPUT);
    ck_assert_str_eq(err.msg, "score 1: is NaN");
    s[1] = 2;
    o.k_minus = 3;
    ck_assert_int_eq(onerun_from_scores(s, c, 3, &o, &b, &err), ERR_INPUT);
}
END_TEST

START_TEST(rank_should_count_top_and_bottom_with_ties_by_index)
{
    /* scores: 5 3 3 9 1 3; members 1 0 1 1 0 0.  Ranking (desc, ties by
     * index): 3(9) 0(5) 1(3) 2(3) 5(3) 4(1). */
    double s[6] = {5, 3, 3, 9, 1, 3};
    uint8_t c[6] = {1, 0, 1, 1, 0, 0};
    uint64_t *cum = NULL;
    struct error err = {0};
    ck_assert_int_eq(onerun_rank(s, c, 6, &cum, &err), 0);
    static const uint64_t want[7] = {0, 1, 2, 2, 3, 3, 3};
    for (int j = 0; j < 7; j++)
        ck_assert_uint_eq(cum[j], want[j]);
    ck_assert_uint_eq(onerun_correct(cum, 6, 2, 2), 2 + 2); /* 3,0 IN; 5,4 OUT */
    ck_assert_uint_eq(onerun_correct(cum, 6, 3, 3), 2 + 2); /* 1 wrong IN, 2 wrong OUT */
    ck_assert_uint_eq(onerun_correct(cum, 6, 0, 6), 3);
    free(cum);
}
END_TEST

START_TEST(default_grid_should_be_125_steps_to_half)
{
    struct onerun_guess g[16];
    size_t n = onerun_default_grid(1000, g, 16);
    static const uint64_t want[9] = {1, 2, 5, 10, 20, 50, 100, 200, 500};
    ck_assert_uint_eq(n, 9);
    for (size_t i = 0; i < n; i++)
        ck_assert(g[i].k_plus == want[i] && g[i].k_minus == want[i]);
    ck_assert_uint_eq(onerun_default_grid(1, g, 16), 0);
    ck_assert_uint_eq(onerun_default_grid(3, g, 16), 1);
    ck_assert(g[0].k_plus == 1);
}
END_TEST

START_TEST(grid_should_pay_a_union_bound)
{
    /* 40 canaries, members ranked first: every guess right. */
    double s[40];
    uint8_t c[40];
    for (int i = 0; i < 40; i++) {
        s[i] = 40 - i;
        c[i] = i < 20;
    }
    const struct onerun_guess grid[3] = {{5, 5}, {10, 10}, {20, 20}};
    struct onerun_opts o = {.delta = 0, .confidence = 0.95, .grid = grid, .n_grid = 3};
    struct onerun_bound b, x;
    struct error err = {0};
    ck_assert_int_eq(onerun_from_scores(s, c, 40, &o, &b, &err), 0);
    assert_close(b.confidence_per_test, 1 - 0.05 / 3, 1e-15);
    ck_assert_uint_eq(b.n_grid, 3);
    ck_assert(b.k_plus == 20 && b.r == 40 && b.v == 40);
    ck_assert_int_eq(onerun_epsilon(40, 40, 40, 0, 1 - 0.05 / 3, &x, &err), 0);
    assert_close(b.epsilon_lower_bound, x.epsilon_lower_bound, 1e-12);
    /* 40 perfect guesses at 0.05/3: q = (0.05/3)^(1/40) */
    double q = pow(0.05 / 3, 1.0 / 40);
    assert_close(b.epsilon_lower_bound, log(q / (1 - q)), 1e-9);
}
END_TEST

/* ---- simulations -------------------------------------------------------- */

enum mech { RR, RR_LEAK, GAUSS, NULLM };

/* m canaries with fair coins; scores by mechanism:
 *  RR: the coin, reported truthfully w.p. e^eps/(1+e^eps) (exactly eps-DP);
 *  RR_LEAK: w.p. par2 the coin is revealed (score 2 or -1), else RR:
 *    exactly (eps, par2)-DP;
 *  GAUSS: coin + N(0, par^2) (mu = 1/par GDP);
 *  NULLM: N(0, 1), independent of the coin. */
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

#define M_CAN 1000

/* Count runs whose bound exceeds eps_true. */
static int violations(enum mech k, double par, double par2, double delta,
                      const struct onerun_opts *o0, double eps_true, uint64_t seed,
                      double *max_seen)
{
    double *s = malloc(M_CAN * sizeof *s);
    uint8_t *c = malloc(M_CAN);
    ck_assert(s && c);
    struct onerun_opts o = *o0;
    o.delta = delta;
    int x = 0;
    *max_seen = 0;
    for (int run = 0; run < RUNS; run++) {
        simulate(k, par, par2, M_CAN, seed, (uint64_t)run, s, c);
        struct onerun_bound b;
        struct error err = {0};
        ck_assert_int_eq(onerun_from_scores(s, c, M_CAN, &o, &b, &err), 0);
        if (b.epsilon_lower_bound > eps_true)
            x++;
        if (b.epsilon_lower_bound > *max_seen)
            *max_seen = b.epsilon_lower_bound;
    }
    free(s);
    free(c);
    return x;
}

START_TEST(randomized_response_bound_should_be_sound)
{
    /* Fixed k+ = k- = 100 (where RR's bound is closest to eps) and the
     * default grid; eps 1 and 2. */
    const struct onerun_opts fixed = {.confidence = 0.95, .k_plus = 100, .k_minus = 100};
    const struct onerun_opts grid = {.confidence = 0.95};
    const double eps[2] = {1.0, 2.0};
    for (int i = 0; i < 2; i++) {
        double mx;
        int x = violations(RR, eps[i], 0, 0.0, &fixed, eps[i], 101 + i, &mx);
        assert_rate_ok(x, RUNS, 0.05, "rr fixed k");
        x = violations(RR, eps[i], 0, 0.0, &grid, eps[i], 201 + i, &mx);
        assert_rate_ok(x, RUNS, 0.05, "rr grid");
    }
}
END_TEST

START_TEST(approximate_dp_bound_should_be_sound)
{
    const struct onerun_opts fixed = {.confidence = 0.95, .k_plus = 100, .k_minus = 100};
    double mx;
    /* RR(2) that reveals each coin w.p. 1e-5: exactly (2, 1e-5)-DP;
     * 2 m delta = 0.02 is a sizeable part of the 0.05 budget. */
    int x = violations(RR_LEAK, 2.0, 1e-5, 1e-5, &fixed, 2.0, 301, &mx);
    assert_rate_ok(x, RUNS, 0.05, "rr leak");
    /* Gaussian, sigma 0.5 (mu 2), delta 1e-6: its exact eps(delta)
     * (Balle-Wang = mu-GDP curve) is ~10.9, out of reach of 1000 canaries,
     * so this only checks the bound stays below it. */
    double eps_true;
    struct error err = {0};
    ck_assert_int_eq(gdp_epsilon(2.0, 1e-6, &eps_true, &err), 0);
    x = violations(GAUSS, 0.5, 0, 1e-6, &fixed, eps_true, 302, &mx);
    assert_rate_ok(x, RUNS, 0.05, "gaussian");
    ck_assert(mx < eps_true);
}
END_TEST

START_TEST(null_scores_should_give_zero)
{
    const struct onerun_opts grid = {.confidence = 0.95};
    const struct onerun_opts fixed = {.confidence = 0.95, .k_plus = 50, .k_minus = 50};
    double mx;
    int x = violations(NULLM, 0, 0, 0.0, &grid, 0.0, 401, &mx);
    assert_rate_ok(x, RUNS, 0.05, "null grid");
    x = violations(NULLM, 0, 0, 0.0, &fixed, 0.0, 402, &mx);
    assert_rate_ok(x, RUNS, 0.05, "null fixed");
}
END_TEST

START_TEST(randomized_response_eps4_should_give_power)
{
    double *s = malloc(M_CAN * sizeof *s);
    uint8_t *c = malloc(M_CAN);
    const struct onerun_opts grid = {.confidence = 0.95};
    double lo = INFINITY, sum = 0;
    for (int run = 0; run < 20; run++) {
        simulate(RR, 4.0, 0, M_CAN, 501, (uint64_t)run, s, c);
        struct onerun_bound b;
        struct error err = {0};
        ck_assert_int_eq(onerun_from_scores(s, c, M_CAN, &grid, &b, &err), 0);
        lo = fmin(lo, b.epsilon_lower_bound);
        sum += b.epsilon_lower_bound;
    }
    ck_assert_msg(lo > 1.5, "smallest bound %g", lo);
    ck_assert_msg(sum / 20 > 2.0, "mean bound %g", sum / 20);
    free(s);
    free(c);
}
END_TEST

Suite *onerun_suite(void)
{
    Suite *s = suite_create("onerun");
    TCase *tc = tcase_create("closed_forms");
    tcase_add_test(tc, perfect_guesses_should_match_closed_form);
    tcase_add_test(tc, epsilon_should_match_scipy_table);
    tcase_add_test(tc, pvalue_should_match_scipy_table);
    tcase_add_test(tc, delta_term_should_scale_with_all_canaries);
    tcase_add_test(tc, bad_arguments_should_be_input_errors);
    tcase_add_test(tc, rank_should_count_top_and_bottom_with_ties_by_index);
    tcase_add_test(tc, default_grid_should_be_125_steps_to_half);
    tcase_add_test(tc, grid_should_pay_a_union_bound);
    suite_add_tcase(s, tc);
    TCase *sim = tcase_create("soundness");
    tcase_set_timeout(sim, 60);
    tcase_add_test(sim, randomized_response_bound_should_be_sound);
    tcase_add_test(sim, approximate_dp_bound_should_be_sound);
    tcase_add_test(sim, null_scores_should_give_zero);
    tcase_add_test(sim, randomized_response_eps4_should_give_power);
    suite_add_tcase(s, sim);
    return s;
}

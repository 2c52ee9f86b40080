/*
 * tests/check_gdp.c - mu-GDP curves and the multi-run GDP bound
 * (audit/gdp.h).
 *
 * Reference values, /usr/bin/python3 (SciPy 1.10):
 *   delta(mu, eps):  a = -eps/mu + mu/2; b = -eps/mu - mu/2
 *     la, lb = special.log_ndtr(a), special.log_ndtr(b)
 *     d = math.exp(la) * -math.expm1(eps + lb - la)
 *     (agrees with stats.norm.cdf(a) - math.exp(eps)*stats.norm.cdf(b) to
 *     ~1e-13 relative where that does not cancel)
 *   eps(mu, delta):  optimize.brentq(lambda e: d(mu, e) - delta, 0, 100,
 *                                    xtol=1e-14, rtol=1e-15)
 *   tradeoff:        stats.norm.cdf(stats.norm.ppf(1 - x) - mu)
 *   counts bound:    F = stats.beta.ppf(1 - a/2, fp+1, tn)   (a = 0.05)
 *                    N = stats.beta.ppf(1 - a/2, fn+1, tp)
 *                    mu = max(0, stats.norm.ppf(1-F) - stats.norm.ppf(N))
 *                    eps = brentq(lambda e: d(mu, e) - 1e-5, 0, 200)
 * Soundness: 300 multi-run audits (R = 500 runs with, 500 without the
 * canary) of the Gaussian mechanism; the count X of runs whose mu lower
 * bound exceeds the true mu passes P[Bin(300, 0.05) >= X] >= 1e-6
 * (X <= 36).  SOUNDNESS_REPORT=1 prints the counts.
 */
#include "audit/gdp.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/specfun.h"
#include "targets/accountant.h"

#define TOL_FORMULA 1e-12 /* same formula, different special functions */
#define TOL_ROOT 1e-9     /* two root finders */
#define TOL_CP 1e-9       /* betaincc_inv vs scipy beta.ppf */
#define RUNS 300
#define TEST_P 1e-6

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

START_TEST(delta_should_match_scipy_table)
{
    static const struct {
        double mu, eps, delta;
    } t[] = {
        {0.5, 0, 0.19741265136584718},    {0.5, 0.5, 0.052440323287669725},
        {0.5, 1, 0.006829594983114591},   {0.5, 3, 3.4009117356735924e-10},
        {0.5, 8, 1.048659178911498e-57},  {1, 0, 0.38292492254802635},
        {1, 0.5, 0.23842170813487676},    {1, 1, 0.12693673750664383},
        {1, 3, 0.0015371853694009568},    {1, 8, 3.6508216874219364e-15},
        {2, 0, 0.682689492137086},        {2, 0.5, 0.5991856185339332},
        {2, 1, 0.5098616600546702},       {2, 3, 0.18381307654447213},
        {2, 8, 0.0004954017389387458},    {4, 0, 0.9544997361036416},
        {4, 0.5, 0.9419161566877954},     {4, 1, 0.9267112812554803},
        {4, 3, 0.8345000818530993},       {4, 8, 0.40558935869803114},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        assert_rel(gdp_delta(t[i].mu, t[i].eps), t[i].delta, 1e-10);
        /* the same curve as the Gaussian mechanism with sigma = 1/mu */
        assert_rel(gdp_delta(t[i].mu, t[i].eps),
                   accountant_gaussian_delta(1.0 / t[i].mu, t[i].eps), 1e-10);
    }
    ck_assert(gdp_delta(0.0, 1.0) == 0.0);
    assert_rel(gdp_delta(0.0, -1.0), 1.0 - exp(-1.0), TOL_FORMULA);
    ck_assert(isnan(gdp_delta(-1.0, 1.0)));
    ck_assert(gdp_delta(1.0, 1e6) == 0.0);
}
END_TEST

START_TEST(epsilon_should_invert_delta)
{
    static const struct {
        double mu, delta, eps;
    } t[] = {
        {0.5, 1e-5, 1.9930914044151167}, {1, 1e-5, 4.377178095681227},
        {2, 1e-5, 9.997256146434298},    {1, 1e-3, 3.138670548582939},
        {3, 1e-8, 20.774055442646205},   {0.1, 1e-5, 0.3406693646843263},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double e;
        struct error err = {0};
        ck_assert_int_eq(gdp_epsilon(t[i].mu, t[i].delta, &e, &err), 0);
        assert_rel(e, t[i].eps, TOL_ROOT);
        assert_rel(gdp_delta(t[i].mu, e), t[i].delta, 1e-7);
    }
    double e;
    struct error err = {0};
    ck_assert_int_eq(gdp_epsilon(0.0, 1e-5, &e, &err), 0);
    ck_assert(e == 0.0);
    ck_assert_int_eq(gdp_epsilon(0.1, 0.5, &e, &err), 0); /* delta(0) < 0.5 */
    ck_assert(e == 0.0);
    ck_assert_int_eq(gdp_epsilon(1.0, 0.0, &e, &err), ERR_INPUT);
    ck_assert_int_eq(gdp_epsilon(-1.0, 1e-5, &e, &err), ERR_INPUT);
    ck_assert_int_eq(gdp_epsilon(INFINITY, 1e-5, &e, &err), ERR_INPUT);
}
END_TEST

START_TEST(tradeoff_should_match_scipy_table)
{
    static const struct {
        double mu, x, f;
    } t[] = {
        {0.5, 1e-06, 0.9999894736939743}, {0.5, 0.01, 0.9661010608771572},
        {0.5, 0.3, 0.5097334303166925},   {0.5, 0.9, 0.037411194400060126},
        {1, 1e-06, 0.9999127823898576},   {1, 0.01, 0.9076377519263059},
        {1, 0.3, 0.31717987036400425},    {1, 0.9, 0.011257914512604767},
        {2, 1e-06, 0.9970512297134939},   {2, 0.01, 0.6279194145645055},
        {2, 0.3, 0.07002572143054626},    {2, 0.9, 0.000516188229643809},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        assert_rel(gdp_tradeoff(t[i].mu, t[i].x), t[i].f, 1e-12);
    ck_assert(gdp_tradeoff(1, 0) == 1.0 && gdp_tradeoff(1, 1) == 0.0);
    assert_rel(gdp_tradeoff(0, 0.3), 0.7, 1e-14);
}
END_TEST

START_TEST(counts_bound_should_match_scipy_table)
{
    static const struct {
        uint64_t tp, fn, fp, tn;
        double F, N, mu, eps;
    } t[] = {
        {900, 100, 100, 900, 0.12028793651869261, 0.12028793651869261,
         2.3470972323259196, 12.197562752672432},
        {500, 0, 0, 500, 0.007350610051907784, 0.007350610051907784, 4.879313650820096,
         31.997407546218746},
        {80, 20, 30, 70, 0.3998146761798041, 0.2918426890886281, 0.8018363224617079,
         3.3958100110261076},
        {1000, 0, 10, 990, 0.01831324305511245, 0.003682083896865671,
         4.769814579769712, 31.006370214546564},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct gdp_bound b;
        struct error err = {0};
        ck_assert_int_eq(gdp_bound_from_counts(t[i].tp, t[i].fn, t[i].fp, t[i].tn, 1e-5,
                                               0.95, &b, &err),
                         0);
        assert_rel(b.fpr_upper, t[i].F, TOL_CP);
        assert_rel(b.fnr_upper, t[i].N, TOL_CP);
        assert_rel(b.mu_lower_bound, t[i].mu, 1e-8);
        assert_rel(b.epsilon_estimate, t[i].eps, 1e-8);
    }
    struct gdp_bound b;
    struct error err = {0};
    ck_assert_int_eq(gdp_bound_from_counts(0, 0, 0, 0, 1e-5, 0.95, &b, &err), 0);
    ck_assert(b.mu_lower_bound == 0.0 && b.epsilon_estimate == 0.0);
    ck_assert_int_eq(gdp_bound_from_counts(1, 1, 1, 1, 1.0, 0.95, &b, &err), ERR_INPUT);
    ck_assert_int_eq(gdp_bound_from_counts(900, 100, 100, 900, 0.0, 0.95, &b, &err), 0);
    ck_assert(b.mu_lower_bound > 2 && isinf(b.epsilon_estimate));
    ck_assert_int_eq(gdp_bound_from_counts(1, 1, 1, 1, 1e-5, 1.5, &b, &err), ERR_INPUT);
}
END_TEST

START_TEST(scores_bound_should_use_the_threshold_rules)
{
    /* separable: members score 100..199, non-members 0..99 */
    enum { N = 200 };
    double s[N];
    uint8_t c[N];
    for (int i = 0; i < N; i++) {
        s[i] = i;
        c[i] = i >= N / 2;
    }
    struct gdp_scores_bound b;
    struct error err = {0};
    ck_assert_int_eq(gdp_bound_from_scores(s, c, N, 1e-5, 0.95, THRESHOLD_UNION, 0, NULL,
                                           &b, &err),
                     0);
    ck_assert_uint_eq(b.n_thresholds, N);
    ck_assert(b.threshold == 100.0);
    ck_assert(b.gdp.tp == 100 && b.gdp.fp == 0 && b.gdp.tn == 100 && b.gdp.fn == 0);
    /* both rates' bounds are the k = 0 closed form 1 - a^(1/n) at
     * a = 0.05 / 200 / 2 */
    assert_rel(b.gdp.fpr_upper, 1 - pow(0.05 / 400, 0.01), 1e-12);
    assert_rel(b.gdp.mu_lower_bound, -2 * specfun_norm_quantile(b.gdp.fpr_upper), 1e-12);
    struct rng r;
    rng_seed(&r, 7);
    ck_assert_int_eq(gdp_bound_from_scores(s, c, N, 1e-5, 0.95, THRESHOLD_SPLIT, 0, &r,
                                           &b, &err),
                     0);
    ck_assert(b.n_select == N / 2 && b.n_eval == N / 2);
    ck_assert(b.gdp.tp + b.gdp.fn == 50 && b.gdp.fp + b.gdp.tn == 50);
    ck_assert(b.gdp.fp == 0);
    assert_rel(b.gdp.fpr_upper, 1 - pow(0.025, 0.02), 1e-12);
    /* max_thresholds caps the union */
    ck_assert_int_eq(gdp_bound_from_scores(s, c, N, 1e-5, 0.95, THRESHOLD_UNION, 5, NULL,
                                           &b, &err),
                     0);
    ck_assert(b.n_thresholds <= 5);
    s[3] = NAN;
    ck_assert_int_eq(gdp_bound_from_scores(s, c, N, 1e-5, 0.95, THRESHOLD_UNION, 0, NULL,
                                           &b, &err),
                     ERR_INPUT);
    ck_assert_str_eq(err.msg, "score 3: is NaN");
    ck_assert_int_eq(gdp_bound_from_scores(s, c, N, 1e-5, 0.95, THRESHOLD_SPLIT, 0, NULL,
                                           &b, &err),
                     ERR_INPUT);
}
END_TEST

/* R runs with the canary and R without: score = in + sigma N(0, 1)
 * (Gaussian mechanism, mu = 1/sigma), or N(0, 1) for both (null); at most
 * 64 candidate thresholds, to keep the suite fast. */
#define R_RUNS 500

static int multirun_violations(double sigma, int null, enum threshold_mode mode,
                               double mu_true, uint64_t seed)
{
    double *s = malloc(2 * R_RUNS * sizeof *s);
    uint8_t *c = malloc(2 * R_RUNS);
    ck_assert(s && c);
    int x = 0;
    for (int run = 0; run < RUNS; run++) {
        struct rng r;
        rng_derive(&r, seed, (uint64_t)run);
        for (int i = 0; i < 2 * R_RUNS; i++) {
            c[i] = i < R_RUNS;
            s[i] = null ? rng_normal(&r) : c[i] + sigma * rng_normal(&r);
        }
        struct gdp_scores_bound b;
        struct error err = {0};
        ck_assert_int_eq(gdp_bound_from_scores(s, c, 2 * R_RUNS, 1e-5, 0.95, mode, 64, &r,
                                               &b, &err),
                         0);
        if (b.gdp.mu_lower_bound > mu_true)
            x++;
    }
    free(s);
    free(c);
    return x;
}

START_TEST(multirun_gdp_bound_should_be_sound)
{
    /* sigma 0.5: mu = 2; the bound's eps(delta) exceeds the true
     * eps(delta) exactly when mu_lower > mu (eps is increasing in mu). */
    int x = multirun_violations(0.5, 0, THRESHOLD_UNION, 2.0, 11);
    assert_rate_ok(x, RUNS, 0.05, "gdp multirun union");
    x = multirun_violations(0.5, 0, THRESHOLD_SPLIT, 2.0, 12);
    assert_rate_ok(x, RUNS, 0.05, "gdp multirun split");
    x = multirun_violations(1.0, 0, THRESHOLD_SPLIT, 1.0, 13);
    assert_rate_ok(x, RUNS, 0.05, "gdp multirun split sigma 1");
}
END_TEST

START_TEST(multirun_null_should_give_zero)
{
    int x = multirun_violations(0, 1, THRESHOLD_UNION, 0.0, 21);
    assert_rate_ok(x, RUNS, 0.05, "gdp null union");
    x = multirun_violations(0, 1, THRESHOLD_SPLIT, 0.0, 22);
    assert_rate_ok(x, RUNS, 0.05, "gdp null split");
}
END_TEST

/* The Clopper-Pearson bound of audit/bounds.c on the same experiment: the
 * Gaussian mechanism is (eps, gdp_delta(mu, eps))-DP for every eps, so at
 * delta = 0.1 (large, so the bound can come near the truth with 500 + 500
 * runs) the true epsilon is gdp_epsilon(mu, 0.1). */
static int cp_violations(double sigma, int null, enum threshold_mode mode, double delta,
                         double eps_true, uint64_t seed, double *max_seen)
{
    double *s = malloc(2 * R_RUNS * sizeof *s);
    uint8_t *c = malloc(2 * R_RUNS);
    ck_assert(s && c);
    int x = 0;
    *max_seen = 0;
    for (int run = 0; run < RUNS; run++) {
        struct rng r;
        rng_derive(&r, seed, (uint64_t)run);
        for (int i = 0; i < 2 * R_RUNS; i++) {
            c[i] = i < R_RUNS;
            s[i] = null ? rng_normal(&r) : c[i] + sigma * rng_normal(&r);
        }
        struct scores_bound b;
        struct error err = {0};
        ck_assert_int_eq(bounds_from_scores(s, c, 2 * R_RUNS, delta, 0.95, mode, 64, &r,
                                            &b, &err),
                         0);
        if (b.cp.epsilon_lower_bound > eps_true)
            x++;
        *max_seen = fmax(*max_seen, b.cp.epsilon_lower_bound);
    }
    free(s);
    free(c);
    return x;
}

START_TEST(multirun_clopper_pearson_should_be_sound)
{
    double eps2, eps1, mx;
    struct error err = {0};
    ck_assert_int_eq(gdp_epsilon(2.0, 0.1, &eps2, &err), 0);
    ck_assert_int_eq(gdp_epsilon(1.0, 0.1, &eps1, &err), 0);
    assert_rate_ok(cp_violations(0.5, 0, THRESHOLD_UNION, 0.1, eps2, 41, &mx), RUNS, 0.05,
                   "cp multirun union");
    assert_rate_ok(cp_violations(0.5, 0, THRESHOLD_SPLIT, 0.1, eps2, 42, &mx), RUNS, 0.05,
                   "cp multirun split");
    assert_rate_ok(cp_violations(1.0, 0, THRESHOLD_SPLIT, 0.1, eps1, 43, &mx), RUNS, 0.05,
                   "cp multirun split sigma 1");
    assert_rate_ok(cp_violations(0, 1, THRESHOLD_UNION, 0.0, 0.0, 44, &mx), RUNS, 0.05,
                   "cp null union");
    assert_rate_ok(cp_violations(0, 1, THRESHOLD_SPLIT, 0.0, 0.0, 45, &mx), RUNS, 0.05,
                   "cp null split");
}
END_TEST

START_TEST(multirun_gdp_bound_should_have_power)
{
    double s[2 * R_RUNS];
    uint8_t c[2 * R_RUNS];
    struct rng r;
    rng_seed(&r, 31);
    for (int i = 0; i < 2 * R_RUNS; i++) {
        c[i] = i < R_RUNS;
        s[i] = c[i] + 0.5 * rng_normal(&r);
    }
    struct gdp_scores_bound b;
    struct error err = {0};
    ck_assert_int_eq(gdp_bound_from_scores(s, c, 2 * R_RUNS, 1e-5, 0.95, THRESHOLD_UNION,
                                           0, NULL, &b, &err),
                     0);
    ck_assert_msg(b.gdp.mu_lower_bound > 1.2 && b.gdp.mu_lower_bound <= 2.0, "mu %g",
                  b.gdp.mu_lower_bound);
}
END_TEST

Suite *gdp_suite(void)
{
    Suite *s = suite_create("gdp");
    TCase *tc = tcase_create("curves");
    tcase_add_test(tc, delta_should_match_scipy_table);
    tcase_add_test(tc, epsilon_should_invert_delta);
    tcase_add_test(tc, tradeoff_should_match_scipy_table);
    tcase_add_test(tc, counts_bound_should_match_scipy_table);
    tcase_add_test(tc, scores_bound_should_use_the_threshold_rules);
    suite_add_tcase(s, tc);
    TCase *sim = tcase_create("soundness");
    tcase_set_timeout(sim, 60);
    tcase_add_test(sim, multirun_gdp_bound_should_be_sound);
    tcase_add_test(sim, multirun_null_should_give_zero);
    tcase_add_test(sim, multirun_clopper_pearson_should_be_sound);
    tcase_add_test(sim, multirun_gdp_bound_should_have_power);
    suite_add_tcase(s, sim);
    return s;
}

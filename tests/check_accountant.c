/*
 * tests/check_accountant.c - DP-SGD accountants (targets/accountant.h,
 * targets/pld.h).
 *
 * Reference values come from
 *  - published numbers: TF Privacy's MNIST tutorial (tutorials/README.md and
 *    mnist_dpsgd_tutorial.py: sigma 1.12, batch 256 of 60000, 60 epochs of
 *    60000 // 256 = 234 steps, delta 1e-5, classic RDP conversion over the
 *    grid [1 + x/10 for x in 1..99] + [12..63]: "epsilon is: 2.92"), and
 *    Opacus's compute_dp_sgd_privacy docs (q 0.01, sigma 1.0, 300 steps,
 *    alphas 2 5 10 20 100: "epsilon = 2.39, optimal alpha 5.0");
 *  - independent SciPy/numpy computations, scripts in docs/accountants.md
 *    ("Reference computations"), run with /usr/bin/python3 (SciPy 1.10):
 *      ref_rdp.py: RDP by direct numerical integration (scipy quad) of
 *        A_alpha = E_{x~N(0,s^2)} [(1 - q + q e^{(2x-1)/(2s^2)})^alpha]
 *        (Mironov, Talwar, Zhang 2019, Sec. 3.3's definition, no series),
 *        and for integer orders the binomial sum with scipy gammaln;
 *      ref_bw.py: Balle-Wang delta(eps) with scipy.special.log_ndtr,
 *        inverted with scipy.optimize.brentq;
 *      ref_pld.py: a rigorous PLD sandwich: losses rounded down / up to a
 *        grid of 1e-6 and composed by scipy.signal.fftconvolve, so
 *        eps_down <= eps_true <= eps_up.
 */
#include "targets/accountant.h"

#include <check.h>
#include <math.h>
#include <stdint.h>
#include <string.h>

#define Q_MNIST (256.0 / 60000.0)
#define TOL_TIGHT 1e-10 /* same formula, different special functions */
#define TOL_QUAD 1e-8   /* against numerical integration */
#define TOL_PUB 5e-3    /* a published value printed with 2 decimals */

static void assert_close(double got, double want, double rel)
{
    double tol = rel * fmax(1.0, fabs(want));
    ck_assert_msg(fabs(got - want) <= tol, "got %.17g, want %.17g (tol %.3g)",
                  got, want, tol);
}

static void assert_rel(double got, double want, double rel)
{
    ck_assert_msg(fabs(got - want) <= rel * fabs(want),
                  "got %.17g, want %.17g (rel tol %.3g)", got, want, rel);
}

static double rdp_improved(double q, double s, uint64_t t, double d)
{
    struct error err = {0};
    struct rdp_result r;
    ck_assert_int_eq(accountant_rdp_epsilon(q, s, t, d, NULL, 0, &r, &err),
                     0);
    return r.improved.epsilon;
}

static double rdp_classic(double q, double s, uint64_t t, double d)
{
    struct error err = {0};
    struct rdp_result r;
    ck_assert_int_eq(accountant_rdp_epsilon(q, s, t, d, NULL, 0, &r, &err),
                     0);
    return r.classic.epsilon;
}

static double pld_eps(double q, double s, uint64_t t, double d)
{
    struct error err = {0};
    struct pld_result p;
    int rc = accountant_pld_epsilon(q, s, t, d, 0.0, &p, &err);
    ck_assert_msg(rc == 0, "pld: %s", err.msg);
    return p.epsilon;
}

/* ------------------------------------------------ exact Gaussian (BW18) */

/* ref_bw.py: delta(eps) = exp(la) * -expm1(eps + lb - la), la/lb =
 * scipy.special.log_ndtr(-eps s +- 1/(2s)); matches the naive
 * norm.cdf difference to ~1e-14 where that does not cancel. */
START_TEST(gaussian_delta_should_match_scipy_table)
{
    static const struct { double sigma, eps, delta; } t[] = {
        {0.5, 0.0, 0.682689492137086},
        {0.5, 1.0, 0.5098616600546702},
        {0.5, 4.0, 0.084953318671071},
        {1.0, 0.5, 0.23842170813487676},
        {1.0, 1.0, 0.12693673750664383},
        {1.0, 3.0, 0.0015371853694009568},
        {1.0, 8.0, 3.6508216874219364e-15},
        {2.0, 0.1, 0.15926050741399142},
        {2.0, 1.0, 0.006829594983114591},
        {5.0, 0.2, 0.018357224318121954},
        {5.0, 1.5, 1.7339516675008169e-15},
        {10.0, 0.05, 0.020267457137435458},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
        assert_rel(accountant_gaussian_delta(t[i].sigma, t[i].eps),
                   t[i].delta, 1e-9);
}
END_TEST

/* ref_bw.py: brentq(lambda e: bw(s, e) - d, 0, 100, xtol=rtol=1e-15). */
START_TEST(gaussian_epsilon_should_invert_delta)
{
    static const struct { double sigma, delta, eps; } t[] = {
        {1.0, 1e-5, 4.377178095681224},
        {0.8, 1e-6, 6.31206018580133},
        {2.0, 1e-5, 1.9930914044151213},
        {5.0, 1e-3, 0.4539201557417131},
    };
    struct error err = {0};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double e;
        ck_assert_int_eq(
            accountant_gaussian_epsilon(t[i].sigma, t[i].delta, &e, &err), 0);
        assert_rel(e, t[i].eps, 1e-9);
    }
    /* delta above delta(0) = 2 Phi(1/(2 sigma)) - 1: epsilon 0. */
    double e = -1.0;
    ck_assert_int_eq(accountant_gaussian_epsilon(10.0, 0.5, &e, &err), 0);
    ck_assert(e == 0.0);
}
END_TEST

/* q = 1, T = 1 is the Gaussian mechanism itself: every accountant is an
 * upper bound on its exact epsilon (Balle, Wang 2018, Thm. 8), the PLD one
 * within 1% (in fact ~1e-6: connect-the-dots is exact at grid points). */
START_TEST(full_batch_single_step_should_bound_exact_gaussian)
{
    static const double sigmas[] = {0.8, 1.0, 2.0, 5.0};
    static const double deltas[] = {1e-5, 1e-3};
    struct error err = {0};
    for (size_t i = 0; i < 4; i++) {
        for (size_t j = 0; j < 2; j++) {
            double s = sigmas[i], d = deltas[j], exact;
            ck_assert_int_eq(accountant_gaussian_epsilon(s, d, &exact, &err),
                             0);
            double ri = rdp_improved(1.0, s, 1, d);
            double rc = rdp_classic(1.0, s, 1, d);
            double p = pld_eps(1.0, s, 1, d);
            ck_assert_msg(ri >= exact && rc >= ri,
                          "sigma %g: rdp %g %g < exact %g", s, ri, rc, exact);
            ck_assert_msg(p >= exact - 1e-12 && p <= exact * 1.01,
                          "sigma %g delta %g: pld %.9g exact %.9g", s, d, p,
                          exact);
            ck_assert_msg(p - exact <= 1e-4, "pld %.9g exact %.9g", p,
                          exact);
        }
    }
}
END_TEST

/* T full-batch steps with noise sigma are one Gaussian step with noise
 * sigma / sqrt(T) (Dong, Roth, Su 2022, GDP composition): checks the FFT
 * composition (T = 100 = 0b1100100 exercises squaring and products). */
START_TEST(full_batch_composition_should_match_gaussian_sigma_over_sqrt_t)
{
    static const struct { double sigma; uint64_t t; double delta; } c[] = {
        {10.0, 100, 1e-5}, {20.0, 400, 1e-5}, {3.0, 9, 1e-3}};
    struct error err = {0};
    for (size_t i = 0; i < sizeof c / sizeof c[0]; i++) {
        double exact;
        double se = c[i].sigma / sqrt((double)c[i].t);
        ck_assert_int_eq(
            accountant_gaussian_epsilon(se, c[i].delta, &exact, &err), 0);
        double p = pld_eps(1.0, c[i].sigma, c[i].t, c[i].delta);
        ck_assert_msg(p >= exact - 1e-9 && p <= exact + 1e-3,
                      "case %zu: pld %.9g exact %.9g", i, p, exact);
        /* and delta at that epsilon: pessimistic, close */
        struct pld *pld = NULL;
        ck_assert_int_eq(pld_new(1.0, c[i].sigma, c[i].t, 0.0, &pld, &err),
                         0);
        double dg = accountant_gaussian_delta(se, 1.0);
        double dp = pld_delta_at(pld, 1.0);
        ck_assert_msg(dp >= dg * (1.0 - 1e-9) && dp <= dg * 1.001,
                      "delta(1): pld %.12g exact %.12g", dp, dg);
        pld_free(pld);
    }
}
END_TEST

/* ---------------------------------------------------------------- RDP */

/* ref_rdp.py, quad column (integer orders agree with the binomial sum to
 * 1e-11): RDP of one step. */
START_TEST(rdp_step_should_match_numerical_integration)
{
    static const struct { double q, sigma, alpha, rdp; } t[] = {
        {Q_MNIST, 1.1, 2.0, 2.339577601029319e-05},
        {Q_MNIST, 1.1, 2.5, 2.9358070281926274e-05},
        {Q_MNIST, 1.1, 3.0, 3.536769897227732e-05},
        {Q_MNIST, 1.1, 8.1, 9.96597276194287e-05},
        {Q_MNIST, 1.1, 10.0, 0.00012523984244304664},
        {Q_MNIST, 1.1, 32.5, 7.799594038939155},
        {Q_MNIST, 1.1, 63.0, 20.488120577148464},
        {0.01, 0.7, 1.5, 0.0004692257768714736},
        {0.1, 2.0, 3.7, 0.005504053024530324},
        {0.5, 1.0, 1.1, 0.15613047568549407},
        {0.001, 0.5, 20.5, 33.73800086055724},
    };
    struct error err = {0};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        double r;
        int rc = accountant_rdp_step(t[i].q, t[i].sigma, t[i].alpha, &r, &err);
        ck_assert_msg(rc == 0, "case %zu: %s", i, err.msg);
        assert_rel(r, t[i].rdp, TOL_QUAD);
    }
}
END_TEST

/* q = 1: alpha / (2 sigma^2), the Gaussian mechanism (Mironov 2017). */
START_TEST(rdp_step_at_full_batch_should_be_gaussian_rdp)
{
    struct error err = {0};
    double r;
    ck_assert_int_eq(accountant_rdp_step(1.0, 2.0, 3.5, &r, &err), 0);
    assert_rel(r, 3.5 / 8.0, 1e-15);
}
END_TEST

/* The fractional series at alpha -> integer must meet the integer sum
 * (the series is continuous in alpha; a sign error in the k > alpha terms
 * shows up as a jump). */
START_TEST(rdp_fractional_orders_should_be_continuous_at_integers)
{
    static const double qs[] = {Q_MNIST, 0.01, 0.2};
    static const double sigmas[] = {0.7, 1.1, 3.0};
    static const double alphas[] = {2.0, 3.0, 10.0};
    struct error err = {0};
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 3; j++)
            for (size_t k = 0; k < 3; k++) {
                double a = alphas[k], r0, rm, rp;
                ck_assert_int_eq(
                    accountant_rdp_step(qs[i], sigmas[j], a, &r0, &err), 0);
                ck_assert_int_eq(accountant_rdp_step(qs[i], sigmas[j],
                                                     a - 1e-7, &rm, &err),
                                 0);
                ck_assert_int_eq(accountant_rdp_step(qs[i], sigmas[j],
                                                     a + 1e-7, &rp, &err),
                                 0);
                /* RDP is increasing in alpha (van Erven, Harremoes 2014) */
                ck_assert_msg(rm <= r0 * (1 + 1e-9) && r0 <= rp * (1 + 1e-9),
                              "q %g s %g a %g: %.12g %.12g %.12g", qs[i],
                              sigmas[j], a, rm, r0, rp);
                assert_rel(rm, r0, 1e-5);
                assert_rel(rp, r0, 1e-5);
            }
}
END_TEST

/* TF Privacy tutorial (tutorials/README.md): sigma 1.12, 60 epochs of 234
 * steps = 14040, classic conversion: "epsilon is: 2.92".  ref_rdp.py on the
 * same grid: classic 2.919890520280612 at order 9.1, improved
 * 2.5164624437242664 at order 8.3. */
START_TEST(rdp_should_match_tf_privacy_mnist_tutorial)
{
    struct error err = {0};
    struct rdp_result r;
    ck_assert_int_eq(accountant_rdp_epsilon(Q_MNIST, 1.12, 14040, 1e-5, NULL,
                                            0, &r, &err),
                     0);
    ck_assert_msg(fabs(r.classic.epsilon - 2.92) <= TOL_PUB, "%.6f",
                  r.classic.epsilon);
    assert_rel(r.classic.epsilon, 2.919890520280612, TOL_QUAD);
    assert_rel(r.improved.epsilon, 2.5164624437242664, TOL_QUAD);
    ck_assert(r.classic.order == 9.1 || fabs(r.classic.order - 9.1) < 1e-12);
    ck_assert(fabs(r.improved.order - 8.3) < 1e-12);
    ck_assert(!r.classic.order_at_edge && !r.improved.order_at_edge);
}
END_TEST

/* The setting of the task brief: sigma 1.1, 60 epochs, steps = ceil(60 /
 * q) = 14063 (TF Privacy's compute_dp_sgd_privacy: ceil(60 * 60000 / 256)).
 * ref_rdp.py: classic 3.0083810468358703 (order 8.8), improved
 * 2.5966555286825694 (order 8.1).  (The often-quoted 2.92 is sigma 1.12.) */
START_TEST(rdp_should_match_reference_for_mnist_sigma_1_1)
{
    struct error err = {0};
    uint64_t steps = 0;
    ck_assert_int_eq(accountant_steps_from_epochs(60.0, Q_MNIST, &steps, &err),
                     0);
    ck_assert_uint_eq(steps, 14063);
    struct rdp_result r;
    ck_assert_int_eq(accountant_rdp_epsilon(Q_MNIST, 1.1, steps, 1e-5, NULL,
                                            0, &r, &err),
                     0);
    assert_rel(r.classic.epsilon, 3.0083810468358703, TOL_QUAD);
    assert_rel(r.improved.epsilon, 2.5966555286825694, TOL_QUAD);
    ck_assert(fabs(r.classic.order - 8.8) < 1e-12);
    ck_assert(fabs(r.improved.order - 8.1) < 1e-12);
}
END_TEST

/* Opacus docs (compute_dp_sgd_privacy): q 0.01, sigma 1.0, 3 epochs = 300
 * steps, alphas 2 5 10 20 100: "epsilon = 2.39 ... optimal alpha is 5.0";
 * ref_rdp.py (integer binomial sum): improved 2.3933285094705603 at 5,
 * classic 3.018831538893295 at 5. */
START_TEST(rdp_should_match_opacus_docs_example)
{
    static const double orders[] = {2, 5, 10, 20, 100};
    struct error err = {0};
    struct rdp_result r;
    ck_assert_int_eq(
        accountant_rdp_epsilon(0.01, 1.0, 300, 1e-5, orders, 5, &r, &err), 0);
    ck_assert(fabs(r.improved.epsilon - 2.39) <= TOL_PUB);
    assert_rel(r.improved.epsilon, 2.3933285094705603, TOL_TIGHT);
    assert_rel(r.classic.epsilon, 3.018831538893295, TOL_TIGHT);
    ck_assert(r.improved.order == 5.0 && r.classic.order == 5.0);
}
END_TEST

START_TEST(rdp_should_be_monotone_in_sigma_q_and_steps)
{
    static const double sigmas[] = {0.6, 0.8, 1.0, 1.5, 2.0, 4.0};
    static const double qs[] = {0.001, 0.004, 0.01, 0.05, 0.2, 1.0};
    static const uint64_t ts[] = {1, 10, 100, 1000, 10000, 100000};
    double prev = INFINITY;
    for (size_t i = 0; i < 6; i++) { /* decreasing in sigma */
        double e = rdp_improved(0.01, sigmas[i], 1000, 1e-5);
        ck_assert_msg(e < prev, "sigma %g: %g >= %g", sigmas[i], e, prev);
        prev = e;
    }
    prev = -1.0;
    for (size_t i = 0; i < 6; i++) { /* increasing in q */
        double e = rdp_classic(qs[i], 1.0, 100, 1e-5);
        ck_assert_msg(e > prev, "q %g: %g <= %g", qs[i], e, prev);
        prev = e;
    }
    prev = -1.0;
    for (size_t i = 0; i < 6; i++) { /* increasing in steps */
        double e = rdp_improved(0.01, 1.0, ts[i], 1e-5);
        ck_assert_msg(e > prev, "steps %llu: %g <= %g",
                      (unsigned long long)ts[i], e, prev);
        prev = e;
    }
}
END_TEST

START_TEST(rdp_improved_conversion_should_not_exceed_classic)
{
    static const double qs[] = {0.001, 0.01, 0.1, 1.0};
    static const double sigmas[] = {0.5, 1.0, 3.0};
    static const double deltas[] = {1e-8, 1e-5, 1e-2};
    for (size_t i = 0; i < 4; i++)
        for (size_t j = 0; j < 3; j++)
            for (size_t k = 0; k < 3; k++) {
                double ei = rdp_improved(qs[i], sigmas[j], 500, deltas[k]);
                double ec = rdp_classic(qs[i], sigmas[j], 500, deltas[k]);
                ck_assert_msg(ei <= ec && ei >= 0.0, "%g %g", ei, ec);
            }
}
END_TEST

/* Huge noise, one step, large delta: the conversions go negative and are
 * clamped to exactly 0; so is the PLD answer. */
START_TEST(epsilon_should_be_clamped_at_zero)
{
    struct error err = {0};
    struct rdp_result r;
    ck_assert_int_eq(
        accountant_rdp_epsilon(0.01, 100.0, 1, 0.5, NULL, 0, &r, &err), 0);
    ck_assert(r.improved.epsilon == 0.0);
    ck_assert(r.classic.epsilon >= 0.0);
    ck_assert(pld_eps(0.01, 100.0, 1, 0.5) == 0.0);
}
END_TEST

START_TEST(rdp_should_flag_an_optimum_at_the_grid_edge)
{
    struct error err = {0};
    struct rdp_result r;
    static const double few[] = {2.0, 3.0};
    /* small q, much noise, tiny delta: wants a large order -> 3 is the edge */
    ck_assert_int_eq(
        accountant_rdp_epsilon(0.001, 5.0, 10, 1e-10, few, 2, &r, &err), 0);
    ck_assert(r.classic.order == 3.0 && r.classic.order_at_edge);
    ck_assert(r.improved.order == 3.0 && r.improved.order_at_edge);
    /* little noise, many steps: the smallest default order 1.1 */
    ck_assert_int_eq(
        accountant_rdp_epsilon(1.0, 0.3, 1000, 1e-5, NULL, 0, &r, &err), 0);
    ck_assert(fabs(r.classic.order - 1.1) < 1e-12 && r.classic.order_at_edge);
    /* the MNIST setting is interior */
    ck_assert_int_eq(accountant_rdp_epsilon(Q_MNIST, 1.1, 14063, 1e-5, NULL,
                                            0, &r, &err),
                     0);
    ck_assert(!r.classic.order_at_edge && !r.improved.order_at_edge);
}
END_TEST

START_TEST(default_orders_should_be_opacus_grid)
{
    double o[ACCOUNTANT_DEFAULT_ORDERS_N];
    accountant_default_orders(o);
    ck_assert(fabs(o[0] - 1.1) < 1e-15);
    ck_assert(fabs(o[98] - 10.9) < 1e-14);
    ck_assert(o[99] == 12.0);
    ck_assert(o[ACCOUNTANT_DEFAULT_ORDERS_N - 1] == 63.0);
    ck_assert(o[9] == 2.0); /* 1 + 10/10 exactly: takes the integer sum */
}
END_TEST

/* ---------------------------------------------------------------- PLD */

/* ref_pld.py 0.0042666.. 1.1 1000 1e-5 1e-6: the true epsilon lies in
 * [0.5981851408674196, 0.5991851509770685] (remove direction dominates;
 * add: [0.4921266, 0.4931266]).  Ours must be >= the lower end
 * (pessimistic) and is expected near the middle. */
START_TEST(pld_should_lie_in_independent_sandwich)
{
    double e = pld_eps(Q_MNIST, 1.1, 1000, 1e-5);
    ck_assert_msg(e >= 0.5981851408674196, "%.9g below the true epsilon", e);
    ck_assert_msg(e <= 0.5991851509770685 + 1e-4, "%.9g too loose", e);
}
END_TEST

/* MNIST, sigma 1.1, 14063 steps, delta 1e-5.  ref_pld.py with grid 1e-6:
 * eps in [2.37465821349636, 2.3887216385512104] (add direction:
 * [2.2366193, 2.2506825]).  PLD must beat both RDP conversions. */
#define PLD_MNIST_LO 2.37465821349636
#define PLD_MNIST_HI 2.3887216385512104
START_TEST(pld_should_be_tighter_than_rdp_for_mnist)
{
    double p = pld_eps(Q_MNIST, 1.1, 14063, 1e-5);
    double ri = rdp_improved(Q_MNIST, 1.1, 14063, 1e-5);
    ck_assert_msg(p < ri, "pld %g rdp %g", p, ri);
    ck_assert_msg(p >= PLD_MNIST_LO && p <= PLD_MNIST_HI + 1e-3, "pld %.9g",
                  p);
}
END_TEST

/* Two independent theories agree: the Renyi divergence of the composed
 * PLD's finite part against T times the one-step RDP of Mironov, Talwar,
 * Zhang 2019.  Connect-the-dots spreads mass outwards with E_Q[e^L] fixed,
 * so the PLD value is slightly larger (by ~h^2 / (4 Var L) ~ 7e-5 here). */
START_TEST(pld_renyi_divergence_should_match_rdp)
{
    static const double alphas[] = {1.5, 2.0, 3.0, 4.5, 8.0};
    static const uint64_t ts[] = {1, 100};
    struct error err = {0};
    for (size_t t = 0; t < 2; t++) {
        struct pld *pld = NULL;
        ck_assert_int_eq(pld_new(Q_MNIST, 1.1, ts[t], 0.0, &pld, &err), 0);
        for (size_t i = 0; i < 5; i++) {
            double r;
            ck_assert_int_eq(
                accountant_rdp_step(Q_MNIST, 1.1, alphas[i], &r, &err), 0);
            double want = (double)ts[t] * r, got = pld_renyi(pld, alphas[i]);
            ck_assert_msg(got >= want * (1.0 - 1e-9) &&
                              got <= want * (1.0 + 2e-4),
                          "T %llu alpha %g: pld %.12g rdp %.12g",
                          (unsigned long long)ts[t], alphas[i], got, want);
        }
        pld_free(pld);
    }
}
END_TEST

START_TEST(pld_should_conserve_mass_and_invert_delta)
{
    struct error err = {0};
    struct pld *pld = NULL;
    ck_assert_int_eq(pld_new(0.01, 1.0, 300, 0.0, &pld, &err), 0);
    struct pld_info in;
    pld_get_info(pld, &in);
    assert_close(in.total_mass_remove, 1.0, 1e-9);
    assert_close(in.total_mass_add, 1.0, 1e-9);
    ck_assert(in.steps == 300 && in.discretization == 1e-4);
    static const double deltas[] = {1e-9, 1e-6, 1e-5, 1e-3, 1e-2};
    double prev = INFINITY;
    for (size_t i = 0; i < 5; i++) {
        double e = pld_epsilon_at(pld, deltas[i]);
        ck_assert(e < prev && e > 0.0);
        prev = e;
        assert_rel(pld_delta_at(pld, e), deltas[i], 1e-9);
    }
    /* delta decreasing in eps, 1 - e^eps... bounded by 1 */
    double dprev = 1.0;
    for (double e = 0.0; e < 6.0; e += 0.25) {
        double d = pld_delta_at(pld, e);
        ck_assert(d <= dprev && d >= 0.0);
        dprev = d;
    }
    pld_free(pld);
    pld_free(NULL);
}
END_TEST

START_TEST(pld_should_be_monotone_in_sigma_q_and_steps)
{
    static const double sigmas[] = {0.7, 1.0, 1.5, 3.0};
    static const double qs[] = {0.002, 0.01, 0.05, 0.3};
    static const uint64_t ts[] = {1, 10, 100, 1000};
    double prev = INFINITY;
    for (size_t i = 0; i < 4; i++) {
        double e = pld_eps(0.01, sigmas[i], 200, 1e-5);
        ck_assert_msg(e < prev, "sigma %g: %g", sigmas[i], e);
        prev = e;
    }
    prev = -1.0;
    for (size_t i = 0; i < 4; i++) {
        double e = pld_eps(qs[i], 1.0, 50, 1e-5);
        ck_assert_msg(e > prev, "q %g: %g", qs[i], e);
        prev = e;
    }
    prev = -1.0;
    for (size_t i = 0; i < 4; i++) {
        double e = pld_eps(0.01, 1.0, ts[i], 1e-5);
        ck_assert_msg(e > prev, "steps %llu: %g",
                      (unsigned long long)ts[i], e);
        prev = e;
    }
}
END_TEST

START_TEST(pld_delta_should_match_pld_object)
{
    struct error err = {0};
    double d;
    ck_assert_int_eq(accountant_pld_delta(0.02, 1.2, 100, 1.0, 0.0, &d, &err),
                     0);
    struct pld *pld = NULL;
    ck_assert_int_eq(pld_new(0.02, 1.2, 100, 0.0, &pld, &err), 0);
    ck_assert(d == pld_delta_at(pld, 1.0));
    ck_assert(d > 0.0 && d < 1e-2);
    pld_free(pld);
}
END_TEST

START_TEST(pld_should_reject_too_fine_a_grid)
{
    struct error err = {0};
    struct pld *pld = NULL;
    ck_assert_int_eq(pld_new(1.0, 0.01, 1, 1e-6, &pld, &err), ERR_INPUT);
    ck_assert_ptr_null(pld);
    ck_assert_ptr_nonnull(strstr(err.msg, "discretization"));
}
END_TEST

/* ------------------------------------------------------ noise search */

/* eps(sigma*) <= target < eps(sigma* - tol), for each accountant; the
 * tighter the accountant, the less noise it needs. */
START_TEST(noise_for_epsilon_should_round_trip)
{
    static const enum accountant_kind kinds[] = {
        ACCOUNTANT_RDP_CLASSIC, ACCOUNTANT_RDP, ACCOUNTANT_PLD};
    const double tol = 1e-3, target = 2.0, q = 0.02, d = 1e-5;
    const uint64_t steps = 200;
    struct error err = {0};
    double sig[3];
    for (size_t i = 0; i < 3; i++) {
        double s = 0.0, e_at, e_below;
        int rc = accountant_noise_for_epsilon(q, steps, d, target, kinds[i],
                                              tol, &s, &err);
        ck_assert_msg(rc == 0, "%s", err.msg);
        ck_assert_int_eq(
            accountant_epsilon(kinds[i], q, s, steps, d, &e_at, &err), 0);
        ck_assert_int_eq(accountant_epsilon(kinds[i], q, s - tol, steps, d,
                                            &e_below, &err),
                         0);
        ck_assert_msg(e_at <= target && e_below > target,
                      "%s: sigma %g eps %g, at sigma - tol %g",
                      accountant_kind_name(kinds[i]), s, e_at, e_below);
        sig[i] = s;
    }
    ck_assert_msg(sig[2] < sig[1] && sig[1] < sig[0], "%g %g %g", sig[0],
                  sig[1], sig[2]);
}
END_TEST

/* ----------------------------------------------------------- inputs */

START_TEST(bad_parameters_should_be_input_errors_naming_them)
{
    static const struct {
        double q, sigma;
        uint64_t steps;
        double delta;
        const char *name;
    } t[] = {
        {0.0, 1.0, 10, 1e-5, "sampling rate q"},
        {1.5, 1.0, 10, 1e-5, "sampling rate q"},
        {NAN, 1.0, 10, 1e-5, "sampling rate q"},
        {0.1, 0.0, 10, 1e-5, "noise multiplier"},
        {0.1, -1.0, 10, 1e-5, "noise multiplier"},
        {0.1, INFINITY, 10, 1e-5, "noise multiplier"},
        {0.1, 1.0, 0, 1e-5, "steps"},
        {0.1, 1.0, 10, 0.0, "delta"},
        {0.1, 1.0, 10, 1.0, "delta"},
        {0.1, 1.0, 10, NAN, "delta"},
    };
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        struct error err = {0};
        struct rdp_result r;
        struct pld_result p;
        ck_assert_int_eq(accountant_rdp_epsilon(t[i].q, t[i].sigma,
                                                t[i].steps, t[i].delta, NULL,
                                                0, &r, &err),
                         ERR_INPUT);
        ck_assert_msg(strstr(err.msg, t[i].name), "case %zu: %s", i, err.msg);
        error_clear(&err);
        ck_assert_int_eq(accountant_pld_epsilon(t[i].q, t[i].sigma,
                                                t[i].steps, t[i].delta, 0.0,
                                                &p, &err),
                         ERR_INPUT);
        ck_assert_msg(strstr(err.msg, t[i].name), "case %zu: %s", i, err.msg);
    }
    struct error err = {0};
    struct rdp_result r;
    static const double bad[] = {2.0, 1.0};
    ck_assert_int_eq(
        accountant_rdp_epsilon(0.1, 1.0, 1, 1e-5, bad, 2, &r, &err),
        ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "orders[1]"));
    double s;
    ck_assert_int_eq(accountant_noise_for_epsilon(0.1, 10, 1e-5, -1.0,
                                                  ACCOUNTANT_RDP, 1e-3, &s,
                                                  &err),
                     ERR_INPUT);
    ck_assert_int_eq(
        accountant_pld_epsilon(0.1, 1.0, 10, 1e-5, -1.0, &(struct pld_result){0},
                               &err),
        ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "discretization"));
}
END_TEST

START_TEST(steps_from_epochs_should_round_up)
{
    static const struct { double epochs, q; uint64_t steps; } t[] = {
        {60.0, Q_MNIST, 14063}, /* 14062.5 */
        {1.0, 0.01, 100},       /* 1 / 0.01 = 100.00000000000001 in floats */
        {3.0, 0.01, 300},
        {0.5, 0.1, 5},
        {2.5, 0.3, 9},          /* 8.33 */
        {0.001, 0.5, 1},
    };
    struct error err = {0};
    for (size_t i = 0; i < sizeof t / sizeof t[0]; i++) {
        uint64_t s = 0;
        ck_assert_int_eq(
            accountant_steps_from_epochs(t[i].epochs, t[i].q, &s, &err), 0);
        ck_assert_uint_eq(s, t[i].steps);
    }
    uint64_t s;
    ck_assert_int_eq(accountant_steps_from_epochs(0.0, 0.1, &s, &err),
                     ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "epochs"));
    ck_assert_int_eq(accountant_steps_from_epochs(1.0, 0.0, &s, &err),
                     ERR_INPUT);
}
END_TEST

Suite *accountant_suite(void)
{
    Suite *s = suite_create("accountant");
    TCase *g = tcase_create("gaussian");
    tcase_add_test(g, gaussian_delta_should_match_scipy_table);
    tcase_add_test(g, gaussian_epsilon_should_invert_delta);
    tcase_add_test(g, full_batch_single_step_should_bound_exact_gaussian);
    tcase_add_test(g,
                   full_batch_composition_should_match_gaussian_sigma_over_sqrt_t);
    suite_add_tcase(s, g);

    TCase *r = tcase_create("rdp");
    tcase_add_test(r, rdp_step_should_match_numerical_integration);
    tcase_add_test(r, rdp_step_at_full_batch_should_be_gaussian_rdp);
    tcase_add_test(r, rdp_fractional_orders_should_be_continuous_at_integers);
    tcase_add_test(r, rdp_should_match_tf_privacy_mnist_tutorial);
    tcase_add_test(r, rdp_should_match_reference_for_mnist_sigma_1_1);
    tcase_add_test(r, rdp_should_match_opacus_docs_example);
    tcase_add_test(r, rdp_should_be_monotone_in_sigma_q_and_steps);
    tcase_add_test(r, rdp_improved_conversion_should_not_exceed_classic);
    tcase_add_test(r, epsilon_should_be_clamped_at_zero);
    tcase_add_test(r, rdp_should_flag_an_optimum_at_the_grid_edge);
    tcase_add_test(r, default_orders_should_be_opacus_grid);
    suite_add_tcase(s, r);

    TCase *p = tcase_create("pld");
    tcase_set_timeout(p, 120);
    tcase_add_test(p, pld_should_lie_in_independent_sandwich);
    tcase_add_test(p, pld_should_be_tighter_than_rdp_for_mnist);
    tcase_add_test(p, pld_renyi_divergence_should_match_rdp);
    tcase_add_test(p, pld_should_conserve_mass_and_invert_delta);
    tcase_add_test(p, pld_should_be_monotone_in_sigma_q_and_steps);
    tcase_add_test(p, pld_delta_should_match_pld_object);
    tcase_add_test(p, pld_should_reject_too_fine_a_grid);
    tcase_add_test(p, noise_for_epsilon_should_round_trip);
    suite_add_tcase(s, p);

    TCase *in = tcase_create("inputs");
    tcase_add_test(in, bad_parameters_should_be_input_errors_naming_them);
    tcase_add_test(in, steps_from_epochs_should_round_up);
    suite_add_tcase(s, in);
    return s;
}

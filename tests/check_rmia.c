/*
 * tests/check_rmia.c - RMIA (attacks/rmia.h) and the difficulty-calibrated
 * threshold attacks (attacks/calibrated.h).
 *
 * Reference values: RMIA on two 4-example matrices worked out by hand (the
 * stats are 0 and +-log 3, so p_y is 1/2, 3/4 or 1/4 and every ratio is a
 * small fraction, derivations next to the tables); a brute-force O(n |Z|)
 * evaluation of the paper's definition on random matrices with ties; log
 * ratios recomputed directly in double.  Calibrated scores from
 *   /usr/bin/python3 -c "import numpy as np
 *   from scipy.special import log_expit, expit
 *   T = np.array([2., -1., 0.])
 *   R = np.array([[1., 0., 3.], [-2., 5., 1.], [1., 1., 1.]])
 *   I = np.array([[0, 0, 1], [0, 1, 1], [1, 1, 1]], bool)
 *   for f in (log_expit, expit, lambda v: v):
 *       s = f(R); g = s[~I].mean()
 *       print([f(T[i]) - (s[i][~I[i]].mean() if (~I[i]).any() else g)
 *              for i in range(3)], [f(T[i]) - g for i in range(3)], g)"
 * on the 3-example matrix of calibrated_should_match_scipy_reference.
 */
#include "attacks/rmia.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attacks/calibrated.h"
#include "attacks/metrics.h"
#include "core/rng.h"

#define TOL_HAND 1e-7  /* float32 log 3 perturbs p_y by ~1e-8 relative */
#define TOL_LLR 1e-12  /* log-domain vs direct double evaluation */
#define TOL_REF 1e-14  /* vs SciPy */

static void matrix_from(struct score_matrix *m, size_t n, size_t k,
                        const float *stat, const uint8_t *in)
{
    struct error err;
    ck_assert_int_eq(score_matrix_init(m, n, k, &err), ERR_OK);
    memcpy(m->stat, stat, n * k * sizeof *stat);
    memcpy(m->in, in, n * k);
}

static void scores_ok(const struct score_matrix *m, size_t target,
                      const struct rmia_params *p, double *sc,
                      struct rmia_info *info)
{
    struct error err;
    error_clear(&err);
    int rc = rmia_scores(m, target, NULL, p, sc, info, &err);
    ck_assert_msg(rc == ERR_OK, "rmia_scores: %s", err.msg);
}

/* ---- hand-computed cases ------------------------------------------------ */

START_TEST(online_hand_case_should_give_listed_fractions)
{
    /* Columns: target, r1, r2.  p_y:  x0 .75 | .5 .5   -> LR 1.5
     *                                 x1 .5  | .75 .25 -> LR 1
     *                                 x2 .25 | .5 .5   -> LR 0.5
     *                                 x3 .5  | .25 .25 -> LR 2
     * Population = all four rows; each row is compared with the other
     * three.  gamma = 1: fraction with LR(z) <= LR(x):
     *   x0 {1, .5} of {1, .5, 2} = 2/3, x1 {.5} = 1/3, x2 0, x3 3/3.
     * gamma = 1.4: LR(z) <= LR(x)/1.4 = 1.07, .71, .36, 1.43:
     *   2/3, 1/3, 0, 2/3.  gamma = 0.6: <= 2.5, 1.67, .83, 3.33:
     *   1, 2/3, 0, 1. */
    float l3 = (float)log(3.0);
    const float st[4][3] = {{l3, 0, 0}, {0, l3, -l3}, {-l3, 0, 0},
                            {0, -l3, -l3}};
    const uint8_t in[4][3] = {{0}};
    struct score_matrix m;
    matrix_from(&m, 4, 3, &st[0][0], &in[0][0]);
    static const size_t pop[4] = {0, 1, 2, 3};
    struct rmia_params p;
    rmia_params_default(&p);
    p.mode = RMIA_ONLINE;
    p.population = pop;
    p.n_population = 4;

    double llr[4];
    struct error err;
    ck_assert_int_eq(rmia_log_ratios(&m, 0, NULL, &p, llr, NULL, &err),
                     ERR_OK);
    const double want_lr[4] = {1.5, 1.0, 0.5, 2.0};
    for (size_t i = 0; i < 4; i++)
        ck_assert_double_eq_tol(exp(llr[i]), want_lr[i], TOL_HAND);

    static const struct {
        double gamma;
        double want[4];
    } cases[] = {{1.0, {2.0 / 3, 1.0 / 3, 0, 1}},
                 {1.4, {2.0 / 3, 1.0 / 3, 0, 2.0 / 3}},
                 {0.6, {1, 2.0 / 3, 0, 1}}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        p.gamma = cases[c].gamma;
        double sc[4];
        struct rmia_info info;
        scores_ok(&m, 0, &p, sc, &info);
        ck_assert_uint_eq(info.n_population, 4);
        ck_assert_uint_eq(info.n_refs, 2);
        for (size_t i = 0; i < 4; i++)
            ck_assert_msg(sc[i] == cases[c].want[i],
                          "gamma %g row %zu: got %.17g, want %.17g",
                          cases[c].gamma, i, sc[i], cases[c].want[i]);
    }
    score_matrix_release(&m);
}
END_TEST

START_TEST(offline_hand_case_should_use_interpolated_out_mean)
{
    /* a = 0.5, Pr(x) = (1.5 Pr_OUT + 0.5) / 2.  x1's r1 is IN (ignored
     * offline); x0 is IN for the target, so Z = {x1, x2, x3}.
     *   x0 .75 | .5 .5      Pr_OUT .5   Pr .625    LR 1.2
     *   x1 .5  | (.75) .25  Pr_OUT .25  Pr .4375   LR 8/7 = 1.142857
     *   x2 .25 | .5 .5      Pr_OUT .5   Pr .625    LR 0.4
     *   x3 .5  | .25 .5     Pr_OUT .375 Pr .53125  LR 16/17 = 0.941176
     * gamma = 1: x0 (not in Z) 3/3; x1 vs {.4, .94} 2/2; x2 vs
     * {1.14, .94} 0/2; x3 vs {1.14, .4} 1/2.
     * a = 1 (no correction): LR = 1.5, 2, 0.5, 4/3. */
    float l3 = (float)log(3.0);
    const float st[4][3] = {{l3, 0, 0}, {0, l3, -l3}, {-l3, 0, 0},
                            {0, -l3, 0}};
    const uint8_t in[4][3] = {{1, 0, 0}, {0, 1, 0}, {0, 0, 0}, {0, 0, 0}};
    struct score_matrix m;
    matrix_from(&m, 4, 3, &st[0][0], &in[0][0]);
    struct rmia_params p;
    rmia_params_default(&p);
    p.a = 0.5;
    double llr[4], sc[4];
    struct rmia_info info;
    struct error err;
    ck_assert_int_eq(rmia_log_ratios(&m, 0, NULL, &p, llr, &info, &err),
                     ERR_OK);
    const double want_lr[4] = {1.2, 8.0 / 7, 0.4, 16.0 / 17};
    for (size_t i = 0; i < 4; i++)
        ck_assert_double_eq_tol(exp(llr[i]), want_lr[i], TOL_HAND);
    ck_assert_uint_eq(info.n_fallback, 0);
    scores_ok(&m, 0, &p, sc, &info);
    ck_assert_uint_eq(info.n_population, 3);
    const double want[4] = {1, 1, 0, 0.5};
    for (size_t i = 0; i < 4; i++)
        ck_assert_double_eq(sc[i], want[i]);

    p.a = 1.0;
    ck_assert_int_eq(rmia_log_ratios(&m, 0, NULL, &p, llr, NULL, &err),
                     ERR_OK);
    const double want_a1[4] = {1.5, 2.0, 0.5, 4.0 / 3};
    for (size_t i = 0; i < 4; i++)
        ck_assert_double_eq_tol(exp(llr[i]), want_a1[i], TOL_HAND);
    score_matrix_release(&m);
}
END_TEST

START_TEST(offline_row_without_out_reference_should_use_online_mean)
{
    float l3 = (float)log(3.0);
    const float st[3][3] = {{0, l3, -l3}, {0, 0, 0}, {0, 0, 0}};
    const uint8_t in[3][3] = {{0, 1, 1}, {0, 0, 1}, {0, 0, 0}};
    struct score_matrix m;
    matrix_from(&m, 3, 3, &st[0][0], &in[0][0]);
    struct rmia_params p;
    rmia_params_default(&p);
    double llr[3];
    struct rmia_info info;
    struct error err;
    ck_assert_int_eq(rmia_log_ratios(&m, 0, NULL, &p, llr, &info, &err),
                     ERR_OK);
    ck_assert_uint_eq(info.n_fallback, 1);
    /* .5 / mean(.75, .25) */
    ck_assert_double_eq_tol(exp(llr[0]), 1.0, TOL_HAND);
    score_matrix_release(&m);
}
END_TEST

/* ---- definition and properties ------------------------------------------ */

static void random_matrix(struct score_matrix *m, size_t n, size_t k,
                          uint64_t seed)
{
    struct error err;
    ck_assert_int_eq(score_matrix_init(m, n, k, &err), ERR_OK);
    struct rng r;
    rng_seed(&r, seed);
    for (size_t c = 0; c < n * k; c++) {
        m->stat[c] = (float)(2.0 * rng_normal(&r));
        m->in[c] = rng_uniform(&r) < 0.5;
    }
}

START_TEST(log_ratios_should_match_direct_evaluation)
{
    struct score_matrix m;
    random_matrix(&m, 200, 9, 3);
    static const struct {
        enum rmia_mode mode;
        double a;
    } cases[] = {{RMIA_ONLINE, 0}, {RMIA_OFFLINE, 0.3}, {RMIA_OFFLINE, 0},
                 {RMIA_OFFLINE, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct rmia_params p;
        rmia_params_default(&p);
        p.mode = cases[c].mode;
        p.a = cases[c].a;
        double llr[200];
        struct error err;
        ck_assert_int_eq(rmia_log_ratios(&m, 4, NULL, &p, llr, NULL, &err),
                         ERR_OK);
        for (size_t i = 0; i < 200; i++) {
            double all = 0, out = 0;
            size_t n_all = 0, n_out = 0;
            for (size_t j = 0; j < 9; j++) {
                if (j == 4)
                    continue;
                double py = 1.0 / (1.0 + exp(-(double)m.stat[i * 9 + j]));
                all += py;
                n_all++;
                if (!m.in[i * 9 + j]) {
                    out += py;
                    n_out++;
                }
            }
            double pr = all / (double)n_all;
            if (p.mode == RMIA_OFFLINE && n_out)
                pr = ((1 + p.a) * out / (double)n_out + (1 - p.a)) / 2;
            double pt = 1.0 / (1.0 + exp(-(double)m.stat[i * 9 + 4]));
            double want = log(pt / pr);
            ck_assert_msg(fabs(llr[i] - want) <= TOL_LLR * fmax(1, fabs(want)),
                          "case %zu row %zu: %.17g vs %.17g", c, i, llr[i],
                          want);
        }
    }
    score_matrix_release(&m);
}
END_TEST

/* The paper's Score_MIA by definition: over z in Z, z != x, the fraction
 * with LR(x) / LR(z) >= gamma (ratios of exponentiated log ratios). */
static void brute_scores(const double *llr, size_t n, const uint8_t *is_pop,
                         double gamma, double *out)
{
    for (size_t i = 0; i < n; i++) {
        size_t c = 0, d = 0;
        for (size_t z = 0; z < n; z++) {
            if (!is_pop[z] || z == i)
                continue;
            d++;
            c += exp(llr[i]) / exp(llr[z]) >= gamma;
        }
        out[i] = (double)c / (double)d;
    }
}

START_TEST(scores_should_equal_brute_force_definition_with_ties)
{
    enum { N = 300, K = 9 };
    struct score_matrix m;
    random_matrix(&m, N, K, 17);
    /* Exact ties: rows 5..9 copy row 4 (target OUT in all of them). */
    m.in[4 * K + 0] = 0;
    for (size_t i = 5; i < 10; i++) {
        memcpy(m.stat + i * K, m.stat + 4 * K, K * sizeof(float));
        memcpy(m.in + i * K, m.in + 4 * K, K);
    }
    size_t pop[N];
    size_t np = 0;
    for (size_t i = 0; i < N; i += 3)
        pop[np++] = i; /* mixes target members and non-members */
    static const double gammas[] = {1.0, 0.5, 2.0, 1.1};
    for (int use_pop = 0; use_pop < 2; use_pop++)
        for (int online = 0; online < 2; online++)
            for (size_t g = 0; g < sizeof gammas / sizeof gammas[0]; g++) {
                struct rmia_params p;
                rmia_params_default(&p);
                p.mode = online ? RMIA_ONLINE : RMIA_OFFLINE;
                p.gamma = gammas[g];
                if (use_pop) {
                    p.population = pop;
                    p.n_population = np;
                }
                uint8_t is_pop[N];
                for (size_t i = 0; i < N; i++)
                    is_pop[i] = use_pop ? i % 3 == 0 : !m.in[i * K];
                double llr[N], sc[N], want[N];
                struct error err;
                ck_assert_int_eq(
                    rmia_log_ratios(&m, 0, NULL, &p, llr, NULL, &err), ERR_OK);
                scores_ok(&m, 0, &p, sc, NULL);
                brute_scores(llr, N, is_pop, p.gamma, want);
                size_t bad = N;
                for (size_t i = 0; i < N && bad == N; i++)
                    if (sc[i] != want[i])
                        bad = i;
                ck_assert_msg(bad == N,
                              "pop %d online %d gamma %g row %zu: %.17g vs "
                              "%.17g",
                              use_pop, online, p.gamma, bad, sc[bad],
                              want[bad]);
                /* The tied rows (all in the default population) get equal
                 * scores. */
                for (size_t i = 5; i < 10 && !use_pop; i++)
                    ck_assert_double_eq(sc[i], sc[4]);
            }
    score_matrix_release(&m);
}
END_TEST

/* Gaussian phi as in check_lira.c: mu_i ~ N(0, 4), +d when IN. */
static void gaussian(struct score_matrix *m, size_t n, size_t k, double d,
                     uint64_t seed)
{
    struct error err;
    ck_assert_int_eq(score_matrix_init(m, n, k, &err), ERR_OK);
    struct rng r;
    rng_seed(&r, seed);
    for (size_t i = 0; i < n; i++) {
        double mu = 2.0 * rng_normal(&r);
        for (size_t j = 0; j < k; j++) {
            uint8_t b = rng_uniform(&r) < 0.5;
            m->in[i * k + j] = b;
            m->stat[i * k + j] = (float)(mu + d * b + rng_normal(&r));
        }
    }
}

START_TEST(members_should_score_higher)
{
    enum { N = 4000, K = 17 };
    struct score_matrix m;
    gaussian(&m, N, K, 1.5, 8);
    static const enum rmia_mode modes[] = {RMIA_OFFLINE, RMIA_ONLINE};
    for (size_t c = 0; c < 2; c++) {
        struct rmia_params p;
        rmia_params_default(&p);
        p.mode = modes[c];
        double *sc = malloc(N * sizeof *sc);
        uint8_t *truth = malloc(N);
        ck_assert_ptr_nonnull(sc);
        ck_assert_ptr_nonnull(truth);
        scores_ok(&m, 0, &p, sc, NULL);
        double s_in = 0, s_out = 0;
        size_t n_in = 0;
        for (size_t i = 0; i < N; i++) {
            truth[i] = m.in[i * K];
            ck_assert(sc[i] >= 0 && sc[i] <= 1);
            if (truth[i]) {
                s_in += sc[i];
                n_in++;
            } else {
                s_out += sc[i];
            }
        }
        ck_assert_double_gt(s_in / (double)n_in,
                            s_out / (double)(N - n_in) + 0.2);
        struct roc roc;
        struct error err;
        ck_assert_int_eq(roc_build(&roc, sc, truth, N, &err), ERR_OK);
        ck_assert_double_gt(roc_auc(&roc), 0.75);
        roc_release(&roc);
        free(sc);
        free(truth);
    }
    score_matrix_release(&m);
}
END_TEST

START_TEST(score_should_rise_with_target_and_fall_with_reference_confidence)
{
    enum { N = 200, K = 9 };
    struct score_matrix m;
    gaussian(&m, N, K, 1.0, 21);
    static const size_t rows[] = {3, 50}; /* one OUT, one IN for target */
    m.in[3 * K] = 0;
    m.in[50 * K] = 1;
    static const enum rmia_mode modes[] = {RMIA_OFFLINE, RMIA_ONLINE};
    for (size_t c = 0; c < 2; c++)
        for (size_t q = 0; q < 2; q++) {
            size_t r = rows[q];
            struct rmia_params p;
            rmia_params_default(&p);
            p.mode = modes[c];
            double sc[N], prev = -1, first = -1;
            for (double v = -6; v <= 6; v += 0.5) {
                m.stat[r * K] = (float)v;
                scores_ok(&m, 0, &p, sc, NULL);
                ck_assert_msg(sc[r] >= prev, "mode %zu row %zu phi %g", c, r,
                              v);
                prev = sc[r];
                if (first < 0)
                    first = prev;
            }
            ck_assert_double_gt(prev, first + 0.5);
            m.stat[r * K] = 0.0f;
            prev = 2;
            for (double v = -6; v <= 6; v += 0.5) {
                for (size_t j = 1; j < K; j++)
                    m.stat[r * K + j] = (float)v;
                scores_ok(&m, 0, &p, sc, NULL);
                ck_assert_msg(sc[r] <= prev, "mode %zu row %zu ref phi %g", c,
                              r, v);
                prev = sc[r];
            }
        }
    score_matrix_release(&m);
}
END_TEST

START_TEST(extreme_confidences_should_give_finite_ratios)
{
    enum { N = 6, K = 4 };
    const float st[N][K] = {{690, -690, -690, -690}, {-690, 690, 690, 690},
                            {690, 690, 690, 690},    {-690, -690, -690, -690},
                            {0, 690, -690, 0},       {30, 29, 31, 30}};
    const uint8_t in[N][K] = {{1, 0, 1, 0}, {0, 1, 0, 0}, {1, 0, 0, 1},
                              {0, 0, 1, 0}, {0, 0, 0, 0}, {0, 1, 0, 1}};
    struct score_matrix m;
    matrix_from(&m, N, K, &st[0][0], &in[0][0]);
    for (int online = 0; online < 2; online++)
        for (double a = 0; a <= 1.0; a += 0.5) {
            struct rmia_params p;
            rmia_params_default(&p);
            p.mode = online ? RMIA_ONLINE : RMIA_OFFLINE;
            p.a = a;
            double llr[N], sc[N];
            struct error err;
            ck_assert_int_eq(rmia_log_ratios(&m, 0, NULL, &p, llr, NULL, &err),
                             ERR_OK);
            for (size_t i = 0; i < N; i++)
                ck_assert_msg(isfinite(llr[i]), "row %zu a %g: %g", i, a,
                              llr[i]);
            /* Row 0 (target sure, refs sure-wrong) beats row 1. */
            ck_assert_double_gt(llr[0], llr[1]);
            scores_ok(&m, 0, &p, sc, NULL);
            for (size_t i = 0; i < N; i++)
                ck_assert(sc[i] >= 0 && sc[i] <= 1);
        }
    score_matrix_release(&m);
}
END_TEST

START_TEST(bad_parameters_should_be_input_errors)
{
    struct score_matrix m;
    random_matrix(&m, 10, 3, 4);
    for (size_t i = 0; i < 10; i++)
        m.in[i * 3] = i < 5;
    double sc[10];
    struct error err;
    static const struct {
        double a, gamma;
        const char *what;
    } bad[] = {{-0.1, 1, "'a'"}, {1.5, 1, "'a'"}, {NAN, 1, "'a'"},
               {0.3, 0, "'gamma'"}, {0.3, -1, "'gamma'"},
               {0.3, INFINITY, "'gamma'"}, {0.3, NAN, "'gamma'"}};
    for (size_t c = 0; c < sizeof bad / sizeof bad[0]; c++) {
        struct rmia_params p;
        rmia_params_default(&p);
        p.a = bad[c].a;
        p.gamma = bad[c].gamma;
        ck_assert_int_eq(rmia_scores(&m, 0, NULL, &p, sc, NULL, &err),
                         ERR_INPUT);
        ck_assert_ptr_nonnull(strstr(err.msg, bad[c].what));
    }
    struct rmia_params p;
    rmia_params_default(&p);
    const size_t out_of_range[2] = {1, 10}, twice[3] = {1, 2, 1},
                 single[1] = {3};
    p.population = out_of_range;
    p.n_population = 2;
    ck_assert_int_eq(rmia_scores(&m, 0, NULL, &p, sc, NULL, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "row 10 out of range"));
    p.population = twice;
    p.n_population = 3;
    ck_assert_int_eq(rmia_scores(&m, 0, NULL, &p, sc, NULL, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "listed twice"));
    p.population = single;
    p.n_population = 1;
    ck_assert_int_eq(rmia_scores(&m, 0, NULL, &p, sc, NULL, &err), ERR_INPUT);
    /* Default population with only one OUT row. */
    p.population = NULL;
    for (size_t i = 0; i < 10; i++)
        m.in[i * 3] = i != 7;
    ck_assert_int_eq(rmia_scores(&m, 0, NULL, &p, sc, NULL, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "at least 2 population rows"));
    m.stat[4] = NAN; /* example 1, column 1 */
    m.in[7 * 3] = 0;
    m.in[8 * 3] = 0;
    ck_assert_int_eq(rmia_scores(&m, 0, NULL, &p, sc, NULL, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "example 1 in column 1"));
    score_matrix_release(&m);
}
END_TEST

START_TEST(variant_names_should_carry_a_and_gamma)
{
    struct rmia_params p;
    rmia_params_default(&p);
    char buf[RMIA_VARIANT_MAX];
    rmia_variant(&p, buf, sizeof buf);
    ck_assert_str_eq(buf, "rmia-offline/a=0.3/gamma=1");
    p.a = 0.33;
    p.gamma = 2;
    rmia_variant(&p, buf, sizeof buf);
    ck_assert_str_eq(buf, "rmia-offline/a=0.33/gamma=2");
    p.mode = RMIA_ONLINE;
    rmia_variant(&p, buf, sizeof buf);
    ck_assert_str_eq(buf, "rmia-online/gamma=2");
}
END_TEST

/* ---- calibrated --------------------------------------------------------- */

START_TEST(calibrated_should_match_scipy_reference)
{
    /* target phi 2, -1, 0; references (IN marked *): row 0: 1, 0, 3*;
     * row 1: -2, 5*, 1*; row 2: 1*, 1*, 1* (no OUT: global mean). */
    const float st[3][4] = {{2, 1, 0, 3}, {-1, -2, 5, 1}, {0, 1, 1, 1}};
    const uint8_t in[3][4] = {{0, 0, 0, 1}, {1, 0, 1, 1}, {0, 1, 1, 1}};
    struct score_matrix m;
    matrix_from(&m, 3, 4, &st[0][0], &in[0][0]);
    static const struct {
        struct calibrated_params p;
        const char *name;
        double gmean;
        double want[3];
    } cases[] = {
        {{CALIBRATED_LOSS, CALIBRATED_PER_EXAMPLE},
         "calibrated-loss/per-example",
         -1.0444456263737136,
         {0.37627642299611164, 0.8136663235247499, 0.35129844581376835}},
        {{CALIBRATED_LOSS, CALIBRATED_GLOBAL},
         "calibrated-loss/global",
         -1.0444456263737136,
         {0.9175176153307412, -0.2688160611445092, 0.35129844581376835}},
        {{CALIBRATED_CONFIDENCE, CALIBRATED_PER_EXAMPLE},
         "calibrated-confidence/per-example",
         0.45008716688404077,
         {0.2652677886628799, 0.14973849934787756, 0.04991283311595923}},
        {{CALIBRATED_CONFIDENCE, CALIBRATED_GLOBAL},
         "calibrated-confidence/global",
         0.45008716688404077,
         {0.43070991109384155, -0.18114574551404566, 0.04991283311595923}},
        {{CALIBRATED_LOGIT, CALIBRATED_PER_EXAMPLE},
         "calibrated-logit/per-example",
         -1.0 / 3,
         {1.5, 1.0, 1.0 / 3}},
        {{CALIBRATED_LOGIT, CALIBRATED_GLOBAL},
         "calibrated-logit/global",
         -1.0 / 3,
         {7.0 / 3, -2.0 / 3, 1.0 / 3}},
        {{CALIBRATED_STAT, CALIBRATED_GLOBAL},
         "calibrated-stat/global",
         -1.0 / 3,
         {7.0 / 3, -2.0 / 3, 1.0 / 3}},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double sc[3];
        struct calibrated_info info;
        struct error err;
        error_clear(&err);
        int rc = calibrated_scores(&m, 0, NULL, &cases[c].p, sc, &info, &err);
        ck_assert_msg(rc == ERR_OK, "%s", err.msg);
        ck_assert_str_eq(calibrated_variant(&cases[c].p), cases[c].name);
        ck_assert_double_eq_tol(info.global_mean, cases[c].gmean, TOL_REF);
        ck_assert_uint_eq(info.n_fallback,
                          cases[c].p.reference == CALIBRATED_PER_EXAMPLE);
        for (size_t i = 0; i < 3; i++)
            ck_assert_msg(fabs(sc[i] - cases[c].want[i]) <= TOL_REF,
                          "%s row %zu: %.17g vs %.17g", cases[c].name, i,
                          sc[i], cases[c].want[i]);
    }
    struct calibrated_params d;
    calibrated_params_default(&d);
    ck_assert_str_eq(calibrated_variant(&d), "calibrated-loss/per-example");
    score_matrix_release(&m);
}
END_TEST

START_TEST(calibrated_without_out_values_should_be_input_error)
{
    const float st[2][3] = {{0, 1, 2}, {1, NAN, 3}};
    const uint8_t in[2][3] = {{0, 1, 1}, {0, 1, 1}};
    struct score_matrix m;
    matrix_from(&m, 2, 3, &st[0][0], &in[0][0]);
    struct calibrated_params p;
    calibrated_params_default(&p);
    double sc[2];
    struct error err;
    ck_assert_int_eq(calibrated_scores(&m, 0, NULL, &p, sc, NULL, &err),
                     ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "example 1 in column 1"));
    m.stat[4] = 2;
    ck_assert_int_eq(calibrated_scores(&m, 0, NULL, &p, sc, NULL, &err),
                     ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "no OUT value"));
    score_matrix_release(&m);
}
END_TEST

Suite *rmia_suite(void)
{
    Suite *s = suite_create("rmia");
    TCase *tc = tcase_create("rmia");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, online_hand_case_should_give_listed_fractions);
    tcase_add_test(tc, offline_hand_case_should_use_interpolated_out_mean);
    tcase_add_test(tc, offline_row_without_out_reference_should_use_online_mean);
    tcase_add_test(tc, log_ratios_should_match_direct_evaluation);
    tcase_add_test(tc, scores_should_equal_brute_force_definition_with_ties);
    tcase_add_test(tc, members_should_score_higher);
    tcase_add_test(tc,
                   score_should_rise_with_target_and_fall_with_reference_confidence);
    tcase_add_test(tc, extreme_confidences_should_give_finite_ratios);
    tcase_add_test(tc, bad_parameters_should_be_input_errors);
    tcase_add_test(tc, variant_names_should_carry_a_and_gamma);
    suite_add_tcase(s, tc);
    TCase *cal = tcase_create("calibrated");
    tcase_add_test(cal, calibrated_should_match_scipy_reference);
    tcase_add_test(cal, calibrated_without_out_values_should_be_input_error);
    suite_add_tcase(s, cal);
    return s;
}

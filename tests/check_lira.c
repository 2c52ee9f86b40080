/*
 * tests/check_lira.c - LiRA (attacks/lira.h), the calibrated-threshold
 * equivalences that pin it down, and leave-one-out evaluation
 * (attacks/mia.h).
 *
 * The Gaussian setting: n = 20000 pool examples with per-example means
 * mu_i ~ N(0, 2^2); phi[i][j] = mu_i + d * in[i][j] + s * N(0, 1), d = 1.5,
 * s = 1, exactly.  Column 0 is the target (each example IN with
 * probability 1/2), columns 1..256 are shadows in a balanced design (each
 * example IN for exactly 128 of them, a random half).  The Neyman-Pearson
 * test of N(mu_i + d, s^2) against N(mu_i, s^2) thresholds phi - mu_i for
 * every example alike, so its ROC is TPR(FPR) = Phi(Phi^-1(FPR) + d/s) and
 * AUC = Phi(d / (s sqrt 2)).  SciPy values (norm.cdf(norm.ppf(f) + 1.5) for
 * f = 0.01, 0.1 and norm.cdf(1.5 / sqrt(2))) are the constants below.
 *
 * Tolerances.  Sampling: with P ~ N ~ 10^4 the standard error of the
 * empirical TPR at a fixed FPR f is about
 *   sqrt(TPR(1-TPR)/P + (dTPR/dFPR)^2 f(1-f)/N)
 * (binomial error of the members, plus the threshold's error through the
 * ROC slope phi(Phi^-1(TPR)) / phi(Phi^-1(f))): 0.0113 at 1%, 0.0083 at
 * 10%; the AUC's (Hanley-McNeil) is 0.0027.  Each check allows 4 standard
 * errors (two-sided miss probability ~6e-5 for sampling alone) and must
 * also absorb the loss from estimating the Gaussians from finitely many
 * shadows.  That loss is real: a 10-replicate Monte Carlo of this setting
 * (10 seeds, this code) gave TPR@1% = 0.158 for per-example variance
 * with 64 shadows (NP: 0.204, 4 SE below), 0.190 with 256 shadows, and
 * 0.187 / 0.197 for online / offline global variance with 64 shadows.  So
 * per-example variance is checked with all 256 shadows, global variance
 * with 64 (the paper's advice: fixed variance when shadows are few).
 * Offline LiRA with global variance is exactly Gaussian even with finite
 * shadows: z is (phi - mean of 32 OUT values) / a constant, which is
 * N(d, 1 + 1/32) for members and N(0, 1 + 1/32) for non-members, so its
 * ROC is Phi(Phi^-1(FPR) + d / sqrt(1 + 1/32)) with no estimation loss
 * beyond sampling.
 *
 * Small exact cases: reference scores from an independent NumPy / SciPy
 * implementation of the same formulas (Debian python3-scipy), run as
 * /usr/bin/python3 with S, I the small_stat / small_in tables below:
 *
 *   import numpy as np; from scipy.stats import norm
 *   R, M = S[:, 1:], I[:, 1:].astype(bool); n = len(S); x = S[:, 0]
 *   g = lambda i, m: R[i][m]
 *   mi = [g(i, M[i]).mean() if M[i].any() else np.nan for i in range(n)]
 *   mo = [g(i, ~M[i]).mean() for i in range(n)]
 *   ss = lambda v: ((v - v.mean()) ** 2).sum()
 *   gvi = (sum(ss(g(i, M[i])) for i in range(n) if M[i].sum() >= 2)
 *          / sum(M[i].sum() - 1 for i in range(n) if M[i].sum() >= 2))
 *   gvo = (same with ~M)
 *   delta = np.mean([mi[i] - mo[i] for i in range(n) if M[i].any()])
 *   per example i: mu_in = mi[i] or mo[i] + delta; v_in = gvi if global
 *     or M[i].sum() < 2 else g(i, M[i]).var(ddof=1); likewise v_out;
 *     online = norm.logpdf(x, mu_in, sqrt(v_in)) - norm.logpdf(x, mu_out,
 *     sqrt(v_out)); z = (x - mu_out) / sqrt(v_out); offline = -norm.logsf(z),
 *     norm.logcdf(z), -norm.logpdf(x, mu_out, sqrt(v_out)).
 */
#include "attacks/lira.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attacks/calibrated.h"
#include "attacks/metrics.h"
#include "attacks/mia.h"
#include "core/rng.h"
#include "core/specfun.h"

#define G_N 20000
#define G_SHADOWS 256
#define G_D 1.5
#define G_MU_SD 2.0

/* NP ROC at d/s = 1.5 (SciPy, see above). */
#define NP_TPR_1PCT 0.2043033917595658
#define NP_TPR_10PCT 0.5864601343061464
#define NP_AUC 0.8555778168267576
/* Global threshold on phi: members N(d, 1 + 4) vs N(0, 5):
 * norm.cdf(norm.ppf(f) + 1.5 / sqrt(5)), norm.cdf(1.5 / sqrt(10)). */
#define GLOBAL_TPR_1PCT 0.04890877338403081
#define GLOBAL_TPR_10PCT 0.27068878280565967
#define GLOBAL_AUC 0.6823718520013758

#define TOL_TPR_1PCT (4 * 0.0113)
#define TOL_TPR_10PCT (4 * 0.0083)
#define TOL_AUC (4 * 0.0027)
#define TOL_GLOBAL_TPR_1PCT (4 * 0.0043) /* same formula at TPR 0.049 */
#define TOL_REF 1e-12 /* vs SciPy on exact small inputs */
#define TOL_TQ 1e-12  /* betainc_inv: ~1e-14 relative, 6e-13 at df = 1e6 */

static struct score_matrix gauss;

static void gen_gaussian(struct score_matrix *m, size_t n, size_t shadows,
                         int with_target, double d, double mu_sd,
                         uint64_t seed)
{
    struct error err;
    size_t off = with_target ? 1 : 0, k = shadows + off;
    ck_assert_int_eq(score_matrix_init(m, n, k, &err), ERR_OK);
    struct rng r;
    rng_seed(&r, seed);
    size_t *perm = malloc(shadows * sizeof *perm);
    ck_assert_ptr_nonnull(perm);
    for (size_t i = 0; i < n; i++) {
        double mu = mu_sd * rng_normal(&r);
        uint8_t *in = m->in + i * k;
        rng_permutation(&r, perm, shadows);
        if (with_target)
            in[0] = rng_uniform(&r) < 0.5;
        for (size_t q = 0; q < shadows / 2; q++)
            in[off + perm[q]] = 1;
        for (size_t j = 0; j < k; j++)
            m->stat[i * k + j] = (float)(mu + d * in[j] + rng_normal(&r));
    }
    free(perm);
}

static void gauss_setup(void)
{
    gen_gaussian(&gauss, G_N, G_SHADOWS, 1, G_D, G_MU_SD, 20220522);
}

static void gauss_teardown(void)
{
    score_matrix_release(&gauss);
}

/* Mask selecting shadows 1..n_shadows of the Gaussian matrix. */
static uint8_t *first_shadows(size_t n_shadows)
{
    uint8_t *mask = calloc(gauss.n_models, 1);
    ck_assert_ptr_nonnull(mask);
    for (size_t j = 1; j <= n_shadows; j++)
        mask[j] = 1;
    return mask;
}

/* Scores of `a` on the Gaussian target, and their metrics. */
static struct mia_metrics eval_gauss(const struct mia_attack *a,
                                     const uint8_t *mask)
{
    struct error err;
    error_clear(&err);
    double *sc = malloc(G_N * sizeof *sc);
    uint8_t *truth = malloc(G_N);
    ck_assert_ptr_nonnull(sc);
    ck_assert_ptr_nonnull(truth);
    int rc = mia_scores(a, &gauss, 0, mask, sc, &err);
    ck_assert_msg(rc == ERR_OK, "scores: %s", err.msg);
    size_t bad = 0;
    for (size_t i = 0; i < G_N; i++) {
        bad += !isfinite(sc[i]);
        truth[i] = gauss.in[i * gauss.n_models];
    }
    ck_assert_uint_eq(bad, 0);
    struct mia_metrics mm;
    ck_assert_int_eq(mia_metrics_compute(sc, truth, G_N, &mm, &err), ERR_OK);
    free(sc);
    free(truth);
    return mm;
}

static struct mia_attack lira_attack(enum lira_mode mode,
                                     enum lira_variance var,
                                     enum lira_offline_score os)
{
    struct mia_attack a;
    memset(&a, 0, sizeof a);
    a.kind = MIA_LIRA;
    a.lira.mode = mode;
    a.lira.variance = var;
    a.lira.offline_score = os;
    return a;
}

static void assert_close(const char *what, double got, double want,
                         double tol)
{
    ck_assert_msg(fabs(got - want) <= tol, "%s: got %.5f, want %.5f +- %.4f",
                  what, got, want, tol);
}

static void assert_roc_matches(const struct mia_metrics *mm, double tpr1,
                               double tpr10, double auc)
{
    /* tpr[2] is FPR 1%, tpr[3] is 10% (mia_fpr_grid). */
    assert_close("TPR at 1% FPR", mm->tpr[2].tpr, tpr1, TOL_TPR_1PCT);
    assert_close("TPR at 10% FPR", mm->tpr[3].tpr, tpr10, TOL_TPR_10PCT);
    assert_close("AUC", mm->auc, auc, TOL_AUC);
}

/* ---- Gaussian setting ------------------------------------------------- */

START_TEST(online_per_example_variance_should_match_neyman_pearson_roc)
{
    struct mia_attack a = lira_attack(LIRA_ONLINE, LIRA_VAR_PER_EXAMPLE, 0);
    struct mia_metrics mm = eval_gauss(&a, NULL); /* all 256 shadows */
    assert_roc_matches(&mm, NP_TPR_1PCT, NP_TPR_10PCT, NP_AUC);
}
END_TEST

START_TEST(online_global_variance_should_match_neyman_pearson_roc_at_64)
{
    uint8_t *mask = first_shadows(64);
    struct mia_attack a = lira_attack(LIRA_ONLINE, LIRA_VAR_GLOBAL, 0);
    struct mia_metrics mm = eval_gauss(&a, mask);
    assert_roc_matches(&mm, NP_TPR_1PCT, NP_TPR_10PCT, NP_AUC);
    free(mask);
}
END_TEST

START_TEST(offline_global_variance_should_match_exact_one_sided_roc)
{
    /* 64 balanced shadows: 32 OUT values for every example. */
    uint8_t *mask = first_shadows(64);
    struct mia_attack a =
        lira_attack(LIRA_OFFLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_NEG_LOGSF);
    struct mia_metrics mm = eval_gauss(&a, mask);
    double de = G_D / sqrt(1.0 + 1.0 / 32);
    double t1 = specfun_norm_cdf(specfun_norm_quantile(0.01) + de);
    double t10 = specfun_norm_cdf(specfun_norm_quantile(0.1) + de);
    double auc = specfun_norm_cdf(de / sqrt(2.0));
    /* SciPy: norm.cdf(norm.ppf(f) + 1.5 / sqrt(1 + 1/32)), f = .01, .1;
     * norm.cdf(1.5 / sqrt(1 + 1/32) / sqrt(2)). */
    ck_assert_double_eq_tol(t1, 0.19787110316419237, 1e-12);
    ck_assert_double_eq_tol(t10, 0.5775173627306539, 1e-12);
    ck_assert_double_eq_tol(auc, 0.8518650642578568, 1e-12);
    assert_roc_matches(&mm, t1, t10, auc);
    free(mask);
}
END_TEST

START_TEST(offline_per_example_variance_should_match_one_sided_roc)
{
    struct mia_attack a = lira_attack(LIRA_OFFLINE, LIRA_VAR_PER_EXAMPLE,
                                      LIRA_OFFLINE_NEG_LOGSF);
    struct mia_metrics mm = eval_gauss(&a, NULL);
    assert_roc_matches(&mm, NP_TPR_1PCT, NP_TPR_10PCT, NP_AUC);
}
END_TEST

START_TEST(offline_logcdf_should_rank_like_neg_logsf)
{
    struct mia_attack a = lira_attack(LIRA_OFFLINE, LIRA_VAR_PER_EXAMPLE,
                                      LIRA_OFFLINE_NEG_LOGSF);
    struct mia_metrics m1 = eval_gauss(&a, NULL);
    a.lira.offline_score = LIRA_OFFLINE_LOGCDF;
    struct mia_metrics m2 = eval_gauss(&a, NULL);
    ck_assert_double_eq_tol(m1.auc, m2.auc, 1e-12);
    for (size_t k = 0; k < MIA_N_FPR; k++)
        ck_assert_uint_eq(m1.tpr[k].tp, m2.tpr[k].tp);
    /* The two-sided score is much weaker here: below-mean non-members
     * look like members to it. */
    a.lira.offline_score = LIRA_OFFLINE_NEG_LOGPDF;
    struct mia_metrics m3 = eval_gauss(&a, NULL);
    ck_assert_double_lt(m3.auc, m1.auc - 0.1);
}
END_TEST

START_TEST(calibrated_logit_should_rank_like_offline_global_variance)
{
    /* phi_t - mean_OUT and (phi_t - mean_OUT) / s_global order the
     * examples identically: one ROC. */
    uint8_t *mask = first_shadows(64);
    struct mia_attack a =
        lira_attack(LIRA_OFFLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_NEG_LOGSF);
    struct mia_metrics m1 = eval_gauss(&a, mask);
    struct mia_attack c;
    memset(&c, 0, sizeof c);
    c.kind = MIA_CALIBRATED;
    c.calibrated.signal = CALIBRATED_LOGIT;
    c.calibrated.reference = CALIBRATED_PER_EXAMPLE;
    struct mia_metrics m2 = eval_gauss(&c, mask);
    ck_assert_double_eq_tol(m1.auc, m2.auc, 1e-12);
    for (size_t k = 0; k < MIA_N_FPR; k++)
        ck_assert_uint_eq(m1.tpr[k].tp, m2.tpr[k].tp);
    free(mask);
}
END_TEST

START_TEST(lira_should_beat_global_threshold_when_means_vary)
{
    uint8_t *mask = first_shadows(64);
    struct mia_attack g;
    memset(&g, 0, sizeof g);
    g.kind = MIA_CALIBRATED;
    g.calibrated.signal = CALIBRATED_LOGIT;
    g.calibrated.reference = CALIBRATED_GLOBAL;
    struct mia_metrics mg = eval_gauss(&g, mask);
    /* The global threshold itself matches its own analytic ROC. */
    assert_close("global TPR at 1%", mg.tpr[2].tpr, GLOBAL_TPR_1PCT,
                 TOL_GLOBAL_TPR_1PCT);
    assert_close("global TPR at 10%", mg.tpr[3].tpr, GLOBAL_TPR_10PCT,
                 TOL_TPR_10PCT);
    assert_close("global AUC", mg.auc, GLOBAL_AUC, TOL_AUC);
    struct mia_attack l = lira_attack(LIRA_ONLINE, LIRA_VAR_PER_EXAMPLE, 0);
    struct mia_metrics ml = eval_gauss(&l, mask);
    ck_assert_msg(ml.tpr[2].tpr > 2.5 * mg.tpr[2].tpr,
                  "LiRA TPR@1%% %.4f vs global %.4f", ml.tpr[2].tpr,
                  mg.tpr[2].tpr);
    ck_assert_msg(ml.tpr[1].tpr > 2.5 * mg.tpr[1].tpr,
                  "LiRA TPR@0.1%% %.4f vs global %.4f", ml.tpr[1].tpr,
                  mg.tpr[1].tpr);
    ck_assert_double_gt(ml.auc, mg.auc + 0.1);
    free(mask);
}
END_TEST

/* ---- small exact cases -------------------------------------------------- */

/* 5 examples x (target + 6 references); example 3 has no IN reference
 * (mean shift), example 4 one (pooled IN variance).  Values are multiples
 * of 1/4, exact in float32. */
static const float small_stat[5][7] = {
    {2.0f, 1.5f, 2.25f, 0.5f, -0.25f, 1.75f, 0.0f},
    {-1.0f, 0.5f, -0.5f, 1.25f, -1.5f, 0.75f, -2.0f},
    {0.75f, 3.0f, 2.5f, 1.0f, 0.25f, 2.75f, 0.5f},
    {1.25f, 0.0f, -0.75f, 0.5f, 0.25f, -0.5f, 1.0f},
    {0.5f, 2.0f, 0.25f, -0.25f, 0.75f, 0.0f, 0.5f}};
static const uint8_t small_in[5][7] = {{1, 1, 1, 0, 0, 1, 0},
                                       {0, 1, 0, 1, 0, 1, 0},
                                       {1, 1, 1, 0, 0, 1, 0},
                                       {0, 0, 0, 0, 0, 0, 0},
                                       {1, 1, 0, 0, 0, 0, 0}};

static void small_matrix(struct score_matrix *m)
{
    struct error err;
    ck_assert_int_eq(score_matrix_init(m, 5, 7, &err), ERR_OK);
    memcpy(m->stat, small_stat, sizeof small_stat);
    memcpy(m->in, small_in, sizeof small_in);
}

struct small_case {
    struct lira_params p;
    double want[5];
};

START_TEST(small_matrix_should_match_scipy_reference)
{
    /* /usr/bin/python3 ref_lira.py (in this file's header comment). */
    static const struct small_case cases[] = {
        {{LIRA_ONLINE, LIRA_VAR_PER_EXAMPLE, 0},
         {12.500000000000002, -10.735424248011483, -31.481112974568305,
          -0.3905128222896064, -9.189260782128802}},
        {{LIRA_ONLINE, LIRA_VAR_GLOBAL, 0},
         {6.523921862498313, -13.586715850530826, -16.432785119359853,
          0.096970240728111, -8.962609198524227}},
        {{LIRA_OFFLINE, LIRA_VAR_PER_EXAMPLE, LIRA_OFFLINE_NEG_LOGSF},
         {15.16377630834798, 1.1048508326699256, 1.1048508326699253,
          3.342440693475291, 1.3335325574755421}},
        {{LIRA_OFFLINE, LIRA_VAR_PER_EXAMPLE, LIRA_OFFLINE_LOGCDF},
         {-2.5969027176174355e-07, -0.4023603704530011, -0.40236037045300116,
          -0.03599053114336753, -0.30590664020770747}},
        {{LIRA_OFFLINE, LIRA_VAR_PER_EXAMPLE, LIRA_OFFLINE_NEG_LOGPDF},
         {12.55153119751648, 0.7446783780764242, 0.051531197516479055,
          2.114537497861056, 0.1907895380218596}},
        {{LIRA_OFFLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_NEG_LOGSF},
         {8.424899813629056, 1.307625529579638, 0.9678126301560559,
          4.124047288821407, 1.129255422436278}},
        {{LIRA_OFFLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_LOGCDF},
         {-0.00021936136161496993, -0.315343132929338, -0.47789571470511727,
          -0.01631120848772729, -0.390488621599115}},
        {{LIRA_OFFLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_NEG_LOGPDF},
         {6.492207476766623, 0.4992168225610152, 0.3590299066731647,
          2.602020560878773, 0.41744112162643576}},
    };
    struct score_matrix m;
    small_matrix(&m);
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double got[5];
        struct lira_info info;
        struct error err;
        error_clear(&err);
        int rc = lira_scores(&m, 0, NULL, &cases[c].p, got, &info, &err);
        ck_assert_msg(rc == ERR_OK, "%s: %s", lira_variant(&cases[c].p),
                      err.msg);
        for (size_t i = 0; i < 5; i++) {
            double w = cases[c].want[i];
            ck_assert_msg(fabs(got[i] - w) <= TOL_REF * fmax(1.0, fabs(w)),
                          "%s example %zu: got %.17g, want %.17g",
                          lira_variant(&cases[c].p), i, got[i], w);
        }
        ck_assert_uint_eq(info.n_refs, 6);
        ck_assert_double_eq_tol(info.global_sd_in, 0.3435921354681384, 1e-14);
        ck_assert_double_eq_tol(info.global_sd_out, 0.5451809077932042,
                                1e-14);
        ck_assert_double_eq_tol(info.mean_shift, 1.9583333333333333, 1e-14);
        if (cases[c].p.mode == LIRA_ONLINE) {
            ck_assert_uint_eq(info.n_mean_fallback, 1); /* example 3 */
            /* per-example: example 3 (0 IN) and 4 (1 IN) */
            ck_assert_uint_eq(info.n_var_fallback,
                              cases[c].p.variance == LIRA_VAR_GLOBAL ? 0 : 2);
        } else {
            ck_assert_uint_eq(info.n_mean_fallback, 0);
            ck_assert_uint_eq(info.n_var_fallback, 0);
        }
    }
    score_matrix_release(&m);
}
END_TEST

START_TEST(identical_shadow_values_should_give_finite_scores)
{
    /* Every reference value equal: variance 0, floored. */
    struct score_matrix m;
    struct error err;
    ck_assert_int_eq(score_matrix_init(&m, 3, 5, &err), ERR_OK);
    for (size_t i = 0; i < 3; i++)
        for (size_t j = 0; j < 5; j++) {
            m.stat[i * 5 + j] = j == 0 ? (float)i - 1.0f
                                       : (j % 2 ? 2.0f : -600.0f);
            m.in[i * 5 + j] = j % 2;
        }
    static const struct lira_params ps[] = {
        {LIRA_ONLINE, LIRA_VAR_PER_EXAMPLE, 0},
        {LIRA_ONLINE, LIRA_VAR_GLOBAL, 0},
        {LIRA_OFFLINE, LIRA_VAR_PER_EXAMPLE, LIRA_OFFLINE_NEG_LOGSF},
        {LIRA_OFFLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_LOGCDF},
        {LIRA_OFFLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_NEG_LOGPDF}};
    for (size_t c = 0; c < sizeof ps / sizeof ps[0]; c++) {
        double sc[3];
        ck_assert_int_eq(lira_scores(&m, 0, NULL, &ps[c], sc, NULL, &err),
                         ERR_OK);
        for (size_t i = 0; i < 3; i++)
            ck_assert_msg(isfinite(sc[i]), "%s: score %zu = %g",
                          lira_variant(&ps[c]), i, sc[i]);
        /* Nearer the IN mean (2) = more member-like; logcdf saturates at
         * 0 this far above the OUT mean (z ~ 6e8), so it only ties. */
        if (ps[c].mode == LIRA_OFFLINE &&
            ps[c].offline_score == LIRA_OFFLINE_LOGCDF)
            ck_assert_double_le(sc[0], sc[2]);
        else
            ck_assert_double_lt(sc[0], sc[2]);
    }
    score_matrix_release(&m);
}
END_TEST

START_TEST(examples_without_in_or_out_shadows_should_fall_back)
{
    /* 4 examples x (target + 4 refs): example 0 all IN, example 1 all
     * OUT, examples 2-3 balanced. */
    static const uint8_t in[4][5] = {{0, 1, 1, 1, 1},
                                     {0, 0, 0, 0, 0},
                                     {0, 1, 0, 1, 0},
                                     {0, 0, 1, 0, 1}};
    static const float st[4][5] = {{1, 3, 3.5, 2.5, 3.25},
                                   {1, 0, 0.5, -0.5, 0.25},
                                   {1, 2, 0, 2.5, 0.5},
                                   {1, -1, 1, -1.5, 1.5}};
    struct score_matrix m;
    struct error err;
    ck_assert_int_eq(score_matrix_init(&m, 4, 5, &err), ERR_OK);
    memcpy(m.stat, st, sizeof st);
    memcpy(m.in, in, sizeof in);
    struct lira_params p = {LIRA_ONLINE, LIRA_VAR_PER_EXAMPLE, 0};
    double sc[4];
    struct lira_info info;
    ck_assert_int_eq(lira_scores(&m, 0, NULL, &p, sc, &info, &err), ERR_OK);
    ck_assert_uint_eq(info.n_mean_fallback, 2);
    /* delta = mean of mu_in - mu_out over examples 2 and 3 */
    double shift = ((2.25 - 0.25) + (1.25 + 1.25)) / 2;
    ck_assert_double_eq_tol(info.mean_shift, shift, 1e-15);
    for (size_t i = 0; i < 4; i++)
        ck_assert(isfinite(sc[i]));
    p.mode = LIRA_OFFLINE;
    ck_assert_int_eq(lira_scores(&m, 0, NULL, &p, sc, &info, &err), ERR_OK);
    ck_assert_uint_eq(info.n_mean_fallback, 1); /* example 0: no OUT */
    for (size_t i = 0; i < 4; i++)
        ck_assert(isfinite(sc[i]));
    score_matrix_release(&m);
}
END_TEST

START_TEST(unusable_inputs_should_be_input_errors)
{
    struct score_matrix m;
    struct error err;
    small_matrix(&m);
    struct lira_params p;
    lira_params_default(&p);
    double sc[5];

    m.stat[2 * 7 + 4] = NAN; /* example 2, column 4 */
    ck_assert_int_eq(lira_scores(&m, 0, NULL, &p, sc, NULL, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "example 2 in column 4"));
    /* The same NaN in a column left out by the mask is fine. */
    const uint8_t mask[7] = {0, 1, 1, 1, 0, 1, 1};
    ck_assert_int_eq(lira_scores(&m, 0, mask, &p, sc, NULL, &err), ERR_OK);
    m.stat[0] = NAN; /* the target's own value */
    ck_assert_int_eq(lira_scores(&m, 0, mask, &p, sc, NULL, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "target column 0"));
    m.stat[0] = 2.0f;

    const uint8_t with_target[7] = {1, 1, 1, 1, 0, 1, 1};
    ck_assert_int_eq(lira_scores(&m, 0, with_target, &p, sc, NULL, &err),
                     ERR_INPUT);
    ck_assert_int_eq(lira_scores(&m, 7, NULL, &p, sc, NULL, &err), ERR_INPUT);

    /* Two references, each example IN for one: no variance estimable. */
    const uint8_t two[7] = {0, 1, 0, 1, 0, 0, 0};
    for (size_t i = 0; i < 5; i++) {
        m.in[i * 7 + 1] = 1;
        m.in[i * 7 + 3] = 0;
    }
    ck_assert_int_eq(lira_scores(&m, 0, two, &p, sc, NULL, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "cannot estimate a variance"));
    score_matrix_release(&m);
}
END_TEST

START_TEST(variant_names_should_name_mode_variance_and_score)
{
    static const struct {
        struct lira_params p;
        const char *name;
    } cases[] = {
        {{LIRA_ONLINE, LIRA_VAR_PER_EXAMPLE, 0},
         "lira-online/per-example-variance"},
        {{LIRA_ONLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_LOGCDF},
         "lira-online/global-variance"},
        {{LIRA_OFFLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_LOGCDF},
         "lira-offline/global-variance/logcdf"},
        {{LIRA_OFFLINE, LIRA_VAR_PER_EXAMPLE, LIRA_OFFLINE_NEG_LOGSF},
         "lira-offline/per-example-variance/neg-logsf"},
        {{LIRA_OFFLINE, LIRA_VAR_PER_EXAMPLE, LIRA_OFFLINE_NEG_LOGPDF},
         "lira-offline/per-example-variance/neg-logpdf"},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++)
        ck_assert_str_eq(lira_variant(&cases[c].p), cases[c].name);
    struct lira_params d;
    lira_params_default(&d);
    ck_assert_str_eq(lira_variant(&d), "lira-online/per-example-variance");
    struct mia_attack a;
    memset(&a, 0, sizeof a);
    a.kind = MIA_LIRA;
    a.lira = cases[2].p;
    char buf[MIA_VARIANT_MAX];
    mia_variant(&a, buf, sizeof buf);
    ck_assert_str_eq(buf, "lira-offline/global-variance/logcdf");
}
END_TEST

/* ---- leave-one-out ------------------------------------------------------ */

START_TEST(t_quantile_should_match_mpmath)
{
    /* 40-digit mpmath root of I_{df/(df+t^2)}(df/2, 1/2) = alpha:
     *   /usr/bin/python3 -c "import mpmath as mp; mp.mp.dps = 40;
     *     df = mp.mpf(DF); print(mp.findroot(lambda x: mp.betainc(df/2,
     *     mp.mpf(1)/2, 0, df/(df+x*x), regularized=True) - ALPHA, 2))"
     * (scipy.stats.t.ppf is off by up to 4e-10 relative here, e.g.
     * 2.5705818366147395 at df = 5, whose t.cdf is 0.97500000003.) */
    static const double cases[][3] = {
        {0.05, 1, 12.706204736174693314},  {0.05, 2, 4.3026527297494617894},
        {0.05, 5, 2.5705818356363147828},  {0.05, 10, 2.2281388519862742245},
        {0.05, 63, 1.9983405425207411788}, {0.05, 1000, 1.9623390808264081039},
        {0.05, 1e6, 1.9599663568141066553}, {0.01, 7, 3.4994832973504932609},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        double got = mia_t_quantile(cases[c][0], cases[c][1]);
        ck_assert_msg(fabs(got - cases[c][2]) <= TOL_TQ * cases[c][2],
                      "t(%g, %g) = %.17g, want %.17g", cases[c][0],
                      cases[c][1], got, cases[c][2]);
    }
    ck_assert(isnan(mia_t_quantile(0.0, 5)));
    ck_assert(isnan(mia_t_quantile(0.05, 0.5)));
}
END_TEST

START_TEST(leave_one_out_should_cover_exact_analytic_auc)
{
    /* 64 balanced shadows, no target, n = 1000.  Held-out column j:
     * lira-offline/global-variance ranks by phi - (mean of the example's
     * OUT values among the other 63), which has 32 OUT values for a member
     * of j and 31 for a non-member: members N(d, 1 + 1/32), non-members
     * N(0, 1 + 1/31), exactly.  So AUC = Phi(d / sqrt(2 + 1/32 + 1/31))
     * and TPR(f) = Phi((d + sqrt(1 + 1/31) Phi^-1(f)) / sqrt(1 + 1/32)).
     * A 40-seed Monte Carlo of this design covered the AUC 39/40 times
     * with the t interval (mean half-width 0.0029). */
    struct score_matrix m;
    gen_gaussian(&m, 1000, 64, 0, G_D, G_MU_SD, 77);
    size_t cols[64];
    for (size_t j = 0; j < 64; j++)
        cols[j] = j;
    struct mia_attack a =
        lira_attack(LIRA_OFFLINE, LIRA_VAR_GLOBAL, LIRA_OFFLINE_NEG_LOGSF);
    struct mia_loo loo;
    struct error err;
    error_clear(&err);
    int rc = mia_loo_run(&a, &m, cols, 64, &loo, &err);
    ck_assert_msg(rc == ERR_OK, "loo: %s", err.msg);
    ck_assert_uint_eq(loo.n_columns, 64);
    ck_assert_str_eq(loo.variant, "lira-offline/global-variance/neg-logsf");
    for (size_t c = 0; c < 64; c++) {
        ck_assert_uint_eq(loo.columns[c], c);
        ck_assert(loo.per_column[c].auc > 0.7 && loo.per_column[c].auc < 1);
    }
    double v0 = 1.0 + 1.0 / 31, v1 = 1.0 + 1.0 / 32;
    double auc = specfun_norm_cdf(G_D / sqrt(v0 + v1));
    double t10 =
        specfun_norm_cdf((G_D + sqrt(v0) * specfun_norm_quantile(0.1)) /
                         sqrt(v1));
    ck_assert_msg(loo.auc.lo <= auc && auc <= loo.auc.hi,
                  "AUC %.5f not in [%.5f, %.5f]", auc, loo.auc.lo,
                  loo.auc.hi);
    ck_assert_msg(loo.tpr[3].lo <= t10 && t10 <= loo.tpr[3].hi,
                  "TPR@10%% %.5f not in [%.5f, %.5f]", t10, loo.tpr[3].lo,
                  loo.tpr[3].hi);
    /* Interval = mean +- t_{.975,63} sd / 8. */
    double half = loo.auc.hi - loo.auc.mean;
    ck_assert_double_eq_tol(half, 1.9983405425207412 * loo.auc.sd / 8.0,
                            1e-12);
    ck_assert(loo.auc.lo < loo.auc.mean && loo.auc.mean < loo.auc.hi);
    mia_loo_release(&loo);
    mia_loo_release(&loo);
    score_matrix_release(&m);
}
END_TEST

START_TEST(leave_one_out_should_run_every_attack_kind)
{
    struct score_matrix m;
    gen_gaussian(&m, 400, 16, 0, G_D, G_MU_SD, 5);
    size_t cols[8] = {0, 2, 4, 6, 8, 10, 12, 14}; /* a subset */
    struct mia_attack as[3];
    memset(as, 0, sizeof as);
    as[0].kind = MIA_LIRA;
    lira_params_default(&as[0].lira);
    as[1].kind = MIA_RMIA;
    rmia_params_default(&as[1].rmia);
    as[2].kind = MIA_CALIBRATED;
    calibrated_params_default(&as[2].calibrated);
    for (size_t k = 0; k < 3; k++) {
        struct mia_loo loo;
        struct error err;
        error_clear(&err);
        int rc = mia_loo_run(&as[k], &m, cols, 8, &loo, &err);
        ck_assert_msg(rc == ERR_OK, "%zu: %s", k, err.msg);
        ck_assert_uint_eq(loo.n_columns, 8);
        ck_assert_double_gt(loo.auc.mean, 0.7);
        for (size_t f = 0; f < MIA_N_FPR; f++) {
            ck_assert(loo.tpr[f].lo >= 0 && loo.tpr[f].hi <= 1);
            ck_assert(loo.tpr[f].lo <= loo.tpr[f].mean &&
                      loo.tpr[f].mean <= loo.tpr[f].hi);
        }
        mia_loo_release(&loo);
    }
    score_matrix_release(&m);
}
END_TEST

START_TEST(leave_one_out_should_reject_bad_column_lists)
{
    struct score_matrix m;
    gen_gaussian(&m, 50, 4, 0, G_D, G_MU_SD, 3);
    struct mia_attack a = lira_attack(LIRA_ONLINE, LIRA_VAR_GLOBAL, 0);
    struct mia_loo loo;
    struct error err;
    const size_t one[1] = {0}, dup[3] = {0, 1, 1}, big[2] = {0, 4};
    ck_assert_int_eq(mia_loo_run(&a, &m, one, 1, &loo, &err), ERR_INPUT);
    ck_assert_ptr_null(loo.per_column);
    ck_assert_int_eq(mia_loo_run(&a, &m, dup, 3, &loo, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "listed twice"));
    ck_assert_int_eq(mia_loo_run(&a, &m, big, 2, &loo, &err), ERR_INPUT);
    /* Two columns: one reference each, no variance: the column is named. */
    const size_t two[2] = {0, 1};
    ck_assert_int_eq(mia_loo_run(&a, &m, two, 2, &loo, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "leave-one-out column 0: "));
    score_matrix_release(&m);
}
END_TEST

Suite *lira_suite(void)
{
    Suite *s = suite_create("lira");
    TCase *g = tcase_create("gaussian");
    /* Unchecked: built once in the parent, inherited by forked tests. */
    tcase_add_unchecked_fixture(g, gauss_setup, gauss_teardown);
    tcase_set_timeout(g, 60);
    tcase_add_test(g, online_per_example_variance_should_match_neyman_pearson_roc);
    tcase_add_test(g, online_global_variance_should_match_neyman_pearson_roc_at_64);
    tcase_add_test(g, offline_global_variance_should_match_exact_one_sided_roc);
    tcase_add_test(g, offline_per_example_variance_should_match_one_sided_roc);
    tcase_add_test(g, offline_logcdf_should_rank_like_neg_logsf);
    tcase_add_test(g, calibrated_logit_should_rank_like_offline_global_variance);
    tcase_add_test(g, lira_should_beat_global_threshold_when_means_vary);
    suite_add_tcase(s, g);

    TCase *tc = tcase_create("exact");
    tcase_add_test(tc, small_matrix_should_match_scipy_reference);
    tcase_add_test(tc, identical_shadow_values_should_give_finite_scores);
    tcase_add_test(tc, examples_without_in_or_out_shadows_should_fall_back);
    tcase_add_test(tc, unusable_inputs_should_be_input_errors);
    tcase_add_test(tc, variant_names_should_name_mode_variance_and_score);
    suite_add_tcase(s, tc);

    TCase *loo = tcase_create("leave-one-out");
    tcase_set_timeout(loo, 60);
    tcase_add_test(loo, t_quantile_should_match_mpmath);
    tcase_add_test(loo, leave_one_out_should_cover_exact_analytic_auc);
    tcase_add_test(loo, leave_one_out_should_run_every_attack_kind);
    tcase_add_test(loo, leave_one_out_should_reject_bad_column_lists);
    suite_add_tcase(s, loo);
    return s;
}

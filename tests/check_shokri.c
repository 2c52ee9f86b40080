/*
 * tests/check_shokri.c - the Shokri et al. attack classifier on synthetic
 * score matrices whose IN/OUT distributions are known.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>

#include "attacks/metrics.h"
#include "attacks/shokri.h"
#include "core/rng.h"
#include "core/specfun.h"

/* IN ~ N(d_c, 1), OUT ~ N(0, 1) with a class-dependent shift d_c: the best
 * test per class has AUC Phi(d_c / sqrt 2); an attack model that uses the
 * class feature should get close to the average of those. */
static double run_case(const double *shift, size_t n_classes, double *auc_opt)
{
    const size_t n = 4000, k = 9; /* 8 shadows + the target in column 8 */
    struct score_matrix m;
    struct error e;
    ck_assert_int_eq(score_matrix_init(&m, n, k, &e), 0);
    int32_t *cls = malloc(n * sizeof *cls);
    double *s = malloc(n * sizeof *s);
    uint8_t *mem = malloc(n);
    struct rng r;
    rng_seed(&r, 17);
    *auc_opt = 0;
    for (size_t i = 0; i < n; i++) {
        cls[i] = (int32_t)(i % n_classes);
        for (size_t j = 0; j < k; j++) {
            uint8_t in = (uint8_t)((i + j) % 2);
            m.in[i * k + j] = in;
            m.stat[i * k + j] = (float)(rng_normal(&r) + (in ? shift[cls[i]] : 0.0));
        }
        mem[i] = m.in[i * k + 8];
    }
    for (size_t c = 0; c < n_classes; c++)
        *auc_opt += specfun_norm_cdf(shift[c] / sqrt(2.0)) / (double)n_classes;
    ck_assert_int_eq(shokri_scores(&m, 8, cls, n_classes, 5, s, &e), 0);
    struct roc roc = {0};
    ck_assert_int_eq(roc_build(&roc, s, mem, n, &e), 0);
    double auc = roc_auc(&roc);
    roc_release(&roc);
    score_matrix_release(&m);
    free(cls);
    free(s);
    free(mem);
    return auc;
}

/* Tolerance: the AUC of 4000 examples has standard error about 0.009 here;
 * the attack model also loses a little to fitting. */
#define AUC_TOL 0.04

START_TEST(shokri_should_reach_the_optimal_auc_of_a_gaussian_shift)
{
    double shift[1] = {1.0}, opt;
    double auc = run_case(shift, 1, &opt);
    ck_assert_double_lt(fabs(auc - opt), AUC_TOL);
}
END_TEST

START_TEST(shokri_should_use_the_class_feature)
{
    /* class 0 leaks strongly, class 1 not at all, class 2 reversed */
    double shift[3] = {2.0, 0.0, -1.0}, opt3;
    double auc = run_case(shift, 3, &opt3);
    /* a class-blind threshold cannot use the reversed class: its best is
     * below the per-class optimum; require being near the per-class one.
     * Per class: Phi(2/sqrt2)=0.921, 0.5, and max(Phi(-1/sqrt2), 1-that)=0.760. */
    double per_class = (specfun_norm_cdf(2.0 / sqrt(2.0)) + 0.5 +
                        specfun_norm_cdf(1.0 / sqrt(2.0))) / 3.0;
    (void)opt3;
    ck_assert_double_gt(auc, per_class - AUC_TOL - 0.03);
}
END_TEST

/* The signal only in the sorted probabilities: phi is noise, top-1 is
 * shifted for IN cells.  Without the top features the attack is at chance
 * (AUC within 0.04 of 0.5); with them it finds the shift. */
START_TEST(shokri_should_use_the_sorted_probabilities)
{
    const size_t n = 3000, k = 9, t = 2;
    struct score_matrix m;
    struct error e;
    ck_assert_int_eq(score_matrix_init(&m, n, k, &e), 0);
    int32_t *cls = calloc(n, sizeof *cls);
    float *top = malloc(k * n * t * sizeof *top);
    double *s1 = malloc(n * sizeof *s1), *s2 = malloc(n * sizeof *s2);
    uint8_t *mem = malloc(n);
    struct rng r;
    rng_seed(&r, 23);
    for (size_t i = 0; i < n; i++) {
        for (size_t j = 0; j < k; j++) {
            uint8_t in = (uint8_t)((i + j) % 2);
            m.in[i * k + j] = in;
            m.stat[i * k + j] = (float)rng_normal(&r);
            double t1 = 0.6 + 0.1 * rng_normal(&r) + (in ? 0.15 : 0.0);
            top[(j * n + i) * t] = (float)t1;
            top[(j * n + i) * t + 1] = (float)(1.0 - t1);
        }
        mem[i] = m.in[i * k + 8];
    }
    ck_assert_int_eq(shokri_scores(&m, 8, cls, 2, 3, s1, &e), 0);
    ck_assert_int_eq(shokri_scores_top(&m, 8, cls, 2, top, t, 3, s2, &e), 0);
    struct roc a = {0}, b = {0};
    ck_assert_int_eq(roc_build(&a, s1, mem, n, &e), 0);
    ck_assert_int_eq(roc_build(&b, s2, mem, n, &e), 0);
    /* optimal AUC with the shift 0.15 / sd 0.1: Phi(1.5 / sqrt 2) = 0.856 */
    ck_assert_double_lt(fabs(roc_auc(&a) - 0.5), AUC_TOL);
    ck_assert_double_gt(roc_auc(&b), specfun_norm_cdf(1.5 / sqrt(2.0)) - AUC_TOL);
    roc_release(&a);
    roc_release(&b);
    score_matrix_release(&m);
    free(cls);
    free(top);
    free(s1);
    free(s2);
    free(mem);
}
END_TEST

START_TEST(shokri_should_reject_a_bad_target)
{
    struct score_matrix m;
    struct error e;
    ck_assert_int_eq(score_matrix_init(&m, 4, 1, &e), 0);
    int32_t cls[4] = {0};
    double s[4];
    ck_assert_int_eq(shokri_scores(&m, 0, cls, 2, 1, s, &e), ERR_INPUT);
    score_matrix_release(&m);
}
END_TEST

Suite *shokri_suite(void)
{
    Suite *s = suite_create("shokri");
    TCase *tc = tcase_create("shokri");
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, shokri_should_reach_the_optimal_auc_of_a_gaussian_shift);
    tcase_add_test(tc, shokri_should_use_the_class_feature);
    tcase_add_test(tc, shokri_should_use_the_sorted_probabilities);
    tcase_add_test(tc, shokri_should_reject_a_bad_target);
    suite_add_tcase(s, tc);
    return s;
}

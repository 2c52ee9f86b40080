/*
 * tests/check_scores.c - per-example output statistics (attacks/scores.h).
 *
 * Reference values are closed forms, or were computed with
 *   /usr/bin/python3 -c "import math; ..."
 * as recorded next to each constant.
 */
#include "attacks/scores.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>

#define TOL_REL 1e-14

static void assert_close(double got, double want, double rel)
{
    double tol = rel * fmax(1.0, fabs(want));
    ck_assert_msg(fabs(got - want) <= tol, "got %.17g, want %.17g (tol %.3g)",
                  got, want, tol);
}

/* -log(1e-300): python3 -c "import math; print(repr(-math.log(1e-300)))" */
#define NEG_LOG_PMIN 690.7755278982137

START_TEST(uniform_probs_should_match_closed_forms)
{
    static const size_t ks[] = {2, 3, 4, 10, 100, 1000};
    for (size_t c = 0; c < sizeof ks / sizeof ks[0]; c++) {
        size_t k = ks[c];
        double *p = malloc(k * sizeof *p);
        ck_assert_ptr_nonnull(p);
        for (size_t j = 0; j < k; j++)
            p[j] = 1.0 / (double)k;
        double dk = (double)k;
        for (size_t y = 0; y < k; y += k / 2) {
            assert_close(scores_loss(p, k, y), log(dk), TOL_REL);
            assert_close(scores_confidence(p, k, y), 1.0 / dk, TOL_REL);
            /* phi = log(1/k) - log((k-1)/k) = -log(k-1). */
            assert_close(scores_logit_confidence(p, k, y), -log(dk - 1.0),
                         TOL_REL);
            /* Mentr = ((k-1)/k) log k + ((k-1)/k)(log k - log(k-1)). */
            assert_close(scores_modified_entropy(p, k, y),
                         (dk - 1.0) / dk * (2.0 * log(dk) - log(dk - 1.0)),
                         TOL_REL);
        }
        assert_close(scores_entropy(p, k), log(dk), TOL_REL);
        free(p);
    }
}
END_TEST

START_TEST(binary_logit_confidence_should_equal_logit)
{
    static const double qs[] = {1e-12, 1e-3, 0.01, 0.3, 0.5, 0.75, 0.9, 0.999};
    for (size_t c = 0; c < sizeof qs / sizeof qs[0]; c++) {
        double q = qs[c];
        double p[2] = {q, 1.0 - q};
        double logit = log(q) - log1p(-q);
        assert_close(scores_logit_confidence(p, 2, 0), logit, TOL_REL);
        assert_close(scores_logit_confidence(p, 2, 1), -logit, 1e-12);
    }
}
END_TEST

START_TEST(logit_confidence_should_stay_finite_when_p_y_rounds_to_one)
{
    /* 1 - 1e-17 rounds to 1.0: phi must come from the other classes' sum,
     * -log(1e-17) = 39.14394658089878 (python3: -math.log(1e-17)). */
    double p2[2] = {1.0 - 1e-17, 1e-17};
    double phi = scores_logit_confidence(p2, 2, 0);
    ck_assert(isfinite(phi));
    assert_close(phi, 39.14394658089878, TOL_REL);

    /* -log(2e-17) = 38.45079940033883 (python3: -math.log(2e-17)). */
    double p3[3] = {1.0 - 2e-17, 1e-17, 1e-17};
    assert_close(scores_logit_confidence(p3, 3, 0), 38.45079940033883,
                 TOL_REL);

    /* The other scores stay finite and near their limits. */
    ck_assert(isfinite(scores_loss(p2, 2, 0)));
    ck_assert_double_eq_tol(scores_loss(p2, 2, 0), 0.0, 1e-15);
    double m = scores_modified_entropy(p2, 2, 0);
    ck_assert(isfinite(m) && m >= 0.0 && m < 1e-30);

    /* Exactly certain: other classes all 0 -> clamped at log(1e-300). */
    double p1[3] = {1.0, 0.0, 0.0};
    assert_close(scores_logit_confidence(p1, 3, 0), NEG_LOG_PMIN, TOL_REL);
}
END_TEST

START_TEST(zero_true_class_probability_should_give_finite_scores)
{
    double p[3] = {0.0, 0.4, 0.6};
    assert_close(scores_loss(p, 3, 0), NEG_LOG_PMIN, TOL_REL);
    assert_close(scores_logit_confidence(p, 3, 0), -NEG_LOG_PMIN, TOL_REL);
    ck_assert(isfinite(scores_modified_entropy(p, 3, 0)));

    /* Confidently wrong binary model: p = (0, 1), y = 0.  Mentr =
     * -1 * log(1e-300) - 1 * log(clamp(1 - 1)) = 2 * 690.77... */
    double q[2] = {0.0, 1.0};
    assert_close(scores_loss(q, 2, 0), NEG_LOG_PMIN, TOL_REL);
    assert_close(scores_modified_entropy(q, 2, 0), 2.0 * NEG_LOG_PMIN,
                 TOL_REL);
}
END_TEST

START_TEST(entropy_should_treat_zero_log_zero_as_zero)
{
    double a[2] = {0.0, 1.0};
    ck_assert_double_eq(scores_entropy(a, 2), 0.0);
    double b[3] = {0.0, 0.5, 0.5};
    assert_close(scores_entropy(b, 3), log(2.0), TOL_REL);
    double c[4] = {0.5, 0.25, 0.25, 0.0};
    assert_close(scores_entropy(c, 4), 1.5 * log(2.0), TOL_REL);
}
END_TEST

START_TEST(modified_entropy_should_match_reference)
{
    /* python3 -c "import math; p=[0.7,0.2,0.1];
     *   print(repr(-(1-p[0])*math.log(p[0]) - p[1]*math.log(1-p[1])
     *              - p[2]*math.log(1-p[2])))"  -> 0.16216724501024432 */
    double p[3] = {0.7, 0.2, 0.1};
    assert_close(scores_modified_entropy(p, 3, 0), 0.16216724501024432,
                 TOL_REL);
    /* y = 1 by the same formula. */
    double want = -(1 - 0.2) * log(0.2) - 0.7 * log(0.3) - 0.1 * log(0.9);
    assert_close(scores_modified_entropy(p, 3, 1), want, TOL_REL);
}
END_TEST

START_TEST(more_confident_correct_prediction_should_score_as_more_member)
{
    double lo[3] = {0.6, 0.2, 0.2};
    double hi[3] = {0.9, 0.05, 0.05};
    ck_assert(-scores_loss(hi, 3, 0) > -scores_loss(lo, 3, 0));
    ck_assert(scores_confidence(hi, 3, 0) > scores_confidence(lo, 3, 0));
    ck_assert(scores_logit_confidence(hi, 3, 0) >
              scores_logit_confidence(lo, 3, 0));
    ck_assert(-scores_modified_entropy(hi, 3, 0) >
              -scores_modified_entropy(lo, 3, 0));

    double probs[6] = {0.6, 0.2, 0.2, 0.9, 0.05, 0.05};
    int y[2] = {0, 0};
    double out[2];
    scores_loss_attack(probs, 2, 3, y, out);
    ck_assert(out[1] > out[0]);
}
END_TEST

START_TEST(loss_attack_should_negate_loss_per_row)
{
    double probs[9] = {0.2, 0.3, 0.5, 0.1, 0.8, 0.1, 1.0, 0.0, 0.0};
    int y[3] = {2, 1, 1};
    double out[3];
    scores_loss_attack(probs, 3, 3, y, out);
    assert_close(out[0], log(0.5), TOL_REL);
    assert_close(out[1], log(0.8), TOL_REL);
    assert_close(out[2], -NEG_LOG_PMIN, TOL_REL);
}
END_TEST

START_TEST(out_of_range_class_should_give_nan)
{
    double p[2] = {0.5, 0.5};
    ck_assert(isnan(scores_loss(p, 2, 2)));
    ck_assert(isnan(scores_confidence(p, 2, 2)));
    ck_assert(isnan(scores_logit_confidence(p, 2, 5)));
    ck_assert(isnan(scores_modified_entropy(p, 2, 2)));
    int y[2] = {-1, 2};
    double probs[4] = {0.5, 0.5, 0.5, 0.5};
    double out[2];
    scores_loss_attack(probs, 2, 2, y, out);
    ck_assert(isnan(out[0]) && isnan(out[1]));
}
END_TEST

START_TEST(nan_probabilities_should_propagate)
{
    double p[3] = {NAN, 0.5, 0.5};
    ck_assert(isnan(scores_loss(p, 3, 0)));
    ck_assert(isnan(scores_entropy(p, 3)));
    ck_assert(isnan(scores_logit_confidence(p, 3, 1)));
    ck_assert(isnan(scores_modified_entropy(p, 3, 1)));
}
END_TEST

Suite *scores_suite(void)
{
    Suite *s = suite_create("scores");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, uniform_probs_should_match_closed_forms);
    tcase_add_test(tc, binary_logit_confidence_should_equal_logit);
    tcase_add_test(tc, logit_confidence_should_stay_finite_when_p_y_rounds_to_one);
    tcase_add_test(tc, zero_true_class_probability_should_give_finite_scores);
    tcase_add_test(tc, entropy_should_treat_zero_log_zero_as_zero);
    tcase_add_test(tc, modified_entropy_should_match_reference);
    tcase_add_test(tc, more_confident_correct_prediction_should_score_as_more_member);
    tcase_add_test(tc, loss_attack_should_negate_loss_per_row);
    tcase_add_test(tc, out_of_range_class_should_give_nan);
    tcase_add_test(tc, nan_probabilities_should_propagate);
    suite_add_tcase(s, tc);
    return s;
}

/*
 * tests/check_iterates.c - all-iterates canary scores on hand-built traces
 * whose increments, variances, epoch maxima and medians are worked out by
 * hand in the comments.
 */
#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "attacks/iterates.h"
#include "core/rng.h"

/* One Dirac column, k = 2, label 0: the margin is W[0][0] - W[0][1]. */
static void one_column(double *trace, const double *margin, size_t steps)
{
    for (size_t t = 0; t < steps; t++) {
        trace[2 * t] = margin[t] + 1.0; /* both weights shifted: same margin */
        trace[2 * t + 1] = 1.0;
    }
}

START_TEST(variance_and_epoch_max_should_match_hand_values)
{
    /* margins 0 1 3 3 7: increments 1 2 0 4 (steps 1..4) */
    const double margin[5] = {0, 1, 3, 3, 7};
    double trace[10], scratch[5], out;
    one_column(trace, margin, 5);
    int32_t y = 0;
    struct iter_view v = {0, 1, NULL, 2};
    /* mean 7/4, mean of squares 21/4: variance 21/4 - 49/16 = 35/16 */
    iterates_score(trace, 5, &v, &y, 1, 2, CANARY_ITER_VARIANCE, scratch, &out);
    ck_assert_double_eq_tol(out, 35.0 / 16.0, 1e-15);
    /* window 2: steps {0,1} -> 1; {2,3} -> max(2, 0) = 2; {4} -> 4; sum 7,
     * 3 windows, median of {0,1,2,4} = 1.5: 7 - 4.5 = 2.5 */
    iterates_score(trace, 5, &v, &y, 1, 2, CANARY_ITER_EPOCH_MAX, scratch, &out);
    ck_assert_double_eq_tol(out, 2.5, 1e-15);
    /* window 1: every increment is its own epoch, 4 windows: 7 - 4 x 1.5 = 1 */
    v.window = 1;
    iterates_score(trace, 5, &v, &y, 1, 2, CANARY_ITER_EPOCH_MAX, scratch, &out);
    ck_assert_double_eq_tol(out, 1.0, 1e-15);
    /* window 5 covers steps 0..4: max 4 - median 1.5 = 2.5; odd count of
     * increments (steps 4): margins 0 1 3 3, increments 1 2 0, median 1,
     * window 4: 2 - 1 = 1 */
    v.window = 5;
    iterates_score(trace, 5, &v, &y, 1, 2, CANARY_ITER_EPOCH_MAX, scratch, &out);
    ck_assert_double_eq_tol(out, 2.5, 1e-15);
    v.window = 4;
    iterates_score(trace, 4, &v, &y, 1, 2, CANARY_ITER_EPOCH_MAX, scratch, &out);
    ck_assert_double_eq_tol(out, 1.0, 1e-15);
    /* one step: no increment, score 0 */
    iterates_score(trace, 1, &v, &y, 1, 2, CANARY_ITER_VARIANCE, scratch, &out);
    ck_assert_double_eq(out, 0.0);
}
END_TEST

START_TEST(weighted_margins_should_use_every_traced_column)
{
    /* k = 3, two columns, canary input (2, -1), label 1:
     *   margin = 2 (W0[1] - (W0[0] + W0[2]) / 2) - (W1[1] - (W1[0] + W1[2]) / 2)
     * t0: all 0 -> 0
     * t1: W0 = (1, 2, 3) -> 0; W1 = (0, 4, 2) -> 3; margin -3
     * t2: W0 = (0, 5, 0) -> 5; W1 = (2, 2, 2) -> 0; margin 10
     * increments -3, 13: mean 5, mean of squares 89, variance 64 */
    const double trace[18] = {0, 0, 0, 0, 0, 0, 1, 2, 3, 0, 4, 2, 0, 5, 0, 2, 2, 2};
    double xw[2] = {2, -1}, scratch[3], out;
    int32_t y = 1;
    struct iter_view v = {0, 2, xw, 0};
    iterates_score(trace, 3, &v, &y, 1, 3, CANARY_ITER_VARIANCE, scratch, &out);
    ck_assert_double_eq_tol(out, 64.0, 1e-12);
    /* window 0 counts as 1: (-3 + 13) - 2 x median 5 = 0 */
    iterates_score(trace, 3, &v, &y, 1, 3, CANARY_ITER_EPOCH_MAX, scratch, &out);
    ck_assert_double_eq_tol(out, 0.0, 1e-12);
}
END_TEST

START_TEST(dirac_canaries_should_read_only_their_own_column)
{
    /* two canaries, two columns, k = 2: column 0 never moves, column 1 does */
    double trace[4 * 2 * 2] = {0};
    for (size_t t = 0; t < 4; t++) {
        trace[(t * 2 + 1) * 2] = (double)(t * t); /* column 1, class 0 */
    }
    int32_t y[2] = {0, 0};
    double scratch[4], out[2];
    struct iter_view v = {0, 2, NULL, 0};
    iterates_score(trace, 4, &v, y, 2, 2, CANARY_ITER_VARIANCE, scratch, out);
    ck_assert_double_eq(out[0], 0.0);
    /* increments 1 3 5: variance 8/3 */
    ck_assert_double_eq_tol(out[1], 8.0 / 3.0, 1e-12);
}
END_TEST

/*
 * Power where it should be: noise plus one jump per epoch at a random step
 * (fixed-size shuffled batches) against noise alone.  With jump 3 sd,
 * 10 epochs of 10 steps, epoch-max separates members far better than
 * chance, and a constant noise offset (reused noise) does not change it.
 */
START_TEST(epoch_max_should_find_one_jump_per_epoch)
{
    enum { W = 10, E = 10, T = W * E + 1, R = 200 };
    struct rng r;
    rng_seed(&r, 7);
    double *trace = malloc(T * 2 * sizeof *trace), scratch[T], in[R], out[R];
    int32_t y = 0;
    struct iter_view v = {0, 1, NULL, W};
    for (int pass = 0; pass < 2; pass++) {
        for (size_t i = 0; i < R; i++) {
            int member = pass == 0;
            double mg = 0;
            size_t jump[E];
            for (size_t e = 0; e < E; e++)
                jump[e] = e * W + (size_t)rng_below(&r, W);
            trace[0] = trace[1] = 0;
            for (size_t t = 1; t < T; t++) {
                mg += rng_normal(&r) + 0.5; /* 0.5: a constant drift */
                if (member && t / W < E && t == jump[t / W])
                    mg += 3.0;
                trace[2 * t] = mg;
                trace[2 * t + 1] = 0;
            }
            iterates_score(trace, T, &v, &y, 1, 2, CANARY_ITER_EPOCH_MAX, scratch,
                           pass == 0 ? &in[i] : &out[i]);
        }
    }
    /* AUC by counting pairs */
    double wins = 0;
    for (size_t i = 0; i < R; i++)
        for (size_t j = 0; j < R; j++)
            wins += in[i] > out[j] ? 1.0 : in[i] == out[j] ? 0.5 : 0.0;
    double auc = wins / ((double)R * R);
    ck_assert_msg(auc > 0.95, "AUC %g", auc);
    free(trace);
}
END_TEST

Suite *iterates_suite(void)
{
    Suite *s = suite_create("iterates");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, variance_and_epoch_max_should_match_hand_values);
    tcase_add_test(tc, weighted_margins_should_use_every_traced_column);
    tcase_add_test(tc, dirac_canaries_should_read_only_their_own_column);
    tcase_add_test(tc, epoch_max_should_find_one_jump_per_epoch);
    suite_add_tcase(s, tc);
    return s;
}

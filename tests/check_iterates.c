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
    /* margins 0 1 3 3 7 (initial, then after steps 0..3): increments 1 2 0 4 */
    const double margin[5] = {0, 1, 3, 3, 7};
    double trace[10], scratch[5], out;
    one_column(trace, margin, 5);
    int32_t y = 0;
    struct iter_view v = {0, 1, NULL, 2};
    /* mean 7/4, mean of squares 21/4: variance 21/4 - 49/16 = 35/16 */
    iterates_score(trace, 5, &v, &y, 1, 1, 2, CANARY_ITER_VARIANCE, scratch, &out);
    ck_assert_double_eq_tol(out, 35.0 / 16.0, 1e-15);
    /* window 2: steps {0,1} -> max(1, 2) = 2; {2,3} -> max(0, 4) = 4; sum 6,
     * 2 windows, median of {0,1,2,4} = 1.5: 6 - 3 = 3 */
    iterates_score(trace, 5, &v, &y, 1, 1, 2, CANARY_ITER_EPOCH_MAX, scratch, &out);
    ck_assert_double_eq_tol(out, 3.0, 1e-15);
    /* window 1: every increment is its own epoch, 4 windows: 7 - 4 x 1.5 = 1 */
    v.window = 1;
    iterates_score(trace, 5, &v, &y, 1, 1, 2, CANARY_ITER_EPOCH_MAX, scratch, &out);
    ck_assert_double_eq_tol(out, 1.0, 1e-15);
    /* window 5 covers steps 0..3: max 4 - median 1.5 = 2.5; odd count of
     * increments (4 rows): margins 0 1 3 3, increments 1 2 0, median 1,
     * window 4: 2 - 1 = 1 */
    v.window = 5;
    iterates_score(trace, 5, &v, &y, 1, 1, 2, CANARY_ITER_EPOCH_MAX, scratch, &out);
    ck_assert_double_eq_tol(out, 2.5, 1e-15);
    v.window = 4;
    iterates_score(trace, 4, &v, &y, 1, 1, 2, CANARY_ITER_EPOCH_MAX, scratch, &out);
    ck_assert_double_eq_tol(out, 1.0, 1e-15);
    /* one step: no increment, score 0 */
    iterates_score(trace, 1, &v, &y, 1, 1, 2, CANARY_ITER_VARIANCE, scratch, &out);
    ck_assert_double_eq(out, 0.0);
}
END_TEST

/* A learning-rate schedule: increments 1 2 0.5 4 made by steps at learning
 * rates 1 2 0.5 4 are the same unit step each time: variance 0 once divided
 * by the rates (and 35/16-like spread without). */
START_TEST(increments_should_be_divided_by_the_learning_rate)
{
    const double margin[5] = {0, 1, 3, 3.5, 7.5}, lr[4] = {1, 2, 0.5, 4};
    double trace[10], scratch[5], out;
    one_column(trace, margin, 5);
    int32_t y = 0;
    struct iter_view v = {0, 1, NULL, 0, 0, 0, NULL, lr};
    iterates_score(trace, 5, &v, &y, 1, 1, 2, CANARY_ITER_VARIANCE, scratch, &out);
    ck_assert_double_eq_tol(out, 0.0, 1e-15);
    v.lr = NULL;
    iterates_score(trace, 5, &v, &y, 1, 1, 2, CANARY_ITER_VARIANCE, scratch, &out);
    /* 1 2 0.5 4: mean 1.875, mean of squares 21.25/4: variance 1.7968750 */
    ck_assert_double_eq_tol(out, 21.25 / 4 - 1.875 * 1.875, 1e-15);
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
    iterates_score(trace, 3, &v, &y, 1, 1, 3, CANARY_ITER_VARIANCE, scratch, &out);
    ck_assert_double_eq_tol(out, 64.0, 1e-12);
    /* window 0 counts as 1: (-3 + 13) - 2 x median 5 = 0 */
    iterates_score(trace, 3, &v, &y, 1, 1, 3, CANARY_ITER_EPOCH_MAX, scratch, &out);
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
    iterates_score(trace, 4, &v, y, 2, 2, 2, CANARY_ITER_VARIANCE, scratch, out);
    ck_assert_double_eq(out[0], 0.0);
    /* increments 1 3 5: variance 8/3 */
    ck_assert_double_eq_tol(out[1], 8.0 / 3.0, 1e-12);
}
END_TEST

static double auc(const double *in, const double *out, size_t r)
{
    double wins = 0;
    for (size_t i = 0; i < r; i++)
        for (size_t j = 0; j < r; j++)
            wins += in[i] > out[j] ? 1.0 : in[i] == out[j] ? 0.5 : 0.0;
    return wins / ((double)r * (double)r);
}

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
            for (size_t t = 1; t < T; t++) { /* row t: after SGD step t - 1 */
                size_t st = t - 1;
                mg += rng_normal(&r) + 0.5; /* 0.5: a constant drift */
                if (member && st == jump[st / W])
                    mg += 3.0;
                trace[2 * t] = mg;
                trace[2 * t + 1] = 0;
            }
            iterates_score(trace, T, &v, &y, 1, 1, 2, CANARY_ITER_EPOCH_MAX, scratch,
                           pass == 0 ? &in[i] : &out[i]);
        }
    }
    double a = auc(in, out, R);
    ck_assert_msg(a > 0.95, "AUC %g", a);
    free(trace);
}
END_TEST


/*
 * poisson-lr by hand (values from Python's math module):
 * margins 0 1 0 2 5 4 -> increments 1 -1 2 3 -1, median 1, absolute
 * deviations 0 2 1 2 2, MAD 2, scale 1.4826 x 2; q 0.2, a 1.5:
 *   sum_t log(0.8 + 0.2 exp(1.5 (D_t - 1) / 2.9652 - 1.125)) = -0.651738056956053.
 * Pooled with a second canary (increments 0 0 4 0 -2: median 0, MAD 0) the
 * center is the median of the medians 0.5 and the scale 1.4826 x 1:
 * 0.06301335254744284 for the first canary.
 */
START_TEST(poisson_lr_should_match_hand_values)
{
    const double m0[6] = {0, 1, 0, 2, 5, 4}, m1[6] = {0, 0, 0, 4, 4, 2};
    double trace[6 * 2 * 2], scratch[6 + 4], out[2];
    for (size_t t = 0; t < 6; t++) {
        trace[(t * 2) * 2] = m0[t]; /* column 0: canary 0, class 0 */
        trace[(t * 2) * 2 + 1] = 0;
        trace[(t * 2 + 1) * 2] = m1[t];
        trace[(t * 2 + 1) * 2 + 1] = 0;
    }
    int32_t y[2] = {0, 0};
    double snr[2] = {1.5, 1.5};
    struct iter_view v = {0, 2, NULL, 0, 0.2, 1.0, snr};
    iterates_score(trace, 6, &v, y, 1, 1, 2, CANARY_ITER_POISSON_LR, scratch, out);
    ck_assert_double_eq_tol(out[0], -0.651738056956053, 1e-12);
    iterates_score(trace, 6, &v, y, 1, 2, 2, CANARY_ITER_POISSON_LR, scratch, out);
    ck_assert_double_eq_tol(out[0], 0.06301335254744284, 1e-12);
    /* q = 1: log e^(a z - a^2/2) summed, linear in the increments */
    v.q = 1;
    iterates_score(trace, 6, &v, y, 1, 1, 2, CANARY_ITER_POISSON_LR, scratch, out);
    double want = 0;
    const double d[5] = {1, -1, 2, 3, -1};
    for (int i = 0; i < 5; i++)
        want += 1.5 * (d[i] - 1) / 2.9652 - 1.125;
    ck_assert_double_eq_tol(out[0], want, 1e-12);
}
END_TEST

START_TEST(snr_should_follow_the_clipped_share_of_the_margin)
{
    /* Dirac: input u in its column, the bias takes the rest of the norm */
    double xt[3] = {0, 0, 0.5};
    ck_assert_double_eq_tol(iterates_snr(xt, 3, NULL, 2, true, 2.0),
                            0.5 / (2.0 * sqrt(1.25)), 1e-15);
    ck_assert_double_eq_tol(iterates_snr(xt, 3, NULL, 2, false, 2.0), 0.5, 1e-15);
    /* weighted margin w = x: |x| / (sigma sqrt(|x|^2 + 1)) */
    double x2[2] = {3, 4};
    ck_assert_double_eq_tol(iterates_snr(x2, 2, x2, 0, true, 1.0), 5.0 / sqrt(26.0), 1e-15);
    ck_assert_double_eq_tol(iterates_snr(x2, 2, x2, 0, false, 0.5), 2.0, 1e-15);
    double z[2] = {0, 0};
    ck_assert_double_eq(iterates_snr(z, 2, z, 0, true, 1.0), 0.0);
}
END_TEST


/*
 * Against the Poisson-sampled mechanism itself (a 2-sd jump at each of 400
 * steps with probability 0.02) the likelihood ratio is far stronger than the
 * final weight (the sum of the increments) and than the variance: a numpy
 * simulation of 20000 canaries with the true center and scale gave AUC 0.870
 * for the ratio, 0.708 for the sum, 0.765 for the variance.
 */
START_TEST(poisson_lr_should_beat_the_final_weight_on_sparse_jumps)
{
    /* one trace: canaries 0..R-1 members, R..2R-1 not (as in one run) */
    enum { T = 401, R = 300, M = 2 * R };
    struct rng r;
    rng_seed(&r, 11);
    double *trace = malloc((size_t)T * M * 2 * sizeof *trace);
    double *scratch = malloc((T + 2 * M) * sizeof *scratch);
    double lr[M], var[M], mg[M] = {0}, snr[M];
    int32_t y[M];
    for (size_t j = 0; j < M; j++) {
        snr[j] = 2.0;
        y[j] = 0;
    }
    for (size_t t = 0; t < T; t++)
        for (size_t j = 0; j < M; j++) {
            if (t > 0)
                mg[j] += rng_normal(&r) + (j < R && rng_uniform(&r) < 0.02 ? 2.0 : 0.0);
            trace[(t * M + j) * 2] = mg[j];
            trace[(t * M + j) * 2 + 1] = 0;
        }
    struct iter_view v = {0, M, NULL, 0, 0.02, 1.0, snr};
    iterates_score(trace, T, &v, y, M, M, 2, CANARY_ITER_POISSON_LR, scratch, lr);
    iterates_score(trace, T, &v, y, M, M, 2, CANARY_ITER_VARIANCE, scratch, var);
    double a_lr = auc(lr, lr + R, R), a_var = auc(var, var + R, R), a_sum = auc(mg, mg + R, R);
    ck_assert_msg(a_lr > 0.82 && a_lr > a_sum + 0.1 && a_lr > a_var + 0.05,
                  "AUC lr %g, final weight %g, variance %g", a_lr, a_sum, a_var);
    free(trace);
    free(scratch);
}
END_TEST

Suite *iterates_suite(void)
{
    Suite *s = suite_create("iterates");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, variance_and_epoch_max_should_match_hand_values);
    tcase_add_test(tc, increments_should_be_divided_by_the_learning_rate);
    tcase_add_test(tc, weighted_margins_should_use_every_traced_column);
    tcase_add_test(tc, dirac_canaries_should_read_only_their_own_column);
    tcase_add_test(tc, epoch_max_should_find_one_jump_per_epoch);
    tcase_add_test(tc, poisson_lr_should_match_hand_values);
    tcase_add_test(tc, snr_should_follow_the_clipped_share_of_the_margin);
    tcase_add_test(tc, poisson_lr_should_beat_the_final_weight_on_sparse_jumps);
    suite_add_tcase(s, tc);
    return s;
}

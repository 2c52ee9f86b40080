/*
 * tests/check_metrics.c - exact ROC, AUC, TPR@FPR, advantage, downsampling
 * (attacks/metrics.h).
 *
 * Reference values: hand-computed vertex lists, brute-force O(n^2)
 * Mann-Whitney counts on random data with ties, closed-form rank sums, and
 * sklearn 1.2.1 (commands recorded next to the constants).
 */
#include "attacks/metrics.h"

#include <check.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/rng.h"

#define TOL 1e-15

struct vertex {
    uint64_t tp, fp;
    double threshold;
};

static void build_ok(struct roc *roc, const double *s, const uint8_t *m,
                     size_t n)
{
    struct error err;
    error_clear(&err);
    int rc = roc_build(roc, s, m, n, &err);
    ck_assert_msg(rc == ERR_OK, "roc_build: %s", err.msg);
}

static void assert_vertices(const struct roc *roc, const struct vertex *v,
                            size_t nv)
{
    ck_assert_uint_eq(roc->n_points, nv);
    for (size_t i = 0; i < nv; i++) {
        ck_assert_msg(roc->points[i].tp == v[i].tp &&
                          roc->points[i].fp == v[i].fp,
                      "point %zu: got (%llu,%llu), want (%llu,%llu)", i,
                      (unsigned long long)roc->points[i].tp,
                      (unsigned long long)roc->points[i].fp,
                      (unsigned long long)v[i].tp,
                      (unsigned long long)v[i].fp);
        ck_assert_double_eq(roc->points[i].threshold, v[i].threshold);
    }
}

/* Invariants of any roc_build/roc_downsample output.  One assertion for the
 * whole loop: Check logs every passing ck_assert, which is slow at 10^6. */
static void assert_roc_shape(const struct roc *roc)
{
    ck_assert_uint_ge(roc->n_points, 2);
    const struct roc_point *p = roc->points;
    ck_assert(p[0].tp == 0 && p[0].fp == 0);
    ck_assert(isinf(p[0].threshold) && p[0].threshold > 0);
    ck_assert(p[roc->n_points - 1].tp == roc->n_pos);
    ck_assert(p[roc->n_points - 1].fp == roc->n_neg);
    size_t bad = 0;
    for (size_t i = 1; i < roc->n_points && !bad; i++) {
        int ok = p[i].tp >= p[i - 1].tp && p[i].fp >= p[i - 1].fp &&
                 p[i].tp + p[i].fp > p[i - 1].tp + p[i - 1].fp &&
                 (p[i].threshold < p[i - 1].threshold ||
                  (i == 1 && isinf(p[i].threshold)));
        if (!ok)
            bad = i;
    }
    ck_assert_msg(bad == 0, "roc point %zu breaks monotonicity", bad);
}

/* Twice the Mann-Whitney U with ties = 1/2, by comparing every pair. */
static uint64_t brute_twice_u(const double *s, const uint8_t *m, size_t n)
{
    uint64_t u2 = 0;
    for (size_t i = 0; i < n; i++) {
        if (!m[i])
            continue;
        for (size_t j = 0; j < n; j++) {
            if (m[j])
                continue;
            u2 += s[i] > s[j] ? 2 : s[i] == s[j] ? 1 : 0;
        }
    }
    return u2;
}

static void counts(const uint8_t *m, size_t n, uint64_t *pos, uint64_t *neg)
{
    *pos = *neg = 0;
    for (size_t i = 0; i < n; i++) {
        if (m[i])
            ++*pos;
        else
            ++*neg;
    }
}

/* ---- hand-computed cases ---------------------------------------------- */

START_TEST(perfect_separation_should_give_auc_one)
{
    double s[4] = {4, 3, 2, 1};
    uint8_t m[4] = {1, 1, 0, 0};
    struct roc roc;
    build_ok(&roc, s, m, 4);
    static const struct vertex v[] = {
        {0, 0, INFINITY}, {1, 0, 4}, {2, 0, 3}, {2, 1, 2}, {2, 2, 1}};
    assert_vertices(&roc, v, 5);
    ck_assert_double_eq(roc_auc(&roc), 1.0);
    double t = 0;
    ck_assert_double_eq(roc_advantage(&roc, &t), 1.0);
    ck_assert_double_eq(t, 3.0);
    ck_assert_double_eq(roc_balanced_accuracy(&roc), 1.0);
    roc_release(&roc);
}
END_TEST

START_TEST(reversed_separation_should_give_auc_zero)
{
    double s[4] = {4, 3, 2, 1};
    uint8_t m[4] = {0, 0, 1, 1};
    struct roc roc;
    build_ok(&roc, s, m, 4);
    ck_assert_double_eq(roc_auc(&roc), 0.0);
    double t = 0;
    ck_assert_double_eq(roc_advantage(&roc, &t), 0.0);
    ck_assert(isinf(t) && t > 0);
    ck_assert_double_eq(roc_balanced_accuracy(&roc), 0.5);
    roc_release(&roc);
}
END_TEST

START_TEST(all_tied_scores_should_give_two_points_and_auc_half)
{
    double s[5] = {0.5, 0.5, 0.5, 0.5, 0.5};
    uint8_t m[5] = {1, 0, 1, 0, 0};
    struct roc roc;
    build_ok(&roc, s, m, 5);
    static const struct vertex v[] = {{0, 0, INFINITY}, {2, 3, 0.5}};
    assert_vertices(&roc, v, 2);
    ck_assert_uint_eq(roc.n_pos, 2);
    ck_assert_uint_eq(roc.n_neg, 3);
    ck_assert_double_eq(roc_auc(&roc), 0.5);
    ck_assert_double_eq(roc_advantage(&roc, NULL), 0.0);
    roc_release(&roc);
}
END_TEST

/*
 * Six examples with ties, P = N = 3:
 *   score  3  2  2  1  1  0
 *   member 1  1  0  1  0  0
 * vertices (tp,fp): (0,0) inf, (1,0) 3, (2,1) 2, (3,2) 1, (3,3) 0.
 * 2U = 0*(0+1) + 1*(1+2) + 1*(2+3) + 1*(3+3) = 14, AUC = 14/18 = 7/9;
 * sklearn agrees: python3 -c "from sklearn.metrics import roc_auc_score;
 *   print(roc_auc_score([1,1,0,1,0,0],[3,2,2,1,1,0]))" -> 0.7777777777777778
 * tp N - fp P = 0, 3, 3, 3, 0: advantage 3/9 = 1/3, first at threshold 3.
 */
static const double six_s[6] = {3, 2, 2, 1, 1, 0};
static const uint8_t six_m[6] = {1, 1, 0, 1, 0, 0};

START_TEST(six_examples_with_ties_should_give_listed_points)
{
    struct roc roc;
    build_ok(&roc, six_s, six_m, 6);
    static const struct vertex v[] = {
        {0, 0, INFINITY}, {1, 0, 3}, {2, 1, 2}, {3, 2, 1}, {3, 3, 0}};
    assert_vertices(&roc, v, 5);
    ck_assert_double_eq(roc_auc(&roc), 14.0 / 18.0);
    ck_assert_double_eq_tol(roc_auc(&roc), 0.7777777777777778, TOL);
    double t = 0;
    ck_assert_double_eq_tol(roc_advantage(&roc, &t), 1.0 / 3.0, TOL);
    ck_assert_double_eq(t, 3.0);
    ck_assert_double_eq_tol(roc_balanced_accuracy(&roc), 2.0 / 3.0, TOL);
    roc_release(&roc);
}
END_TEST

START_TEST(tpr_at_fpr_should_pick_largest_tpr_within_target)
{
    struct roc roc;
    build_ok(&roc, six_s, six_m, 6);
    static const struct {
        double target;
        uint64_t tp, fp;
        double threshold;
    } cases[] = {
        {0.0, 1, 0, 3},    {0.1, 1, 0, 3},    {1.0 / 3.0, 2, 1, 2},
        {0.5, 2, 1, 2},    {2.0 / 3.0, 3, 2, 1}, {0.9, 3, 2, 1},
        /* At FPR 1 TPR 1 is first reached at fp = 2 (smallest fp). */
        {1.0, 3, 2, 1},    {5.0, 3, 2, 1},
    };
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        struct tpr_at_fpr r = roc_tpr_at_fpr(&roc, cases[c].target);
        ck_assert_msg(r.tp == cases[c].tp && r.fp == cases[c].fp,
                      "target %g: got (%llu,%llu)", cases[c].target,
                      (unsigned long long)r.tp, (unsigned long long)r.fp);
        ck_assert_double_eq(r.target_fpr, cases[c].target);
        ck_assert_double_eq(r.tpr, (double)cases[c].tp / 3.0);
        ck_assert_double_eq(r.fpr, (double)cases[c].fp / 3.0);
        ck_assert_double_eq(r.threshold, cases[c].threshold);
    }
    roc_release(&roc);
}
END_TEST

START_TEST(tpr_at_fpr_should_fall_back_to_origin)
{
    /* The top score is a non-member, so any point past (0,0) has FPR >=
     * 1/2 > 0.1. */
    double s[4] = {5, 4, 3, 2};
    uint8_t m[4] = {0, 1, 0, 1};
    struct roc roc;
    build_ok(&roc, s, m, 4);
    static const double targets[] = {0.1, 0.0, -1.0, NAN};
    for (size_t c = 0; c < sizeof targets / sizeof targets[0]; c++) {
        struct tpr_at_fpr r = roc_tpr_at_fpr(&roc, targets[c]);
        ck_assert_double_eq(r.tpr, 0.0);
        ck_assert_double_eq(r.fpr, 0.0);
        ck_assert(r.tp == 0 && r.fp == 0);
        ck_assert(isinf(r.threshold) && r.threshold > 0);
    }
    roc_release(&roc);
}
END_TEST

START_TEST(advantage_should_match_known_case)
{
    /*
     * score  9 8 7 6 5 4 3 2 1 0
     * member 1 1 0 1 1 0 0 1 0 0   P = 5, N = 5
     * TPR - FPR after each score 9..0: .2 .4 .2 .4 .6 .4 .2 .4 .2 0, so
     * the maximum 0.6 is at threshold 5 (tp 4, fp 1).
     */
    double s[10] = {9, 8, 7, 6, 5, 4, 3, 2, 1, 0};
    uint8_t m[10] = {1, 1, 0, 1, 1, 0, 0, 1, 0, 0};
    struct roc roc;
    build_ok(&roc, s, m, 10);
    double t = 0;
    ck_assert_double_eq_tol(roc_advantage(&roc, &t), 0.6, TOL);
    ck_assert_double_eq(t, 5.0);
    ck_assert_double_eq_tol(roc_balanced_accuracy(&roc), 0.8, TOL);
    roc_release(&roc);
}
END_TEST

/*
 * Fixed 20-example dataset with ties, checked against sklearn 1.2.1:
 * /usr/bin/python3 -c "from sklearn.metrics import roc_auc_score, roc_curve
 * y=[1,0,1,1,0,0,1,0,1,0,0,1,0,1,1,0,0,0,1,0]
 * s=[0.9,0.8,0.8,0.7,0.6,0.55,0.55,0.55,0.4,0.3,0.3,0.3,0.2,0.2,0.1,0.1,
 *    0.05,0.05,-1.0,2.5]
 * print(repr(roc_auc_score(y,s)))
 * f,t,th=roc_curve(y,s,drop_intermediate=False); print(f*11, t*9)"
 * -> 0.5303030303030303
 *    fp: 0 1 1 2 2 3 5 5 7 8 9 11 11   tp: 0 0 1 2 3 3 4 5 6 7 8 8 9
 */
START_TEST(auc_and_points_should_match_sklearn)
{
    static const double s[20] = {0.9, 0.8,  0.8,  0.7,  0.6, 0.55, 0.55,
                                 0.55, 0.4, 0.3,  0.3,  0.3, 0.2,  0.2,
                                 0.1, 0.1, 0.05, 0.05, -1.0, 2.5};
    static const uint8_t m[20] = {1, 0, 1, 1, 0, 0, 1, 0, 1, 0,
                                  0, 1, 0, 1, 1, 0, 0, 0, 1, 0};
    static const uint64_t fp[13] = {0, 1, 1, 2, 2, 3, 5, 5, 7, 8, 9, 11, 11};
    static const uint64_t tp[13] = {0, 0, 1, 2, 3, 3, 4, 5, 6, 7, 8, 8, 9};
    static const double th[13] = {INFINITY, 2.5, 0.9, 0.8, 0.7, 0.6, 0.55,
                                  0.4, 0.3, 0.2, 0.1, 0.05, -1.0};
    struct roc roc;
    build_ok(&roc, s, m, 20);
    ck_assert_uint_eq(roc.n_points, 13);
    for (size_t i = 0; i < 13; i++) {
        ck_assert(roc.points[i].tp == tp[i] && roc.points[i].fp == fp[i]);
        ck_assert_double_eq(roc.points[i].threshold, th[i]);
    }
    ck_assert_double_eq_tol(roc_auc(&roc), 0.5303030303030303, TOL);
    roc_release(&roc);
}
END_TEST

/* ---- randomised cross-checks ------------------------------------------ */

START_TEST(auc_should_equal_brute_force_mann_whitney_with_ties)
{
    enum { MAXN = 300 };
    double s[MAXN];
    uint8_t m[MAXN];
    for (uint64_t c = 0; c < 50; c++) {
        struct rng r;
        rng_seed(&r, 1000 + c);
        size_t n = 2 + (size_t)rng_below(&r, MAXN - 1);
        uint64_t levels = 1 + rng_below(&r, c % 2 ? 8 : 1000);
        for (size_t i = 0; i < n; i++) {
            s[i] = (double)rng_below(&r, levels) - 3.0;
            m[i] = (uint8_t)rng_below(&r, 2);
        }
        /* Force one member and one non-member at distinct positions. */
        size_t a = (size_t)rng_below(&r, n);
        size_t b = (a + 1 + (size_t)rng_below(&r, n - 1)) % n;
        m[a] = 1;
        m[b] = 0;

        uint64_t pos, neg;
        counts(m, n, &pos, &neg);
        struct roc roc;
        build_ok(&roc, s, m, n);
        assert_roc_shape(&roc);
        ck_assert_uint_eq(roc.n_pos, pos);
        ck_assert_uint_eq(roc.n_neg, neg);
        uint64_t u2 = brute_twice_u(s, m, n);
        double want = (double)u2 / (2.0 * (double)pos * (double)neg);
        ck_assert_msg(roc_auc(&roc) == want, "case %llu: auc %.17g, want %.17g",
                      (unsigned long long)c, roc_auc(&roc), want);

        /* Brute force advantage and TPR@FPR over every distinct threshold
         * (a threshold equal to some score, plus +inf). */
        double best_adv = 0.0;
        double targets[3] = {0.01, 0.1, 0.5};
        uint64_t best_tp[3] = {0, 0, 0};
        for (size_t x = 0; x < n; x++) {
            uint64_t tp = 0, fp = 0;
            for (size_t z = 0; z < n; z++) {
                if (s[z] < s[x])
                    continue;
                if (m[z])
                    tp++;
                else
                    fp++;
            }
            double adv = (double)tp / (double)pos - (double)fp / (double)neg;
            if (adv > best_adv)
                best_adv = adv;
            for (size_t q = 0; q < 3; q++)
                if ((double)fp / (double)neg <= targets[q] && tp > best_tp[q])
                    best_tp[q] = tp;
        }
        ck_assert_double_eq_tol(roc_advantage(&roc, NULL), best_adv, 1e-12);
        for (size_t q = 0; q < 3; q++) {
            struct tpr_at_fpr t = roc_tpr_at_fpr(&roc, targets[q]);
            ck_assert_uint_eq(t.tp, best_tp[q]);
            ck_assert(t.fpr <= targets[q]);
        }
        roc_release(&roc);
    }
}
END_TEST

/* n = 10^6 distinct scores: AUC from the rank sum,
 * 2U = 2 * (sum of members' ascending ranks - P (P + 1) / 2). */
START_TEST(million_distinct_scores_should_match_rank_sum)
{
    enum { N = 1000000 };
    size_t *perm = malloc(N * sizeof *perm);
    double *s = malloc(N * sizeof *s);
    uint8_t *m = malloc(N);
    ck_assert(perm && s && m);
    struct rng r;
    rng_seed(&r, 42);
    rng_permutation(&r, perm, N);
    uint64_t pos = 0, rank_sum = 0;
    for (size_t i = 0; i < N; i++) {
        s[i] = (double)perm[i] * 0.5 - 1000.0;
        /* Members a bit more likely among high scores. */
        m[i] = rng_below(&r, N + perm[i]) >= (uint64_t)N / 2;
        if (m[i]) {
            pos++;
            rank_sum += perm[i] + 1;
        }
    }
    uint64_t neg = N - pos;
    struct roc roc;
    build_ok(&roc, s, m, N);
    ck_assert_uint_eq(roc.n_points, N + 1);
    assert_roc_shape(&roc);
    uint64_t u2 = 2 * rank_sum - pos * (pos + 1);
    double want = (double)u2 / (2.0 * (double)pos * (double)neg);
    ck_assert_double_eq(roc_auc(&roc), want);
    ck_assert(want > 0.55);
    roc_release(&roc);
    free(perm);
    free(s);
    free(m);
}
END_TEST

/* n = 10^6 scores on 1000 levels: 2U from per-level counts,
 * 2U = sum_v pos[v] (2 * neg_below[v] + neg[v]). */
START_TEST(million_tied_scores_should_match_level_counts)
{
    enum { N = 1000000, L = 1000 };
    double *s = malloc(N * sizeof *s);
    uint8_t *m = malloc(N);
    uint64_t *pl = calloc(L, sizeof *pl), *nl = calloc(L, sizeof *nl);
    ck_assert(s && m && pl && nl);
    struct rng r;
    rng_seed(&r, 7);
    for (size_t i = 0; i < N; i++) {
        uint64_t v = rng_below(&r, L);
        s[i] = (double)v;
        m[i] = rng_below(&r, 3 * L) < L + v;
        if (m[i])
            pl[v]++;
        else
            nl[v]++;
    }
    uint64_t u2 = 0, below = 0, pos = 0, neg = 0;
    for (size_t v = 0; v < L; v++) {
        u2 += pl[v] * (2 * below + nl[v]);
        below += nl[v];
        pos += pl[v];
        neg += nl[v];
    }
    struct roc roc;
    build_ok(&roc, s, m, N);
    ck_assert_uint_eq(roc.n_points, L + 1);
    double want = (double)u2 / (2.0 * (double)pos * (double)neg);
    ck_assert_double_eq(roc_auc(&roc), want);
    roc_release(&roc);
    free(s);
    free(m);
    free(pl);
    free(nl);
}
END_TEST

/* ---- downsampling ----------------------------------------------------- */

START_TEST(downsample_should_keep_endpoints_monotone_and_bounded)
{
    enum { N = 20000 };
    double *s = malloc(N * sizeof *s);
    uint8_t *m = malloc(N);
    ck_assert(s && m);
    struct rng r;
    rng_seed(&r, 99);
    for (size_t i = 0; i < N; i++) {
        m[i] = (uint8_t)rng_below(&r, 2);
        s[i] = rng_normal(&r) + (m[i] ? 0.7 : 0.0);
    }
    struct roc roc;
    build_ok(&roc, s, m, N);
    static const size_t budgets[] = {16, 17, 64, 101, 1000};
    for (size_t b = 0; b < sizeof budgets / sizeof budgets[0]; b++) {
        struct roc d;
        struct error err;
        error_clear(&err);
        ck_assert_int_eq(roc_downsample(&roc, budgets[b], &d, &err), ERR_OK);
        ck_assert_uint_le(d.n_points, budgets[b]);
        ck_assert_uint_ge(d.n_points, 3);
        assert_roc_shape(&d);
        ck_assert(d.n_pos == roc.n_pos && d.n_neg == roc.n_neg);

        /* The first point with fp > 0 is kept. */
        size_t f = 1;
        while (roc.points[f].fp == 0)
            f++;
        int found = 0;
        for (size_t i = 0; i < d.n_points; i++)
            found |= d.points[i].tp == roc.points[f].tp &&
                     d.points[i].fp == roc.points[f].fp;
        ck_assert(found);

        /* Every kept point is an original vertex (matched by threshold). */
        size_t j = 0;
        for (size_t i = 0; i < d.n_points; i++) {
            while (j < roc.n_points &&
                   roc.points[j].threshold != d.points[i].threshold)
                j++;
            ck_assert_uint_lt(j, roc.n_points);
            ck_assert(roc.points[j].tp == d.points[i].tp &&
                      roc.points[j].fp == d.points[i].fp);
        }

        /* At the grid ends the downsampled curve answers TPR@FPR exactly. */
        double lo = 1.0 / (double)roc.n_neg;
        ck_assert_uint_eq(roc_tpr_at_fpr(&d, lo).tp,
                          roc_tpr_at_fpr(&roc, lo).tp);
        ck_assert_uint_eq(roc_tpr_at_fpr(&d, 1.0).tp, roc.n_pos);
        roc_release(&d);
    }
    roc_release(&roc);
    free(s);
    free(m);
}
END_TEST

START_TEST(downsample_should_copy_small_roc)
{
    struct roc roc, d;
    build_ok(&roc, six_s, six_m, 6);
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(roc_downsample(&roc, 16, &d, &err), ERR_OK);
    ck_assert_uint_eq(d.n_points, roc.n_points);
    ck_assert_ptr_ne(d.points, roc.points);
    ck_assert_int_eq(memcmp(d.points, roc.points,
                            roc.n_points * sizeof *roc.points), 0);
    roc_release(&d);
    roc_release(&roc);
}
END_TEST

START_TEST(downsample_should_reject_tiny_budget)
{
    struct roc roc, d;
    build_ok(&roc, six_s, six_m, 6);
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(roc_downsample(&roc, 15, &d, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "max_points"));
    ck_assert_ptr_null(d.points);
    roc_release(&d);
    roc_release(&roc);
}
END_TEST

/* ---- errors ----------------------------------------------------------- */

START_TEST(nan_score_should_be_input_error_naming_index)
{
    double s[4] = {0.1, 0.2, NAN, 0.4};
    uint8_t m[4] = {1, 0, 1, 0};
    struct roc roc;
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(roc_build(&roc, s, m, 4, &err), ERR_INPUT);
    ck_assert_int_eq(err.code, ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "index 2"));
    ck_assert_ptr_null(roc.points);
    roc_release(&roc);
}
END_TEST

START_TEST(single_class_or_empty_should_be_input_error)
{
    double s[3] = {0.1, 0.2, 0.3};
    uint8_t all_in[3] = {1, 1, 1}, all_out[3] = {0, 0, 0};
    struct roc roc;
    struct error err;
    error_clear(&err);
    ck_assert_int_eq(roc_build(&roc, s, all_in, 3, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "non-member"));
    ck_assert_ptr_null(roc.points);
    ck_assert_int_eq(roc_build(&roc, s, all_out, 3, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "0 members"));
    ck_assert_int_eq(roc_build(&roc, s, all_in, 0, &err), ERR_INPUT);
    ck_assert_ptr_nonnull(strstr(err.msg, "n = 0"));
    roc_release(&roc);
    roc_release(NULL);
}
END_TEST

START_TEST(infinite_scores_should_be_accepted)
{
    double s[4] = {INFINITY, 1.0, -INFINITY, 0.0};
    uint8_t m[4] = {1, 0, 0, 1};
    struct roc roc;
    build_ok(&roc, s, m, 4);
    static const struct vertex v[] = {{0, 0, INFINITY},
                                      {1, 0, INFINITY},
                                      {1, 1, 1.0},
                                      {2, 1, 0.0},
                                      {2, 2, -INFINITY}};
    assert_vertices(&roc, v, 5);
    /* 2U = 1*(1+1) + 1*(2+2) = 6 of 2PN = 8. */
    ck_assert_double_eq(roc_auc(&roc), 0.75);
    roc_release(&roc);
}
END_TEST

Suite *metrics_suite(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("core");
    tcase_add_test(tc, perfect_separation_should_give_auc_one);
    tcase_add_test(tc, reversed_separation_should_give_auc_zero);
    tcase_add_test(tc, all_tied_scores_should_give_two_points_and_auc_half);
    tcase_add_test(tc, six_examples_with_ties_should_give_listed_points);
    tcase_add_test(tc, tpr_at_fpr_should_pick_largest_tpr_within_target);
    tcase_add_test(tc, tpr_at_fpr_should_fall_back_to_origin);
    tcase_add_test(tc, advantage_should_match_known_case);
    tcase_add_test(tc, auc_and_points_should_match_sklearn);
    tcase_add_test(tc, auc_should_equal_brute_force_mann_whitney_with_ties);
    tcase_add_test(tc, downsample_should_keep_endpoints_monotone_and_bounded);
    tcase_add_test(tc, downsample_should_copy_small_roc);
    tcase_add_test(tc, downsample_should_reject_tiny_budget);
    tcase_add_test(tc, nan_score_should_be_input_error_naming_index);
    tcase_add_test(tc, single_class_or_empty_should_be_input_error);
    tcase_add_test(tc, infinite_scores_should_be_accepted);
    suite_add_tcase(s, tc);

    /* n = 10^6: generous timeout for slow machines and sanitizers. */
    TCase *big = tcase_create("large");
    tcase_set_timeout(big, 120);
    tcase_add_test(big, million_distinct_scores_should_match_rank_sum);
    tcase_add_test(big, million_tied_scores_should_match_level_counts);
    suite_add_tcase(s, big);
    return s;
}

/*
 * attacks/metrics.c - exact ROC and the metrics read off it (see metrics.h).
 *
 * Method: the examples are sorted once by score, descending (qsort over
 * (score, index) pairs; equal scores are ordered by index so the sort is
 * deterministic even though qsort is not stable), then swept from the top.
 * Each run of equal scores moves the counts together and yields one ROC
 * vertex, so the curve is exact and O(n log n).
 *
 * AUC: the trapezoid rule over the vertices, accumulated in integers:
 * 2U = sum_i (fp_i - fp_{i-1}) (tp_i + tp_{i-1}), which is twice the
 * Mann-Whitney U statistic with ties counted one half (Hanley and McNeil
 * 1982; Fawcett 2006, "An introduction to ROC analysis", Alg. 2).  The
 * integer is exact (it is <= 2PN < 2^64 for n < 6e9) and only the final
 * division rounds, so AUC equals the brute-force pair count bit for bit.
 */
#include "attacks/metrics.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct keyed {
    double score;
    size_t index;
};

/* Descending by score, then ascending by original index. */
static int cmp_keyed_desc(const void *a, const void *b)
{
    const struct keyed *x = a, *y = b;
    if (x->score > y->score)
        return -1;
    if (x->score < y->score)
        return 1;
    if (x->index < y->index)
        return -1;
    if (x->index > y->index)
        return 1;
    return 0;
}

static int cmp_size(const void *a, const void *b)
{
    size_t x = *(const size_t *)a, y = *(const size_t *)b;
    return (x > y) - (x < y);
}

void roc_release(struct roc *roc)
{
    if (!roc)
        return;
    free(roc->points);
    memset(roc, 0, sizeof *roc);
}

int roc_build(struct roc *roc, const double *scores, const uint8_t *member,
              size_t n, struct error *err)
{
    int rc = ERR_OK;
    struct keyed *order = NULL;
    struct roc_point *pts = NULL;

    memset(roc, 0, sizeof *roc);
    if (n == 0) {
        rc = error_set(err, ERR_INPUT, "membership scores: no examples (n = 0)");
        goto cleanup;
    }

    uint64_t n_pos = 0;
    for (size_t i = 0; i < n; i++) {
        if (isnan(scores[i])) {
            rc = error_set(err, ERR_INPUT,
                           "membership scores: score at index %zu is nan", i);
            goto cleanup;
        }
        n_pos += member[i] != 0;
    }
    uint64_t n_neg = (uint64_t)n - n_pos;
    if (n_pos == 0 || n_neg == 0) {
        rc = error_set(err, ERR_INPUT,
                       "membership scores: need at least one member and one "
                       "non-member, got %llu members and %llu non-members",
                       (unsigned long long)n_pos, (unsigned long long)n_neg);
        goto cleanup;
    }
    if (n >= (size_t)-1 / sizeof *pts) {
        rc = error_set(err, ERR_NOMEM, "membership scores: %zu examples "
                       "overflow the sort buffer", n);
        goto cleanup;
    }

    order = malloc(n * sizeof *order);
    pts = malloc((n + 1) * sizeof *pts);
    if (!order || !pts) {
        rc = error_set(err, ERR_NOMEM,
                       "membership scores: cannot allocate the roc of %zu "
                       "examples", n);
        goto cleanup;
    }
    for (size_t i = 0; i < n; i++) {
        order[i].score = scores[i];
        order[i].index = i;
    }
    qsort(order, n, sizeof *order, cmp_keyed_desc);

    size_t np = 0;
    uint64_t tp = 0, fp = 0;
    pts[np++] = (struct roc_point){.threshold = INFINITY, .tp = 0, .fp = 0};
    for (size_t i = 0; i < n;) {
        double s = order[i].score;
        /* == groups -0.0 with +0.0 and inf with inf, as the comparator does. */
        while (i < n && order[i].score == s) {
            if (member[order[i].index])
                tp++;
            else
                fp++;
            i++;
        }
        pts[np++] = (struct roc_point){.threshold = s, .tp = tp, .fp = fp};
    }

    struct roc_point *shrunk = realloc(pts, np * sizeof *pts);
    if (shrunk)
        pts = shrunk;
    roc->points = pts;
    roc->n_points = np;
    roc->n_pos = n_pos;
    roc->n_neg = n_neg;
    pts = NULL;

cleanup:
    free(order);
    free(pts);
    return rc;
}

double roc_auc(const struct roc *roc)
{
    const struct roc_point *p = roc->points;
    if (roc->n_points == 0 || roc->n_pos == 0 || roc->n_neg == 0)
        return NAN;
    double pn = (double)roc->n_pos * (double)roc->n_neg;
    if (roc->n_pos <= UINT64_MAX / 2 / roc->n_neg) {
        uint64_t twice_u = 0;
        for (size_t i = 1; i < roc->n_points; i++)
            twice_u += (p[i].fp - p[i - 1].fp) * (p[i].tp + p[i - 1].tp);
        return (double)twice_u / (2.0 * pn);
    }
    /* Beyond 6e9 examples: long double, no longer exact to the last bit. */
    long double twice_u = 0.0L;
    for (size_t i = 1; i < roc->n_points; i++)
        twice_u += (long double)(p[i].fp - p[i - 1].fp) *
                   (long double)(p[i].tp + p[i - 1].tp);
    return (double)(twice_u / (2.0L * (long double)pn));
}

/*
 * Index of the point reported for FPR <= target: among the points with
 * fp / N <= target (a prefix, as fp increases), the one with the largest tp,
 * and of those the one with the smallest fp (the corner of the step).  0
 * when only (0,0) qualifies, or none does (target < 0 or NaN).
 */
static size_t tpr_at_fpr_index(const struct roc *roc, double target)
{
    const struct roc_point *p = roc->points;
    double nn = (double)roc->n_neg;
    if (!((double)p[0].fp / nn <= target))
        return 0;
    /* Last index with fp / N <= target: p[lo] qualifies, p[hi] does not. */
    size_t lo = 0, hi = roc->n_points;
    while (hi - lo > 1) {
        size_t mid = lo + (hi - lo) / 2;
        if ((double)p[mid].fp / nn <= target)
            lo = mid;
        else
            hi = mid;
    }
    /* First index with tp == p[lo].tp (tp is non-decreasing). */
    uint64_t best = p[lo].tp;
    size_t a = 0, b = lo; /* p[b].tp == best; answer in [a, b] */
    while (a < b) {
        size_t mid = a + (b - a) / 2;
        if (p[mid].tp == best)
            b = mid;
        else
            a = mid + 1;
    }
    return a;
}

struct tpr_at_fpr roc_tpr_at_fpr(const struct roc *roc, double target_fpr)
{
    size_t i = tpr_at_fpr_index(roc, target_fpr);
    const struct roc_point *p = &roc->points[i];
    return (struct tpr_at_fpr){
        .target_fpr = target_fpr,
        .fpr = (double)p->fp / (double)roc->n_neg,
        .tpr = (double)p->tp / (double)roc->n_pos,
        .tp = p->tp,
        .fp = p->fp,
        .threshold = p->threshold,
    };
}

/*
 * Yeom et al. 2018, Def. 4: advantage = TPR - FPR, maximised over the
 * thresholds.  Compared as tp N - fp P (exact in double while the products
 * stay below 2^53, i.e. for any realistic n), so equal advantages tie
 * exactly and the first (highest-threshold) maximiser wins.
 */
double roc_advantage(const struct roc *roc, double *threshold_out)
{
    const struct roc_point *p = roc->points;
    double pp = (double)roc->n_pos, nn = (double)roc->n_neg;
    size_t best = 0;
    double best_num = (double)p[0].tp * nn - (double)p[0].fp * pp;
    for (size_t i = 1; i < roc->n_points; i++) {
        double num = (double)p[i].tp * nn - (double)p[i].fp * pp;
        if (num > best_num) {
            best_num = num;
            best = i;
        }
    }
    if (threshold_out)
        *threshold_out = p[best].threshold;
    return best_num / (pp * nn);
}

double roc_balanced_accuracy(const struct roc *roc)
{
    return (1.0 + roc_advantage(roc, NULL)) / 2.0;
}

int roc_downsample(const struct roc *roc, size_t max_points, struct roc *out,
                   struct error *err)
{
    int rc = ERR_OK;
    size_t *keep = NULL;

    memset(out, 0, sizeof *out);
    if (max_points < 16) {
        rc = error_set(err, ERR_INPUT,
                       "roc downsample: expected max_points >= 16, got %zu",
                       max_points);
        goto cleanup;
    }
    out->n_pos = roc->n_pos;
    out->n_neg = roc->n_neg;

    if (roc->n_points <= max_points) {
        out->points = malloc(roc->n_points * sizeof *out->points);
        if (!out->points) {
            rc = error_set(err, ERR_NOMEM, "roc downsample: out of memory");
            goto cleanup;
        }
        memcpy(out->points, roc->points, roc->n_points * sizeof *out->points);
        out->n_points = roc->n_points;
        goto cleanup;
    }

    /* Candidate budget: 3 fixed points, then about half log grid and half
     * linear grid, so at most max_points before deduplication. */
    size_t n_log = (max_points - 3) / 2;
    size_t n_lin = max_points - 3 - n_log;
    keep = malloc(max_points * sizeof *keep);
    if (!keep) {
        rc = error_set(err, ERR_NOMEM, "roc downsample: out of memory");
        goto cleanup;
    }
    size_t nk = 0;
    size_t last = roc->n_points - 1;
    keep[nk++] = 0;
    keep[nk++] = last;
    size_t first_fp = 1;
    while (first_fp < last && roc->points[first_fp].fp == 0)
        first_fp++;
    keep[nk++] = first_fp;

    /* Log grid: FPR = N^{-(1 - g/(n_log-1))}, from 1/N to 1.  The end points
     * are set exactly so rounding cannot push them past a vertex. */
    double log_n = log((double)roc->n_neg);
    for (size_t g = 0; g < n_log; g++) {
        double f;
        if (g == 0)
            f = 1.0 / (double)roc->n_neg;
        else if (g == n_log - 1)
            f = 1.0;
        else
            f = exp(-log_n * (1.0 - (double)g / (double)(n_log - 1)));
        keep[nk++] = tpr_at_fpr_index(roc, f);
    }
    /* Linear grid for the upper part: FPR = j / n_lin, j = 1..n_lin. */
    for (size_t j = 1; j <= n_lin; j++)
        keep[nk++] = tpr_at_fpr_index(roc, (double)j / (double)n_lin);

    qsort(keep, nk, sizeof *keep, cmp_size);
    size_t nu = 0;
    for (size_t i = 0; i < nk; i++)
        if (nu == 0 || keep[i] != keep[nu - 1])
            keep[nu++] = keep[i];

    out->points = malloc(nu * sizeof *out->points);
    if (!out->points) {
        rc = error_set(err, ERR_NOMEM, "roc downsample: out of memory");
        goto cleanup;
    }
    for (size_t i = 0; i < nu; i++)
        out->points[i] = roc->points[keep[i]];
    out->n_points = nu;

cleanup:
    free(keep);
    if (rc != ERR_OK)
        roc_release(out);
    return rc;
}

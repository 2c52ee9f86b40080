/*
 * audit/bounds.c - empirical epsilon lower bounds (see bounds.h).
 *
 * References:
 *   Kairouz, Oh, Viswanath, "The composition theorem for differential
 *     privacy", ICML 2015: an (eps, delta)-DP mechanism gives every test
 *     TPR <= e^eps FPR + delta and TNR <= e^eps FNR + delta.
 *   Jagielski, Ullman, Oprea, "Auditing differentially private machine
 *     learning: how private is private SGD?", NeurIPS 2020, Sec. 4: replace
 *     FPR and FNR by Clopper-Pearson upper confidence bounds.
 *   Nasr, Song, Thakurta, Papernot, Carlini, "Adversary instantiation: lower
 *     bounds for differentially private machine learning", IEEE S&P 2021,
 *     eq. (2): the delta term in both directions.
 *   Clopper, Pearson, "The use of confidence or fiducial limits illustrated
 *     in the case of the binomial", Biometrika 26, 1934: the one-sided upper
 *     limit p with P[Bin(n, p) <= k] = alpha is the Beta(k+1, n-k) quantile
 *     at 1 - alpha.
 *
 * Numerics: the Beta quantile comes from specfun_betaincc_inv (upper-tail
 * inverse, so small limits keep full relative accuracy); k = 0 uses the
 * closed form 1 - alpha^(1/n) as -expm1(log(alpha) / n), which does not
 * cancel for large n.
 */
#include "audit/bounds.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/specfun.h"

double bounds_cp_upper(uint64_t k, uint64_t n, double alpha)
{
    if (!(alpha > 0.0 && alpha < 1.0) || k > n)
        return NAN;
    if (n == 0 || k == n)
        return 1.0;
    if (k == 0)
        return -expm1(log(alpha) / (double)n);
    /* P[Bin(n, p) <= k] = 1 - I_p(k + 1, n - k) = alpha */
    return specfun_betaincc_inv((double)k + 1.0, (double)(n - k), alpha);
}

/* eps from the two upper bounds (header formula); *dir = +1, -1 or 0. */
static double eps_from_upper(double fpr_hi, double fnr_hi, double delta,
                             int *dir)
{
    double e1 = 0.0, e2 = 0.0;
    double num1 = 1.0 - delta - fnr_hi; /* lower bound on TPR - delta */
    double num2 = 1.0 - delta - fpr_hi; /* lower bound on TNR - delta */
    if (num1 > 0.0 && fpr_hi > 0.0)
        e1 = log(num1) - log(fpr_hi);
    if (num2 > 0.0 && fnr_hi > 0.0)
        e2 = log(num2) - log(fnr_hi);
    *dir = 0;
    double e = 0.0;
    if (e1 > e) {
        e = e1;
        *dir = 1;
    }
    if (e2 > e) {
        e = e2;
        *dir = -1;
    }
    if (!isfinite(e)) { /* unreachable: the upper bounds are > 0 */
        e = 0.0;
        *dir = 0;
    }
    return e;
}

/* The bound for validated arguments with a given total alpha. */
static void cp_from_counts(uint64_t tp, uint64_t fn, uint64_t fp, uint64_t tn,
                           double delta, double alpha, struct cp_bound *out)
{
    memset(out, 0, sizeof *out);
    uint64_t neg = fp + tn, pos = tp + fn;
    out->tp = tp;
    out->fn = fn;
    out->fp = fp;
    out->tn = tn;
    out->delta = delta;
    out->confidence = 1.0 - alpha;
    out->fpr = neg ? (double)fp / (double)neg : 0.0;
    out->fnr = pos ? (double)fn / (double)pos : 0.0;
    out->fpr_upper = bounds_cp_upper(fp, neg, alpha / 2.0);
    out->fnr_upper = bounds_cp_upper(fn, pos, alpha / 2.0);
    out->epsilon_lower_bound =
        eps_from_upper(out->fpr_upper, out->fnr_upper, delta, &out->direction);
}

int bounds_check_levels(double delta, double confidence, struct error *err)
{
    if (!(delta >= 0.0 && delta < 1.0))
        return error_set(err, ERR_INPUT, "'delta': expected a number in [0, 1), got %g",
                         delta);
    if (!(confidence > 0.0 && confidence < 1.0))
        return error_set(err, ERR_INPUT,
                         "'confidence': expected a number in (0, 1), got %g", confidence);
    return 0;
}

int bounds_clopper_pearson(uint64_t tp, uint64_t fn, uint64_t fp, uint64_t tn,
                           double delta, double confidence,
                           struct cp_bound *out, struct error *err)
{
    if (!out)
        return error_set(err, ERR_INTERNAL,
                         "bounds_clopper_pearson: 'out' is NULL");
    memset(out, 0, sizeof *out);
    int rc = bounds_check_levels(delta, confidence, err);
    if (rc)
        return rc;
    if (tp > UINT64_MAX - fn || fp > UINT64_MAX - tn)
        return error_set(err, ERR_INPUT,
                         "'counts': tp + fn or fp + tn overflows 64 bits");
    cp_from_counts(tp, fn, fp, tn, delta, 1.0 - confidence, out);
    return 0;
}

const char *bounds_threshold_mode_name(enum threshold_mode m)
{
    switch (m) {
    case THRESHOLD_SPLIT: return "split";
    case THRESHOLD_UNION: return "union";
    default: return "unknown";
    }
}

/* ------------------------------------------------------------------ */
/* Threshold scans                                                     */
/* ------------------------------------------------------------------ */

struct item {
    double s;
    uint8_t m;
};

static int cmp_desc(const void *pa, const void *pb)
{
    double a = ((const struct item *)pa)->s, b = ((const struct item *)pb)->s;
    return (a < b) - (a > b);
}

/* Clopper-Pearson limits memoised by count: a threshold sweep moves one
 * count at a time, so each of the O(n) distinct (k, n) pairs is inverted
 * once instead of twice per threshold. */
struct scan {
    uint64_t n_mem, n_non;
    double delta, alpha; /* total alpha per threshold (alpha/2 per side) */
    double *fpr_hi;      /* [n_non + 1], NAN = not yet computed */
    double *fnr_hi;      /* [n_mem + 1] */
    /* best candidate so far */
    int have;
    double best_eps, best_pe, best_t;
};

static int scan_init(struct scan *sc, uint64_t n_mem, uint64_t n_non,
                     double delta, double alpha)
{
    memset(sc, 0, sizeof *sc);
    sc->n_mem = n_mem;
    sc->n_non = n_non;
    sc->delta = delta;
    sc->alpha = alpha;
    sc->fpr_hi = malloc((size_t)(n_non + 1) * sizeof *sc->fpr_hi);
    sc->fnr_hi = malloc((size_t)(n_mem + 1) * sizeof *sc->fnr_hi);
    if (!sc->fpr_hi || !sc->fnr_hi)
        return ERR_NOMEM;
    for (uint64_t i = 0; i <= n_non; i++)
        sc->fpr_hi[i] = NAN;
    for (uint64_t i = 0; i <= n_mem; i++)
        sc->fnr_hi[i] = NAN;
    return 0;
}

static void scan_release(struct scan *sc)
{
    free(sc->fpr_hi);
    free(sc->fnr_hi);
    sc->fpr_hi = sc->fnr_hi = NULL;
}

/* max(log((1-d-fnr)/fpr), log((1-d-fpr)/fnr)) from the point estimates,
 * with x/0 = +inf for x > 0; -inf when both numerators are <= 0. */
static double point_log_ratio(double fpr, double fnr, double delta)
{
    double r = -INFINITY;
    double n1 = 1.0 - delta - fnr, n2 = 1.0 - delta - fpr;
    if (n1 > 0.0)
        r = fpr > 0.0 ? log(n1) - log(fpr) : INFINITY;
    if (n2 > 0.0) {
        double r2 = fnr > 0.0 ? log(n2) - log(fnr) : INFINITY;
        if (r2 > r)
            r = r2;
    }
    return r;
}

/* Offer threshold t with counts tp (members >= t) and fp (non-members >= t).
 * Candidates must be offered in decreasing t: ties in (eps, point ratio)
 * keep the earlier, i.e. larger, threshold. */
static void scan_offer(struct scan *sc, double t, uint64_t tp, uint64_t fp)
{
    uint64_t fn = sc->n_mem - tp;
    double fpr = (double)fp / (double)sc->n_non;
    double fnr = (double)fn / (double)sc->n_mem;
    double pe = point_log_ratio(fpr, fnr, sc->delta);
    double eps = 0.0;
    /* Both directions are positive iff FPR_hi + FNR_hi < 1 - delta, and the
     * Clopper-Pearson limits at level alpha/2 < 1/2 are >= the point
     * estimates, so fpr + fnr >= 1 - delta means eps = 0 exactly. */
    if (fpr + fnr < 1.0 - sc->delta) {
        double *f = &sc->fpr_hi[fp], *g = &sc->fnr_hi[fn];
        if (isnan(*f))
            *f = bounds_cp_upper(fp, sc->n_non, sc->alpha / 2.0);
        if (isnan(*g))
            *g = bounds_cp_upper(fn, sc->n_mem, sc->alpha / 2.0);
        int dir;
        eps = eps_from_upper(*f, *g, sc->delta, &dir);
    }
    if (!sc->have || eps > sc->best_eps ||
        (eps == sc->best_eps && pe > sc->best_pe)) {
        sc->have = 1;
        sc->best_eps = eps;
        sc->best_pe = pe;
        sc->best_t = t;
    }
}

/* Sweep items (sorted by decreasing score) over every distinct score. */
static size_t scan_all_distinct(struct scan *sc, const struct item *it,
                                size_t n)
{
    uint64_t tp = 0, fp = 0;
    size_t count = 0;
    for (size_t i = 0; i < n;) {
        double t = it[i].s;
        while (i < n && it[i].s == t) {
            if (it[i].m)
                tp++;
            else
                fp++;
            i++;
        }
        scan_offer(sc, t, tp, fp);
        count++;
    }
    return count;
}

static size_t count_distinct(const struct item *it, size_t n)
{
    size_t d = 0;
    for (size_t i = 0; i < n; i++)
        if (i == 0 || it[i].s != it[i - 1].s)
            d++;
    return d;
}

static int bounds_split(const double *scores, const uint8_t *member, size_t n,
                        double delta, double confidence, struct rng *rng,
                        struct scores_bound *out, struct error *err)
{
    int rc = 0;
    size_t *mem = NULL, *non = NULL;
    struct item *sel = NULL;
    struct scan sc = {0};
    size_t n_mem = 0, n_non = 0;

    for (size_t i = 0; i < n; i++)
        n_mem += member[i] != 0;
    n_non = n - n_mem;
    if (n_mem < 2 || n_non < 2) {
        rc = error_set(err, ERR_INPUT,
                       "threshold mode 'split' needs at least 2 members and 2 "
                       "non-members, got %zu and %zu",
                       n_mem, n_non);
        goto cleanup;
    }
    mem = malloc(n_mem * sizeof *mem);
    non = malloc(n_non * sizeof *non);
    if (!mem || !non)
        goto nomem;
    size_t a = 0, b = 0;
    for (size_t i = 0; i < n; i++) {
        if (member[i])
            mem[a++] = i;
        else
            non[b++] = i;
    }
    /* Members first, then non-members: the split depends only on the rng
     * state and the class sizes. */
    rng_shuffle(rng, mem, n_mem);
    rng_shuffle(rng, non, n_non);
    size_t sm = n_mem / 2, sn = n_non / 2;

    sel = malloc((sm + sn) * sizeof *sel);
    if (!sel)
        goto nomem;
    for (size_t i = 0; i < sm; i++)
        sel[i] = (struct item){scores[mem[i]], 1};
    for (size_t i = 0; i < sn; i++)
        sel[sm + i] = (struct item){scores[non[i]], 0};
    qsort(sel, sm + sn, sizeof *sel, cmp_desc);

    double alpha = 1.0 - confidence;
    if (scan_init(&sc, sm, sn, delta, alpha))
        goto nomem;
    out->n_thresholds = scan_all_distinct(&sc, sel, sm + sn);
    double t = sc.best_t;

    uint64_t tp = 0, fp = 0;
    for (size_t i = sm; i < n_mem; i++)
        tp += scores[mem[i]] >= t;
    for (size_t i = sn; i < n_non; i++)
        fp += scores[non[i]] >= t;
    uint64_t em = n_mem - sm, en = n_non - sn;
    cp_from_counts(tp, em - tp, fp, en - fp, delta, alpha, &out->cp);
    out->threshold = t;
    out->n_select = sm + sn;
    out->n_eval = (size_t)(em + en);
    goto cleanup;

nomem:
    rc = error_set(err, ERR_NOMEM, "bounds: out of memory for %zu scores", n);
cleanup:
    scan_release(&sc);
    free(mem);
    free(non);
    free(sel);
    return rc;
}

static int bounds_union(const double *scores, const uint8_t *member, size_t n,
                        double delta, double confidence, size_t max_thresholds,
                        struct scores_bound *out, struct error *err)
{
    int rc = 0;
    struct item *it = NULL;
    double *cand = NULL;
    struct scan sc = {0};
    size_t n_mem = 0;

    for (size_t i = 0; i < n; i++)
        n_mem += member[i] != 0;
    size_t n_non = n - n_mem;
    if (n_mem < 1 || n_non < 1) {
        rc = error_set(err, ERR_INPUT,
                       "threshold mode 'union' needs at least 1 member and 1 "
                       "non-member, got %zu and %zu",
                       n_mem, n_non);
        goto cleanup;
    }
    if (max_thresholds == 0)
        max_thresholds = 256;

    it = malloc(n * sizeof *it);
    if (!it)
        goto nomem;
    for (size_t i = 0; i < n; i++)
        it[i] = (struct item){scores[i], member[i] != 0};
    qsort(it, n, sizeof *it, cmp_desc);

    /* Candidates in decreasing order: every distinct score, or the pooled
     * score quantiles at ranks floor(j (n-1) / (T-1)), j = 0..T-1, with
     * repeats (ties) dropped. */
    size_t d = count_distinct(it, n);
    size_t cap = d <= max_thresholds ? d : max_thresholds;
    cand = malloc(cap * sizeof *cand);
    if (!cand)
        goto nomem;
    size_t nc = 0;
    if (d <= max_thresholds) {
        for (size_t i = 0; i < n; i++)
            if (i == 0 || it[i].s != it[i - 1].s)
                cand[nc++] = it[i].s;
    } else {
        size_t tcount = max_thresholds;
        for (size_t j = 0; j < tcount; j++) {
            size_t r = tcount == 1 ? 0
                                   : (size_t)((double)j * (double)(n - 1) /
                                              (double)(tcount - 1));
            if (r > n - 1)
                r = n - 1;
            double v = it[r].s;
            if (nc == 0 || v != cand[nc - 1])
                cand[nc++] = v;
        }
    }

    /* Bonferroni over the nc candidates: alpha / nc each. */
    double alpha = (1.0 - confidence) / (double)nc;
    if (scan_init(&sc, n_mem, n_non, delta, alpha))
        goto nomem;
    uint64_t tp = 0, fp = 0;
    size_t p = 0;
    for (size_t j = 0; j < nc; j++) {
        double t = cand[j];
        while (p < n && it[p].s >= t) {
            if (it[p].m)
                tp++;
            else
                fp++;
            p++;
        }
        scan_offer(&sc, t, tp, fp);
    }
    double t = sc.best_t;
    tp = fp = 0;
    for (size_t i = 0; i < n; i++) {
        if (scores[i] >= t) {
            if (member[i])
                tp++;
            else
                fp++;
        }
    }
    cp_from_counts(tp, n_mem - tp, fp, n_non - fp, delta, alpha, &out->cp);
    /* the returned bound holds at the overall level; the limits inside are
     * at alpha / 2 per side of the per-threshold alpha */
    out->cp.confidence = confidence;
    out->threshold = t;
    out->n_thresholds = nc;
    out->n_select = n;
    out->n_eval = n;
    goto cleanup;

nomem:
    rc = error_set(err, ERR_NOMEM, "bounds: out of memory for %zu scores", n);
cleanup:
    scan_release(&sc);
    free(it);
    free(cand);
    return rc;
}

int bounds_from_scores(const double *scores, const uint8_t *member, size_t n,
                       double delta, double confidence, enum threshold_mode mode,
                       size_t max_thresholds, struct rng *rng,
                       struct scores_bound *out, struct error *err)
{
    if (!out)
        return error_set(err, ERR_INTERNAL, "bounds_from_scores: 'out' is NULL");
    memset(out, 0, sizeof *out);
    out->mode = mode;
    if (n > 0 && (!scores || !member))
        return error_set(err, ERR_INTERNAL,
                         "bounds_from_scores: 'scores' or 'member' is NULL");
    int rc = bounds_check_levels(delta, confidence, err);
    if (rc)
        return rc;
    for (size_t i = 0; i < n; i++)
        if (isnan(scores[i]))
            return error_set(err, ERR_INPUT,
                             "'scores[%zu]': expected a number, got NaN", i);
    switch (mode) {
    case THRESHOLD_SPLIT:
        if (!rng)
            return error_set(err, ERR_INTERNAL,
                             "bounds_from_scores: mode 'split' needs an rng");
        return bounds_split(scores, member, n, delta, confidence, rng, out,
                            err);
    case THRESHOLD_UNION:
        return bounds_union(scores, member, n, delta, confidence,
                            max_thresholds, out, err);
    default:
        return error_set(err, ERR_INPUT, "'mode': unknown threshold mode %d",
                         (int)mode);
    }
}

/*
 * targets/pld.c - privacy loss distribution accountant for the
 * Poisson-subsampled Gaussian mechanism (see pld.h for the method and
 * sources).
 *
 * Notation.  X is the mechanism's output in one step; the privacy loss is
 * L = log(dP/dQ)(X), P the "upper" and Q the "lower" distribution of the
 * dominating pair.  With u = (2x - 1) / (2 sigma^2):
 *   remove: L(x) =  log(1 - q + q e^u),  X ~ P = (1-q) N(0,s^2) + q N(1,s^2)
 *   add:    L(x) = -log(1 - q + q e^u),  X ~ P = N(0, s^2)
 * Both are monotone in x, so every event {L > eps} is a half line
 * {X > t(eps)} (remove) or {X < t(-eps)} (add) with the threshold
 *   t(e) = 1/2 + sigma^2 log((e^e - (1 - q)) / q)   (-inf for e <= log(1-q)).
 * Interval masses of P and Q are then differences of normal tails, taken on
 * the side where they do not cancel (interval_prob).
 *
 * Storage.  A struct pmf holds the P-side masses on the global loss grid
 * (offset + k) * h, k = 0..n-1, plus the mass at +infinity.  The Q side is
 * implied (q_k = p_k e^{-loss_k}, the rest of Q at loss -infinity) and never
 * needed: composition convolves P-side masses, and
 *   delta(eps) = p_inf + sum_{l > eps} p(l) (1 - e^{eps - l}).
 */
#include "targets/pld.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define PI_ 3.14159265358979323846
#define SQRT2_ 1.41421356237309504880

/* Per-step grid covers x in [-Z sigma, 1 + Z sigma]; Phi(-10) ~ 7.6e-24. */
#define GRID_Z 10.0

struct pmf {
    double *p;       /* p[k]: P-mass at loss (offset + k) * h */
    size_t n;        /* >= 1 */
    int64_t offset;
    double inf_mass; /* P-mass at loss +infinity */
};

struct pld {
    double h;
    uint64_t steps;
    struct pmf dir[2]; /* 0: remove, 1: add */
};

enum { DIR_REMOVE = 0, DIR_ADD = 1 };

/* ---------------------------------------------------------------- normal */

/* Phi(x) and 1 - Phi(x) via erfc, accurate in the far tails (libm erfc is
 * accurate to a few ulp, thread-safe). */
static double ncdf(double x) { return 0.5 * erfc(-x / SQRT2_); }
static double nsf(double x) { return 0.5 * erfc(x / SQRT2_); }

/* P(a < Z <= b) for a standard normal Z, a <= b, infinities allowed.  Both
 * ends in the same half line: difference of the small tails there (no
 * cancellation against 1); straddling 0: 1 minus the two tails. */
static double interval_prob(double a, double b)
{
    if (!(b > a))
        return 0.0;
    double r;
    if (a >= 0.0)
        r = nsf(a) - nsf(b);
    else if (b <= 0.0)
        r = ncdf(b) - ncdf(a);
    else
        r = 1.0 - ncdf(a) - nsf(b);
    return r > 0.0 ? r : 0.0;
}

/* ------------------------------------------------------------ the losses */

struct mech {
    double q, sigma, s2; /* s2 = sigma^2 */
    double log_q, log1m_q;
};

/* log(1 - q + q e^u), stable for u of either sign. */
static double loss_remove_of_u(const struct mech *m, double u)
{
    if (m->q == 1.0)
        return u;
    if (u > 0.0)
        return u + m->log_q + log1p((1.0 - m->q) / m->q * exp(-u));
    return log1p(m->q * expm1(u));
}

static double loss_remove(const struct mech *m, double x)
{
    return loss_remove_of_u(m, (2.0 * x - 1.0) / (2.0 * m->s2));
}

/* t(e): the x where the remove loss equals e; -inf when e <= log(1 - q). */
static double threshold(const struct mech *m, double e)
{
    if (m->q == 1.0)
        return 0.5 + m->s2 * e;
    if (!(e > m->log1m_q))
        return -INFINITY;
    double v; /* log(e^e - (1 - q)) */
    if (e > 0.5)
        v = e + log1p(-(1.0 - m->q) * exp(-e));
    else
        v = log(expm1(e) + m->q);
    return 0.5 + m->s2 * (v - m->log_q);
}

/*
 * P- and Q-mass of {eps_a < L <= eps_b} for direction d, given the
 * thresholds ta = t(+-eps_a), tb = t(+-eps_b) (see the file comment).
 */
static void interval_masses(const struct mech *m, int d, double ta, double tb,
                            double *dp, double *dq)
{
    double s = m->sigma;
    if (d == DIR_REMOVE) { /* X in (ta, tb] */
        double q0 = interval_prob(ta / s, tb / s);
        double q1 = interval_prob((ta - 1.0) / s, (tb - 1.0) / s);
        *dq = q0;
        *dp = (1.0 - m->q) * q0 + m->q * q1;
    } else { /* X in [tb, ta) */
        double p0 = interval_prob(tb / s, ta / s);
        double p1 = interval_prob((tb - 1.0) / s, (ta - 1.0) / s);
        *dp = p0;
        *dq = (1.0 - m->q) * p0 + m->q * p1;
    }
}

/* ------------------------------------------------------------------- pmf */

static void pmf_release(struct pmf *a)
{
    if (!a)
        return;
    free(a->p);
    a->p = NULL;
    a->n = 0;
}

static int too_many_bins(size_t n, struct error *err)
{
    return error_set(err, ERR_INPUT,
                     "discretization: the privacy loss distribution needs "
                     "%zu bins (at most %zu); use a coarser discretization",
                     n, PLD_MAX_BINS);
}

/*
 * Clip FFT round-off (negative masses) to 0, then cut the tails holding at
 * most `tail` mass each, pessimistically: the left tail's mass moves up to
 * the lowest kept bin (losses only increase), the right tail's to +infinity.
 */
static void pmf_truncate(struct pmf *a, double tail, double noise)
{
    double top = 0.0;
    for (size_t k = 0; k < a->n; k++) {
        if (!(a->p[k] > 0.0))
            a->p[k] = 0.0;
        else if (a->p[k] > top)
            top = a->p[k];
    }
    /* Bins at the FFT noise level (|error| ~ u log2 N max p) are not
     * resolved: on each side everything beyond the outermost bin above
     * `floor` is cut too, whatever its total, still pessimistically.  Else
     * the noise would keep every tail above `tail` and the support would
     * double with each squaring. */
    double floor_ = noise * top;
    size_t lo = 0, first = 0, last = a->n - 1;
    while (first + 1 < a->n && a->p[first] <= floor_)
        first++;
    while (last > first && a->p[last] <= floor_)
        last--;
    double cum = 0.0;
    while (lo < first)
        cum += a->p[lo++];
    while (lo + 1 < a->n && cum + a->p[lo] <= tail)
        cum += a->p[lo++];
    if (lo > 0) {
        a->p[lo] += cum;
        memmove(a->p, a->p + lo, (a->n - lo) * sizeof *a->p);
        a->n -= lo;
        a->offset += (int64_t)lo;
    }
    size_t hi = a->n - 1;
    last -= lo < last ? lo : last; /* index after the shift */
    cum = 0.0;
    while (hi > last)
        cum += a->p[hi--];
    while (hi > 0 && cum + a->p[hi] <= tail)
        cum += a->p[hi--];
    a->inf_mass += cum;
    a->n = hi + 1;
}

/*
 * One step's PLD in direction d, "connect the dots" (pld.h): on the grid
 * eps_i = i h, i = ilo..ihi, the P-mass of each interval (eps_i, eps_i+1]
 * is split between its ends so that its Q-mass is preserved,
 *   left  = (e^{eps_i+1} dQ - dP) / (e^h - 1),  right = dP - left,
 * computed as left = dP expm1(eps_i+1 + log dQ - log dP) / expm1(h), which
 * lies in [0, dP] and cannot overflow.
 */
static int pmf_step(const struct mech *m, int d, double h, struct pmf *out,
                    struct error *err)
{
    int rc = 0;
    double *t = NULL;
    double xlo = -GRID_Z * m->sigma;
    double xhi = (d == DIR_REMOVE ? 1.0 : 0.0) + GRID_Z * m->sigma;
    double lmin, lmax;
    if (d == DIR_REMOVE) {
        lmin = loss_remove(m, xlo);
        lmax = loss_remove(m, xhi);
    } else {
        lmin = -loss_remove(m, xhi);
        lmax = -loss_remove(m, xlo);
    }
    double flo = floor(lmin / h), fhi = ceil(lmax / h);
    if (!(fhi > flo))
        fhi = flo + 1.0;
    if (!(fhi - flo < (double)PLD_MAX_BINS))
        return too_many_bins(isfinite(fhi - flo) ? (size_t)(fhi - flo + 1.0)
                                                 : (size_t)-1,
                             err);
    int64_t ilo = (int64_t)flo;
    size_t n = (size_t)(fhi - flo) + 1;

    out->p = calloc(n, sizeof *out->p);
    t = malloc(n * sizeof *t);
    if (!out->p || !t) {
        rc = error_set(err, ERR_NOMEM, "out of memory for the pld grid");
        goto cleanup;
    }
    out->n = n;
    out->offset = ilo;
    out->inf_mass = 0.0;

    double sgn = d == DIR_REMOVE ? 1.0 : -1.0;
    for (size_t k = 0; k < n; k++)
        t[k] = threshold(m, sgn * (double)(ilo + (int64_t)k) * h);

    double s = m->sigma, em1h = expm1(h);
    /* P-mass below the lowest grid point goes to it. */
    if (d == DIR_REMOVE)
        out->p[0] = (1.0 - m->q) * ncdf(t[0] / s) +
                    m->q * ncdf((t[0] - 1.0) / s);
    else
        out->p[0] = nsf(t[0] / s);
    for (size_t k = 0; k + 1 < n; k++) {
        double dp, dq;
        interval_masses(m, d, t[k], t[k + 1], &dp, &dq);
        if (!(dp > 0.0))
            continue;
        double e1 = (double)(ilo + (int64_t)k + 1) * h;
        double left = dp * expm1(e1 + log(dq) - log(dp)) / em1h;
        if (!(left > 0.0)) /* also NaN */
            left = 0.0;
        if (left > dp)
            left = dp;
        out->p[k] += left;
        out->p[k + 1] += dp - left;
    }
    /* Above the top point: e^{eps_hi} Q_above to it, the rest (= the true
     * delta(eps_hi)) to +infinity. */
    double p_above, q_above, tl = t[n - 1];
    if (d == DIR_REMOVE) {
        q_above = nsf(tl / s);
        p_above = (1.0 - m->q) * q_above + m->q * nsf((tl - 1.0) / s);
    } else {
        p_above = ncdf(tl / s);
        q_above = (1.0 - m->q) * p_above + m->q * ncdf((tl - 1.0) / s);
    }
    if (p_above > 0.0) {
        double ehi = (double)(ilo + (int64_t)n - 1) * h;
        double r = exp(ehi + log(q_above) - log(p_above));
        double to_top = p_above * (r < 1.0 ? r : 1.0);
        out->p[n - 1] += to_top;
        out->inf_mass = p_above - to_top;
    }
    pmf_truncate(out, PLD_TAIL_MASS, 0.0); /* exact values: no noise */

cleanup:
    free(t);
    if (rc)
        pmf_release(out);
    return rc;
}

/* ------------------------------------------------------------------- FFT */

/*
 * Real linear convolution by FFT.  A real sequence of even length N is
 * transformed with one complex FFT of size M = N/2 on c[m] = x[2m] + i
 * x[2m+1] and the usual split (E_k = (C_k + conj C_{M-k})/2, O_k =
 * (C_k - conj C_{M-k})/(2i), X_k = E_k + W^k O_k, W = e^{-2 pi i/N}); the
 * inverse undoes it.  The complex FFT is an iterative radix-2
 * decimation-in-time one with per-stage contiguous twiddles.  Twiddles are
 * cos/sin of the exact angles (no recurrence), so round-off stays at a few
 * ulps times log2 N relative to the largest mass.
 */
struct fft {
    size_t tmax;   /* twiddle table for this size (power of two) */
    double *tw;    /* (cos, -sin)(2 pi j / tmax), j < tmax / 2, interleaved */
    size_t nst;    /* complex size the stage table is built for */
    double *st;    /* stage h, index k < h at 2 (h + k): e^{-2 pi i k / 2h} */
    size_t cap;    /* doubles in x and y */
    double *x, *y; /* interleaved complex work arrays */
};

static void fft_release(struct fft *f)
{
    free(f->tw);
    free(f->st);
    free(f->x);
    free(f->y);
    memset(f, 0, sizeof *f);
}

static int fft_nomem(struct fft *f, size_t n, struct error *err)
{
    fft_release(f);
    return error_set(err, ERR_NOMEM, "out of memory for an fft of %zu", n);
}

/* Tables and buffers for a real transform of size n (a power of two >= 2). */
static int fft_prepare(struct fft *f, size_t n, struct error *err)
{
    if (n > f->tmax) {
        free(f->tw);
        f->tw = malloc(n * sizeof *f->tw); /* n/2 complex */
        if (!f->tw)
            return fft_nomem(f, n, err);
        for (size_t j = 0; j < n / 2; j++) {
            double a = 2.0 * PI_ * (double)j / (double)n;
            f->tw[2 * j] = cos(a);
            f->tw[2 * j + 1] = -sin(a);
        }
        f->tmax = n;
        f->nst = 0;
    }
    size_t m = n / 2;
    if (f->nst != m) {
        free(f->st);
        f->st = malloc(2 * (m > 1 ? m : 2) * sizeof *f->st);
        if (!f->st)
            return fft_nomem(f, n, err);
        for (size_t h = 1; h < m; h <<= 1) {
            size_t stride = f->tmax / (2 * h);
            for (size_t k = 0; k < h; k++) {
                f->st[2 * (h + k)] = f->tw[2 * k * stride];
                f->st[2 * (h + k) + 1] = f->tw[2 * k * stride + 1];
            }
        }
        f->nst = m;
    }
    if (f->cap < n + 2) {
        free(f->x);
        free(f->y);
        f->x = malloc((n + 2) * sizeof *f->x);
        f->y = malloc((n + 2) * sizeof *f->y);
        if (!f->x || !f->y)
            return fft_nomem(f, n, err);
        f->cap = n + 2;
    }
    return 0;
}

/* In-place complex FFT of size m (interleaved); sgn = +1 forward
 * (e^{-2 pi i jk/m}), -1 inverse (unscaled). */
static void cfft(const struct fft *f, double *a, size_t m, double sgn)
{
    for (size_t i = 1, j = 0; i < m; i++) { /* bit reversal */
        size_t bit = m >> 1;
        for (; j & bit; bit >>= 1)
            j ^= bit;
        j ^= bit;
        if (i < j) {
            double tr = a[2 * i], ti = a[2 * i + 1];
            a[2 * i] = a[2 * j];
            a[2 * i + 1] = a[2 * j + 1];
            a[2 * j] = tr;
            a[2 * j + 1] = ti;
        }
    }
    for (size_t s = 0; s + 1 < m; s += 2) { /* h = 1: twiddle 1 */
        double *p = a + 2 * s;
        double xr = p[2], xi = p[3];
        p[2] = p[0] - xr;
        p[3] = p[1] - xi;
        p[0] += xr;
        p[1] += xi;
    }
    for (size_t h = 2; h < m; h <<= 1) {
        const double *w = f->st + 2 * h;
        for (size_t s = 0; s < m; s += 2 * h) {
            double *p = a + 2 * s, *q = p + 2 * h;
            for (size_t k = 0; k < h; k++) {
                double wr = w[2 * k], wi = sgn * w[2 * k + 1];
                double qr = q[2 * k], qi = q[2 * k + 1];
                double xr = qr * wr - qi * wi, xi = qr * wi + qi * wr;
                q[2 * k] = p[2 * k] - xr;
                q[2 * k + 1] = p[2 * k + 1] - xi;
                p[2 * k] += xr;
                p[2 * k + 1] += xi;
            }
        }
    }
}

/* X[0..n/2] (interleaved, n + 2 doubles) = DFT of the real a[0..na)
 * zero-padded to n. */
static void rfft(const struct fft *f, const double *a, size_t na, size_t n,
                 double *x)
{
    size_t m = n / 2, tstride = f->tmax / n;
    memcpy(x, a, na * sizeof *a);
    memset(x + na, 0, (n + 2 - na) * sizeof *x);
    cfft(f, x, m, 1.0);
    double c0r = x[0], c0i = x[1];
    x[0] = c0r + c0i;
    x[1] = 0.0;
    x[2 * m] = c0r - c0i;
    x[2 * m + 1] = 0.0;
    for (size_t k = 1; 2 * k <= m; k++) {
        size_t j = m - k;
        double ckr = x[2 * k], cki = x[2 * k + 1];
        double cjr = x[2 * j], cji = x[2 * j + 1];
        /* E = (Ck + conj Cj)/2, O = (Ck - conj Cj)/(2i) */
        double er = 0.5 * (ckr + cjr), ei = 0.5 * (cki - cji);
        double orr = 0.5 * (cki + cji), oi = -0.5 * (ckr - cjr);
        double wr = f->tw[2 * k * tstride], wi = f->tw[2 * k * tstride + 1];
        double tr = wr * orr - wi * oi, ti = wr * oi + wi * orr; /* W^k O */
        x[2 * k] = er + tr;
        x[2 * k + 1] = ei + ti;
        x[2 * j] = er - tr; /* X_{M-k} = conj(E - W^k O) */
        x[2 * j + 1] = -(ei - ti);
    }
}

/* out[0..nout) = the real sequence of length n whose DFT is x[0..n/2];
 * y (n + 2 doubles) is work space. */
static void irfft(const struct fft *f, const double *x, size_t n, double *y,
                  double *out, size_t nout)
{
    size_t m = n / 2, tstride = f->tmax / n;
    for (size_t k = 0; k < m; k++) {
        size_t j = m - k;
        double xkr = x[2 * k], xki = x[2 * k + 1];
        double xjr = x[2 * j], xji = -x[2 * j + 1]; /* conj X_{M-k} */
        double er = 0.5 * (xkr + xjr), ei = 0.5 * (xki + xji);
        double dr = 0.5 * (xkr - xjr), di = 0.5 * (xki - xji);
        double wr = f->tw[2 * k * tstride], wi = -f->tw[2 * k * tstride + 1];
        double orr = wr * dr - wi * di, oi = wr * di + wi * dr; /* conj(W^k) D */
        y[2 * k] = er - oi; /* C = E + i O */
        y[2 * k + 1] = ei + orr;
    }
    cfft(f, y, m, -1.0);
    double scale = 1.0 / (double)m;
    for (size_t i = 0; i < nout; i++)
        out[i] = y[i] * scale;
}

/*
 * out[0 .. na+nb-1) = linear convolution of the real a and b (b == a is a
 * square: one forward transform).  Zero padding to n >= na + nb - 1 rules
 * out wrap-around.
 */
static int convolve(struct fft *f, const double *a, size_t na, const double *b,
                    size_t nb, double *out, struct error *err)
{
    size_t need = na + nb - 1, n = 2;
    while (n < need)
        n <<= 1;
    int rc = fft_prepare(f, n, err);
    if (rc)
        return rc;
    double *x = f->x, *y = f->y;
    rfft(f, a, na, n, x);
    if (b == a && nb == na) {
        for (size_t k = 0; k <= n / 2; k++) {
            double r = x[2 * k], i = x[2 * k + 1];
            x[2 * k] = r * r - i * i;
            x[2 * k + 1] = 2.0 * r * i;
        }
    } else {
        rfft(f, b, nb, n, y);
        for (size_t k = 0; k <= n / 2; k++) {
            double r = x[2 * k], i = x[2 * k + 1];
            double br = y[2 * k], bi = y[2 * k + 1];
            x[2 * k] = r * br - i * bi;
            x[2 * k + 1] = r * bi + i * br;
        }
    }
    irfft(f, x, n, y, out, need);
    return 0;
}

/* *c = a composed with b (c may alias neither), then truncated. */
static int pmf_compose(struct fft *f, const struct pmf *a, const struct pmf *b,
                       struct pmf *c, struct error *err)
{
    size_t n = a->n + b->n - 1;
    if (n > PLD_MAX_BINS)
        return too_many_bins(n, err);
    c->p = malloc(n * sizeof *c->p);
    if (!c->p)
        return error_set(err, ERR_NOMEM, "out of memory composing the pld");
    int rc = convolve(f, a->p, a->n, b->p, b->n, c->p, err);
    if (rc) {
        pmf_release(c);
        return rc;
    }
    c->n = n;
    c->offset = a->offset + b->offset;
    c->inf_mass = a->inf_mass + b->inf_mass - a->inf_mass * b->inf_mass;
    pmf_truncate(c, PLD_TAIL_MASS, PLD_NOISE_FLOOR);
    return 0;
}

static int pmf_copy(const struct pmf *a, struct pmf *c, struct error *err)
{
    *c = *a;
    c->p = malloc(a->n * sizeof *c->p);
    if (!c->p)
        return error_set(err, ERR_NOMEM, "out of memory composing the pld");
    memcpy(c->p, a->p, a->n * sizeof *c->p);
    return 0;
}

/* *out = T-fold composition of *base (consumed), by repeated squaring:
 * at most 2 log2(T) products. */
static int pmf_power(struct fft *f, struct pmf *base, uint64_t t,
                     struct pmf *out, struct error *err)
{
    int rc = 0;
    struct pmf res = {0}, tmp = {0};
    while (t) {
        if (t & 1) {
            rc = res.p ? pmf_compose(f, &res, base, &tmp, err)
                       : pmf_copy(base, &tmp, err);
            if (rc)
                goto cleanup;
            pmf_release(&res);
            res = tmp;
            tmp.p = NULL;
        }
        t >>= 1;
        if (t) {
            rc = pmf_compose(f, base, base, &tmp, err);
            if (rc)
                goto cleanup;
            pmf_release(base);
            *base = tmp;
            tmp.p = NULL;
        }
    }
    *out = res;
    res.p = NULL;
cleanup:
    pmf_release(&res);
    pmf_release(&tmp);
    pmf_release(base);
    return rc;
}

/* --------------------------------------------------------------- queries */

static double pmf_delta(const struct pmf *a, double h, double eps)
{
    double sum = a->inf_mass;
    double first = floor(eps / h) - (double)a->offset;
    size_t k0 = first < 0.0 ? 0 : (first >= (double)a->n ? a->n : (size_t)first);
    for (size_t k = k0; k < a->n; k++) {
        double l = (double)(a->offset + (int64_t)k) * h;
        if (l > eps)
            sum += a->p[k] * -expm1(eps - l);
    }
    return sum;
}

/*
 * Smallest eps with delta(eps) <= delta, exact for the discrete PLD.
 * Scanning down from the top with S_k = sum_{j>=k} p_j and
 * R_k = sum_{j>=k} p_j e^{l_{k-1} - l_j} (R_k = e^{-h} (p_k + R_{k+1})),
 * delta(l_{k-1}) = p_inf + S_k - R_k, and on [l_{k-1}, l_k)
 * delta(eps) = p_inf + S_k - R_k e^{eps - l_{k-1}}, solved in closed form.
 */
static double pmf_epsilon(const struct pmf *a, double h, double delta)
{
    if (a->inf_mass > delta)
        return INFINITY;
    double s = 0.0, r = 0.0, eh = exp(-h);
    for (size_t k = a->n; k-- > 0;) {
        s += a->p[k];
        r = eh * (a->p[k] + r);
        double d = a->inf_mass + s - r;
        if (d > delta || k == 0) {
            double num = a->inf_mass + s - delta;
            if (!(num > 0.0) || !(r > 0.0))
                return -INFINITY;
            double lkm1 = (double)(a->offset + (int64_t)k - 1) * h;
            return lkm1 + log(num / r);
        }
    }
    return -INFINITY; /* empty pmf: not reached, n >= 1 */
}

/* ------------------------------------------------------------ public API */

int pld_new(double q, double sigma, uint64_t steps, double discretization,
            struct pld **out, struct error *err)
{
    int rc = 0;
    struct pld *pld = NULL;
    struct fft f = {0};
    struct pmf base = {0};
    *out = NULL;
    if (!(q > 0.0 && q <= 1.0))
        return error_set(err, ERR_INPUT,
                         "sampling rate q: expected a number in (0, 1], "
                         "got %g", q);
    if (!(sigma > 0.0) || !isfinite(sigma))
        return error_set(err, ERR_INPUT,
                         "noise multiplier sigma: expected a finite number "
                         "> 0, got %g", sigma);
    if (steps < 1)
        return error_set(err, ERR_INPUT, "steps: expected an integer >= 1, "
                                         "got 0");
    if (discretization == 0.0)
        discretization = PLD_DEFAULT_DISCRETIZATION;
    if (!(discretization > 0.0) || !(discretization <= 1.0))
        return error_set(err, ERR_INPUT,
                         "discretization: expected a number in (0, 1], "
                         "got %g", discretization);

    pld = calloc(1, sizeof *pld);
    if (!pld)
        return error_set(err, ERR_NOMEM, "out of memory");
    pld->h = discretization;
    pld->steps = steps;
    struct mech m = {q, sigma, sigma * sigma, log(q), log1p(-q)};
    for (int d = 0; d < 2; d++) {
        rc = pmf_step(&m, d, discretization, &base, err);
        if (rc)
            goto cleanup;
        rc = pmf_power(&f, &base, steps, &pld->dir[d], err);
        if (rc)
            goto cleanup;
    }
    *out = pld;
    pld = NULL;
cleanup:
    fft_release(&f);
    pmf_release(&base);
    pld_free(pld);
    return rc;
}

double pld_delta_at(const struct pld *pld, double eps)
{
    double a = pmf_delta(&pld->dir[DIR_REMOVE], pld->h, eps);
    double b = pmf_delta(&pld->dir[DIR_ADD], pld->h, eps);
    double d = a > b ? a : b;
    return d < 1.0 ? d : 1.0;
}

double pld_epsilon_at(const struct pld *pld, double delta)
{
    double a = pmf_epsilon(&pld->dir[DIR_REMOVE], pld->h, delta);
    double b = pmf_epsilon(&pld->dir[DIR_ADD], pld->h, delta);
    double e = a > b ? a : b;
    return e > 0.0 ? e : 0.0;
}

/* log sum_k p_k e^{(alpha-1) l_k}, shifted by the largest exponent. */
static double pmf_log_moment(const struct pmf *a, double h, double alpha)
{
    double m = -INFINITY;
    for (size_t k = 0; k < a->n; k++)
        if (a->p[k] > 0.0) {
            double t = log(a->p[k]) +
                       (alpha - 1.0) * (double)(a->offset + (int64_t)k) * h;
            if (t > m)
                m = t;
        }
    if (m == -INFINITY)
        return m;
    double s = 0.0;
    for (size_t k = 0; k < a->n; k++)
        if (a->p[k] > 0.0)
            s += exp(log(a->p[k]) +
                     (alpha - 1.0) * (double)(a->offset + (int64_t)k) * h -
                     m);
    return m + log(s);
}

double pld_renyi(const struct pld *pld, double alpha)
{
    double a = pmf_log_moment(&pld->dir[DIR_REMOVE], pld->h, alpha);
    double b = pmf_log_moment(&pld->dir[DIR_ADD], pld->h, alpha);
    return (a > b ? a : b) / (alpha - 1.0);
}

void pld_get_info(const struct pld *pld, struct pld_info *out)
{
    memset(out, 0, sizeof *out);
    out->discretization = pld->h;
    out->steps = pld->steps;
    const struct pmf *r = &pld->dir[DIR_REMOVE], *a = &pld->dir[DIR_ADD];
    out->bins_remove = r->n;
    out->bins_add = a->n;
    out->loss_min_remove = (double)r->offset * pld->h;
    out->loss_max_remove = (double)(r->offset + (int64_t)r->n - 1) * pld->h;
    out->loss_min_add = (double)a->offset * pld->h;
    out->loss_max_add = (double)(a->offset + (int64_t)a->n - 1) * pld->h;
    out->infinity_mass_remove = r->inf_mass;
    out->infinity_mass_add = a->inf_mass;
    double sr = r->inf_mass, sa = a->inf_mass;
    for (size_t k = 0; k < r->n; k++)
        sr += r->p[k];
    for (size_t k = 0; k < a->n; k++)
        sa += a->p[k];
    out->total_mass_remove = sr;
    out->total_mass_add = sa;
}

void pld_free(struct pld *pld)
{
    if (!pld)
        return;
    pmf_release(&pld->dir[0]);
    pmf_release(&pld->dir[1]);
    free(pld);
}

/*
 * targets/accountant.c - RDP accountant, exact Gaussian mechanism, PLD
 * wrappers and the noise search (see accountant.h; sources cited there and
 * at each formula).
 *
 * Numerics.  Everything RDP is done in log space: A_alpha overflows double
 * long before epsilon does.  Normal tails come from libm erfc (thread-safe,
 * a few ulp) with an asymptotic series beyond erfc's underflow, so that
 * log Phi(x) is accurate for all x.
 */
#include "targets/accountant.h"

#include <math.h>
#include <stdlib.h>

#define SQRT2_ 1.41421356237309504880
#define LOG_SQRT_2PI_ 0.91893853320467274178 /* log(sqrt(2 pi)) */

/* Fractional-order series: stop once a term is below this (log) relative
 * to the running total and past k > alpha, where |terms| decrease. */
#define FRAC_REL_STOP (-36.0) /* e^-36 ~ 2.3e-16 */
#define FRAC_MAX_TERMS 2000000
/* Largest integer order summed term by term. */
#define INT_ORDER_MAX 1e6

/* ------------------------------------------------------- log-space tools */

static double log_add(double a, double b)
{
    if (a == -INFINITY)
        return b;
    if (b == -INFINITY)
        return a;
    double m = a > b ? a : b;
    return m + log1p(exp(-fabs(a - b)));
}

/* log(e^a - e^b) for a >= b. */
static double log_sub(double a, double b)
{
    if (b == -INFINITY)
        return a;
    if (!(a > b))
        return -INFINITY;
    return a + log(-expm1(b - a));
}

/*
 * log Phi(x).  x > 5: log1p(-Phi(-x)); down to -35: log(erfc(-x/sqrt2)/2)
 * (erfc(24.7) ~ 1e-267, still normal); below: the asymptotic (Mills ratio)
 * series log phi(x) - log(-x) + log(1 - 1/x^2 + 3/x^4 - 15/x^6 + 105/x^8),
 * whose truncation error is < 945/x^10 < 4e-13 there.
 */
static double log_ndtr(double x)
{
    if (x > 5.0)
        return log1p(-0.5 * erfc(x / SQRT2_));
    if (x > -35.0)
        return log(0.5 * erfc(-x / SQRT2_));
    double z = 1.0 / (x * x);
    double series = 1.0 - z * (1.0 - z * (3.0 - z * (15.0 - z * 105.0)));
    return -0.5 * x * x - LOG_SQRT_2PI_ - log(-x) + log(series);
}

/* log erfc(x) = log 2 + log Phi(-x sqrt 2). */
static double log_erfc(double x) { return log(2.0) + log_ndtr(-x * SQRT2_); }

/* --------------------------------------------------------------- inputs */

static int check_q(double q, struct error *err)
{
    if (!(q > 0.0 && q <= 1.0))
        return error_set(err, ERR_INPUT,
                         "sampling rate q: expected a number in (0, 1], "
                         "got %g", q);
    return 0;
}

static int check_sigma(double sigma, struct error *err)
{
    if (!(sigma > 0.0) || !isfinite(sigma))
        return error_set(err, ERR_INPUT,
                         "noise multiplier sigma: expected a finite number "
                         "> 0, got %g", sigma);
    return 0;
}

static int check_delta(double delta, struct error *err)
{
    if (!(delta > 0.0 && delta < 1.0))
        return error_set(err, ERR_INPUT,
                         "delta: expected a number in (0, 1), got %g", delta);
    return 0;
}

int accountant_check_params(double q, double sigma, uint64_t steps,
                            double delta, struct error *err)
{
    int rc = check_q(q, err);
    if (!rc)
        rc = check_sigma(sigma, err);
    if (!rc && steps < 1)
        rc = error_set(err, ERR_INPUT,
                       "steps: expected an integer >= 1, got 0");
    if (!rc)
        rc = check_delta(delta, err);
    return rc;
}

int accountant_steps_from_epochs(double epochs, double q, uint64_t *steps,
                                 struct error *err)
{
    int rc = check_q(q, err);
    if (rc)
        return rc;
    if (!(epochs > 0.0) || !isfinite(epochs))
        return error_set(err, ERR_INPUT,
                         "epochs: expected a finite number > 0, got %g",
                         epochs);
    double r = epochs / q;
    double near = nearbyint(r);
    double s = fabs(r - near) <= 1e-9 * fmax(1.0, r) ? near : ceil(r);
    if (s < 1.0)
        s = 1.0;
    if (!(s <= 9007199254740992.0))
        return error_set(err, ERR_INPUT,
                         "epochs: %g epochs at q = %g is more than 2^53 "
                         "steps", epochs, q);
    *steps = (uint64_t)s;
    return 0;
}

void accountant_default_orders(double out[ACCOUNTANT_DEFAULT_ORDERS_N])
{
    size_t n = 0;
    for (int x = 1; x < 100; x++)
        out[n++] = 1.0 + x / 10.0;
    for (int a = 12; a < 64; a++)
        out[n++] = (double)a;
}

/* ------------------------------------------------------------------- RDP */

/*
 * Integer alpha (Mironov, Talwar, Zhang 2019, Sec. 3.3):
 *   A = sum_{k=0}^{alpha} C(alpha, k) q^k (1-q)^{alpha-k}
 *                         exp((k^2 - k) / (2 sigma^2)),
 * with log C(alpha, k) by the recurrence C(a, k+1) = C(a, k) (a-k)/(k+1)
 * (exact enough: relative error ~ k ulps), summed with log_add.
 */
static double log_a_int(double q, double sigma, double alpha)
{
    double lq = log(q), l1q = log1p(-q), s2 = 2.0 * sigma * sigma;
    double acc = -INFINITY, lc = 0.0;
    for (double k = 0.0; k <= alpha; k += 1.0) {
        double t = lc + k * lq + (alpha - k) * l1q + (k * k - k) / s2;
        acc = log_add(acc, t);
        lc += log(alpha - k) - log(k + 1.0);
    }
    return acc;
}

/*
 * Fractional alpha (Mironov, Talwar, Zhang 2019, Sec. 3.3): with
 * z0 = sigma^2 log(1/q - 1) + 1/2, A = A0 + A1,
 *   A0 = sum_k C(alpha,k) q^k (1-q)^{alpha-k} e^{(k^2-k)/(2s^2)}
 *                          erfc((k - z0) / (sqrt2 s)) / 2
 *   A1 = sum_k C(alpha,k) q^{alpha-k} (1-q)^k e^{((a-k)^2-(a-k))/(2s^2)}
 *                          erfc((z0 - (a-k)) / (sqrt2 s)) / 2
 * C(alpha, k) is negative for every other k > alpha, so both sums are kept
 * as log magnitudes and updated by log_add / log_sub (summing |terms|
 * would overstate epsilon).  Past k > alpha the |terms| decrease
 * monotonically and alternate, so the truncation error is below the first
 * omitted term.
 */
static int log_a_frac(double q, double sigma, double alpha, double *out,
                      struct error *err)
{
    double lq = log(q), l1q = log1p(-q), s2 = 2.0 * sigma * sigma;
    double z0 = sigma * sigma * (l1q - lq) + 0.5;
    double rs = SQRT2_ * sigma;
    double la0 = -INFINITY, la1 = -INFINITY;
    double lcoef = 0.0; /* log |C(alpha, k)| */
    int positive = 1;   /* sign of C(alpha, k) */
    for (long k = 0; k < FRAC_MAX_TERMS; k++) {
        double dk = (double)k, j = alpha - dk;
        double ls0 = lcoef + dk * lq + j * l1q + (dk * dk - dk) / s2 +
                     log_erfc((dk - z0) / rs) - log(2.0);
        double ls1 = lcoef + j * lq + dk * l1q + (j * j - j) / s2 +
                     log_erfc((z0 - j) / rs) - log(2.0);
        if (positive) {
            la0 = log_add(la0, ls0);
            la1 = log_add(la1, ls1);
        } else {
            if (ls0 > la0 || ls1 > la1)
                return error_set(err, ERR_NUMERIC,
                                 "rdp order %g: the fractional series "
                                 "turned negative at term %ld", alpha, k);
            la0 = log_sub(la0, ls0);
            la1 = log_sub(la1, ls1);
        }
        double total = log_add(la0, la1);
        if (dk > alpha && fmax(ls0, ls1) < total + FRAC_REL_STOP) {
            *out = total;
            return 0;
        }
        /* C(alpha, k+1) = C(alpha, k) (alpha - k) / (k + 1) */
        double f = alpha - dk;
        if (f == 0.0) { /* integer alpha: the series ends here */
            *out = total;
            return 0;
        }
        lcoef += log(fabs(f)) - log(dk + 1.0);
        if (f < 0.0)
            positive = !positive;
    }
    return error_set(err, ERR_NUMERIC,
                     "rdp order %g: the fractional series did not converge "
                     "in %d terms (q = %g, sigma = %g)", alpha,
                     FRAC_MAX_TERMS, q, sigma);
}

/* Internal: as accountant_rdp_step with q, sigma already checked.  Integer
 * orders take the integer formula; a fractional one the two series. */
static int rdp_step(double q, double sigma, double alpha, double *rdp,
                    struct error *err)
{
    if (q == 1.0) { /* plain Gaussian: alpha / (2 sigma^2) */
        *rdp = alpha / (2.0 * sigma * sigma);
        return 0;
    }
    double la = 0.0;
    if (alpha == floor(alpha) && alpha <= INT_ORDER_MAX) {
        la = log_a_int(q, sigma, alpha);
    } else {
        int rc = log_a_frac(q, sigma, alpha, &la, err);
        if (rc)
            return rc;
    }
    double r = la / (alpha - 1.0);
    *rdp = r > 0.0 ? r : 0.0; /* RDP >= 0; clip round-off */
    return 0;
}

static int check_order(double alpha, const char *what, size_t i,
                       struct error *err)
{
    if (!(alpha > 1.0) || !isfinite(alpha))
        return error_set(err, ERR_INPUT,
                         "%s[%zu]: expected a finite order > 1, got %g", what,
                         i, alpha);
    return 0;
}

int accountant_rdp_step(double q, double sigma, double alpha, double *rdp,
                        struct error *err)
{
    int rc = check_q(q, err);
    if (!rc)
        rc = check_sigma(sigma, err);
    if (!rc && (!(alpha > 1.0) || !isfinite(alpha)))
        rc = error_set(err, ERR_INPUT,
                       "order alpha: expected a finite number > 1, got %g",
                       alpha);
    if (!rc)
        rc = rdp_step(q, sigma, alpha, rdp, err);
    return rc;
}

int accountant_rdp_epsilon(double q, double sigma, uint64_t steps,
                           double delta, const double *orders,
                           size_t n_orders, struct rdp_result *out,
                           struct error *err)
{
    double dflt[ACCOUNTANT_DEFAULT_ORDERS_N];
    int rc = accountant_check_params(q, sigma, steps, delta, err);
    if (rc)
        return rc;
    if (!orders) {
        accountant_default_orders(dflt);
        orders = dflt;
        n_orders = ACCOUNTANT_DEFAULT_ORDERS_N;
    }
    if (n_orders == 0)
        return error_set(err, ERR_INPUT, "orders: expected at least one");
    double lo = INFINITY, hi = -INFINITY;
    for (size_t i = 0; i < n_orders; i++) {
        rc = check_order(orders[i], "orders", i, err);
        if (rc)
            return rc;
        lo = fmin(lo, orders[i]);
        hi = fmax(hi, orders[i]);
    }
    double t = (double)steps, ld = log(delta);
    double best_c = INFINITY, best_i = INFINITY;
    double ord_c = orders[0], ord_i = orders[0];
    for (size_t i = 0; i < n_orders; i++) {
        double a = orders[i], r;
        rc = rdp_step(q, sigma, a, &r, err);
        if (rc)
            return rc;
        double total = t * r;
        /* Mironov 2017, Prop. 3. */
        double ec = total - ld / (a - 1.0);
        /* Balle et al. 2020 / Canonne, Kamath, Steinke 2020, Prop. 12. */
        double ei = total - (ld + log(a)) / (a - 1.0) + log((a - 1.0) / a);
        if (ec < best_c) {
            best_c = ec;
            ord_c = a;
        }
        if (ei < best_i) {
            best_i = ei;
            ord_i = a;
        }
    }
    out->classic.epsilon = best_c > 0.0 ? best_c : 0.0;
    out->classic.order = ord_c;
    out->classic.order_at_edge = ord_c == lo || ord_c == hi;
    out->improved.epsilon = best_i > 0.0 ? best_i : 0.0;
    out->improved.order = ord_i;
    out->improved.order_at_edge = ord_i == lo || ord_i == hi;
    return 0;
}

/* ------------------------------------------------------------------- PLD */

int accountant_pld_epsilon(double q, double sigma, uint64_t steps,
                           double delta, double discretization,
                           struct pld_result *out, struct error *err)
{
    struct pld *pld = NULL;
    int rc = accountant_check_params(q, sigma, steps, delta, err);
    if (rc)
        return rc;
    if (discretization == 0.0)
        discretization = PLD_DEFAULT_DISCRETIZATION;
    rc = pld_new(q, sigma, steps, discretization, &pld, err);
    if (rc)
        return rc;
    struct pld_info info;
    pld_get_info(pld, &info);
    out->epsilon = pld_epsilon_at(pld, delta);
    out->delta = delta;
    out->discretization = discretization;
    out->bins = info.bins_remove > info.bins_add ? info.bins_remove
                                                 : info.bins_add;
    pld_free(pld);
    return 0;
}

int accountant_pld_delta(double q, double sigma, uint64_t steps,
                         double epsilon, double discretization,
                         double *delta_out, struct error *err)
{
    struct pld *pld = NULL;
    int rc = check_q(q, err);
    if (!rc)
        rc = check_sigma(sigma, err);
    if (!rc && steps < 1)
        rc = error_set(err, ERR_INPUT,
                       "steps: expected an integer >= 1, got 0");
    if (!rc && (!(epsilon >= 0.0) || !isfinite(epsilon)))
        rc = error_set(err, ERR_INPUT,
                       "epsilon: expected a finite number >= 0, got %g",
                       epsilon);
    if (!rc)
        rc = pld_new(q, sigma, steps, discretization, &pld, err);
    if (rc)
        return rc;
    *delta_out = pld_delta_at(pld, epsilon);
    pld_free(pld);
    return 0;
}

/* ------------------------------------------------------- kinds / search */

const char *accountant_kind_name(enum accountant_kind kind)
{
    switch (kind) {
    case ACCOUNTANT_RDP:
        return "rdp";
    case ACCOUNTANT_RDP_CLASSIC:
        return "rdp-classic";
    case ACCOUNTANT_PLD:
        return "pld";
    }
    return "?";
}

int accountant_epsilon(enum accountant_kind kind, double q, double sigma,
                       uint64_t steps, double delta, double *eps_out,
                       struct error *err)
{
    int rc;
    if (kind == ACCOUNTANT_PLD) {
        struct pld_result p;
        rc = accountant_pld_epsilon(q, sigma, steps, delta, 0.0, &p, err);
        if (!rc)
            *eps_out = p.epsilon;
        return rc;
    }
    if (kind != ACCOUNTANT_RDP && kind != ACCOUNTANT_RDP_CLASSIC)
        return error_set(err, ERR_INPUT, "accountant: unknown kind %d",
                         (int)kind);
    struct rdp_result r;
    rc = accountant_rdp_epsilon(q, sigma, steps, delta, NULL, 0, &r, err);
    if (!rc)
        *eps_out = kind == ACCOUNTANT_RDP ? r.improved.epsilon
                                          : r.classic.epsilon;
    return rc;
}

#define SIGMA_MIN 1e-3
#define SIGMA_MAX 1e4

int accountant_noise_for_epsilon(double q, uint64_t steps, double delta,
                                 double target_eps, enum accountant_kind kind,
                                 double tol, double *sigma_out,
                                 struct error *err)
{
    int rc = accountant_check_params(q, 1.0, steps, delta, err);
    if (rc)
        return rc;
    if (!(target_eps > 0.0) || !isfinite(target_eps))
        return error_set(err, ERR_INPUT,
                         "target epsilon: expected a finite number > 0, "
                         "got %g", target_eps);
    if (!(tol > 0.0) || !isfinite(tol))
        return error_set(err, ERR_INPUT,
                         "tolerance: expected a finite number > 0, got %g",
                         tol);
    /* Bracket: eps(lo) > target >= eps(hi). */
    double lo = 1.0, hi = 1.0, e;
    rc = accountant_epsilon(kind, q, hi, steps, delta, &e, err);
    if (rc)
        return rc;
    if (e > target_eps) {
        while (e > target_eps) {
            lo = hi;
            hi *= 2.0;
            if (hi > SIGMA_MAX)
                return error_set(err, ERR_INPUT,
                                 "target epsilon: %g is not reached by any "
                                 "noise multiplier <= %g", target_eps,
                                 SIGMA_MAX);
            rc = accountant_epsilon(kind, q, hi, steps, delta, &e, err);
            if (rc)
                return rc;
        }
    } else {
        while (e <= target_eps) {
            hi = lo;
            lo *= 0.5;
            if (lo < SIGMA_MIN)
                return error_set(err, ERR_INPUT,
                                 "target epsilon: %g is met by every noise "
                                 "multiplier >= %g", target_eps, SIGMA_MIN);
            rc = accountant_epsilon(kind, q, lo, steps, delta, &e, err);
            if (rc)
                return rc;
        }
    }
    for (int it = 0; it < 200 && hi - lo > tol; it++) {
        double mid = 0.5 * (lo + hi);
        rc = accountant_epsilon(kind, q, mid, steps, delta, &e, err);
        if (rc)
            return rc;
        if (e > target_eps)
            lo = mid;
        else
            hi = mid;
    }
    *sigma_out = hi;
    return 0;
}

/* ------------------------------------------------- exact Gaussian (BW18) */

double accountant_gaussian_delta(double sigma, double eps)
{
    /* Balle, Wang 2018, Thm. 8, sensitivity 1. */
    double a = -eps * sigma + 0.5 / sigma;
    double b = -eps * sigma - 0.5 / sigma;
    double la = log_ndtr(a), lb = log_ndtr(b);
    double x = eps + lb - la; /* log(e^eps Phi(b) / Phi(a)) <= 0 */
    if (!(x < 0.0))
        return 0.0;
    return exp(la) * -expm1(x);
}

int accountant_gaussian_epsilon(double sigma, double delta, double *eps_out,
                                struct error *err)
{
    int rc = check_sigma(sigma, err);
    if (!rc)
        rc = check_delta(delta, err);
    if (rc)
        return rc;
    if (accountant_gaussian_delta(sigma, 0.0) <= delta) {
        *eps_out = 0.0;
        return 0;
    }
    double lo = 0.0, hi = 1.0;
    while (accountant_gaussian_delta(sigma, hi) > delta) {
        lo = hi;
        hi *= 2.0;
        if (hi > 1e12)
            return error_set(err, ERR_NUMERIC,
                             "gaussian epsilon: no epsilon below 1e12 for "
                             "delta %g, sigma %g", delta, sigma);
    }
    for (int it = 0; it < 200 && hi - lo > 1e-15 * hi; it++) {
        double mid = 0.5 * (lo + hi);
        if (accountant_gaussian_delta(sigma, mid) > delta)
            lo = mid;
        else
            hi = mid;
    }
    *eps_out = hi;
    return 0;
}

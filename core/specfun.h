/*
 * core/specfun.h - special functions and distribution tails used by the
 * bounds and accountants.  Pure functions: no allocation, no global state
 * (thread-safe; no lgamma/signgam).  Each implementation names its method
 * and accuracy in specfun.c; tests/check_specfun.c checks them against
 * closed forms and published tables.
 */
#ifndef PRIVAUDIT_CORE_SPECFUN_H
#define PRIVAUDIT_CORE_SPECFUN_H

#include <stddef.h>
#include <stdint.h>

/* log Gamma(x) for x > 0 (thread-safe); +inf at 0, NaN for x < 0. */
double specfun_lgamma(double x);

/* log of the binomial coefficient C(n, k), real n >= k >= 0; NaN otherwise. */
double specfun_lchoose(double n, double k);

/* Regularized incomplete beta I_x(a, b), a, b > 0, x in [0, 1]; NaN for
 * arguments outside the domain. */
double specfun_betainc(double a, double b, double x);

/* Its complement 1 - I_x(a, b) = I_{1-x}(b, a), accurate when small. */
double specfun_betaincc(double a, double b, double x);

/* log I_x(a, b) and log(1 - I_x(a, b)); never underflow (-inf only at the
 * ends of [0, 1]). */
double specfun_log_betainc(double a, double b, double x);
double specfun_log_betaincc(double a, double b, double x);

/* Inverse: the x in [0, 1] with I_x(a, b) = p, p in [0, 1] (0 at p = 0, 1 at
 * p = 1); NaN outside the domain.  Relative accuracy ~1e-14 in x. */
double specfun_betainc_inv(double a, double b, double p);

/* Inverse of the complement: the x with 1 - I_x(a, b) = q, q in [0, 1].
 * Use this for upper quantiles: x keeps full relative accuracy when small. */
double specfun_betaincc_inv(double a, double b, double q);

/* Standard normal: cdf, survival (upper tail, accurate far out), log cdf,
 * log survival (finite for any finite x: logsf(40) = -804.608...), pdf, and
 * quantile (inverse cdf by Wichura's AS241, p in (0,1); +-inf at 0/1, NaN
 * outside [0, 1]).  Relative accuracy ~1e-15. */
double specfun_norm_cdf(double x);
double specfun_norm_sf(double x);
double specfun_norm_logcdf(double x);
double specfun_norm_logsf(double x);
double specfun_norm_pdf(double x);
double specfun_norm_quantile(double p);

/* Binomial(n, p) log P[X = k] (Loader's saddle-point form); -inf for k > n. */
double specfun_binom_logpmf(uint64_t k, uint64_t n, double p);

/* Binomial(n, p) log P[X <= k] and log P[X >= k], p in [0, 1], computed in log
 * space so tiny tails do not underflow; -inf where the probability is 0,
 * NaN for p outside [0, 1]. */
double specfun_binom_logcdf(uint64_t k, uint64_t n, double p);
double specfun_binom_logsf(uint64_t k, uint64_t n, double p);

/* log(exp(a) + exp(b)) and log(sum exp(x[i])), stable; -inf inputs ok. */
double specfun_logaddexp(double a, double b);
double specfun_logsumexp(const double *x, size_t n);

/* log(1 - exp(x)) for x <= 0, stable near 0 (Maechler 2012). */
double specfun_log1mexp(double x);

/* Neumaier's compensated sum (Neumaier 1974): sums of many terms of mixed
 * size keep full precision instead of losing ~n ulp.  Start from {x0, 0}. */
struct ksum {
    double s, c;
};
void ksum_add(struct ksum *a, double x);
double ksum_value(const struct ksum *a);

#endif

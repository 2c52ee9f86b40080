/*
 * targets/accountant.h - privacy accountants for DP-SGD: the claimed
 * (epsilon, delta) of T steps of the Poisson-subsampled Gaussian mechanism
 * (sampling rate q, noise multiplier sigma, L2 sensitivity 1, add-or-remove
 * adjacency).  docs/accountants.md has the methods, defaults and sources.
 *
 *  - RDP (Mironov, Talwar, Zhang 2019, "Renyi differential privacy of the
 *    sampled Gaussian mechanism"): exact RDP of one step at each order,
 *    times T, converted to (epsilon, delta) by the classic bound (Mironov
 *    2017, Prop. 3) and by the improved one (Balle, Barthe, Gaboardi, Hsu,
 *    Sato 2020, "Hypothesis testing interpretations and Renyi differential
 *    privacy"; stated as Prop. 12 of Canonne, Kamath, Steinke 2020, "The
 *    discrete Gaussian for differential privacy"; the form Opacus and TF
 *    Privacy use), minimised over orders.
 *  - PLD (targets/pld.h): tight, pessimistic numerical accounting.
 *  - The exact Gaussian mechanism (Balle, Wang 2018, "Improving the Gaussian
 *    mechanism", Thm. 8): the q = 1, T = 1 ground truth.
 *
 * Inputs are validated everywhere: q in (0, 1], sigma > 0, steps >= 1,
 * delta in (0, 1); violations are ERR_INPUT naming the parameter
 * ("sampling rate q: expected a number in (0, 1], got 0").
 */
#ifndef PRIVAUDIT_TARGETS_ACCOUNTANT_H
#define PRIVAUDIT_TARGETS_ACCOUNTANT_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"
#include "targets/pld.h"

/* The default order grid (Opacus's DEFAULT_ALPHAS):
 * [1 + x / 10 for x in 1..99] + [12, 13, ..., 63]: 151 orders. */
#define ACCOUNTANT_DEFAULT_ORDERS_N 151
/* Fill out[0..ACCOUNTANT_DEFAULT_ORDERS_N) with the default grid. */
void accountant_default_orders(double out[ACCOUNTANT_DEFAULT_ORDERS_N]);

/* ERR_INPUT naming the first parameter out of range (see above). */
int accountant_check_params(double q, double sigma, uint64_t steps,
                            double delta, struct error *err);

/*
 * steps = ceil(epochs / q): the number of Poisson-sampled batches whose
 * expected total size is epochs * N (TF Privacy's compute_dp_sgd_privacy
 * uses ceil(epochs * N / batch_size), the same number; Opacus uses
 * int(epochs / q), a floor, one less when epochs / q is not an integer).
 * A quotient within 1e-9 (relative) of an integer is taken as that integer,
 * so 1 / 0.01 gives 100.  ERR_INPUT for epochs <= 0, non-finite, a bad q,
 * or a result above 2^53.
 */
int accountant_steps_from_epochs(double epochs, double q, uint64_t *steps,
                                 struct error *err);

/*
 * RDP of ONE step at order alpha > 1 (Mironov, Talwar, Zhang 2019):
 * eps(alpha) = log(A_alpha) / (alpha - 1), with A_alpha
 *  - integer alpha: the binomial expansion (their Sec. 3.3, eq. for integer
 *    alpha), summed in log space with logsumexp;
 *  - fractional alpha: their two-series expression (Sec. 3.3), whose terms
 *    change sign past k > alpha, accumulated with log-space add/subtract;
 *  - q == 1: alpha / (2 sigma^2) exactly.
 * ERR_INPUT for a bad q, sigma or alpha; ERR_NUMERIC if the fractional
 * series does not converge or a partial sum would turn negative.
 */
int accountant_rdp_step(double q, double sigma, double alpha, double *rdp,
                        struct error *err);

/* One conversion's optimum over the order grid. */
struct rdp_conversion {
    double epsilon;    /* >= 0 (clamped) */
    double order;      /* the minimising order */
    int order_at_edge; /* 1 when that order is the grid's smallest or largest:
                          a wider grid may give a smaller epsilon */
};

struct rdp_result {
    struct rdp_conversion improved; /* Balle et al. 2020 / Opacus */
    struct rdp_conversion classic;  /* Mironov 2017 / TF Privacy */
};

/*
 * (epsilon, delta) of T steps by RDP:
 *   classic:  eps = T rdp(a) + log(1/delta) / (a - 1)
 *   improved: eps = T rdp(a) - (log(delta) + log(a)) / (a - 1)
 *                   + log((a - 1) / a)
 * each clamped at 0 and minimised over orders[0..n_orders) (each > 1,
 * finite).  orders == NULL selects the default grid (n_orders ignored).
 */
int accountant_rdp_epsilon(double q, double sigma, uint64_t steps,
                           double delta, const double *orders,
                           size_t n_orders, struct rdp_result *out,
                           struct error *err);

struct pld_result {
    double epsilon;        /* pessimistic estimate, >= 0; may be +inf */
    double delta;          /* the delta asked for */
    double discretization; /* the grid width used */
    size_t bins;           /* largest composed support (of both directions) */
};

/* epsilon(delta) of T steps by the PLD accountant (targets/pld.h);
 * discretization 0 means PLD_DEFAULT_DISCRETIZATION. */
int accountant_pld_epsilon(double q, double sigma, uint64_t steps,
                           double delta, double discretization,
                           struct pld_result *out, struct error *err);

/* delta(epsilon) of T steps by the PLD accountant; epsilon >= 0 finite.
 * For many queries build a struct pld once (pld_new, pld_delta_at). */
int accountant_pld_delta(double q, double sigma, uint64_t steps,
                         double epsilon, double discretization,
                         double *delta_out, struct error *err);

enum accountant_kind {
    ACCOUNTANT_RDP = 0,     /* RDP with the improved conversion */
    ACCOUNTANT_RDP_CLASSIC, /* RDP with the classic conversion */
    ACCOUNTANT_PLD          /* PLD, default discretization */
};

/* "rdp", "rdp-classic", "pld". */
const char *accountant_kind_name(enum accountant_kind kind);

/* epsilon(delta) of T steps by `kind` (default orders / discretization). */
int accountant_epsilon(enum accountant_kind kind, double q, double sigma,
                       uint64_t steps, double delta, double *eps_out,
                       struct error *err);

/*
 * The smallest noise multiplier (to within tol > 0, absolute) whose epsilon
 * by `kind` is <= target_eps: bisection on sigma (epsilon decreases in
 * sigma), after bracketing by doubling / halving.  On return
 * eps(*sigma_out) <= target_eps < eps(*sigma_out - tol).  ERR_INPUT for a
 * bad q, steps, delta, target_eps (> 0, finite) or tol, and when no sigma in
 * [1e-3, 1e4] meets the target.
 */
int accountant_noise_for_epsilon(double q, uint64_t steps, double delta,
                                 double target_eps, enum accountant_kind kind,
                                 double tol, double *sigma_out,
                                 struct error *err);

/*
 * The exact Gaussian mechanism, sensitivity 1, noise N(0, sigma^2) (Balle,
 * Wang 2018, Thm. 8):
 *   delta(eps) = Phi(-eps sigma + 1/(2 sigma))
 *                - e^eps Phi(-eps sigma - 1/(2 sigma)),
 * evaluated as Phi(a) * (1 - exp(eps + log Phi(b) - log Phi(a))) so that
 * neither term underflows nor cancels.  sigma > 0, any eps.
 */
double accountant_gaussian_delta(double sigma, double eps);

/* Its inverse: the smallest eps >= 0 with delta(eps) <= delta (bisection to
 * ~1e-14 relative).  ERR_INPUT for sigma <= 0 or delta outside (0, 1). */
int accountant_gaussian_epsilon(double sigma, double delta, double *eps_out,
                                struct error *err);

#endif

/*
 * targets/pld.h - privacy loss distribution (PLD) of the Poisson-subsampled
 * Gaussian mechanism (DP-SGD), composed over T steps.
 *
 * Method (Koskela, Jalko, Honkela 2020, "Computing tight differential privacy
 * guarantees using FFT"; Doroshenko, Ghazi, Kamath, Kumar, Manurangsi 2022,
 * "Connect the dots: tighter discrete approximations of privacy loss
 * distributions"; reference behaviour: Google dp_accounting's PLDAccountant):
 *
 *  - One step, sensitivity 1, noise N(0, sigma^2), sampling rate q, under
 *    add-or-remove-one adjacency.  Its dominating pairs are
 *      remove: P = (1-q) N(0, s^2) + q N(1, s^2),  Q = N(0, s^2)
 *      add:    P = N(0, s^2),  Q = (1-q) N(0, s^2) + q N(1, s^2)
 *    (Zhu, Dong, Wang 2022, "Optimal accounting of differential privacy via
 *    characteristic function", their theorem on Poisson subsampling).  Both are composed; every query
 *    takes the worse of the two, as dp_accounting does by default.
 *  - Discretisation on the grid eps_i = i * h ("connect the dots"): the
 *    P-mass of L in (eps_i, eps_{i+1}] is split between the two ends so that
 *    E_Q[e^L] is preserved; the discrete PLD's hockey-stick curve then equals
 *    the true delta(eps) at every grid point and interpolates it linearly in
 *    e^eps between them.  delta is convex in e^eps, so the discrete curve is
 *    >= the true one everywhere: a pessimistic (upper) estimate, without the
 *    systematic upward shift of rounding every loss up (which costs up to
 *    T * h in epsilon).  P-mass below the lowest grid point goes to it; mass
 *    above the highest goes partly to it, the rest (delta at that point) to
 *    +infinity.  The grid covers x in [-10 s, 1 + 10 s] (P-mass outside
 *    ~1.5e-23 per side, handled as above, so still pessimistic).
 *  - Composition: repeated squaring, each product a linear (zero-padded)
 *    convolution by a radix-2 FFT; losses stay on the common grid (the
 *    offsets add).  After each product, negative FFT round-off is clipped to
 *    0 and tails holding at most PLD_TAIL_MASS per side are cut, the left
 *    tail moved to the lowest kept bin, the right one to +infinity
 *    (dp_accounting's pessimistic truncation; its default tail mass 1e-15),
 *    as are bins beyond the outermost ones above the FFT noise floor
 *    (PLD_NOISE_FLOOR times the largest bin).
 *  - Queries: delta(eps) = p_inf + sum_{l > eps} p(l) (1 - e^{eps - l}),
 *    exact for the discrete PLD; eps(delta) inverts it exactly (on each grid
 *    interval delta = A - B e^eps).
 *
 * Guarantee: up to floating-point round-off in the FFT (about 1e-16 of the
 * peak mass per bin), the result is an upper bound on the mechanism's true
 * delta(eps) and epsilon(delta).
 */
#ifndef PRIVAUDIT_TARGETS_PLD_H
#define PRIVAUDIT_TARGETS_PLD_H

#include <stddef.h>
#include <stdint.h>

#include "core/error.h"

/* dp_accounting's default value_discretization_interval. */
#define PLD_DEFAULT_DISCRETIZATION 1e-4
/* Mass cut from each tail after every composition (pessimistically). */
#define PLD_TAIL_MASS 1e-15
/* Composed masses below this fraction of the largest bin are FFT
 * round-off level (~ u log2 N); outside the outermost bins above it, tails
 * are cut regardless of their total (still pessimistically). */
#define PLD_NOISE_FLOOR 1e-15
/* Largest per-step grid and largest FFT; beyond: ERR_INPUT. */
#define PLD_MAX_BINS ((size_t)1 << 23)

/* A composed PLD (both adjacency directions), opaque. */
struct pld;

/*
 * Build the PLD of `steps` compositions of the Poisson-subsampled Gaussian
 * with sampling rate q in (0, 1], noise multiplier sigma > 0, on the loss
 * grid of width `discretization` (> 0; 0 means the default 1e-4).
 * *out is a new object for pld_free.  Errors: ERR_INPUT naming the
 * parameter (also when the grid would exceed PLD_MAX_BINS: use a coarser
 * discretization), ERR_NOMEM.
 */
int pld_new(double q, double sigma, uint64_t steps, double discretization,
            struct pld **out, struct error *err);

/* Smallest delta such that the mechanism is (eps, delta)-DP, by this
 * (pessimistic) PLD: the max over both directions.  Any real eps. */
double pld_delta_at(const struct pld *pld, double eps);

/* Smallest eps >= 0 such that pld_delta_at(pld, eps) <= delta, delta in
 * (0, 1); +INFINITY when the mass at infinity alone exceeds delta. */
double pld_epsilon_at(const struct pld *pld, double delta);

/* Renyi divergence of order alpha > 1 of the finite part (the mass at
 * infinity left out, else it is +inf): max over the two directions of
 * log(sum_l p(l) e^{(alpha-1) l}) / (alpha - 1).  For a cross-check with
 * the RDP accountant: connect-the-dots preserves E_Q[e^L] and spreads mass
 * outwards, so this is >= the true RDP up to the neglected tails. */
double pld_renyi(const struct pld *pld, double alpha);

/* Facts about the composed distributions, for reports and tests. */
struct pld_info {
    double discretization;
    uint64_t steps;
    size_t bins_remove, bins_add;      /* support sizes after composition */
    double loss_min_remove, loss_max_remove; /* finite support ends */
    double loss_min_add, loss_max_add;
    double infinity_mass_remove, infinity_mass_add;
    double total_mass_remove, total_mass_add; /* finite + infinity, ~1 */
};
void pld_get_info(const struct pld *pld, struct pld_info *out);

/* Frees; NULL is fine. */
void pld_free(struct pld *pld);

#endif

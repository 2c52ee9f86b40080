/*
 * core/rng.h - explicit, seeded random number streams.
 *
 * Generator: xoshiro256** 1.0 (Blackman and Vigna, "Scrambled linear
 * pseudorandom number generators", 2018), its 256-bit state filled from a
 * 64-bit seed by splitmix64 (Steele, Lea, Flood 2014), as the authors
 * recommend.  rand() is never used in privaudit.
 *
 * Streams: rng_derive(seed, stream) gives job `stream` its own generator whose
 * output depends only on (seed, stream), so results do not depend on how many
 * workers ran the jobs or in which order.
 */
#ifndef PRIVAUDIT_CORE_RNG_H
#define PRIVAUDIT_CORE_RNG_H

#include <stddef.h>
#include <stdint.h>

struct rng {
    uint64_t s[4];
};

/* One splitmix64 step: advances *state and returns the next output. */
uint64_t rng_splitmix64(uint64_t *state);

/* Seed from a 64-bit value (state words = 4 splitmix64 outputs of seed). */
void rng_seed(struct rng *r, uint64_t seed);

/* The stream for job `stream` of root seed `seed` (independent of order). */
void rng_derive(struct rng *r, uint64_t seed, uint64_t stream);

/* Next 64 random bits. */
uint64_t rng_next(struct rng *r);

/* Uniform double in [0, 1) with 53 random bits. */
double rng_uniform(struct rng *r);

/* Uniform double in (0, 1): never 0, for logs. */
double rng_uniform_pos(struct rng *r);

/* Uniform integer in [0, n), unbiased (rejection); n must be >= 1. */
uint64_t rng_below(struct rng *r, uint64_t n);

/* Standard normal deviate (Marsaglia polar method, no cached spare, so the
 * stream position is a pure function of the number of calls' outcomes). */
double rng_normal(struct rng *r);

/* Fisher-Yates shuffle of idx[0..n). */
void rng_shuffle(struct rng *r, size_t *idx, size_t n);

/* A random permutation of 0..n-1 into perm[0..n). */
void rng_permutation(struct rng *r, size_t *perm, size_t n);

#endif

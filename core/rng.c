/*
 * core/rng.c - xoshiro256** seeded by splitmix64 (see rng.h).
 * The constants are those of the reference implementations published by
 * Vigna (prng.di.unimi.it); tests/check_rng.c holds known-answer vectors.
 */
#include "core/rng.h"

#include <math.h>

uint64_t rng_splitmix64(uint64_t *state)
{
    uint64_t z = (*state += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

void rng_seed(struct rng *r, uint64_t seed)
{
    uint64_t sm = seed;
    for (int i = 0; i < 4; i++)
        r->s[i] = rng_splitmix64(&sm);
}

void rng_derive(struct rng *r, uint64_t seed, uint64_t stream)
{
    /* Mix (seed, stream) through two splitmix64 rounds so nearby seeds and
     * nearby stream ids land far apart, then seed from the mix. */
    uint64_t a = seed;
    uint64_t h = rng_splitmix64(&a);
    uint64_t b = h ^ (stream * 0xd1b54a32d192ed03ULL + 0x8bb84b93962eacc9ULL);
    rng_seed(r, rng_splitmix64(&b));
}

static inline uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    const uint64_t result = rotl(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

double rng_uniform(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

double rng_uniform_pos(struct rng *r)
{
    double u;
    do
        u = rng_uniform(r);
    while (u == 0.0);
    return u;
}

uint64_t rng_below(struct rng *r, uint64_t n)
{
    /* Reject the top partial block so every residue is equally likely. */
    uint64_t limit = UINT64_MAX - (UINT64_MAX % n);
    uint64_t x;
    do
        x = rng_next(r);
    while (x >= limit);
    return x % n;
}

double rng_normal(struct rng *r)
{
    double u, v, s;
    do {
        u = 2.0 * rng_uniform(r) - 1.0;
        v = 2.0 * rng_uniform(r) - 1.0;
        s = u * u + v * v;
    } while (s >= 1.0 || s == 0.0);
    return u * sqrt(-2.0 * log(s) / s);
}

void rng_shuffle(struct rng *r, size_t *idx, size_t n)
{
    for (size_t i = n; i > 1; i--) {
        size_t j = (size_t)rng_below(r, i);
        size_t t = idx[i - 1];
        idx[i - 1] = idx[j];
        idx[j] = t;
    }
}

void rng_permutation(struct rng *r, size_t *perm, size_t n)
{
    for (size_t i = 0; i < n; i++)
        perm[i] = i;
    rng_shuffle(r, perm, n);
}

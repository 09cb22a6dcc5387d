/*
 * rng.h - the synthesizer's deterministic random numbers.
 *
 * A trace synthesized with `--seed N` must be the same bytes on every
 * machine and every run, so the synthesizer never touches rand() or the
 * clock: it draws from this xoshiro256** generator (Blackman and Vigna),
 * seeded through splitmix64. Small, fast and the same everywhere.
 */
#ifndef SRO_SYNTH_RNG_H
#define SRO_SYNTH_RNG_H

#include <stdbool.h>
#include <stdint.h>

struct sro_rng {
    uint64_t s[4];              /* xoshiro256** state, never all zero */
};

/* Seed from one 64-bit number (any value, 0 included). */
void sro_rng_seed(struct sro_rng *r, uint64_t seed);

/* The next 64 random bits. */
uint64_t sro_rng_next(struct sro_rng *r);

/* Uniform in [0, n); n == 0 returns 0. */
uint64_t sro_rng_below(struct sro_rng *r, uint64_t n);

/* Uniform in [lo, hi] (inclusive); requires lo <= hi. */
uint64_t sro_rng_range(struct sro_rng *r, uint64_t lo, uint64_t hi);

/* Uniform in [0, 1). */
double sro_rng_unit(struct sro_rng *r);

/* True with probability p (p <= 0: never, p >= 1: always). */
bool sro_rng_chance(struct sro_rng *r, double p);

#endif /* SRO_SYNTH_RNG_H */

/*
 * rng.c - xoshiro256** seeded by splitmix64; see rng.h.
 */
#include "rng.h"

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* One step of splitmix64: spreads a seed over the state words. */
static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);

    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

void sro_rng_seed(struct sro_rng *r, uint64_t seed)
{
    uint64_t x = seed;

    for ( unsigned int i = 0; i < 4; i++ )
        r->s[i] = splitmix64(&x);
}

uint64_t sro_rng_next(struct sro_rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9;
    uint64_t t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/*
 * Lemire's multiply-and-reject: unbiased, and the rejection loop runs
 * more than once only with probability below n / 2^64.
 */
uint64_t sro_rng_below(struct sro_rng *r, uint64_t n)
{
    unsigned __int128 m;
    uint64_t lo;

    if ( n == 0 )
        return 0;
    m = (unsigned __int128)sro_rng_next(r) * n;
    lo = (uint64_t)m;
    if ( lo < n )
    {
        uint64_t threshold = -n % n;

        while ( lo < threshold )
        {
            m = (unsigned __int128)sro_rng_next(r) * n;
            lo = (uint64_t)m;
        }
    }
    return (uint64_t)(m >> 64);
}

uint64_t sro_rng_range(struct sro_rng *r, uint64_t lo, uint64_t hi)
{
    if ( hi - lo == UINT64_MAX )
        return sro_rng_next(r);
    return lo + sro_rng_below(r, hi - lo + 1);
}

double sro_rng_unit(struct sro_rng *r)
{
    return (double)(sro_rng_next(r) >> 11) * 0x1.0p-53;
}

bool sro_rng_chance(struct sro_rng *r, double p)
{
    if ( p <= 0.0 )
        return false;
    if ( p >= 1.0 )
        return true;
    return sro_rng_unit(r) < p;
}

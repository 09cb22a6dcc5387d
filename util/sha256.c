/*
 * sha256.c - SHA-256 as FIPS 180-4 section 6.2 defines it; see sha256.h.
 *
 * The context buffers a partial block; whole blocks go straight from the
 * caller's memory to the compression function, which takes any number of
 * consecutive blocks so that its state stays in registers across them.
 * The x86 SHA-extension variant is built with a target attribute, so the
 * file compiles with any -march; it is used only when CPUID says so.
 */
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#include <immintrin.h>
#define HAVE_SHANI_BUILD 1
#endif

#include "sha256.h"

static const uint32_t K256[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5,
    0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
    0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc,
    0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
    0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
    0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3,
    0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5,
    0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
    0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t H0[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
    0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

typedef void compress_fn(uint32_t h[8], const uint8_t *p, size_t nblocks);

static inline uint32_t ror(uint32_t x, unsigned int n)
{
    return (x >> n) | (x << (32 - n));
}

static inline uint32_t load_be32(const uint8_t *p)
{
    return ((uint32_t)p[0] << 24) | ((uint32_t)p[1] << 16) |
           ((uint32_t)p[2] << 8) | p[3];
}

/* Plain C: the 64 rounds of FIPS 180-4 6.2.2 over each block, with the
 * message schedule kept as a 16-word ring. */
static void compress_portable(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
    for ( ; nblocks > 0; nblocks--, p += SHA256_BLOCK_LEN )
    {
        uint32_t w[16];
        uint32_t a = h[0], b = h[1], c = h[2], d = h[3];
        uint32_t e = h[4], f = h[5], g = h[6], hh = h[7];

        for ( unsigned int t = 0; t < 64; t++ )
        {
            uint32_t wt, t1, t2;

            if ( t < 16 )
                wt = w[t] = load_be32(p + 4 * t);
            else
            {
                uint32_t w15 = w[(t - 15) & 15], w2 = w[(t - 2) & 15];
                uint32_t s0 = ror(w15, 7) ^ ror(w15, 18) ^ (w15 >> 3);
                uint32_t s1 = ror(w2, 17) ^ ror(w2, 19) ^ (w2 >> 10);

                wt = w[t & 15] = w[t & 15] + s0 + w[(t - 7) & 15] + s1;
            }
            t1 = hh + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) +
                 ((e & f) ^ (~e & g)) + K256[t] + wt;
            t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) +
                 ((a & b) ^ (a & c) ^ (b & c));
            hh = g;
            g = f;
            f = e;
            e = d + t1;
            d = c;
            c = b;
            b = a;
            a = t1 + t2;
        }
        h[0] += a; h[1] += b; h[2] += c; h[3] += d;
        h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
    }
}

#ifdef HAVE_SHANI_BUILD
/*
 * x86 SHA extensions. sha256rnds2 does two rounds on the state split as
 * {A,B,E,F} and {C,D,G,H}; the message schedule for words 16..63 comes
 * from sha256msg1/sha256msg2 over a ring of four 4-word vectors:
 * group g (rounds 4g..4g+3) uses vector g mod 4; during group g the
 * vector of group g+1 is finished (3 <= g <= 14) and the one of group
 * g+3 is started (1 <= g <= 12).
 */
__attribute__((target("sha,sse4.1,ssse3")))
static void compress_shani(uint32_t h[8], const uint8_t *p, size_t nblocks)
{
    const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL,
                                         0x0405060700010203ULL);
    __m128i abef, cdgh, tmp;

    /* h[0..3] = A B C D and h[4..7] = E F G H, lane 0 first. */
    tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xb1);
    cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1b);
    abef = _mm_alignr_epi8(tmp, cdgh, 8);
    cdgh = _mm_blend_epi16(cdgh, tmp, 0xf0);

    for ( ; nblocks > 0; nblocks--, p += SHA256_BLOCK_LEN )
    {
        __m128i w[4], msg;
        __m128i abef_in = abef, cdgh_in = cdgh;

        for ( unsigned int g = 0; g < 16; g++ )
        {
            unsigned int cur = g & 3;

            if ( g < 4 )
                w[cur] = _mm_shuffle_epi8(
                    _mm_loadu_si128((const __m128i *)(p + 16 * g)), bswap);
            msg = _mm_add_epi32(w[cur],
                                _mm_loadu_si128((const __m128i *)&K256[4 * g]));
            cdgh = _mm_sha256rnds2_epu32(cdgh, abef, msg);
            if ( g >= 3 && g <= 14 )
            {
                unsigned int next = (g + 1) & 3;

                tmp = _mm_alignr_epi8(w[cur], w[(g - 1) & 3], 4);
                w[next] = _mm_sha256msg2_epu32(_mm_add_epi32(w[next], tmp),
                                               w[cur]);
            }
            msg = _mm_shuffle_epi32(msg, 0x0e);
            abef = _mm_sha256rnds2_epu32(abef, cdgh, msg);
            if ( g >= 1 && g <= 12 )
                w[(g - 1) & 3] = _mm_sha256msg1_epu32(w[(g - 1) & 3], w[cur]);
        }
        abef = _mm_add_epi32(abef, abef_in);
        cdgh = _mm_add_epi32(cdgh, cdgh_in);
    }

    tmp = _mm_shuffle_epi32(abef, 0x1b);
    cdgh = _mm_shuffle_epi32(cdgh, 0xb1);
    _mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(tmp, cdgh, 0xf0));
    _mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, tmp, 8));
}

/* CPUID: leaf 7 EBX bit 29 is SHA; leaf 1 ECX bits 19 and 9 are SSE4.1
 * and SSSE3. (Asked directly: not every compiler's __builtin_cpu_supports
 * knows "sha".) */
static int cpu_has_shani(void)
{
    unsigned int a, b, c, d;

    if ( !__get_cpuid(1, &a, &b, &c, &d) ||
         !(c & (1u << 19)) || !(c & (1u << 9)) )
        return 0;
    if ( !__get_cpuid_count(7, 0, &a, &b, &c, &d) )
        return 0;
    return (b >> 29) & 1;
}
#endif

static compress_fn *compress;

static compress_fn *pick_compress(void)
{
    if ( !compress )
    {
        compress = compress_portable;
#ifdef HAVE_SHANI_BUILD
        if ( cpu_has_shani() )
            compress = compress_shani;
#endif
    }
    return compress;
}

int sha256_select(enum sha256_impl impl)
{
    switch ( impl )
    {
    case SHA256_IMPL_AUTO:
        compress = NULL;
        pick_compress();
        return 0;
    case SHA256_IMPL_PORTABLE:
        compress = compress_portable;
        return 0;
    case SHA256_IMPL_SHANI:
#ifdef HAVE_SHANI_BUILD
        if ( cpu_has_shani() )
        {
            compress = compress_shani;
            return 0;
        }
#endif
        return -1;
    }
    return -1;
}

enum sha256_impl sha256_current(void)
{
#ifdef HAVE_SHANI_BUILD
    if ( pick_compress() == compress_shani )
        return SHA256_IMPL_SHANI;
#endif
    return SHA256_IMPL_PORTABLE;
}

void sha256_init(struct sha256_ctx *c)
{
    memcpy(c->h, H0, sizeof(c->h));
    c->bytes = 0;
    c->fill = 0;
}

void sha256_update(struct sha256_ctx *c, const void *data, size_t len)
{
    const uint8_t *p = data;
    compress_fn *fn = pick_compress();

    c->bytes += len;
    if ( c->fill )
    {
        size_t take = SHA256_BLOCK_LEN - c->fill;

        if ( take > len )
            take = len;
        memcpy(c->block + c->fill, p, take);
        c->fill += take;
        p += take;
        len -= take;
        if ( c->fill < SHA256_BLOCK_LEN )
            return;
        fn(c->h, c->block, 1);
        c->fill = 0;
    }
    if ( len >= SHA256_BLOCK_LEN )
    {
        size_t n = len / SHA256_BLOCK_LEN;

        fn(c->h, p, n);
        p += n * SHA256_BLOCK_LEN;
        len -= n * SHA256_BLOCK_LEN;
    }
    if ( len )
    {
        memcpy(c->block, p, len);
        c->fill = len;
    }
}

void sha256_final(struct sha256_ctx *c, uint8_t md[SHA256_DIGEST_LEN])
{
    uint64_t bits = c->bytes * 8;
    uint8_t pad[SHA256_BLOCK_LEN + 8] = { 0x80 };
    size_t padlen = (c->fill < 56 ? 56 : 120) - c->fill;

    /* 0x80, zeros up to 56 mod 64, then the bit length big-endian. */
    for ( unsigned int i = 0; i < 8; i++ )
        pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
    sha256_update(c, pad, padlen + 8);
    for ( unsigned int i = 0; i < 8; i++ )
    {
        md[4 * i] = (uint8_t)(c->h[i] >> 24);
        md[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
        md[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
        md[4 * i + 3] = (uint8_t)c->h[i];
    }
}

void sha256_to_hex(const uint8_t md[SHA256_DIGEST_LEN], char hex[65])
{
    static const char digits[] = "0123456789abcdef";

    for ( unsigned int i = 0; i < SHA256_DIGEST_LEN; i++ )
    {
        hex[2 * i] = digits[md[i] >> 4];
        hex[2 * i + 1] = digits[md[i] & 15];
    }
    hex[64] = '\0';
}

void sha256_hex_now(const struct sha256_ctx *c, char hex[65])
{
    struct sha256_ctx copy = *c;
    uint8_t md[SHA256_DIGEST_LEN];

    sha256_final(&copy, md);
    sha256_to_hex(md, hex);
}

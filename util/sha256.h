/*
 * sha256.h - SHA-256 (FIPS 180-4), streaming.
 *
 * The recorder fingerprints every trace it imports with the SHA-256 of its
 * bytes, so the hash runs over everything the reader reads and must keep up
 * with it. There are two compression functions: a portable one in plain C,
 * and one using the x86 SHA extensions, chosen once at run time when the
 * CPU has them. Both produce the same digests (tests/unit/test-sha256.c
 * checks each against the FIPS 180-4 example vectors).
 *
 * Usage: sha256_init(&c); sha256_update(&c, p, n)...; sha256_final(&c, md).
 */
#ifndef SRO_SHA256_H
#define SRO_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define SHA256_DIGEST_LEN 32
#define SHA256_BLOCK_LEN  64

struct sha256_ctx {
    uint32_t h[8];                      /* chaining state */
    uint64_t bytes;                     /* message bytes hashed so far */
    uint8_t  block[SHA256_BLOCK_LEN];   /* partial block */
    unsigned int fill;                  /* bytes used in block[] */
};

/* Which compression function sha256_update() uses. */
enum sha256_impl {
    SHA256_IMPL_AUTO = 0,   /* the fastest the CPU supports (default) */
    SHA256_IMPL_PORTABLE,   /* plain C */
    SHA256_IMPL_SHANI,      /* x86 SHA extensions */
};

/*
 * Select the compression function for the whole process (for tests and
 * benchmarks). Returns 0, or -1 if the CPU (or the build) lacks the one
 * asked for, in which case nothing changes.
 */
int sha256_select(enum sha256_impl impl);
/* The one in use: SHA256_IMPL_PORTABLE or SHA256_IMPL_SHANI. */
enum sha256_impl sha256_current(void);

void sha256_init(struct sha256_ctx *c);
void sha256_update(struct sha256_ctx *c, const void *data, size_t len);
/* Finish: write the 32-byte digest. c must be re-initialised to reuse. */
void sha256_final(struct sha256_ctx *c, uint8_t md[SHA256_DIGEST_LEN]);
/* The digest c would give now, as 64 lower-case hex digits and a NUL;
 * c itself is left as it was, so hashing may go on. */
void sha256_hex_now(const struct sha256_ctx *c, char hex[65]);
/* md as 64 lower-case hex digits and a NUL. */
void sha256_to_hex(const uint8_t md[SHA256_DIGEST_LEN], char hex[65]);

#endif /* SRO_SHA256_H */

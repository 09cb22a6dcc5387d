/*
 * insn-cache.h - instruction byte strings already stored, and their ids.
 *
 * A trace repeats the same few instructions millions of times; the
 * instructions table stores each distinct (bytes, mode) once and every
 * fault row refers to it. This cache answers "which id does this byte
 * string have?" without asking sqlite, for the recorder's db sink.
 *
 * Open addressing with linear probing over a power-of-two table. Memory
 * stays bounded whatever the input: when the table reaches its ceiling it
 * is simply emptied and refilled (a miss costs one database lookup, never
 * a wrong answer), so a hostile trace of endless distinct byte strings
 * cannot make the recorder grow.
 */
#ifndef SRO_INSN_CACHE_H
#define SRO_INSN_CACHE_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/abi.h"

struct sro_insn_key {
    uint8_t mode;                         /* 16, 32 or 64 */
    uint8_t len;                          /* bytes used in bytes[] */
    uint8_t bytes[SRO_INSN_MAX_BYTES];    /* the rest is zero */
};

struct sro_insn_cache;

/* max_entries: ceiling before the cache is emptied (rounded up to a power
 * of two; 0: 65536). NULL when out of memory. */
struct sro_insn_cache *sro_insn_cache_new(unsigned int max_entries);
void sro_insn_cache_free(struct sro_insn_cache *c);

/* Build a key; len is clamped to SRO_INSN_MAX_BYTES. */
void sro_insn_key(struct sro_insn_key *k, const uint8_t *bytes,
                  unsigned int len, unsigned int mode);

/* The id stored for k: true and *id set, or false. */
bool sro_insn_cache_get(const struct sro_insn_cache *c,
                        const struct sro_insn_key *k, int64_t *id);
/* Remember k -> id (k must not be present). */
void sro_insn_cache_put(struct sro_insn_cache *c,
                        const struct sro_insn_key *k, int64_t id);

/* Entries held now, and times the cache was emptied (for tests). */
unsigned int sro_insn_cache_count(const struct sro_insn_cache *c);
unsigned int sro_insn_cache_resets(const struct sro_insn_cache *c);

#endif /* SRO_INSN_CACHE_H */

/*
 * insn-cache.c - see insn-cache.h.
 *
 * The table starts small and doubles while it is below its ceiling, kept
 * at most half full so that probes stay short; at the ceiling it is wiped
 * instead of grown. A key is 17 bytes, compared with memcmp.
 */
#include <stdlib.h>
#include <string.h>

#include "insn-cache.h"

#define INITIAL_SLOTS 256u

struct slot {
    struct sro_insn_key key;
    bool     used;
    int64_t  id;
};

struct sro_insn_cache {
    struct slot  *slots;        /* nslots entries */
    unsigned int  nslots;       /* a power of two */
    unsigned int  count;        /* used slots */
    unsigned int  max_entries;  /* ceiling on count */
    unsigned int  resets;
};

static unsigned int pow2_at_least(unsigned int n)
{
    unsigned int p = 1;

    while ( p < n && p < (1u << 30) )
        p <<= 1;
    return p;
}

struct sro_insn_cache *sro_insn_cache_new(unsigned int max_entries)
{
    struct sro_insn_cache *c = calloc(1, sizeof(*c));

    if ( !c )
        return NULL;
    c->max_entries = pow2_at_least(max_entries ? max_entries : 65536);
    c->nslots = INITIAL_SLOTS < 2 * c->max_entries ? INITIAL_SLOTS
                                                   : 2 * c->max_entries;
    c->slots = calloc(c->nslots, sizeof(*c->slots));
    if ( !c->slots )
    {
        free(c);
        return NULL;
    }
    return c;
}

void sro_insn_cache_free(struct sro_insn_cache *c)
{
    if ( !c )
        return;
    free(c->slots);
    free(c);
}

void sro_insn_key(struct sro_insn_key *k, const uint8_t *bytes,
                  unsigned int len, unsigned int mode)
{
    memset(k, 0, sizeof(*k));
    if ( len > SRO_INSN_MAX_BYTES )
        len = SRO_INSN_MAX_BYTES;
    k->mode = (uint8_t)mode;
    k->len = (uint8_t)len;
    if ( len )
        memcpy(k->bytes, bytes, len);
}

/* FNV-1a over the whole key. */
static uint32_t hash(const struct sro_insn_key *k)
{
    const uint8_t *p = (const uint8_t *)k;
    uint32_t h = 2166136261u;

    for ( size_t i = 0; i < sizeof(*k); i++ )
        h = (h ^ p[i]) * 16777619u;
    return h;
}

/* The slot holding k, or the empty slot where it would go. */
static struct slot *find(const struct sro_insn_cache *c,
                         const struct sro_insn_key *k)
{
    unsigned int mask = c->nslots - 1, i = hash(k) & mask;

    while ( c->slots[i].used &&
            memcmp(&c->slots[i].key, k, sizeof(*k)) != 0 )
        i = (i + 1) & mask;
    return &c->slots[i];
}

bool sro_insn_cache_get(const struct sro_insn_cache *c,
                        const struct sro_insn_key *k, int64_t *id)
{
    const struct slot *s = find(c, k);

    if ( !s->used )
        return false;
    *id = s->id;
    return true;
}

/* Double the table; false if out of memory (the old table stays). */
static bool grow(struct sro_insn_cache *c)
{
    struct sro_insn_cache bigger = *c;

    bigger.nslots = c->nslots * 2;
    bigger.slots = calloc(bigger.nslots, sizeof(*bigger.slots));
    if ( !bigger.slots )
        return false;
    for ( unsigned int i = 0; i < c->nslots; i++ )
        if ( c->slots[i].used )
            *find(&bigger, &c->slots[i].key) = c->slots[i];
    free(c->slots);
    *c = bigger;
    return true;
}

void sro_insn_cache_put(struct sro_insn_cache *c,
                        const struct sro_insn_key *k, int64_t id)
{
    struct slot *s;

    if ( 2 * (c->count + 1) > c->nslots )
    {
        if ( c->count >= c->max_entries || !grow(c) )
        {
            memset(c->slots, 0, c->nslots * sizeof(*c->slots));
            c->count = 0;
            c->resets++;
        }
    }
    s = find(c, k);
    if ( s->used )
    {
        s->id = id;
        return;
    }
    s->key = *k;
    s->used = true;
    s->id = id;
    c->count++;
}

unsigned int sro_insn_cache_count(const struct sro_insn_cache *c)
{
    return c->count;
}

unsigned int sro_insn_cache_resets(const struct sro_insn_cache *c)
{
    return c->resets;
}

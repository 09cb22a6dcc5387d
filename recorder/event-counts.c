/*
 * event-counts.c - see event-counts.h.
 *
 * A fixed open-addressing table of twice the capacity (linear probing,
 * multiplicative hash): no allocation after creation, so adding is a few
 * instructions and can never fail for lack of memory.
 */
#include <stdlib.h>
#include <string.h>

#include "event-counts.h"

struct slot {
    uint32_t event;
    uint64_t count;             /* 0: slot unused */
};

struct sro_event_counts {
    struct slot  *slots;        /* nslots entries */
    unsigned int  nslots;       /* a power of two, >= 2 * capacity */
    unsigned int  capacity;
    unsigned int  size;         /* used slots */
};

struct sro_event_counts *sro_event_counts_new(unsigned int capacity)
{
    struct sro_event_counts *c = calloc(1, sizeof(*c));

    if ( !c )
        return NULL;
    c->capacity = capacity ? capacity : 4096;
    c->nslots = 2;
    while ( c->nslots < 2 * c->capacity )
        c->nslots <<= 1;
    c->slots = calloc(c->nslots, sizeof(*c->slots));
    if ( !c->slots )
    {
        free(c);
        return NULL;
    }
    return c;
}

void sro_event_counts_free(struct sro_event_counts *c)
{
    if ( !c )
        return;
    free(c->slots);
    free(c);
}

bool sro_event_counts_add(struct sro_event_counts *c, uint32_t event)
{
    unsigned int mask = c->nslots - 1;
    unsigned int i = (event * 2654435761u) & mask;

    while ( c->slots[i].count && c->slots[i].event != event )
        i = (i + 1) & mask;
    if ( !c->slots[i].count )
    {
        if ( c->size >= c->capacity )
            return false;
        c->slots[i].event = event;
        c->size++;
    }
    c->slots[i].count++;
    return true;
}

int sro_event_counts_walk(const struct sro_event_counts *c,
                          int (*fn)(void *ctx, uint32_t event,
                                    uint64_t count),
                          void *ctx)
{
    for ( unsigned int i = 0; i < c->nslots; i++ )
        if ( c->slots[i].count )
        {
            int rc = fn(ctx, c->slots[i].event, c->slots[i].count);

            if ( rc )
                return rc;
        }
    return 0;
}

void sro_event_counts_clear(struct sro_event_counts *c)
{
    memset(c->slots, 0, c->nslots * sizeof(*c->slots));
    c->size = 0;
}

unsigned int sro_event_counts_size(const struct sro_event_counts *c)
{
    return c->size;
}

/*
 * event-counts.h - how many records of each unknown event id, in memory.
 *
 * The recorder counts records of other classes per event id instead of
 * storing them (a capture may hold millions) and writes the counts to
 * unknown_events when it finishes, or earlier when the table is full
 * (the db sink adds to the stored counts then), so memory stays bounded.
 */
#ifndef SRO_EVENT_COUNTS_H
#define SRO_EVENT_COUNTS_H

#include <stdbool.h>
#include <stdint.h>

struct sro_event_counts;

/* Holds up to `capacity` distinct ids (0: 4096). NULL when out of memory. */
struct sro_event_counts *sro_event_counts_new(unsigned int capacity);
void sro_event_counts_free(struct sro_event_counts *c);

/* Count one record of event. Returns false when event is new and the
 * table is full: flush (walk, then clear) and add again. */
bool sro_event_counts_add(struct sro_event_counts *c, uint32_t event);

/* Call fn for every (event, count) in no particular order; stops at and
 * returns the first non-zero fn returns. */
int sro_event_counts_walk(const struct sro_event_counts *c,
                          int (*fn)(void *ctx, uint32_t event,
                                    uint64_t count),
                          void *ctx);

void sro_event_counts_clear(struct sro_event_counts *c);
unsigned int sro_event_counts_size(const struct sro_event_counts *c);

#endif /* SRO_EVENT_COUNTS_H */

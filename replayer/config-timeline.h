/*
 * config-timeline.h - a run's protection configuration, replayed in time.
 *
 * The configuration records of a run (range_adds, range_states, ro_pages)
 * are few: they are loaded whole, sorted by TSC (then record order), and
 * applied to a protection state as the replay's clock passes them, so that
 * each fault is judged against the protection "at that moment".
 */
#ifndef SRO_REPLAYER_CONFIG_TIMELINE_H
#define SRO_REPLAYER_CONFIG_TIMELINE_H

#include <stdint.h>

#include <sqlite3.h>

#include "core/prot.h"
#include "db/db.h"

struct sro_config_event {
    uint64_t tsc;
    int64_t  seq;
    uint32_t event;                 /* SRO_RANGE_ADD, _STATE or RO_PAGES */
    uint32_t w[7];                  /* the record's words, rebuilt */
    unsigned int nwords;
};

struct sro_config_timeline {
    struct sro_config_event *ev;
    unsigned int n;
    unsigned int next;              /* first event not applied yet */
    unsigned int refused;           /* records the rules refused (-EPROTO) */
    uint64_t generation;            /* bumped whenever the state changes */
};

/* Load run's configuration records. 0, or -1 with *e filled. */
int sro_config_timeline_load(sqlite3 *db, int64_t run,
                             struct sro_config_timeline *tl,
                             struct sro_db_err *e);
void sro_config_timeline_free(struct sro_config_timeline *tl);

/* Apply to p every event with TSC <= tsc not applied yet. */
void sro_config_timeline_advance(struct sro_config_timeline *tl,
                                 struct sro_prot *p, uint64_t tsc);

#endif /* SRO_REPLAYER_CONFIG_TIMELINE_H */

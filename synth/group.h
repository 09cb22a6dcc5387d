/*
 * group.h - one fault group as the synthesizer makes it.
 *
 * The engine (engine.c) fills one of these per fault: the fault as the
 * instrumented Xen reports it, the chosen model's prediction of it (with
 * the data bytes of each write filled in from the scenario), then any
 * injected deviation (inject.h) applied on top. The writer turns it into
 * records; the mirror (mirror.h) says what a reader will make of them.
 */
#ifndef SRO_SYNTH_GROUP_H
#define SRO_SYNTH_GROUP_H

#include <stdbool.h>

#include "core/types.h"

struct sro_synth_group {
    struct sro_fault      fault;    /* cpu and tsc included */
    struct sro_prediction pred;     /* what Xen did: done + writes (data
                                       filled, deviations applied) */
    bool                  has_done; /* false: the SRO_DONE is not emitted */
    unsigned int          deviations; /* bit d: deviation d was applied */
    const char           *kind;     /* the store's instruction kind */
    const char           *target;   /* the store's target as written */
    unsigned int          line;     /* scenario line of the store */
};

#endif /* SRO_SYNTH_GROUP_H */

/*
 * inject.h - deviations: a hypervisor that departs from its model.
 *
 * `srotrace synth --inject NAME[:RATE]` makes the synthesized Xen do
 * something else than the chosen model predicts, in a known way, so that
 * the replayer's divergence detection and the oracle's verdicts can be
 * tested against a known answer. Each deviation applies to the groups it
 * can change ("eligible"), each one independently with probability RATE
 * (default 1: all of them); the --expect file lists, per group, the
 * deviations applied to it.
 */
#ifndef SRO_SYNTH_INJECT_H
#define SRO_SYNTH_INJECT_H

#include <stdbool.h>
#include <stddef.h>

#include "group.h"
#include "rng.h"

enum sro_deviation {
    SRO_DEV_OFFSET0       = 0,  /* WRITTEN pieces land at dev_offset 0 */
    SRO_DEV_WRITE_RO      = 1,  /* DROPPED_RO pieces are WRITTEN */
    SRO_DEV_DROP_ALLOWED  = 2,  /* WRITTEN pieces are DROPPED_RO */
    SRO_DEV_CRASH_ALLOWED = 3,  /* allowed stores crash the domain */
    SRO_DEV_LOSE_DONE     = 4,  /* the group's SRO_DONE is not emitted */
    SRO_DEV_MISCOUNT      = 5,  /* SRO_DONE counts one write too many */
    SRO_DEV_COUNT
};

/* The deviations asked for. */
struct sro_inject {
    bool   on[SRO_DEV_COUNT];
    double rate[SRO_DEV_COUNT];     /* in (0, 1] */
};

/* "offset0", "write-ro", ...; NULL past the end. */
const char *sro_deviation_name(unsigned int d);
/* One line saying what it does (for --help and the man page). */
const char *sro_deviation_help(unsigned int d);

/*
 * Parse one --inject argument, NAME or NAME:RATE (0 < RATE <= 1), into
 * *inj. Returns 0, or -1 with a message in err.
 */
int sro_inject_parse(struct sro_inject *inj, const char *spec, char *err,
                     size_t errlen);

/* Could deviation d change group g as it stands? */
bool sro_deviation_eligible(unsigned int d, const struct sro_synth_group *g);

/*
 * Apply every deviation of inj to g, in enum order: each eligible one with
 * its probability (drawn from r only when 0 < rate < 1). Sets the bits of
 * g->deviations.
 */
void sro_inject_apply(const struct sro_inject *inj, struct sro_rng *r,
                      struct sro_synth_group *g);

#endif /* SRO_SYNTH_INJECT_H */

/*
 * engine.h - synthesize a xentrace file from a scenario and a Xen model.
 *
 * The engine plays the instrumented hypervisor: at boot it registers the
 * scenario's ranges with core/prot.c as Xen's boot code does and emits
 * their configuration records; then, fault by fault, it picks a store of
 * the scenario by weight, builds the sro_fault a guest vcpu would cause
 * on the physical CPU it runs on, asks the model what Xen does with it,
 * applies any injected deviation, and writes the group through
 * trace/writer.c. Around that it does what a real capture looks like:
 * records of other classes, per-CPU windows drained in chunks in random
 * order, CPUs with slightly different TSC bases, vcpus that migrate,
 * optional lost records and a cut-off tail.
 *
 * It streams: memory does not grow with the number of groups. Output is
 * a function of the options alone (the seed included), byte for byte.
 */
#ifndef SRO_SYNTH_ENGINE_H
#define SRO_SYNTH_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/model.h"
#include "inject.h"
#include "mirror.h"
#include "scenario.h"

struct sro_synth_opts {
    const struct sro_scenario *scn;
    const struct sro_model    *model;   /* what Xen does with each fault */
    uint64_t          seed;
    uint64_t          groups;           /* fault groups to make */
    unsigned int      cpus;             /* physical CPUs, >= 1 */
    struct sro_inject inject;           /* deviations from the model */
    double            lost;             /* chance per group that a run of
                                           lost records starts in it */
    bool              cut;              /* end the file inside a record */
    bool              late_config;      /* a RANGE_STATE snapshot after the
                                           first groups, no boot records */
    FILE             *out;              /* the trace; a regular file if
                                           `cut` (it is truncated) */
    FILE             *expect;           /* JSON lines, or NULL */
};

/* What a run produced. */
struct sro_synth_result {
    struct sro_mirror_stats seen;       /* what a reader will find */
    uint64_t groups_made;               /* groups synthesized */
    uint64_t bytes;                     /* size of the trace file */
    uint64_t bytes_unused;              /* of a cut-off tail */
    uint64_t deviations[SRO_DEV_COUNT]; /* groups each deviation changed */
};

/*
 * The path an HVM fault takes under `model` when the scenario does not
 * say: the 4.20 nested-page-fault path for models named "xen-4.20*", the
 * 4.21 MMIO-handler path otherwise.
 */
unsigned int sro_synth_hvm_path(const struct sro_model *model);

/*
 * Run. Returns 0 and fills *res, or -1 with a message in err (scenario
 * problems as "FILE:LINE: what"). Nothing is closed.
 */
int sro_synth_run(const struct sro_synth_opts *o,
                  struct sro_synth_result *res, char *err, size_t errlen);

#endif /* SRO_SYNTH_ENGINE_H */

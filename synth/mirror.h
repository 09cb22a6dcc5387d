/*
 * mirror.h - what a reader will reassemble from the records written.
 *
 * The synthesizer knows every group it made, but the recorder sees only
 * the records that reach the file: a run of lost records, an SRO_DONE
 * that never comes or a cut-off tail turn groups incomplete (or merge
 * what is left of two groups into one), writes into orphans and records
 * into strays. The mirror follows the rules of trace-format.md section
 * 3.2, as trace/assemble.c reads them, over exactly the records the
 * engine emits, per CPU, and so knows the groups and counters `srotrace
 * record` must report. It writes them as the --expect file: one JSON line per group as
 * the reader will see it, then one "stats" line.
 *
 * Memory: one open group per CPU; nothing is kept once a group closes.
 */
#ifndef SRO_SYNTH_MIRROR_H
#define SRO_SYNTH_MIRROR_H

#include <stdint.h>
#include <stdio.h>

#include "group.h"

/* The counters of trace/assemble.h that a synthesized trace determines. */
struct sro_mirror_stats {
    uint64_t records;           /* records a reader hands out */
    uint64_t config_records;
    uint64_t groups;            /* groups the reader emits */
    uint64_t incomplete_groups;
    uint64_t lost_records;      /* sum of TRC_LOST_RECORDS counts */
    uint64_t lost_events;       /* TRC_LOST_RECORDS records */
    uint64_t unknown_records;   /* records of other classes */
    uint64_t orphan_writes;
    uint64_t stray_records;
};

struct sro_mirror;

/* ncpus physical CPUs; expect: where the JSON lines go (NULL: only count).
 * NULL if out of memory. */
struct sro_mirror *sro_mirror_new(unsigned int ncpus, FILE *expect);
void sro_mirror_free(struct sro_mirror *m);

/* A record of group g reached cpu's stream: event is SRO_FAULT, SRO_INSN,
 * SRO_WRITE (write = its index in g), SRO_DATA or SRO_DONE. */
void sro_mirror_group_rec(struct sro_mirror *m, unsigned int cpu,
                          const struct sro_synth_group *g, uint32_t event,
                          int write);
/* All of g's records reached its CPU, in order, with nothing between. */
void sro_mirror_group(struct sro_mirror *m, const struct sro_synth_group *g);
/* A TRC_LOST_RECORDS of `count` records on cpu. */
void sro_mirror_lost(struct sro_mirror *m, unsigned int cpu, uint32_t count);
/* A record of another class on cpu. */
void sro_mirror_other(struct sro_mirror *m, unsigned int cpu);
/* A configuration record. */
void sro_mirror_config(struct sro_mirror *m);

/*
 * End of the file: open groups close as incomplete ("eof"), then the
 * stats line is written with the trace's size and the bytes a reader
 * cannot use. Returns 0, or -1 if writing the expect file failed.
 */
int sro_mirror_finish(struct sro_mirror *m, uint64_t bytes,
                      uint64_t bytes_unused);

const struct sro_mirror_stats *sro_mirror_stats(const struct sro_mirror *m);

#endif /* SRO_SYNTH_MIRROR_H */

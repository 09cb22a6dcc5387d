/*
 * records.h - a fault group as its separate trace records.
 *
 * Most groups go to the trace whole, through sro_write_group(). A few must
 * be handled record by record: one that a run of lost records cuts into,
 * one with a record of another class between its records, the one a
 * cut-off tail ends inside. For those, this module lets trace/writer.c
 * encode the group (so there is exactly one encoder of the ABI) into a
 * scratch buffer and splits the bytes back into records.
 */
#ifndef SRO_SYNTH_RECORDS_H
#define SRO_SYNTH_RECORDS_H

#include <stdbool.h>
#include <stdint.h>

#include "core/abi.h"
#include "group.h"

/* One record of a group. */
struct sro_synth_rec {
    uint32_t event;             /* SRO_FAULT, SRO_INSN, ... */
    uint8_t  nwords;
    bool     has_tsc;
    uint64_t tsc;
    uint32_t w[SRO_TREC_MAX_WORDS];
    uint32_t bytes;             /* size in the trace */
    int      write;             /* WRITE/DATA: index of its write; else -1 */
};

/* FAULT + INSN + (WRITE + 2 DATA) per write + DONE. */
#define SRO_SYNTH_MAX_RECS (3 + 3 * SRO_PRED_MAX_WRITES)

struct sro_group_splitter;

/* NULL if out of memory. */
struct sro_group_splitter *sro_group_splitter_new(void);
void sro_group_splitter_free(struct sro_group_splitter *s);

/*
 * The records sro_write_group() makes of g (FAULT, INSN, WRITE/DATA each,
 * DONE if g->has_done), in order, into out[SRO_SYNTH_MAX_RECS]. Returns
 * their number, or -1 on an internal error.
 */
int sro_group_split(struct sro_group_splitter *s,
                    const struct sro_synth_group *g,
                    struct sro_synth_rec *out);

#endif /* SRO_SYNTH_RECORDS_H */

/*
 * engine-int.h - the synthesis engine's state, shared by its three files:
 * engine.c (set-up and the fault loop), emit.c (records into per-CPU
 * windows: losses, other classes, flushing, the cut-off tail) and
 * config.c (the configuration records). Not for use outside synth/.
 */
#ifndef SRO_SYNTH_ENGINE_INT_H
#define SRO_SYNTH_ENGINE_INT_H

#include "core/decode.h"
#include "core/prot.h"
#include "trace/writer.h"
#include "engine.h"
#include "group.h"
#include "mirror.h"
#include "records.h"
#include "rng.h"

/* One store line, with everything that does not change per fault. */
struct synth_tmpl {
    const struct sro_scn_store *st;
    unsigned int     guest;         /* index into scn->guests */
    unsigned int     page;          /* index into scn->pages */
    struct sro_fault fault;         /* all but cpu, tsc and vcpu */
    struct sro_insn  insn;          /* its bytes, decoded once */
    uint64_t         cum_weight;    /* sum of weights up to this one */
    uint64_t         seq;           /* next value of a seq: pattern */
};

/* One physical CPU. */
struct synth_cpu {
    uint64_t tsc_base;              /* TSC = global time + tsc_base */
    uint64_t now;                   /* TSC of its latest record */
    uint32_t flush_at;              /* drain the window at this many bytes */
    uint32_t lose_left;             /* records still to drop in this run */
    uint32_t lost;                  /* records dropped so far in this run */
    uint64_t lost_first_tsc;        /* TSC when the run began */
    uint16_t lost_domain, lost_vcpu; /* running when the run began */
};

/* A record of the cut-off tail window, remembered until the cut is known. */
struct synth_tail_rec {
    uint8_t  what;                  /* 0 group record, 1 lost, 2 other */
    uint32_t event;                 /* group record: its event */
    int      write;                 /* group record: its write index */
    uint32_t count;                 /* lost: records */
    uint32_t start, bytes;          /* place in the window (header = 12) */
};

struct synth_engine {
    const struct sro_synth_opts *o;
    const struct sro_scenario   *scn;
    struct sro_synth_result     *res;
    char                        *err;
    size_t                       errlen;

    /* Separate streams, so that e.g. --lost or --inject do not change
     * which stores are made. */
    struct sro_rng rng_main;        /* stores, vcpus, time */
    struct sro_rng rng_value;       /* the data of random values */
    struct sro_rng rng_layout;      /* records of other classes, the
                                       snapshot's CPU */
    struct sro_rng rng_flush;       /* window draining, the cut */
    struct sro_rng rng_loss;        /* lost-record runs */
    struct sro_rng rng_inject;      /* deviations with a rate below 1 */

    struct sro_prot      *prot;
    int                  *add_rc;   /* per protect line: sro_prot_add() */
    struct sro_page_prot *pages;    /* per scenario page: its snapshot */
    bool                 *mapped;   /* per scenario page: written once */
    struct sro_decoder   *dec;

    struct synth_tmpl    *tmpl;
    uint64_t              total_weight;
    unsigned int         *vcpu_cpu;   /* per guest vcpu: its pcpu now */
    unsigned int         *vcpu_first; /* per guest: index of its vcpu 0 */
    unsigned int          nvcpus;

    /* A rep string store faults once per iteration: the guest re-runs
     * it after each retired one. A burst is the rest of such a store. */
    struct synth_tmpl    *burst;      /* NULL: none under way */
    unsigned int          burst_i;    /* iteration about to fault */
    unsigned int          burst_vcpu;

    struct synth_cpu          *cpu;
    struct sro_writer         *w;
    struct sro_mirror         *mirror;
    struct sro_group_splitter *split;
    uint64_t                   now;   /* global time */

    struct sro_synth_group g;         /* the group being made */
    struct sro_synth_rec   recs[SRO_SYNTH_MAX_RECS];
    uint8_t                value[SRO_WRITE_DATA_MAX]; /* the store's
                                                        bytes */

    bool                   tail;      /* emitting the cut-off window */
    struct synth_tail_rec *tail_recs; /* SRO_SYNTH_MAX_RECS + 1 */
    unsigned int           ntail;
};

int synth_fail(struct synth_engine *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* ---- emit.c ---- */

/* Put one record on cpu c, unless a run of lost records swallows it (a
 * TRC_LOST_RECORDS goes first when a run has ended). Returns 1 written,
 * 0 lost, -1 on I/O error. */
int synth_emit(struct synth_engine *e, unsigned int c, uint32_t event,
               bool has_tsc, uint64_t tsc, const uint32_t *words,
               unsigned int nwords);
/* A record of another class on cpu c at about TSC tsc. */
int synth_emit_other(struct synth_engine *e, unsigned int c, uint64_t tsc);
/* e->g onto its CPU: whole, or record by record when it must be. */
int synth_emit_group(struct synth_engine *e);
/* After a group: drain windows as xentrace would. */
int synth_drain(struct synth_engine *e);
/* Flush every CPU's window. */
int synth_flush_all(struct synth_engine *e);
/* The last group, in a window the file ends inside: emits e->g, closes
 * the writer and truncates the file. */
int synth_emit_tail(struct synth_engine *e);

/* ---- config.c ---- */

/* Register the scenario's ranges in e->prot as Xen's boot does, keeping
 * each return code in e->add_rc. */
int synth_config_build(struct synth_engine *e);
/* SRO_RANGE_ADD per protect line, then SRO_RO_PAGES: boot records. */
int synth_config_boot(struct synth_engine *e);
/* SRO_RANGE_STATE per sub-page entry, then SRO_RO_PAGES: a debug key's
 * snapshot in the middle of a capture. */
int synth_config_snapshot(struct synth_engine *e);

#endif /* SRO_SYNTH_ENGINE_INT_H */

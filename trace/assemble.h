/*
 * assemble.h - turn per-CPU record streams into fault groups.
 *
 * Implements trace-format.md section 3.2: FAULT [INSN] (WRITE [DATA])*
 * DONE per CPU, records of other classes allowed in between. Incomplete
 * groups (lost records inside, a new FAULT first, end of input) are kept
 * and marked; WRITE outside a group is an orphan; INSN/DONE/DATA outside a
 * group are stray. Configuration records pass straight through.
 *
 * The assembler owns nothing of its caller's: it calls back with pointers
 * valid for the duration of the call.
 */
#ifndef SRO_TRACE_ASSEMBLE_H
#define SRO_TRACE_ASSEMBLE_H

#include <stdint.h>

#include "../core/types.h"
#include "reader.h"

struct sro_assembler;

/* Most SRO_WRITE records one group keeps (a rep store over a whole page
 * of bytes gives 4096). Further ones are counted as bad records and the
 * group ends with SRO_INC_COUNT_MISMATCH, so memory per CPU stays bounded
 * whatever the input. */
#define SRO_GROUP_MAX_WRITES 65536

struct sro_assemble_ops {
    /* A complete or incomplete group, in the order groups end. */
    int (*group)(void *ctx, const struct sro_group *g);
    /* SRO_RANGE_ADD, SRO_RANGE_STATE or SRO_RO_PAGES. */
    int (*config)(void *ctx, const struct sro_rec *rec);
    /* A WRITE (with its DATA) outside any group. */
    int (*orphan_write)(void *ctx, const struct sro_rec *rec,
                        const struct sro_write *w);
    /* TRC_LOST_RECORDS: count, domain/vcpu then, TSC of the first loss. */
    int (*lost)(void *ctx, const struct sro_rec *rec);
    /* A record of another class (counted and skipped). May be NULL. */
    int (*unknown)(void *ctx, const struct sro_rec *rec);
};

/* Counters for the run row and the summary line. */
struct sro_assemble_stats {
    uint64_t records;           /* records handed in */
    uint64_t groups;            /* groups emitted, complete or not */
    uint64_t incomplete_groups;
    uint64_t lost_records;      /* sum of TRC_LOST_RECORDS w0 */
    uint64_t lost_events;       /* number of TRC_LOST_RECORDS records */
    uint64_t unknown_records;   /* records of other classes */
    uint64_t orphan_writes;
    uint64_t stray_records;     /* INSN/DATA/DONE outside a group */
    uint64_t bad_records;       /* ours with a wrong word count: skipped */
    uint64_t config_records;
};

struct sro_assembler *sro_assembler_new(const struct sro_assemble_ops *ops,
                                        void *ctx);
void sro_assembler_free(struct sro_assembler *a);

/* Feed one record. Returns 0, or the first non-zero a callback returned. */
int sro_assembler_feed(struct sro_assembler *a, const struct sro_rec *rec);

/* End of input: every open group is emitted as incomplete (EOF). */
int sro_assembler_finish(struct sro_assembler *a);

const struct sro_assemble_stats *
sro_assembler_stats(const struct sro_assembler *a);

/* If the last fed record was one of ours with the wrong number of words,
 * a message saying so (the caller adds file and offset); else NULL. */
const char *sro_assembler_last_problem(const struct sro_assembler *a);

#endif /* SRO_TRACE_ASSEMBLE_H */

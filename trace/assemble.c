/*
 * assemble.c - group reassembly of assemble.h (trace-format.md 3.2).
 *
 * One state per physical CPU, created when the CPU's first record comes:
 * the group being collected (if any), whether a TRC_LOST_RECORDS fell in
 * it, and where an SRO_DATA would go. Groups of different CPUs never mix,
 * since the hypervisor handles a fault without migrating.
 *
 * Per CPU, records of our class drive this machine:
 *
 *   FAULT   close an open group as incomplete (new_fault), open a new one
 *   INSN    the open group's instruction, if it has none and no write yet;
 *           otherwise stray
 *   WRITE   appended to the open group; with no group, an orphan write,
 *           reported once the records that could continue it are past
 *   DATA    continues the WRITE just before it (of the group or orphan);
 *           otherwise stray
 *   DONE    closes the open group: complete if it counts the writes seen,
 *           else incomplete (count_mismatch); with no group, stray
 *   config  passed straight to the caller
 *
 * and TRC_LOST_RECORDS marks the CPU's open group lost (it is still
 * collected until its DONE or whatever else ends it). The reason a group
 * is incomplete is the first that applied: a group that lost records and
 * then met a new FAULT, the end of input or a miscounting DONE is "lost",
 * which also explains the rest. Any other event id (not ours, not
 * generic) is counted and passed on; records of other classes may stand
 * between the records of a group and do not disturb it.
 *
 * SRO_DATA continues a write only if no other record of our class (and no
 * lost records) came between them on that CPU. Its words are bytes 8..
 * of the write, little-endian within each word; a second DATA continues
 * where the first stopped. Bytes past the write's length (or past
 * SRO_WRITE_DATA_MAX) are not data and are dropped, so data_len is at
 * most min(len, SRO_WRITE_DATA_MAX).
 *
 * Memory: writes[] of each CPU's group grows by doubling up to
 * SRO_GROUP_MAX_WRITES and is reused by the CPU's next group; nothing is
 * allocated per record.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "assemble.h"

/* Which write an SRO_DATA would continue. */
enum data_target {
    DATA_NONE = 0,
    DATA_GROUP,                 /* the last of the open group's writes */
    DATA_ORPHAN,                /* the pending orphan write */
};

struct cpu_state {
    bool              open;     /* g is being collected */
    bool              lost;     /* a TRC_LOST_RECORDS fell inside g */
    struct sro_group  g;        /* writes[] is ours, reused */
    enum data_target  data_to;  /* where the next SRO_DATA goes */
    unsigned int      data_pos; /* byte index it would fill */
    bool              orphan_pending; /* orphan/orphan_rec not yet told */
    struct sro_write  orphan;
    struct sro_rec    orphan_rec;
};

struct sro_assembler {
    struct sro_assemble_ops ops;
    void                   *ctx;
    struct cpu_state      **cpus;   /* indexed by CPU, ncpus entries */
    uint32_t                ncpus;
    struct sro_assemble_stats stats;
    char                    problem[160];   /* empty = none */
};

struct sro_assembler *sro_assembler_new(const struct sro_assemble_ops *ops,
                                        void *ctx)
{
    struct sro_assembler *a = calloc(1, sizeof(*a));

    if ( !a )
        return NULL;
    if ( ops )
        a->ops = *ops;
    a->ctx = ctx;
    return a;
}

void sro_assembler_free(struct sro_assembler *a)
{
    if ( !a )
        return;
    for ( uint32_t i = 0; i < a->ncpus; i++ )
    {
        if ( a->cpus[i] )
            free(a->cpus[i]->g.writes);
        free(a->cpus[i]);
    }
    free(a->cpus);
    free(a);
}

/* The state of cpu, created on first use; NULL if out of memory. */
static struct cpu_state *cpu_state(struct sro_assembler *a, uint32_t cpu)
{
    if ( cpu >= a->ncpus )
    {
        uint32_t n = a->ncpus ? a->ncpus : 16;
        struct cpu_state **p;

        while ( n <= cpu )
            n *= 2;
        p = realloc(a->cpus, n * sizeof(*p));
        if ( !p )
            return NULL;
        memset(p + a->ncpus, 0, (n - a->ncpus) * sizeof(*p));
        a->cpus = p;
        a->ncpus = n;
    }
    if ( !a->cpus[cpu] )
        a->cpus[cpu] = calloc(1, sizeof(struct cpu_state));
    return a->cpus[cpu];
}

static inline uint64_t u64_of(uint32_t lo, uint32_t hi)
{
    return lo | ((uint64_t)hi << 32);
}

/* Hand the open group of cs out with the given status and reset it. */
static int emit_group(struct sro_assembler *a, struct cpu_state *cs,
                      enum sro_incomplete why)
{
    int rc = 0;

    if ( cs->lost )
        why = SRO_INC_LOST;
    cs->g.incomplete = (uint8_t)why;
    a->stats.groups++;
    if ( why != SRO_COMPLETE )
        a->stats.incomplete_groups++;
    if ( a->ops.group )
        rc = a->ops.group(a->ctx, &cs->g);
    cs->open = false;
    cs->lost = false;
    cs->g.nwrites = 0;
    cs->g.has_done = false;
    cs->data_to = DATA_NONE;
    return rc;
}

/* Report the pending orphan write of cs, if any; nothing can continue it
 * any more. */
static int flush_orphan(struct sro_assembler *a, struct cpu_state *cs)
{
    if ( cs->data_to == DATA_ORPHAN )
        cs->data_to = DATA_NONE;
    if ( !cs->orphan_pending )
        return 0;
    cs->orphan_pending = false;
    if ( a->ops.orphan_write )
        return a->ops.orphan_write(a->ctx, &cs->orphan_rec, &cs->orphan);
    return 0;
}

/* SRO_FAULT (7 words) -> *f, every other field of *f cleared. */
static void decode_fault(struct sro_fault *f, const struct sro_rec *rec)
{
    const uint32_t *w = rec->w;

    memset(f, 0, sizeof(*f));
    f->cpu = rec->cpu;
    f->tsc = rec->tsc;
    f->vcpu = (uint16_t)SRO_FAULT_VCPU(w[0]);
    f->domain = (uint16_t)SRO_FAULT_DOMAIN(w[0]);
    f->path = (uint8_t)SRO_FAULT_PATH(w[1]);
    f->gla_valid = (w[1] & SRO_FAULT_GLA_VALID) != 0;
    f->hwdom = (w[1] & SRO_FAULT_HWDOM) != 0;
    f->code_size = (uint8_t)SRO_FAULT_CODE_SIZE(w[1]);
    f->gla = u64_of(w[2], w[3]);
    f->gpa = u64_of(w[4], w[5]);
    f->mfn = w[6] | ((uint64_t)SRO_FAULT_MFN_HI(w[1]) << 32);
}

/* SRO_INSN (7 words) -> the instruction fields of *f. */
static void decode_insn(struct sro_fault *f, const struct sro_rec *rec)
{
    const uint32_t *w = rec->w;

    f->has_insn = true;
    f->insn_len = (uint8_t)SRO_INSN_LEN(w[0]);
    memset(f->insn, 0, sizeof(f->insn));
    for ( unsigned int k = 0; k < f->insn_len; k++ )
        f->insn[k] = (uint8_t)(w[1 + k / 4] >> (8 * (k % 4)));
    f->rip = u64_of(w[5], w[6]);
}

/* SRO_WRITE (6 words) -> *wr, with its first min(len, 8) data bytes. */
static void decode_write(struct sro_write *wr, const struct sro_rec *rec)
{
    const uint32_t *w = rec->w;
    uint64_t bytes = u64_of(w[3], w[4]);

    memset(wr, 0, sizeof(*wr));
    wr->mfn = u64_of(w[0], w[1]);
    wr->offset = (uint16_t)SRO_WRITE_OFFSET(w[2]);
    wr->len = (uint8_t)SRO_WRITE_LEN(w[2]);
    wr->result = (uint8_t)SRO_WRITE_RESULT(w[2]);
    wr->dev_offset = (uint16_t)SRO_WRITE_DEV_OFFSET(w[5]);
    wr->data_len = wr->len < 8 ? wr->len : 8;
    for ( unsigned int k = 0; k < wr->data_len; k++ )
        wr->data[k] = (uint8_t)(bytes >> (8 * k));
}

/* Add the bytes of an SRO_DATA to wr, from byte index *pos on. */
static void append_data(struct sro_write *wr, unsigned int *pos,
                        const struct sro_rec *rec)
{
    unsigned int limit = wr->len < SRO_WRITE_DATA_MAX ? wr->len
                                                      : SRO_WRITE_DATA_MAX;

    for ( unsigned int i = 0; i < 4u * rec->nwords; i++, (*pos)++ )
        if ( *pos < limit )
            wr->data[*pos] = (uint8_t)(rec->w[i / 4] >> (8 * (i % 4)));
    if ( *pos > wr->data_len )
        wr->data_len = (uint8_t)(*pos < limit ? *pos : limit);
}

/* SRO_DONE (3 words) -> *d. */
static void decode_done(struct sro_done *d, const struct sro_rec *rec)
{
    d->outcome = (uint8_t)SRO_DONE_OUTCOME(rec->w[0]);
    d->reason = (uint8_t)SRO_DONE_REASON(rec->w[0]);
    d->emul_rc = (uint8_t)SRO_DONE_EMUL_RC(rec->w[0]);
    d->nwrites = rec->w[1];
    d->store_size = rec->w[2];
}

/* Count a record of ours as bad (skipped) and say why. Returns 0. */
static int bad_record(struct sro_assembler *a, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int bad_record(struct sro_assembler *a, const char *fmt, ...)
{
    va_list ap;

    a->stats.bad_records++;
    va_start(ap, fmt);
    vsnprintf(a->problem, sizeof(a->problem), fmt, ap);
    va_end(ap);
    return 0;
}

/* Room for one more write in g; false at the cap (or out of memory). */
static bool reserve_write(struct sro_group *g)
{
    if ( g->nwrites < g->cap )
        return true;
    if ( g->cap >= SRO_GROUP_MAX_WRITES )
        return false;
    {
        unsigned int n = g->cap ? 2 * g->cap : 8;
        struct sro_write *p = realloc(g->writes, n * sizeof(*p));

        if ( !p )
            return false;
        g->writes = p;
        g->cap = n;
    }
    return true;
}

/* A record of our group events (FAULT..DONE, word count checked) on the
 * state cs of its CPU: the machine of the file comment. Returns 0 or the
 * first non-zero a callback returned. */
static int feed_group_event(struct sro_assembler *a, struct cpu_state *cs,
                            const struct sro_rec *rec)
{
    int rc = 0, rc2;

    /* Anything but DATA ends what a DATA could continue. */
    if ( rec->event != SRO_DATA )
    {
        rc = flush_orphan(a, cs);
        cs->data_to = DATA_NONE;
    }

    switch ( rec->event )
    {
    case SRO_FAULT:
        if ( cs->open )
        {
            rc2 = emit_group(a, cs, SRO_INC_NEW_FAULT);
            rc = rc ? rc : rc2;
        }
        decode_fault(&cs->g.fault, rec);
        cs->g.file_offset = rec->offset;
        cs->g.nwrites = 0;
        cs->g.has_done = false;
        memset(&cs->g.done, 0, sizeof(cs->g.done));
        cs->open = true;
        cs->lost = false;
        break;

    case SRO_INSN:
        if ( !cs->open || cs->g.fault.has_insn || cs->g.nwrites > 0 )
            a->stats.stray_records++;
        else
            decode_insn(&cs->g.fault, rec);
        break;

    case SRO_WRITE:
        if ( !cs->open )
        {
            a->stats.orphan_writes++;
            decode_write(&cs->orphan, rec);
            cs->orphan_rec = *rec;
            cs->orphan_pending = true;
            cs->data_to = DATA_ORPHAN;
            cs->data_pos = 8;
        }
        else if ( !reserve_write(&cs->g) )
            bad_record(a, "SRO_WRITE beyond the %u one group keeps (or out "
                       "of memory): skipped", SRO_GROUP_MAX_WRITES);
        else
        {
            decode_write(&cs->g.writes[cs->g.nwrites++], rec);
            cs->data_to = DATA_GROUP;
            cs->data_pos = 8;
        }
        break;

    case SRO_DATA:
        if ( cs->data_to == DATA_GROUP )
            append_data(&cs->g.writes[cs->g.nwrites - 1], &cs->data_pos, rec);
        else if ( cs->data_to == DATA_ORPHAN )
            append_data(&cs->orphan, &cs->data_pos, rec);
        else
            a->stats.stray_records++;
        break;

    case SRO_DONE:
        if ( !cs->open )
        {
            a->stats.stray_records++;
            break;
        }
        decode_done(&cs->g.done, rec);
        cs->g.has_done = true;
        rc2 = emit_group(a, cs, cs->g.done.nwrites == cs->g.nwrites
                                ? SRO_COMPLETE : SRO_INC_COUNT_MISMATCH);
        rc = rc ? rc : rc2;
        break;
    }
    return rc;
}

int sro_assembler_feed(struct sro_assembler *a, const struct sro_rec *rec)
{
    struct cpu_state *cs;
    int words, max;

    a->stats.records++;
    a->problem[0] = '\0';

    if ( rec->event == TRC_TRACE_CPU_CHANGE ||
         rec->event == TRC_TRACE_WRAP_BUFFER )
        return 0;                       /* the reader's business */

    if ( rec->event == TRC_LOST_RECORDS )
    {
        int rc = 0;

        a->stats.lost_events++;
        if ( rec->nwords >= 1 )
            a->stats.lost_records += rec->w[0];
        cs = rec->cpu < SRO_READER_MAX_CPUS ? cpu_state(a, rec->cpu) : NULL;
        if ( cs )
        {
            rc = flush_orphan(a, cs);
            cs->data_to = DATA_NONE;
            if ( cs->open )
                cs->lost = true;
        }
        if ( a->ops.lost )
        {
            int rc2 = a->ops.lost(a->ctx, rec);

            rc = rc ? rc : rc2;
        }
        return rc;
    }

    words = sro_event_words(rec->event, &max);
    if ( words < 0 )
    {
        a->stats.unknown_records++;
        return a->ops.unknown ? a->ops.unknown(a->ctx, rec) : 0;
    }
    if ( rec->nwords < words || rec->nwords > max )
    {
        if ( words == max )
            return bad_record(a, "%s with %u words (it has %d): skipped",
                              sro_event_name(rec->event), rec->nwords, words);
        return bad_record(a, "%s with %u words (it has %d to %d): skipped",
                          sro_event_name(rec->event), rec->nwords, words,
                          max);
    }

    switch ( rec->event )
    {
    case SRO_RANGE_ADD:
    case SRO_RANGE_STATE:
    case SRO_RO_PAGES:
        a->stats.config_records++;
        return a->ops.config ? a->ops.config(a->ctx, rec) : 0;
    }

    if ( rec->cpu >= SRO_READER_MAX_CPUS )
        return bad_record(a, "%s on cpu %u (at most %u CPUs exist): skipped",
                          sro_event_name(rec->event), rec->cpu,
                          SRO_READER_MAX_CPUS);
    cs = cpu_state(a, rec->cpu);
    if ( !cs )
        return bad_record(a, "out of memory for cpu %u: %s skipped",
                          rec->cpu, sro_event_name(rec->event));
    return feed_group_event(a, cs, rec);
}

int sro_assembler_finish(struct sro_assembler *a)
{
    int rc = 0;

    for ( uint32_t i = 0; i < a->ncpus; i++ )
    {
        struct cpu_state *cs = a->cpus[i];
        int rc2 = 0;

        if ( !cs )
            continue;
        rc2 = flush_orphan(a, cs);
        rc = rc ? rc : rc2;
        if ( cs->open )
        {
            rc2 = emit_group(a, cs, SRO_INC_EOF);
            rc = rc ? rc : rc2;
        }
    }
    return rc;
}

const struct sro_assemble_stats *
sro_assembler_stats(const struct sro_assembler *a)
{
    return &a->stats;
}

const char *sro_assembler_last_problem(const struct sro_assembler *a)
{
    return a->problem[0] ? a->problem : NULL;
}

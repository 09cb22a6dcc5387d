/*
 * emit.c - records into per-CPU windows, as a loaded Xen and xentrace
 * would leave them.
 *
 * Lost records: Xen drops records while a CPU's trace buffer is full and,
 * when it has room again, writes one TRC_LOST_RECORDS (count, the vcpu
 * that ran, TSC of the first loss) before the next record. A run of lost
 * records starts inside a group (--lost is the chance per group), spans
 * 1..64 records of that CPU, whatever they belong to, and ends before
 * the next record that survives.
 *
 * Other classes: scheduler records (ids and payload sizes of Xen's
 * TRC_SCHED_VERBOSE and credit2 events, 0..5 words), between groups on
 * any CPU and now and then between two records of a group.
 *
 * Windows: each CPU's records are drained when its pending bytes reach a
 * random threshold, and now and then a random CPU is drained early (an
 * empty window, sometimes), so windows of varied sizes interleave.
 *
 * Every record that reaches the file is told to the mirror, which keeps
 * what a reader will make of them; in the cut-off tail window the mirror
 * is told only once the cut is known.
 */
#include <string.h>
#include <unistd.h>

#include "engine-int.h"

/* Records of other classes: event id and number of extra words. */
static const struct other_event {
    uint32_t event;
    uint8_t  nwords;
} other_events[] = {
    { 0x00022201, 0 },      /* csched2 tick */
    { 0x0002800b, 0 },      /* TRC_SCHED_S_TIMER_FN */
    { 0x00022202, 2 },      /* csched2 runq_pos: d/v, position */
    { 0x00028004, 2 },      /* TRC_SCHED_WAKE: domid, vcpuid */
    { 0x00028006, 2 },      /* TRC_SCHED_BLOCK: domid, vcpuid */
    { 0x0002800e, 3 },      /* TRC_SCHED_SWITCH_INFPREV: d, v, runtime */
    { 0x0002800f, 4 },      /* TRC_SCHED_SWITCH_INFNEXT: d, v, rsince,
                               slice */
    { 0x00022203, 4 },      /* csched2 burn_credits: d/v, credit, budget,
                               delta */
    { 0x0002220c, 5 },      /* csched2 update_rq_load: 2 x u64, rq */
};
#define NOTHER (sizeof(other_events) / sizeof(other_events[0]))

#define LOST_RUN_MAX 64

/* Tell the mirror about a record now, or remember it for the tail. */
static void seen(struct synth_engine *e, unsigned int c, uint8_t what,
                 uint32_t event, int write, uint32_t count, uint32_t bytes)
{
    if ( e->tail )
    {
        struct synth_tail_rec *t = &e->tail_recs[e->ntail++];

        t->what = what;
        t->event = event;
        t->write = write;
        t->count = count;
        t->bytes = bytes;
        t->start = 12 + sro_writer_pending(e->w, c) - bytes;
        return;
    }
    if ( what == 0 )
        sro_mirror_group_rec(e->mirror, c, &e->g, event, write);
    else if ( what == 1 )
        sro_mirror_lost(e->mirror, c, count);
    else
        sro_mirror_other(e->mirror, c);
}

int synth_emit(struct synth_engine *e, unsigned int c, uint32_t event,
               bool has_tsc, uint64_t tsc, const uint32_t *words,
               unsigned int nwords)
{
    struct synth_cpu *cp = &e->cpu[c];

    /* A CPU's TSC rises from record to record (xenalyze insists on it
     * for TRC_LOST_RECORDS: it must come after the first loss). */
    if ( has_tsc )
    {
        if ( tsc <= cp->now )
            tsc = cp->now + 1;
        cp->now = tsc;
    }
    if ( cp->lose_left )
    {
        if ( cp->lost == 0 )
            cp->lost_first_tsc = cp->now;
        cp->lose_left--;
        cp->lost++;
        return 0;
    }
    if ( cp->lost )
    {
        if ( cp->now <= cp->lost_first_tsc )
            cp->now = cp->lost_first_tsc + 1;
        if ( sro_write_lost(e->w, c, cp->now, cp->lost, cp->lost_domain,
                            cp->lost_vcpu, cp->lost_first_tsc) )
            return -1;
        seen(e, c, 1, TRC_LOST_RECORDS, -1, cp->lost,
             SRO_TREC_BYTES(4, 1));
        cp->lost = 0;
    }
    if ( sro_writer_rec(e->w, c, event, has_tsc, tsc, words, nwords) )
        return -1;
    return 1;
}

int synth_emit_other(struct synth_engine *e, unsigned int c, uint64_t tsc)
{
    struct sro_rng *r = &e->rng_layout;
    const struct other_event *ev = &other_events[sro_rng_below(r, NOTHER)];
    const struct sro_scn_guest *g =
        &e->scn->guests[sro_rng_below(r, e->scn->nguests)];
    uint32_t vcpu = (uint32_t)sro_rng_below(r, g->vcpus);
    uint32_t w[SRO_TREC_MAX_WORDS];
    int rc;

    /* Plausible payloads: ids of a scenario vcpu, then small numbers. */
    w[0] = ev->event >> 12 == 0x28 ? g->domain
                                   : vcpu | (uint32_t)g->domain << 16;
    w[1] = ev->event >> 12 == 0x28 ? vcpu : (uint32_t)sro_rng_below(r, 8);
    for ( unsigned int i = 2; i < ev->nwords; i++ )
        w[i] = (uint32_t)sro_rng_below(r, 1u << 20);
    rc = synth_emit(e, c, ev->event, true, tsc, w, ev->nwords);
    if ( rc == 1 )
        seen(e, c, 2, ev->event, -1, 0, SRO_TREC_BYTES(ev->nwords, 1));
    return rc < 0 ? -1 : 0;
}

/*
 * e->g record by record: `loss_at` (or -1) is the record a run of lost
 * records starts at, `other_at` (or -1) the record a record of another
 * class goes before.
 */
static int emit_split(struct synth_engine *e, int loss_at, int other_at)
{
    unsigned int c = e->g.fault.cpu;
    struct synth_cpu *cp = &e->cpu[c];
    int n = sro_group_split(e->split, &e->g, e->recs);

    if ( n < 0 )
        return synth_fail(e, "internal error: cannot split a group into "
                          "records");
    for ( int k = 0; k < n; k++ )
    {
        const struct sro_synth_rec *r = &e->recs[k];
        int rc;

        if ( k == other_at && r->event != SRO_DATA &&
             synth_emit_other(e, c, cp->now + 1 + k) )
            return -1;
        if ( k == loss_at && cp->lose_left == 0 && cp->lost == 0 )
        {
            cp->lose_left = (uint32_t)sro_rng_range(&e->rng_loss, 1,
                                                    LOST_RUN_MAX);
            cp->lost_domain = e->g.fault.domain;
            cp->lost_vcpu = e->g.fault.vcpu;
        }
        rc = synth_emit(e, c, r->event, r->has_tsc, r->tsc, r->w,
                        r->nwords);
        if ( rc < 0 )
            return -1;
        if ( rc == 1 )
            seen(e, c, 0, r->event, r->write, 0, r->bytes);
    }
    return 0;
}

int synth_emit_group(struct synth_engine *e)
{
    const struct sro_synth_opts *o = e->o;
    unsigned int c = e->g.fault.cpu;
    struct synth_cpu *cp = &e->cpu[c];
    double inner = e->scn->noise / 8;
    int loss_at = -1, other_at = -1;
    unsigned int nrec = 2 + 2 * e->g.pred.nwrites + e->g.has_done;

    /* Each decision draws from its own stream (engine-int.h). */
    if ( sro_rng_chance(&e->rng_loss, o->lost) )
        loss_at = (int)sro_rng_below(&e->rng_loss, nrec);
    if ( sro_rng_chance(&e->rng_layout, inner > 1 ? 1 : inner) )
        other_at = 1 + (int)sro_rng_below(&e->rng_layout, nrec);

    if ( loss_at < 0 && other_at < 0 && !cp->lose_left && !cp->lost )
    {
        cp->now = e->g.fault.tsc;
        if ( sro_write_group(e->w, &e->g.fault, e->g.pred.writes,
                             e->g.pred.nwrites,
                             e->g.has_done ? &e->g.pred.done : NULL) )
            return -1;
        sro_mirror_group(e->mirror, &e->g);
        return 0;
    }
    return emit_split(e, loss_at, other_at);
}

/* Pending bytes at which a CPU's window is drained next. */
static uint32_t flush_threshold(struct synth_engine *e)
{
    return (uint32_t)sro_rng_range(&e->rng_flush, 256, 24576) & ~3u;
}

int synth_drain(struct synth_engine *e)
{
    struct sro_rng *r = &e->rng_flush;
    unsigned int c = e->g.fault.cpu;

    if ( sro_writer_pending(e->w, c) >= e->cpu[c].flush_at )
    {
        if ( sro_writer_flush_cpu(e->w, c, false) )
            return -1;
        e->cpu[c].flush_at = flush_threshold(e);
    }
    if ( sro_rng_chance(r, 0.02) )
    {
        unsigned int d = (unsigned int)sro_rng_below(r, e->o->cpus);
        bool empty_ok = sro_rng_chance(r, 0.3);

        if ( sro_writer_flush_cpu(e->w, d, empty_ok) )
            return -1;
        e->cpu[d].flush_at = flush_threshold(e);
    }
    return 0;
}

int synth_flush_all(struct synth_engine *e)
{
    for ( unsigned int c = 0; c < e->o->cpus; c++ )
        if ( sro_writer_flush_cpu(e->w, c, false) )
            return -1;
    return 0;
}

/*
 * The file ends inside this window: inside one of its records (or its
 * header when everything in it was lost), at a random byte. The mirror
 * learns only of the records that end before the cut, and the reader
 * cannot use the bytes of the one cut through.
 */
int synth_emit_tail(struct synth_engine *e)
{
    unsigned int c = e->g.fault.cpu;
    struct sro_rng *r = &e->rng_flush;
    uint64_t before;
    uint32_t start, size, cut;
    unsigned int pick;
    FILE *out = e->o->out;

    if ( synth_flush_all(e) )
        return -1;
    e->tail = true;
    e->ntail = 0;
    if ( emit_split(e, -1, -1) )
        return -1;
    e->tail = false;
    if ( e->ntail == 0 )
    {
        start = 0;
        size = 12;
    }
    else
    {
        pick = (unsigned int)sro_rng_below(r, e->ntail);
        start = e->tail_recs[pick].start;
        size = e->tail_recs[pick].bytes;
    }
    cut = start + (uint32_t)sro_rng_range(r, 1, size - 1);
    for ( unsigned int i = 0; i < e->ntail; i++ )
    {
        const struct synth_tail_rec *t = &e->tail_recs[i];

        if ( t->start + t->bytes > cut )
            break;
        if ( t->what == 0 )
            sro_mirror_group_rec(e->mirror, c, &e->g, t->event, t->write);
        else if ( t->what == 1 )
            sro_mirror_lost(e->mirror, c, t->count);
        else
            sro_mirror_other(e->mirror, c);
    }
    before = sro_writer_bytes(e->w);
    if ( sro_writer_flush_cpu(e->w, c, true) || fflush(out) )
        return -1;
    e->res->bytes = before + cut;
    e->res->bytes_unused = cut - start;
    if ( ftruncate(fileno(out), (off_t)e->res->bytes) )
        return synth_fail(e, "--cut: cannot truncate the output (it must "
                          "be a regular file)");
    return 0;
}

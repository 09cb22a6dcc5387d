/*
 * ingest.c - see ingest.h.
 *
 * The loop: read a record, remember its index (seq) and TSC range, feed
 * it to the assembler whose callbacks insert rows through the sink, turn
 * the reader's and assembler's complaints into diagnostics, and commit a
 * batch whenever the sink says one is due.
 *
 * Stopping (opts->stop set by a signal handler) must not lose what was
 * already read: a signal that interrupts a blocked read on a pipe leaves
 * the bytes that did arrive in the reader's buffer. So after the stop the
 * loop goes on while the reader can answer from its buffer, and ends at
 * the first record that needed another read (at most one block more of a
 * regular file).
 *
 * A group is emitted when it ends (its DONE, the next FAULT, the end of
 * input), so its SRO_FAULT's record index is no longer at hand then: for
 * each CPU we keep the offset and index of its last SRO_FAULT, updated
 * only after the assembler has seen the record, which is exactly the
 * FAULT of the group any callback of that CPU emits.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "../trace/assemble.h"
#include "ingest.h"

#define PROGRESS_EVERY 4096     /* records between progress calls */

/* The last SRO_FAULT seen on one CPU. */
struct fault_pos {
    uint64_t offset;            /* its byte offset */
    uint64_t seq;               /* its record index */
};

struct ingest {
    const struct sro_ingest_opts *o;
    struct sro_ingest_result     *res;
    struct sro_db_sink           *sink;
    struct sro_reader            *reader;
    struct sro_assembler         *asm_;
    uint64_t                      seq;      /* index of the current record */
    struct fault_pos             *faults;   /* indexed by CPU */
    uint32_t                      nfaults;
    char                          last_reader_err[400];
};

/* How many diagnostics are printed in full. */
static uint64_t max_diag(const struct sro_ingest_opts *o)
{
    return o->max_diag ? o->max_diag : 20;
}

/* Report one problem of the input: print it (the first max_diag) and keep
 * the first as the run's error. */
static void diag(struct ingest *in, const char *msg)
{
    if ( in->res->diagnostics == 0 )
        snprintf(in->res->error, sizeof(in->res->error), "%s", msg);
    if ( in->o->diag && in->res->diagnostics < max_diag(in->o) )
        fprintf(in->o->diag, "%s\n", msg);
    in->res->diagnostics++;
}

static const char *name_of(const struct ingest *in)
{
    return in->o->info.source ? in->o->info.source : "-";
}

/* Remember where cpu's latest SRO_FAULT is. */
static void note_fault(struct ingest *in, uint32_t cpu, uint64_t offset,
                       uint64_t seq)
{
    if ( cpu >= SRO_READER_MAX_CPUS )
        return;
    if ( cpu >= in->nfaults )
    {
        uint32_t n = in->nfaults ? in->nfaults : 64;
        struct fault_pos *p;

        while ( n <= cpu )
            n *= 2;
        p = realloc(in->faults, n * sizeof(*p));
        if ( !p )
            return;
        memset(p + in->nfaults, 0xff, (n - in->nfaults) * sizeof(*p));
        in->faults = p;
        in->nfaults = n;
    }
    in->faults[cpu].offset = offset;
    in->faults[cpu].seq = seq;
}

/* ---- assembler callbacks: straight into the sink ---- */

static int on_group(void *ctx, const struct sro_group *g)
{
    struct ingest *in = ctx;
    uint32_t cpu = g->fault.cpu;
    uint64_t seq = in->seq;

    if ( cpu < in->nfaults && in->faults[cpu].offset == g->file_offset )
        seq = in->faults[cpu].seq;
    return sro_db_sink_group(in->sink, g, seq);
}

static int on_config(void *ctx, const struct sro_rec *rec)
{
    struct ingest *in = ctx;

    return sro_db_sink_config(in->sink, rec, in->seq);
}

static int on_orphan(void *ctx, const struct sro_rec *rec,
                     const struct sro_write *w)
{
    return sro_db_sink_orphan_write(((struct ingest *)ctx)->sink, rec, w);
}

static int on_lost(void *ctx, const struct sro_rec *rec)
{
    return sro_db_sink_lost(((struct ingest *)ctx)->sink, rec);
}

static int on_unknown(void *ctx, const struct sro_rec *rec)
{
    return sro_db_sink_unknown(((struct ingest *)ctx)->sink, rec->event);
}

static const struct sro_assemble_ops ops = {
    .group = on_group,
    .config = on_config,
    .orphan_write = on_orphan,
    .lost = on_lost,
    .unknown = on_unknown,
};

/* The run row's counters as of now. */
static void fill_totals(struct ingest *in, bool final)
{
    const struct sro_assemble_stats *st = sro_assembler_stats(in->asm_);
    struct sro_run_totals *t = &in->res->totals;

    t->records = st->records;
    t->groups = st->groups;
    t->incomplete_groups = st->incomplete_groups;
    t->lost_records = st->lost_records;
    t->unknown_records = st->unknown_records;
    t->orphan_writes = st->orphan_writes;
    t->stray_records = st->stray_records;
    t->bad_records = st->bad_records;
    t->bytes_unused = sro_reader_bytes_unused(in->reader);
    t->tsc_resets = sro_reader_tsc_resets(in->reader);
    t->size = sro_reader_bytes_read(in->reader);
    t->error = in->res->error[0] ? in->res->error : NULL;
    if ( final )
        sro_reader_sha256(in->reader, t->sha256);
    else
        t->sha256[0] = '\0';
}

static bool stopped(const struct ingest *in)
{
    return in->o->stop && *in->o->stop;
}

/* The reader returned -1: report its message unless we are stopping (a
 * read interrupted by the signal that stops us is no input problem). */
static void reader_problem(struct ingest *in)
{
    const char *msg = sro_reader_error(in->reader);

    if ( !msg )
        return;
    snprintf(in->last_reader_err, sizeof(in->last_reader_err), "%s", msg);
    if ( !stopped(in) )
        diag(in, msg);
}

/* The end of input: a cut-off tail or an empty input is a problem too. */
static void end_problems(struct ingest *in)
{
    const char *msg = sro_reader_error(in->reader);
    char buf[400];

    if ( stopped(in) )
        return;
    if ( msg && strcmp(msg, in->last_reader_err) != 0 )
        diag(in, msg);
    else if ( sro_reader_bytes_read(in->reader) == 0 )
    {
        snprintf(buf, sizeof(buf), "%s: offset 0: empty input (no window "
                 "header, nothing to import)", name_of(in));
        diag(in, buf);
    }
}

/* The main loop; returns 0, or -1 when the database failed. */
static int pump(struct ingest *in)
{
    struct sro_rec rec;
    uint64_t next_progress = PROGRESS_EVERY;
    struct sro_run_totals *t = &in->res->totals;
    bool draining = false;

    for ( ;; )
    {
        const char *problem;
        uint64_t before = sro_reader_bytes_read(in->reader);
        int rc;

        /* Once stopped, take only what the reader already holds: a record
         * that needed another read is where we stop. */
        draining = draining || stopped(in);
        rc = sro_reader_next(in->reader, &rec);
        if ( rc == 0 ||
             (draining && sro_reader_bytes_read(in->reader) != before) )
            break;
        if ( rc < 0 )
        {
            reader_problem(in);
            continue;
        }
        if ( rec.has_tsc )
        {
            if ( !t->have_tsc || rec.tsc < t->first_tsc )
                t->first_tsc = rec.tsc;
            if ( !t->have_tsc || rec.tsc > t->last_tsc )
                t->last_tsc = rec.tsc;
            t->have_tsc = true;
        }
        if ( sro_assembler_feed(in->asm_, &rec) )
            return -1;
        problem = sro_assembler_last_problem(in->asm_);
        if ( problem )
        {
            char buf[400];

            snprintf(buf, sizeof(buf), "%s: offset %" PRIu64 ": %s",
                     name_of(in), rec.offset, problem);
            diag(in, buf);
        }
        else if ( rec.event == SRO_FAULT )
            note_fault(in, rec.cpu, rec.offset, in->seq);
        in->seq++;

        if ( sro_db_sink_due(in->sink) )
        {
            fill_totals(in, false);
            if ( sro_db_sink_commit(in->sink, t) )
                return -1;
        }
        if ( in->o->progress && in->seq >= next_progress )
        {
            next_progress = in->seq + PROGRESS_EVERY;
            in->o->progress(in->o->progress_ctx,
                            sro_reader_bytes_read(in->reader), in->seq,
                            sro_assembler_stats(in->asm_)->groups);
        }
    }
    return sro_assembler_finish(in->asm_) ? -1 : 0;
}

int sro_ingest(sqlite3 *db, FILE *file, const struct sro_ingest_opts *o,
               struct sro_ingest_result *res)
{
    struct ingest in = { .o = o, .res = res };
    int status;

    memset(res, 0, sizeof(*res));
    res->status = "interrupted";
    in.reader = sro_reader_new(file, name_of(&in));
    in.asm_ = sro_assembler_new(&ops, &in);
    if ( !in.reader || !in.asm_ )
    {
        sro_db_fail(db, SQLITE_NOMEM, "starting the import", &res->db_err);
        status = SRO_INGEST_DB_ERROR;
        goto out;
    }
    in.sink = sro_db_sink_new(db, &o->info, &res->db_err);
    if ( !in.sink )
    {
        status = SRO_INGEST_DB_ERROR;
        goto out;
    }
    res->run = sro_db_sink_run(in.sink);
    sro_db_sink_set_batch(in.sink, o->batch_rows, o->batch_ms);

    if ( pump(&in) == 0 )
    {
        bool stop = stopped(&in);

        end_problems(&in);
        fill_totals(&in, true);
        res->status = stop ? "interrupted" : "complete";
        if ( sro_db_sink_finish(in.sink, res->status, &res->totals) == 0 )
        {
            if ( o->diag && res->diagnostics > max_diag(o) )
                fprintf(o->diag, "%s: %" PRIu64 " more problems not shown\n",
                        name_of(&in), res->diagnostics - max_diag(o));
            status = stop ? SRO_INGEST_STOPPED :
                     res->diagnostics ? SRO_INGEST_BAD_INPUT : SRO_INGEST_OK;
            goto out;
        }
    }
    /* The database failed. */
    res->db_err = *sro_db_sink_error(in.sink);
    fill_totals(&in, true);
    res->status = "interrupted";
    sro_db_sink_abort(in.sink, res->db_err.msg);
    status = SRO_INGEST_DB_ERROR;

 out:
    sro_db_sink_free(in.sink);
    sro_assembler_free(in.asm_);
    sro_reader_free(in.reader);
    free(in.faults);
    return status;
}

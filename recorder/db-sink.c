/*
 * db-sink.c - see db-sink.h.
 *
 * Every table gets one persistent prepared statement, bound and stepped
 * once per row; nothing is formatted as SQL text per row. A batch is the
 * open transaction: it begins lazily at the first row after a commit, so
 * an idle sink holds no lock. Instruction rows are found through the
 * bounded cache of insn-cache.h; on a miss one UPSERT ... RETURNING gives
 * the id whether the byte string is new or already stored (by this run or
 * an earlier one: instructions are shared by all runs).
 * Each row is also counted into the run's summary (analyzer/summary.h),
 * stored with the final counters, so that `record` never reads its run
 * back for the report and the audit.
 */
#include <assert.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyzer/summary.h"
#include "db-sink.h"
#include "event-counts.h"
#include "insn-cache.h"

enum stmt_id {
    ST_RANGE_ADD,
    ST_RANGE_STATE,
    ST_RO_PAGES,
    ST_INSN,
    ST_GROUP,
    ST_WRITE,
    ST_LOST,
    ST_UNKNOWN,
    ST_RUN_UPDATE,
    ST_COUNT
};

static const char *const stmt_sql[ST_COUNT] = {
    [ST_RANGE_ADD] =
        "INSERT INTO range_adds (run, seq, cpu, tsc, start, size, rc, flags)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_RANGE_STATE] =
        "INSERT INTO range_states (run, seq, cpu, tsc, mfn, quarter, mapped,"
        " ro_bits) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_RO_PAGES] =
        "INSERT INTO ro_pages (run, seq, cpu, tsc, first_mfn, last_mfn)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
    [ST_INSN] =
        "INSERT INTO instructions (bytes, mode) VALUES (?1, ?2)"
        " ON CONFLICT (bytes, mode) DO UPDATE SET mode = excluded.mode"
        " RETURNING id",
    [ST_GROUP] =
        "INSERT INTO fault_groups (run, seq, file_offset, cpu, tsc, domain,"
        " vcpu, path, gla_valid, hwdom, code_size, gla, gpa, mfn,"
        " page_offset, rip, insn, outcome, reason, emul_rc, done_nwrites,"
        " store_size, nwrites, complete, incomplete) VALUES (?1, ?2, ?3,"
        " ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17,"
        " ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25)",
    [ST_WRITE] =
        "INSERT INTO dev_writes (run, grp, piece, cpu, tsc, mfn, offset,"
        " length, result, dev_offset, data) VALUES (?1, ?2, ?3, ?4, ?5, ?6,"
        " ?7, ?8, ?9, ?10, ?11)",
    [ST_LOST] =
        "INSERT INTO lost_spans (run, cpu, tsc, count, domain, vcpu,"
        " first_tsc, file_offset) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_UNKNOWN] =
        "INSERT INTO unknown_events (run, event, count) VALUES (?1, ?2, ?3)"
        " ON CONFLICT (run, event) DO UPDATE SET"
        " count = count + excluded.count",
    [ST_RUN_UPDATE] =
        "UPDATE runs SET records = ?2, groups_total = ?3,"
        " incomplete_groups = ?4, lost_records = ?5, unknown_records = ?6,"
        " orphan_writes = ?7, stray_records = ?8, bad_records = ?9,"
        " bytes_unused = ?10, tsc_resets = ?11, first_tsc = ?12,"
        " last_tsc = ?13, size = ?14, sha256 = ?15, error = ?16,"
        " status = ?17, finished_at = ?18 WHERE id = ?1",
};

struct sro_db_sink {
    sqlite3                 *db;            /* borrowed */
    int64_t                  run;           /* runs.id */
    sqlite3_stmt            *st[ST_COUNT];
    struct sro_insn_cache   *insns;
    struct sro_event_counts *unknown;
    bool                     in_batch;      /* a transaction is open */
    unsigned int             batch_rows;    /* rows in the open batch */
    struct timespec          batch_start;   /* when it began */
    unsigned int             max_rows;
    unsigned int             max_ms;
    unsigned int             due_calls;     /* to read the clock rarely */
    uint64_t                 rows;          /* inserted, all batches */
    struct summary_acc      *sum;           /* the run's summary so far */
    struct summary_piece    *pieces;        /* a group's, for the summary */
    unsigned int             cap_pieces;
    struct sro_db_err        err;
};

static void now_mono(struct timespec *ts)
{
    clock_gettime(CLOCK_MONOTONIC_COARSE, ts);
}

static int fail(struct sro_db_sink *s, int rc, const char *what)
{
    return sro_db_fail(s->db, rc, what, &s->err);
}

/* Make sure a batch (transaction) is open. */
static int batch_open(struct sro_db_sink *s)
{
    if ( s->in_batch )
        return 0;
    if ( sro_db_begin(s->db, &s->err) )
        return -1;
    s->in_batch = true;
    s->batch_rows = 0;
    now_mono(&s->batch_start);
    return 0;
}

/* Open a batch if needed and count the row about to go in. */
static int batch_row(struct sro_db_sink *s)
{
    if ( batch_open(s) )
        return -1;
    s->batch_rows++;
    s->rows++;
    return 0;
}

/* Step an INSERT whose parameters are bound. */
static int insert(struct sro_db_sink *s, enum stmt_id id, const char *what)
{
    int rc;

    if ( batch_row(s) )
        return -1;
    rc = sqlite3_step(s->st[id]);
    sqlite3_reset(s->st[id]);
    return rc == SQLITE_DONE ? 0 : fail(s, rc, what);
}

struct sro_db_sink *sro_db_sink_new(sqlite3 *db,
                                    const struct sro_run_info *info,
                                    struct sro_db_err *e)
{
    struct sro_db_sink *s = calloc(1, sizeof(*s));
    sqlite3_stmt *ins = NULL;
    char now[32];
    int rc;

    if ( !s )
    {
        sro_db_fail(db, SQLITE_NOMEM, "starting a run", e);
        return NULL;
    }
    s->db = db;
    s->max_rows = SRO_SINK_BATCH_ROWS;
    s->max_ms = SRO_SINK_BATCH_MS;
    s->insns = sro_insn_cache_new(0);
    s->unknown = sro_event_counts_new(0);
    s->sum = summary_acc_new();
    if ( !s->insns || !s->unknown )
    {
        sro_db_fail(db, SQLITE_NOMEM, "starting a run", e);
        goto fail;
    }

    ins = sro_db_prepare(db, "INSERT INTO runs (source, host, xen_version, "
                         "tsc_hz, started_at, status, writer_host, "
                         "writer_pid) VALUES (?1, ?2, ?3, ?4, ?5, "
                         "'recording', ?6, ?7)", e);
    if ( !ins )
        goto fail;
    sro_db_now(now);
    sqlite3_bind_text(ins, 1, info->source ? info->source : "-", -1,
                      SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, info->host, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, info->xen_version, -1, SQLITE_STATIC);
    if ( info->tsc_hz )
        sro_db_bind_u64(ins, 4, info->tsc_hz);
    else
        sqlite3_bind_null(ins, 4);
    sqlite3_bind_text(ins, 5, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 6, sro_db_hostname(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(ins, 7, (int64_t)getpid());
    rc = sqlite3_step(ins);
    sqlite3_finalize(ins);
    if ( rc != SQLITE_DONE )
    {
        sro_db_fail(db, rc, "creating the run", e);
        goto fail;
    }
    s->run = sqlite3_last_insert_rowid(db);

    for ( unsigned int i = 0; i < ST_COUNT; i++ )
    {
        s->st[i] = sro_db_prepare(db, stmt_sql[i], e);
        if ( !s->st[i] )
            goto fail;
        /* Every statement but the instruction one binds the run as ?1. */
        if ( i != ST_INSN )
            sqlite3_bind_int64(s->st[i], 1, s->run);
    }
    return s;

 fail:
    sro_db_sink_free(s);
    return NULL;
}

void sro_db_sink_free(struct sro_db_sink *s)
{
    if ( !s )
        return;
    if ( s->in_batch )
        sro_db_rollback(s->db);
    for ( unsigned int i = 0; i < ST_COUNT; i++ )
        sqlite3_finalize(s->st[i]);
    sro_insn_cache_free(s->insns);
    sro_event_counts_free(s->unknown);
    summary_acc_free(s->sum);
    free(s->pieces);
    free(s);
}

int64_t sro_db_sink_run(const struct sro_db_sink *s)
{
    return s->run;
}

uint64_t sro_db_sink_rows(const struct sro_db_sink *s)
{
    return s->rows;
}

const struct sro_db_err *sro_db_sink_error(const struct sro_db_sink *s)
{
    return &s->err;
}

void sro_db_sink_set_batch(struct sro_db_sink *s, unsigned int rows,
                           unsigned int ms)
{
    if ( rows )
        s->max_rows = rows;
    if ( ms )
        s->max_ms = ms;
}

static inline uint64_t u64_of(uint32_t lo, uint32_t hi)
{
    return lo | ((uint64_t)hi << 32);
}

int sro_db_sink_config(struct sro_db_sink *s, const struct sro_rec *rec,
                       uint64_t seq)
{
    const uint32_t *w = rec->w;
    enum stmt_id id;
    sqlite3_stmt *st;

    switch ( rec->event )
    {
    case SRO_RANGE_ADD:
        assert(rec->nwords >= SRO_RANGE_ADD_WORDS);
        st = s->st[id = ST_RANGE_ADD];
        sro_db_bind_u64(st, 5, u64_of(w[0], w[1]));
        sqlite3_bind_int64(st, 6, w[2]);
        sqlite3_bind_int64(st, 7, (int32_t)w[3]);
        sqlite3_bind_int64(st, 8, w[4]);
        break;
    case SRO_RANGE_STATE:
    {
        uint8_t bits[16];

        assert(rec->nwords >= SRO_RANGE_STATE_WORDS);
        st = s->st[id = ST_RANGE_STATE];
        for ( unsigned int i = 0; i < 16; i++ )
            bits[i] = (uint8_t)(w[3 + i / 4] >> (8 * (i % 4)));
        sro_db_bind_u64(st, 5, u64_of(w[0], w[1]));
        sqlite3_bind_int(st, 6, (int)SRO_STATE_QUARTER(w[2]));
        sqlite3_bind_int(st, 7, (w[2] & SRO_STATE_MAPPED) != 0);
        sqlite3_bind_blob(st, 8, bits, sizeof(bits), SQLITE_TRANSIENT);
        break;
    }
    case SRO_RO_PAGES:
        assert(rec->nwords >= SRO_RO_PAGES_WORDS);
        st = s->st[id = ST_RO_PAGES];
        sro_db_bind_u64(st, 5, u64_of(w[0], w[1]));
        sro_db_bind_u64(st, 6, u64_of(w[2], w[3]));
        break;
    default:
        return 0;
    }
    sro_db_bind_u64(st, 2, seq);
    sqlite3_bind_int64(st, 3, rec->cpu);
    sro_db_bind_u64(st, 4, rec->tsc);
    return insert(s, id, "storing a configuration record");
}

/* The decoding mode of an SRO_FAULT code size: 16, 32 or 64 (unknown is
 * taken as 64, as core/decode.h's sro_mode_of_code_size() does). */
static unsigned int mode_of(unsigned int code_size)
{
    switch ( code_size )
    {
    case SRO_CODE_16: return 16;
    case SRO_CODE_32: return 32;
    default:          return 64;
    }
}

/* The instructions.id of f's bytes, inserting them if new. */
static int insn_id(struct sro_db_sink *s, const struct sro_fault *f,
                   int64_t *id)
{
    sqlite3_stmt *st = s->st[ST_INSN];
    struct sro_insn_key k;
    int rc;

    sro_insn_key(&k, f->insn, f->insn_len, mode_of(f->code_size));
    if ( sro_insn_cache_get(s->insns, &k, id) )
        return 0;
    if ( batch_row(s) )
        return -1;
    if ( k.len )
        sqlite3_bind_blob(st, 1, k.bytes, k.len, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob(st, 1, 0);
    sqlite3_bind_int(st, 2, k.mode);
    rc = sqlite3_step(st);
    if ( rc == SQLITE_ROW )
    {
        *id = sqlite3_column_int64(st, 0);
        rc = sqlite3_step(st);
    }
    sqlite3_reset(st);
    if ( rc != SQLITE_DONE )
        return fail(s, rc, "storing an instruction");
    sro_insn_cache_put(s->insns, &k, *id);
    return 0;
}

/* The summary's view of a dev_writes row of w (as write_row stores it). */
static struct summary_piece piece_of(const struct sro_write *w)
{
    return (struct summary_piece){
        .mfn = sro_db_i64(w->mfn), .offset = w->offset, .length = w->len,
        .result = w->result, .dev_offset = w->dev_offset,
    };
}

/* Count group g (stored with instruction id insn) into the summary. */
static int count_group(struct sro_db_sink *s, const struct sro_group *g,
                       int64_t insn)
{
    const struct sro_fault *f = &g->fault;
    struct summary_group sg = {
        .domain = f->domain, .vcpu = f->vcpu, .hwdom = f->hwdom,
        .mfn = sro_db_i64(f->mfn),
        .page_offset = (int64_t)(f->gpa & (SRO_PAGE_SIZE - 1)),
        .tsc = sro_db_i64(f->tsc), .has_insn = f->has_insn, .insn = insn,
        .rip = sro_db_i64(f->rip),
        .store_size = g->has_done ? (int64_t)g->done.store_size : 0,
        .has_outcome = g->has_done, .outcome = g->done.outcome,
    };

    if ( g->nwrites > s->cap_pieces )
    {
        struct summary_piece *p = realloc(s->pieces,
                                          g->nwrites * sizeof(*p));

        if ( !p )
            return fail(s, SQLITE_NOMEM, "counting a fault group");
        s->pieces = p;
        s->cap_pieces = g->nwrites;
    }
    for ( unsigned int i = 0; i < g->nwrites; i++ )
        s->pieces[i] = piece_of(&g->writes[i]);
    summary_acc_group(s->sum, &sg, s->pieces, g->nwrites);
    return 0;
}

/* One dev_writes row; grp 0 = orphan. */
static int write_row(struct sro_db_sink *s, int64_t grp, unsigned int piece,
                     uint32_t cpu, uint64_t tsc, const struct sro_write *w)
{
    sqlite3_stmt *st = s->st[ST_WRITE];
    unsigned int n = w->data_len < w->len ? w->data_len : w->len;

    if ( grp )
        sqlite3_bind_int64(st, 2, grp);
    else
        sqlite3_bind_null(st, 2);
    sqlite3_bind_int(st, 3, (int)piece);
    sqlite3_bind_int64(st, 4, cpu);
    sro_db_bind_u64(st, 5, tsc);
    sro_db_bind_u64(st, 6, w->mfn);
    sqlite3_bind_int(st, 7, w->offset);
    sqlite3_bind_int(st, 8, w->len);
    sqlite3_bind_int(st, 9, w->result);
    sqlite3_bind_int(st, 10, w->dev_offset);
    if ( n )
        sqlite3_bind_blob(st, 11, w->data, (int)n, SQLITE_STATIC);
    else
        sqlite3_bind_zeroblob(st, 11, 0);
    return insert(s, ST_WRITE, "storing a device write");
}

int sro_db_sink_group(struct sro_db_sink *s, const struct sro_group *g,
                      uint64_t seq)
{
    const struct sro_fault *f = &g->fault;
    sqlite3_stmt *st = s->st[ST_GROUP];
    int64_t insn = 0, grp;

    if ( f->has_insn && insn_id(s, f, &insn) )
        return -1;

    sro_db_bind_u64(st, 2, seq);
    sro_db_bind_u64(st, 3, g->file_offset);
    sqlite3_bind_int64(st, 4, f->cpu);
    sro_db_bind_u64(st, 5, f->tsc);
    sqlite3_bind_int(st, 6, f->domain);
    sqlite3_bind_int(st, 7, f->vcpu);
    sqlite3_bind_int(st, 8, f->path);
    sqlite3_bind_int(st, 9, f->gla_valid);
    sqlite3_bind_int(st, 10, f->hwdom);
    sqlite3_bind_int(st, 11, f->code_size);
    if ( f->gla_valid )
        sro_db_bind_u64(st, 12, f->gla);
    else
        sqlite3_bind_null(st, 12);
    sro_db_bind_u64(st, 13, f->gpa);
    sro_db_bind_u64(st, 14, f->mfn);
    sqlite3_bind_int(st, 15, (int)(f->gpa & (SRO_PAGE_SIZE - 1)));
    if ( f->has_insn )
    {
        sro_db_bind_u64(st, 16, f->rip);
        sqlite3_bind_int64(st, 17, insn);
    }
    else
    {
        sqlite3_bind_null(st, 16);
        sqlite3_bind_null(st, 17);
    }
    if ( g->has_done )
    {
        sqlite3_bind_int(st, 18, g->done.outcome);
        sqlite3_bind_int(st, 19, g->done.reason);
        sqlite3_bind_int(st, 20, g->done.emul_rc);
        sqlite3_bind_int64(st, 21, g->done.nwrites);
        sqlite3_bind_int64(st, 22, g->done.store_size);
    }
    else
        for ( int i = 18; i <= 22; i++ )
            sqlite3_bind_null(st, i);
    sqlite3_bind_int64(st, 23, g->nwrites);
    sqlite3_bind_int(st, 24, g->incomplete == SRO_COMPLETE);
    sqlite3_bind_text(st, 25, sro_incomplete_name(g->incomplete), -1,
                      SQLITE_STATIC);
    if ( insert(s, ST_GROUP, "storing a fault group") )
        return -1;

    grp = sqlite3_last_insert_rowid(s->db);
    for ( unsigned int i = 0; i < g->nwrites; i++ )
        if ( write_row(s, grp, i, f->cpu, f->tsc, &g->writes[i]) )
            return -1;
    return count_group(s, g, insn);
}

int sro_db_sink_orphan_write(struct sro_db_sink *s, const struct sro_rec *rec,
                             const struct sro_write *w)
{
    struct summary_piece p = piece_of(w);

    if ( write_row(s, 0, 0, rec->cpu, rec->tsc, w) )
        return -1;
    summary_acc_orphan(s->sum, &p);
    return 0;
}

int sro_db_sink_lost(struct sro_db_sink *s, const struct sro_rec *rec)
{
    sqlite3_stmt *st = s->st[ST_LOST];
    const uint32_t *w = rec->w;

    sqlite3_bind_int64(st, 2, rec->cpu);
    sro_db_bind_u64(st, 3, rec->tsc);
    sqlite3_bind_int64(st, 4, rec->nwords >= 1 ? w[0] : 0);
    if ( rec->nwords >= 2 )
    {
        sqlite3_bind_int(st, 5, (int)(w[1] & 0xffff));
        sqlite3_bind_int(st, 6, (int)(w[1] >> 16));
    }
    else
    {
        sqlite3_bind_null(st, 5);
        sqlite3_bind_null(st, 6);
    }
    if ( rec->nwords >= 4 )
        sro_db_bind_u64(st, 7, u64_of(w[2], w[3]));
    else
        sqlite3_bind_null(st, 7);
    sro_db_bind_u64(st, 8, rec->offset);
    return insert(s, ST_LOST, "storing lost records");
}

/* Add one event's count to unknown_events (callback of the walk). */
static int store_unknown(void *ctx, uint32_t event, uint64_t count)
{
    struct sro_db_sink *s = ctx;
    sqlite3_stmt *st = s->st[ST_UNKNOWN];

    sqlite3_bind_int64(st, 2, event);
    sro_db_bind_u64(st, 3, count);
    return insert(s, ST_UNKNOWN, "storing unknown event counts");
}

static int flush_unknown(struct sro_db_sink *s)
{
    if ( sro_event_counts_walk(s->unknown, store_unknown, s) )
        return -1;
    sro_event_counts_clear(s->unknown);
    return 0;
}

int sro_db_sink_unknown(struct sro_db_sink *s, uint32_t event)
{
    if ( sro_event_counts_add(s->unknown, event) )
        return 0;
    if ( flush_unknown(s) )
        return -1;
    sro_event_counts_add(s->unknown, event);
    return 0;
}

bool sro_db_sink_due(struct sro_db_sink *s)
{
    struct timespec now;
    long ms;

    if ( !s->in_batch )
        return false;
    if ( s->batch_rows >= s->max_rows )
        return true;
    if ( ++s->due_calls % 64 )
        return false;
    now_mono(&now);
    ms = (now.tv_sec - s->batch_start.tv_sec) * 1000 +
         (now.tv_nsec - s->batch_start.tv_nsec) / 1000000;
    return ms >= (long)s->max_ms;
}

/* Bind t (and status, finished_at) to the run update and step it. */
static int update_run(struct sro_db_sink *s, const struct sro_run_totals *t,
                      const char *status, const char *finished_at)
{
    sqlite3_stmt *st = s->st[ST_RUN_UPDATE];
    int rc;

    sro_db_bind_u64(st, 2, t->records);
    sro_db_bind_u64(st, 3, t->groups);
    sro_db_bind_u64(st, 4, t->incomplete_groups);
    sro_db_bind_u64(st, 5, t->lost_records);
    sro_db_bind_u64(st, 6, t->unknown_records);
    sro_db_bind_u64(st, 7, t->orphan_writes);
    sro_db_bind_u64(st, 8, t->stray_records);
    sro_db_bind_u64(st, 9, t->bad_records);
    sro_db_bind_u64(st, 10, t->bytes_unused);
    sro_db_bind_u64(st, 11, t->tsc_resets);
    if ( t->have_tsc )
    {
        sro_db_bind_u64(st, 12, t->first_tsc);
        sro_db_bind_u64(st, 13, t->last_tsc);
    }
    else
    {
        sqlite3_bind_null(st, 12);
        sqlite3_bind_null(st, 13);
    }
    sro_db_bind_u64(st, 14, t->size);
    if ( t->sha256[0] )
        sqlite3_bind_text(st, 15, t->sha256, -1, SQLITE_TRANSIENT);
    else
        sqlite3_bind_null(st, 15);
    sqlite3_bind_text(st, 16, t->error, -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 17, status, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 18, finished_at, -1, SQLITE_TRANSIENT);
    rc = sqlite3_step(st);
    sqlite3_reset(st);
    return rc == SQLITE_DONE ? 0 : fail(s, rc, "updating the run");
}

int sro_db_sink_commit(struct sro_db_sink *s, const struct sro_run_totals *t)
{
    if ( !s->in_batch )
        return 0;
    if ( update_run(s, t, "recording", NULL) )
        return -1;
    s->in_batch = false;
    return sro_db_commit(s->db, &s->err);
}

int sro_db_sink_finish(struct sro_db_sink *s, const char *status,
                       const struct sro_run_totals *t)
{
    char now[32];

    if ( flush_unknown(s) )
        return -1;
    if ( batch_open(s) )
        return -1;
    sro_db_now(now);
    if ( update_run(s, t, status, now) )
        return -1;
    if ( s->sum && summary_acc_store(s->db, s->run, s->sum, &s->err) )
        return -1;
    s->in_batch = false;
    return sro_db_commit(s->db, &s->err);
}

void sro_db_sink_abort(struct sro_db_sink *s, const char *error)
{
    sqlite3_stmt *st = NULL;
    char now[32];

    if ( s->in_batch )
        sro_db_rollback(s->db);
    s->in_batch = false;
    if ( sqlite3_prepare_v2(s->db, "UPDATE runs SET status = 'interrupted', "
                            "finished_at = ?2, error = ?3 "
                            "WHERE id = ?1", -1, &st, NULL) != SQLITE_OK )
        return;
    sro_db_now(now);
    sqlite3_bind_int64(st, 1, s->run);
    sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, error, -1, SQLITE_STATIC);
    sqlite3_step(st);               /* best effort: the disk may be full */
    sqlite3_finalize(st);
}

/*
 * db-sink.h - store what the assembler hands out in the database.
 *
 * The recorder's storage half: ingest.c reads and reassembles, this module
 * writes one run's rows (runs, range_adds, range_states, ro_pages,
 * instructions, fault_groups, dev_writes, lost_spans, unknown_events).
 * Speed comes from one prepared statement per table, reused for every row,
 * inside batched transactions: the caller asks sro_db_sink_due() between
 * records and commits with sro_db_sink_commit() when a batch is full
 * (SRO_SINK_BATCH_ROWS rows) or old (SRO_SINK_BATCH_MS), so a crash loses
 * at most the last batch. The run row is committed first, on its own, as
 * 'recording' with this process as its writer; each commit refreshes its
 * counters, and sro_db_sink_finish() writes the final ones and the status.
 *
 * Memory does not grow with the input: instruction ids are cached in a
 * bounded table (insn-cache.h) and unknown events are counted in a
 * bounded table that is flushed into unknown_events when full.
 *
 * Errors: every function that writes returns 0 or -1; after -1,
 * sro_db_sink_error() says what happened (naming the database file) and
 * the caller should sro_db_sink_abort().
 */
#ifndef SRO_DB_SINK_H
#define SRO_DB_SINK_H

#include <stdbool.h>
#include <stdint.h>

#include "../core/types.h"
#include "../db/db.h"
#include "../trace/reader.h"

#define SRO_SINK_BATCH_ROWS 65536   /* rows per transaction, at most */
#define SRO_SINK_BATCH_MS   1000    /* age of a batch before it commits */

/* What the run row says about the capture, set when it is created. */
struct sro_run_info {
    const char *source;         /* file name, "-" for a pipe */
    const char *host;           /* host of the capture; NULL: unknown */
    const char *xen_version;    /* NULL: unknown */
    uint64_t    tsc_hz;         /* TSC ticks per second; 0: unknown */
};

/* The counters of a run row (trace-format.md vocabulary). */
struct sro_run_totals {
    uint64_t records;           /* records the reader handed out */
    uint64_t groups;            /* fault groups, complete or not */
    uint64_t incomplete_groups;
    uint64_t lost_records;      /* sum of TRC_LOST_RECORDS w0 */
    uint64_t unknown_records;   /* records of other classes */
    uint64_t orphan_writes;
    uint64_t stray_records;
    uint64_t bad_records;       /* ours with a wrong word count */
    uint64_t bytes_unused;      /* at the end, not a whole record */
    uint64_t tsc_resets;
    bool     have_tsc;          /* first_tsc/last_tsc are meaningful */
    uint64_t first_tsc;         /* lowest TSC a record carried */
    uint64_t last_tsc;          /* highest */
    uint64_t size;              /* bytes read */
    char     sha256[65];        /* of the bytes read; "" while recording */
    const char *error;          /* first diagnostic; NULL if none */
};

struct sro_db_sink;

/*
 * Create the run row ('recording', writer = this host and pid), commit it,
 * and prepare the statements. NULL on error, with *e filled. The sink
 * borrows db (which must stay open until sro_db_sink_free()).
 */
struct sro_db_sink *sro_db_sink_new(sqlite3 *db,
                                    const struct sro_run_info *info,
                                    struct sro_db_err *e);
/* Rolls back an uncommitted batch and releases everything. */
void sro_db_sink_free(struct sro_db_sink *s);

int64_t sro_db_sink_run(const struct sro_db_sink *s);
/* Rows inserted so far (committed or not). */
uint64_t sro_db_sink_rows(const struct sro_db_sink *s);
const struct sro_db_err *sro_db_sink_error(const struct sro_db_sink *s);

/* Batch limits (for tests and benchmarks): rows 0 or ms 0 keep a default. */
void sro_db_sink_set_batch(struct sro_db_sink *s, unsigned int rows,
                           unsigned int ms);

/*
 * Rows of one record or group. seq is the index of the record (for a
 * group, of its SRO_FAULT) among those the reader handed out.
 */
int sro_db_sink_group(struct sro_db_sink *s, const struct sro_group *g,
                      uint64_t seq);
int sro_db_sink_config(struct sro_db_sink *s, const struct sro_rec *rec,
                       uint64_t seq);
int sro_db_sink_orphan_write(struct sro_db_sink *s, const struct sro_rec *rec,
                             const struct sro_write *w);
int sro_db_sink_lost(struct sro_db_sink *s, const struct sro_rec *rec);
int sro_db_sink_unknown(struct sro_db_sink *s, uint32_t event);

/* Whether the open batch should be committed now (cheap: call it after
 * every record). */
bool sro_db_sink_due(struct sro_db_sink *s);
/* Commit the open batch and refresh the run row's counters from t. */
int sro_db_sink_commit(struct sro_db_sink *s, const struct sro_run_totals *t);

/*
 * The end: store the unknown-event counts, write t and status
 * ("complete" or "interrupted") and finished_at into the run row, commit.
 * Indexes are the caller's business (sro_db_create_indexes()).
 */
int sro_db_sink_finish(struct sro_db_sink *s, const char *status,
                       const struct sro_run_totals *t);

/* After an error: roll the open batch back and, if the database lets us,
 * mark the run 'interrupted' with `error` as its message. */
void sro_db_sink_abort(struct sro_db_sink *s, const char *error);

#endif /* SRO_DB_SINK_H */

/*
 * ingest.h - import one xentrace stream into one run.
 *
 * The recorder's pipeline: sro_reader (trace/reader.h) -> sro_assembler
 * (trace/assemble.h) -> the db sink (db-sink.h), one record at a time, so
 * memory stays flat however long the stream. The stream is any FILE *: a
 * file, a pipe, or a live capture's output; the caller opens and closes it.
 *
 * Bad input is not fatal: each problem is a diagnostic "NAME: offset N:
 * what" (printed to opts->diag, the first one stored as the run's error),
 * everything valid around it is kept, and the result says so. A database
 * error stops the import: the open batch is rolled back, earlier batches
 * stay, and the run is marked 'interrupted' if the database still lets us.
 */
#ifndef SRO_INGEST_H
#define SRO_INGEST_H

#include <signal.h>
#include <stdint.h>
#include <stdio.h>

#include "db-sink.h"

struct sro_ingest_opts {
    struct sro_run_info info;   /* source (also the name in messages), ... */
    volatile sig_atomic_t *stop; /* non-zero: stop reading; may be NULL */
    FILE        *diag;          /* where diagnostics go; NULL: nowhere */
    unsigned int max_diag;      /* print at most this many (0: 20) */
    /* Called every few thousand records; may be NULL. */
    void (*progress)(void *ctx, uint64_t bytes, uint64_t records,
                     uint64_t groups);
    void        *progress_ctx;
    unsigned int batch_rows;    /* rows per transaction (0: default) */
    unsigned int batch_ms;      /* batch age before a commit (0: default) */
};

enum sro_ingest_status {
    SRO_INGEST_DB_ERROR  = -1,  /* the database failed: res->db_err */
    SRO_INGEST_OK        = 0,   /* complete, no problem in the input */
    SRO_INGEST_BAD_INPUT = 1,   /* complete, with diagnostics */
    SRO_INGEST_STOPPED   = 2,   /* *stop was set: run 'interrupted' */
};

struct sro_ingest_result {
    int64_t               run;          /* runs.id; 0 if none was created */
    const char           *status;       /* "complete" or "interrupted" */
    struct sro_run_totals totals;       /* as stored in the run row */
    uint64_t              diagnostics;  /* problems found in the input */
    char                  error[400];   /* the first one; "" if none */
    struct sro_db_err     db_err;       /* for SRO_INGEST_DB_ERROR */
};

/*
 * Import everything `in` holds into a new run of db. Returns an enum
 * sro_ingest_status; *res is filled in every case (totals.error points
 * into res->error). Does not create indexes.
 */
int sro_ingest(sqlite3 *db, FILE *in, const struct sro_ingest_opts *opts,
               struct sro_ingest_result *res);

#endif /* SRO_INGEST_H */

/*
 * db.h - open, create and talk to an srotrace database.
 *
 * The database is defined by ../schema.sql alone; db/schema.S embeds that
 * file in the binary and this module runs it: the part above the
 * "-- @indexes" marker when a database is created, the part below when
 * sro_db_create_indexes() is called after a bulk load. Everything that
 * opens a database (recorder, replayer, analyzer, the CLI) goes through
 * sro_db_open(), which settles the connection once: WAL journal,
 * synchronous=NORMAL, a short busy timeout, foreign keys on, and a schema
 * version check.
 *
 * The API hands out plain sqlite3 handles: callers keep their own SQL and
 * prepared statements, and use the helpers here for what every caller
 * needs the same way: clear error text that names the database file, the
 * u64 <-> INTEGER convention, transactions, and finding a run.
 *
 * Errors: functions return 0 (or a non-negative result) on success and -1
 * on failure, filling a struct sro_db_err if the caller passed one.
 */
#ifndef SRO_DB_H
#define SRO_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#define SRO_DB_SCHEMA_VERSION 1          /* PRAGMA user_version we write */
#define SRO_DB_DEFAULT        "srotrace.db"
#define SRO_DB_BUSY_MS        2000       /* wait this long for a lock */

/* schema.sql, NUL-terminated (db/schema.S). */
extern const char sro_schema_sql[];
extern const char sro_schema_sql_end[];

/* A message for the user: "FILE: what went wrong (while doing what)". */
struct sro_db_err {
    int  rc;                    /* sqlite result code, SQLITE_OK if none */
    char msg[640];              /* empty if no error */
};

/* Flags of sro_db_open(). */
#define SRO_DB_READ   0u        /* read only; the database must exist */
#define SRO_DB_WRITE  1u        /* read-write; created if missing */

/*
 * Open the database at path (":memory:" works too). SRO_DB_WRITE creates
 * it from schema.sql if it does not exist or is empty, and marks
 * 'interrupted' every run still 'recording' whose writer was a process of
 * this host that no longer exists. An existing database must carry
 * user_version SRO_DB_SCHEMA_VERSION. Returns the handle (close it with
 * sro_db_close()) or NULL with *e filled.
 */
sqlite3 *sro_db_open(const char *path, unsigned int flags,
                     struct sro_db_err *e);
void sro_db_close(sqlite3 *db);

/*
 * Fill *e with a clear message for result code rc on db: locked by another
 * writer, read-only, disk full, not a database, ... naming the database
 * file; `what` (may be NULL) says what was being done. Returns -1 so that
 * callers can `return sro_db_fail(...)`.
 */
int sro_db_fail(sqlite3 *db, int rc, const char *what, struct sro_db_err *e);

/* Run SQL text (several statements allowed). 0 or -1. */
int sro_db_exec(sqlite3 *db, const char *sql, struct sro_db_err *e);
/* Prepare one statement (persistent: meant to be reused). NULL on error. */
sqlite3_stmt *sro_db_prepare(sqlite3 *db, const char *sql,
                             struct sro_db_err *e);
/* Step a statement that returns no row, then reset it. 0 or -1. */
int sro_db_step_done(sqlite3_stmt *st, const char *what,
                     struct sro_db_err *e);

/* BEGIN IMMEDIATE (takes the write lock now), COMMIT, ROLLBACK. */
int sro_db_begin(sqlite3 *db, struct sro_db_err *e);
int sro_db_commit(sqlite3 *db, struct sro_db_err *e);
void sro_db_rollback(sqlite3 *db);

/*
 * u64 values (addresses, MFNs, TSCs) are stored as INTEGER, i.e. int64:
 * a value >= 2^63 is stored as its two's complement and converted back.
 */
static inline int64_t sro_db_i64(uint64_t v)
{
    return v <= (uint64_t)INT64_MAX ? (int64_t)v : -(int64_t)~v - 1;
}
static inline uint64_t sro_db_u64(int64_t v)
{
    return (uint64_t)v;
}
static inline int sro_db_bind_u64(sqlite3_stmt *st, int i, uint64_t v)
{
    return sqlite3_bind_int64(st, i, sro_db_i64(v));
}
static inline uint64_t sro_db_column_u64(sqlite3_stmt *st, int col)
{
    return sro_db_u64(sqlite3_column_int64(st, col));
}

/* A heap copy of a text column (NULL for SQL NULL); the caller frees it.
 * Out of memory ends the process with a message, as nothing sensible can
 * follow in a command-line tool. */
char *sro_db_column_strdup(sqlite3_stmt *st, int col);

/* Run the part of schema.sql below "-- @indexes" (idempotent). */
int sro_db_create_indexes(sqlite3 *db, struct sro_db_err *e);

/*
 * Find a run. spec NULL, "" or "latest": the highest id whose status is
 * 'complete'; otherwise a decimal id that must exist. 0 and *run set, or
 * -1 with a message ("FILE: no run 7").
 */
int sro_db_resolve_run(sqlite3 *db, const char *spec, int64_t *run,
                       struct sro_db_err *e);

/* The id of a 'complete' run with this sha256: 1 and *run set if there is
 * one, 0 if not, -1 on error. */
int sro_db_find_run_by_sha256(sqlite3 *db, const char *sha256, int64_t *run,
                              struct sro_db_err *e);

/* Whether the process pid of host may still be recording: false only when
 * host is this host and the process is gone (kill(pid, 0) says ESRCH). */
bool sro_db_writer_alive(const char *host, int64_t pid);

/* This host's name, for runs.writer_host ("localhost" if unknown). */
const char *sro_db_hostname(void);

/* Current UTC time as ISO 8601 ("2025-01-31T12:00:00Z"). */
void sro_db_now(char buf[32]);

/*
 * Decode every instruction row not decoded yet (kind IS NULL) with
 * core/decode.h and fill text, kind, is_store, is_rmw, is_string and
 * width (bytes per store). An undecodable one gets kind 'invalid' and NULL
 * elsewhere, so it is not tried again. Returns the rows filled, or -1.
 */
int sro_db_fill_instructions(sqlite3 *db, struct sro_db_err *e);

/* Limit the database to about `bytes` (PRAGMA max_page_count): a write
 * beyond it fails as SQLITE_FULL. For testing a full disk. 0 or -1. */
int sro_db_set_max_size(sqlite3 *db, uint64_t bytes, struct sro_db_err *e);

#endif /* SRO_DB_H */

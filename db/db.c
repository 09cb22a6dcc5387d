/*
 * db.c - see db.h.
 *
 * Opening settles the connection the same way for every caller, creates a
 * database from the embedded schema.sql, checks its version, and cleans up
 * after writers that died (their runs stay 'recording' forever otherwise).
 * The error texts are written for the person at the terminal: what is
 * wrong with which file, and what to do about it.
 */
#include <errno.h>
#include <stdbool.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "db.h"
#include "util/xalloc.h"

#define INDEX_MARKER "\n-- @indexes"

static void set_err(struct sro_db_err *e, int rc, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(struct sro_db_err *e, int rc, const char *fmt, ...)
{
    va_list ap;

    if ( !e )
        return;
    e->rc = rc;
    va_start(ap, fmt);
    vsnprintf(e->msg, sizeof(e->msg), fmt, ap);
    va_end(ap);
}

/* The file name to show: the main database file, or ":memory:". */
static const char *db_name(sqlite3 *db)
{
    const char *f = db ? sqlite3_db_filename(db, "main") : NULL;

    return f && *f ? f : ":memory:";
}

/* The explanation of a result code, for people. */
static const char *explain(int rc)
{
    switch ( rc & 0xff )
    {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
        return "database is locked by another process (another srotrace "
               "record?); try again when it has finished";
    case SQLITE_READONLY:
        return "database is read-only (the file, its directory or the file "
               "system does not allow writing; the directory must allow "
               "creating the -wal and -shm files)";
    case SQLITE_FULL:
        return "database or disk is full; everything committed before is "
               "kept";
    case SQLITE_NOTADB:
        return "not a database (not an SQLite file)";
    case SQLITE_CORRUPT:
        return "database file is corrupt";
    case SQLITE_CANTOPEN:
        return "cannot open the database file (does its directory exist and "
               "allow writing?)";
    case SQLITE_IOERR:
        return "I/O error on the database";
    case SQLITE_NOMEM:
        return "out of memory";
    case SQLITE_PERM:
    case SQLITE_AUTH:
        return "permission denied";
    default:
        return NULL;
    }
}

static int fail_named(const char *name, sqlite3 *db, int rc, const char *what,
                      struct sro_db_err *e)
{
    const char *why = explain(rc);
    const char *detail = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
    int sys = db ? sqlite3_system_errno(db) : 0;

    if ( (rc & 0xff) == SQLITE_IOERR && sys )
        set_err(e, rc, "%s: I/O error on the database: %s%s%s%s", name,
                strerror(sys), what ? " (while " : "", what ? what : "",
                what ? ")" : "");
    else if ( why )
        set_err(e, rc, "%s: %s%s%s%s", name, why, what ? " (while " : "",
                what ? what : "", what ? ")" : "");
    else
        set_err(e, rc, "%s: %s%s%s%s", name, detail,
                what ? " (while " : "", what ? what : "", what ? ")" : "");
    return -1;
}

int sro_db_fail(sqlite3 *db, int rc, const char *what, struct sro_db_err *e)
{
    return fail_named(db_name(db), db, rc, what, e);
}

int sro_db_exec(sqlite3 *db, const char *sql, struct sro_db_err *e)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? 0 : sro_db_fail(db, rc, NULL, e);
}

sqlite3_stmt *sro_db_prepare(sqlite3 *db, const char *sql,
                             struct sro_db_err *e)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st,
                                NULL);

    if ( rc != SQLITE_OK )
    {
        sro_db_fail(db, rc, "preparing a statement", e);
        return NULL;
    }
    return st;
}

int sro_db_step_done(sqlite3_stmt *st, const char *what,
                     struct sro_db_err *e)
{
    int rc = sqlite3_step(st);

    sqlite3_reset(st);
    if ( rc == SQLITE_DONE || rc == SQLITE_ROW )
        return 0;
    return sro_db_fail(sqlite3_db_handle(st), rc, what, e);
}

int sro_db_begin(sqlite3 *db, struct sro_db_err *e)
{
    int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, NULL);

    return rc == SQLITE_OK ? 0 : sro_db_fail(db, rc, "starting a transaction",
                                             e);
}

int sro_db_commit(sqlite3 *db, struct sro_db_err *e)
{
    int rc = sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);

    if ( rc == SQLITE_OK )
        return 0;
    sro_db_fail(db, rc, "committing", e);
    sro_db_rollback(db);
    return -1;
}

void sro_db_rollback(sqlite3 *db)
{
    if ( !sqlite3_get_autocommit(db) )
        sqlite3_exec(db, "ROLLBACK", NULL, NULL, NULL);
}

/* Run a query returning one integer; -1 on error. */
static int query_int(sqlite3 *db, const char *sql, int64_t *out,
                     const char *what, struct sro_db_err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);

    if ( rc != SQLITE_OK )
        return sro_db_fail(db, rc, what, e);
    rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
    sqlite3_finalize(st);
    if ( rc != SQLITE_ROW && rc != SQLITE_DONE )
        return sro_db_fail(db, rc, what, e);
    return 0;
}

/* Create the tables of an empty database: schema.sql above the marker. */
static int create_schema(sqlite3 *db, struct sro_db_err *e)
{
    const char *mark = strstr(sro_schema_sql, INDEX_MARKER);
    size_t n = mark ? (size_t)(mark - sro_schema_sql) : strlen(sro_schema_sql);
    char *sql = strndup(sro_schema_sql, n);
    int64_t version;
    int rc;

    if ( !sql )
        return sro_db_fail(db, SQLITE_NOMEM, "creating the schema", e);
    if ( sro_db_begin(db, e) )
    {
        free(sql);
        return -1;
    }
    /* Another process may have created it while we waited for the lock. */
    if ( query_int(db, "PRAGMA user_version", &version, "opening", e) )
        goto fail;
    if ( version == 0 )
    {
        rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
        if ( rc != SQLITE_OK )
        {
            sro_db_fail(db, rc, "creating the schema", e);
            goto fail;
        }
    }
    free(sql);
    return sro_db_commit(db, e);

 fail:
    free(sql);
    sro_db_rollback(db);
    return -1;
}

/* Check (and for a new database, create) the schema. */
static int check_schema(sqlite3 *db, bool writable, struct sro_db_err *e)
{
    int64_t version, tables;

    if ( query_int(db, "PRAGMA user_version", &version, "opening", e) )
        return -1;
    if ( version == SRO_DB_SCHEMA_VERSION )
        return 0;
    if ( version != 0 )
    {
        set_err(e, SQLITE_MISMATCH, "%s: database schema version %lld; this "
                "srotrace reads version %d", db_name(db), (long long)version,
                SRO_DB_SCHEMA_VERSION);
        return -1;
    }
    if ( query_int(db, "SELECT count(*) FROM sqlite_master", &tables,
                   "opening", e) )
        return -1;
    if ( tables != 0 )
    {
        set_err(e, SQLITE_MISMATCH, "%s: not an srotrace database (it has "
                "tables but no schema version)", db_name(db));
        return -1;
    }
    if ( !writable )
    {
        set_err(e, SQLITE_EMPTY, "%s: empty database: no run recorded yet",
                db_name(db));
        return -1;
    }
    return create_schema(db, e);
}

const char *sro_db_hostname(void)
{
    static char host[256];

    if ( !host[0] )
    {
        if ( gethostname(host, sizeof(host) - 1) != 0 || !host[0] )
            snprintf(host, sizeof(host), "localhost");
    }
    return host;
}

bool sro_db_writer_alive(const char *host, int64_t pid)
{
    if ( !host || strcmp(host, sro_db_hostname()) != 0 )
        return true;            /* another machine: cannot tell */
    if ( pid <= 0 || pid > INT32_MAX )
        return false;
    if ( pid == (int64_t)getpid() )
        return true;
    return !(kill((pid_t)pid, 0) == -1 && errno == ESRCH);
}

void sro_db_now(char buf[32])
{
    time_t t = time(NULL);
    struct tm tm;

    gmtime_r(&t, &tm);
    strftime(buf, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Mark 'interrupted' the runs of dead writers on this host (up to 64 per
 * open: the next open takes the rest). */
static int mark_dead_writers(sqlite3 *db, struct sro_db_err *e)
{
    sqlite3_stmt *sel = NULL, *upd = NULL;
    int64_t dead[64];
    unsigned int ndead = 0;
    char now[32];
    int rc;

    rc = sqlite3_prepare_v2(db, "SELECT id, writer_pid FROM runs WHERE "
                            "status = 'recording' AND writer_host = ?", -1,
                            &sel, NULL);
    if ( rc != SQLITE_OK )
        return sro_db_fail(db, rc, "looking for interrupted runs", e);
    sqlite3_bind_text(sel, 1, sro_db_hostname(), -1, SQLITE_STATIC);
    while ( (rc = sqlite3_step(sel)) == SQLITE_ROW && ndead < 64 )
        if ( !sro_db_writer_alive(sro_db_hostname(),
                                  sqlite3_column_int64(sel, 1)) )
            dead[ndead++] = sqlite3_column_int64(sel, 0);
    sqlite3_finalize(sel);
    if ( rc != SQLITE_DONE && rc != SQLITE_ROW )
        return sro_db_fail(db, rc, "looking for interrupted runs", e);
    if ( ndead == 0 )
        return 0;

    if ( sro_db_begin(db, e) )
        return -1;
    rc = sqlite3_prepare_v2(db, "UPDATE runs SET status = 'interrupted', "
                            "finished_at = coalesce(finished_at, ?1), "
                            "error = coalesce(error, 'the recording process "
                            "(pid ' || writer_pid || ') died') "
                            "WHERE id = ?2 AND status = 'recording'", -1,
                            &upd, NULL);
    if ( rc != SQLITE_OK )
        goto fail;
    sro_db_now(now);
    sqlite3_bind_text(upd, 1, now, -1, SQLITE_TRANSIENT);
    for ( unsigned int i = 0; i < ndead; i++ )
    {
        sqlite3_bind_int64(upd, 2, dead[i]);
        rc = sqlite3_step(upd);
        sqlite3_reset(upd);
        if ( rc != SQLITE_DONE )
            goto fail;
    }
    sqlite3_finalize(upd);
    return sro_db_commit(db, e);

 fail:
    sro_db_fail(db, rc, "marking interrupted runs", e);
    sqlite3_finalize(upd);
    sro_db_rollback(db);
    return -1;
}

/* Settle one pragma; a failure is reported like any database error. */
static int pragma(sqlite3 *db, const char *sql, struct sro_db_err *e)
{
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);

    return rc == SQLITE_OK ? 0 : sro_db_fail(db, rc, "opening", e);
}

/* Can files be created beside path (its -wal and -shm)? */
static bool dir_writable(const char *path)
{
    char dir[4096];
    const char *slash = strrchr(path, '/');

    if ( !slash )
        return access(".", W_OK) == 0;
    if ( (size_t)(slash - path) >= sizeof(dir) )
        return true;
    memcpy(dir, path, (size_t)(slash - path));
    dir[slash - path] = '\0';
    return access(slash == path ? "/" : dir, W_OK) == 0;
}

/* Open path read-only with SQLite's immutable flag (no locks, no -shm).
 * The path goes into a file: URI, so '%', '?' and '#' are escaped. */
static sqlite3 *open_immutable(const char *path, struct sro_db_err *e)
{
    char uri[8192];
    size_t n = 0;
    sqlite3 *db = NULL;
    int rc;

    n += (size_t)snprintf(uri, sizeof(uri), "file:");
    for ( const unsigned char *c = (const unsigned char *)path;
          *c && n + 4 < sizeof(uri); c++ )
    {
        if ( *c == '%' || *c == '?' || *c == '#' || *c < 0x20 || *c >= 0x7f )
            n += (size_t)snprintf(uri + n, sizeof(uri) - n, "%%%02X", *c);
        else
            uri[n++] = (char)*c;
    }
    snprintf(uri + n, sizeof(uri) - n, "?immutable=1");
    rc = sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI |
                         SQLITE_OPEN_NOMUTEX, NULL);
    if ( rc != SQLITE_OK )
    {
        fail_named(path, db, rc, "opening", e);
        sqlite3_close_v2(db);
        return NULL;
    }
    sqlite3_extended_result_codes(db, 1);
    return db;
}

sqlite3 *sro_db_open(const char *path, unsigned int flags,
                     struct sro_db_err *e)
{
    bool writable = flags & SRO_DB_WRITE;
    bool memory = strcmp(path, ":memory:") == 0;
    sqlite3 *db = NULL;
    struct stat sb;
    int rc;

    if ( e )
    {
        e->rc = SQLITE_OK;
        e->msg[0] = '\0';
    }
    if ( !memory && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode) )
    {
        set_err(e, SQLITE_CANTOPEN, "%s: is a directory, not a database",
                path);
        return NULL;
    }
    if ( !writable && !memory && stat(path, &sb) != 0 )
    {
        set_err(e, SQLITE_CANTOPEN, "%s: no such database (%s)", path,
                strerror(errno));
        return NULL;
    }
    /* NOMUTEX: a connection is never shared between threads, so sqlite
     * need not lock around every call. */
    rc = sqlite3_open_v2(path, &db, (writable ? SQLITE_OPEN_READWRITE |
                                                SQLITE_OPEN_CREATE
                                              : SQLITE_OPEN_READONLY) |
                         SQLITE_OPEN_NOMUTEX, NULL);
    if ( rc != SQLITE_OK )
    {
        fail_named(path, db, rc, "opening", e);
        sqlite3_close_v2(db);
        return NULL;
    }
    sqlite3_extended_result_codes(db, 1);
    sqlite3_busy_timeout(db, SRO_DB_BUSY_MS);
    if ( writable && sqlite3_db_readonly(db, "main") == 1 )
    {
        fail_named(path, db, SQLITE_READONLY, "opening", e);
        goto fail;
    }
    if ( pragma(db, "PRAGMA foreign_keys = ON", e) )
        goto fail;
    /* Reading the version first also tells a non-database (NOTADB). */
    if ( writable )
    {
        int64_t version;

        if ( query_int(db, "PRAGMA user_version", &version, "opening", e) )
            goto fail;
        if ( pragma(db, "PRAGMA journal_mode = WAL", e) ||
             pragma(db, "PRAGMA synchronous = NORMAL", e) )
            goto fail;
    }
    if ( check_schema(db, writable, e) )
    {
        /* A WAL database read where no -shm file can be made (a read-only
         * mount, a CD): nobody can be writing it, so read it as
         * immutable. */
        if ( writable || memory || (e->rc & 0xff) != SQLITE_CANTOPEN ||
             dir_writable(path) )
            goto fail;
        sqlite3_close_v2(db);
        if ( !(db = open_immutable(path, e)) )
            return NULL;
        if ( check_schema(db, writable, e) )
            goto fail;
    }
    if ( writable && mark_dead_writers(db, e) )
        goto fail;
    return db;

 fail:
    sqlite3_close_v2(db);
    return NULL;
}

char *sro_db_column_strdup(sqlite3_stmt *st, int col)
{
    return xstrdup((const char *)sqlite3_column_text(st, col));
}

void sro_db_close(sqlite3 *db)
{
    sqlite3_close_v2(db);
}

int sro_db_create_indexes(sqlite3 *db, struct sro_db_err *e)
{
    const char *mark = strstr(sro_schema_sql, INDEX_MARKER);
    int rc;

    if ( !mark )
        return 0;
    rc = sqlite3_exec(db, mark, NULL, NULL, NULL);
    return rc == SQLITE_OK ? 0 : sro_db_fail(db, rc, "creating indexes", e);
}

int sro_db_resolve_run(sqlite3 *db, const char *spec, int64_t *run,
                       struct sro_db_err *e)
{
    bool latest = !spec || !*spec || strcmp(spec, "latest") == 0;
    sqlite3_stmt *st;
    char *end;
    long long id = 0;
    int rc;

    if ( !latest )
    {
        errno = 0;
        id = strtoll(spec, &end, 10);
        if ( errno || end == spec || *end || id <= 0 )
        {
            set_err(e, SQLITE_MISMATCH, "%s: '%s' is not a run number",
                    db_name(db), spec);
            return -1;
        }
    }
    rc = sqlite3_prepare_v2(db, latest ?
                            "SELECT max(id) FROM runs WHERE status = "
                            "'complete'" :
                            "SELECT id FROM runs WHERE id = ?", -1, &st, NULL);
    if ( rc != SQLITE_OK )
        return sro_db_fail(db, rc, "looking up a run", e);
    if ( !latest )
        sqlite3_bind_int64(st, 1, id);
    rc = sqlite3_step(st);
    if ( rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL )
    {
        *run = sqlite3_column_int64(st, 0);
        sqlite3_finalize(st);
        return 0;
    }
    sqlite3_finalize(st);
    if ( rc != SQLITE_ROW && rc != SQLITE_DONE )
        return sro_db_fail(db, rc, "looking up a run", e);
    if ( latest )
        set_err(e, SQLITE_NOTFOUND, "%s: no complete run", db_name(db));
    else
        set_err(e, SQLITE_NOTFOUND, "%s: no run %lld", db_name(db), id);
    return -1;
}

int sro_db_find_run_by_sha256(sqlite3 *db, const char *sha256, int64_t *run,
                              struct sro_db_err *e)
{
    sqlite3_stmt *st;
    int rc = sqlite3_prepare_v2(db, "SELECT id FROM runs WHERE sha256 = ? "
                                "AND status = 'complete' ORDER BY id LIMIT 1",
                                -1, &st, NULL);

    if ( rc != SQLITE_OK )
        return sro_db_fail(db, rc, "looking for an earlier import", e);
    sqlite3_bind_text(st, 1, sha256, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if ( rc == SQLITE_ROW )
        *run = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if ( rc == SQLITE_ROW )
        return 1;
    if ( rc == SQLITE_DONE )
        return 0;
    return sro_db_fail(db, rc, "looking for an earlier import", e);
}

int sro_db_set_max_size(sqlite3 *db, uint64_t bytes, struct sro_db_err *e)
{
    int64_t page_size;
    char sql[64];

    if ( query_int(db, "PRAGMA page_size", &page_size, "opening", e) )
        return -1;
    if ( page_size <= 0 )
        page_size = 4096;
    snprintf(sql, sizeof(sql), "PRAGMA max_page_count = %llu",
             (unsigned long long)(bytes / (uint64_t)page_size ?
                                  bytes / (uint64_t)page_size : 1));
    return sro_db_exec(db, sql, e);
}

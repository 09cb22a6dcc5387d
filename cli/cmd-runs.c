/*
 * cmd-runs.c - `srotrace runs`: list the runs (imported captures) of a
 * database, as a table or as JSON.
 *
 * Read only: the database is opened with SRO_DB_READ and never changed.
 * A run still 'recording' whose writer process on this host is gone is
 * shown as 'interrupted', which is what the next writer will mark it
 * (db.h, sro_db_open()).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../db/db.h"
#include "../util/escape.h"
#include "../util/json.h"
#include "../util/parse-options.h"
#include "builtin.h"

static const char *const runs_usage[] = {
    "srotrace runs [DB] [--json]",
    NULL
};

/* Columns read, in this order. */
static const char runs_sql[] =
    "SELECT id, source, status, groups_total, incomplete_groups, "
    "lost_records, started_at, xen_version, writer_host, writer_pid, "
    "sha256, size, host, tsc_hz, finished_at, records, unknown_records, "
    "orphan_writes, stray_records, bad_records, bytes_unused, tsc_resets, "
    "error FROM runs ORDER BY id";

enum {
    C_ID, C_SOURCE, C_STATUS, C_GROUPS, C_INCOMPLETE, C_LOST, C_STARTED,
    C_XEN, C_WHOST, C_WPID, C_SHA, C_SIZE, C_HOST, C_TSC_HZ, C_FINISHED,
    C_RECORDS, C_UNKNOWN, C_ORPHAN, C_STRAY, C_BAD, C_UNUSED, C_RESETS,
    C_ERROR
};

/* The status to show: a dead writer's 'recording' run is interrupted. */
static const char *shown_status(sqlite3_stmt *st)
{
    const char *s = (const char *)sqlite3_column_text(st, C_STATUS);

    if ( s && strcmp(s, "recording") == 0 &&
         sqlite3_column_type(st, C_WPID) != SQLITE_NULL &&
         !sro_db_writer_alive((const char *)sqlite3_column_text(st, C_WHOST),
                              sqlite3_column_int64(st, C_WPID)) )
        return "interrupted";
    return s ? s : "?";
}

static const char *text_or(sqlite3_stmt *st, int col, const char *dflt)
{
    const char *s = (const char *)sqlite3_column_text(st, col);

    return s ? s : dflt;
}

static void json_col_text(struct json *j, sqlite3_stmt *st, const char *key,
                          int col)
{
    json_kv_string(j, key, (const char *)sqlite3_column_text(st, col));
}

static void json_col_int(struct json *j, sqlite3_stmt *st, const char *key,
                         int col)
{
    json_key(j, key);
    if ( sqlite3_column_type(st, col) == SQLITE_NULL )
        json_null(j);
    else
        json_int(j, sqlite3_column_int64(st, col));
}

static void print_json_row(struct json *j, sqlite3_stmt *st)
{
    json_object_begin(j);
    json_col_int(j, st, "run", C_ID);
    json_col_text(j, st, "source", C_SOURCE);
    json_kv_string(j, "status", shown_status(st));
    json_col_int(j, st, "records", C_RECORDS);
    json_col_int(j, st, "groups", C_GROUPS);
    json_col_int(j, st, "incomplete_groups", C_INCOMPLETE);
    json_col_int(j, st, "lost_records", C_LOST);
    json_col_int(j, st, "unknown_records", C_UNKNOWN);
    json_col_int(j, st, "orphan_writes", C_ORPHAN);
    json_col_int(j, st, "stray_records", C_STRAY);
    json_col_int(j, st, "bad_records", C_BAD);
    json_col_int(j, st, "bytes_unused", C_UNUSED);
    json_col_int(j, st, "tsc_resets", C_RESETS);
    json_col_text(j, st, "started_at", C_STARTED);
    json_col_text(j, st, "finished_at", C_FINISHED);
    json_col_text(j, st, "xen_version", C_XEN);
    json_col_text(j, st, "host", C_HOST);
    json_col_int(j, st, "tsc_hz", C_TSC_HZ);
    json_col_text(j, st, "sha256", C_SHA);
    json_col_int(j, st, "size", C_SIZE);
    json_col_text(j, st, "error", C_ERROR);
    json_object_end(j);
}

static void print_table_row(sqlite3_stmt *st)
{
    /* Strings from the database may hold escape sequences: clean them
     * before they reach a terminal. */
    char started[64], xen[64], source[1024];

    term_clean(started, sizeof(started), text_or(st, C_STARTED, "-"));
    term_clean(xen, sizeof(xen), text_or(st, C_XEN, "-"));
    term_clean(source, sizeof(source), text_or(st, C_SOURCE, "-"));
    printf("%4" PRId64 "  %-11s  %8" PRId64 "  %10" PRId64 "  %6" PRId64
           "  %-20s  %-8s  %s\n",
           (int64_t)sqlite3_column_int64(st, C_ID), shown_status(st),
           (int64_t)sqlite3_column_int64(st, C_GROUPS),
           (int64_t)sqlite3_column_int64(st, C_INCOMPLETE),
           (int64_t)sqlite3_column_int64(st, C_LOST), started, xen, source);
}

int cmd_runs(int argc, const char **argv)
{
    bool json = false;
    const struct option options[] = {
        OPT_BOOL(0, "json", &json,
                 "print a JSON array of runs, with every counter"),
        OPT_END()
    };
    const char *path = SRO_DB_DEFAULT;
    struct sro_db_err e;
    sqlite3_stmt *st;
    sqlite3 *db;
    struct json j;
    int n, rc, rows = 0;

    n = parse_options(argc, argv, options, runs_usage);
    if ( n > 1 )
    {
        fprintf(stderr, "error: one database at a time\n");
        usage_with_options_to(stderr, runs_usage, options);
        return 129;
    }
    if ( n == 1 )
        path = argv[0];

    db = sro_db_open(path, SRO_DB_READ, &e);
    if ( !db )
    {
        fprintf(stderr, "srotrace runs: %s\n", e.msg);
        return SRO_EXIT_ERROR;
    }
    st = sro_db_prepare(db, runs_sql, &e);
    if ( !st )
    {
        fprintf(stderr, "srotrace runs: %s\n", e.msg);
        sro_db_close(db);
        return SRO_EXIT_ERROR;
    }
    if ( json )
    {
        json_init(&j, stdout, false);
        json_array_begin(&j);
    }
    else
        printf("%4s  %-11s  %8s  %10s  %6s  %-20s  %-8s  %s\n", "run",
               "status", "groups", "incomplete", "lost", "started (UTC)",
               "xen", "source");
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        rows++;
        if ( json )
            print_json_row(&j, st);
        else
            print_table_row(st);
    }
    if ( json )
    {
        json_array_end(&j);
        json_end(&j);
    }
    if ( rc != SQLITE_DONE )
    {
        sro_db_fail(db, rc, "listing runs", &e);
        fprintf(stderr, "srotrace runs: %s\n", e.msg);
    }
    else if ( !json && rows == 0 )
        printf("(no runs)\n");
    sqlite3_finalize(st);
    sro_db_close(db);
    return rc == SQLITE_DONE ? SRO_EXIT_OK : SRO_EXIT_ERROR;
}

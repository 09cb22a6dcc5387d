/*
 * test-db.c - db/db.c: creating and opening databases, the schema
 * version check, error messages that name the file, dead writers' runs
 * marked interrupted, the u64 convention, run lookup, duplicate detection,
 * and the decoding pass over the instructions table.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "db/db.h"

/* A fresh path for a database file in /tmp (the file does not exist). */
static void temp_path(char *buf, size_t len)
{
    int fd;

    snprintf(buf, len, "/tmp/test-db-XXXXXX");
    fd = mkstemp(buf);
    assert_true(fd >= 0);
    close(fd);
    unlink(buf);
}

static void remove_db(const char *path)
{
    char p[256];

    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

static int64_t q_int(sqlite3 *db, const char *sql)
{
    sqlite3_stmt *st;
    int64_t v;

    if ( sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK )
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if ( sqlite3_step(st) != SQLITE_ROW )
        fail_msg("no row: %s", sql);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

static void exec(sqlite3 *db, const char *sql)
{
    char *err = NULL;

    if ( sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK )
        fail_msg("%s: %s", sql, err);
}

/* Write bytes to path (for non-databases). */
static void write_file(const char *path, const char *bytes, size_t n)
{
    FILE *f = fopen(path, "wb");

    assert_non_null(f);
    assert_int_equal(fwrite(bytes, 1, n, f), n);
    fclose(f);
}

static void test_schema_embedded(void **state)
{
    (void)state;
    /* The whole file, NUL-terminated, with no NUL inside. */
    assert_int_equal(strlen(sro_schema_sql),
                     (uintptr_t)sro_schema_sql_end -
                     (uintptr_t)sro_schema_sql);
    assert_int_equal(sro_schema_sql_end[0], '\0');
    assert_non_null(strstr(sro_schema_sql, "CREATE TABLE IF NOT EXISTS runs"));
    assert_non_null(strstr(sro_schema_sql, "\n-- @indexes"));
}

static void test_create_and_reopen(void **state)
{
    struct sro_db_err e;
    char path[64];
    sqlite3 *db;

    (void)state;
    temp_path(path, sizeof(path));
    db = sro_db_open(path, SRO_DB_WRITE, &e);
    assert_non_null(db);
    assert_string_equal(e.msg, "");
    assert_int_equal(q_int(db, "PRAGMA user_version"), 1);
    assert_int_equal(q_int(db, "PRAGMA foreign_keys"), 1);
    assert_int_equal(q_int(db, "PRAGMA synchronous"), 1);      /* NORMAL */
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                           "type = 'table' AND name IN ('runs', "
                           "'fault_groups', 'dev_writes', 'instructions', "
                           "'range_adds', 'range_states', 'ro_pages', "
                           "'lost_spans', 'unknown_events')"), 9);
    assert_int_equal(q_int(db, "SELECT count(*) FROM outcome_names"), 7);
    /* No index before the bulk load; all of them after. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                           "type = 'index' AND sql IS NOT NULL"), 0);
    assert_int_equal(sro_db_create_indexes(db, &e), 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM sqlite_master WHERE "
                           "type = 'index' AND sql IS NOT NULL"), 6);
    assert_int_equal(sro_db_create_indexes(db, &e), 0);       /* idempotent */
    sro_db_close(db);

    db = sro_db_open(path, SRO_DB_READ, &e);
    assert_non_null(db);
    {
        sqlite3_stmt *st;

        assert_int_equal(sqlite3_prepare_v2(db, "PRAGMA journal_mode", -1,
                                            &st, NULL), SQLITE_OK);
        assert_int_equal(sqlite3_step(st), SQLITE_ROW);
        assert_string_equal((const char *)sqlite3_column_text(st, 0), "wal");
        sqlite3_finalize(st);
    }
    /* Read only means read only. */
    assert_int_not_equal(sqlite3_exec(db, "DELETE FROM runs", NULL, NULL,
                                      NULL), SQLITE_OK);
    sro_db_close(db);
    remove_db(path);
}

static void test_open_errors(void **state)
{
    struct sro_db_err e;
    char path[64];
    sqlite3 *db;

    (void)state;
    temp_path(path, sizeof(path));

    /* Reading a database that does not exist. */
    assert_null(sro_db_open(path, SRO_DB_READ, &e));
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "no such database"));

    /* A file that is not a database. */
    write_file(path, "this is not an sqlite database, it is text.\n"
               "this is not an sqlite database, it is text.\n", 88);
    assert_null(sro_db_open(path, SRO_DB_WRITE, &e));
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "not a database"));
    assert_int_equal(e.rc & 0xff, SQLITE_NOTADB);
    remove_db(path);

    /* Another schema version. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec(db, "PRAGMA user_version = 2; CREATE TABLE t (x)");
    sqlite3_close(db);
    assert_null(sro_db_open(path, SRO_DB_WRITE, &e));
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "schema version 2"));
    remove_db(path);

    /* Tables but no version: somebody else's database. */
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    exec(db, "CREATE TABLE t (x)");
    sqlite3_close(db);
    assert_null(sro_db_open(path, SRO_DB_WRITE, &e));
    assert_non_null(strstr(e.msg, "not an srotrace database"));
    remove_db(path);

    /* A directory. */
    assert_null(sro_db_open("/tmp", SRO_DB_WRITE, &e));
    assert_non_null(strstr(e.msg, "/tmp: is a directory"));

    /* A directory that does not exist. */
    assert_null(sro_db_open("/nonexistent-dir/x.db", SRO_DB_WRITE, &e));
    assert_non_null(strstr(e.msg, "/nonexistent-dir/x.db: cannot open"));
}

static void test_locked(void **state)
{
    struct sro_db_err e;
    sqlite3 *a, *b;
    char path[64];

    (void)state;
    temp_path(path, sizeof(path));
    a = sro_db_open(path, SRO_DB_WRITE, &e);
    b = sro_db_open(path, SRO_DB_WRITE, &e);
    assert_non_null(a);
    assert_non_null(b);
    sqlite3_busy_timeout(b, 50);
    assert_int_equal(sro_db_begin(a, &e), 0);
    assert_int_equal(sro_db_begin(b, &e), -1);
    assert_int_equal(e.rc & 0xff, SQLITE_BUSY);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "locked by another process"));
    assert_int_equal(sro_db_commit(a, &e), 0);
    assert_int_equal(sro_db_begin(b, &e), 0);
    assert_int_equal(sro_db_commit(b, &e), 0);
    sro_db_close(a);
    sro_db_close(b);
    remove_db(path);
}

static void test_full(void **state)
{
    struct sro_db_err e;
    char path[64];
    sqlite3 *db;
    int rc;

    (void)state;
    temp_path(path, sizeof(path));
    db = sro_db_open(path, SRO_DB_WRITE, &e);
    assert_non_null(db);
    assert_int_equal(sro_db_set_max_size(db, (uint64_t)q_int(db,
                     "PRAGMA page_count") * 4096 + 8192, &e), 0);
    exec(db, "CREATE TABLE big (x BLOB)");
    rc = sqlite3_exec(db, "INSERT INTO big VALUES (zeroblob(100000))", NULL,
                      NULL, NULL);
    assert_int_equal(rc & 0xff, SQLITE_FULL);
    sro_db_fail(db, rc, "testing", &e);
    assert_non_null(strstr(e.msg, path));
    assert_non_null(strstr(e.msg, "full"));
    assert_non_null(strstr(e.msg, "(while testing)"));
    sro_db_close(db);
    remove_db(path);
}

static void test_u64_round_trip(void **state)
{
    static const uint64_t values[] = {
        0, 1, 0x7fffffffffffffffull, 0x8000000000000000ull,
        0x8000000000000001ull, 0xfedcba9876543210ull, 0xffffffffffffffffull,
    };
    struct sro_db_err e;
    sqlite3 *db = sro_db_open(":memory:", SRO_DB_WRITE, &e);
    sqlite3_stmt *ins, *sel;

    (void)state;
    assert_non_null(db);
    assert_int_equal(sro_db_i64(0x8000000000000000ull), INT64_MIN);
    assert_int_equal(sro_db_i64(0xffffffffffffffffull), -1);
    assert_int_equal(sro_db_i64(0x7fffffffffffffffull), INT64_MAX);
    assert_int_equal(sro_db_u64(-2), 0xfffffffffffffffeull);
    exec(db, "CREATE TABLE v (i INTEGER PRIMARY KEY, x INTEGER)");
    assert_int_equal(sqlite3_prepare_v2(db, "INSERT INTO v VALUES (?, ?)", -1,
                                        &ins, NULL), SQLITE_OK);
    for ( unsigned int i = 0; i < sizeof(values) / sizeof(values[0]); i++ )
    {
        sqlite3_bind_int(ins, 1, (int)i);
        sro_db_bind_u64(ins, 2, values[i]);
        assert_int_equal(sqlite3_step(ins), SQLITE_DONE);
        sqlite3_reset(ins);
    }
    sqlite3_finalize(ins);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT x, typeof(x) FROM v "
                                        "ORDER BY i", -1, &sel, NULL),
                     SQLITE_OK);
    for ( unsigned int i = 0; i < sizeof(values) / sizeof(values[0]); i++ )
    {
        assert_int_equal(sqlite3_step(sel), SQLITE_ROW);
        assert_int_equal(sro_db_column_u64(sel, 0), values[i]);
        assert_string_equal((const char *)sqlite3_column_text(sel, 1),
                            "integer");
    }
    sqlite3_finalize(sel);
    assert_int_equal(q_int(db, "SELECT x FROM v WHERE i = 3"), INT64_MIN);
    sro_db_close(db);
}

/* The pid of a process that has exited (and been reaped). */
static pid_t dead_pid(void)
{
    pid_t pid = fork();

    assert_true(pid >= 0);
    if ( pid == 0 )
        _exit(0);
    waitpid(pid, NULL, 0);
    return pid;
}

static void test_interrupted_runs(void **state)
{
    struct sro_db_err e;
    char path[64], sql[512];
    pid_t dead = dead_pid();
    sqlite3 *db;

    (void)state;
    temp_path(path, sizeof(path));
    db = sro_db_open(path, SRO_DB_WRITE, &e);
    assert_non_null(db);
    snprintf(sql, sizeof(sql),
             "INSERT INTO runs (id, source, started_at, status, writer_host, "
             "writer_pid) VALUES "
             "(1, 'dead', 'x', 'recording', '%s', %d), "
             "(2, 'alive', 'x', 'recording', '%s', %d), "
             "(3, 'elsewhere', 'x', 'recording', 'another-host', %d), "
             "(4, 'done', 'x', 'complete', '%s', %d)",
             sro_db_hostname(), (int)dead, sro_db_hostname(), (int)getpid(),
             (int)dead, sro_db_hostname(), (int)dead);
    exec(db, sql);
    sro_db_close(db);

    /* Opening for reading changes nothing. */
    db = sro_db_open(path, SRO_DB_READ, &e);
    assert_non_null(db);
    assert_int_equal(q_int(db, "SELECT count(*) FROM runs WHERE "
                           "status = 'recording'"), 3);
    sro_db_close(db);
    assert_false(sro_db_writer_alive(sro_db_hostname(), dead));
    assert_true(sro_db_writer_alive(sro_db_hostname(), getpid()));
    assert_true(sro_db_writer_alive("another-host", dead));

    /* Opening for writing marks the dead writer's run, and only it. */
    db = sro_db_open(path, SRO_DB_WRITE, &e);
    assert_non_null(db);
    assert_int_equal(q_int(db, "SELECT status = 'interrupted' AND "
                           "finished_at IS NOT NULL AND error LIKE "
                           "'the recording process (pid %) died' FROM runs "
                           "WHERE id = 1"), 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM runs WHERE "
                           "status = 'recording' AND id IN (2, 3)"), 2);
    assert_int_equal(q_int(db, "SELECT count(*) FROM runs WHERE "
                           "status = 'complete' AND id = 4"), 1);
    sro_db_close(db);
    remove_db(path);
}

static void test_run_lookup(void **state)
{
    struct sro_db_err e;
    sqlite3 *db = sro_db_open(":memory:", SRO_DB_WRITE, &e);
    int64_t run = 0;

    (void)state;
    assert_non_null(db);
    assert_int_equal(sro_db_resolve_run(db, NULL, &run, &e), -1);
    assert_non_null(strstr(e.msg, "no complete run"));
    exec(db, "INSERT INTO runs (id, source, sha256, started_at, status) "
             "VALUES (1, 'a', 'aaaa', 'x', 'complete'), "
             "(2, 'b', 'bbbb', 'x', 'complete'), "
             "(3, 'c', 'cccc', 'x', 'interrupted')");
    assert_int_equal(sro_db_resolve_run(db, "latest", &run, &e), 0);
    assert_int_equal(run, 2);
    assert_int_equal(sro_db_resolve_run(db, "", &run, &e), 0);
    assert_int_equal(run, 2);
    assert_int_equal(sro_db_resolve_run(db, "3", &run, &e), 0);
    assert_int_equal(run, 3);
    assert_int_equal(sro_db_resolve_run(db, "7", &run, &e), -1);
    assert_non_null(strstr(e.msg, "no run 7"));
    assert_int_equal(sro_db_resolve_run(db, "x1", &run, &e), -1);
    assert_non_null(strstr(e.msg, "'x1' is not a run number"));

    /* Duplicates: only a complete run counts as imported. */
    assert_int_equal(sro_db_find_run_by_sha256(db, "bbbb", &run, &e), 1);
    assert_int_equal(run, 2);
    assert_int_equal(sro_db_find_run_by_sha256(db, "cccc", &run, &e), 0);
    assert_int_equal(sro_db_find_run_by_sha256(db, "dddd", &run, &e), 0);
    sro_db_close(db);
}

static void test_fill_instructions(void **state)
{
    struct sro_db_err e;
    sqlite3 *db = sro_db_open(":memory:", SRO_DB_WRITE, &e);
    sqlite3_stmt *st;

    (void)state;
    assert_non_null(db);
    exec(db, "INSERT INTO instructions (id, bytes, mode) VALUES "
             "(1, x'8907', 64), (2, x'66', 64), (3, x'', 16), "
             "(4, x'0fae07', 64), (5, x'f3a5', 32)");
    assert_int_equal(sro_db_fill_instructions(db, &e), 5);
    assert_int_equal(sqlite3_prepare_v2(db, "SELECT ifnull(text, 'NULL'), "
                                        "kind, ifnull(is_store, -1), "
                                        "ifnull(is_rmw, -1), "
                                        "ifnull(is_string, -1), "
                                        "ifnull(width, -1) FROM "
                                        "instructions ORDER BY id", -1, &st,
                                        NULL), SQLITE_OK);
    {
        static const char *const want[] = {
            "mov dword ptr [rdi], eax|mov_m32_r32|1|0|0|4",
            "NULL|invalid|-1|-1|-1|-1",
            "NULL|invalid|-1|-1|-1|-1",
            "fxsave [rdi]|fxsave_m4096|1|0|0|512",
        };

        for ( unsigned int i = 0; i < 5; i++ )
        {
            char row[160];

            assert_int_equal(sqlite3_step(st), SQLITE_ROW);
            snprintf(row, sizeof(row), "%s|%s|%d|%d|%d|%d",
                     sqlite3_column_text(st, 0), sqlite3_column_text(st, 1),
                     sqlite3_column_int(st, 2), sqlite3_column_int(st, 3),
                     sqlite3_column_int(st, 4), sqlite3_column_int(st, 5));
            if ( i < 4 )
                assert_string_equal(row, want[i]);
            else    /* rep movsd: a string store of 4 bytes per iteration */
                assert_non_null(strstr(row, "|1|0|1|4"));
        }
    }
    sqlite3_finalize(st);
    /* Nothing left to do the second time. */
    assert_int_equal(sro_db_fill_instructions(db, &e), 0);
    sro_db_close(db);
}

static void test_now_and_host(void **state)
{
    char now[32];

    (void)state;
    sro_db_now(now);
    assert_int_equal(strlen(now), 20);
    assert_int_equal(now[10], 'T');
    assert_int_equal(now[19], 'Z');
    assert_true(strlen(sro_db_hostname()) > 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_schema_embedded),
        cmocka_unit_test(test_create_and_reopen),
        cmocka_unit_test(test_open_errors),
        cmocka_unit_test(test_locked),
        cmocka_unit_test(test_full),
        cmocka_unit_test(test_u64_round_trip),
        cmocka_unit_test(test_interrupted_runs),
        cmocka_unit_test(test_run_lookup),
        cmocka_unit_test(test_fill_instructions),
        cmocka_unit_test(test_now_and_host),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

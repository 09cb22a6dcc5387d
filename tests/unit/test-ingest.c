/*
 * test-ingest.c - the recorder writes exactly the rows a trace describes.
 *
 * Each test builds a trace by hand (tests/unit/helpers/trace-bytes.h: every
 * byte and offset visible here; or trace/writer.h for whole groups),
 * imports it with sro_ingest() into a fresh in-memory database, and
 * checks every table and every column that matters, for every record type
 * and every group-boundary case of trace-format.md section 3.2, plus bad
 * input, the run row, batching, stopping, and a full database.
 *
 * `test-ingest --write-trace FILE` writes the sample trace of
 * write_sample_trace() instead (for tests/cli/test-record.sh).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "db/db.h"
#include "recorder/ingest.h"
#include "trace/writer.h"
#include "util/sha256.h"
#include "helpers/trace-bytes.h"

#define NAME "test.trace"

/* ---- helpers ---- */

static sqlite3 *mem_db(void)
{
    struct sro_db_err e;
    sqlite3 *db = sro_db_open(":memory:", SRO_DB_WRITE, &e);

    if ( !db )
        fail_msg("%s", e.msg);
    return db;
}

/* Diagnostics of the last import, one per line. */
static char diag_buf[8192];

/* Import f into db with default options; returns the ingest status. */
static int ingest_opts(sqlite3 *db, FILE *f, struct sro_ingest_opts *o,
                       struct sro_ingest_result *r)
{
    FILE *d = fmemopen(diag_buf, sizeof(diag_buf), "w");
    int rc;

    assert_non_null(d);
    memset(diag_buf, 0, sizeof(diag_buf));
    if ( !o->info.source )
        o->info.source = NAME;
    o->diag = d;
    rc = sro_ingest(db, f, o, r);
    fclose(d);
    return rc;
}

static int ingest_file(sqlite3 *db, FILE *f, struct sro_ingest_result *r)
{
    struct sro_ingest_opts o = { .info = { .source = NAME } };

    return ingest_opts(db, f, &o, r);
}

static int ingest_tb(sqlite3 *db, const struct tb *b,
                     struct sro_ingest_result *r)
{
    FILE *f = tb_open(b);
    int rc = ingest_file(db, f, r);

    fclose(f);
    return rc;
}

/* The one integer a query returns (fails the test if there is no row). */
static int64_t q_int(sqlite3 *db, const char *fmt, ...)
{
    char sql[512];
    sqlite3_stmt *st;
    va_list ap;
    int64_t v;

    va_start(ap, fmt);
    vsnprintf(sql, sizeof(sql), fmt, ap);
    va_end(ap);
    if ( sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK )
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if ( sqlite3_step(st) != SQLITE_ROW )
        fail_msg("no row: %s", sql);
    v = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return v;
}

/* The text (or "NULL", or a blob in hex) a query returns, in buf. */
static const char *q_str(sqlite3 *db, const char *sql)
{
    static char buf[512];
    sqlite3_stmt *st;

    if ( sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK )
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if ( sqlite3_step(st) != SQLITE_ROW )
        fail_msg("no row: %s", sql);
    if ( sqlite3_column_type(st, 0) == SQLITE_NULL )
        snprintf(buf, sizeof(buf), "NULL");
    else
        snprintf(buf, sizeof(buf), "%s", sqlite3_column_text(st, 0));
    sqlite3_finalize(st);
    return buf;
}

/* A whole row as "a|b|c" (NULL as "NULL", blobs via hex() in the SQL). */
static const char *q_row(sqlite3 *db, const char *sql)
{
    static char buf[1024];
    sqlite3_stmt *st;
    size_t n = 0;

    if ( sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK )
        fail_msg("%s: %s", sql, sqlite3_errmsg(db));
    if ( sqlite3_step(st) != SQLITE_ROW )
        fail_msg("no row: %s", sql);
    buf[0] = '\0';
    for ( int i = 0; i < sqlite3_column_count(st); i++ )
    {
        const char *v = sqlite3_column_type(st, i) == SQLITE_NULL ? "NULL" :
                        (const char *)sqlite3_column_text(st, i);

        n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "|" : "", v);
    }
    sqlite3_finalize(st);
    return buf;
}

static struct sro_fault plain_fault(unsigned int cpu, uint64_t tsc)
{
    struct sro_fault f = {
        .cpu = cpu, .tsc = tsc, .domain = 1, .vcpu = 0,
        .path = SRO_PATH_HVM_421, .code_size = SRO_CODE_64,
        .gla = ~0ull, .gpa = 0xfe100008, .mfn = 0xfe100,
        .has_insn = true, .insn_len = 2, .insn = { 0x89, 0x07 },
        .rip = 0xffffffff81000000ull,
    };

    return f;
}

static struct sro_write plain_write(unsigned int off, unsigned int len)
{
    struct sro_write w = {
        .mfn = 0xfe100, .offset = (uint16_t)off, .dev_offset = (uint16_t)off,
        .len = (uint8_t)len, .result = SRO_WRITTEN,
        .data_len = (uint8_t)(len < 8 ? len : 8),
        .data = { 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77, 0x88 },
    };

    return w;
}

/* ---- configuration records ---- */

static void test_config_records(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_rec(&b, SRO_RANGE_ADD, true, 100, 5, 0xfe100020u, 0u, 64u,
           (unsigned int)-22, 0x803u);
    tb_rec(&b, SRO_RANGE_STATE, false, 0, 7, 0xfe100u, 0u,
           2u | SRO_STATE_MAPPED, 0x1u, 0x80000000u, 0u, 0xdeadbeefu);
    tb_end(&b);
    tb_win(&b, 1);
    tb_rec(&b, SRO_RO_PAGES, true, 5, 4, 0xfe200u, 0u, 0xffffffffu,
           0xffffffffu);
    tb_end(&b);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_OK);
    assert_string_equal(diag_buf, "");
    assert_int_equal(r.run, 1);
    assert_string_equal(r.status, "complete");
    assert_int_equal(r.totals.records, 3);
    assert_int_equal(r.totals.groups, 0);

    assert_string_equal(q_row(db, "SELECT run, seq, cpu, tsc, start, size, "
                              "rc, flags FROM range_adds"),
                        "1|0|0|100|4262461472|64|-22|2051");
    /* Without its own TSC the state record has its CPU's last one. */
    assert_string_equal(q_row(db, "SELECT run, seq, cpu, tsc, mfn, quarter, "
                              "mapped, hex(ro_bits) FROM range_states"),
                        "1|1|0|100|1040640|2|1|"
                        "010000000000008000000000EFBEADDE");
    assert_string_equal(q_row(db, "SELECT run, seq, cpu, tsc, first_mfn, "
                              "last_mfn FROM ro_pages"),
                        "1|2|1|5|1040896|-1");
    assert_int_equal(sro_db_u64(q_int(db, "SELECT last_mfn FROM ro_pages")),
                     UINT64_MAX);
    tb_free(&b);
    sro_db_close(db);
}

/* ---- one complete group: every column ---- */

static void test_group_columns(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win(&b, 3);
    /* domain 7 vcpu 2; path 3, GLA valid, hwdom, 64-bit, mfn bits 32..47
     * = 1; TSC >= 2^63 to check the u64 convention. */
    tb_rec(&b, SRO_FAULT, true, 0x8000000000000123ull, 7, 0x00070002u,
           3u | SRO_FAULT_GLA_VALID | SRO_FAULT_HWDOM | (3u << 8) |
           (1u << 16), 0x00010008u, 0xffffc900u, 0xf0100008u, 0u, 0xfe100u);
    tb_rec(&b, SRO_INSN, false, 0, 7, 3u, 0x00478966u, 0u, 0u, 0u,
           0x81234567u, 0xffffffffu);
    tb_rec(&b, SRO_WRITE, false, 0, 6, 0xfe100u, 1u,
           SRO_WRITE_W2(8, 2, SRO_WRITTEN), 0x00007788u, 0u, 8u);
    tb_rec(&b, SRO_DONE, false, 0, 3, SRO_DONE_W0(SRO_RETIRED, 0, 0), 1u, 2u);
    tb_end(&b);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_OK);
    assert_int_equal(r.totals.groups, 1);
    assert_int_equal(r.totals.incomplete_groups, 0);

    assert_string_equal(q_row(db,
        "SELECT run, seq, file_offset, cpu, tsc, domain, vcpu, path, "
        "gla_valid, hwdom, code_size, gla, gpa, mfn, page_offset, rip, "
        "insn, outcome, reason, emul_rc, done_nwrites, store_size, nwrites, "
        "complete, incomplete FROM fault_groups"),
        "1|0|12|3|-9223372036854775517|7|2|3|1|1|3|-60473139462136|"
        "4027580424|4296007936|8|-2128394905|1|0|0|0|1|2|1|1|NULL");
    assert_int_equal(sro_db_u64(q_int(db, "SELECT tsc FROM fault_groups")),
                     0x8000000000000123ull);
    assert_int_equal(sro_db_u64(q_int(db, "SELECT gla FROM fault_groups")),
                     0xffffc90000010008ull);
    assert_int_equal(sro_db_u64(q_int(db, "SELECT rip FROM fault_groups")),
                     0xffffffff81234567ull);
    assert_string_equal(q_row(db, "SELECT id, hex(bytes), mode, text, kind, "
                              "is_store, width FROM instructions"),
                        "1|668947|64|NULL|NULL|NULL|NULL");
    assert_string_equal(q_row(db, "SELECT run, grp, piece, cpu, tsc, mfn, "
                              "offset, length, result, dev_offset, hex(data) "
                              "FROM dev_writes"),
                        "1|1|0|3|-9223372036854775517|4296007936|8|2|0|8|"
                        "8877");
    tb_free(&b);
    sro_db_close(db);
}

/* ---- variants: no INSN, no writes, several pieces, wide data ---- */

static void test_group_variants(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    /* 1: no INSN, no write, GLA not valid. */
    tb_fault(&b, 10, 0xfe100010);
    tb_done(&b, 0);
    /* 2: two pieces with different fates. */
    tb_fault(&b, 20, 0xfe100020);
    tb_insn(&b);
    tb_write(&b, 0xfe100, 0x20, 4, SRO_WRITTEN, 0x44332211);
    tb_write(&b, 0xfe100, 0x24, 4, SRO_DROPPED_RO, 0x88776655);
    tb_done(&b, 2);
    /* 3: a 16-byte store: SRO_WRITE carries 8 bytes, SRO_DATA the rest. */
    tb_fault(&b, 30, 0xfe100040);
    tb_insn(&b);
    tb_write(&b, 0xfe100, 0x40, 16, SRO_DROPPED_BAD_SIZE,
             0x0807060504030201ull);
    tb_rec(&b, SRO_DATA, false, 0, 2, 0x0c0b0a09u, 0x100f0e0du);
    tb_done(&b, 1);
    /* 4: the fetch failed (0 bytes), 16-bit code. */
    tb_rec(&b, SRO_FAULT, true, 40, 7, 0x00010002u,
           SRO_PATH_PV | (SRO_CODE_16 << 8), 0u, 0u, 0xfe100050u, 0u,
           0xfe100u);
    tb_rec(&b, SRO_INSN, false, 0, 7, 0u, 0u, 0u, 0u, 0u, 0x1234u, 0u);
    tb_done(&b, 0);
    /* 5: DONE counts two writes, one came: count_mismatch. */
    tb_fault(&b, 50, 0xfe100060);
    tb_write(&b, 0xfe100, 0x60, 4, SRO_WRITTEN, 1);
    tb_done(&b, 2);
    tb_end(&b);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_OK);
    assert_int_equal(r.totals.groups, 5);
    assert_int_equal(r.totals.incomplete_groups, 1);

    assert_string_equal(q_row(db, "SELECT gla, rip, insn, nwrites, outcome, "
                              "store_size, complete, incomplete, "
                              "page_offset FROM fault_groups WHERE tsc = 10"),
                        "NULL|NULL|NULL|0|0|4|1|NULL|16");
    assert_int_equal(q_int(db, "SELECT count(*) FROM dev_writes w JOIN "
                           "fault_groups g ON g.id = w.grp WHERE g.tsc = 20"),
                     2);
    assert_string_equal(q_row(db, "SELECT group_concat(piece || ':' || "
                              "offset || ':' || result || ':' || hex(data), "
                              " ' ') FROM (SELECT w.* FROM dev_writes w JOIN "
                              "fault_groups g ON g.id = w.grp "
                              "WHERE g.tsc = 20 ORDER BY piece)"),
                        "0:32:0:11223344 1:36:1:55667788");
    assert_string_equal(q_row(db, "SELECT length, result, hex(data) FROM "
                              "dev_writes w JOIN fault_groups g ON "
                              "g.id = w.grp WHERE g.tsc = 30"),
                        "16|4|0102030405060708090A0B0C0D0E0F10");
    assert_string_equal(q_row(db, "SELECT g.path, g.code_size, g.rip, "
                              "i.mode, length(i.bytes), typeof(i.bytes) "
                              "FROM fault_groups g JOIN instructions i ON "
                              "i.id = g.insn WHERE g.tsc = 40"),
                        "1|1|4660|16|0|blob");
    assert_string_equal(q_row(db, "SELECT complete, incomplete, nwrites, "
                              "done_nwrites FROM fault_groups "
                              "WHERE tsc = 50"),
                        "0|count_mismatch|1|2");
    /* Groups 2 and 3 share one instruction row; group 4 has its own. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM instructions"), 2);
    tb_free(&b);
    sro_db_close(db);
}

/* ---- incomplete groups: new FAULT, lost records, end of input ---- */

static void test_incomplete_groups(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    uint64_t lost_off;
    char want[80];
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_fault(&b, 100, 0xfe100008);              /* a: cut by b */
    tb_insn(&b);
    tb_fault(&b, 110, 0xfe100010);              /* b: complete */
    tb_done(&b, 0);
    tb_end(&b);
    tb_win(&b, 1);
    tb_fault(&b, 200, 0xfe100018);              /* c: lost inside */
    lost_off = tb_rec(&b, TRC_LOST_RECORDS, true, 205, 4, 5u,
                      3u | (1u << 16), 0x1234u, 0x1u);
    tb_write(&b, 0xfe100, 0x18, 4, SRO_WRITTEN, 7);
    tb_done(&b, 1);
    tb_end(&b);
    tb_win(&b, 2);
    tb_fault(&b, 300, 0xfe100020);              /* d: no DONE before EOF */
    tb_insn(&b);
    tb_end(&b);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_OK);
    assert_int_equal(r.totals.groups, 4);
    assert_int_equal(r.totals.incomplete_groups, 3);
    assert_int_equal(r.totals.lost_records, 5);

    assert_string_equal(q_row(db, "SELECT seq, complete, incomplete, "
                              "outcome, nwrites FROM fault_groups "
                              "WHERE tsc = 100"), "0|0|new_fault|NULL|0");
    assert_string_equal(q_row(db, "SELECT seq, complete, incomplete "
                              "FROM fault_groups WHERE tsc = 110"),
                        "2|1|NULL");
    assert_string_equal(q_row(db, "SELECT seq, complete, incomplete, "
                              "outcome, nwrites FROM fault_groups "
                              "WHERE tsc = 200"), "4|0|lost|0|1");
    assert_string_equal(q_row(db, "SELECT seq, cpu, complete, incomplete, "
                              "outcome FROM fault_groups WHERE tsc = 300"),
                        "8|2|0|eof|NULL");
    snprintf(want, sizeof(want), "1|1|205|5|3|1|4294971956|%llu",
             (unsigned long long)lost_off);
    assert_string_equal(q_row(db, "SELECT run, cpu, tsc, count, domain, "
                              "vcpu, first_tsc, file_offset FROM "
                              "lost_spans"), want);
    assert_int_equal(lost_off, 192);
    tb_free(&b);
    sro_db_close(db);
}

/* ---- orphan writes and stray records ---- */

static void test_orphans_and_strays(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win(&b, 5);
    tb_rec(&b, 0x0001f00au, true, 77, 0);       /* gives the CPU a time */
    tb_write(&b, 0xfe100, 0x30, 12, SRO_WRITTEN, 0x0807060504030201ull);
    tb_rec(&b, SRO_DATA, false, 0, 1, 0x0c0b0a09u);
    tb_insn(&b);                                /* stray */
    tb_done(&b, 1);                             /* stray */
    tb_rec(&b, SRO_DATA, false, 0, 1, 0u);      /* stray */
    tb_end(&b);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_OK);
    assert_int_equal(r.totals.orphan_writes, 1);
    assert_int_equal(r.totals.stray_records, 3);
    assert_int_equal(r.totals.groups, 0);
    assert_string_equal(q_row(db, "SELECT run, grp, piece, cpu, tsc, mfn, "
                              "offset, length, result, dev_offset, hex(data) "
                              "FROM dev_writes"),
                        "1|NULL|0|5|77|1040640|48|12|0|48|"
                        "0102030405060708090A0B0C");
    assert_int_equal(q_int(db, "SELECT orphan_writes FROM runs"), 1);
    assert_int_equal(q_int(db, "SELECT stray_records FROM runs"), 3);
    tb_free(&b);
    sro_db_close(db);
}

/* ---- records of other classes, also between a group's records ---- */

static void test_unknown_events(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_rec(&b, 0x0001f00au, true, 1, 0);
    tb_fault(&b, 2, 0xfe100008);
    tb_rec(&b, 0x0001f00au, true, 3, 2, 1u, 2u);
    tb_insn(&b);
    tb_rec(&b, 0x00802001u, false, 0, 1, 9u);   /* TRC_HW, another subclass */
    tb_write(&b, 0xfe100, 8, 4, SRO_WRITTEN, 1);
    tb_rec(&b, 0x00804015u, false, 0, 0);       /* our class, no such id */
    tb_done(&b, 1);
    tb_rec(&b, 0x0001f00au, true, 4, 0);
    tb_end(&b);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_OK);
    assert_int_equal(r.totals.unknown_records, 5);
    assert_int_equal(r.totals.groups, 1);
    assert_int_equal(r.totals.incomplete_groups, 0);
    assert_int_equal(r.totals.records, 9);
    assert_string_equal(q_row(db, "SELECT group_concat(printf('%x=%d', "
                              "event, count), ' ') FROM (SELECT * FROM "
                              "unknown_events WHERE run = 1 ORDER BY event)"),
                        "1f00a=3 802001=1 804015=1");
    assert_string_equal(q_row(db, "SELECT seq, complete, nwrites FROM "
                              "fault_groups"), "1|1|1");
    tb_free(&b);
    sro_db_close(db);
}

/* ---- windows of many CPUs interleaved, groups across windows ---- */

static void test_interleaved_windows(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    uint64_t fault_off[4];
    struct tb b;

    (void)state;
    tb_init(&b);
    /* Round 1: each CPU's FAULT + INSN, one window each, plus an empty
     * window of CPU 2. Records 0..7: F0 I0 F1 I1 F2 I2 F3 I3. */
    for ( unsigned int c = 0; c < 4; c++ )
    {
        tb_win(&b, c);
        fault_off[c] = tb_fault(&b, 1000 * (c + 1), 0xfe100008 + 8 * c);
        tb_insn(&b);
        tb_end(&b);
    }
    tb_win_n(&b, 2, 0);
    /* Round 2, in reverse CPU order: WRITE + DONE. */
    for ( unsigned int c = 4; c-- > 0; )
    {
        tb_win(&b, c);
        tb_write(&b, 0xfe100, 8 + 8 * c, 4, SRO_WRITTEN, c);
        tb_done(&b, 1);
        tb_end(&b);
        tb_win_n(&b, c, 0);
    }

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_OK);
    assert_int_equal(r.totals.groups, 4);
    assert_int_equal(r.totals.incomplete_groups, 0);
    assert_int_equal(r.totals.records, 16);
    for ( unsigned int c = 0; c < 4; c++ )
    {
        /* Groups end in reverse CPU order: CPU 3's is row 1. */
        assert_int_equal(q_int(db, "SELECT id FROM fault_groups WHERE "
                               "cpu = %u", c), 4 - c);
        assert_int_equal(q_int(db, "SELECT seq FROM fault_groups WHERE "
                               "cpu = %u", c), 2 * c);
        assert_int_equal(q_int(db, "SELECT file_offset FROM fault_groups "
                               "WHERE cpu = %u", c), (int64_t)fault_off[c]);
        assert_int_equal(q_int(db, "SELECT complete FROM fault_groups "
                               "WHERE cpu = %u", c), 1);
        assert_int_equal(q_int(db, "SELECT w.offset FROM dev_writes w JOIN "
                               "fault_groups g ON g.id = w.grp WHERE "
                               "g.cpu = %u", c), 8 + 8 * c);
        /* The WRITE has no TSC: it takes the group's. */
        assert_int_equal(q_int(db, "SELECT w.tsc FROM dev_writes w JOIN "
                               "fault_groups g ON g.id = w.grp WHERE "
                               "g.cpu = %u", c), 1000 * (c + 1));
    }
    assert_int_equal(fault_off[0], 12);
    tb_free(&b);
    sro_db_close(db);
}

/* ---- bad input: everything before the damage is kept ---- */

static void test_cut_inside_record(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    uint64_t done_off;
    struct tb b;
    char want[160];

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_fault(&b, 10, 0xfe100008);
    tb_done(&b, 0);
    tb_fault(&b, 20, 0xfe100010);
    done_off = tb_done(&b, 0);
    tb_end(&b);
    b.len -= 6;                                 /* cut 10 bytes into DONE */

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_BAD_INPUT);
    assert_int_equal(r.totals.bytes_unused, 10);
    assert_int_equal(r.totals.groups, 2);
    assert_int_equal(r.totals.incomplete_groups, 1);
    snprintf(want, sizeof(want), "offset %llu",
             (unsigned long long)done_off);
    assert_non_null(strstr(diag_buf, NAME ": "));
    assert_non_null(strstr(diag_buf, want));
    assert_non_null(strstr(r.error, want));
    assert_string_equal(q_row(db, "SELECT status, bytes_unused, groups_total "
                              "FROM runs"), "complete|10|2");
    assert_string_equal(q_str(db, "SELECT error FROM runs"), r.error);
    assert_string_equal(q_row(db, "SELECT group_concat(tsc || ':' || "
                              "complete || ':' || ifnull(incomplete, '-'), "
                              "' ') FROM fault_groups"), "10:1:- 20:0:eof");
    tb_free(&b);
    sro_db_close(db);
}

static void test_window_past_end(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win_n(&b, 1, 40 + 16 + 400);             /* 400 bytes never come */
    tb_fault(&b, 10, 0xfe100008);
    tb_done(&b, 0);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_BAD_INPUT);
    assert_int_equal(r.totals.groups, 1);
    assert_int_equal(r.totals.incomplete_groups, 0);
    assert_int_equal(r.totals.bytes_unused, 0);
    assert_non_null(strstr(diag_buf, NAME ": "));
    assert_non_null(strstr(diag_buf, "offset 68"));
    assert_int_equal(q_int(db, "SELECT count(*) FROM fault_groups WHERE "
                           "complete"), 1);
    tb_free(&b);
    sro_db_close(db);
}

static void test_wrong_word_count(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_fault(&b, 10, 0xfe100008);
    tb_done(&b, 0);
    /* An SRO_FAULT of 6 words at offset 68: skipped. */
    tb_rec(&b, SRO_FAULT, true, 20, 6, 1u, 2u, 3u, 4u, 5u, 6u);
    tb_fault(&b, 30, 0xfe100010);
    tb_done(&b, 0);
    tb_end(&b);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_BAD_INPUT);
    assert_int_equal(r.totals.bad_records, 1);
    assert_int_equal(r.totals.groups, 2);
    assert_int_equal(r.totals.incomplete_groups, 0);
    assert_non_null(strstr(diag_buf, NAME ": offset 68: SRO_FAULT with 6 "
                                     "words"));
    assert_int_equal(q_int(db, "SELECT bad_records FROM runs"), 1);
    assert_string_equal(q_row(db, "SELECT group_concat(seq, ' ') FROM "
                              "fault_groups"), "0 3");
    tb_free(&b);
    sro_db_close(db);
}

static void test_many_problems(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    unsigned int lines = 0;
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    for ( unsigned int i = 0; i < 25; i++ )     /* SRO_DONE of 2 words */
        tb_rec(&b, SRO_DONE, false, 0, 2, 0u, 0u);
    tb_end(&b);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_BAD_INPUT);
    assert_int_equal(r.diagnostics, 25);
    assert_int_equal(r.totals.bad_records, 25);
    for ( const char *p = diag_buf; (p = strchr(p, '\n')); p++ )
        lines++;
    assert_int_equal(lines, 21);
    assert_non_null(strstr(diag_buf, NAME ": offset 12: SRO_DONE with 2 "
                                     "words"));
    assert_non_null(strstr(diag_buf, "\n" NAME ": 5 more problems not "
                                     "shown\n"));
    assert_string_equal(r.error, NAME ": offset 12: SRO_DONE with 2 words "
                                 "(it has 3): skipped");
    tb_free(&b);
    sro_db_close(db);
}

static void test_garbage(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    struct tb b;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_fault(&b, 10, 0xfe100008);
    tb_done(&b, 0);
    tb_end(&b);
    for ( unsigned int i = 0; i < 16; i++ )     /* offset 68: garbage */
        tb_u32(&b, 0x5a5a5a5au ^ i);
    tb_win(&b, 1);
    tb_fault(&b, 20, 0xfe100010);
    tb_done(&b, 0);
    tb_end(&b);

    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_BAD_INPUT);
    assert_int_equal(r.totals.groups, 2);
    assert_int_equal(r.totals.incomplete_groups, 0);
    assert_non_null(strstr(diag_buf, NAME ": offset 68:"));
    assert_int_equal(q_int(db, "SELECT count(*) FROM fault_groups"), 2);
    tb_free(&b);
    sro_db_close(db);
}

static void test_empty_input(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    struct tb b;

    (void)state;
    tb_init(&b);
    assert_int_equal(ingest_tb(db, &b, &r), SRO_INGEST_BAD_INPUT);
    assert_int_equal(r.totals.records, 0);
    assert_non_null(strstr(diag_buf, NAME ": offset 0: empty input"));
    assert_string_equal(q_row(db, "SELECT status, records, size FROM runs"),
                        "complete|0|0");
    tb_free(&b);
    sro_db_close(db);
}

/* ---- instructions are stored once per (bytes, mode), across runs ---- */

static void test_insn_dedupe(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    FILE *f = tmpfile();
    struct sro_writer *w = sro_writer_new(f, 1);
    struct sro_fault flt;

    (void)state;
    for ( unsigned int i = 0; i < 5; i++ )
    {
        flt = plain_fault(0, 100 + i);
        if ( i == 3 )
            flt.code_size = SRO_CODE_32;        /* same bytes, other mode */
        if ( i == 4 )
            flt.insn[1] = 0x0f;                 /* other bytes */
        assert_int_equal(sro_write_group(w, &flt, NULL, 0,
                                         &(struct sro_done){ 0 }), 0);
    }
    assert_int_equal(sro_writer_close(w), 0);
    rewind(f);
    assert_int_equal(ingest_file(db, f, &r), SRO_INGEST_OK);
    assert_int_equal(q_int(db, "SELECT count(*) FROM instructions"), 3);
    assert_string_equal(q_row(db, "SELECT group_concat(insn, ' ') FROM "
                              "(SELECT insn FROM fault_groups ORDER BY tsc)"),
                        "1 1 1 2 3");
    assert_string_equal(q_row(db, "SELECT group_concat(hex(bytes) || '/' || "
                              "mode, ' ') FROM (SELECT * FROM instructions "
                              "ORDER BY id)"),
                        "8907/64 8907/32 890F/64");
    /* A second run finds the same rows. */
    rewind(f);
    assert_int_equal(ingest_file(db, f, &r), SRO_INGEST_OK);
    assert_int_equal(r.run, 2);
    assert_int_equal(q_int(db, "SELECT count(*) FROM instructions"), 3);
    assert_string_equal(q_row(db, "SELECT group_concat(insn, ' ') FROM "
                              "(SELECT insn FROM fault_groups WHERE run = 2 "
                              "ORDER BY tsc)"), "1 1 1 2 3");
    fclose(f);
    sro_db_close(db);
}

/* ---- the run row, batches, and TSC bookkeeping ---- */

static void test_run_row_and_batches(void **state)
{
    struct sro_ingest_opts o = { .info = { .source = NAME, .host = "h1",
                                           .xen_version = "4.20.1",
                                           .tsc_hz = 2400000000u },
                                 .batch_rows = 1 };
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    FILE *f = tmpfile();
    struct sro_writer *w = sro_writer_new(f, 2);
    struct sha256_ctx c;
    static uint8_t buf[65536];
    char sha[65], sql[160];
    size_t n;

    (void)state;
    for ( unsigned int i = 0; i < 50; i++ )
    {
        struct sro_fault flt = plain_fault(i % 2, 1000 + 10 * i);
        struct sro_write wr = plain_write(8, 4);

        assert_int_equal(sro_write_group(w, &flt, &wr, 1,
                                         &(struct sro_done){ .nwrites = 1,
                                                             .store_size = 4 }),
                         0);
        if ( i % 7 == 6 )
            sro_writer_flush_cpu(w, i % 2, false);
    }
    /* CPU 1 goes back in time once: a TSC reset. */
    sro_write_ro_pages(w, 1, 5, 1, 2);
    assert_int_equal(sro_writer_close(w), 0);
    rewind(f);
    sha256_init(&c);
    while ( (n = fread(buf, 1, sizeof(buf), f)) > 0 )
        sha256_update(&c, buf, n);
    sha256_hex_now(&c, sha);
    rewind(f);

    assert_int_equal(ingest_opts(db, f, &o, &r), SRO_INGEST_OK);
    assert_int_equal(r.totals.groups, 50);
    assert_int_equal(r.totals.tsc_resets, 1);
    assert_string_equal(r.totals.sha256, sha);
    assert_string_equal(q_row(db, "SELECT source, host, xen_version, tsc_hz, "
                              "status, records, groups_total, "
                              "incomplete_groups, lost_records, "
                              "unknown_records, orphan_writes, "
                              "stray_records, bad_records, bytes_unused, "
                              "tsc_resets, first_tsc, last_tsc, error "
                              "FROM runs"),
                        NAME "|h1|4.20.1|2400000000|complete|201|50|0|0|0|0|"
                        "0|0|0|1|5|1490|NULL");
    assert_string_equal(q_str(db, "SELECT sha256 FROM runs"), sha);
    assert_int_equal(q_int(db, "SELECT size FROM runs"), ftell(f));
    assert_string_equal(q_str(db, "SELECT writer_host FROM runs"),
                        sro_db_hostname());
    assert_int_equal(q_int(db, "SELECT writer_pid FROM runs"), getpid());
    assert_int_equal(q_int(db, "SELECT finished_at >= started_at FROM runs"),
                     1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM dev_writes"), 50);
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM runs WHERE sha256 = "
             "'%s'", sha);
    assert_int_equal(q_int(db, "%s", sql), 1);
    fclose(f);
    sro_db_close(db);
}

/* ---- stopping on a signal: what was read is kept, run interrupted ---- */

static volatile sig_atomic_t stop_flag;

static void stop_after_first(void *ctx, uint64_t bytes, uint64_t records,
                             uint64_t groups)
{
    (void)ctx; (void)bytes; (void)records; (void)groups;
    stop_flag = SIGINT;
}

static void test_stop(void **state)
{
    struct sro_ingest_opts o = { .stop = &stop_flag,
                                 .progress = stop_after_first };
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    FILE *f = tmpfile();
    struct sro_writer *w = sro_writer_new(f, 1);
    long size;

    (void)state;
    /* 30000 groups of 88 bytes: 2.6 MB, more than one read block. */
    for ( unsigned int i = 0; i < 30000; i++ )
    {
        struct sro_fault flt = plain_fault(0, 10 + i);

        sro_write_group(w, &flt, NULL, 0, &(struct sro_done){ 0 });
    }
    assert_int_equal(sro_writer_close(w), 0);
    size = ftell(f);
    rewind(f);
    stop_flag = 0;
    assert_int_equal(ingest_opts(db, f, &o, &r), SRO_INGEST_STOPPED);
    assert_string_equal(r.status, "interrupted");
    /* The stop came after 4096 records; what the reader held then was
     * still taken, nothing that needed another read. */
    assert_true(r.totals.records > 4096);
    assert_true(r.totals.records < 90000);
    assert_true(r.totals.size < (uint64_t)size);
    assert_true(r.totals.groups * 3 >= r.totals.records);
    assert_string_equal(q_str(db, "SELECT status FROM runs"), "interrupted");
    assert_int_equal(q_int(db, "SELECT records FROM runs"),
                     (int64_t)r.totals.records);
    assert_int_equal(q_int(db, "SELECT count(*) FROM fault_groups"),
                     (int64_t)r.totals.groups);
    assert_int_equal(q_int(db, "SELECT groups_total FROM runs"),
                     (int64_t)r.totals.groups);
    assert_string_equal(diag_buf, "");
    fclose(f);
    sro_db_close(db);
}

/* ---- a full database: earlier runs intact, this one interrupted ---- */

/* Remove a database file and its WAL companions. */
static void remove_db(const char *path)
{
    char p[256];

    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

static void test_db_full(void **state)
{
    char path[] = "/tmp/test-ingest-XXXXXX";
    struct sro_ingest_result r;
    struct sro_db_err e;
    sqlite3 *db;
    FILE *f = tmpfile();
    struct sro_writer *w = sro_writer_new(f, 1);
    int fd = mkstemp(path);

    (void)state;
    assert_true(fd >= 0);
    close(fd);
    unlink(path);
    db = sro_db_open(path, SRO_DB_WRITE, &e);
    assert_non_null(db);
    for ( unsigned int i = 0; i < 3000; i++ )
    {
        struct sro_fault flt = plain_fault(0, 10 + i);
        struct sro_write wr = plain_write(8, 4);

        sro_write_group(w, &flt, &wr, 1, &(struct sro_done){ .nwrites = 1 });
    }
    assert_int_equal(sro_writer_close(w), 0);
    rewind(f);
    assert_int_equal(ingest_file(db, f, &r), SRO_INGEST_OK);

    /* Now allow only a little more than there is. */
    assert_int_equal(sro_db_set_max_size(db, (uint64_t)q_int(db,
                     "PRAGMA page_count") * 4096 + 16384, &e), 0);
    rewind(f);
    {
        struct sro_ingest_opts o = { .batch_rows = 100 };

        assert_int_equal(ingest_opts(db, f, &o, &r), SRO_INGEST_DB_ERROR);
    }
    assert_non_null(strstr(r.db_err.msg, path));
    assert_non_null(strstr(r.db_err.msg, "full"));
    assert_int_equal(r.run, 2);
    assert_string_equal(q_row(db, "SELECT status, groups_total FROM runs "
                              "WHERE id = 1"), "complete|3000");
    assert_int_equal(q_int(db, "SELECT count(*) FROM fault_groups WHERE "
                           "run = 1"), 3000);
    assert_string_equal(q_str(db, "SELECT status FROM runs WHERE id = 2"),
                        "interrupted");
    /* What run 2 committed matches its counters. */
    assert_int_equal(q_int(db, "SELECT count(*) FROM fault_groups WHERE "
                           "run = 2"),
                     q_int(db, "SELECT groups_total FROM runs WHERE id = 2"));
    assert_true(q_int(db, "SELECT count(*) FROM fault_groups WHERE "
                      "run = 2") < 3000);
    fclose(f);
    sro_db_close(db);
    remove_db(path);
}

/* ---- a sample trace with every kind of record, through the writer ---- */

/*
 * 4 CPUs in small interleaved windows (and an empty one): 6 configuration
 * records; 48 groups of six shapes (no INSN and no write; one write; two
 * pieces; a 16-byte write with SRO_DATA; a dropped write; one preceded by
 * a foreign record); a group with 7 lost records inside; a group cut by
 * the end. 213 records, 50 groups (2 incomplete), 7 lost, 8 unknown.
 * tests/cli/test-record.sh writes it with `test-ingest --write-trace FILE`
 * and checks those numbers through `srotrace record --json` and xenalyze.
 */
static int write_sample_trace(FILE *f)
{
    struct sro_writer *w = sro_writer_new(f, 4);
    uint32_t bits[4] = { 0xffffffffu, 0, 0, 0 };
    struct sro_done done = { .store_size = 4 };
    struct sro_fault flt;
    struct sro_write wr[2];
    uint32_t z[SRO_DONE_WORDS] = { 0, 1, 4 };

    if ( !w || sro_writer_set_window_max(w, 512) )
        return -1;
    sro_write_range_add(w, 0, 9000, 0xfe100020, 64, 0, 0x801);
    for ( unsigned int q = 0; q < 4; q++ )
        sro_write_range_state(w, 0, 9001 + q, 0xfe100, q, true, bits);
    sro_write_ro_pages(w, 0, 9005, 0xfe200, 0xfe200);
    sro_writer_flush_cpu(w, 0, false);
    sro_writer_flush_cpu(w, 0, true);               /* an empty window */
    for ( unsigned int i = 0; i < 48; i++ )
    {
        unsigned int n = 1;

        flt = plain_fault(i % 4, 10000 + 100 * i);
        flt.gpa = 0xfe100000 + 8 * (i % 32);
        wr[0] = plain_write(8 * (i % 32), 4);
        wr[1] = plain_write(8 * (i % 32) + 4, 4);
        switch ( i % 6 )
        {
        case 0:
            flt.has_insn = false;
            n = 0;
            break;
        case 2:
            n = 2;
            break;
        case 3:
            wr[0] = plain_write(8 * (i % 32), 16);
            wr[0].result = SRO_DROPPED_BAD_SIZE;
            break;
        case 4:
            wr[0].result = SRO_DROPPED_RO;
            break;
        case 5:
            sro_writer_rec(w, i % 4, 0x0001f00au, true, flt.tsc - 1, NULL, 0);
            break;
        }
        done.nwrites = n;
        if ( sro_write_group(w, &flt, wr, n, &done) )
            return -1;
        if ( i % 5 == 4 )
            sro_writer_flush_cpu(w, (i + 1) % 4, false);
    }
    flt = plain_fault(2, 20000);
    wr[0] = plain_write(8, 4);
    sro_write_group(w, &flt, wr, 1, NULL);
    sro_write_lost(w, 2, 20001, 7, 1, 0, 19000);
    sro_writer_rec(w, 2, SRO_DONE, false, 0, z, SRO_DONE_WORDS);
    flt = plain_fault(3, 30000);
    sro_write_group(w, &flt, NULL, 0, NULL);
    return sro_writer_close(w);
}

static void test_sample_trace(void **state)
{
    struct sro_ingest_result r;
    sqlite3 *db = mem_db();
    FILE *f = tmpfile();

    (void)state;
    assert_int_equal(write_sample_trace(f), 0);
    rewind(f);
    assert_int_equal(ingest_file(db, f, &r), SRO_INGEST_OK);
    assert_int_equal(r.totals.records, 213);
    assert_int_equal(r.totals.groups, 50);
    assert_int_equal(r.totals.incomplete_groups, 2);
    assert_int_equal(r.totals.lost_records, 7);
    assert_int_equal(r.totals.unknown_records, 8);
    assert_int_equal(r.totals.bytes_unused, 0);
    assert_int_equal(r.totals.orphan_writes + r.totals.stray_records +
                     r.totals.bad_records, 0);
    assert_int_equal(q_int(db, "SELECT count(*) FROM dev_writes"),
                     8 * 6 + 1);
    assert_int_equal(q_int(db, "SELECT count(*) FROM range_states"), 4);
    assert_string_equal(q_row(db, "SELECT group_concat(incomplete, ' ') "
                              "FROM fault_groups"), "lost eof");
    assert_int_equal(q_int(db, "SELECT count(DISTINCT cpu) FROM "
                           "fault_groups"), 4);
    fclose(f);
    sro_db_close(db);
}

int main(int argc, char **argv)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_records),
        cmocka_unit_test(test_group_columns),
        cmocka_unit_test(test_group_variants),
        cmocka_unit_test(test_incomplete_groups),
        cmocka_unit_test(test_orphans_and_strays),
        cmocka_unit_test(test_unknown_events),
        cmocka_unit_test(test_interleaved_windows),
        cmocka_unit_test(test_cut_inside_record),
        cmocka_unit_test(test_window_past_end),
        cmocka_unit_test(test_wrong_word_count),
        cmocka_unit_test(test_many_problems),
        cmocka_unit_test(test_garbage),
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_insn_dedupe),
        cmocka_unit_test(test_run_row_and_batches),
        cmocka_unit_test(test_stop),
        cmocka_unit_test(test_db_full),
        cmocka_unit_test(test_sample_trace),
    };

    if ( argc == 3 && strcmp(argv[1], "--write-trace") == 0 )
    {
        FILE *f = fopen(argv[2], "wb");

        if ( !f || write_sample_trace(f) || fclose(f) )
        {
            perror(argv[2]);
            return 1;
        }
        return 0;
    }
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * record-rate.c - how fast the recorder imports, against raw sqlite.
 *
 *   record-rate [GROUPS [DIR]]        (default 1000000 groups, /tmp)
 *   record-rate --trace-only GROUPS FILE
 *
 * Writes a trace of GROUPS fault groups with trace/writer.h (4 CPUs; each
 * group FAULT, INSN, one WRITE, DONE; a few distinct instructions, some
 * configuration and foreign records), imports it with sro_ingest() into a
 * new database file exactly as `srotrace record` does (WAL, batches, then
 * the indexes), and then inserts the same rows with no parsing at all:
 * one prepared statement per table, one transaction, no indexes. Prints
 * both rates and their ratio. --trace-only just writes the trace (for
 * measuring `srotrace record` itself, e.g. its peak RSS).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "db/db.h"
#include "recorder/ingest.h"
#include "trace/writer.h"

#define NCPUS 4

static double clock_s(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wall clock, and this process's CPU time (steadier on a busy machine). */
static double now_s(void) { return clock_s(CLOCK_MONOTONIC); }
static double cpu_s(void) { return clock_s(CLOCK_PROCESS_CPUTIME_ID); }

/* Group i of the synthetic workload (the same for trace and raw rows). */
static void make_group(uint64_t i, struct sro_fault *f, struct sro_write *w,
                       struct sro_done *d)
{
    static const uint8_t insns[4][3] = {
        { 0x89, 0x07 }, { 0x89, 0x47, 0x08 }, { 0x88, 0x07 }, { 0x66, 0x89 },
    };
    unsigned int off = (unsigned int)(i * 8) & 0xff8;

    memset(f, 0, sizeof(*f));
    f->cpu = (uint32_t)(i % NCPUS);
    f->tsc = 1000000 + i * 1000;
    f->domain = 1;
    f->vcpu = (uint16_t)(i % 3);
    f->path = SRO_PATH_HVM_421;
    f->code_size = SRO_CODE_64;
    f->gla = ~0ull;
    f->gpa = 0xfe100000 + off;
    f->mfn = 0xfe100;
    f->has_insn = true;
    f->insn_len = 3;
    memcpy(f->insn, insns[i % 4], 3);
    f->rip = 0xffffffff81000000ull + (i % 64) * 16;
    memset(w, 0, sizeof(*w));
    w->mfn = 0xfe100;
    w->offset = w->dev_offset = (uint16_t)off;
    w->len = 4;
    w->result = (off >= 0x20 && off < 0x60) ? SRO_DROPPED_RO : SRO_WRITTEN;
    w->data_len = 4;
    memcpy(w->data, &i, 4);
    memset(d, 0, sizeof(*d));
    d->nwrites = 1;
    d->store_size = 4;
}

static int write_trace(const char *path, uint64_t groups)
{
    FILE *f = fopen(path, "wb");
    struct sro_writer *w = f ? sro_writer_new(f, NCPUS) : NULL;
    uint32_t bits[4] = { 0xffff0000u, 0xffffu, 0, 0 };

    if ( !w )
    {
        perror(path);
        return -1;
    }
    sro_write_range_add(w, 0, 999000, 0xfe100020, 64, 0, 0x801);
    sro_write_range_state(w, 0, 999001, 0xfe100, 0, true, bits);
    sro_write_ro_pages(w, 0, 999002, 0xfe100, 0xfe10f);
    for ( uint64_t i = 0; i < groups; i++ )
    {
        struct sro_fault flt;
        struct sro_write wr;
        struct sro_done d;

        make_group(i, &flt, &wr, &d);
        if ( sro_write_group(w, &flt, &wr, 1, &d) )
            return -1;
        if ( i % 1000 == 999 )
            sro_writer_rec(w, flt.cpu, 0x0001f00au, true, flt.tsc + 1, NULL,
                           0);
    }
    if ( sro_writer_close(w) || fclose(f) )
        return -1;
    return 0;
}

static void remove_db(const char *path)
{
    char p[512];

    unlink(path);
    snprintf(p, sizeof(p), "%s-wal", path);
    unlink(p);
    snprintf(p, sizeof(p), "%s-shm", path);
    unlink(p);
}

/* The same rows, straight into sqlite. Returns rows inserted, or 0. */
static uint64_t raw_insert(sqlite3 *db, uint64_t groups)
{
    sqlite3_stmt *g, *w, *ins;
    int64_t insn_ids[4] = { 0 };
    uint64_t rows = 0;

    sqlite3_exec(db, "INSERT INTO runs (source, started_at, status) VALUES "
                 "('raw', 'x', 'complete')", NULL, NULL, NULL);
    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL);
    if ( sqlite3_prepare_v2(db, "INSERT INTO instructions (bytes, mode) "
                            "VALUES (?1, 64)", -1, &ins, NULL) ||
         sqlite3_prepare_v2(db, "INSERT INTO fault_groups (run, seq, "
                            "file_offset, cpu, tsc, domain, vcpu, path, "
                            "gla_valid, hwdom, code_size, gla, gpa, mfn, "
                            "page_offset, rip, insn, outcome, reason, "
                            "emul_rc, done_nwrites, store_size, nwrites, "
                            "complete, incomplete) VALUES (1, ?2, ?3, ?4, "
                            "?5, ?6, ?7, ?8, 0, 0, 3, NULL, ?13, ?14, ?15, "
                            "?16, ?17, 0, 0, 0, 1, 4, 1, 1, NULL)", -1, &g,
                            NULL) ||
         sqlite3_prepare_v2(db, "INSERT INTO dev_writes (run, grp, piece, "
                            "cpu, tsc, mfn, offset, length, result, "
                            "dev_offset, data) VALUES (1, ?2, 0, ?4, ?5, "
                            "?6, ?7, ?8, ?9, ?10, ?11)", -1, &w, NULL) )
    {
        fprintf(stderr, "prepare: %s\n", sqlite3_errmsg(db));
        return 0;
    }
    for ( uint64_t i = 0; i < groups; i++ )
    {
        struct sro_fault f;
        struct sro_write wr;
        struct sro_done d;
        int64_t grp;

        make_group(i, &f, &wr, &d);
        if ( !insn_ids[i % 4] )
        {
            sqlite3_bind_blob(ins, 1, f.insn, f.insn_len, SQLITE_STATIC);
            sqlite3_step(ins);
            sqlite3_reset(ins);
            insn_ids[i % 4] = sqlite3_last_insert_rowid(db);
            rows++;
        }
        sqlite3_bind_int64(g, 2, (int64_t)i * 4);
        sqlite3_bind_int64(g, 3, (int64_t)i * 104);
        sqlite3_bind_int64(g, 4, f.cpu);
        sro_db_bind_u64(g, 5, f.tsc);
        sqlite3_bind_int(g, 6, f.domain);
        sqlite3_bind_int(g, 7, f.vcpu);
        sqlite3_bind_int(g, 8, f.path);
        sro_db_bind_u64(g, 13, f.gpa);
        sro_db_bind_u64(g, 14, f.mfn);
        sqlite3_bind_int(g, 15, (int)(f.gpa & 0xfff));
        sro_db_bind_u64(g, 16, f.rip);
        sqlite3_bind_int64(g, 17, insn_ids[i % 4]);
        if ( sqlite3_step(g) != SQLITE_DONE )
            return 0;
        sqlite3_reset(g);
        grp = sqlite3_last_insert_rowid(db);
        sqlite3_bind_int64(w, 2, grp);
        sqlite3_bind_int64(w, 4, f.cpu);
        sro_db_bind_u64(w, 5, f.tsc);
        sro_db_bind_u64(w, 6, wr.mfn);
        sqlite3_bind_int(w, 7, wr.offset);
        sqlite3_bind_int(w, 8, wr.len);
        sqlite3_bind_int(w, 9, wr.result);
        sqlite3_bind_int(w, 10, wr.dev_offset);
        sqlite3_bind_blob(w, 11, wr.data, wr.data_len, SQLITE_STATIC);
        if ( sqlite3_step(w) != SQLITE_DONE )
            return 0;
        sqlite3_reset(w);
        rows += 2;
    }
    sqlite3_exec(db, "COMMIT", NULL, NULL, NULL);
    sqlite3_finalize(ins);
    sqlite3_finalize(g);
    sqlite3_finalize(w);
    return rows;
}

int main(int argc, char **argv)
{
    uint64_t groups = 1000000;
    const char *dir = "/tmp";
    char trace[400], dbpath[400], rawpath[400];
    struct sro_ingest_opts o = { .diag = stderr };
    struct sro_ingest_result *r = calloc(1, sizeof(*r));
    struct sro_db_err e;
    double t0, c0, t_ingest, t_index, t_raw, c_ingest, c_raw;
    uint64_t raw_rows;
    sqlite3 *db;
    FILE *in;

    if ( argc == 4 && strcmp(argv[1], "--trace-only") == 0 )
        return write_trace(argv[3], strtoull(argv[2], NULL, 0)) ? 1 : 0;
    if ( argc > 1 )
        groups = strtoull(argv[1], NULL, 0);
    if ( argc > 2 )
        dir = argv[2];
    snprintf(trace, sizeof(trace), "%s/record-rate.trace", dir);
    snprintf(dbpath, sizeof(dbpath), "%s/record-rate.db", dir);
    snprintf(rawpath, sizeof(rawpath), "%s/record-rate-raw.db", dir);

    if ( !r || write_trace(trace, groups) )
        return 1;
    remove_db(dbpath);
    remove_db(rawpath);

    db = sro_db_open(dbpath, SRO_DB_WRITE, &e);
    in = fopen(trace, "rb");
    if ( !db || !in )
    {
        fprintf(stderr, "%s\n", db ? trace : e.msg);
        return 1;
    }
    o.info.source = trace;
    t0 = now_s();
    c0 = cpu_s();
    if ( sro_ingest(db, in, &o, r) != SRO_INGEST_OK )
    {
        fprintf(stderr, "ingest failed: %s\n", r->db_err.msg);
        return 1;
    }
    t_ingest = now_s() - t0;
    c_ingest = cpu_s() - c0;
    t0 = now_s();
    sro_db_create_indexes(db, &e);
    t_index = now_s() - t0;
    sro_db_close(db);
    fclose(in);

    db = sro_db_open(rawpath, SRO_DB_WRITE, &e);
    if ( !db )
        return 1;
    t0 = now_s();
    c0 = cpu_s();
    raw_rows = raw_insert(db, groups);
    t_raw = now_s() - t0;
    c_raw = cpu_s() - c0;
    sro_db_close(db);
    if ( !raw_rows )
        return 1;

    printf("groups %" PRIu64 ", records %" PRIu64 "\n", r->totals.groups,
           r->totals.records);
    printf("ingest: %.2f s (%.2f s CPU): %.0f groups/s, %.0f records/s "
           "(+ %.2f s for the indexes)\n", t_ingest, c_ingest,
           r->totals.groups / t_ingest, r->totals.records / t_ingest,
           t_index);
    printf("raw sqlite, same rows (%" PRIu64 "), one transaction, no "
           "indexes: %.2f s (%.2f s CPU): %.0f groups/s\n", raw_rows, t_raw,
           c_raw, groups / t_raw);
    printf("ingest rate / raw rate: %.2f by wall clock, %.2f by CPU time\n",
           t_raw / t_ingest, c_raw / c_ingest);
    free(r);
    return 0;
}

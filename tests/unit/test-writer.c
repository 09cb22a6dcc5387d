/*
 * test-writer.c - trace/writer.c: the exact bytes it writes, its window
 * handling, its errors, and round trips writer -> reader -> assembler of
 * every event it can encode.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "helpers/trace-bytes.h"
#include "trace/writer.h"

/* Everything written to a temporary file, read back as words. */
struct out {
    FILE     *f;
    uint32_t  w[4096];
    size_t    n;                /* words */
};

static void out_read(struct out *o)
{
    uint8_t buf[4 * 4096];
    size_t len;

    rewind(o->f);
    len = fread(buf, 1, sizeof(buf), o->f);
    assert_int_equal(len % 4, 0);
    o->n = len / 4;
    for ( size_t i = 0; i < o->n; i++ )
        o->w[i] = buf[4 * i] | (buf[4 * i + 1] << 8) |
                  (buf[4 * i + 2] << 16) | ((uint32_t)buf[4 * i + 3] << 24);
}

static void test_group_bytes(void **state)
{
    static const uint32_t want[] = {
        0x2001f003u, 0, 184,
        /* FAULT */
        0xf0804010u, 2, 1, 0x00030004u, 0x00010212u, 0x1000, 0,
        0xfe100018u, 0, 0x000fe100u,
        /* INSN */
        0x70804011u, 3, 0x00184789u, 0, 0, 0, 0xffff0000u, 0,
        /* WRITE 4 bytes */
        0x60804012u, 0xfe100, 0, 0x00040018u, 0xaabbccddu, 0, 0x18,
        /* WRITE 40 bytes, DATA 28 + DATA 4 */
        0x60804012u, 0xfe100, 0, 0x04280020u, 0x03020100u, 0x07060504u,
        0x20,
        0x70804013u, 0x0b0a0908u, 0x0f0e0d0cu, 0x13121110u, 0x17161514u,
        0x1b1a1918u, 0x1f1e1d1cu, 0x23222120u,
        0x10804013u, 0x27262524u,
        /* DONE */
        0x30804014u, 0, 2, 4,
    };
    struct sro_fault f = {
        .cpu = 0, .tsc = 0x100000002ull, .domain = 3, .vcpu = 4,
        .path = SRO_PATH_HVM_420, .gla_valid = true, .code_size = SRO_CODE_32,
        .gla = 0x1000, .gpa = 0xfe100018, .mfn = 0x1000fe100ull,
        .has_insn = true, .insn_len = 3, .insn = { 0x89, 0x47, 0x18 },
        .rip = 0xffff0000u,
    };
    struct sro_write w[2] = {
        { .mfn = 0xfe100, .offset = 0x18, .dev_offset = 0x18, .len = 4,
          .result = SRO_WRITTEN, .data_len = 4,
          .data = { 0xdd, 0xcc, 0xbb, 0xaa } },
        { .mfn = 0xfe100, .offset = 0x20, .dev_offset = 0x20, .len = 40,
          .result = SRO_DROPPED_BAD_SIZE, .data_len = 40 },
    };
    struct sro_done d = { .nwrites = 2, .store_size = 4 };
    struct out o = { .f = tmpfile() };
    struct sro_writer *wr = sro_writer_new(o.f, 1);

    (void)state;
    for ( unsigned int k = 0; k < 40; k++ )
        w[1].data[k] = (uint8_t)k;
    assert_int_equal(sro_write_group(wr, &f, w, 2, &d), 0);
    assert_int_equal(sro_writer_pending(wr, 0), 184);
    assert_int_equal(sro_writer_close(wr), 0);
    out_read(&o);
    assert_int_equal(o.n, sizeof(want) / 4);
    for ( size_t i = 0; i < o.n; i++ )
        assert_int_equal(o.w[i], want[i]);
    fclose(o.f);
}

/* Bytes past data_len go out as zeros; no INSN without has_insn, no
 * DONE without done. */
static void test_group_partial(void **state)
{
    struct sro_fault f = { .cpu = 1, .tsc = 9, .mfn = 0xfe100 };
    struct sro_write w = { .mfn = 0xfe100, .len = 8, .data_len = 2,
                           .data = { 1, 2, 3, 4, 5, 6, 7, 8 } };
    struct out o = { .f = tmpfile() };
    struct sro_writer *wr = sro_writer_new(o.f, 2);

    (void)state;
    assert_int_equal(sro_write_group(wr, &f, &w, 1, NULL), 0);
    assert_int_equal(sro_writer_pending(wr, 0), 0);
    assert_int_equal(sro_writer_pending(wr, 1), 40 + 28);
    assert_int_equal(sro_writer_close(wr), 0);
    out_read(&o);
    assert_int_equal(o.n, 3 + 10 + 7);
    assert_int_equal(o.w[1], 1);
    assert_int_equal(o.w[13], 0x60804012u);
    assert_int_equal(o.w[17], 0x0201);
    assert_int_equal(o.w[18], 0);
    fclose(o.f);
}

/* Windows come out when and as the caller flushes them; empty ones only
 * when asked; close flushes the rest in CPU order. */
static void test_windows(void **state)
{
    struct out o = { .f = tmpfile() };
    struct sro_writer *wr = sro_writer_new(o.f, 3);
    uint32_t x[2] = { 0x11, 0x22 };

    (void)state;
    assert_int_equal(sro_writer_rec(wr, 1, 0x00100001, true, 5, x, 2), 0);
    assert_int_equal(sro_writer_rec(wr, 0, 0x00100002, false, 0, x, 1), 0);
    assert_int_equal(sro_writer_pending(wr, 1), 20);
    assert_int_equal(sro_writer_pending(wr, 0), 8);
    assert_int_equal(sro_writer_flush_cpu(wr, 1, false), 0);
    assert_int_equal(sro_writer_pending(wr, 1), 0);
    assert_int_equal(sro_writer_flush_cpu(wr, 2, false), 0);   /* nothing */
    assert_int_equal(sro_writer_flush_cpu(wr, 2, true), 0);    /* empty */
    assert_int_equal(sro_writer_bytes(wr), 12 + 20 + 12);
    assert_int_equal(sro_writer_close(wr), 0);
    out_read(&o);
    {
        static const uint32_t want[] = {
            0x2001f003u, 1, 20, 0xa0100001u, 5, 0, 0x11, 0x22,
            0x2001f003u, 2, 0,
            0x2001f003u, 0, 8, 0x10100002u, 0x11,
        };

        assert_int_equal(o.n, sizeof(want) / 4);
        for ( size_t i = 0; i < o.n; i++ )
            assert_int_equal(o.w[i], want[i]);
    }
    fclose(o.f);
}

/* A record that would overfill the window flushes it first. */
static void test_window_max(void **state)
{
    struct tb_run *r;
    FILE *f = tmpfile();
    struct sro_writer *wr = sro_writer_new(f, 1);
    uint32_t x[6] = { 0 };

    (void)state;
    assert_int_equal(sro_writer_set_window_max(wr, 39), -1);
    assert_int_equal(sro_writer_set_window_max(wr, 42), -1);
    assert_int_equal(sro_writer_set_window_max(wr, 64), 0);
    for ( unsigned int i = 0; i < 5; i++ )
    {
        x[0] = i;
        assert_int_equal(sro_writer_rec(wr, 0, 0x00100000, false, 0, x, 6),
                         0);
    }
    assert_int_equal(sro_writer_pending(wr, 0), 28);
    assert_int_equal(sro_writer_bytes(wr), 2 * (12 + 56));
    assert_int_equal(sro_writer_close(wr), 0);
    rewind(f);
    r = tb_collect_file(f, "w");
    assert_int_equal(r->windows, 3);
    assert_int_equal(r->nrecs, 5);
    for ( unsigned int i = 0; i < 5; i++ )
        assert_int_equal(r->recs[i].w[0], i);
    assert_int_equal(r->recs[4].offset, 3 * 12 + 4 * 28);
    tb_run_free(r);
    fclose(f);
}

static void test_errors(void **state)
{
    FILE *f = fopen("/dev/full", "w");
    struct sro_writer *wr;
    uint32_t x[8] = { 0 };

    (void)state;
    assert_null(sro_writer_new(stdout, 0));
    assert_non_null(f);
    wr = sro_writer_new(f, 2);
    assert_int_equal(sro_writer_rec(wr, 2, 0x00100000, false, 0, x, 1), -1);
    assert_int_equal(sro_writer_rec(wr, 0, 0x00100000, false, 0, x, 8), -1);
    assert_int_equal(sro_writer_rec(wr, 0, 0x10000000, false, 0, x, 1), -1);
    assert_int_equal(sro_writer_flush_cpu(wr, 2, true), -1);
    assert_int_equal(sro_writer_pending(wr, 2), 0);
    assert_int_equal(sro_writer_rec(wr, 0, 0x00100000, false, 0, x, 1), 0);
    /* /dev/full: the data cannot be written, and close says so. */
    assert_int_equal(sro_writer_close(wr), -1);
    fclose(f);
}

/* Configuration and lost-record encoders, read back. */
static void test_config_round_trip(void **state)
{
    static const uint32_t bits[4] = { 0xf0, 0x1, 0x80000000u, 0x12345678 };
    FILE *f = tmpfile();
    struct sro_writer *wr = sro_writer_new(f, 4);
    struct tb_run *r;

    (void)state;
    assert_int_equal(sro_write_range_add(wr, 3, 100, 0x1fe100020ull, 64, -22,
                                         SRO_ADD_FIRST_SUBPAGE | (8 << 8)), 0);
    assert_int_equal(sro_write_ro_pages(wr, 3, 101, 0x1000fe100ull,
                                        0x1000fe1ffull), 0);
    assert_int_equal(sro_write_range_state(wr, 2, 102, 0xabcdef12345ull, 3,
                                           true, bits), 0);
    assert_int_equal(sro_write_lost(wr, 2, 103, 77, 5, 6, 99), 0);
    assert_int_equal(sro_writer_close(wr), 0);
    rewind(f);
    r = tb_collect_file(f, "w");

    assert_int_equal(r->nconfigs, 3);
    /* close flushes in CPU order: cpu 2 first. */
    assert_int_equal(r->configs[0].event, SRO_RANGE_STATE);
    assert_int_equal(r->configs[0].cpu, 2);
    assert_int_equal(r->configs[0].tsc, 102);
    assert_int_equal(r->configs[0].w[0], 0xdef12345u);
    assert_int_equal(r->configs[0].w[1], 0xabc);
    assert_int_equal(r->configs[0].w[2], 3 | SRO_STATE_MAPPED);
    assert_memory_equal(&r->configs[0].w[3], bits, sizeof(bits));
    assert_int_equal(r->configs[1].event, SRO_RANGE_ADD);
    assert_true(r->configs[1].has_tsc);
    assert_int_equal(r->configs[1].w[0], 0xfe100020u);
    assert_int_equal(r->configs[1].w[1], 1);
    assert_int_equal(r->configs[1].w[2], 64);
    assert_int_equal((int32_t)r->configs[1].w[3], -22);
    assert_int_equal(SRO_ADD_GRAN(r->configs[1].w[4]), 8);
    assert_int_equal(r->configs[2].event, SRO_RO_PAGES);
    assert_int_equal(r->configs[2].w[0], 0xfe100);
    assert_int_equal(r->configs[2].w[1], 1);
    assert_int_equal(r->configs[2].w[2], 0xfe1ff);
    assert_int_equal(r->configs[2].w[3], 1);
    assert_int_equal(r->nlosts, 1);
    assert_int_equal(r->losts[0].tsc, 103);
    assert_int_equal(r->losts[0].w[0], 77);
    assert_int_equal(r->losts[0].w[1], 5 | (6 << 16));
    assert_int_equal(r->losts[0].w[2], 99);
    assert_int_equal(r->stats.lost_records, 77);
    tb_run_free(r);
    fclose(f);
}

/* ---- Random round trip ---- */

#define RT_GROUPS 3000
#define RT_CPUS   5

struct rt_group {
    struct sro_fault f;
    struct sro_write w[6];
    unsigned int     nw;
    bool             has_done;
    struct sro_done  d;
    uint8_t          want_incomplete;
    bool             seen;
};

struct rt {
    struct rt_group g[RT_GROUPS];
    unsigned int    ngroups_seen;
};

static uint64_t rng_state = 0x9e3779b97f4a7c15ull;

static uint64_t rnd(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static void random_group(struct rt_group *g, unsigned int i)
{
    memset(g, 0, sizeof(*g));
    g->f.cpu = rnd() % RT_CPUS;
    g->f.tsc = 1000 + i;
    g->f.domain = (uint16_t)rnd();
    g->f.vcpu = (uint16_t)rnd();
    g->f.path = rnd() % 4;
    g->f.gla_valid = rnd() & 1;
    g->f.hwdom = rnd() & 1;
    g->f.code_size = rnd() % 4;
    g->f.gla = rnd();
    g->f.gpa = rnd();
    g->f.mfn = rnd() & 0xffffffffffffull;
    g->f.has_insn = rnd() % 4 != 0;
    if ( g->f.has_insn )
    {
        g->f.insn_len = rnd() % 16;
        for ( unsigned int k = 0; k < g->f.insn_len; k++ )
            g->f.insn[k] = (uint8_t)rnd();
        g->f.rip = rnd();
    }
    g->nw = rnd() % 7;
    for ( unsigned int j = 0; j < g->nw; j++ )
    {
        struct sro_write *w = &g->w[j];
        static const uint8_t lens[] = { 1, 2, 4, 8, 16, 32, 64, 3, 12, 100 };

        w->mfn = rnd();
        w->offset = rnd() & 0xfff;
        w->dev_offset = rnd() & 0xfff;
        w->len = lens[rnd() % 10];
        w->result = rnd() % SRO_RESULT_COUNT;
        w->data_len = w->len < SRO_WRITE_DATA_MAX ? w->len : SRO_WRITE_DATA_MAX;
        for ( unsigned int k = 0; k < w->data_len; k++ )
            w->data[k] = (uint8_t)rnd();
    }
    g->has_done = rnd() % 10 != 0;
    g->d.outcome = rnd() % SRO_OUTCOME_COUNT;
    g->d.reason = rnd() % SRO_REASON_COUNT;
    g->d.emul_rc = rnd() % 7;
    g->d.nwrites = rnd() % 20 ? g->nw : g->nw + 1;
    g->d.store_size = rnd() % 65;
}

static int rt_on_group(void *ctx, const struct sro_group *got)
{
    struct rt *rt = ctx;
    struct rt_group *g;

    assert_true(got->fault.tsc >= 1000 && got->fault.tsc < 1000 + RT_GROUPS);
    g = &rt->g[got->fault.tsc - 1000];
    assert_false(g->seen);
    g->seen = true;
    rt->ngroups_seen++;

    assert_memory_equal(&got->fault, &g->f, sizeof(g->f));
    assert_int_equal(got->nwrites, g->nw);
    for ( unsigned int j = 0; j < g->nw; j++ )
        assert_memory_equal(&got->writes[j], &g->w[j], sizeof(g->w[j]));
    assert_int_equal(got->has_done, g->has_done);
    if ( g->has_done )
        assert_memory_equal(&got->done, &g->d, sizeof(g->d));
    assert_int_equal(got->incomplete, g->want_incomplete);
    return 0;
}

/* Random groups on random CPUs, random flushes, a small window limit so
 * groups split across windows: every field comes back as written. */
static void test_random_round_trip(void **state)
{
    static struct rt rt;
    const struct sro_assemble_ops ops = { .group = rt_on_group };
    FILE *f = tmpfile();
    struct sro_writer *wr = sro_writer_new(f, RT_CPUS);
    struct sro_assembler *a;
    struct sro_reader *rd;
    struct sro_rec rec;
    int open[RT_CPUS];
    int rc;

    (void)state;
    memset(&rt, 0, sizeof(rt));
    for ( unsigned int c = 0; c < RT_CPUS; c++ )
        open[c] = -1;
    assert_int_equal(sro_writer_set_window_max(wr, 1024), 0);
    for ( unsigned int i = 0; i < RT_GROUPS; i++ )
    {
        struct rt_group *g = &rt.g[i];

        random_group(g, i);
        /* A group left without DONE ends at the next FAULT of its CPU. */
        if ( open[g->f.cpu] >= 0 )
            rt.g[open[g->f.cpu]].want_incomplete = SRO_INC_NEW_FAULT;
        open[g->f.cpu] = g->has_done ? -1 : (int)i;
        if ( g->has_done && g->d.nwrites != g->nw )
            g->want_incomplete = SRO_INC_COUNT_MISMATCH;
        assert_int_equal(sro_write_group(wr, &g->f, g->w, g->nw,
                                         g->has_done ? &g->d : NULL), 0);
        if ( rnd() % 3 == 0 )
            assert_int_equal(sro_writer_flush_cpu(wr, rnd() % RT_CPUS,
                                                  rnd() % 8 == 0), 0);
    }
    for ( unsigned int c = 0; c < RT_CPUS; c++ )
        if ( open[c] >= 0 )
            rt.g[open[c]].want_incomplete = SRO_INC_EOF;
    assert_int_equal(sro_writer_close(wr), 0);

    rewind(f);
    rd = sro_reader_new(f, "rt");
    a = sro_assembler_new(&ops, &rt);
    while ( (rc = sro_reader_next(rd, &rec)) == 1 )
        assert_int_equal(sro_assembler_feed(a, &rec), 0);
    assert_int_equal(rc, 0);
    assert_null(sro_reader_error(rd));
    assert_int_equal(sro_assembler_finish(a), 0);
    assert_int_equal(rt.ngroups_seen, RT_GROUPS);
    assert_int_equal(sro_assembler_stats(a)->groups, RT_GROUPS);
    assert_int_equal(sro_assembler_stats(a)->bad_records, 0);
    assert_int_equal(sro_assembler_stats(a)->stray_records, 0);
    assert_int_equal(sro_reader_tsc_resets(rd), 0);
    assert_true(sro_reader_windows(rd) > RT_GROUPS / 10);
    sro_assembler_free(a);
    sro_reader_free(rd);
    fclose(f);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_group_bytes),
        cmocka_unit_test(test_group_partial),
        cmocka_unit_test(test_windows),
        cmocka_unit_test(test_window_max),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_config_round_trip),
        cmocka_unit_test(test_random_round_trip),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test-reader.c - trace/reader.c on hand-made byte sequences.
 *
 * Each test builds its input word by word (helpers/trace-bytes.h) and
 * checks the exact records, offsets, TSCs, counters and messages the
 * reader gives: record shapes, windows of many CPUs, TSC inheritance and
 * resets, wrap padding, the cut-off cases, each kind of bad input and the
 * resynchronisation after it, pipes, reads spanning many buffer refills.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "helpers/trace-bytes.h"
#include "trace/writer.h"
#include "util/sha256.h"

#define EMPTY_SHA \
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"

static void test_empty_input(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    r = tb_collect(&b);
    assert_int_equal(r->nrecs, 0);
    assert_int_equal(r->nerrors, 0);
    assert_string_equal(r->final_error, "");
    assert_int_equal(r->bytes_read, 0);
    assert_int_equal(r->bytes_unused, 0);
    assert_int_equal(r->windows, 0);
    assert_int_equal(r->stats.records, 0);
    assert_string_equal(r->sha, EMPTY_SHA);
    tb_run_free(r);
    tb_free(&b);
}

/* Every shape of record: with and without TSC, 0 and 7 words. */
static void test_record_shapes(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 7);
    tb_rec(&b, 0x00123456, true, 0x1122334455667788ull, 0);
    tb_rec(&b, 0x0fffffff, false, 0, 7, 1, 2, 3, 4, 5, 6, 0xfffffff7u);
    tb_rec(&b, 0x00000001, true, 0x10, 3, 0xa, 0xb, 0xc);
    tb_rec(&b, 0x00000002, false, 0, 0);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 0);
    assert_string_equal(r->final_error, "");
    assert_int_equal(r->nrecs, 4);
    assert_int_equal(r->windows, 1);
    assert_int_equal(r->bytes_read, 84);
    assert_int_equal(b.len, 84);

    assert_int_equal(r->recs[0].event, 0x00123456);
    assert_int_equal(r->recs[0].nwords, 0);
    assert_true(r->recs[0].has_tsc);
    assert_int_equal(r->recs[0].tsc, 0x1122334455667788ull);
    assert_int_equal(r->recs[0].cpu, 7);
    assert_int_equal(r->recs[0].offset, 12);

    assert_int_equal(r->recs[1].event, 0x0fffffff);
    assert_int_equal(r->recs[1].nwords, 7);
    assert_false(r->recs[1].has_tsc);
    assert_int_equal(r->recs[1].tsc, 0x1122334455667788ull);
    assert_int_equal(r->recs[1].offset, 24);
    for ( unsigned int i = 0; i < 6; i++ )
        assert_int_equal(r->recs[1].w[i], i + 1);
    assert_int_equal(r->recs[1].w[6], 0xfffffff7u);

    assert_int_equal(r->recs[2].event, 1);
    assert_int_equal(r->recs[2].nwords, 3);
    assert_int_equal(r->recs[2].tsc, 0x10);
    assert_int_equal(r->recs[2].offset, 56);
    assert_int_equal(r->recs[2].w[0], 0xa);
    assert_int_equal(r->recs[2].w[2], 0xc);

    assert_int_equal(r->recs[3].event, 2);
    assert_int_equal(r->recs[3].tsc, 0x10);
    assert_int_equal(r->recs[3].offset, 80);
    /* Events 0x00123456 etc. are nobody's: counted as unknown. */
    assert_int_equal(r->stats.unknown_records, 4);
    tb_run_free(r);
    tb_free(&b);
}

/* Windows of several CPUs interleave, some empty; each CPU's records
 * without TSC take the TSC of that CPU's previous record, whatever other
 * CPUs' windows stand between (0 before the CPU's first TSC). */
static void test_interleaved_cpus(void **state)
{
    static const struct { uint32_t cpu; uint64_t tsc; uint64_t off; } want[] = {
        { 0, 100, 12 }, { 0, 100, 24 },
        { 4095, 0, 40 }, { 4095, 5, 44 },
        { 0, 100, 68 },
        { 16383, 7, 84 },
        { 4095, 5, 120 },
    };
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_rec(&b, 1, true, 100, 0);
    tb_rec(&b, 2, false, 0, 0);
    tb_end(&b);
    tb_win(&b, 4095);
    tb_rec(&b, 3, false, 0, 0);
    tb_rec(&b, 4, true, 5, 0);
    tb_end(&b);
    tb_win(&b, 0);
    tb_rec(&b, 5, false, 0, 0);
    tb_end(&b);
    tb_win(&b, 16383);
    tb_rec(&b, 6, true, 7, 0);
    tb_end(&b);
    tb_win(&b, 3);                              /* empty */
    tb_end(&b);
    tb_win(&b, 4095);
    tb_rec(&b, 7, false, 0, 0);
    tb_end(&b);
    tb_win(&b, 9);                              /* empty, at the end */
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 0);
    assert_string_equal(r->final_error, "");
    assert_int_equal(r->windows, 7);
    assert_int_equal(r->nrecs, 7);
    for ( unsigned int i = 0; i < 7; i++ )
    {
        assert_int_equal(r->recs[i].event, i + 1);
        assert_int_equal(r->recs[i].cpu, want[i].cpu);
        assert_int_equal(r->recs[i].tsc, want[i].tsc);
        assert_int_equal(r->recs[i].offset, want[i].off);
    }
    assert_int_equal(r->tsc_resets, 0);
    assert_int_equal(r->bytes_read, b.len);
    tb_run_free(r);
    tb_free(&b);
}

/* TRC_TRACE_WRAP_BUFFER records are self-sized padding in the middle of a
 * window: skipped one by one, their TSC not used, the window goes on. */
static void test_wrap_buffer_skipped(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 1);
    tb_rec(&b, 0x00111111, true, 10, 1, 0x55);                  /* 16 */
    tb_rec(&b, TRC_TRACE_WRAP_BUFFER, true, 999, 6,
           0xdead, 0xbeef, 0x2001f003u, 0, 0, 0);                /* 36 */
    tb_rec(&b, TRC_TRACE_WRAP_BUFFER, false, 0, 0);             /* 4 */
    tb_rec(&b, 0x00222222, false, 0, 2, 0x66, 0x77);            /* 12 */
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 0);
    assert_int_equal(r->nrecs, 2);
    assert_int_equal(r->recs[0].event, 0x00111111);
    assert_int_equal(r->recs[1].event, 0x00222222);
    assert_int_equal(r->recs[1].offset, 12 + 16 + 36 + 4);
    assert_int_equal(r->recs[1].tsc, 10);
    assert_int_equal(r->recs[1].w[1], 0x77);
    assert_int_equal(r->stats.records, 2);
    assert_int_equal(r->stats.unknown_records, 2);
    tb_run_free(r);
    tb_free(&b);
}

/* A TSC lower than its CPU's last is a reset: counted, and later records
 * without TSC inherit the new value. Another CPU's lower TSC is not. */
static void test_tsc_reset(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 2);
    tb_rec(&b, 1, true, 100, 0);
    tb_rec(&b, 1, true, 200, 0);
    tb_end(&b);
    tb_win(&b, 3);
    tb_rec(&b, 1, true, 10, 0);
    tb_end(&b);
    tb_win(&b, 2);
    tb_rec(&b, 1, true, 50, 0);
    tb_rec(&b, 1, false, 0, 0);
    tb_rec(&b, 1, true, 50, 0);                 /* equal: no reset */
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 0);
    assert_int_equal(r->nrecs, 6);
    assert_int_equal(r->tsc_resets, 1);
    assert_int_equal(r->recs[4].tsc, 50);
    tb_run_free(r);
    tb_free(&b);
}

/* The input ends 8 bytes into a 28-byte record: the record before is
 * kept, the 8 bytes are unused, and it is not an error (no -1). */
static void test_cut_inside_record(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win_n(&b, 3, 40);
    tb_rec(&b, 0x00333333, true, 1, 0);
    tb_u32(&b, SRO_TREC_HDR(SRO_WRITE, 6, 0));
    tb_u32(&b, 0x1234);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 0);
    assert_int_equal(r->reader_errors, 0);
    assert_int_equal(r->nrecs, 1);
    assert_int_equal(r->recs[0].offset, 12);
    assert_int_equal(r->bytes_unused, 8);
    assert_int_equal(r->bytes_read, 32);
    assert_string_equal(r->final_error, "t.trace: capture cut off inside a "
                        "record at offset 24; 8 bytes unused");
    tb_run_free(r);
    tb_free(&b);
}

/* The input ends between records, before the window's announced end. */
static void test_cut_inside_window(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win_n(&b, 3, 40);
    tb_rec(&b, 0x00333333, true, 1, 0);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 0);
    assert_int_equal(r->nrecs, 1);
    assert_int_equal(r->bytes_unused, 0);
    assert_string_equal(r->final_error, "t.trace: capture cut off inside the "
                        "window of cpu 3 at offset 24 (28 of its bytes "
                        "missing); 0 bytes unused");
    tb_run_free(r);
    tb_free(&b);
}

/* A window counting nearly 4 GiB in a small file: the same cut-off. */
static void test_window_past_end_of_file(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win_n(&b, 0, 0xfffffffcu);
    tb_rec(&b, 0x00444444, true, 1, 0);
    tb_rec(&b, 0x00444444, true, 2, 0);
    tb_u32(&b, SRO_TREC_HDR(0x00444444, 1, 0));
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 0);
    assert_int_equal(r->nrecs, 2);
    assert_int_equal(r->bytes_unused, 4);
    assert_string_equal(r->final_error, "t.trace: capture cut off inside a "
                        "record at offset 36; 4 bytes unused");
    tb_run_free(r);
    tb_free(&b);

    tb_init(&b);
    tb_win_n(&b, 0, 0xfffffffcu);
    tb_rec(&b, 0x00444444, true, 1, 0);
    r = tb_collect(&b);
    assert_int_equal(r->nrecs, 1);
    assert_int_equal(r->bytes_unused, 0);
    assert_string_equal(r->final_error, "t.trace: capture cut off inside the "
                        "window of cpu 0 at offset 24 (4294967280 of its "
                        "bytes missing); 0 bytes unused");
    tb_run_free(r);
    tb_free(&b);
}

/* The input ends inside a window header. */
static void test_cut_inside_window_header(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_rec(&b, 0x00444444, true, 1, 0);
    tb_end(&b);
    tb_u32(&b, 0x2001f003u);
    tb_u32(&b, 1);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 0);
    assert_int_equal(r->nrecs, 1);
    assert_int_equal(r->windows, 1);
    assert_int_equal(r->bytes_unused, 8);
    assert_string_equal(r->final_error, "t.trace: capture cut off inside a "
                        "record at offset 24; 8 bytes unused");
    tb_run_free(r);
    tb_free(&b);
}

/* Garbage where the first window header should be, then a valid window:
 * one error naming the offset, the window's records all read. */
static void test_garbage_then_window(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_u32(&b, 0xdeadbeefu);
    tb_u32(&b, 0x12345678u);
    tb_win(&b, 1);
    tb_rec(&b, 0x00555555, true, 5, 1, 42);
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 1);
    assert_int_equal(r->reader_errors, 1);
    assert_string_equal(r->errors[0], "t.trace: offset 0: expected a window "
                        "header (TRC_TRACE_CPU_CHANGE, 0x2001f003), found "
                        "0xdeadbeef; skipped 8 bytes to the next window "
                        "header at offset 8");
    assert_string_equal(r->final_error, r->errors[0]);
    assert_int_equal(r->nrecs, 1);
    assert_int_equal(r->recs[0].offset, 20);
    assert_int_equal(r->recs[0].cpu, 1);
    assert_int_equal(r->recs[0].w[0], 42);
    assert_int_equal(r->bytes_skipped, 8);
    assert_int_equal(r->bytes_unused, 0);
    assert_int_equal(r->windows, 1);
    tb_run_free(r);
    tb_free(&b);
}

/* Window headers naming an impossible CPU or an odd byte count are
 * garbage, and the scan passes over implausible headers too. */
static void test_implausible_window_headers(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win_n(&b, 0x10000000u, 4);           /* offset 0 */
    tb_win_n(&b, 1, 6);                     /* offset 12: count not words */
    tb_win(&b, 2);                          /* offset 24 */
    tb_rec(&b, 0x00666666, false, 0, 0);
    tb_end(&b);
    tb_win_n(&b, 16384, 0);                 /* offset 40 */
    tb_win_n(&b, 16383, 0);                 /* offset 52: the last CPU */
    tb_win_n(&b, 5, 2);                     /* offset 64 */
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 3);
    assert_string_equal(r->errors[0], "t.trace: offset 0: window header "
                        "names cpu 268435456 (at most 16384 CPUs exist); "
                        "skipped 24 bytes to the next window header at "
                        "offset 24");
    assert_string_equal(r->errors[1], "t.trace: offset 40: window header "
                        "names cpu 16384 (at most 16384 CPUs exist); "
                        "skipped 12 bytes to the next window header at "
                        "offset 52");
    assert_string_equal(r->errors[2], "t.trace: offset 64: window header "
                        "counts 2 bytes, not a whole number of 4-byte words; "
                        "no window header follows (12 bytes skipped to the "
                        "end)");
    assert_int_equal(r->nrecs, 1);
    assert_int_equal(r->recs[0].offset, 36);
    assert_int_equal(r->windows, 2);
    assert_int_equal(r->bytes_skipped, 24 + 12 + 12);
    tb_run_free(r);
    tb_free(&b);
}

/* A record longer than what is left of its window: the records before
 * it are kept, the reader resumes at the next window header. */
static void test_record_past_window_end(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win_n(&b, 2, 16);
    tb_rec(&b, 0x00777777, true, 3, 0);                 /* offset 12 */
    tb_u32(&b, SRO_TREC_HDR(SRO_WRITE, 6, 0));          /* offset 24 */
    tb_win(&b, 2);                                      /* offset 28 */
    tb_rec(&b, 0x00888888, false, 0, 0);                /* offset 40 */
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 1);
    assert_string_equal(r->errors[0], "t.trace: offset 24: record of 28 "
                        "bytes (header 0x60804012) runs past the end of its "
                        "window (4 bytes left); skipped 4 bytes to the next "
                        "window header at offset 28");
    assert_int_equal(r->nrecs, 2);
    assert_int_equal(r->recs[0].offset, 12);
    assert_int_equal(r->recs[1].offset, 40);
    assert_int_equal(r->recs[1].tsc, 3);
    assert_int_equal(r->bytes_skipped, 4);
    tb_run_free(r);
    tb_free(&b);
}

/* A window whose count is too large swallows the next window header:
 * the reader notices the header where a record was due and starts the
 * new window there, losing nothing. */
static void test_window_header_inside_window(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win_n(&b, 0, 100);
    tb_rec(&b, 0x00999999, true, 1, 0);                 /* offset 12 */
    tb_win(&b, 1);                                      /* offset 24 */
    tb_rec(&b, 0x00aaaaaa, true, 2, 0);                 /* offset 36 */
    tb_end(&b);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 1);
    assert_string_equal(r->errors[0], "t.trace: offset 24: window header "
                        "inside the window of cpu 0, 88 bytes before its "
                        "announced end; starting the new window there");
    assert_int_equal(r->nrecs, 2);
    assert_int_equal(r->recs[1].cpu, 1);
    assert_int_equal(r->recs[1].offset, 36);
    assert_int_equal(r->bytes_skipped, 0);
    assert_int_equal(r->windows, 2);
    tb_run_free(r);
    tb_free(&b);
}

/* Garbage after the last window with no header in it. */
static void test_garbage_to_the_end(void **state)
{
    struct tb b;
    struct tb_run *r;

    (void)state;
    tb_init(&b);
    tb_win(&b, 0);
    tb_rec(&b, 0x00bbbbbb, true, 1, 0);
    tb_end(&b);
    for ( unsigned int i = 0; i < 5; i++ )
        tb_u32(&b, 0xffffffffu);
    r = tb_collect(&b);

    assert_int_equal(r->nerrors, 1);
    assert_string_equal(r->errors[0], "t.trace: offset 24: expected a window "
                        "header (TRC_TRACE_CPU_CHANGE, 0x2001f003), found "
                        "0xffffffff; no window header follows (20 bytes "
                        "skipped to the end)");
    assert_int_equal(r->nrecs, 1);
    assert_int_equal(r->bytes_skipped, 20);
    assert_int_equal(r->bytes_unused, 0);
    assert_int_equal(r->bytes_read, 44);
    tb_run_free(r);
    tb_free(&b);
}

/* A stream that cannot be read gives one error, then the end. */
static void test_read_error(void **state)
{
    FILE *f = fopen("/dev/null", "w");
    struct sro_reader *rd;
    struct sro_rec rec;

    (void)state;
    assert_non_null(f);
    rd = sro_reader_new(f, "w-only");
    assert_int_equal(sro_reader_next(rd, &rec), -1);
    assert_non_null(strstr(sro_reader_error(rd),
                           "w-only: offset 0: read error: "));
    assert_int_equal(sro_reader_next(rd, &rec), 0);
    assert_int_equal(sro_reader_errors(rd), 1);
    sro_reader_free(rd);
    fclose(f);
}

/* What build_many() put in record i. */
struct many_rec {
    uint64_t offset;
    uint64_t tsc;
    uint32_t cpu;
};

/* A multi-window input of n records of every size, record i carrying
 * words i, i+1, ...; every third record and the first of each window
 * carry a TSC (i); each window is of CPU (window number mod 5). */
static void build_many(struct tb *b, unsigned int n, struct many_rec *want)
{
    unsigned int i = 0;

    for ( unsigned int win = 0; i < n; win++ )
    {
        uint64_t tsc = 0;

        tb_win(b, win % 5);
        for ( unsigned int k = 0; k < 997 && i < n; k++, i++ )
        {
            unsigned int nw = i % 8;
            bool has_tsc = i % 3 == 0 || k == 0;

            want[i].offset = b->len;
            want[i].cpu = win % 5;
            tb_u32(b, SRO_TREC_HDR(0x00300000 + nw, nw, has_tsc));
            if ( has_tsc )
            {
                tb_u32(b, i);
                tb_u32(b, 0);
                tsc = i;
            }
            want[i].tsc = tsc;
            for ( unsigned int j = 0; j < nw; j++ )
                tb_u32(b, i + j);
        }
        tb_end(b);
    }
}

/* Check a run over build_many(n) input. */
static void check_many(const struct tb *b, struct sro_reader *rd,
                       unsigned int n, const struct many_rec *want)
{
    struct sro_rec rec;
    unsigned int i = 0;
    int rc;
    char hex[65], got[65];
    struct sha256_ctx c;
    uint8_t md[SHA256_DIGEST_LEN];

    while ( (rc = sro_reader_next(rd, &rec)) == 1 )
    {
        assert_true(i < n);
        assert_int_equal(rec.offset, want[i].offset);
        assert_int_equal(rec.nwords, i % 8);
        assert_int_equal(rec.cpu, want[i].cpu);
        assert_int_equal(rec.tsc, want[i].tsc);
        for ( unsigned int j = 0; j < rec.nwords; j++ )
            assert_int_equal(rec.w[j], i + j);
        i++;
    }
    assert_int_equal(rc, 0);
    assert_int_equal(i, n);
    assert_null(sro_reader_error(rd));
    assert_int_equal(sro_reader_tsc_resets(rd), 0);
    assert_int_equal(sro_reader_bytes_read(rd), b->len);
    sha256_init(&c);
    sha256_update(&c, b->p, b->len);
    sha256_final(&c, md);
    sha256_to_hex(md, hex);
    sro_reader_sha256(rd, got);
    assert_string_equal(got, hex);
}

/* Several MiB: records straddle every buffer refill boundary. */
static void test_many_refills(void **state)
{
    const unsigned int n = 200000;
    struct many_rec *want = malloc(n * sizeof(*want));
    struct tb b;
    FILE *f;
    struct sro_reader *rd;

    (void)state;
    assert_non_null(want);
    tb_init(&b);
    build_many(&b, n, want);
    assert_true(b.len > 3u << 20);
    f = tb_open(&b);
    rd = sro_reader_new(f, "many");
    check_many(&b, rd, n, want);
    assert_int_equal(sro_reader_windows(rd), (n + 996) / 997);
    sro_reader_free(rd);
    fclose(f);
    tb_free(&b);
    free(want);
}

/* A pipe fed in 7-byte pieces reads the same as the file. */
static void test_pipe(void **state)
{
    const unsigned int n = 5000;
    struct many_rec *want = malloc(n * sizeof(*want));
    struct tb b;
    int fds[2];
    pid_t pid;
    FILE *f;
    struct sro_reader *rd;
    int status;

    (void)state;
    assert_non_null(want);
    tb_init(&b);
    build_many(&b, n, want);
    assert_int_equal(pipe(fds), 0);
    pid = fork();
    assert_true(pid >= 0);
    if ( pid == 0 )
    {
        close(fds[0]);
        for ( size_t i = 0; i < b.len; i += 7 )
        {
            size_t k = b.len - i < 7 ? b.len - i : 7;

            if ( write(fds[1], b.p + i, k) != (ssize_t)k )
                _exit(1);
        }
        _exit(0);
    }
    close(fds[1]);
    f = fdopen(fds[0], "rb");
    assert_non_null(f);
    rd = sro_reader_new(f, "-");
    check_many(&b, rd, n, want);
    sro_reader_free(rd);
    fclose(f);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tb_free(&b);
    free(want);
}

/* On a pipe a record comes out as soon as its bytes have arrived, while
 * the writer is still running (no waiting for a whole block). */
static void test_pipe_delivers_early(void **state)
{
    int data[2], go[2];
    pid_t pid;
    FILE *f;
    struct sro_reader *rd;
    struct sro_rec rec;
    struct tb b1, b2;
    char c = 'g';
    int status;

    (void)state;
    tb_init(&b1);
    tb_win(&b1, 4);
    tb_rec(&b1, 0x00cccccc, true, 1, 1, 11);
    tb_end(&b1);
    tb_init(&b2);
    tb_win(&b2, 4);
    tb_rec(&b2, 0x00dddddd, false, 0, 1, 22);
    tb_end(&b2);
    assert_int_equal(pipe(data), 0);
    assert_int_equal(pipe(go), 0);
    pid = fork();
    assert_true(pid >= 0);
    if ( pid == 0 )
    {
        close(data[0]);
        close(go[1]);
        alarm(20);
        if ( write(data[1], b1.p, b1.len) != (ssize_t)b1.len ||
             read(go[0], &c, 1) != 1 ||
             write(data[1], b2.p, b2.len) != (ssize_t)b2.len )
            _exit(1);
        _exit(0);
    }
    close(data[1]);
    close(go[0]);
    alarm(20);                  /* a reader waiting for more would hang */
    f = fdopen(data[0], "rb");
    rd = sro_reader_new(f, "-");
    assert_int_equal(sro_reader_next(rd, &rec), 1);
    assert_int_equal(rec.w[0], 11);
    assert_int_equal(write(go[1], &c, 1), 1);
    assert_int_equal(sro_reader_next(rd, &rec), 1);
    assert_int_equal(rec.w[0], 22);
    assert_int_equal(rec.tsc, 1);
    assert_int_equal(sro_reader_next(rd, &rec), 0);
    assert_null(sro_reader_error(rd));
    assert_int_equal(sro_reader_bytes_read(rd), b1.len + b2.len);
    alarm(0);
    sro_reader_free(rd);
    fclose(f);
    close(go[1]);
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    tb_free(&b1);
    tb_free(&b2);
}

/* Run the reader and the assembler over len bytes of p and check what
 * must hold whatever the input: offsets increase, records lie inside the
 * input, every -1 leaves a message, no byte is accounted for twice, and
 * no record is counted twice by the assembler. */
static void check_any_input(const uint8_t *p, size_t len)
{
    FILE *f = tmpfile();
    struct sro_reader *rd;
    struct sro_assembler *a = sro_assembler_new(NULL, NULL);
    const struct sro_assemble_stats *st = sro_assembler_stats(a);
    struct sro_rec rec;
    uint64_t last = 0, used = 0, fails = 0, nrecs = 0;
    bool first = true;
    int rc;

    if ( len )
        assert_int_equal(fwrite(p, 1, len, f), len);
    rewind(f);
    rd = sro_reader_new(f, "fuzz");
    while ( (rc = sro_reader_next(rd, &rec)) != 0 )
    {
        if ( rc < 0 )
        {
            assert_non_null(sro_reader_error(rd));
            fails++;
            continue;
        }
        assert_true(first || rec.offset > last);
        assert_true(rec.nwords <= SRO_TREC_MAX_WORDS);
        assert_true(rec.cpu < SRO_READER_MAX_CPUS);
        assert_true(rec.offset + SRO_TREC_BYTES(rec.nwords, rec.has_tsc)
                    <= len);
        used += SRO_TREC_BYTES(rec.nwords, rec.has_tsc);
        last = rec.offset;
        first = false;
        assert_int_equal(sro_assembler_feed(a, &rec), 0);
        nrecs++;
    }
    assert_int_equal(sro_assembler_finish(a), 0);
    assert_int_equal(st->records, nrecs);
    assert_true(st->incomplete_groups <= st->groups);
    assert_true(st->groups + st->orphan_writes + st->stray_records +
                st->bad_records + st->config_records + st->unknown_records +
                st->lost_events <= nrecs);
    sro_assembler_free(a);
    assert_int_equal(sro_reader_next(rd, &rec), 0);
    assert_int_equal(sro_reader_errors(rd), fails);
    assert_int_equal(sro_reader_bytes_read(rd), len);
    used += 12 * sro_reader_windows(rd) + sro_reader_bytes_skipped(rd) +
            sro_reader_bytes_unused(rd);
    assert_true(used <= len);
    sro_reader_free(rd);
    fclose(f);
}

/* A real-looking trace, then thousands of damaged copies of it (bytes
 * changed, words dropped, cut anywhere): the reader survives them all
 * (run under the sanitizers too). */
static void test_damaged_input(void **state)
{
    FILE *f = tmpfile();
    struct sro_writer *w = sro_writer_new(f, 3);
    uint8_t *orig, *p;
    long len;
    uint64_t x = 88172645463325252ull;

    (void)state;
    sro_writer_set_window_max(w, 200);
    for ( unsigned int i = 0; i < 60; i++ )
    {
        struct sro_fault fl = { .cpu = i % 3, .tsc = 100 + i, .mfn = 0xfe1,
                                .has_insn = true, .insn_len = 2 };
        struct sro_write wr = { .mfn = 0xfe1, .len = i % 20, .data_len = 8 };
        struct sro_done d = { .nwrites = 1 };

        assert_int_equal(sro_write_group(w, &fl, &wr, 1, &d), 0);
        if ( i % 7 == 0 )
            sro_writer_flush_cpu(w, i % 3, true);
    }
    assert_int_equal(sro_writer_close(w), 0);
    len = ftell(f);
    orig = malloc(len);
    p = malloc(len);
    rewind(f);
    assert_int_equal(fread(orig, 1, len, f), len);
    fclose(f);

    check_any_input(orig, len);
    for ( unsigned int round = 0; round < 3000; round++ )
    {
        size_t n = len;

        memcpy(p, orig, len);
        for ( unsigned int k = 0; k < 1 + round % 4; k++ )
        {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            switch ( x % 3 )
            {
            case 0:                     /* change a byte */
                p[(x >> 8) % n] = (uint8_t)(x >> 40);
                break;
            case 1:                     /* drop a word */
                if ( n > 8 )
                {
                    size_t at = ((x >> 8) % (n / 4 - 1)) * 4;

                    memmove(p + at, p + at + 4, n - at - 4);
                    n -= 4;
                }
                break;
            case 2:                     /* cut the end off */
                n = (x >> 8) % (n + 1);
                break;
            }
            if ( n == 0 )
                break;
        }
        check_any_input(p, n);
    }
    free(orig);
    free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_empty_input),
        cmocka_unit_test(test_record_shapes),
        cmocka_unit_test(test_interleaved_cpus),
        cmocka_unit_test(test_wrap_buffer_skipped),
        cmocka_unit_test(test_tsc_reset),
        cmocka_unit_test(test_cut_inside_record),
        cmocka_unit_test(test_cut_inside_window),
        cmocka_unit_test(test_window_past_end_of_file),
        cmocka_unit_test(test_cut_inside_window_header),
        cmocka_unit_test(test_garbage_then_window),
        cmocka_unit_test(test_implausible_window_headers),
        cmocka_unit_test(test_record_past_window_end),
        cmocka_unit_test(test_window_header_inside_window),
        cmocka_unit_test(test_garbage_to_the_end),
        cmocka_unit_test(test_read_error),
        cmocka_unit_test(test_many_refills),
        cmocka_unit_test(test_pipe),
        cmocka_unit_test(test_pipe_delivers_early),
        cmocka_unit_test(test_damaged_input),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

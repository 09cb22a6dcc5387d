/*
 * test-tbuf-ring.c - recorder/tbuf-ring.c against an in-memory replica of
 * Xen's trace buffers (tests/unit/helpers/tbuf-replica.h: t_info, scattered
 * pages, and a producer that follows xen/common/trace.c).
 *
 * Each test drives the producer into one situation of the protocol
 * (records straddling pages, wrap padding, a full buffer dropping records
 * and then a TRC_LOST_RECORDS, prod wrapping past 2*D, impossible
 * pointers) and checks the consumer's windows byte for byte or record for
 * record; a long randomized run and a two-thread run check that every
 * record offered is read exactly once or counted as lost.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/abi.h"
#include "recorder/tbuf-ring.h"
#include "trace/reader.h"
#include "helpers/tbuf-replica.h"

/* ------------------------------------------------------------------ */
/* Tests.                                                              */

static void test_tinfo(void **state)
{
    struct tbr_replica *r = tbr_new(3, 2, 1u << 1);
    const uint32_t *mfns;
    unsigned int pages;
    char err[256];
    uint16_t bad;

    (void)state;
    assert_int_equal(sro_tinfo_pages(r->t_info, r->t_info_bytes, &pages,
                                     err, sizeof(err)), 0);
    assert_int_equal(pages, 2);
    assert_int_equal(sro_tinfo_cpu_mfns(r->t_info, r->t_info_bytes, 0,
                                        &mfns, err, sizeof(err)), 1);
    assert_ptr_equal(mfns, (uint32_t *)r->t_info + 5);  /* (2+16+3)/4 */
    assert_int_equal(sro_tinfo_cpu_mfns(r->t_info, r->t_info_bytes, 1,
                                        &mfns, err, sizeof(err)), 0);
    assert_int_equal(sro_tinfo_cpu_mfns(r->t_info, r->t_info_bytes, 2,
                                        &mfns, err, sizeof(err)), 1);
    assert_ptr_equal(mfns, (uint32_t *)r->t_info + 5 + 2 * 2);

    /* Too small an area; an entry beyond it; a list beyond it. */
    assert_int_equal(sro_tinfo_pages(r->t_info, 1, &pages, err,
                                     sizeof(err)), -1);
    assert_string_equal(err, "t_info: area of 1 bytes is too small");
    assert_int_equal(sro_tinfo_cpu_mfns(r->t_info, 6, 2, &mfns, err,
                                        sizeof(err)), -1);
    assert_string_equal(err, "t_info: offset 6: cpu 2's entry lies beyond "
                             "the 6 mapped bytes");
    bad = 2000;
    memcpy(r->t_info + 2, &bad, 2);
    assert_int_equal(sro_tinfo_cpu_mfns(r->t_info, 4096, 0, &mfns, err,
                                        sizeof(err)), -1);
    assert_string_equal(err, "t_info: offset 2: cpu 0's MFN list (u32 index "
                             "2000, 2 pages) lies outside the 4096 mapped "
                             "bytes");
    bad = 0;
    memcpy(r->t_info, &bad, 2);
    assert_int_equal(sro_tinfo_pages(r->t_info, 4096, &pages, err,
                                     sizeof(err)), -1);
    assert_string_equal(err, "t_info: offset 0: trace buffers of 0 pages");

    assert_null(sro_tbuf_ring_new(0, 1));
    assert_null(sro_tbuf_ring_new(1, 0));
    assert_null(sro_tbuf_ring_new(1, 65536));
    tbr_free(r);
}

/* Three records on CPU 0, one on CPU 2, nothing on 1: exact bytes. */
static void test_simple_windows(void **state)
{
    struct tbr_replica *r = tbr_new(3, 1, 0);
    void **maps[3];
    struct sro_tbuf_ring *ring = tbr_consumer_new(r, maps);
    char *mem = NULL;
    size_t len = 0;
    FILE *f;
    char err[256];
    struct sro_tbuf_cpu_stats st;

    (void)state;
    r->tsc = 0x100000000ull;
    assert_true(tbr_data(r, 0, 1, true));    /* 16 bytes */
    assert_true(tbr_data(r, 0, 2, false));   /* 12 */
    assert_true(tbr_data(r, 0, 7, true));    /* 40 */
    assert_true(tbr_data(r, 2, 3, false));   /* 16 */
    assert_int_equal(sro_tbuf_ring_pending(ring, 0), 68);
    assert_int_equal(sro_tbuf_ring_pending(ring, 1), 0);
    assert_int_equal(sro_tbuf_ring_pending(ring, 2), 16);

    f = open_memstream(&mem, &len);
    assert_int_equal(sro_tbuf_ring_drain(ring, f, err, sizeof(err)), 84);
    fclose(f);
    assert_int_equal(len, 12 + 68 + 12 + 16);
    assert_int_equal(tbr_le32((unsigned char *)mem), 0x2001f003u);
    assert_int_equal(tbr_le32((unsigned char *)mem + 4), 0);
    assert_int_equal(tbr_le32((unsigned char *)mem + 8), 68);
    /* First record: header, TSC, seq 0. */
    assert_int_equal(tbr_le32((unsigned char *)mem + 12), 0x90081001u);
    assert_int_equal(tbr_le32((unsigned char *)mem + 16), 5);   /* 2^32 + 5 */
    assert_int_equal(tbr_le32((unsigned char *)mem + 20), 1);
    assert_int_equal(tbr_le32((unsigned char *)mem + 24), 0);
    assert_int_equal(tbr_le32((unsigned char *)mem + 80), 0x2001f003u);
    assert_int_equal(tbr_le32((unsigned char *)mem + 84), 2);
    assert_int_equal(tbr_le32((unsigned char *)mem + 88), 16);
    assert_int_equal(tbr_le32((unsigned char *)mem + 92), 0x30081001u);
    free(mem);

    /* Space handed back: cons == prod; a second drain writes nothing. */
    assert_int_equal(tbr_meta(&r->cpu[0])->cons, 68);
    assert_int_equal(tbr_meta(&r->cpu[2])->cons, 16);
    mem = NULL;
    f = open_memstream(&mem, &len);
    assert_int_equal(sro_tbuf_ring_drain(ring, f, err, sizeof(err)), 0);
    fclose(f);
    assert_int_equal(len, 0);
    free(mem);

    sro_tbuf_ring_stats(ring, 0, &st);
    assert_true(st.attached);
    assert_int_equal(st.windows, 1);
    assert_int_equal(st.bytes, 68);
    assert_int_equal(st.max_fill, 68);
    sro_tbuf_ring_stats(ring, 1, &st);
    assert_true(st.attached);
    assert_int_equal(st.windows, 0);
    assert_int_equal(st.bytes, 0);
    sro_tbuf_ring_stats(ring, 9, &st);
    assert_false(st.attached);
    assert_int_equal(sro_tbuf_ring_ncpus(ring), 3);
    assert_int_equal(sro_tbuf_ring_data_size(ring), 4088);
    tbr_consumer_free(r, ring, maps);
    tbr_free(r);
}

/*
 * Records that straddle page boundaries: 3 pages, the data area's page
 * boundaries are at data offsets 4088 and 8184. 102 records of 40 bytes
 * end at 4080; the next 40-byte record covers 4080..4119.
 */
static void test_straddle_pages(void **state)
{
    struct tbr_replica *r = tbr_new(1, 3, 0);
    void **maps[1];
    struct sro_tbuf_ring *ring = tbr_consumer_new(r, maps);
    struct tbr_parsed p;

    (void)state;
    for ( unsigned int i = 0; i < 102; i++ )
        assert_true(tbr_data(r, 0, 7, true));
    assert_int_equal(r->cpu[0].straddles, 0);
    assert_true(tbr_data(r, 0, 7, true));
    assert_int_equal(r->cpu[0].straddles, 1);
    /* A 12-byte record at 4120 .. and a header-only-ish one at 8180. */
    while ( tbr_meta(&r->cpu[0])->prod < 8176 )
        assert_true(tbr_data(r, 0, 1, false));       /* 8 bytes each */
    assert_int_equal(tbr_meta(&r->cpu[0])->prod, 8176);
    assert_true(tbr_data(r, 0, 3, true));            /* 8176..8199 */
    assert_int_equal(r->cpu[0].straddles, 2);

    assert_int_equal(tbr_drain_parse(ring, &p), 8200);
    assert_int_equal(p.windows, 1);
    assert_int_equal(p.wraps, 0);
    tbr_check(r, &p);
    assert_int_equal(r->cpu[0].qhead, r->cpu[0].qtail);
    /* The straddling records came out whole. */
    assert_int_equal(p.r[102].w[0], 102);
    assert_int_equal(p.r[102].w[6], (uint32_t)(102 * 2654435761u +
                                                6 * 40503u));
    tbr_parsed_free(&p);
    tbr_consumer_free(r, ring, maps);
    tbr_free(r);
}

/*
 * Wrap padding: with D = 4088, fill to 4060 and consume; a 40-byte record
 * does not fit in the 28 bytes left, so Xen pads 28 bytes (a 6-word WRAP
 * without TSC) and writes the record at data offset 0. One window of 68
 * bytes comes out, in two pieces, and the reader-visible record is the
 * one written. Then the same with 36 bytes left (padding needs a TSC) and
 * with 4 bytes left (a bare header).
 */
static void check_wrap(uint32_t left, unsigned int pad_words, bool pad_tsc)
{
    struct tbr_replica *r = tbr_new(1, 1, 0);
    void **maps[1];
    struct sro_tbuf_ring *ring = tbr_consumer_new(r, maps);
    struct tbr_cpu *c = &r->cpu[0];
    struct tbr_parsed p;
    char *mem = NULL;
    size_t len = 0;
    FILE *f;
    char err[64];
    uint32_t hdr;

    tbr_fill_to(r, 0, c->d - left);
    tbr_drain_parse(ring, &p);
    tbr_check(r, &p);
    tbr_parsed_free(&p);

    assert_true(tbr_data(r, 0, 7, true));
    assert_int_equal(c->wraps, 1);
    assert_int_equal(tbr_meta(c)->prod, c->d + 40);

    f = open_memstream(&mem, &len);
    assert_int_equal(sro_tbuf_ring_drain(ring, f, err, sizeof(err)),
                     left + 40);
    fclose(f);
    assert_int_equal(len, 12 + left + 40);
    assert_int_equal(tbr_le32((unsigned char *)mem + 8), left + 40);
    hdr = tbr_le32((unsigned char *)mem + 12);
    assert_int_equal(SRO_TREC_EVENT(hdr), TRC_TRACE_WRAP_BUFFER);
    assert_int_equal(SRO_TREC_NWORDS(hdr), pad_words);
    assert_int_equal(SRO_TREC_HAS_TSC(hdr), pad_tsc);
    assert_int_equal(SRO_TREC_BYTES(pad_words, pad_tsc), left);
    tbr_parse((unsigned char *)mem, len, &p);
    assert_int_equal(p.wraps, 1);
    assert_int_equal(p.wrap_bytes, left);
    assert_int_equal(p.n, 1);
    tbr_check(r, &p);
    assert_int_equal(c->qhead, c->qtail);
    assert_int_equal(tbr_meta(c)->cons, c->d + 40);
    tbr_parsed_free(&p);
    free(mem);
    tbr_consumer_free(r, ring, maps);
    tbr_free(r);
}

static void test_wrap_padding(void **state)
{
    (void)state;
    check_wrap(28, 6, false);
    check_wrap(36, 6, true);
    check_wrap(4, 0, false);
}

/*
 * A full buffer: D = 4088 takes 102 records of 40 bytes (4080); the next
 * ones are dropped and counted. After the consumer empties it, the next
 * record is preceded by TRC_LOST_RECORDS (count, dom|vcpu<<16, TSC of the
 * first loss), which itself needs wrap padding since only 8 bytes are
 * left before the end.
 */
static void test_full_then_lost(void **state)
{
    struct tbr_replica *r = tbr_new(2, 1, 0);
    void **maps[2];
    struct sro_tbuf_ring *ring = tbr_consumer_new(r, maps);
    struct tbr_cpu *c = &r->cpu[1];
    struct tbr_parsed p;
    uint64_t first_loss = 0;
    unsigned int dropped = 0;

    (void)state;
    for ( unsigned int i = 0; i < 102; i++ )
        assert_true(tbr_data(r, 1, 7, true));
    assert_int_equal(tbr_used(c), 4080);
    for ( unsigned int i = 0; i < 5; i++ )
    {
        assert_false(tbr_data(r, 1, 7, true));
        if ( i == 0 )
            first_loss = r->tsc;
        dropped++;
    }
    /* A small record still fits in the 8 bytes left... but not with the
     * LOST record that must now precede it. */
    assert_false(tbr_data(r, 1, 1, false));
    dropped++;
    assert_int_equal(sro_tbuf_ring_pending(ring, 1), 4080);

    assert_int_equal(tbr_drain_parse(ring, &p), 4080);
    assert_int_equal(p.n, 102);
    tbr_check(r, &p);
    tbr_parsed_free(&p);

    assert_true(tbr_data(r, 1, 2, true));
    assert_int_equal(c->wraps, 1);
    assert_int_equal(tbr_drain_parse(ring, &p), 8 + 28 + 20);
    assert_int_equal(p.wraps, 1);
    assert_int_equal(p.n, 2);
    assert_int_equal(p.r[0].event, TRC_LOST_RECORDS);
    assert_true(p.r[0].has_tsc);
    assert_int_equal(p.r[0].w[0], dropped);
    assert_int_equal(p.r[0].w[1], 7u | (1u << 16));
    assert_int_equal(p.r[0].w[2] | (uint64_t)p.r[0].w[3] << 32, first_loss);
    assert_int_equal(p.r[1].w[0], 102 + dropped);   /* its seq */
    tbr_check(r, &p);
    tbr_parsed_free(&p);
    tbr_consumer_free(r, ring, maps);
    tbr_free(r);
}

/* prod runs past 2*D several times; every record arrives in order. */
static void test_prod_wraps_twice_size(void **state)
{
    struct tbr_replica *r = tbr_new(1, 1, 0);
    void **maps[1];
    struct sro_tbuf_ring *ring = tbr_consumer_new(r, maps);
    struct tbr_cpu *c = &r->cpu[0];
    uint64_t got = 0;

    (void)state;
    /* 4088 * 2 * 5 bytes in records of 24 bytes, drained every 100. */
    for ( unsigned int i = 0; i < 3500; i++ )
    {
        assert_true(tbr_data(r, 0, 3, true));
        if ( i % 100 == 99 )
        {
            struct tbr_parsed p;

            tbr_drain_parse(ring, &p);
            tbr_check(r, &p);
            got += p.n;
            tbr_parsed_free(&p);
        }
    }
    {
        struct tbr_parsed p;

        tbr_drain_parse(ring, &p);
        tbr_check(r, &p);
        got += p.n;
        tbr_parsed_free(&p);
    }
    assert_int_equal(got, 3500);
    assert_int_equal(c->dropped, 0);
    assert_true(c->prod_wraps >= 5);
    assert_true(c->wraps >= 10);
    assert_int_equal(tbr_meta(c)->cons, tbr_meta(c)->prod);
    tbr_consumer_free(r, ring, maps);
    tbr_free(r);
}

/* Impossible pointers detach that CPU only; the other one goes on. */
static void test_bogus_pointers(void **state)
{
    static const struct { uint32_t cons, prod; } bad[] = {
        { 0, 6 },               /* unaligned */
        { 0, 2 * 4088 },        /* beyond 2*D */
        { 0, 4096 },            /* more than D waiting */
    };

    (void)state;
    for ( unsigned int i = 0; i < sizeof(bad) / sizeof(bad[0]); i++ )
    {
        struct tbr_replica *r = tbr_new(2, 1, 0);
        void **maps[2];
        struct sro_tbuf_ring *ring = tbr_consumer_new(r, maps);
        struct sro_tbuf_cpu_stats st;
        struct tbr_parsed p;

        assert_true(tbr_data(r, 1, 2, false));
        tbr_meta(&r->cpu[0])->cons = bad[i].cons;
        tbr_meta(&r->cpu[0])->prod = bad[i].prod;
        assert_int_equal(tbr_drain_parse(ring, &p), 12);
        assert_int_equal(p.windows, 1);
        assert_int_equal(p.window_cpu[0], 1);
        tbr_parsed_free(&p);
        sro_tbuf_ring_stats(ring, 0, &st);
        assert_true(st.bogus);
        assert_false(st.attached);
        assert_int_equal(st.bogus_prod, bad[i].prod);
        /* cons left alone: Xen's view of a bad buffer is not ours to fix */
        assert_int_equal(tbr_meta(&r->cpu[0])->cons, bad[i].cons);
        assert_int_equal(sro_tbuf_ring_pending(ring, 0), 0);
        tbr_consumer_free(r, ring, maps);
        tbr_free(r);
    }
}

static void test_write_error(void **state)
{
    struct tbr_replica *r = tbr_new(1, 1, 0);
    void **maps[1];
    struct sro_tbuf_ring *ring = tbr_consumer_new(r, maps);
    FILE *f = fopen("/dev/null", "r");
    char err[256] = "";

    (void)state;
    assert_non_null(f);
    assert_true(tbr_data(r, 0, 2, false));
    setvbuf(f, NULL, _IONBF, 0);
    assert_int_equal(sro_tbuf_ring_drain(ring, f, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "writing cpu 0's window of 12 bytes: "));
    fclose(f);
    tbr_consumer_free(r, ring, maps);
    tbr_free(r);
}

/* A tiny deterministic generator (xorshift64*), fixed seed. */
static uint64_t rng_state;

static uint32_t rnd(uint32_t n)
{
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ull) >> 33) % n;
}

/*
 * The recorder's own reader (trace/reader.h) must see in a capture what
 * the test's parser saw: per CPU, the same data records and lost counts,
 * without an error or an unused byte.
 */
static void check_with_reader(char *buf, size_t len, const uint64_t *seen,
                              const uint64_t *lost)
{
    FILE *f = fmemopen(buf, len, "r");
    struct sro_reader *rd;
    struct sro_rec rec;
    uint64_t got[4] = { 0 }, got_lost[4] = { 0 };
    int rc;

    assert_non_null(f);
    rd = sro_reader_new(f, "capture");
    assert_non_null(rd);
    while ( (rc = sro_reader_next(rd, &rec)) == 1 )
    {
        assert_true(rec.cpu < 4);
        if ( rec.event == TRC_LOST_RECORDS )
            got_lost[rec.cpu] += rec.w[0];
        else
        {
            assert_int_equal(rec.event, TBR_EVENT);
            got[rec.cpu]++;
        }
    }
    if ( rc < 0 )
        fail_msg("%s", sro_reader_error(rd));
    assert_int_equal(sro_reader_bytes_read(rd), len);
    assert_int_equal(sro_reader_bytes_unused(rd), 0);
    for ( unsigned int cpu = 0; cpu < 4; cpu++ )
    {
        assert_int_equal(got[cpu], seen[cpu]);
        assert_int_equal(got_lost[cpu], lost[cpu]);
    }
    sro_reader_free(rd);
    fclose(f);
}

/*
 * Randomized interleaving of producer and consumer steps on 4 CPUs (CPU 2
 * offline) with 2-page buffers. Bursts of production outrun the consumer
 * so buffers fill and records are lost; drains come at random intervals.
 * Every record offered is either read exactly once, in order, intact, or
 * counted by a TRC_LOST_RECORDS (or still pending as lost at the end);
 * the whole capture then goes through trace/reader.h as well.
 */
static void test_randomized(void **state)
{
    struct tbr_replica *r = tbr_new(4, 2, 1u << 2);
    void **maps[4];
    struct sro_tbuf_ring *ring = tbr_consumer_new(r, maps);
    uint64_t seen[4] = { 0 }, lost_seen[4] = { 0 };
    uint64_t last_tsc[4] = { 0 };
    unsigned int steps = 0;
    char *all = NULL;
    size_t all_len = 0;
    FILE *copy = open_memstream(&all, &all_len);

    (void)state;
    assert_non_null(copy);
    rng_state = 0x5eed2025f00dull;
    while ( steps < 2000000 )
    {
        unsigned int burst = 1 + rnd(rnd(8) == 0 ? 2500 : 40);

        for ( unsigned int i = 0; i < burst; i++, steps++ )
        {
            unsigned int cpu = rnd(4);

            if ( cpu == 2 )
                continue;
            r->cpu[cpu].dom = (uint16_t)rnd(5);
            r->cpu[cpu].vcpu = (uint16_t)rnd(3);
            tbr_data(r, cpu, 1 + rnd(7), rnd(3) != 0);
        }
        if ( rnd(3) == 0 )
        {
            struct tbr_parsed p;

            assert_true(tbr_drain_parse_copy(ring, &p, copy) >= 0);
            tbr_check(r, &p);
            for ( size_t i = 0; i < p.n; i++ )
            {
                unsigned int cpu = p.r[i].cpu;

                if ( p.r[i].event == TRC_LOST_RECORDS )
                    lost_seen[cpu] += p.r[i].w[0];
                else
                {
                    /* In order, none twice, gaps exactly the lost ones. */
                    assert_int_equal(p.r[i].w[0],
                                     (uint32_t)(seen[cpu] + lost_seen[cpu]));
                    seen[cpu]++;
                }
                if ( p.r[i].has_tsc )
                {
                    assert_true(p.r[i].tsc >= last_tsc[cpu]);
                    last_tsc[cpu] = p.r[i].tsc;
                }
            }
            tbr_parsed_free(&p);
        }
    }
    {
        struct tbr_parsed p;

        tbr_drain_parse_copy(ring, &p, copy);
        tbr_check(r, &p);
        for ( size_t i = 0; i < p.n; i++ )
        {
            if ( p.r[i].event == TRC_LOST_RECORDS )
                lost_seen[p.r[i].cpu] += p.r[i].w[0];
            else
                seen[p.r[i].cpu]++;
        }
        tbr_parsed_free(&p);
    }
    for ( unsigned int cpu = 0; cpu < 4; cpu++ )
    {
        struct tbr_cpu *c = &r->cpu[cpu];
        struct sro_tbuf_cpu_stats st;

        sro_tbuf_ring_stats(ring, cpu, &st);
        if ( cpu == 2 )
        {
            assert_false(st.attached);
            assert_int_equal(c->attempts, 0);
            continue;
        }
        assert_int_equal(c->qhead, c->qtail);
        assert_int_equal(seen[cpu] + lost_seen[cpu] + c->lost, c->attempts);
        assert_int_equal(lost_seen[cpu] + c->lost, c->dropped);
        /* The run exercised what it is meant to. */
        assert_true(c->dropped > 100);
        assert_true(lost_seen[cpu] > 0);
        assert_true(c->wraps > 100);
        assert_true(c->straddles > 100);
        assert_true(c->prod_wraps > 50);
        assert_true(st.max_fill <= sro_tbuf_ring_data_size(ring));
        assert_true(st.max_fill > sro_tbuf_ring_data_size(ring) - 200);
        print_message("cpu %u: %llu offered, %llu read, %llu lost (%lu "
                      "pending), %llu wrap records, %llu page straddles, "
                      "prod past 2*D %llu times, %llu windows\n", cpu,
                      (unsigned long long)c->attempts,
                      (unsigned long long)seen[cpu],
                      (unsigned long long)c->dropped, c->lost,
                      (unsigned long long)c->wraps,
                      (unsigned long long)c->straddles,
                      (unsigned long long)c->prod_wraps,
                      (unsigned long long)st.windows);
    }
    assert_int_equal(fclose(copy), 0);
    check_with_reader(all, all_len, seen, lost_seen);
    free(all);
    tbr_consumer_free(r, ring, maps);
    tbr_free(r);
}

/*
 * The same protocol with a real second thread producing while the test
 * drains, so that the barriers are exercised on a real memory system.
 */
struct conc {
    struct tbr_replica *r;
    unsigned int    n;          /* records to offer */
    volatile int    done;
};

static void *producer_thread(void *arg)
{
    struct conc *k = arg;

    for ( unsigned int i = 0; i < k->n; i++ )
        tbr_data(k->r, 0, 1 + i % 7, i % 3 != 0);
    __atomic_store_n(&k->done, 1, __ATOMIC_RELEASE);
    return NULL;
}

static void test_concurrent(void **state)
{
    struct tbr_replica *r = tbr_new(1, 2, 0);
    void **maps[1];
    struct sro_tbuf_ring *ring = tbr_consumer_new(r, maps);
    struct conc k = { .r = r, .n = 200000 };
    uint64_t seen = 0, lost = 0;
    pthread_t th;
    bool last = false;

    (void)state;
    r->expect = false;
    assert_int_equal(pthread_create(&th, NULL, producer_thread, &k), 0);
    while ( !last )
    {
        char *mem = NULL;
        size_t len = 0;
        FILE *f = open_memstream(&mem, &len);
        char err[64];
        struct tbr_parsed p;

        last = __atomic_load_n(&k.done, __ATOMIC_ACQUIRE);
        assert_true(sro_tbuf_ring_drain(ring, f, err, sizeof(err)) >= 0);
        fclose(f);
        tbr_parse((unsigned char *)mem, len, &p);
        for ( size_t i = 0; i < p.n; i++ )
        {
            if ( p.r[i].event == TRC_LOST_RECORDS )
                lost += p.r[i].w[0];
            else
            {
                uint32_t w[7];

                tbr_seq_words(seen + lost, p.r[i].nwords, w);
                assert_memory_equal(p.r[i].w, w, 4 * p.r[i].nwords);
                seen++;
            }
        }
        tbr_parsed_free(&p);
        free(mem);
    }
    pthread_join(th, NULL);
    assert_int_equal(seen + lost + r->cpu[0].lost, k.n);
    tbr_consumer_free(r, ring, maps);
    tbr_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_tinfo),
        cmocka_unit_test(test_simple_windows),
        cmocka_unit_test(test_straddle_pages),
        cmocka_unit_test(test_wrap_padding),
        cmocka_unit_test(test_full_then_lost),
        cmocka_unit_test(test_prod_wraps_twice_size),
        cmocka_unit_test(test_bogus_pointers),
        cmocka_unit_test(test_write_error),
        cmocka_unit_test(test_randomized),
        cmocka_unit_test(test_concurrent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

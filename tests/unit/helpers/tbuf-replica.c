/*
 * tbuf-replica.c - the replica of Xen's trace buffers and its producer
 * (see tbuf-replica.h).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/abi.h"
#include "tbuf-replica.h"

struct sro_tbuf_meta *tbr_meta(struct tbr_cpu *c)
{
    return (struct sro_tbuf_meta *)c->page[0];
}

static uint64_t tp_now(struct tbr_replica *r)
{
    return r->tsc;
}

/* Bytes waiting for the consumer. */
uint32_t tbr_used(struct tbr_cpu *c)
{
    uint32_t prod = tbr_meta(c)->prod;
    uint32_t cons = __atomic_load_n(&tbr_meta(c)->cons, __ATOMIC_ACQUIRE);

    assert_true(prod < 2 * c->d && cons < 2 * c->d);
    return prod >= cons ? prod - cons : prod + 2 * c->d - cons;
}

/* Bytes from prod to the end of the data area (1..D). */
uint32_t tbr_to_wrap(struct tbr_cpu *c)
{
    uint32_t prod = tbr_meta(c)->prod;

    return prod < c->d ? c->d - prod : 2 * c->d - prod;
}

/* Write n bytes at prod's data offset, across pages; never past D. */
static void tp_store(struct tbr_cpu *c, const unsigned char *src, uint32_t n)
{
    uint32_t prod = tbr_meta(c)->prod;
    uint32_t off = prod < c->d ? prod : prod - c->d;
    uint32_t pos = SRO_TBUF_META_BYTES + off;

    assert_true(off + n <= c->d);
    while ( n )
    {
        uint32_t in = pos % TBR_PAGE, chunk = TBR_PAGE - in;

        if ( chunk > n )
            chunk = n;
        if ( src )
        {
            memcpy(c->page[pos / TBR_PAGE] + in, src, chunk);
            src += chunk;
        }
        pos += chunk;
        n -= chunk;
    }
}

/* Publish a record of size bytes: barrier, then move prod. */
static void tp_advance(struct tbr_cpu *c, uint32_t size)
{
    uint32_t next = tbr_meta(c)->prod + size;

    if ( next >= 2 * c->d )
    {
        next -= 2 * c->d;
        c->prod_wraps++;
    }
    __atomic_thread_fence(__ATOMIC_RELEASE);    /* smp_wmb() */
    __atomic_store_n(&tbr_meta(c)->prod, next, __ATOMIC_RELAXED);
}

static void tp_expect(struct tbr_cpu *c, const struct tbr_emitted *e)
{
    if ( c->qtail == c->qcap )
    {
        c->qcap = c->qcap ? 2 * c->qcap : 256;
        c->q = realloc(c->q, c->qcap * sizeof(*c->q));
        assert_non_null(c->q);
    }
    c->q[c->qtail++] = *e;
}

/* Insert one record at prod (it fits before the wrap point). */
static void tp_insert(struct tbr_replica *r, struct tbr_cpu *c, uint32_t event,
                      unsigned int nwords, bool cycles, const uint32_t *w,
                      bool expect)
{
    unsigned char rec[40];
    uint32_t size = SRO_TREC_BYTES(nwords, cycles);
    uint32_t hdr = SRO_TREC_HDR(event, nwords, cycles);
    uint64_t tsc = tp_now(r);
    unsigned int at = 4;

    memcpy(rec, &hdr, 4);
    if ( cycles )
    {
        uint32_t lo = (uint32_t)tsc, hi = (uint32_t)(tsc >> 32);

        memcpy(rec + 4, &lo, 4);
        memcpy(rec + 8, &hi, 4);
        at = 12;
    }
    {
        uint32_t prod = tbr_meta(c)->prod % c->d + SRO_TBUF_META_BYTES;

        if ( prod / TBR_PAGE != (prod + size - 1) / TBR_PAGE )
            c->straddles++;
    }
    /* Padding (w NULL): only the header and TSC are written. */
    if ( w )
        memcpy(rec + at, w, 4 * nwords);
    tp_store(c, rec, w ? size : at);
    tp_advance(c, size);

    if ( expect && r->expect )
    {
        struct tbr_emitted e = { .event = event, .nwords = nwords,
                             .has_tsc = cycles, .tsc = tsc };

        memcpy(e.w, w, 4 * nwords);
        tp_expect(c, &e);
    }
}

/* Pad from prod to the end of the data area. */
static void tp_wrap(struct tbr_replica *r, struct tbr_cpu *c)
{
    uint32_t space = tbr_to_wrap(c);
    uint32_t extra = space - 4;
    bool cycles = false;

    if ( extra / 4 > 7 )
    {
        cycles = true;
        extra -= 8;
    }
    assert_true(extra / 4 <= 7);
    tp_insert(r, c, TRC_TRACE_WRAP_BUFFER, extra / 4, cycles, NULL, false);
    c->wraps++;
}

static void tp_lost(struct tbr_replica *r, struct tbr_cpu *c)
{
    uint32_t w[4] = {
        (uint32_t)c->lost, c->dom | ((uint32_t)c->vcpu << 16),
        (uint32_t)c->lost_tsc, (uint32_t)(c->lost_tsc >> 32),
    };

    tp_insert(r, c, TRC_LOST_RECORDS, 4, true, w, true);
    c->lost = 0;
}

/*
 * trace(): offer one record to CPU cpu. Returns true if it was written,
 * false if it was dropped (and counted for the next TRC_LOST_RECORDS).
 */
bool tbr_trace(struct tbr_replica *r, unsigned int cpu, uint32_t event,
               unsigned int nwords, bool cycles, const uint32_t *w)
{
    struct tbr_cpu *c = &r->cpu[cpu];
    uint32_t size = SRO_TREC_BYTES(nwords, cycles);
    uint32_t avail = c->d - tbr_used(c);
    uint32_t to_wrap = tbr_to_wrap(c);
    uint32_t total = 0;

    r->tsc += 1 + (r->tsc % 7);
    c->attempts++;

    /* Dry run: the LOST record first, with its own padding if needed. */
    if ( c->lost )
    {
        if ( TBR_LOST_BYTES > to_wrap )
        {
            total += to_wrap;
            to_wrap = c->d;
        }
        total += TBR_LOST_BYTES;
        to_wrap -= TBR_LOST_BYTES;
        if ( to_wrap == 0 )
            to_wrap = c->d;
    }
    if ( size > to_wrap )
        total += to_wrap;
    total += size;
    if ( total > avail )
    {
        if ( ++c->lost == 1 )
            c->lost_tsc = tp_now(r);
        c->dropped++;
        return false;
    }

    if ( c->lost )
    {
        if ( TBR_LOST_BYTES > tbr_to_wrap(c) )
            tp_wrap(r, c);
        tp_lost(r, c);
    }
    if ( size > tbr_to_wrap(c) )
        tp_wrap(r, c);
    tp_insert(r, c, event, nwords, cycles, w, true);
    return true;
}

/* Words of the data record with sequence number seq. */
void tbr_seq_words(uint64_t seq, unsigned int nwords, uint32_t *w)
{
    w[0] = (uint32_t)seq;
    for ( unsigned int k = 1; k < nwords; k++ )
        w[k] = (uint32_t)(seq * 2654435761u + k * 40503u);
}

/* Offer data record number next_seq of CPU cpu. */
bool tbr_data(struct tbr_replica *r, unsigned int cpu, unsigned int nwords,
              bool cycles)
{
    uint32_t w[7];

    assert_true(nwords >= 1 && nwords <= 7);
    tbr_seq_words(r->cpu[cpu].next_seq++, nwords, w);
    return tbr_trace(r, cpu, TBR_EVENT, nwords, cycles, w);
}

/* Offer data records on cpu until its prod is `target` (> prod). */
void tbr_fill_to(struct tbr_replica *r, unsigned int cpu, uint32_t target)
{
    struct tbr_cpu *c = &r->cpu[cpu];

    while ( tbr_meta(c)->prod < target )
    {
        uint32_t gap = target - tbr_meta(c)->prod;

        if ( gap == 40 || gap >= 48 )
            assert_true(tbr_data(r, cpu, 7, true));
        else if ( gap > 40 )
            assert_true(tbr_data(r, cpu, 1, false));
        else if ( gap == 36 )
            assert_true(tbr_data(r, cpu, 6, true));
        else
            assert_true(tbr_data(r, cpu, (gap - 4) / 4, false));
    }
    assert_int_equal(tbr_meta(c)->prod, target);
}

/*
 * Build a replica of ncpus CPUs (those in offline_mask have no buffer)
 * with `pages` pages each. The MFNs handed out are shuffled so that a
 * CPU's pages are not in pool order either.
 */
struct tbr_replica *tbr_new(unsigned int ncpus, unsigned int pages,
                            unsigned int offline_mask)
{
    struct tbr_replica *r = calloc(1, sizeof(*r));
    unsigned int first = (2 + 2 * TBR_NR_CPUS + 3) / 4; /* u32 units */
    unsigned int words, *order;

    assert_non_null(r);
    assert_true(ncpus <= TBR_NR_CPUS);
    r->ncpus = ncpus;
    r->pages = pages;
    r->expect = true;
    words = first + ncpus * pages;
    r->t_info_bytes = ((words * 4 + TBR_PAGE - 1) / TBR_PAGE) * TBR_PAGE;
    r->t_info = calloc(1, r->t_info_bytes);
    r->npool = ncpus * pages;
    r->pool = calloc(r->npool, sizeof(*r->pool));
    order = calloc(r->npool, sizeof(*order));
    assert_non_null(r->t_info);
    assert_non_null(order);
    for ( unsigned int i = 0; i < r->npool; i++ )
    {
        r->pool[i] = malloc(TBR_PAGE);
        assert_non_null(r->pool[i]);
        memset(r->pool[i], 0xa5, TBR_PAGE);
        order[i] = i;
    }
    for ( unsigned int i = r->npool; i > 1; i-- )    /* fixed shuffle */
    {
        unsigned int j = (i * 7919u) % i, t = order[i - 1];

        j = (j + i / 2) % i;
        order[i - 1] = order[j];
        order[j] = t;
    }

    {
        uint16_t tbuf_size = pages;

        memcpy(r->t_info, &tbuf_size, 2);
    }
    for ( unsigned int cpu = 0; cpu < ncpus; cpu++ )
    {
        struct tbr_cpu *c = &r->cpu[cpu];
        uint16_t off = first + cpu * pages;
        uint32_t *list = (uint32_t *)r->t_info + off;

        if ( offline_mask & (1u << cpu) )
            continue;
        memcpy(r->t_info + 2 + 2 * cpu, &off, 2);
        c->online = true;
        c->page = calloc(pages, sizeof(*c->page));
        assert_non_null(c->page);
        for ( unsigned int i = 0; i < pages; i++ )
        {
            unsigned int k = order[cpu * pages + i];

            list[i] = TBR_MFN_BASE + k;
            c->page[i] = r->pool[k];
        }
        c->d = SRO_TBUF_DATA_SIZE(pages);
        tbr_meta(c)->cons = tbr_meta(c)->prod = 0;
        c->dom = 7;
        c->vcpu = (uint16_t)cpu;
    }
    free(order);
    return r;
}

void tbr_free(struct tbr_replica *r)
{
    for ( unsigned int i = 0; i < r->npool; i++ )
        free(r->pool[i]);
    for ( unsigned int cpu = 0; cpu < r->ncpus; cpu++ )
    {
        free(r->cpu[cpu].page);
        free(r->cpu[cpu].q);
    }
    free(r->pool);
    free(r->t_info);
    free(r);
}

/*
 * The consumer's view: parse t_info as live.c does, "map" each MFN
 * through the pool, attach. maps[] receives the page arrays (to free).
 */
struct sro_tbuf_ring *tbr_consumer_new(struct tbr_replica *r,
                                       void ***maps)
{
    struct sro_tbuf_ring *ring;
    unsigned int pages;
    char err[256];

    assert_int_equal(sro_tinfo_pages(r->t_info, r->t_info_bytes, &pages,
                                     err, sizeof(err)), 0);
    assert_int_equal(pages, r->pages);
    ring = sro_tbuf_ring_new(r->ncpus, pages);
    assert_non_null(ring);
    for ( unsigned int cpu = 0; cpu < r->ncpus; cpu++ )
    {
        const uint32_t *mfns;
        int rc = sro_tinfo_cpu_mfns(r->t_info, r->t_info_bytes, cpu, &mfns,
                                    err, sizeof(err));

        maps[cpu] = NULL;
        assert_int_equal(rc, r->cpu[cpu].online ? 1 : 0);
        if ( rc != 1 )
            continue;
        maps[cpu] = calloc(pages, sizeof(void *));
        assert_non_null(maps[cpu]);
        for ( unsigned int i = 0; i < pages; i++ )
        {
            assert_true(mfns[i] >= TBR_MFN_BASE &&
                        mfns[i] - TBR_MFN_BASE < r->npool);
            maps[cpu][i] = r->pool[mfns[i] - TBR_MFN_BASE];
        }
        assert_int_equal(sro_tbuf_ring_attach(ring, cpu, maps[cpu]), 0);
    }
    return ring;
}

void tbr_consumer_free(struct tbr_replica *r, struct sro_tbuf_ring *ring,
                       void ***maps)
{
    for ( unsigned int cpu = 0; cpu < r->ncpus; cpu++ )
        free(maps[cpu]);
    sro_tbuf_ring_free(ring);
}

/* ------------------------------------------------------------------ */
/* A minimal xentrace-file parser.                                     */

uint32_t tbr_le32(const unsigned char *p)
{
    return p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
           (uint32_t)p[3] << 24;
}

/* Parse a whole buffer of windows; fails the test on any malformation. */
void tbr_parse(const unsigned char *buf, size_t len, struct tbr_parsed *p)
{
    size_t at = 0;

    memset(p, 0, sizeof(*p));
    while ( at < len )
    {
        uint32_t cpu, wbytes;
        size_t end;

        assert_true(at + 12 <= len);
        assert_int_equal(tbr_le32(buf + at), 0x2001f003u);
        cpu = tbr_le32(buf + at + 4);
        wbytes = tbr_le32(buf + at + 8);
        at += 12;
        assert_true(wbytes > 0);
        assert_int_equal(wbytes % 4, 0);
        end = at + wbytes;
        assert_true(end <= len);
        if ( p->windows < 64 )
        {
            p->window_bytes[p->windows] = wbytes;
            p->window_cpu[p->windows] = cpu;
        }
        p->windows++;
        while ( at < end )
        {
            uint32_t hdr = tbr_le32(buf + at);
            unsigned int n = SRO_TREC_NWORDS(hdr);
            bool tsc = SRO_TREC_HAS_TSC(hdr);
            uint32_t size = SRO_TREC_BYTES(n, tsc);
            struct tbr_rec *q;

            assert_true(at + size <= end);   /* never crosses a window */
            if ( SRO_TREC_EVENT(hdr) == TRC_TRACE_WRAP_BUFFER )
            {
                p->wraps++;
                p->wrap_bytes += size;
                at += size;
                continue;
            }
            if ( p->n == p->cap )
            {
                p->cap = p->cap ? 2 * p->cap : 64;
                p->r = realloc(p->r, p->cap * sizeof(*p->r));
                assert_non_null(p->r);
            }
            q = &p->r[p->n++];
            memset(q, 0, sizeof(*q));
            q->cpu = cpu;
            q->event = SRO_TREC_EVENT(hdr);
            q->nwords = n;
            q->has_tsc = tsc;
            at += 4;
            if ( tsc )
            {
                q->tsc = tbr_le32(buf + at) |
                         (uint64_t)tbr_le32(buf + at + 4) << 32;
                at += 8;
            }
            for ( unsigned int k = 0; k < n; k++, at += 4 )
                q->w[k] = tbr_le32(buf + at);
        }
    }
}

int64_t tbr_drain_parse_copy(struct sro_tbuf_ring *ring,
                             struct tbr_parsed *p, FILE *copy)
{
    char *mem = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&mem, &len);
    char err[256] = "";
    int64_t got;

    assert_non_null(f);
    got = sro_tbuf_ring_drain(ring, f, err, sizeof(err));
    assert_int_equal(fclose(f), 0);
    tbr_parse((unsigned char *)mem, len, p);
    if ( got >= 0 )
        assert_int_equal(len, (size_t)got + 12 * p->windows);
    if ( copy )
        assert_int_equal(fwrite(mem, 1, len, copy), len);
    free(mem);
    return got;
}

int64_t tbr_drain_parse(struct sro_tbuf_ring *ring, struct tbr_parsed *p)
{
    return tbr_drain_parse_copy(ring, p, NULL);
}

void tbr_check(struct tbr_replica *r, const struct tbr_parsed *p)
{
    for ( size_t i = 0; i < p->n; i++ )
    {
        const struct tbr_rec *q = &p->r[i];
        struct tbr_cpu *c;
        const struct tbr_emitted *e;

        assert_true(q->cpu < r->ncpus);
        c = &r->cpu[q->cpu];
        assert_true(c->qhead < c->qtail);
        e = &c->q[c->qhead++];
        assert_int_equal(q->event, e->event);
        assert_int_equal(q->nwords, e->nwords);
        assert_int_equal(q->has_tsc, e->has_tsc);
        if ( e->has_tsc )
            assert_int_equal(q->tsc, e->tsc);
        assert_memory_equal(q->w, e->w, 4 * e->nwords);
    }
}

void tbr_parsed_free(struct tbr_parsed *p)
{
    free(p->r);
    p->r = NULL;
}


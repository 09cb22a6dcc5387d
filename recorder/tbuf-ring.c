/*
 * tbuf-ring.c - the consumer side of Xen's trace buffer protocol, over
 * memory (see tbuf-ring.h for the protocol).
 *
 * Design: each drain copies a CPU's waiting bytes into one private buffer
 * of D bytes (the most a buffer can hold), releases the space to Xen, and
 * only then writes the window. Copying first keeps the time Xen's buffer
 * stays full independent of how fast the output drains (a pipe into the
 * recorder may block), and reads the shared bytes exactly once.
 *
 * Barriers, paired with Xen's producer (trace.c: record bytes, smp_wmb(),
 * prod = next): load prod once, then an acquire fence (xen_rmb) so that no
 * record byte is read before the prod that covers it; after the copy, a
 * full fence (xen_mb) so that every read of the data completes before the
 * store to cons lets Xen overwrite it.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "../core/abi.h"
#include "tbuf-ring.h"

struct tbuf_cpu {
    unsigned char *const *page; /* attached pages, NULL if none */
    struct sro_tbuf_cpu_stats st;
};

struct sro_tbuf_ring {
    unsigned int     ncpus;
    unsigned int     pages;      /* per CPU */
    uint32_t         data_size;  /* D */
    unsigned char   *copy;       /* D bytes: one window being written */
    struct tbuf_cpu *cpu;        /* ncpus entries */
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    if ( !err || !errlen )
        return;
    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
}

/* u16 at byte offset off of t_info (native order: Xen's own). */
static uint16_t tinfo_u16(const void *t_info, size_t off)
{
    uint16_t v;

    memcpy(&v, (const unsigned char *)t_info + off, sizeof(v));
    return v;
}

int sro_tinfo_pages(const void *t_info, size_t bytes, unsigned int *pages,
                    char *err, size_t errlen)
{
    uint16_t n;

    if ( bytes < sizeof(uint16_t) )
    {
        set_err(err, errlen, "t_info: area of %zu bytes is too small", bytes);
        return -1;
    }
    n = tinfo_u16(t_info, 0);
    if ( n == 0 )
    {
        set_err(err, errlen, "t_info: offset 0: trace buffers of 0 pages");
        return -1;
    }
    *pages = n;
    return 0;
}

int sro_tinfo_cpu_mfns(const void *t_info, size_t bytes, unsigned int cpu,
                       const uint32_t **mfns, char *err, size_t errlen)
{
    size_t at = sizeof(uint16_t) * (1 + (size_t)cpu);
    unsigned int pages;
    uint16_t off;

    if ( sro_tinfo_pages(t_info, bytes, &pages, err, errlen) )
        return -1;
    if ( at + sizeof(uint16_t) > bytes )
    {
        set_err(err, errlen,
                "t_info: offset %zu: cpu %u's entry lies beyond the %zu "
                "mapped bytes", at, cpu, bytes);
        return -1;
    }
    off = tinfo_u16(t_info, at);
    if ( off == 0 )
        return 0;
    if ( ((size_t)off + pages) * sizeof(uint32_t) > bytes ||
         (size_t)off * sizeof(uint32_t) < at + sizeof(uint16_t) )
    {
        set_err(err, errlen,
                "t_info: offset %zu: cpu %u's MFN list (u32 index %u, %u "
                "pages) lies outside the %zu mapped bytes", at, cpu,
                (unsigned int)off, pages, bytes);
        return -1;
    }
    *mfns = (const uint32_t *)t_info + off;
    return 1;
}

struct sro_tbuf_ring *sro_tbuf_ring_new(unsigned int ncpus,
                                        unsigned int pages)
{
    struct sro_tbuf_ring *ring;

    if ( ncpus == 0 || pages == 0 || pages > UINT16_MAX )
        return NULL;
    ring = calloc(1, sizeof(*ring));
    if ( !ring )
        return NULL;
    ring->ncpus = ncpus;
    ring->pages = pages;
    ring->data_size = SRO_TBUF_DATA_SIZE(pages);
    ring->copy = malloc(ring->data_size);
    ring->cpu = calloc(ncpus, sizeof(*ring->cpu));
    if ( !ring->copy || !ring->cpu )
    {
        sro_tbuf_ring_free(ring);
        return NULL;
    }
    return ring;
}

void sro_tbuf_ring_free(struct sro_tbuf_ring *ring)
{
    if ( !ring )
        return;
    free(ring->copy);
    free(ring->cpu);
    free(ring);
}

int sro_tbuf_ring_attach(struct sro_tbuf_ring *ring, unsigned int cpu,
                         void *const *page)
{
    if ( cpu >= ring->ncpus || !page )
        return -1;
    ring->cpu[cpu].page = (unsigned char *const *)page;
    ring->cpu[cpu].st.attached = true;
    return 0;
}

static struct sro_tbuf_meta *meta_of(const struct tbuf_cpu *c)
{
    return (struct sro_tbuf_meta *)c->page[0];
}

/*
 * Bytes between cons and prod of a buffer of data size d, or UINT32_MAX
 * if the pair is impossible (what Xen's own bogus() refuses, plus a
 * distance over d, which Xen never produces).
 */
static uint32_t fill_of(uint32_t cons, uint32_t prod, uint32_t d)
{
    uint32_t n;

    if ( (cons & 3) || (prod & 3) || cons >= 2 * d || prod >= 2 * d )
        return UINT32_MAX;
    n = prod >= cons ? prod - cons : prod + 2 * d - cons;
    return n <= d ? n : UINT32_MAX;
}

/*
 * Copy n bytes of c's data area from data offset `from` (< d) into dst,
 * wrapping at the end of the data area and crossing page boundaries
 * wherever they fall.
 */
static void copy_out(const struct sro_tbuf_ring *ring,
                     const struct tbuf_cpu *c, uint32_t from, uint32_t n,
                     unsigned char *dst)
{
    while ( n )
    {
        uint32_t pos = SRO_TBUF_META_BYTES + from; /* in the page array */
        uint32_t in_page = pos % SRO_TBUF_PAGE_SIZE;
        uint32_t chunk = SRO_TBUF_PAGE_SIZE - in_page;

        if ( chunk > n )
            chunk = n;
        if ( chunk > ring->data_size - from )
            chunk = ring->data_size - from;
        memcpy(dst, c->page[pos / SRO_TBUF_PAGE_SIZE] + in_page, chunk);
        dst += chunk;
        n -= chunk;
        from += chunk;
        if ( from == ring->data_size )
            from = 0;
    }
}

static void put_le32(unsigned char *p, uint32_t v)
{
    p[0] = v;
    p[1] = v >> 8;
    p[2] = v >> 16;
    p[3] = v >> 24;
}

uint32_t sro_tbuf_ring_pending(const struct sro_tbuf_ring *ring,
                               unsigned int cpu)
{
    const struct tbuf_cpu *c;
    uint32_t cons, prod, n;

    if ( cpu >= ring->ncpus || !ring->cpu[cpu].page ||
         ring->cpu[cpu].st.bogus )
        return 0;
    c = &ring->cpu[cpu];
    cons = __atomic_load_n(&meta_of(c)->cons, __ATOMIC_RELAXED);
    prod = __atomic_load_n(&meta_of(c)->prod, __ATOMIC_RELAXED);
    n = fill_of(cons, prod, ring->data_size);
    return n == UINT32_MAX ? 0 : n;
}

/*
 * Take cpu's waiting bytes into ring->copy and release them to Xen.
 * Returns the byte count (0: nothing waiting or bogus, then detached).
 */
static uint32_t take(struct sro_tbuf_ring *ring, unsigned int cpu)
{
    struct tbuf_cpu *c = &ring->cpu[cpu];
    struct sro_tbuf_meta *m = meta_of(c);
    uint32_t cons, prod, n;

    cons = __atomic_load_n(&m->cons, __ATOMIC_RELAXED);
    prod = __atomic_load_n(&m->prod, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_ACQUIRE);      /* xen_rmb() */

    n = fill_of(cons, prod, ring->data_size);
    if ( n == UINT32_MAX )
    {
        c->st.bogus = true;
        c->st.bogus_cons = cons;
        c->st.bogus_prod = prod;
        c->page = NULL;
        c->st.attached = false;
        return 0;
    }
    if ( n == 0 )
        return 0;

    copy_out(ring, c,
             cons >= ring->data_size ? cons - ring->data_size : cons, n,
             ring->copy);

    __atomic_thread_fence(__ATOMIC_SEQ_CST);      /* xen_mb() */
    __atomic_store_n(&m->cons, prod, __ATOMIC_RELAXED);

    if ( n > c->st.max_fill )
        c->st.max_fill = n;
    return n;
}

int64_t sro_tbuf_ring_drain(struct sro_tbuf_ring *ring, FILE *out,
                            char *err, size_t errlen)
{
    int64_t total = 0;

    for ( unsigned int cpu = 0; cpu < ring->ncpus; cpu++ )
    {
        unsigned char hdr[12];
        uint32_t n;

        if ( !ring->cpu[cpu].page )
            continue;
        n = take(ring, cpu);
        if ( n == 0 )
            continue;

        put_le32(hdr, SRO_TREC_HDR(TRC_TRACE_CPU_CHANGE, 2, 0));
        put_le32(hdr + 4, cpu);
        put_le32(hdr + 8, n);
        if ( fwrite(hdr, 1, sizeof(hdr), out) != sizeof(hdr) ||
             fwrite(ring->copy, 1, n, out) != n )
        {
            set_err(err, errlen, "writing cpu %u's window of %" PRIu32
                    " bytes: %s", cpu, n, strerror(errno));
            return -1;
        }
        ring->cpu[cpu].st.windows++;
        ring->cpu[cpu].st.bytes += n;
        total += n;
    }
    return total;
}

void sro_tbuf_ring_stats(const struct sro_tbuf_ring *ring, unsigned int cpu,
                         struct sro_tbuf_cpu_stats *st)
{
    if ( cpu >= ring->ncpus )
    {
        memset(st, 0, sizeof(*st));
        return;
    }
    *st = ring->cpu[cpu].st;
}

unsigned int sro_tbuf_ring_ncpus(const struct sro_tbuf_ring *ring)
{
    return ring->ncpus;
}

uint32_t sro_tbuf_ring_data_size(const struct sro_tbuf_ring *ring)
{
    return ring->data_size;
}

/*
 * writer.c - the xentrace file writer of writer.h.
 *
 * Each physical CPU has a pending window: a growable byte buffer of whole
 * records, encoded little-endian as Xen lays out struct t_rec. Flushing a
 * CPU writes one TRC_TRACE_CPU_CHANGE header (cpu, byte count) and the
 * buffer, like one pass of xentrace over that CPU's ring; a record that
 * would overfill the window (window_max) flushes first, so records never
 * straddle windows and memory stays bounded however long a CPU goes
 * without an explicit flush. The encoders below are the only place that
 * turns the structs of core/types.h into event words; the assembler is
 * their inverse, and tests/unit/test-writer.c round-trips the two.
 */
#include <stdlib.h>
#include <string.h>

#include "writer.h"

struct cpu_window {
    uint8_t  *buf;              /* pending records */
    uint32_t  len;              /* bytes used */
    uint32_t  cap;              /* bytes allocated */
};

struct sro_writer {
    FILE              *out;     /* not ours */
    unsigned int       ncpus;
    struct cpu_window *cpu;     /* ncpus entries */
    uint32_t           window_max;
    uint64_t           bytes;   /* written to out */
    bool               failed;  /* an fwrite() fell short */
};

static inline void put_le32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)v;
    p[1] = (uint8_t)(v >> 8);
    p[2] = (uint8_t)(v >> 16);
    p[3] = (uint8_t)(v >> 24);
}

struct sro_writer *sro_writer_new(FILE *out, unsigned int ncpus)
{
    struct sro_writer *w;

    if ( ncpus == 0 )
        return NULL;
    w = calloc(1, sizeof(*w));
    if ( !w )
        return NULL;
    w->cpu = calloc(ncpus, sizeof(*w->cpu));
    if ( !w->cpu )
    {
        free(w);
        return NULL;
    }
    w->out = out;
    w->ncpus = ncpus;
    w->window_max = SRO_WRITER_WINDOW_MAX;
    return w;
}

int sro_writer_set_window_max(struct sro_writer *w, uint32_t bytes)
{
    if ( bytes < SRO_TREC_BYTES(SRO_TREC_MAX_WORDS, 1) || bytes % 4 )
        return -1;
    w->window_max = bytes;
    return 0;
}

uint64_t sro_writer_bytes(const struct sro_writer *w)
{
    return w->bytes;
}

uint32_t sro_writer_pending(const struct sro_writer *w, unsigned int cpu)
{
    return cpu < w->ncpus ? w->cpu[cpu].len : 0;
}

/* n bytes to the output, counted; -1 (and failed set) if they did not go. */
static int put(struct sro_writer *w, const void *p, size_t n)
{
    if ( n && fwrite(p, 1, n, w->out) != n )
    {
        w->failed = true;
        return -1;
    }
    w->bytes += n;
    return 0;
}

int sro_writer_flush_cpu(struct sro_writer *w, unsigned int cpu,
                         bool allow_empty)
{
    struct cpu_window *cw;
    uint8_t hdr[12];
    int rc;

    if ( cpu >= w->ncpus )
        return -1;
    cw = &w->cpu[cpu];
    if ( cw->len == 0 && !allow_empty )
        return 0;
    put_le32(hdr, SRO_TREC_HDR(TRC_TRACE_CPU_CHANGE, 2, 0));
    put_le32(hdr + 4, cpu);
    put_le32(hdr + 8, cw->len);
    rc = put(w, hdr, sizeof(hdr));
    if ( rc == 0 )
        rc = put(w, cw->buf, cw->len);
    cw->len = 0;
    return rc;
}

int sro_writer_close(struct sro_writer *w)
{
    int rc = 0;

    if ( !w )
        return 0;
    for ( unsigned int i = 0; i < w->ncpus; i++ )
    {
        if ( sro_writer_flush_cpu(w, i, false) )
            rc = -1;
        free(w->cpu[i].buf);
    }
    if ( fflush(w->out) || w->failed )
        rc = -1;
    free(w->cpu);
    free(w);
    return rc;
}

int sro_writer_rec(struct sro_writer *w, unsigned int cpu, uint32_t event,
                   bool has_tsc, uint64_t tsc, const uint32_t *words,
                   unsigned int nwords)
{
    struct cpu_window *cw;
    uint32_t size = SRO_TREC_BYTES(nwords, has_tsc);
    uint8_t *p;

    if ( cpu >= w->ncpus || nwords > SRO_TREC_MAX_WORDS ||
         event > 0x0fffffffu )
        return -1;
    cw = &w->cpu[cpu];
    if ( cw->len + size > w->window_max &&
         sro_writer_flush_cpu(w, cpu, false) )
        return -1;
    if ( cw->len + size > cw->cap )
    {
        uint32_t n = cw->cap ? cw->cap : 4096;
        uint8_t *nb;

        while ( n < cw->len + size )
            n *= 2;
        nb = realloc(cw->buf, n);
        if ( !nb )
            return -1;
        cw->buf = nb;
        cw->cap = n;
    }
    p = cw->buf + cw->len;
    put_le32(p, SRO_TREC_HDR(event, nwords, has_tsc));
    p += 4;
    if ( has_tsc )
    {
        put_le32(p, (uint32_t)tsc);
        put_le32(p + 4, (uint32_t)(tsc >> 32));
        p += 8;
    }
    for ( unsigned int i = 0; i < nwords; i++ )
        put_le32(p + 4 * i, words[i]);
    cw->len += size;
    return 0;
}

int sro_write_range_add(struct sro_writer *w, unsigned int cpu, uint64_t tsc,
                        uint64_t start, uint32_t size, int32_t rc,
                        uint32_t flags)
{
    uint32_t x[SRO_RANGE_ADD_WORDS] = {
        (uint32_t)start, (uint32_t)(start >> 32), size, (uint32_t)rc, flags,
    };

    return sro_writer_rec(w, cpu, SRO_RANGE_ADD, true, tsc, x,
                          SRO_RANGE_ADD_WORDS);
}

int sro_write_ro_pages(struct sro_writer *w, unsigned int cpu, uint64_t tsc,
                       uint64_t first, uint64_t last)
{
    uint32_t x[SRO_RO_PAGES_WORDS] = {
        (uint32_t)first, (uint32_t)(first >> 32),
        (uint32_t)last, (uint32_t)(last >> 32),
    };

    return sro_writer_rec(w, cpu, SRO_RO_PAGES, true, tsc, x,
                          SRO_RO_PAGES_WORDS);
}

int sro_write_range_state(struct sro_writer *w, unsigned int cpu,
                          uint64_t tsc, uint64_t mfn, unsigned int quarter,
                          bool mapped, const uint32_t bits[4])
{
    uint32_t x[SRO_RANGE_STATE_WORDS] = {
        (uint32_t)mfn, (uint32_t)(mfn >> 32),
        (quarter & 3u) | (mapped ? SRO_STATE_MAPPED : 0),
        bits[0], bits[1], bits[2], bits[3],
    };

    return sro_writer_rec(w, cpu, SRO_RANGE_STATE, true, tsc, x,
                          SRO_RANGE_STATE_WORDS);
}

int sro_write_lost(struct sro_writer *w, unsigned int cpu, uint64_t tsc,
                   uint32_t count, uint16_t domain, uint16_t vcpu,
                   uint64_t first_tsc)
{
    uint32_t x[4] = {
        count, domain | ((uint32_t)vcpu << 16),
        (uint32_t)first_tsc, (uint32_t)(first_tsc >> 32),
    };

    return sro_writer_rec(w, cpu, TRC_LOST_RECORDS, true, tsc, x, 4);
}

/* Data byte k of wr as the trace carries it: zero past data_len. */
static inline uint32_t data_byte(const struct sro_write *wr, unsigned int k)
{
    return k < wr->data_len && k < SRO_WRITE_DATA_MAX ? wr->data[k] : 0;
}

/* SRO_WRITE of wr, then SRO_DATA records for its bytes 8.. when its
 * length is over 8 (up to SRO_WRITE_DATA_MAX bytes in all). */
static int write_one_write(struct sro_writer *w, unsigned int cpu,
                           const struct sro_write *wr)
{
    unsigned int len = wr->len, end;
    uint32_t x[SRO_WRITE_WORDS] = {
        (uint32_t)wr->mfn, (uint32_t)(wr->mfn >> 32),
        SRO_WRITE_W2(wr->offset, wr->len, wr->result), 0, 0,
        wr->dev_offset & 0xfffu,
    };

    for ( unsigned int k = 0; k < 8 && k < len; k++ )
        x[3 + k / 4] |= data_byte(wr, k) << (8 * (k % 4));
    if ( sro_writer_rec(w, cpu, SRO_WRITE, false, 0, x, SRO_WRITE_WORDS) )
        return -1;

    end = len < SRO_WRITE_DATA_MAX ? len : SRO_WRITE_DATA_MAX;
    for ( unsigned int k0 = 8; k0 < end; k0 += 4 * SRO_DATA_MAX_WORDS )
    {
        uint32_t d[SRO_DATA_MAX_WORDS] = { 0 };
        unsigned int n = end - k0;

        if ( n > 4 * SRO_DATA_MAX_WORDS )
            n = 4 * SRO_DATA_MAX_WORDS;
        for ( unsigned int i = 0; i < n; i++ )
            d[i / 4] |= data_byte(wr, k0 + i) << (8 * (i % 4));
        if ( sro_writer_rec(w, cpu, SRO_DATA, false, 0, d, (n + 3) / 4) )
            return -1;
    }
    return 0;
}

int sro_write_group(struct sro_writer *w, const struct sro_fault *f,
                    const struct sro_write *writes, unsigned int nwrites,
                    const struct sro_done *done)
{
    unsigned int cpu = f->cpu;
    uint32_t x[SRO_FAULT_WORDS] = {
        f->vcpu | ((uint32_t)f->domain << 16),
        (f->path & 0xfu) | (f->gla_valid ? SRO_FAULT_GLA_VALID : 0) |
            (f->hwdom ? SRO_FAULT_HWDOM : 0) |
            ((uint32_t)(f->code_size & 3u) << 8) |
            ((uint32_t)((f->mfn >> 32) & 0xffffu) << 16),
        (uint32_t)f->gla, (uint32_t)(f->gla >> 32),
        (uint32_t)f->gpa, (uint32_t)(f->gpa >> 32),
        (uint32_t)f->mfn,
    };

    if ( sro_writer_rec(w, cpu, SRO_FAULT, true, f->tsc, x, SRO_FAULT_WORDS) )
        return -1;

    if ( f->has_insn )
    {
        unsigned int len = f->insn_len & 0xfu;
        uint32_t y[SRO_INSN_WORDS] = {
            len, 0, 0, 0, 0, (uint32_t)f->rip, (uint32_t)(f->rip >> 32),
        };

        for ( unsigned int k = 0; k < len; k++ )
            y[1 + k / 4] |= (uint32_t)f->insn[k] << (8 * (k % 4));
        if ( sro_writer_rec(w, cpu, SRO_INSN, false, 0, y, SRO_INSN_WORDS) )
            return -1;
    }

    for ( unsigned int i = 0; i < nwrites; i++ )
        if ( write_one_write(w, cpu, &writes[i]) )
            return -1;

    if ( done )
    {
        uint32_t z[SRO_DONE_WORDS] = {
            SRO_DONE_W0(done->outcome, done->reason, done->emul_rc),
            done->nwrites, done->store_size,
        };

        if ( sro_writer_rec(w, cpu, SRO_DONE, false, 0, z, SRO_DONE_WORDS) )
            return -1;
    }
    return 0;
}

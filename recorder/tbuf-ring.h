/*
 * tbuf-ring.h - consume Xen's per-CPU trace buffers from memory, as
 * xentrace does, and write what they hold as xentrace-file windows.
 *
 * Xen (xen/common/trace.c) gives each physical CPU a buffer of P pages.
 * The first 8 bytes of the first page are struct t_buf { cons, prod }; the
 * data area is the remaining P*4096 - 8 bytes ("data size" D), spread over
 * the P pages, which need not be contiguous in memory: a record may start
 * on one page and end on the next. cons and prod are byte counters modulo
 * 2*D (so that prod == cons means empty and prod - cons == D means full);
 * byte counter c lives at data offset c mod D. Xen writes records at prod
 * and advances prod (after a write barrier); it never writes cons, and
 * pads the end of the data area with a TRC_TRACE_WRAP_BUFFER record so
 * that no record crosses it. When the buffer is full Xen drops records and
 * counts them, then writes one TRC_LOST_RECORDS before the next record
 * that fits. The consumer reads prod once, reads barrier, copies the bytes
 * between cons and prod, full barrier, and then stores cons = prod.
 *
 * The page lists come from the t_info area (public/trace.h struct t_info):
 * u16 pages per CPU, then u16 mfn_offset[cpu], each the index, in u32
 * units from the start of t_info, of that CPU's list of u32 MFNs (0: the
 * CPU has no buffer). sro_tinfo_*() read it; mapping the MFNs is the
 * caller's business (recorder/live.c with libxenctrl; the tests with
 * plain memory), so this file knows nothing of Xen's libraries.
 *
 * Output is exactly trace-format.md section 2: per CPU with data, one
 * TRC_TRACE_CPU_CHANGE record (0x2001f003, cpu, byte count), then the
 * bytes as Xen wrote them, wrap padding and all (the reader skips it).
 */
#ifndef SRO_RECORDER_TBUF_RING_H
#define SRO_RECORDER_TBUF_RING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SRO_TBUF_PAGE_SIZE    4096u
#define SRO_TBUF_META_BYTES   8u      /* struct t_buf: u32 cons, u32 prod */
/* Data bytes of a buffer of `pages` pages. */
#define SRO_TBUF_DATA_SIZE(pages) \
    ((uint32_t)(pages) * SRO_TBUF_PAGE_SIZE - SRO_TBUF_META_BYTES)

/* The header of a per-CPU buffer, as Xen lays it out (struct t_buf). */
struct sro_tbuf_meta {
    uint32_t cons;              /* next byte counter the consumer reads */
    uint32_t prod;              /* next byte counter Xen writes */
};

/*
 * Pages per CPU recorded in a t_info area of `bytes` bytes: 0 and
 * *pages set, or -1 with a message in err (area too small, size 0).
 */
int sro_tinfo_pages(const void *t_info, size_t bytes, unsigned int *pages,
                    char *err, size_t errlen);

/*
 * CPU `cpu`'s MFN list in t_info: 1 and *mfns pointing into t_info (u32
 * each, `pages` of them), 0 if that CPU has no buffer (offset 0), -1 with
 * a message in err if the offset or the list lies outside the area.
 */
int sro_tinfo_cpu_mfns(const void *t_info, size_t bytes, unsigned int cpu,
                       const uint32_t **mfns, char *err, size_t errlen);

/* What one CPU's buffer has given so far. */
struct sro_tbuf_cpu_stats {
    bool     attached;          /* has a buffer being read */
    bool     bogus;             /* detached: cons/prod made no sense */
    uint32_t bogus_cons;        /* the values that made it so */
    uint32_t bogus_prod;
    uint64_t windows;           /* windows written */
    uint64_t bytes;             /* record bytes written */
    uint32_t max_fill;          /* most bytes found waiting at one drain */
};

struct sro_tbuf_ring;

/*
 * A consumer for CPUs 0..ncpus-1 whose buffers have `pages` pages each
 * (1..65535). NULL on bad arguments or out of memory.
 */
struct sro_tbuf_ring *sro_tbuf_ring_new(unsigned int ncpus,
                                        unsigned int pages);
void sro_tbuf_ring_free(struct sro_tbuf_ring *ring);

/*
 * Read CPU `cpu`'s buffer from `page[0..pages)`, the mapped pages in the
 * order of its MFN list (page[0] begins with struct sro_tbuf_meta). The
 * pages stay the caller's and must outlive the ring's use of them.
 * Returns 0, or -1 if cpu is out of range.
 */
int sro_tbuf_ring_attach(struct sro_tbuf_ring *ring, unsigned int cpu,
                         void *const *page);

/*
 * Take everything each attached CPU's buffer holds, once, and write it to
 * out as one window per CPU that had data, in CPU order; hands the space
 * back to Xen (cons = prod) as soon as the bytes are copied, before the
 * (possibly blocking) write. A CPU whose cons/prod are impossible
 * (unaligned, >= 2*D, or more than D apart) is detached and marked bogus
 * in its stats; the others go on. Returns the record bytes written, or -1
 * with a message in err if writing to out failed.
 */
int64_t sro_tbuf_ring_drain(struct sro_tbuf_ring *ring, FILE *out,
                            char *err, size_t errlen);

/* Bytes waiting in CPU cpu's buffer now (0 if not attached). */
uint32_t sro_tbuf_ring_pending(const struct sro_tbuf_ring *ring,
                               unsigned int cpu);

/* Statistics of CPU cpu (all zero if out of range). */
void sro_tbuf_ring_stats(const struct sro_tbuf_ring *ring, unsigned int cpu,
                         struct sro_tbuf_cpu_stats *st);

unsigned int sro_tbuf_ring_ncpus(const struct sro_tbuf_ring *ring);
uint32_t sro_tbuf_ring_data_size(const struct sro_tbuf_ring *ring);

#endif /* SRO_RECORDER_TBUF_RING_H */

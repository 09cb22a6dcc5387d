/*
 * tbuf-replica.h - an in-memory replica of Xen's trace buffers, with a
 * producer that follows xen/common/trace.c, for the tests of the live
 * capture (test-tbuf-ring.c, test-live.c).
 *
 * The replica is a t_info area (pages per CPU, mfn_offset[] for
 * TBR_NR_CPUS, then each CPU's list of u32 MFNs) and a pool of separately
 * allocated pages standing for machine frames, so a CPU's data area is
 * scattered in memory and records really straddle pages. The producer
 * (tbr_trace) follows the protocol of Xen's trace.c as read there,
 * written afresh: byte counters modulo 2*D, a dry run deciding whether the
 * record (plus a pending TRC_LOST_RECORDS, plus wrap padding) fits, a
 * TRC_TRACE_WRAP_BUFFER padding record of exactly the bytes left before
 * the end of the data area (with a TSC when it needs more than 7 words),
 * records dropped and counted when full, a write barrier before prod
 * moves. Its padding payload is whatever the buffer held, as in Xen.
 *
 * A minimal xentrace-file parser (windows of TRC_TRACE_CPU_CHANGE +
 * bytes, records never crossing a window's end) checks what a consumer
 * wrote against what the producer says it emitted. Failures are cmocka
 * assertions.
 */
#ifndef TEST_TBUF_REPLICA_H
#define TEST_TBUF_REPLICA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "recorder/tbuf-ring.h"

#define TBR_NR_CPUS    8            /* Xen's NR_CPUS for the replica */
#define TBR_PAGE       SRO_TBUF_PAGE_SIZE
#define TBR_LOST_BYTES 28u          /* header + TSC + 4 words */
#define TBR_EVENT      0x00081001u  /* some other class's event */
#define TBR_MFN_BASE   0x1000u      /* first fake MFN of the pool */

/* ------------------------------------------------------------------ */
/* The replica: t_info, a page pool, and one producer per CPU.         */

/* One record the producer emitted (what the consumer must hand out). */
struct tbr_emitted {
    uint32_t event;
    unsigned int nwords;
    bool     has_tsc;
    uint64_t tsc;
    uint32_t w[7];
};

struct tbr_cpu {
    bool           online;
    unsigned char **page;       /* this CPU's pages, in MFN-list order */
    uint32_t       d;           /* data size */
    unsigned long  lost;        /* records dropped since the last LOST */
    uint64_t       lost_tsc;    /* TSC of the first of them */
    uint16_t       dom, vcpu;   /* "current" when a LOST is written */
    /* What was emitted and not yet checked (a queue). */
    struct tbr_emitted *q;
    size_t         qhead, qtail, qcap;
    /* Counters. */
    uint64_t       attempts;    /* data records offered */
    uint64_t       dropped;     /* of them, dropped */
    uint64_t       wraps;       /* padding records written */
    uint64_t       straddles;   /* records that crossed a page */
    uint64_t       prod_wraps;  /* times prod went past 2*D back to 0.. */
    uint64_t       next_seq;    /* seq of the next data record offered */
};

struct tbr_replica {
    unsigned int   ncpus;
    unsigned int   pages;
    unsigned char *t_info;      /* t_info_pages pages */
    size_t         t_info_bytes;
    unsigned char **pool;       /* pool[mfn - TBR_MFN_BASE] */
    unsigned int   npool;
    uint64_t       tsc;
    bool           expect;      /* queue what is emitted, for checking */
    struct tbr_cpu  cpu[TBR_NR_CPUS];
};

struct tbr_rec {
    uint32_t cpu;
    uint32_t event;
    unsigned int nwords;
    bool     has_tsc;
    uint64_t tsc;
    uint32_t w[7];
};

struct tbr_parsed {
    struct tbr_rec *r;
    size_t n, cap;
    size_t windows;
    size_t wraps;               /* padding records skipped */
    size_t wrap_bytes;
    uint32_t window_bytes[64];  /* of the first 64 windows */
    uint32_t window_cpu[64];
};

/* The producer: Xen's side of one CPU's buffer. */
struct sro_tbuf_meta *tbr_meta(struct tbr_cpu *c);
uint32_t tbr_used(struct tbr_cpu *c);           /* bytes waiting */
uint32_t tbr_to_wrap(struct tbr_cpu *c);        /* bytes to the end, 1..D */
/* trace(): true if written, false if dropped (counted for TRC_LOST). */
bool tbr_trace(struct tbr_replica *r, unsigned int cpu, uint32_t event,
               unsigned int nwords, bool cycles, const uint32_t *w);
/* Words of data record number seq: w0 = seq, the rest derived from it. */
void tbr_seq_words(uint64_t seq, unsigned int nwords, uint32_t *w);
/* Offer CPU cpu's next data record (TBR_EVENT, w from its seq). */
bool tbr_data(struct tbr_replica *r, unsigned int cpu, unsigned int nwords,
              bool cycles);
/* Offer data records until CPU cpu's prod is target (all must fit). */
void tbr_fill_to(struct tbr_replica *r, unsigned int cpu, uint32_t target);

/* ncpus CPUs of `pages` pages; CPUs in offline_mask have no buffer. */
struct tbr_replica *tbr_new(unsigned int ncpus, unsigned int pages,
                            unsigned int offline_mask);
void tbr_free(struct tbr_replica *r);

/* The consumer's view, as live.c builds it: t_info parsed, each MFN
 * "mapped" through the pool, attached. maps[ncpus] receives the page
 * arrays, freed by tbr_consumer_free(). */
struct sro_tbuf_ring *tbr_consumer_new(struct tbr_replica *r, void ***maps);
void tbr_consumer_free(struct tbr_replica *r, struct sro_tbuf_ring *ring,
                       void ***maps);

/* The parser. */
uint32_t tbr_le32(const unsigned char *p);
void tbr_parse(const unsigned char *buf, size_t len, struct tbr_parsed *p);
/* Drain once into memory, parse, check the byte count; returns the
 * drain's result. */
int64_t tbr_drain_parse(struct sro_tbuf_ring *ring, struct tbr_parsed *p);
/* The same, appending the drained bytes to copy as well. */
int64_t tbr_drain_parse_copy(struct sro_tbuf_ring *ring,
                             struct tbr_parsed *p, FILE *copy);
/* Every parsed record must be the next one its CPU's producer emitted. */
void tbr_check(struct tbr_replica *r, const struct tbr_parsed *p);
void tbr_parsed_free(struct tbr_parsed *p);

#endif /* TEST_TBUF_REPLICA_H */

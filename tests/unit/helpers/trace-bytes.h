/*
 * trace-bytes.h - build xentrace byte sequences by hand, for unit tests.
 *
 * A struct tb is a growable byte buffer. Tests append window headers and
 * records word by word (little-endian, as trace-format.md lays them out),
 * so every byte of a test input is visible in the test itself, then read
 * it back through tb_open() (a temporary file) or tb_collect() (reader +
 * assembler, everything they report gathered in a struct tb_run).
 */
#ifndef TEST_TRACE_BYTES_H
#define TEST_TRACE_BYTES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/types.h"
#include "trace/assemble.h"
#include "trace/reader.h"

struct tb {
    uint8_t *p;                 /* bytes */
    size_t   len;               /* used */
    size_t   cap;               /* allocated */
    size_t   win;               /* offset of the open window's header */
    bool     open;              /* a tb_win() awaits its tb_end() */
};

void tb_init(struct tb *b);
void tb_free(struct tb *b);
void tb_u32(struct tb *b, uint32_t v);
void tb_bytes(struct tb *b, const void *p, size_t n);
/* Window header for cpu whose byte count tb_end() fills in. */
void tb_win(struct tb *b, uint32_t cpu);
void tb_end(struct tb *b);
/* Window header with an explicit byte count (nothing to end). */
void tb_win_n(struct tb *b, uint32_t cpu, uint32_t nbytes);
/* A record of n words given as unsigned int arguments; returns its
 * offset. */
uint64_t tb_rec(struct tb *b, uint32_t event, bool has_tsc, uint64_t tsc,
                unsigned int n, ...);

/* Shorthands for group records with plain contents: domain 1 vcpu 2, HVM
 * 4.21 path, 64-bit code, GLA not valid, mfn = gpa >> 12. */
uint64_t tb_fault(struct tb *b, uint64_t tsc, uint64_t gpa);
uint64_t tb_insn(struct tb *b);          /* 89 07: mov %eax,(%rdi) */
uint64_t tb_write(struct tb *b, uint64_t mfn, unsigned int off,
                  unsigned int len, unsigned int result, uint64_t data);
uint64_t tb_done(struct tb *b, unsigned int nwrites);

/* The bytes as a readable stream (a temporary file). */
FILE *tb_open(const struct tb *b);

/* Everything reader + assembler said about one input. */
#define TB_MAX 256
struct tb_run {
    struct sro_group  groups[TB_MAX];       /* writes[] are copies */
    unsigned int      ngroups;
    struct sro_write  orphans[TB_MAX];
    struct sro_rec    orphan_recs[TB_MAX];
    unsigned int      norphans;
    struct sro_rec    configs[TB_MAX];
    unsigned int      nconfigs;
    struct sro_rec    losts[TB_MAX];
    unsigned int      nlosts;
    unsigned int      nunknown;             /* unknown() callbacks */
    struct sro_rec    recs[TB_MAX];         /* as the reader gave them */
    unsigned int      nrecs;
    char              errors[16][320];      /* reader messages on -1 */
    unsigned int      nerrors;
    char              problems[16][160];    /* assembler's last_problem */
    unsigned int      nproblems;
    char              final_error[320];     /* sro_reader_error() at end */
    struct sro_assemble_stats stats;
    uint64_t          bytes_read, bytes_unused, bytes_skipped, windows,
                      tsc_resets, reader_errors;
    char              sha[65];
};

/* Run the reader and the assembler over in (named name) to the end; the
 * result is heap (free it with tb_run_free). */
struct tb_run *tb_collect_file(FILE *in, const char *name);
struct tb_run *tb_collect(const struct tb *b);
void tb_run_free(struct tb_run *r);

#endif /* TEST_TRACE_BYTES_H */

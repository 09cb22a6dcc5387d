/*
 * writer.h - write a xentrace file in the exact ABI, as Xen's xentrace
 * would: records are buffered per physical CPU and flushed as windows
 * (TRC_TRACE_CPU_CHANGE + bytes) whose sizes and interleaving the caller
 * controls. Used by the synthesizer, the tests and the benchmarks.
 */
#ifndef SRO_TRACE_WRITER_H
#define SRO_TRACE_WRITER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/types.h"

struct sro_writer;

/* Write to out (not closed by the writer). ncpus: physical CPUs. */
struct sro_writer *sro_writer_new(FILE *out, unsigned int ncpus);
/* Flushes every CPU's pending records, then frees. Returns 0 or -1 (I/O). */
int sro_writer_close(struct sro_writer *w);

/* Append one record to cpu's pending window. */
int sro_writer_rec(struct sro_writer *w, unsigned int cpu, uint32_t event,
                   bool has_tsc, uint64_t tsc, const uint32_t *words,
                   unsigned int nwords);

/* Emit cpu's pending records as one window (no-op if none, unless
 * allow_empty, which writes a window of 0 bytes as xentrace sometimes does). */
int sro_writer_flush_cpu(struct sro_writer *w, unsigned int cpu,
                         bool allow_empty);
/* Pending bytes of cpu's window. */
uint32_t sro_writer_pending(const struct sro_writer *w, unsigned int cpu);

/* The default of sro_writer_set_window_max(). */
#define SRO_WRITER_WINDOW_MAX (256u * 1024)
/* Largest window: a record that would make cpu's pending bytes exceed
 * bytes (at least 40, a multiple of 4) first flushes what is pending, as
 * a full per-CPU buffer of Xen would be. Returns 0 or -1 (bad size). */
int sro_writer_set_window_max(struct sro_writer *w, uint32_t bytes);
/* Bytes written to out so far (window headers included). */
uint64_t sro_writer_bytes(const struct sro_writer *w);

/* Helpers that encode whole events of section 3 into cpu's window. */
int sro_write_range_add(struct sro_writer *w, unsigned int cpu, uint64_t tsc,
                        uint64_t start, uint32_t size, int32_t rc,
                        uint32_t flags);
int sro_write_ro_pages(struct sro_writer *w, unsigned int cpu, uint64_t tsc,
                       uint64_t first, uint64_t last);
int sro_write_range_state(struct sro_writer *w, unsigned int cpu,
                          uint64_t tsc, uint64_t mfn, unsigned int quarter,
                          bool mapped, const uint32_t bits[4]);
/* A whole group: FAULT, INSN (if f->has_insn), WRITE+DATA each, DONE
 * (if done != NULL). TSC on FAULT only, as the patches do. */
int sro_write_group(struct sro_writer *w, const struct sro_fault *f,
                    const struct sro_write *writes, unsigned int nwrites,
                    const struct sro_done *done);
int sro_write_lost(struct sro_writer *w, unsigned int cpu, uint64_t tsc,
                   uint32_t count, uint16_t domain, uint16_t vcpu,
                   uint64_t first_tsc);

#endif /* SRO_TRACE_WRITER_H */

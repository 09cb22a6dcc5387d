/*
 * reader.h - read a xentrace file (or pipe) record by record.
 *
 * The file is a sequence of windows (trace-format.md section 2): a
 * TRC_TRACE_CPU_CHANGE record naming a physical CPU and a byte count, then
 * that many bytes of that CPU's records. The reader streams: it holds one
 * record at a time, never the file, so memory stays flat on a pipe.
 *
 * It hands out every record of a window except window headers
 * (TRC_TRACE_CPU_CHANGE with 2 words and no TSC) and TRC_TRACE_WRAP_BUFFER
 * (consumed here); a record with the CPU_CHANGE id but another shape is no
 * window header and is handed out like any record of another class. Each
 * comes with its CPU, its own or inherited
 * TSC, and its byte offset in the input. Unknown events are handed out too:
 * counting them is the caller's business.
 */
#ifndef SRO_TRACE_READER_H
#define SRO_TRACE_READER_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "../core/abi.h"

/* One raw record. */
struct sro_rec {
    uint32_t event;             /* event id (header bits 0..27) */
    uint8_t  nwords;            /* extra words, 0..7 */
    bool     has_tsc;           /* carried its own TSC */
    uint64_t tsc;               /* own TSC, or the previous record's on cpu
                                 * (0 before the cpu's first TSC) */
    uint32_t cpu;               /* physical CPU of the window */
    uint64_t offset;            /* byte offset of the header in the input */
    uint32_t w[SRO_TREC_MAX_WORDS];
};

struct sro_reader;

/* CPU numbers a window may name: Xen's NR_CPUS is at most 16383. A window
 * header naming a larger one is treated as garbage. */
#define SRO_READER_MAX_CPUS 16384

/* Read from an open stream (not closed by the reader); name is for
 * messages ("-" for stdin). Unless in is a regular file, the reader reads
 * its descriptor directly (so records come as soon as they arrive): bytes
 * the caller already pulled into the stream's own buffer would be missed,
 * so hand it over unread. */
struct sro_reader *sro_reader_new(FILE *in, const char *name);
void sro_reader_free(struct sro_reader *r);

/*
 * Next record: 1 and *rec filled, 0 at a clean end of input, -1 on bad
 * input (sro_reader_error() says where and what; reading may continue:
 * the reader resynchronises where the format allows, and a later call
 * returns 0 at the end). A cut-off tail is not an error: it ends the
 * input, and sro_reader_bytes_unused() says how many bytes were left.
 */
int sro_reader_next(struct sro_reader *r, struct sro_rec *rec);

/* "FILE: offset N: what" of the last error, or NULL. */
const char *sro_reader_error(const struct sro_reader *r);

uint64_t sro_reader_bytes_read(const struct sro_reader *r);
uint64_t sro_reader_bytes_unused(const struct sro_reader *r);
uint64_t sro_reader_windows(const struct sro_reader *r);
/* Number of times a CPU's TSC went backwards (reported, not fatal). */
uint64_t sro_reader_tsc_resets(const struct sro_reader *r);
/* SHA-256 of every byte read so far, as 64 hex digits + NUL. */
void sro_reader_sha256(const struct sro_reader *r, char hex[65]);
/* Bytes passed over while resynchronising after bad input. */
uint64_t sro_reader_bytes_skipped(const struct sro_reader *r);
/* Number of times sro_reader_next() returned -1. */
uint64_t sro_reader_errors(const struct sro_reader *r);

#endif /* SRO_TRACE_READER_H */

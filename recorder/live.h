/*
 * live.h - capture from Xen's trace buffers on dom0, as a stream.
 *
 * sro_live_open() checks that this is a Xen dom0 that can trace, turns
 * tracing on (buffer size, event mask, CPU mask), maps t_info and every
 * CPU's buffer, and starts a capture thread that drains the buffers
 * (recorder/tbuf-ring.h) whenever Xen signals VIRQ_TBUF or a poll interval
 * passes, writing xentrace-file windows into a pipe. The caller reads the
 * other end of the pipe, a plain FILE *, exactly as it reads `record -`:
 * the stream is a xentrace file, byte for byte.
 *
 * The capture ends on the time limit, on SIGINT/SIGTERM (when asked to
 * handle them), on sro_live_stop(), or when the reader closes its end.
 * Ending means: disable tracing (unless keep_tracing), drain every buffer
 * once more, and close the pipe, so the reader sees a clean end of input
 * and the run is complete. The caller reads to the end of the stream and
 * then calls sro_live_close(); to end early, it calls sro_live_stop() and
 * still reads to the end (closing before that loses the last drain).
 *
 * Xen has one set of trace buffers per host, so there is at most one live
 * capture per process.
 *
 * Where there is no Xen, or not enough of it, sro_live_open() fails at
 * once (no blocking call is made before the checks) with a message that
 * says exactly what is missing, and changes nothing on the host.
 */
#ifndef SRO_RECORDER_LIVE_H
#define SRO_RECORDER_LIVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define SRO_LIVE_DEFAULT_PAGES    32          /* per CPU, as xentrace */
#define SRO_LIVE_DEFAULT_EVT_MASK 0x00804000u /* TRC_HW_MMIO_RO */
#define SRO_LIVE_DEFAULT_POLL_MS  100
/* Debug key of the xen-patches/ that emits SRO_RANGE_STATE/SRO_RO_PAGES. */
#define SRO_LIVE_STATE_KEY        "B"

struct sro_live_opts {
    double       seconds;       /* stop after this long; 0: no limit */
    unsigned int pages;         /* buffer pages per CPU; 0: default. Xen
                                 * keeps the size of buffers it already
                                 * has (set at boot with tbuf_size=) */
    const char  *cpu_mask;      /* CPUs to trace ("0x5" or "0-3,6");
                                 * NULL: leave Xen's mask (all by default) */
    uint32_t     evt_mask;      /* 0: SRO_LIVE_DEFAULT_EVT_MASK */
    bool         keep_tracing;  /* do not disable tracing at the end */
    bool         handle_signals;/* end cleanly on SIGINT/SIGTERM (they are
                                 * blocked in the calling thread until
                                 * sro_live_close and taken by the capture
                                 * thread) */
    unsigned int poll_ms;       /* longest wait between drains; 0: default */
    const char  *root;          /* prefix of /dev/xen and /proc/xen for the
                                 * checks (tests); NULL: "" */
};

/* What sro_live_open() learnt about the host, for the run row. */
struct sro_live_info {
    char         xen_version[48];   /* "4.20.1" */
    uint64_t     tsc_hz;            /* from physinfo's cpu_khz; 0: unknown */
    unsigned int ncpus;             /* CPU ids 0..ncpus-1 */
    unsigned int cpus_traced;       /* of them, with a buffer mapped */
    unsigned int pages;             /* buffer pages per CPU, as Xen has it */
    uint32_t     evt_mask;          /* the event mask set */
    bool         virq;              /* VIRQ_TBUF bound; else polling only */
    bool         state_requested;   /* debug key SRO_LIVE_STATE_KEY sent */
    char         note[160];         /* a remark for the user, or "" */
};

/* How the capture went, from sro_live_close(). */
struct sro_live_result {
    uint64_t     bytes;             /* record bytes written */
    uint64_t     windows;
    uint64_t     drains;            /* rounds over all buffers */
    unsigned int bogus_cpus;        /* buffers dropped for bad pointers */
    uint32_t     max_fill;          /* fullest buffer seen, in bytes */
    const char  *stop_reason;       /* "time limit", "SIGINT", "SIGTERM",
                                     * "stopped", "reader closed",
                                     * "error" */
    bool         tracing_disabled;  /* xc_tbuf_disable() succeeded */
    char         error[256];        /* what went wrong, or "" */
};

/*
 * Start a live capture. Returns the read end of the stream (the caller
 * reads it and must hand it back to sro_live_close(), not fclose()), or
 * NULL with err set and nothing changed on the host. *info is filled on
 * success.
 */
FILE *sro_live_open(const struct sro_live_opts *opts,
                    struct sro_live_info *info, char *err, size_t errlen);

/* Ask the capture to end (async-signal-safe; no-op if none is open). */
void sro_live_stop(void);

/*
 * End the capture if it has not ended, close `stream`, wait for the
 * capture thread, unmap and close everything, restore the signal mask.
 * Returns 0 if the capture ended cleanly, -1 otherwise (res->error says
 * why; the stream up to there is still valid).
 */
int sro_live_close(FILE *stream, struct sro_live_result *res);

/*
 * The capture thread and its stream over a ring the caller set up and
 * attached (no Xen call is made; "disabling tracing" is skipped). For the
 * tests, which drive it with an in-memory replica of Xen's buffers. The
 * ring stays the caller's; end with sro_live_close() as above.
 */
struct sro_tbuf_ring;
FILE *sro_live_open_ring(struct sro_tbuf_ring *ring,
                         const struct sro_live_opts *opts, char *err,
                         size_t errlen);

/*
 * Parse a CPU mask: "0x..." (hex bitmap, bit n = CPU n) or a list of CPUs
 * and ranges ("0-3,6"). Sets bits in map (nbits bits, zeroed first).
 * Returns 0, or -1 with err set (bad syntax, CPU >= nbits, empty).
 */
int sro_live_parse_cpumask(const char *s, uint8_t *map, unsigned int nbits,
                           char *err, size_t errlen);

#endif /* SRO_RECORDER_LIVE_H */

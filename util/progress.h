/*
 * progress.h - a one-line progress report for long work on stderr.
 *
 *     recorder: 120 MiB of 512 MiB (23%), 41234 groups/s
 *
 * Redrawn in place (carriage return) at most every interval_ms (200 ms:
 * five times a second), and only when the stream is a terminal, so logs
 * and pipes never see it; progress_end() erases the line. The caller owns
 * the struct; nothing is allocated. Call progress_update() as often as
 * convenient (per block or per group): when disabled it returns at once,
 * otherwise it costs one clock read.
 */
#ifndef SRO_PROGRESS_H
#define SRO_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

struct progress {
    FILE           *out;        /* where the line goes (stderr) */
    const char     *label;      /* not copied: must outlive the report */
    uint64_t        total;      /* bytes (or groups) expected, 0 = unknown */
    bool            by_groups;  /* progress counts groups, not bytes */
    bool            enabled;    /* out is a terminal */
    bool            shown;      /* a line is on screen */
    unsigned int    interval_ms;/* least time between two redraws */
    struct timespec start;      /* progress_start() */
    struct timespec last;       /* last redraw (start before the first) */
};

/* Begin a report on stderr; total_bytes 0 if unknown (a pipe). */
void progress_start(struct progress *p, const char *label,
                    uint64_t total_bytes);
/* The same on another stream (tests). */
void progress_start_on(struct progress *p, FILE *out, const char *label,
                       uint64_t total_bytes);
/* Begin a report whose progress is counted in groups of total_groups
 * (the replayer, which reads a database, not a file). */
void progress_start_groups(struct progress *p, const char *label,
                           uint64_t total_groups);
/* bytes done so far, groups so far: redraw if interval_ms has passed. */
void progress_update(struct progress *p, uint64_t bytes, uint64_t groups);
/* Erase the line, if one was drawn. */
void progress_end(struct progress *p);

#endif /* SRO_PROGRESS_H */

/*
 * progress.c - see progress.h.
 */
#include <inttypes.h>
#include <unistd.h>

#include "progress.h"

#define MIB (1024 * 1024)

static uint64_t ms_between(const struct timespec *a, const struct timespec *b)
{
    int64_t ms = (int64_t)(b->tv_sec - a->tv_sec) * 1000 +
                 (b->tv_nsec - a->tv_nsec) / 1000000;

    return ms > 0 ? (uint64_t)ms : 0;
}

void progress_start_on(struct progress *p, FILE *out, const char *label,
                       uint64_t total_bytes)
{
    p->out = out;
    p->label = label;
    p->total = total_bytes;
    p->by_groups = false;
    p->enabled = out && isatty(fileno(out));
    p->shown = false;
    p->interval_ms = 200;
    clock_gettime(CLOCK_MONOTONIC, &p->start);
    p->last = p->start;
}

void progress_start(struct progress *p, const char *label,
                    uint64_t total_bytes)
{
    progress_start_on(p, stderr, label, total_bytes);
}

void progress_start_groups(struct progress *p, const char *label,
                           uint64_t total_groups)
{
    progress_start_on(p, stderr, label, total_groups);
    p->by_groups = true;
}

void progress_update(struct progress *p, uint64_t bytes, uint64_t groups)
{
    struct timespec now;
    uint64_t elapsed;

    if ( !p->enabled )
        return;
    clock_gettime(CLOCK_MONOTONIC, &now);
    if ( ms_between(&p->last, &now) < p->interval_ms )
        return;
    p->last = now;
    elapsed = ms_between(&p->start, &now);
    if ( p->by_groups )
    {
        /* The same line, counted in groups: "replay: 120000 of 10000000
         * groups (1%), 41234 groups/s". */
        bytes = groups;
        fprintf(p->out, "\r%s: %" PRIu64, p->label, groups);
        if ( p->total )
            fprintf(p->out, " of %" PRIu64 " groups", p->total);
    }
    else
    {
        fprintf(p->out, "\r%s: %" PRIu64 " MiB", p->label, bytes / MIB);
        if ( p->total )
            fprintf(p->out, " of %" PRIu64 " MiB", p->total / MIB);
    }
    if ( p->total )
        fprintf(p->out, " (%u%%)",
                (unsigned int)(bytes >= p->total ? 100
                                                 : bytes * 100 / p->total));
    /* \033[K: erase what a longer previous line left. */
    fprintf(p->out, ", %" PRIu64 " groups/s\033[K",
            elapsed ? groups * 1000 / elapsed : 0);
    fflush(p->out);
    p->shown = true;
}

void progress_end(struct progress *p)
{
    if ( p->enabled && p->shown )
    {
        fputs("\r\033[K", p->out);
        fflush(p->out);
    }
    p->shown = false;
}

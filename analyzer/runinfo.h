/*
 * runinfo.h - what the analyzer needs to know about one run.
 *
 * Every command of the analyzer works run by run. This loads a run's row
 * (source, Xen version, TSC frequency, time span, counters) and its latest
 * complete replay (the `latest_replay` view of schema.sql), and turns TSCs
 * into seconds since the start of the run when the run knows its TSC
 * frequency.
 */
#ifndef SRO_RUNINFO_H
#define SRO_RUNINFO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "db/db.h"

struct runinfo {
    int64_t  id;
    char    *source;            /* never NULL */
    char    *status;            /* never NULL */
    char    *xen_version;       /* NULL if unknown */
    char    *host;              /* NULL if unknown */
    uint64_t tsc_hz;            /* 0 if unknown */
    bool     has_tsc;           /* first_tsc/last_tsc known */
    uint64_t first_tsc;         /* runs.first_tsc, else the first fault's */
    uint64_t last_tsc;          /* runs.last_tsc, else the last fault's */
    int64_t  records, groups_total, incomplete_groups, lost_records;
    int64_t  lost_spans;        /* TRC_LOST_RECORDS rows */
    int64_t  orphan_writes;
    int64_t  replay;            /* latest complete replay, 0 if none */
    char    *replay_model;      /* NULL if not replayed */
    char    *replay_created;
};

/* Load run `id`. 0, or -1 with *e filled. Free with runinfo_free(). */
int runinfo_load(sqlite3 *db, int64_t id, struct runinfo *r,
                 struct sro_db_err *e);
void runinfo_free(struct runinfo *r);

/*
 * The runs a command covers: the one `spec` names (--run N) or, when spec
 * is NULL and `all` is set, every run in id order; when spec is NULL and
 * `all` is not set, the latest complete run. *ids is malloc'ed.
 * 0, or -1 with *e filled (no runs at all is an error too).
 */
int runinfo_select(sqlite3 *db, const char *spec, bool all, int64_t **ids,
                   unsigned int *n, struct sro_db_err *e);

/* Seconds from the start of the run to `tsc`: false if unknown. */
bool runinfo_seconds(const struct runinfo *r, uint64_t tsc, double *s);
/* Length of the run in seconds: false if unknown. */
bool runinfo_span(const struct runinfo *r, double *s);
/*
 * `tsc` for people: "12.345678" (seconds since the start of the run) or,
 * without a TSC frequency, "+123456789 tsc".
 */
void runinfo_time(const struct runinfo *r, uint64_t tsc, char *buf,
                  size_t buflen);

#endif /* SRO_RUNINFO_H */

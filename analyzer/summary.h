/*
 * summary.h - per-run summaries for the report and the audit.
 *
 * Counting a run of millions of groups takes several passes over it;
 * the report and the audit need only a few hundred counts. A summary
 * (schema.sql: summaries, sum_groups, sum_pieces, sum_rips, sum_wrong) is
 * counted in memory while the rows go by: `record`'s sink counts each
 * group it stores (summary_acc_group), `replay` each group it judges
 * (summary_acc_judged). Older runs and replays, and hand-made rows, are
 * counted by one ordered pass over the run's groups, pieces and verdicts
 * (summary_build): at the next `record`, or on first use when the
 * database is writable. Without one (read-only database, run still
 * recording) the analyzer queries the per-group tables as before.
 */
#ifndef SRO_SUMMARY_H
#define SRO_SUMMARY_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "db/db.h"

/* Entries of sum_wrong kept per wrong verdict (the report lists 50). */
#define SUMMARY_MAX_WRONG 50

/*
 * Make (or remake) the summary of run `run` with the verdicts of replay
 * `replay` (0: none) and store it; *sid its id. 0, or -1 with *e filled.
 */
int summary_build(sqlite3 *db, int64_t run, int64_t replay, int64_t *sid,
                  struct sro_db_err *e);

/*
 * The summary of (run, replay) (replay 0: without verdicts; `any`: of
 * any replay, or none, of the run, as the audit needs no verdicts) into
 * *sid, made now if missing and the database is writable and the run is
 * not still recording. *sid = 0 when there is none to be had. 0, or -1
 * with *e filled.
 */
int summary_get(sqlite3 *db, int64_t run, int64_t replay, bool any,
                int64_t *sid, struct sro_db_err *e);

/*
 * Counting while recording (recorder/db-sink.c), so that `record` need
 * not read its run back: the column values of each fault_groups row and
 * of its dev_writes rows, as stored.
 */
struct summary_group {
    int64_t  domain, vcpu, hwdom, mfn, page_offset, tsc;
    bool     has_insn;          /* insn and rip not NULL */
    int64_t  insn, rip;
    int64_t  store_size;        /* 0 when NULL */
    bool     has_outcome;
    int64_t  outcome;
};
struct summary_piece {
    int64_t mfn, offset, length, result, dev_offset;
};
struct summary_acc;

struct summary_acc *summary_acc_new(void);
void summary_acc_free(struct summary_acc *a);
/* Count one group with its n pieces in piece order. */
void summary_acc_group(struct summary_acc *a, const struct summary_group *g,
                       const struct summary_piece *w, unsigned int n);
/* Count one orphan piece. */
void summary_acc_orphan(struct summary_acc *a, const struct summary_piece *w);
/*
 * Store what a counted as the summary of run `run` without verdicts,
 * inside the caller's open transaction (the summary tables must exist).
 * 0, or -1 with *e filled.
 */
int summary_acc_store(sqlite3 *db, int64_t run, const struct summary_acc *a,
                      struct sro_db_err *e);

/*
 * Counting while replaying (cli/cmd-replay.c): the group just judged,
 * with its recorded verdict. summary_acc_store_replay() then stores the
 * summary of (run, replay): the verdict counts from a, the pieces and
 * RIPs copied from the run's summary, provided that a, verdicts aside,
 * counted exactly what the run's summary holds; otherwise (or without a
 * run summary) it makes the summary by the full pass of summary_build().
 * 0, or -1 with *e filled.
 */
struct sro_group_result;
void summary_acc_judged(struct summary_acc *a,
                        const struct sro_group_result *r);
int summary_acc_store_replay(sqlite3 *db, int64_t run, int64_t replay,
                             const struct summary_acc *a, int64_t *sid,
                             struct sro_db_err *e);

/* Summarise every run that is not recording and has no summary (the end
 * of `record`). 0, or -1 with *e filled. */
int summary_build_missing(sqlite3 *db, struct sro_db_err *e);

#endif /* SRO_SUMMARY_H */

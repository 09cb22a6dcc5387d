/*
 * summary.h - per-run summaries for the report and the audit.
 *
 * Counting a run of millions of groups takes several passes over it;
 * the report and the audit need only a few hundred counts. A summary
 * (schema.sql: summaries, sum_groups, sum_pieces, sum_rips, sum_wrong) is
 * made once, in one ordered pass over the run's groups, its pieces and
 * (for a replay) its verdicts, with the counting in memory: `record` makes
 * one per run, `replay` one per complete replay, and the analyzer makes
 * a missing one on first use when the database is writable. Without one
 * (read-only database, run still recording, database older than the
 * tables) the analyzer queries the per-group tables as before.
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

/* Summarise every run that is not recording and has no summary (the end
 * of `record`). 0, or -1 with *e filled. */
int summary_build_missing(sqlite3 *db, struct sro_db_err *e);

#endif /* SRO_SUMMARY_H */

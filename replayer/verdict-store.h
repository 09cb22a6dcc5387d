/*
 * verdict-store.h - keep a replay in the database.
 *
 * One row in `replays` (status 'running' until the end), one row per group
 * in `verdicts`, inserted with one prepared statement in batched
 * transactions; reports and diffs then read verdicts without replaying.
 */
#ifndef SRO_REPLAYER_VERDICT_STORE_H
#define SRO_REPLAYER_VERDICT_STORE_H

#include <stdint.h>

#include <sqlite3.h>

#include "db/db.h"
#include "replay.h"

struct sro_verdict_store;

/* Start replay of run through model_name (what_if: plan path or NULL).
 * NULL with *e filled on error. */
struct sro_verdict_store *sro_verdict_store_begin(sqlite3 *db, int64_t run,
                                                  const char *model_name,
                                                  const char *what_if,
                                                  struct sro_db_err *e);
int64_t sro_verdict_store_id(const struct sro_verdict_store *vs);
/* Add the verdict row of one group. 0 or -1. */
int sro_verdict_store_add(struct sro_verdict_store *vs,
                          const struct sro_group_result *r,
                          struct sro_db_err *e);
/* Commit, write the counts and status ('complete' or 'interrupted'), and
 * free. 0 or -1. */
int sro_verdict_store_end(struct sro_verdict_store *vs,
                          const struct sro_replay_stats *stats,
                          bool complete, struct sro_db_err *e);

/* The build identity recorded with each replay. */
const char *sro_core_build_id(void);

#endif /* SRO_REPLAYER_VERDICT_STORE_H */

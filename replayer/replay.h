/*
 * replay.h - push a recorded run back through the core.
 *
 * For every group of a run, in recorded order: rebuild the protection at
 * that moment (config-timeline.h), decode its instruction once per
 * distinct instruction (a cache indexed by instruction id), judge what was
 * recorded with the oracle, ask each model what its Xen would have done,
 * judge that too, and name the first difference between the recording and
 * the first model. Results go to a callback, one group at a time: the
 * engine keeps nothing per group, so memory does not grow with the run.
 */
#ifndef SRO_REPLAYER_REPLAY_H
#define SRO_REPLAYER_REPLAY_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/decode.h"
#include "core/model.h"
#include "core/oracle.h"
#include "db/db.h"
#include "group-stream.h"
#include "plan.h"

#define SRO_REPLAY_MAX_MODELS 2

struct sro_replay_opts {
    sqlite3                *db;
    int64_t                 run;
    const struct sro_model *models[SRO_REPLAY_MAX_MODELS]; /* may be NULL */
    unsigned int            nmodels;
    const struct sro_plan  *ranges;   /* applied before the run's records */
    const struct sro_plan  *what_if;  /* models see this instead */
};

/* What the replay says about one group. */
struct sro_group_result {
    const struct sro_stored_group *sg;       /* the group as recorded */
    const struct sro_insn         *insn;     /* NULL: none or undecodable */
    const struct sro_page_prot    *page;     /* protection when it faulted
                                                (valid during the callback) */
    struct sro_judgement           recorded; /* oracle on the recording */
    bool                           predicted[SRO_REPLAY_MAX_MODELS];
    struct sro_prediction          pred[SRO_REPLAY_MAX_MODELS];
    struct sro_judgement           pred_j[SRO_REPLAY_MAX_MODELS];
    bool                           diverged; /* recording != models[0] */
    char                           diverged_field[40];
    char                           diverged_detail[96];
};

/* Return non-zero to stop the replay (that value is returned). */
typedef int sro_replay_cb(void *ctx, const struct sro_group_result *r);

struct sro_replay_stats {
    uint64_t groups;
    uint64_t verdicts[SRO_VERDICT_COUNT];
    uint64_t divergences;
    uint64_t not_predicted;     /* a model declined */
    uint64_t config_refused;    /* configuration records the rules refused */
    uint64_t decode_hits, decode_misses;
};

/*
 * Replay every group of opts->run. Returns 0, a callback's non-zero value,
 * or -1 with *e filled (database) or err (plans).
 */
int sro_replay_run(const struct sro_replay_opts *opts, sro_replay_cb *cb,
                   void *ctx, struct sro_replay_stats *stats,
                   struct sro_db_err *e);

/* Predicted behaviour as a behaviour (compare.h) and the recording's. */
struct sro_behaviour;
void sro_result_recorded(const struct sro_group_result *r,
                         struct sro_behaviour *b);
void sro_result_predicted(const struct sro_group_result *r, unsigned int m,
                          struct sro_behaviour *b);

/* Ask the process to stop at the next group (SIGINT handlers). */
void sro_replay_request_stop(void);
bool sro_replay_stop_requested(void);

#endif /* SRO_REPLAYER_REPLAY_H */

/*
 * replay-print.h - what `srotrace replay` shows.
 *
 * Human: a verdict table, the divergence count, and the first divergence
 * with the groups before it on its CPU (in the spirit of rr's and PANDA's
 * divergence reports). JSON: one object; with `groups`, one object per
 * group streamed into "group_verdicts" as the replay goes, so output of a
 * long run never sits in memory.
 */
#ifndef SRO_REPLAYER_REPLAY_PRINT_H
#define SRO_REPLAYER_REPLAY_PRINT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "replay.h"
#include "util/json.h"

struct sro_replay_print_opts {
    FILE       *out;
    bool        json;
    bool        groups;         /* JSON: one object per group */
    bool        quiet;
    int64_t     run;
    int64_t     replay;         /* 0 if not stored */
    const char *model;
    const char *db_path;
    /* A section to add after the summary (the --what-if report), or NULL:
     * called with j NULL to print text to out, or with the open JSON
     * object to add members to. */
    void      (*extra)(void *ctx, FILE *out, struct json *j);
    void       *extra_ctx;
};

struct sro_replay_print;

struct sro_replay_print *sro_replay_print_begin(
    const struct sro_replay_print_opts *o);
void sro_replay_print_group(struct sro_replay_print *p,
                            const struct sro_group_result *r);
/* Print the summary and free p (NULL is fine). */
void sro_replay_print_end(struct sro_replay_print *p,
                          const struct sro_replay_stats *stats);

/* Shared with diff: one group as JSON members of the current object. */
void sro_json_group_fields(struct json *j, const struct sro_group_result *r);
void sro_json_behaviour(struct json *j, const char *key,
                        const struct sro_write *w, unsigned int n,
                        bool has_outcome, unsigned int outcome);

#endif /* SRO_REPLAYER_REPLAY_PRINT_H */

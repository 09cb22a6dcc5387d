/*
 * diff.h - regression replay: the same groups through two models.
 *
 * Every group whose predicted behaviour or verdict changes between model
 * A and model B is counted under its kind of change, a line such as
 * "DROPPED_RO -> WRITTEN, verdict CORRECT -> WRONGLY_ACCEPTED". This is
 * what a Xen developer runs after changing the emulation code: the kinds
 * are few, so they are kept in a small table, not per group.
 */
#ifndef SRO_REPLAYER_DIFF_H
#define SRO_REPLAYER_DIFF_H

#include <stdint.h>

#include "replay.h"

/* Longest kind-of-change text. */
#define SRO_DIFF_KIND_MAX 160

struct sro_diff_kind {
    char     from[SRO_DIFF_KIND_MAX / 2];   /* behaviour under A */
    char     to[SRO_DIFF_KIND_MAX / 2];     /* behaviour under B */
    uint8_t  verdict_from, verdict_to;      /* oracle on each prediction */
    uint64_t groups;
    int64_t  example_group;                 /* first group of this kind */
    uint32_t example_cpu;
    uint64_t example_tsc;
    char     example_field[40];             /* first differing field */
    uint64_t domains_mask;                  /* domains 0..63 seen */
};

struct sro_diff {
    struct sro_diff_kind *kinds;
    unsigned int          nkinds, cap;
    uint64_t              groups;            /* groups compared */
    uint64_t              changed;           /* groups that changed */
    uint64_t              not_predicted[2];  /* a model declined */
};

/* Account one replayed group (replay with nmodels == 2). 0 or -1 (OOM). */
int sro_diff_add(struct sro_diff *d, const struct sro_group_result *r);
/* Sort kinds by group count, largest first. */
void sro_diff_sort(struct sro_diff *d);
void sro_diff_free(struct sro_diff *d);

/* The short behaviour text of a prediction: "WRITTEN", "WRITTEN@0",
 * "DROPPED_RO", "WRITTEN+DROPPED_RO", "no write", with the outcome after a
 * comma unless RETIRED ("no write, DOMAIN_CRASH"). */
void sro_diff_behaviour(const struct sro_prediction *p, bool predicted,
                        char *buf, size_t len);

#endif /* SRO_REPLAYER_DIFF_H */

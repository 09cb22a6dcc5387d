/*
 * what-if-report.h - which recorded faults a protection plan would change.
 *
 * `srotrace replay --what-if PLAN` replays a run while the model sees the
 * plan's protection instead of the recorded one (replay.h). This module
 * turns those results into the answer a deployer wants before changing a
 * protection: against the recorded run, every store whose fate would
 * change, counted by (domain, page, offset, length, fate before, fate
 * after), with the register's name where a device map names it: "37
 * stores by domain 3 to DCCTRL would be dropped (they reached the
 * device)".
 *
 * A group's fate is what the guest and the device see, coarser than the
 * write records (a store written whole or in 8-byte chunks has the same
 * fate): reached the device, in part, at another offset, dropped, faulted
 * the guest, crashed the domain, retried, left to another handler
 * (enum sro_fate). The recorded fate is compared with the fate the model
 * predicts under the plan. Each change is also marked with its cause: the
 * model is asked about the same fault under the recorded protection too,
 * and when that prediction's fate already differs from the recording, the
 * change is the model's disagreement with the recording, not the plan's
 * doing ("cause": "model"); otherwise it is the plan's ("cause": "plan").
 * Incomplete groups and groups the model declines are counted, not
 * compared.
 *
 * Memory grows with the number of distinct changes, not with the run.
 */
#ifndef SRO_REPLAYER_WHAT_IF_REPORT_H
#define SRO_REPLAYER_WHAT_IF_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "core/model.h"
#include "replay.h"
#include "util/json.h"

/* What the guest and the device saw of one store. */
enum sro_fate {
    SRO_FATE_WRITTEN,       /* retired; all its bytes reached the device */
    SRO_FATE_PARTLY,        /* retired; some bytes reached it, some not */
    SRO_FATE_MISDIRECTED,   /* retired; bytes reached another offset */
    SRO_FATE_DROPPED,       /* retired; nothing reached the device */
    SRO_FATE_PF,            /* the guest got its #PF */
    SRO_FATE_GP,            /* #GP(0) injected */
    SRO_FATE_EXCEPTION,     /* another exception injected */
    SRO_FATE_CRASH,         /* the domain was crashed */
    SRO_FATE_RETRY,         /* the instruction is re-executed */
    SRO_FATE_NOT_HANDLED,   /* another handler took it */
    SRO_FATE_COUNT
};

/* "dropped", "pf", ...: the JSON name of a fate (NULL if unknown). */
const char *sro_fate_name(unsigned int fate);

/*
 * The fate of a behaviour of a store of `len` bytes (clipped at the page
 * end) at page offset `off` of page `mfn`: the outcome decides unless it
 * is RETIRED; then the WRITTEN records at the guest's offsets do.
 */
enum sro_fate sro_fate_of(uint64_t mfn, unsigned int off, unsigned int len,
                          const struct sro_write *w, unsigned int nw,
                          unsigned int outcome);

/*
 * Name the register that `len` bytes at page offset `off` of page `mfn`
 * hit, into buf ("" when nothing names it). ctx is the namer's own.
 */
typedef void sro_whatif_namer(void *ctx, uint64_t mfn, unsigned int off,
                              unsigned int len, char *buf, size_t buflen);

/* One kind of change: a store and its fate before and after. */
struct sro_whatif_change {
    uint16_t domain;
    uint64_t mfn;
    uint16_t offset;            /* page offset the guest addressed */
    uint8_t  length;            /* store width, 0 if unknown */
    uint8_t  from, to;          /* enum sro_fate: recorded, under the plan */
    bool     by_plan;           /* the plan's doing (see above) */
    char     reg[64];           /* register name, "" if none */
    uint64_t groups;
    int64_t  example_group;     /* the first such group's id */
};

struct sro_whatif_report {
    const struct sro_model   *model;     /* the model the replay asked */
    const char               *plan;      /* plan path, for the output */
    sro_whatif_namer         *namer;     /* NULL: offsets only */
    void                     *namer_ctx;
    bool                      names_bound; /* the namer names something */
    struct sro_whatif_change *changes;
    unsigned int              nchanges, cap;
    unsigned int              last;      /* the change hit last (a cache) */
    struct sro_prediction    *scratch;   /* baseline predictions (heap) */
    uint64_t                  groups;        /* groups compared */
    uint64_t                  changed;       /* of which changed fate */
    uint64_t                  changed_by_plan;
    uint64_t                  incomplete;    /* not compared */
    uint64_t                  not_predicted; /* model declined: not
                                                compared */
};

/*
 * Start a report for replays through `model` with the plan at `plan`
 * (kept as a pointer: the caller keeps it alive). namer may be NULL.
 */
void sro_whatif_init(struct sro_whatif_report *w,
                     const struct sro_model *model, const char *plan,
                     sro_whatif_namer *namer, void *namer_ctx);

/*
 * Account one group of a replay made with opts.what_if set and `model` as
 * models[0]: r->pred[0] is the prediction under the plan, r->page the
 * recorded protection (used for the cause). Returns 0, or -1 when out of
 * memory (nothing accounted).
 */
int sro_whatif_add(struct sro_whatif_report *w,
                   const struct sro_group_result *r);

/* The plan's changes first, then the model's; within each the largest
 * first, ties by domain, page, offset, length, fates. */
void sro_whatif_sort(struct sro_whatif_report *w);

/* The text section ("what-if ...: N of M groups would change fate", one
 * line per change). Sorts first. */
void sro_whatif_print_text(struct sro_whatif_report *w, FILE *out);

/* The member "what_if" of the JSON object being written. Sorts first. */
void sro_whatif_print_json(struct sro_whatif_report *w, struct json *j);

void sro_whatif_free(struct sro_whatif_report *w);

#endif /* SRO_REPLAYER_WHAT_IF_REPORT_H */

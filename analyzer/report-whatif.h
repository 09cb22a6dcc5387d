/*
 * report-whatif.h - a run's pages under a what-if plan, for the HTML
 * report's second heat map (`srotrace report --html FILE --what-if PLAN`).
 *
 * The run is replayed through a model that sees the plan instead of the
 * recorded protection (replayer/replay.h) and the fates that would change
 * are collected by replayer/what-if-report.h, with register names from the
 * run's devices. For each page the HTML then shows, beside the recorded
 * heat map, the same stores over the plan's protection: which qwords the
 * plan makes read-only (wholly, or only some bytes with byte-exact
 * holes), and which qwords hold stores whose fate would change.
 */
#ifndef SRO_REPORT_WHATIF_H
#define SRO_REPORT_WHATIF_H

#include <stdbool.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/abi.h"
#include "core/prot.h"
#include "db/db.h"
#include "devbind.h"
#include "replayer/what-if-report.h"

/* One page under the plan. */
struct report_whatif_page {
    uint64_t mfn;
    uint8_t  kind;                        /* enum sro_page_kind, plan's */
    uint64_t qro[SRO_QWORDS / 64];        /* a byte of the qword is r/o */
    uint64_t qpart[SRO_QWORDS / 64];      /* ... but not all of them */
    uint32_t qchanged[SRO_QWORDS];        /* stores touching the qword
                                             whose fate would change */
};

struct report_whatif {
    const char                *plan;      /* path, as given (not owned) */
    struct sro_whatif_report   changes;   /* the fates that change */
    struct report_whatif_page *pages;     /* by mfn: every page the run
                                             faulted on */
    unsigned int               npages;
};

/*
 * Replay run `run` of db through `model` under the plan at `plan_path`
 * and fill *out. b names registers (kept by the changes: keep b alive as
 * long as *out). Returns 0, or -1 with a message in err ("FILE:LINE: ..."
 * for a bad plan, the database's message otherwise). Free with
 * report_whatif_free(), also after a failure.
 */
int report_whatif_build(sqlite3 *db, int64_t run, const char *plan_path,
                        const struct sro_model *model,
                        const struct devbind *b, struct report_whatif *out,
                        char *err, size_t errlen);
void report_whatif_free(struct report_whatif *w);

/* The page mfn under the plan, or NULL if the run never faulted on it. */
const struct report_whatif_page *report_whatif_page(
    const struct report_whatif *w, uint64_t mfn);

#endif /* SRO_REPORT_WHATIF_H */

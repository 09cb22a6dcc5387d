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
#include <stdio.h>

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
    struct sro_prot           *prot;      /* the plan's protection */
    struct report_whatif_page *pages;     /* by mfn: the pages with
                                             changes (qchanged only) */
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

/* Fill *out with page mfn under the plan: its protection, and the stores
 * whose fate would change (none if the page has no change). */
void report_whatif_page(const struct report_whatif *w, uint64_t mfn,
                        struct report_whatif_page *out);

/*
 * report_print_html() (report.h) with, for each run i that has
 * whatifs[i] != NULL, each page's heat map under the plan beside the
 * recorded one and the list of changes. whatifs may be NULL. Defined in
 * report-html.c, with the heat maps it shares.
 */
struct report_run;
void report_print_html_whatif(FILE *out, const char *title,
                              const struct report_run *runs, unsigned int n,
                              const struct devbind *const *binds,
                              const struct report_whatif *const *whatifs);

#endif /* SRO_REPORT_WHATIF_H */

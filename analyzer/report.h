/*
 * report.h - the summary of one run: faults, outcomes and verdicts per
 * domain and vCPU and per page, the wrong verdicts, the instructions.
 *
 * report_build() asks the database for counts (it never loads the groups
 * one by one, so a run of millions of faults costs a few aggregate
 * queries) and keeps what the three renderings need: report-text.c for
 * the terminal, report-json.c, and report-html.c, which adds per-qword
 * heat maps of the pages. Verdicts are those of the run's latest complete
 * replay (schema.sql's latest_replay view), or absent when the run was
 * never replayed.
 */
#ifndef SRO_REPORT_H
#define SRO_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "core/abi.h"
#include "db/db.h"
#include "devbind.h"
#include "runinfo.h"

/* Outcome slots: the codes, then one for "no SRO_DONE". */
#define REPORT_OUT_NONE  SRO_OUTCOME_COUNT
#define REPORT_NOUT      (SRO_OUTCOME_COUNT + 1)
/* Verdict slots: the codes, then one for "no verdict row". */
#define REPORT_VER_NONE  SRO_VERDICT_COUNT
#define REPORT_NVER      (SRO_VERDICT_COUNT + 1)

/* Wrong verdicts listed at most (the count of all is kept). */
#define REPORT_MAX_WRONG 50
/* Instructions listed, and RIPs per instruction. */
#define REPORT_MAX_INSNS 10
#define REPORT_MAX_RIPS  3

struct report_counts {
    uint64_t faults;
    uint64_t outcome[REPORT_NOUT];
    uint64_t verdict[REPORT_NVER];
    uint64_t wrong;             /* WRONGLY_ACCEPTED .. HARSH_DENY */
    uint64_t first_tsc, last_tsc;   /* of its faults (faults > 0) */
};

struct report_vcpu {
    uint16_t             domain, vcpu;
    bool                 hwdom;
    struct report_counts c;
    uint64_t             lost_records, lost_spans;
};

struct report_page {
    uint64_t             mfn;
    uint8_t              kind;          /* enum sro_page_kind, at the end */
    char                 device[160];   /* "" if unknown */
    struct report_counts c;
    uint64_t             written, dropped;   /* pieces */
    /* Per qword, for the heat map: stores touching it, read-only at the
     * end of the run, touched by a store with a wrong verdict. */
    uint32_t             qstores[SRO_QWORDS];
    uint64_t             qro[SRO_QWORDS / 64];
    uint64_t             qwrong[SRO_QWORDS / 64];
};

struct report_rip {
    uint64_t rip;
    uint64_t faults;
};

struct report_insn {
    int64_t           id;               /* 0: no SRO_INSN */
    char              text[96];
    char              hex[40];
    unsigned int      width;            /* 0 if not a known store */
    uint64_t          faults, wrong;
    struct report_rip rips[REPORT_MAX_RIPS];
    unsigned int      nrips;
};

struct report_wrong {
    int64_t  grp;
    uint64_t tsc;
    uint16_t domain, vcpu;
    uint64_t mfn;
    uint16_t offset;
    unsigned int width;
    uint8_t  verdict;
    uint8_t  outcome;                   /* REPORT_OUT_NONE if none */
    bool     has_rip;
    uint64_t rip;
    char     insn[96];
    char     reg[96];
};

struct report_run {
    struct runinfo       info;
    struct report_counts total;
    struct report_vcpu  *vcpus;         /* by domain, vcpu */
    unsigned int         nvcpus;
    struct report_page  *pages;         /* by mfn */
    unsigned int         npages;
    struct report_insn   insns[REPORT_MAX_INSNS];   /* by faults */
    unsigned int         ninsns;
    struct report_wrong *wrong;         /* by verdict, then time */
    unsigned int         nwrong;        /* listed (<= REPORT_MAX_WRONG) */
};

/*
 * Summarise run `id`. b names devices and registers (not kept). 0, or -1
 * with *e filled. Free with report_free().
 */
int report_build(sqlite3 *db, int64_t id, const struct devbind *b,
                 struct report_run *out, struct sro_db_err *e);
void report_free(struct report_run *r);

/* Short column names: "ok", "acc", "mis", "den", "harsh", "undec", "-";
 * "ret", "retry", "#PF", "#GP", "exc", "crash", "n/h", "open". */
const char *report_verdict_abbrev(unsigned int slot);
const char *report_outcome_abbrev(unsigned int slot);
/* Full names, with "NONE" for the last slot of each. */
const char *report_verdict_name(unsigned int slot);
const char *report_outcome_name(unsigned int slot);
/* The verdict and outcome slots that have faults in run r (verdicts
 * only if it was replayed): the columns worth showing. */
void report_columns(const struct report_run *r, bool ver[REPORT_NVER],
                    bool out[REPORT_NOUT]);
/* Is verdict slot v one of the four wrong verdicts? */
bool report_is_wrong(unsigned int v);

/* Renderings. `runs` in the order given. */
void report_print_text(FILE *out, const struct report_run *runs,
                       unsigned int n);
void report_print_json(FILE *out, const struct report_run *runs,
                       unsigned int n);
/* The self-contained HTML page; `title` names the database. */
void report_print_html(FILE *out, const char *title,
                       const struct report_run *runs, unsigned int n,
                       const struct devbind *const *binds);

#endif /* SRO_REPORT_H */

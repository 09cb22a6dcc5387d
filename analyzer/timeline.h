/*
 * timeline.h - the story of one guest's writes to protected pages.
 *
 * Every fault group of one domain (optionally one vCPU) of a run, in time
 * order, with what the guest did (RIP, instruction, register, value) and
 * what happened to it (each piece's fate, the outcome, the latest
 * replay's verdict). Where the guest was faulted or crashed (PF_TO_GUEST,
 * GP_TO_GUEST, EXCEPTION, DOMAIN_CRASH), the first wrong verdict since the
 * previous such event is marked: that store is where a driver's trouble
 * most likely began.
 */
#ifndef SRO_TIMELINE_H
#define SRO_TIMELINE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "db/db.h"
#include "devbind.h"
#include "runinfo.h"
#include "symbols.h"

/* Pieces kept per event (a rep store may have many more). */
#define TIMELINE_MAX_PIECES 4

struct timeline_piece {
    uint16_t offset, dev_offset;
    uint8_t  length, result;
    uint8_t  data_len;
    uint8_t  data[16];              /* the first bytes the trace carried */
};

struct timeline_event {
    int64_t  grp;
    uint64_t tsc;
    uint16_t vcpu;
    bool     has_rip;
    uint64_t rip;
    char     sym[96];               /* "func+0x1c" or "0x..." or "" */
    char     insn[96];              /* decoded text, "" if none */
    char     hex[40];               /* instruction bytes */
    uint64_t mfn;
    uint16_t offset;
    unsigned int width;             /* 0 if unknown */
    char     reg[96];               /* "" if no map names it */
    char     fields[96];            /* non-zero fields of the value */
    uint8_t  outcome;               /* REPORT_OUT_NONE-style: 0xff none */
    uint8_t  reason;
    uint8_t  verdict;               /* 0xff: not judged */
    char     incomplete[16];        /* why incomplete, "" if complete */
    unsigned int npieces;           /* all of them */
    struct timeline_piece pieces[TIMELINE_MAX_PIECES];
    int      mark_for;              /* index of the fault it precedes, -1 */
};

struct timeline {
    unsigned int           domain;
    int                    vcpu;    /* -1: every vCPU */
    struct timeline_event *ev;
    unsigned int           n;
};

#define TIMELINE_NONE 0xff

/*
 * Collect domain's events of run r (vcpu < 0: all vCPUs), naming RIPs with
 * syms (may be NULL) and registers with b. 0, or -1 with *e filled.
 */
int timeline_build(sqlite3 *db, const struct runinfo *r, unsigned int domain,
                   int vcpu, const struct symtab *syms,
                   const struct devbind *b, struct timeline *out,
                   struct sro_db_err *e);
void timeline_free(struct timeline *t);

/* Does outcome `o` fault or crash the guest? */
bool timeline_guest_fault(unsigned int o);
/* "#PF", "#GP", "exception", "domain crash" (or the outcome's name). */
const char *timeline_fault_name(unsigned int o);

/* The mark of event i ("first wrong verdict before the #PF at 0.2"), into
 * buf; false if it has none. */
bool timeline_mark(const struct runinfo *r, const struct timeline *t,
                   unsigned int i, char *buf, size_t buflen);
/* What happened to event i, for people: "dropped (read-only); #PF". */
void timeline_what(const struct timeline_event *ev, char *buf,
                   size_t buflen);
/* The value stored by event i, "0x80000001" ("" if no data). */
void timeline_value(const struct timeline_event *ev, char *buf,
                    size_t buflen);

/* Renderings: at most `limit` events (0: all). */
void timeline_print_text(FILE *out, const struct runinfo *r,
                         const struct timeline *t, unsigned int limit);
void timeline_print_json(FILE *out, const struct runinfo *r,
                         const struct timeline *t, unsigned int limit);

#endif /* SRO_TIMELINE_H */

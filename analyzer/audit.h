/*
 * audit.h - which bytes of each protected page guests touched.
 *
 * For one run: every guest store to a protected page, counted once at the
 * (page offset, width) the guest addressed however many pieces Xen split
 * it into, with how many of those stores reached the device at that
 * offset (a WRITTEN piece whose device offset is the one the guest
 * addressed) or somewhere else, whether the bytes are read-only in the
 * protection as it stands at the end of the run (the run's configuration
 * records replayed through core/prot.h), how many pieces wrote read-only
 * bytes on the device (wherever they landed), and the register they hit where
 * a map is bound. Per page it also lists the read-only bytes nobody wrote
 * and the writable bytes written that the bound map does not know.
 *
 * audit_build() collects; audit-print.c renders text, JSON and CSV.
 */
#ifndef SRO_AUDIT_H
#define SRO_AUDIT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <sqlite3.h>

#include "db/db.h"
#include "devbind.h"
#include "runinfo.h"

enum audit_ro {
    AUDIT_RO_NO      = 0,   /* no byte of the range is read-only */
    AUDIT_RO_PARTIAL = 1,   /* some are */
    AUDIT_RO_YES     = 2,   /* all are */
    AUDIT_RO_UNKNOWN = 3,   /* no configuration record covers the page */
};

/* One guest-addressed range of a page. */
struct audit_touch {
    uint16_t offset;            /* page offset the guest addressed */
    uint16_t length;            /* store width; 0 if it cannot be told */
    uint64_t stores;            /* guest stores (groups) */
    uint64_t reached;           /* ... with a piece WRITTEN at that offset */
    uint64_t misdirected;       /* ... with a piece WRITTEN elsewhere */
    uint64_t ro_written;        /* WRITTEN pieces of these stores whose
                                   device bytes include read-only ones */
    uint8_t  ro;                /* enum audit_ro */
    uint16_t ro_bytes;          /* read-only bytes in the range */
    bool     mapped;            /* a register map covers the offset */
    char     reg[96];           /* register name, "" if none */
};

/* A byte range of a page, with the registers it spans. */
struct audit_range {
    uint16_t offset;
    uint16_t length;
    char     reg[96];           /* "" if no map names it */
};

struct audit_page {
    uint64_t            mfn;
    uint8_t             kind;       /* enum sro_page_kind at the end */
    unsigned int        ro_qwords;  /* read-only qwords at the end */
    char                device[160];/* devbind_label(), "" if unknown */
    struct audit_touch *touch;      /* sorted by offset, then length */
    unsigned int        ntouch, captouch;
    struct audit_range *untouched;  /* read-only, never written */
    unsigned int        nuntouched;
    uint64_t            ro_written; /* WRITTEN pieces (of any store, or
                                       orphan) whose device bytes include
                                       read-only ones */
};

struct audit {
    struct audit_page *pages;       /* sorted by mfn */
    unsigned int       n, cap;
    uint64_t           untouched_whole; /* whole read-only pages nobody
                                           wrote (not listed) */
    uint64_t           unknown_width;   /* stores whose width is unknown */
};

/*
 * Audit run r->id of db, naming registers through b. 0, or -1 with *e
 * filled. Free with audit_free().
 */
int audit_build(sqlite3 *db, const struct runinfo *r,
                const struct devbind *b, struct audit *out,
                struct sro_db_err *e);
void audit_free(struct audit *a);

/* Did read-only bytes reach the device anywhere? (--fail-on-ro-reached) */
bool audit_ro_reached(const struct audit *a);

/* "yes", "partial", "no", "unknown". */
const char *audit_ro_name(unsigned int ro);

/* Renderings (audit-print.c). */
void audit_print_text(FILE *out, const struct runinfo *r,
                      const struct audit *a);
void audit_print_json(FILE *out, const struct runinfo *r,
                      const struct audit *a);
void audit_print_csv(FILE *out, const struct runinfo *r,
                     const struct audit *a);

#endif /* SRO_AUDIT_H */

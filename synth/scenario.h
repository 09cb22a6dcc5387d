/*
 * scenario.h - a guest scenario: what the host protects, which guests run,
 * which pages they map and which stores their drivers make.
 *
 * Scenarios are line-based text files (docs/scenarios.md is the format's
 * reference; examples/scenarios/ ships several). The parser checks
 * everything a synthesis run relies on (names defined before use, stores
 * inside their page, kinds that exist in the guest's code size, constant
 * immediates) and reports the first problem as "FILE:LINE: what", so that
 * the engine (engine.h) can trust what it gets.
 */
#ifndef SRO_SYNTH_SCENARIO_H
#define SRO_SYNTH_SCENARIO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "encode.h"

#define SRO_SCN_NAME_MAX 48

/* How the data of a store is chosen, per fault. */
enum sro_scn_value_kind {
    SRO_SCN_CONST  = 0,     /* always `a` */
    SRO_SCN_RANDOM = 1,     /* random bytes; for GPR stores ANDed with `a` */
    SRO_SCN_SEQ    = 2,     /* a, a + b, a + 2b, ... (per store line) */
};

struct sro_scn_value {
    uint8_t  kind;          /* enum sro_scn_value_kind */
    uint64_t a;             /* CONST: value; RANDOM: mask; SEQ: start */
    uint64_t b;             /* SEQ: step */
};

/* `protect START SIZE`: one boot-time subpage_mmio_ro_add(). */
struct sro_scn_protect {
    uint64_t     start;     /* machine address */
    uint64_t     size;      /* bytes */
    unsigned int line;
};

/* `ro-pages FIRST [LAST]`: whole pages added to mmio_ro_ranges. */
struct sro_scn_ro_pages {
    uint64_t     first, last;   /* mfns, inclusive */
    unsigned int line;
};

enum sro_scn_guest_type {
    SRO_SCN_PV  = 0,
    SRO_SCN_HVM = 1,
};

/* `guest NAME domain=ID pv|hvm ...` */
struct sro_scn_guest {
    char         name[SRO_SCN_NAME_MAX];
    uint16_t     domain;    /* domain id */
    uint8_t      type;      /* enum sro_scn_guest_type */
    bool         hwdom;     /* the hardware domain */
    bool         gla_valid; /* faults carry a valid linear address */
    uint8_t      code_size; /* enum sro_code_size (never UNKNOWN) */
    uint8_t      path;      /* enum sro_path; 0: chosen from the model */
    unsigned int vcpus;     /* 1..  */
    unsigned int line;
};

/* `page NAME mfn=MFN guest=GUEST [gfn=GFN] [va=VA]` */
struct sro_scn_page {
    char         name[SRO_SCN_NAME_MAX];
    uint64_t     mfn;       /* machine frame */
    uint64_t     gfn;       /* guest frame (HVM); default: mfn */
    uint64_t     va;        /* guest linear address of the mapping */
    unsigned int guest;     /* index into guests[] */
    unsigned int line;
};

/* `reg PAGE NAME OFFSET [WIDTH]` */
struct sro_scn_reg {
    char         name[SRO_SCN_NAME_MAX];
    unsigned int page;      /* index into pages[] */
    uint16_t     offset;    /* page offset */
    uint8_t      width;     /* bytes, informative */
    unsigned int line;
};

/* `store PAGE TARGET KIND [weight=W] [value=V] [reps=N] [vcpu=N] [rip=A]` */
struct sro_scn_store {
    unsigned int page;      /* index into pages[] */
    int          reg;       /* index into regs[], -1 for a bare offset */
    uint16_t     offset;    /* page offset of the (first) store */
    char         target[SRO_SCN_NAME_MAX + 8]; /* as written: "PORTSC+2" */
    const struct sro_enc_kind *kind;
    unsigned int weight;    /* relative frequency, >= 1 */
    struct sro_scn_value value;
    unsigned int reps;      /* string kinds: iterations (>= 1), else 1 */
    int          vcpu;      /* the only vcpu making it, -1: any */
    uint64_t     rip;       /* guest RIP; 0: chosen by the engine */
    unsigned int line;
};

struct sro_scenario {
    char        *file;      /* path it was read from (or the name given) */
    char         name[SRO_SCN_NAME_MAX];  /* `scenario NAME` */
    char         summary[160];            /* `summary TEXT`, may be empty */
    char         xen[64];   /* `xen MODEL`, empty: none */
    unsigned int cpus;      /* `cpus N` (default 4) */
    uint64_t     groups;    /* `groups N` (default 2000) */
    uint64_t     seed;      /* `seed N` (default 1) */
    double       noise;     /* `noise R`: other-class records per group */
    double       migrate;   /* `migrate P`: chance a vcpu moves per fault */
    uint64_t     gap;       /* `gap CYCLES`: mean TSC cycles between faults */

    struct sro_scn_protect  *protects;  unsigned int nprotects;
    struct sro_scn_ro_pages *ro_pages;  unsigned int nro_pages;
    struct sro_scn_guest    *guests;    unsigned int nguests;
    struct sro_scn_page     *pages;     unsigned int npages;
    struct sro_scn_reg      *regs;      unsigned int nregs;
    struct sro_scn_store    *stores;    unsigned int nstores;
};

/*
 * Parse scenario text. `file` names it in messages. On success returns 0
 * and *out (free with sro_scenario_free); on error returns -1 and writes
 * "FILE:LINE: what" to err.
 */
int sro_scenario_parse(const char *text, size_t len, const char *file,
                       struct sro_scenario **out, char *err, size_t errlen);

/* Read and parse a file; errors as above ("FILE: what" for I/O). */
int sro_scenario_load(const char *path, struct sro_scenario **out,
                      char *err, size_t errlen);

void sro_scenario_free(struct sro_scenario *s);

/*
 * Find a scenario: a name_or_path containing '/' or ending in ".scn" is a
 * path; otherwise NAME is looked up as examples/scenarios/NAME.scn under
 * $SROTRACE_DATADIR, then scenarios/NAME.scn under it (an installed
 * tree), then in the source tree and the installed data dir this binary
 * was built for. Returns 0 and the path in buf, or -1 with a message.
 */
int sro_scenario_locate(const char *name_or_path, char *buf, size_t len,
                        char *err, size_t errlen);

/* The register a page offset falls in (first match), or -1. */
int sro_scenario_reg_at(const struct sro_scenario *s, unsigned int page,
                        unsigned int offset);

#endif /* SRO_SYNTH_SCENARIO_H */

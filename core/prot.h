/*
 * prot.h - the sub-page read-only protection state of one host.
 *
 * Mirrors what Xen keeps: `mmio_ro_ranges` (a rangeset of whole MFNs that
 * are mapped read-only) and `subpage_ro_ranges` (one entry per page that is
 * only partly read-only, with a bitmap of read-only qwords). It is built by
 * applying the configuration records of a trace in order (SRO_RANGE_ADD,
 * SRO_RANGE_STATE, SRO_RO_PAGES), or by a synthesizer calling
 * sro_prot_add() the way Xen's boot code calls subpage_mmio_ro_add().
 *
 * Queries return a self-contained snapshot of one page (struct
 * sro_page_prot), which is what models, plugins and the oracle consume:
 * they never see this module's internals.
 */
#ifndef SRO_PROT_H
#define SRO_PROT_H

#include <stdbool.h>
#include <stdint.h>

#include "abi.h"

enum sro_page_kind {
    SRO_PAGE_UNKNOWN  = 0,  /* no configuration record covers it */
    SRO_PAGE_RO_WHOLE = 1,  /* in mmio_ro_ranges, no sub-page entry */
    SRO_PAGE_SUBPAGE  = 2,  /* in mmio_ro_ranges with a sub-page entry */
    SRO_PAGE_ENTRY_ONLY = 3,/* sub-page entry known (RANGE_STATE) but the
                               page is not known to be in mmio_ro_ranges */
};

/* Snapshot of one page's protection, as models and the oracle see it. */
struct sro_page_prot {
    uint64_t mfn;
    uint8_t  kind;                  /* enum sro_page_kind */
    bool     mapped;                /* the entry is mapped for emulation */
    uint64_t ro_qwords[SRO_QWORDS / 64]; /* Xen's ro_elems: bit i = qword i */
    uint64_t ro_bytes[SRO_PAGE_SIZE / 64]; /* bit b = byte b is read-only;
                                     what the oracle judges by. Equal to the
                                     qword map expanded, except under what-if
                                     plans with byte-exact holes. */
};

struct sro_prot;

struct sro_prot *sro_prot_new(void);
void sro_prot_free(struct sro_prot *p);
/* Forget everything (keeps the allocation). */
void sro_prot_reset(struct sro_prot *p);

/*
 * Register [start, start+size) read-only exactly as subpage_mmio_ro_add()
 * does in a release build (xen/arch/x86/mm.c, since 8847d6e23f): returns 0
 * or the negative errno Xen returns; on failure the state is unchanged.
 */
int sro_prot_add(struct sro_prot *p, uint64_t start, uint64_t size);

/* Apply one SRO_RANGE_STATE quarter: qwords 128*q .. 128*q+127. */
void sro_prot_set_quarter(struct sro_prot *p, uint64_t mfn, unsigned int q,
                          bool mapped, const uint32_t bits[4]);

/* Apply one SRO_RO_PAGES run (inclusive). */
void sro_prot_add_ro_pages(struct sro_prot *p, uint64_t first, uint64_t last);

/* Carve a byte-exact writable hole (what-if plans, the carve-out model). */
void sro_prot_add_hole(struct sro_prot *p, uint64_t start, uint64_t size);

/* Fill *out with page mfn's protection; returns out->kind. */
enum sro_page_kind sro_prot_page(const struct sro_prot *p, uint64_t mfn,
                                 struct sro_page_prot *out);

/* Byte b of the page read-only? (false for unknown pages) */
bool sro_page_byte_ro(const struct sro_page_prot *pp, unsigned int b);
/* Qword q of the page read-only in Xen's ro_elems? (RO_WHOLE: true) */
bool sro_page_qword_ro(const struct sro_page_prot *pp, unsigned int q);

/* Iterate over known pages in ascending mfn order: returns false at end.
 * *cursor starts at 0. */
bool sro_prot_next_page(const struct sro_prot *p, uint64_t *cursor,
                        struct sro_page_prot *out);

#endif /* SRO_PROT_H */

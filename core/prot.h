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
 * On top of Xen's state, what-if plans may carve byte-exact writable holes
 * (sro_prot_add_hole): these are kept apart and subtracted from every
 * snapshot, so they hold whatever order they and the configuration come in.
 *
 * Queries return a self-contained snapshot of one page (struct
 * sro_page_prot), which is what models, plugins and the oracle consume:
 * they never see this module's internals. The two inline helpers below
 * read a snapshot; they are inline so that a model plugin, which links no
 * srotrace library, can use them.
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
                               page is not known to be in mmio_ro_ranges;
                               queries treat it as SUBPAGE */
};

/* Snapshot of one page's protection, as models and the oracle see it. */
struct sro_page_prot {
    uint64_t mfn;
    uint8_t  kind;                  /* enum sro_page_kind */
    bool     mapped;                /* the entry is mapped for emulation */
    uint64_t ro_qwords[SRO_QWORDS / 64]; /* Xen's ro_elems: bit i = qword i
                                     (RO_WHOLE: all set; UNKNOWN: none) */
    uint64_t ro_bytes[SRO_PAGE_SIZE / 64]; /* bit b = byte b is read-only;
                                     what the oracle judges by. Equal to the
                                     qword map expanded, except under what-if
                                     plans with byte-exact holes. */
};

/* The highest mfn a 64-bit physical address can name. Configuration
 * records naming a higher one are malformed. */
#define SRO_PROT_MFN_MAX ((UINT64_C(1) << (64 - SRO_PAGE_SHIFT)) - 1)

struct sro_prot;

/* A new, empty state ("during boot": see sro_prot_set_after_boot());
 * NULL if out of memory. */
struct sro_prot *sro_prot_new(void);
void sro_prot_free(struct sro_prot *p);
/* Forget everything, holes and the after-boot flag included (keeps the
 * allocation): the state sro_prot_new() returns. */
void sro_prot_reset(struct sro_prot *p);

/*
 * Model the system state Xen checks since 06fd6818ea (4.21.0 and master):
 * once boot reached SYS_STATE_smp_boot, subpage_mmio_ro_add() refuses
 * every aligned call with -EILSEQ. Xen 4.20 has no such check, but there
 * the function is __init and cannot be called after boot at all; a
 * synthesizer modelling 4.20 simply leaves this false (the default).
 */
void sro_prot_set_after_boot(struct sro_prot *p, bool after_boot);
bool sro_prot_after_boot(const struct sro_prot *p);

/*
 * Register [start, start+size) read-only exactly as subpage_mmio_ro_add()
 * does in a release build (xen/arch/x86/mm.c, since 8847d6e23f): returns 0
 * or the negative errno Xen returns (-EINVAL: start or size not a multiple
 * of 8; -EILSEQ: after boot, see above); on failure the state is
 * unchanged. Size 0 succeeds and changes nothing. A range that wraps past
 * 2^64 is -EINVAL (Xen does not check it; such addresses do not exist).
 * -ENOMEM only if this process runs out of memory.
 */
int sro_prot_add(struct sro_prot *p, uint64_t start, uint64_t size);

/* Apply one SRO_RANGE_STATE quarter: qwords 128*q .. 128*q+127 of page
 * mfn's entry become exactly bits[] (LSB of bits[0] = qword 128*q); the
 * entry is created if it did not exist, and its mapped flag is set to
 * `mapped`. Returns 0, -EINVAL (q > 3 or mfn > SRO_PROT_MFN_MAX: state
 * unchanged) or -ENOMEM. */
int sro_prot_set_quarter(struct sro_prot *p, uint64_t mfn, unsigned int q,
                         bool mapped, const uint32_t bits[4]);

/* Apply one SRO_RO_PAGES run (inclusive): the pages join mmio_ro_ranges.
 * Returns 0, -EINVAL (first > last or last > SRO_PROT_MFN_MAX) or
 * -ENOMEM. */
int sro_prot_add_ro_pages(struct sro_prot *p, uint64_t first, uint64_t last);

/*
 * Carve a byte-exact writable hole [start, start+size) (what-if plans, the
 * carve-out model). Any alignment. The hole is subtracted from every later
 * snapshot of the pages it touches, whatever configuration comes before or
 * after it. In the snapshot, ro_bytes loses the hole's bytes, and a qword
 * stays set in ro_qwords while any of its bytes is still read-only (Xen's
 * 8-byte granularity cannot do better); a RO_WHOLE page with a hole is
 * reported as SUBPAGE (Xen would need an entry for it). Pages that no
 * configuration covers stay UNKNOWN. Returns 0, -EINVAL (wraps past 2^64),
 * -E2BIG (spans more than SRO_PROT_HOLE_MAX_PAGES pages: each costs a
 * record) or -ENOMEM, the state unchanged on error.
 */
#define SRO_PROT_HOLE_MAX_PAGES 4096
int sro_prot_add_hole(struct sro_prot *p, uint64_t start, uint64_t size);

/* A return of sro_prot_apply_record() besides 0 and -errno. */
#define SRO_PROT_NOT_CONFIG 1

/*
 * Apply one configuration record of the trace, given its event id and
 * extra words. SRO_RANGE_ADD is applied only if it recorded success (a
 * failed add left Xen's state unchanged); SRO_RANGE_STATE and SRO_RO_PAGES
 * as above. Returns 0 when applied (or nothing was to apply),
 * SRO_PROT_NOT_CONFIG for any other event (ignored), -EINVAL for a
 * malformed record (wrong word count, impossible mfn), -EPROTO for a
 * RANGE_ADD recorded as successful that these rules refuse (its
 * sro_prot_add() error is not returned; the state is unchanged), -ENOMEM.
 * Bits 0..1 of RANGE_ADD w4 are not checked (see the report of
 * trace-format.md's ambiguities in core/prot.c).
 */
int sro_prot_apply_record(struct sro_prot *p, uint32_t event,
                          const uint32_t *w, unsigned int nwords);

/* Fill *out with page mfn's protection; returns out->kind. */
enum sro_page_kind sro_prot_page(const struct sro_prot *p, uint64_t mfn,
                                 struct sro_page_prot *out);

/* Does any configuration record cover page mfn (kind not UNKNOWN)? */
bool sro_prot_page_known(const struct sro_prot *p, uint64_t mfn);

/* Byte `off` of page mfn read-only now (holes applied)? False for unknown
 * pages and off >= SRO_PAGE_SIZE. */
bool sro_prot_byte_ro(const struct sro_prot *p, uint64_t mfn,
                      unsigned int off);

/* Byte b of the page read-only? (false for unknown pages and b >= 4096) */
static inline bool sro_page_byte_ro(const struct sro_page_prot *pp,
                                    unsigned int b)
{
    return b < SRO_PAGE_SIZE && ((pp->ro_bytes[b / 64] >> (b % 64)) & 1);
}

/* Qword q of the page read-only in Xen's ro_elems? (RO_WHOLE: true;
 * false for unknown pages and q >= 512) */
static inline bool sro_page_qword_ro(const struct sro_page_prot *pp,
                                     unsigned int q)
{
    return q < SRO_QWORDS && ((pp->ro_qwords[q / 64] >> (q % 64)) & 1);
}

/* Iterate over known pages in ascending mfn order: returns false at end.
 * *cursor starts at 0 and is the next mfn to look at. */
bool sro_prot_next_page(const struct sro_prot *p, uint64_t *cursor,
                        struct sro_page_prot *out);

#endif /* SRO_PROT_H */

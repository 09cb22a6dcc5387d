/*
 * alt-common.h - what the models of alternative designs share.
 *
 * Besides the Xen releases, two built-in models follow designs that were
 * argued about in the review of the sub-page r/o API but never shipped:
 * `carve-out` (carve-out.c: the page read-only as a whole, byte-exact
 * writable holes written through by an emulator) and `ept-spp` (ept-spp.c:
 * Intel EPT sub-page write permission, 128-byte sub-pages, no emulation).
 * They answer the same question as the release models (what would the
 * device see, what would the guest see) for the same recorded faults, so
 * that `srotrace diff --model xen-4.21 --model carve-out` compares the
 * designs on real traces. docs/models.md section 4 describes both.
 *
 * The helpers here are the checks both make before their own rule: which
 * faults they can answer at all, the part of the store on the faulting
 * page, and the architectural exceptions that no protection design
 * changes. Pure functions, no state.
 */
#ifndef SRO_ALT_COMMON_H
#define SRO_ALT_COMMON_H

#include <stdbool.h>

#include "core/model.h"

/* The store of one fault, as an alternative design sees it. */
struct sro_alt_store {
    const struct sro_insn *insn;    /* decoded, valid; NULL: none usable */
    bool         fetch_failed;      /* SRO_INSN said the fetch failed */
    unsigned int off;               /* page offset the guest addressed */
    unsigned int len;               /* bytes on this page (clipped at the
                                       page end); 0 without an insn */
};

/*
 * The checks common to both designs. Returns false when the model cannot
 * say (the caller returns -1): bad input, a page whose protection is
 * unknown or a snapshot of another page, a PV fault of a domain that is
 * not the hardware domain (Xen never gets such a fault to this page: it
 * goes to ptwr_do_page_fault(), docs/models.md 1.2), an unknown path.
 * Otherwise fills *s: off from the GPA; insn and len when the instruction
 * was decoded as a store of a known width (len is then the part of
 * [off, off + width) on this page); fetch_failed when SRO_INSN had length
 * 0. A decoded instruction that is not a store, or has no byte width
 * (fxsave's 512 bytes), leaves insn NULL.
 */
bool sro_alt_store(const struct sro_model_input *in, struct sro_alt_store *s);

/*
 * The architectural #GP(0) of a misaligned operand that some stores
 * raise whatever protects the page, before any byte is written:
 * cmpxchg16b not 16-byte aligned, movdir64b not 64-byte aligned (Intel
 * SDM vol. 2). The guest would get it on bare metal too.
 */
bool sro_alt_arch_gp(const struct sro_insn *insn, unsigned int off);

/* Close a prediction: SRO_DONE's fields, nwrites from the writes. */
void sro_alt_finish(struct sro_prediction *out, unsigned int outcome,
                    unsigned int reason, unsigned int rc,
                    unsigned int store_size);

#endif /* SRO_ALT_COMMON_H */

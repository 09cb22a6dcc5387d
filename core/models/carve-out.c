/*
 * carve-out.c - the model "carve-out": the design Jan Beulich proposed in
 * the review of the sub-page r/o API, protect the page as a whole and
 * carve byte-exact writable holes out of it, instead of marking read-only
 * qwords.
 *
 * The rule: every write fault on the page is emulated; the bytes of the
 * store that fall in holes reach the device at the offset the guest
 * addressed, the others are dropped, and the instruction always retires.
 * Bytes, not qwords, are the unit, whatever the store's width and
 * alignment:
 *
 *  - every byte in holes: one WRITTEN record, the whole store at the
 *    guest's offset (a 16-byte SSE store stays one 16-byte write);
 *  - some bytes in holes: one record per run of consecutive bytes in
 *    address order, WRITTEN (at the guest's offset) for a run in a hole,
 *    DROPPED_RO for a run outside (a 4-byte store at 0x5e, with a hole
 *    that ends at 0x60: WRITTEN 2@0x5e, DROPPED_RO 2@0x60);
 *  - no byte in a hole: one DROPPED_RO record, or DROPPED_NO_ENTRY when
 *    the page has no hole at all (read-only as a whole, no entry).
 *
 * The holes are the writable bytes of the page snapshot's ro_bytes: under
 * a recorded configuration the writable qwords of the page's sub-page
 * entry (a page read-only as a whole has none), under a what-if plan
 * exactly its `writable` lines (prot.h, sro_prot_add_hole()).
 *
 * The emulator is taken to be a full one, as 4.21's HVM emulator
 * (hvm_emulate_ops), on every path, so that the instruction kind never
 * decides a store's fate; only the holes do:
 *  - read-modify-write (add/or/and/xchg/..., with or without lock): the
 *    destination is read (reads are not protected), then its write goes
 *    through the holes like a plain store; a locked one is not atomic
 *    towards the device (two accesses), as with 4.21's hvmemul_rmw();
 *  - SSE/AVX/AVX-512 and x87 stores, movdiri/movdir64b, cmpxchg8b/16b
 *    (taken to compare equal): one store of their full width;
 *  - string stores (stos, movs): one iteration per fault, at the faulting
 *    address, like every Xen release (docs/models.md N6); the guest
 *    re-executes the instruction for the rest, each iteration its own
 *    fault, which is how the trace records them; in->reps is not used;
 *  - a store running past the page end: only the part on this page (the
 *    next page has its own protection);
 *  - misaligned cmpxchg16b and movdir64b: the architectural #GP(0), which
 *    no protection design removes (EXCEPTION, nothing written);
 *  - a failed instruction fetch: the emulator's #PF is injected
 *    (EXCEPTION), as in 4.21.
 * It declines (-1) what the release models decline: unknown pages, PV
 * faults of a domain other than the hardware domain, a group without a
 * decoded store, and the stores xen-insn.c cannot place (push, fxsave,
 * xsave, sgdt, ...).
 *
 * The guest is never faulted for touching protected bytes: every verdict
 * of the oracle is CORRECT when the holes are byte-exact, which is the
 * point of the design (tests/unit/test-model-whatif.c).
 */
#include "alt-common.h"
#include "xen-common.h"

/* Append the pieces of [off, off+len) by runs of hole / non-hole bytes.
 * False if they do not fit a prediction. */
static bool write_runs(const struct sro_page_prot *pp, unsigned int off,
                       unsigned int len, struct sro_prediction *out)
{
    unsigned int start = off, end = off + len;

    while ( start < end )
    {
        bool ro = sro_page_byte_ro(pp, start);
        unsigned int stop = start + 1;

        while ( stop < end && sro_page_byte_ro(pp, stop) == ro )
            stop++;
        if ( !sro_pred_add_write(out, pp->mfn, start, stop - start,
                                 ro ? SRO_DROPPED_RO : SRO_WRITTEN,
                                 ro ? 0 : start) )
            return false;
        start = stop;
    }
    return true;
}

static int predict(const struct sro_model *m,
                   const struct sro_model_input *in,
                   struct sro_prediction *out)
{
    struct sro_alt_store s;

    (void)m;
    if ( !out || !sro_alt_store(in, &s) )
        return -1;
    if ( !s.insn )
    {
        if ( !s.fetch_failed )
            return -1;
        sro_alt_finish(out, SRO_EXCEPTION, SRO_REASON_NONE,
                       SRO_X86EMUL_EXCEPTION, 0);
        return 0;
    }
    if ( sro_xen_insn_class(s.insn) == SRO_XI_UNKNOWN )
        return -1;
    if ( sro_alt_arch_gp(s.insn, s.off) )
    {
        sro_alt_finish(out, SRO_EXCEPTION, SRO_REASON_NONE,
                       SRO_X86EMUL_EXCEPTION, 0);
        return 0;
    }

    if ( in->page->kind == SRO_PAGE_RO_WHOLE )
        sro_pred_add_write(out, in->page->mfn, s.off, s.len,
                           SRO_DROPPED_NO_ENTRY, 0);
    else if ( !write_runs(in->page, s.off, s.len, out) )
        return -1;
    sro_alt_finish(out, SRO_RETIRED, SRO_REASON_NONE, SRO_X86EMUL_OKAY,
                   s.insn->width);
    return 0;
}

const struct sro_model sro_model_carve_out = {
    .abi_version = SRO_MODEL_ABI_VERSION,
    .name        = "carve-out",
    .summary     = "review proposal (not shipped): page read-only as a "
                   "whole, byte-exact writable holes written through, the "
                   "rest dropped",
    .predict     = predict,
};

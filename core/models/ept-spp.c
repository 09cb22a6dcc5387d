/*
 * ept-spp.c - the model "ept-spp": Intel EPT sub-page write permission
 * (SPP) at 128-byte granularity, with no emulation at all.
 *
 * SPP (secondary VM-execution control bit 23) lets a VMM mark a 4-KByte
 * EPT leaf write-protected and set its bit 61, so that the processor
 * looks the write up in the sub-page permission table: one write bit per
 * 128-byte sub-page, 32 per page. A write to a sub-page whose bit is set
 * is done by the hardware, without a VM exit; a write to one whose bit is
 * clear causes an (SPP-induced) EPT violation. 8847d6e23f's commit
 * message names this as the alternative it did not take: sub-page
 * permissions "are in EPT, but not granular enough".
 *
 * The rule this model applies:
 *  - a sub-page is writable only if ALL its 128 bytes are writable in the
 *    configuration (the snapshot's ro_bytes; under a what-if plan its
 *    byte-exact holes count). SPP cannot express anything finer, so a
 *    VMM must protect every sub-page that holds a protected byte: the 64
 *    protected bytes of an xHCI DbC make their whole 128-byte sub-page
 *    read-only, and with them the 64 bytes beside them.
 *  - a store whose bytes on this page all lie in writable sub-pages is
 *    written by the hardware, whole, at the guest's offset (WRITTEN,
 *    RETIRED). In reality no fault and so no trace group would exist: the
 *    model predicts what the device sees. Width, alignment and
 *    instruction kind do not matter (read-modify-write, locked, SIMD,
 *    string: the processor executes them itself); a string store is
 *    predicted for the iteration that faulted, as the trace holds one
 *    group per faulting iteration.
 *  - a store touching a sub-page that is not writable faults, and nothing
 *    reaches the device: SPP checks before the write, and there is no
 *    emulator to carry out the writable part. The EPT violation goes to
 *    Xen, which without emulation can neither complete the instruction
 *    nor skip it (skipping needs its length: decoding, which is the
 *    emulator's job). So it does what Xen did with a write violation on a
 *    read-only MMIO page before the sub-page emulation existed, in the
 *    words of 8847d6e23f's message: an HVM guest "is immediately crashed
 *    on EPT violation" (hvm_hap_nested_page_fault() returns 0,
 *    ept_handle_violation() calls domain_crash()): DOMAIN_CRASH; a PV
 *    guest "gets #PF": PF_TO_GUEST. Reason NOT_ACCEPTED (nothing
 *    accepted the write), emul_rc UNHANDLEABLE, no SRO_WRITE. Injecting
 *    a #PF into an HVM guest instead would not help it: its own page
 *    tables allow the write, so its handler finds nothing to fix and
 *    retries for ever.
 *  - PV domains have no EPT. For a PV fault the model answers as if the
 *    same page were mapped with SPP in an EPT (a PVH dom0 would be): it
 *    shows what the 128-byte granularity allows and refuses next to the
 *    8-byte emulated design; the fault outcome is PV's.
 *  - misaligned cmpxchg16b and movdir64b raise #GP(0) before any access
 *    (EXCEPTION), as on bare metal.
 *  - without a decoded store (no SRO_INSN, a failed fetch, undecodable
 *    bytes) the width is unknown: the model answers only when the
 *    faulting byte's own sub-page is not writable (the write faults
 *    whatever its width), and declines otherwise. A decoded instruction
 *    that does not write memory is declined, as xen-4.21 declines it.
 * No emulator runs, so store_size is always 0. Declined like every model:
 * unknown pages and PV faults of a domain that is not the hardware
 * domain.
 */
#include "alt-common.h"

#define SPP_SUBPAGE 128u

/* Are all bytes of the 128-byte sub-page holding byte `b` writable? */
static bool subpage_writable(const struct sro_page_prot *pp, unsigned int b)
{
    unsigned int w = (b / SPP_SUBPAGE) * (SPP_SUBPAGE / 64);

    return !pp->ro_bytes[w] && !pp->ro_bytes[w + 1];
}

/* The fault of a write SPP refuses, by path (see above). */
static void refuse(const struct sro_model_input *in,
                   struct sro_prediction *out)
{
    sro_alt_finish(out, in->fault->path == SRO_PATH_PV ? SRO_PF_TO_GUEST
                                                       : SRO_DOMAIN_CRASH,
                   SRO_REASON_NOT_ACCEPTED, SRO_X86EMUL_UNHANDLEABLE, 0);
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
        bool decoded = in->fault->has_insn && in->insn && in->insn->valid;

        if ( (decoded && !in->insn->store) ||
             subpage_writable(in->page, s.off) )
            return -1;
        refuse(in, out);
        return 0;
    }
    if ( sro_alt_arch_gp(s.insn, s.off) )
    {
        sro_alt_finish(out, SRO_EXCEPTION, SRO_REASON_NONE,
                       SRO_X86EMUL_EXCEPTION, 0);
        return 0;
    }
    for ( unsigned int b = s.off - s.off % SPP_SUBPAGE; b < s.off + s.len;
          b += SPP_SUBPAGE )
        if ( !subpage_writable(in->page, b) )
        {
            refuse(in, out);
            return 0;
        }
    sro_pred_add_write(out, in->page->mfn, s.off, s.len, SRO_WRITTEN, s.off);
    sro_alt_finish(out, SRO_RETIRED, SRO_REASON_NONE, SRO_X86EMUL_OKAY, 0);
    return 0;
}

const struct sro_model sro_model_ept_spp = {
    .abi_version = SRO_MODEL_ABI_VERSION,
    .name        = "ept-spp",
    .summary     = "alternative (not in Xen): EPT sub-page permission, "
                   "128-byte sub-pages writable only if wholly writable, "
                   "no emulation; a refused write crashes HVM, #PF for PV",
    .predict     = predict,
};

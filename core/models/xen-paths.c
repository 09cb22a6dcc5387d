/*
 * xen-paths.c - a write fault walked down the path a Xen release takes.
 *
 * Three paths (docs/models.md section 1):
 *  - PV: pv_ro_page_fault() -> mmio_ro_do_page_fault() -> x86_emulate()
 *    with mmio_ro_emulate_ops (pv/ro-page-fault.c), every release;
 *  - HVM 4.20: hvm_hap_nested_page_fault() (hvm/hvm.c) ->
 *    subpage_mmio_write_accept() -> hvm_emulate_one_mmio() (hvm/emulate.c),
 *    4.20.0 and 4.20.1;
 *  - HVM 4.21: hvm_hap_nested_page_fault() -> handle_mmio_with_translation()
 *    -> the full HVM emulator -> subpage_mmio_write() (hvm/mmio.c), since
 *    8f36bde2b2 (4.21.0, master).
 * An HVM fault takes the HVM path of the model's release, whichever HVM
 * path recorded it (docs 1.5).
 *
 * Every release emulates one iteration of a rep string store per fault:
 * the PV and 4.20 ops tables have no ->rep_stos/->rep_movs, and 4.21's
 * hvmemul_rep_stos()/hvmemul_rep_movs() return X86EMUL_UNHANDLEABLE for a
 * p2m_mmio_direct page, upon which x86_emulate() falls back to a single
 * ->write (x86_emulate.c, "case 0xaa ... 0xab: stos"). So in->reps is not
 * used: the guest re-executes the instruction for the rest, one fault per
 * iteration.
 *
 * What the models assume and cannot see: the page belongs to dom_io (PV
 * NOT_DOM_IO is never predicted), ioremap succeeds, segment bases are 0
 * (the %cr2 check compares a segment offset with a linear address), the
 * store starts at the recorded address (not on the page before), no
 * mem_access or altp2m restriction applies, cmpxchg8b/16b compare equal.
 */
#include "xen-common.h"

#define OKAY         SRO_X86EMUL_OKAY
#define UNHANDLEABLE SRO_X86EMUL_UNHANDLEABLE
#define EXCEPTION    SRO_X86EMUL_EXCEPTION

static void finish(struct sro_prediction *out, unsigned int outcome,
                   unsigned int reason, unsigned int rc,
                   unsigned int store_size)
{
    out->done.outcome = outcome;
    out->done.reason = reason;
    out->done.emul_rc = rc;
    out->done.store_size = store_size;
    out->done.nwrites = out->nwrites;
}

/* How x86_emulate() ended, and why (docs 1: the reason rule). */
struct emul {
    int rc;
    unsigned int reason;
    unsigned int store_size;    /* bytes of the first write-side hook call */
};

/* The instruction, if the model can use it: NULL when the group has none
 * or its bytes could not be decoded. *fetch_failed is set when Xen's
 * fetch itself failed (SRO_INSN of length 0). */
static const struct sro_insn *usable_insn(const struct sro_model_input *in,
                                          bool *fetch_failed)
{
    *fetch_failed = in->fault->has_insn && in->fault->insn_len == 0;
    if ( !in->fault->has_insn || !in->insn || !in->insn->valid )
        return NULL;
    return in->insn;
}

/*
 * x86_emulate() with the PV/4.20 ops table: ->read x86emul_unhandleable_rw,
 * ->write mmio_ro_emulated_write, ->insn_fetch, ->validate
 * x86_insn_is_mem_write (mmio_ro_emulate_ops in pv/ro-page-fault.c;
 * hvm_ro_emulate_ops_mmio in hvm/emulate.c, 4.20). Returns false if the
 * model cannot say.
 */
static bool emulate_minimal_ops(const struct sro_xen_release *rel,
                                const struct sro_model_input *in,
                                unsigned int off, bool at_cr2,
                                struct sro_prediction *out, struct emul *e)
{
    bool fetch_failed;
    const struct sro_insn *insn = usable_insn(in, &fetch_failed);
    struct sro_xen_wr wr;

    e->rc = UNHANDLEABLE;
    e->reason = SRO_REASON_EMULATION_FAILED;
    e->store_size = 0;

    if ( !insn )
    {
        /* ptwr_emulated_insn_fetch() / hvmemul_insn_fetch(): a failed
         * fetch raises #PF, X86EMUL_EXCEPTION. */
        if ( !fetch_failed )
            return false;
        e->rc = EXCEPTION;
        return true;
    }

    switch ( sro_xen_insn_class(insn) )
    {
    case SRO_XI_NOT_STORE:
        /* ->validate: x86_insn_is_mem_write() is false. */
        e->reason = SRO_REASON_NOT_A_STORE;
        return true;
    case SRO_XI_FPU:        /* x86emul_get_fpu(): fail_if(!ops->get_fpu) */
    case SRO_XI_BLK:        /* movdiri/movdir64b: fail_if(!ops->blk) */
    case SRO_XI_CMPXCHGNB:  /* 0fc7.c: fail_if(!ops->cmpxchg) */
        return true;
    case SRO_XI_RMW_LOCKED:
        /* DstMem decode: fail_if(lock_prefix ? !ops->cmpxchg : ...). */
        return true;
    case SRO_XI_RMW:
        /* Same, no lock prefix: read_ulong() of the destination ->
         * x86emul_unhandleable_rw. */
        e->reason = SRO_REASON_NOT_A_STORE;
        return true;
    case SRO_XI_READS_OTHER:
        /* movs reads its source, pop its stack slot: ->read refuses. */
        e->reason = SRO_REASON_NOT_A_STORE;
        return true;
    case SRO_XI_PLAIN:
        wr = sro_xen_mmio_ro_emulated_write(rel, in->page, off, insn->width,
                                            at_cr2, out);
        e->rc = wr.rc;
        e->reason = wr.bad_access ? SRO_REASON_BAD_ACCESS : SRO_REASON_NONE;
        e->store_size = insn->width;
        return true;
    case SRO_XI_UNKNOWN:
        break;
    }
    return false;
}

/* PV: pv_ro_page_fault() / mmio_ro_do_page_fault(), every release. */
static int path_pv(const struct sro_xen_release *rel,
                   const struct sro_model_input *in, unsigned int off,
                   struct sro_prediction *out)
{
    struct emul e;

    /* pv_ro_page_fault(): mmio_ro = is_hardware_domain(currd) && ...; any
     * other domain goes to ptwr_do_page_fault() and no group exists. */
    if ( !in->fault->hwdom )
        return -1;

    /* %cr2 is the faulting address itself: the check passes. */
    if ( !emulate_minimal_ops(rel, in, off, true, out, &e) )
        return -1;

    /* pv_ro_page_fault()'s switch ( rc ): OKAY retires; EXCEPTION with a
     * #PF (the only event this ops table raises: a failed fetch) is
     * injected; anything else returns 0 and do_page_fault() delivers the
     * original #PF. */
    if ( e.rc == OKAY )
        finish(out, SRO_RETIRED, SRO_REASON_NONE, OKAY, e.store_size);
    else if ( e.rc == EXCEPTION )
        finish(out, SRO_EXCEPTION, SRO_REASON_NONE, EXCEPTION, e.store_size);
    else
        finish(out, SRO_PF_TO_GUEST, e.reason, e.rc, e.store_size);
    return 0;
}

/* HVM 4.20: hvm_hap_nested_page_fault()'s p2m_mmio_direct branch. */
static int path_hvm420(const struct sro_xen_release *rel,
                       const struct sro_model_input *in, unsigned int off,
                       struct sro_prediction *out)
{
    const struct sro_page_prot *pp = in->page;
    struct emul e;

    /*
     * (is_hardware_domain(currd) || subpage_mmio_write_accept(mfn, gla)):
     * the accept check (mm.c, 8847d6e23f) wants a sub-page entry and a
     * writable qword at PAGE_OFFSET(gla). Without a valid GLA, gla is ~0
     * (svm_do_nested_pgfault() passes ~0UL; ept_handle_violation() ~0 when
     * the qualification has none), so it tests qword 511. Refused -> the
     * function returns 0 and the caller crashes the domain.
     */
    if ( !in->fault->hwdom &&
         ((pp->kind != SRO_PAGE_SUBPAGE && pp->kind != SRO_PAGE_ENTRY_ONLY) ||
          sro_page_qword_ro(pp, (in->fault->gla & (SRO_PAGE_SIZE - 1)) /
                                SRO_GRAN)) )
    {
        finish(out, SRO_DOMAIN_CRASH, SRO_REASON_NOT_ACCEPTED, UNHANDLEABLE,
               0);
        return 0;
    }

    /* hvm_emulate_one_mmio(): mmio_ro_ctxt.cr2 = gla, so without a valid
     * GLA no write is "at the original %cr2 address" (fixed only by
     * 8f36bde2b2, which is not in 4.20.x). */
    if ( !emulate_minimal_ops(rel, in, off, in->fault->gla_valid, out, &e) )
        return -1;

    /* hvm_hap_nested_page_fault() handles the fault only when
     * hvm_emulate_one_mmio() == X86EMUL_OKAY; otherwise it returns 0 and
     * ept_handle_violation() / svm_do_nested_pgfault() call domain_crash(),
     * also after an injected exception. */
    if ( e.rc == OKAY )
        finish(out, SRO_RETIRED, SRO_REASON_NONE, OKAY, e.store_size);
    else
        finish(out, SRO_DOMAIN_CRASH,
               e.reason == SRO_REASON_NONE ? SRO_REASON_EMULATION_FAILED
                                           : e.reason,
               e.rc, e.store_size);
    return 0;
}

/* HVM 4.21: handle_mmio_with_translation() and the full emulator. */
static int path_hvm421(const struct sro_model_input *in, unsigned int off,
                       struct sro_prediction *out)
{
    bool fetch_failed;
    const struct sro_insn *insn = usable_insn(in, &fetch_failed);
    unsigned int w;

    if ( !insn )
    {
        /* hvmemul_insn_fetch() failing raises #PF: hvm_emulate_one_insn()
         * injects it (X86EMUL_EXCEPTION). */
        if ( !fetch_failed )
            return -1;
        finish(out, SRO_EXCEPTION, SRO_REASON_NONE, EXCEPTION, 0);
        return 0;
    }
    w = insn->width;
    if ( !w )
        return -1;

    switch ( sro_xen_insn_class(insn) )
    {
    case SRO_XI_NOT_STORE:
        /* handle_mmio() validates with x86_insn_is_mem_access(): a load
         * would be emulated as a load. A write fault from it means the
         * bytes are not what faulted: cannot say. */
    case SRO_XI_UNKNOWN:
        return -1;
    case SRO_XI_BLK:
        /* hvmemul_blk(): hvmemul_map_linear_addr() gives no mapping for
         * MMIO -> X86EMUL_UNHANDLEABLE -> handle_mmio() false -> #GP(0). */
        finish(out, SRO_GP_TO_GUEST, SRO_REASON_EMULATION_FAILED,
               UNHANDLEABLE, w);
        return 0;
    case SRO_XI_CMPXCHGNB:
        /* 0fc7.c: cmpxchg16b generates #GP(0) on a misaligned operand,
         * before any access. */
        if ( w == 16 && (off & 15) )
        {
            finish(out, SRO_EXCEPTION, SRO_REASON_NONE, EXCEPTION, 0);
            return 0;
        }
        /* Else ->read, then ->cmpxchg = hvmemul_cmpxchg(), which without a
         * mapping does linear_write(). */
        break;
    case SRO_XI_PLAIN:      /* ->write = hvmemul_write() */
    case SRO_XI_RMW_LOCKED:
    case SRO_XI_RMW:        /* ->rmw = hvmemul_rmw(): linear_read() (the
                               subpage_mmio_read() or null handler), then
                               linear_write(); force_writeback is set, so
                               the write happens even if unchanged */
    case SRO_XI_READS_OTHER:/* the source / stack read is guest RAM */
    case SRO_XI_FPU:        /* ->get_fpu exists; the SIMD writeback is
                               one ->write of the whole width */
        break;
    }

    sro_xen_hvm421_write(in->page, off, w, out);
    finish(out, SRO_RETIRED, SRO_REASON_NONE, OKAY, w);
    return 0;
}

int sro_xen_predict(const struct sro_xen_release *rel,
                    const struct sro_model_input *in,
                    struct sro_prediction *out)
{
    unsigned int off;

    if ( !in || !in->fault || !in->page || !out )
        return -1;
    /* No configuration record covers the page, or the snapshot is of
     * another page: whether it has a sub-page entry is unknown. */
    if ( in->page->kind == SRO_PAGE_UNKNOWN ||
         in->page->mfn != in->fault->mfn )
        return -1;

    /* The page offset the guest addressed: from the GPA (PV: the machine
     * address of %cr2). */
    off = in->fault->gpa & (SRO_PAGE_SIZE - 1);

    switch ( in->fault->path )
    {
    case SRO_PATH_PV:
        return path_pv(rel, in, off, out);
    case SRO_PATH_HVM_420:
    case SRO_PATH_HVM_421:
        return rel->hvm_mmio_handler ? path_hvm421(in, off, out)
                                     : path_hvm420(rel, in, off, out);
    }
    return -1;
}

/*
 * alt-common.c - see alt-common.h.
 */
#include "alt-common.h"
#include "xen-common.h"

bool sro_alt_store(const struct sro_model_input *in, struct sro_alt_store *s)
{
    const struct sro_fault *f;

    if ( !in || !in->fault || !in->page || !s )
        return false;
    f = in->fault;
    if ( in->page->kind == SRO_PAGE_UNKNOWN || in->page->mfn != f->mfn )
        return false;
    if ( f->path == SRO_PATH_PV )
    {
        if ( !f->hwdom )
            return false;
    }
    else if ( f->path != SRO_PATH_HVM_420 && f->path != SRO_PATH_HVM_421 )
        return false;

    s->off = f->gpa & (SRO_PAGE_SIZE - 1);
    s->fetch_failed = f->has_insn && f->insn_len == 0;
    s->insn = NULL;
    s->len = 0;
    if ( f->has_insn && in->insn && in->insn->valid && in->insn->store &&
         in->insn->width )
    {
        s->insn = in->insn;
        s->len = in->insn->width;
        /* linear_write() and the hardware alike: the bytes past the page
         * end belong to the next page, with a protection of its own. */
        if ( s->off + s->len > SRO_PAGE_SIZE )
            s->len = SRO_PAGE_SIZE - s->off;
    }
    return true;
}

bool sro_alt_arch_gp(const struct sro_insn *insn, unsigned int off)
{
    switch ( sro_xen_insn_class(insn) )
    {
    case SRO_XI_CMPXCHGNB:      /* cmpxchg16b: "#GP(0) if m128 is not
                                   aligned on a 16-byte boundary" */
        return insn->width == 16 && (off & 15);
    case SRO_XI_BLK:            /* movdir64b: "#GP if the destination is
                                   not aligned to 64 bytes" */
        return insn->width == 64 && (off & 63);
    default:
        return false;
    }
}

void sro_alt_finish(struct sro_prediction *out, unsigned int outcome,
                    unsigned int reason, unsigned int rc,
                    unsigned int store_size)
{
    out->done.outcome = (uint8_t)outcome;
    out->done.reason = (uint8_t)reason;
    out->done.emul_rc = (uint8_t)rc;
    out->done.store_size = store_size;
    out->done.nwrites = out->nwrites;
}

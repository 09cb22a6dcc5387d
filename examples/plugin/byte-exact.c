/*
 * byte-exact.c - an example model plugin: what a byte-exact Xen would do.
 *
 * Xen protects sub-page read-only MMIO at 8-byte granularity and, release
 * by release, splits, refuses or faults some stores. This model is the
 * yardstick a Xen developer may want to replay against instead: a store
 * whose bytes are all writable is written through whole, at the offset
 * the guest addressed; otherwise it is split at qword boundaries, each
 * qword written or dropped as a whole, and a qword that is itself partly
 * read-only (only with byte-exact holes of a what-if plan) split into
 * runs of bytes. Read-only bytes are dropped silently: the guest never
 * sees a fault. Replayed through `srotrace replay --model`, every
 * decidable group this model predicts is CORRECT for the reference
 * oracle, which makes it a useful baseline when comparing the built-in
 * models, and a template for your own (see README.md in this folder).
 *
 * It uses only the plugin ABI headers (core/model.h and what it
 * includes) and links no srotrace library.
 */
#include "core/model.h"

/* The number of read-only bytes in [off, end) of the page. */
static unsigned int ro_count(const struct sro_page_prot *pp,
                             unsigned int off, unsigned int end)
{
    unsigned int n = 0;

    for ( unsigned int b = off; b < end; b++ )
        n += sro_page_byte_ro(pp, b);
    return n;
}

/*
 * Predict bytes [off, end) of page pp, appending pieces to out. Returns
 * false if the prediction ran out of room (some pieces are missing).
 */
static bool predict_bytes(const struct sro_page_prot *pp, uint64_t mfn,
                          unsigned int off, unsigned int end,
                          struct sro_prediction *out)
{
    unsigned int ro = ro_count(pp, off, end);

    if ( ro == 0 )
        return sro_pred_add_write(out, mfn, off, end - off, SRO_WRITTEN,
                                  off);
    if ( pp->kind == SRO_PAGE_RO_WHOLE )
        return sro_pred_add_write(out, mfn, off, end - off,
                                  SRO_DROPPED_NO_ENTRY, off);

    /* One piece per qword, or per run of equal bytes inside a qword. */
    for ( unsigned int q = off; q < end; )
    {
        unsigned int qend = (q / SRO_GRAN + 1) * SRO_GRAN;
        unsigned int n, b;

        if ( qend > end )
            qend = end;
        n = ro_count(pp, q, qend);
        if ( n == 0 || n == qend - q )
        {
            if ( !sro_pred_add_write(out, mfn, q, qend - q,
                                     n ? SRO_DROPPED_RO : SRO_WRITTEN, q) )
                return false;
            q = qend;
            continue;
        }
        for ( b = q; b < qend; )
        {
            bool r = sro_page_byte_ro(pp, b);
            unsigned int e = b + 1;

            while ( e < qend && sro_page_byte_ro(pp, e) == r )
                e++;
            if ( !sro_pred_add_write(out, mfn, b, e - b,
                                     r ? SRO_DROPPED_RO : SRO_WRITTEN, b) )
                return false;
            b = e;
        }
        q = qend;
    }
    return true;
}

/*
 * The model's predict(): -1 (cannot say) for an instruction that did not
 * decode or does not store, and for a page nobody configured. A string
 * store is predicted for in->reps iterations (ascending addresses) while
 * they stay inside the page and fit in the prediction; the rest is left
 * to a re-execution (RETRY). Bytes past the end of the page are another
 * page's business and are left out.
 */
static int predict(const struct sro_model *m,
                   const struct sro_model_input *in,
                   struct sro_prediction *out)
{
    const struct sro_insn *insn = in->insn;
    const struct sro_page_prot *pp = in->page;
    unsigned int off, width, reps, done = 0;
    uint64_t mfn;

    (void)m;
    if ( !insn || !insn->valid || !insn->store || insn->width == 0 )
        return -1;
    if ( !pp || pp->kind == SRO_PAGE_UNKNOWN )
        return -1;

    mfn = in->fault->mfn;
    off = in->fault->gpa & (SRO_PAGE_SIZE - 1);
    width = insn->width;
    reps = insn->string && in->reps ? in->reps : 1;

    for ( ; done < reps; done++ )
    {
        unsigned int o = off + done * width;
        unsigned int end = o + width;

        if ( done && end > SRO_PAGE_SIZE )
            break;
        if ( end > SRO_PAGE_SIZE )
            end = SRO_PAGE_SIZE;
        if ( !predict_bytes(pp, mfn, o, end, out) )
            break;
    }

    out->done.outcome = done == reps ? SRO_RETIRED : SRO_RETRY;
    out->done.reason = SRO_REASON_NONE;
    out->done.emul_rc = done == reps ? SRO_X86EMUL_OKAY : SRO_X86EMUL_RETRY;
    out->done.nwrites = out->nwrites;
    out->done.store_size = width;
    return 0;
}

static const struct sro_model byte_exact = {
    .abi_version = SRO_MODEL_ABI_VERSION,
    .name        = "byte-exact",
    .summary     = "example plugin: a byte-exact Xen; writes every writable "
                   "byte at the guest's offset, drops the rest, never "
                   "faults the guest",
    .predict     = predict,
};

/* The one symbol srotrace looks for. */
sro_model_plugin_fn sro_model_plugin;

const struct sro_model *sro_model_plugin(unsigned int abi_version)
{
    return abi_version == SRO_MODEL_ABI_VERSION ? &byte_exact : NULL;
}

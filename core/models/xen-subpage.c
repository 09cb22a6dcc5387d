/*
 * xen-subpage.c - the write-side functions of Xen's sub-page r/o MMIO
 * code, one release flag at a time: subpage_mmio_write_emulate() and
 * mmio_ro_emulated_write() (xen/arch/x86/mm.c; the latter in
 * pv/ro-page-fault.c since ff3e5dfa7c, unchanged), and 4.21's HVM write
 * route ending in subpage_mmio_write() (hvm/mmio.c, 8f36bde2b2).
 *
 * Each function appends the SRO_WRITE records an instrumented Xen emits at
 * that point (docs/models.md section 1.1 and 1.4). Ioremap is taken never
 * to fail: the snapshot's `mapped` flag only says whether the page was
 * mapped yet, and subpage_mmio_map_page() maps it on the first write, so
 * DROPPED_MAP_FAILED is never predicted.
 */
#include "xen-common.h"

/* X86EMUL_* as Xen numbers them (x86_emulate/x86_emulate.h). */
#define OKAY         SRO_X86EMUL_OKAY
#define UNHANDLEABLE SRO_X86EMUL_UNHANDLEABLE

static bool is_pow2(unsigned int n)
{
    return n && !(n & (n - 1));
}

/* Does the page have a sub-page entry (subpage_mmio_find_page() != NULL)?
 * ENTRY_ONLY pages have one by definition. */
static bool has_entry(const struct sro_page_prot *pp)
{
    return pp->kind == SRO_PAGE_SUBPAGE || pp->kind == SRO_PAGE_ENTRY_ONLY;
}

void sro_xen_subpage_write_emulate(const struct sro_xen_release *rel,
                                   const struct sro_page_prot *pp,
                                   unsigned int off, unsigned int len,
                                   struct sro_prediction *out)
{
    /* subpage_mmio_write_emulate(), mm.c (8847d6e23f): no entry -> return
     * silently; the write is dropped. */
    if ( !has_entry(pp) )
    {
        sro_pred_add_write(out, pp->mfn, off, len, SRO_DROPPED_NO_ENTRY, 0);
        return;
    }

    /* Same: test_bit(offset / MMIO_RO_SUBPAGE_GRAN, ro_elems) decides for
     * the whole access by its first qword -> "ignoring write". */
    if ( sro_page_qword_ro(pp, off / SRO_GRAN) )
    {
        sro_pred_add_write(out, pp->mfn, off, len, SRO_DROPPED_RO, 0);
        return;
    }

    /* Same: subpage_mmio_map_page() is taken to succeed (see above). Then
     * switch ( len ): 1, 2, 4, 8 write; anything else hits
     * ASSERT_UNREACHABLE(), a no-op in a release build, and goes to
     * write_ignored. Only 4.20.0 gets here with other sizes: since
     * 8dbd9966f8 the caller never passes them. */
    if ( len != 1 && len != 2 && len != 4 && len != 8 )
    {
        sro_pred_add_write(out, pp->mfn, off, len, SRO_DROPPED_BAD_SIZE, 0);
        return;
    }

    /* Same: `addr` is the mapping of the page; 38d0780979 added
     * `addr += offset`. Before it (4.20.0) every write lands at offset 0. */
    sro_pred_add_write(out, pp->mfn, off, len, SRO_WRITTEN,
                       rel->write_at_offset ? off : 0);
}

struct sro_xen_wr sro_xen_mmio_ro_emulated_write(
    const struct sro_xen_release *rel, const struct sro_page_prot *pp,
    unsigned int off, unsigned int len, bool at_cr2,
    struct sro_prediction *out)
{
    struct sro_xen_wr r = { .rc = OKAY, .bad_access = false };

    /*
     * mmio_ro_emulated_write() (8847d6e23f): "Only allow naturally-aligned
     * stores at the original %cr2 address": ((bytes | offset) & (bytes -
     * 1)) || !bytes || offset != cr2 -> X86EMUL_UNHANDLEABLE. The patch
     * emits BAD_SIZE for a size that is 0 or not a power of two, then
     * MISALIGNED, and nothing when only %cr2 differs (docs 1.1).
     */
    if ( !is_pow2(len) )
        sro_pred_add_write(out, pp->mfn, off, len, SRO_DROPPED_BAD_SIZE, 0);
    else if ( off & (len - 1) )
        sro_pred_add_write(out, pp->mfn, off, len, SRO_DROPPED_MISALIGNED,
                           0);
    else if ( at_cr2 )
    {
        if ( len <= 8 || !rel->over8_dropped_early )
            /* 4.20.0 passes every size on (the comment in
             * subpage_mmio_write_emulate() claims it was validated). */
            sro_xen_subpage_write_emulate(rel, pp, off, len, out);
        else
            /* 8dbd9966f8: bytes > 8 -> a warning if the page has an entry,
             * silence otherwise; dropped either way, X86EMUL_OKAY. */
            sro_pred_add_write(out, pp->mfn, off, len,
                               has_entry(pp) ? SRO_DROPPED_BAD_SIZE
                                             : SRO_DROPPED_NO_ENTRY, 0);
        return r;
    }

    r.rc = UNHANDLEABLE;
    r.bad_access = true;
    return r;
}

/*
 * One chunk of 4.21's HVM route: hvm_io_intercept() finds the
 * subpage_mmio_ops handler only if subpage_mmio_accept() sees a sub-page
 * entry (hvm/mmio.c, 8f36bde2b2; registered at all only if some entry
 * exists, 06fd6818ea, which changes nothing here). Otherwise no ioreq
 * server claims the address and hvmemul_do_io() (hvm/emulate.c) lets the
 * null handler drop the write; 8f36bde2b2 keeps the hardware domain's p2m
 * fixup away from writes to mmio_ro_ranges pages, so hwdom is the same.
 */
static void hvm421_chunk(const struct sro_page_prot *pp, unsigned int off,
                         unsigned int len, struct sro_prediction *out)
{
    static const struct sro_xen_release fixed = {
        .tag = "RELEASE-4.21.0", .write_at_offset = true,
        .over8_dropped_early = true, .hvm_mmio_handler = true,
    };

    if ( !has_entry(pp) )
    {
        sro_pred_add_write(out, pp->mfn, off, len, SRO_DROPPED_NO_ENTRY, 0);
        return;
    }

    /* subpage_mmio_write(): !len || len > 8 || not a power of two ->
     * "ignoring write", X86EMUL_OKAY; so is !IS_ALIGNED(addr, len). */
    if ( !is_pow2(len) || len > 8 )
        sro_pred_add_write(out, pp->mfn, off, len, SRO_DROPPED_BAD_SIZE, 0);
    else if ( off & (len - 1) )
        sro_pred_add_write(out, pp->mfn, off, len, SRO_DROPPED_MISALIGNED,
                           0);
    else
        /* Then subpage_mmio_write_emulate() with the offset (38d0780979,
         * in 4.21 from the start). */
        sro_xen_subpage_write_emulate(&fixed, pp, off, len, out);
}

void sro_xen_hvm421_write(const struct sro_page_prot *pp, unsigned int off,
                          unsigned int len, struct sro_prediction *out)
{
    unsigned int chunk;

    /* linear_write() (hvm/emulate.c): an access running past the page end
     * is split there; only the part on this page reaches this page. */
    if ( off + len > SRO_PAGE_SIZE )
        len = SRO_PAGE_SIZE - off;
    if ( !len )
        return;

    /* hvmemul_phys_mmio_access(): chunk = the highest power of 2 not above
     * the size, at most sizeof(long); after each chunk, halve it while it
     * exceeds what is left. 16 -> 8+8, 10 -> 8+2, 6 -> 4+2. */
    chunk = 1;
    while ( chunk * 2 <= len && chunk < 8 )
        chunk *= 2;
    for ( ;; )
    {
        hvm421_chunk(pp, off, chunk, out);
        off += chunk;
        len -= chunk;
        if ( !len )
            break;
        while ( chunk > len )
            chunk /= 2;
    }
}

/*
 * xen-4.21.c - the model "xen-4.21": Xen RELEASE-4.21.0 and master.
 *
 * Carries 38d0780979 and 8dbd9966f8 (PV path as 4.20.1), and 8f36bde2b2 +
 * 06fd6818ea: an HVM write to a page in mmio_ro_ranges goes to
 * handle_mmio_with_translation() and the subpage_mmio_* MMIO handler
 * (hvm/mmio.c), which needs no GLA; wide stores are cut into chunks of at
 * most 8 bytes by hvmemul_phys_mmio_access(). master (c447b7308b) has the
 * same code on these paths; see docs/models.md for the one option whose
 * default changed after 4.21 (dom0=pf-fixup, fa8687810a).
 */
#include "xen-common.h"

static const struct sro_xen_release rel_4_21 = {
    .tag                 = "RELEASE-4.21.0",
    .write_at_offset     = true,    /* 38d0780979 */
    .over8_dropped_early = true,    /* 8dbd9966f8 */
    .hvm_mmio_handler    = true,    /* 8f36bde2b2 */
};

static int predict(const struct sro_model *m,
                   const struct sro_model_input *in,
                   struct sro_prediction *out)
{
    (void)m;
    return sro_xen_predict(&rel_4_21, in, out);
}

const struct sro_model sro_model_xen_4_21 = {
    .abi_version = SRO_MODEL_ABI_VERSION,
    .name        = "xen-4.21",
    .summary     = "RELEASE-4.21.0 and master: PV as 4.20.1; HVM via the "
                   "subpage_mmio_* MMIO handler, wide stores in 8-byte chunks",
    .predict     = predict,
};

/*
 * xen-4.20.0.c - the model "xen-4.20.0": Xen RELEASE-4.20.0.
 *
 * The first release with sub-page r/o MMIO (8847d6e23f), with all three
 * known bugs: an allowed store is written at page offset 0 (fixed by
 * 38d0780979), a naturally aligned store over 8 bytes reaches
 * subpage_mmio_write_emulate()'s ASSERT_UNREACHABLE() (a no-op in the
 * release build modelled here, which then drops it; fixed by 8dbd9966f8),
 * and the HVM path compares the store's address with the GLA, so that on
 * AMD, or on Intel without a GLA, every HVM write crashes the domain
 * (fixed by 8f36bde2b2). The paths are in xen-paths.c.
 */
#include "xen-common.h"

static const struct sro_xen_release rel_4_20_0 = {
    .tag                 = "RELEASE-4.20.0",
    .write_at_offset     = false,   /* 38d0780979 not in 4.20.0 */
    .over8_dropped_early = false,   /* 8dbd9966f8 not in 4.20.0 */
    .hvm_mmio_handler    = false,   /* 8f36bde2b2 not in 4.20.x */
};

static int predict(const struct sro_model *m,
                   const struct sro_model_input *in,
                   struct sro_prediction *out)
{
    (void)m;
    return sro_xen_predict(&rel_4_20_0, in, out);
}

const struct sro_model sro_model_xen_4_20_0 = {
    .abi_version = SRO_MODEL_ABI_VERSION,
    .name        = "xen-4.20.0",
    .summary     = "RELEASE-4.20.0: PV mmio_ro_do_page_fault, HVM "
                   "hvm_emulate_one_mmio; writes at offset 0, GLA needed",
    .predict     = predict,
};

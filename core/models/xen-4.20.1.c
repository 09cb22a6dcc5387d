/*
 * xen-4.20.1.c - the model "xen-4.20.1": Xen RELEASE-4.20.1.
 *
 * 4.20.0 plus two backports: dee15facf8 (= 38d0780979, allowed stores are
 * written at their page offset) and 35cb38b222 (= 8dbd9966f8, stores over
 * 8 bytes are dropped in mmio_ro_emulated_write()). The HVM fix
 * 8f36bde2b2 was not backported: HVM faults still go through
 * subpage_mmio_write_accept() and hvm_emulate_one_mmio(), and without a
 * valid GLA every HVM write still crashes the domain.
 */
#include "xen-common.h"

static const struct sro_xen_release rel_4_20_1 = {
    .tag                 = "RELEASE-4.20.1",
    .write_at_offset     = true,    /* dee15facf8 */
    .over8_dropped_early = true,    /* 35cb38b222 */
    .hvm_mmio_handler    = false,   /* 8f36bde2b2 not in 4.20.x */
};

static int predict(const struct sro_model *m,
                   const struct sro_model_input *in,
                   struct sro_prediction *out)
{
    (void)m;
    return sro_xen_predict(&rel_4_20_1, in, out);
}

const struct sro_model sro_model_xen_4_20_1 = {
    .abi_version = SRO_MODEL_ABI_VERSION,
    .name        = "xen-4.20.1",
    .summary     = "RELEASE-4.20.1: 4.20.0 + offset and >8-byte fixes; HVM "
                   "still hvm_emulate_one_mmio (GLA needed)",
    .predict     = predict,
};

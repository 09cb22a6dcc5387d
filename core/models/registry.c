/*
 * registry.c - the built-in Xen models, in release order.
 *
 * sro_builtin_models[] (declared in core/model.h) is what `srotrace
 * models` lists and what sro_model_find() searches by name. Each model is
 * defined in its own file of this folder; docs/models.md tabulates them.
 * After the releases come the designs that were discussed but never
 * shipped (alt-common.h): carve-out, ept-spp.
 */
#include "core/model.h"

extern const struct sro_model sro_model_xen_4_20_0;
extern const struct sro_model sro_model_xen_4_20_1;
extern const struct sro_model sro_model_xen_4_21;
extern const struct sro_model sro_model_carve_out;
extern const struct sro_model sro_model_ept_spp;

const struct sro_model *const sro_builtin_models[] = {
    &sro_model_xen_4_20_0,
    &sro_model_xen_4_20_1,
    &sro_model_xen_4_21,
    &sro_model_carve_out,
    &sro_model_ept_spp,
    NULL,
};

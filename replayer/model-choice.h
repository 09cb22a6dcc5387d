/*
 * model-choice.h - which model replays a run when none is named.
 */
#ifndef SRO_REPLAYER_MODEL_CHOICE_H
#define SRO_REPLAYER_MODEL_CHOICE_H

#include <stddef.h>

/*
 * The built-in model for a Xen version string as recorded in runs
 * (e.g. "4.20.0", "4.20.2-pre", "4.21.1", "4.22-unstable"): xen-4.20.0
 * for 4.20.0, xen-4.20.1 for later 4.20 releases, xen-4.21 for 4.21 and
 * anything newer or unknown (NULL or unparsable). Versions older than 4.20
 * have no sub-page protection: NULL is returned for them.
 */
const char *sro_model_for_xen_version(const char *version);

#endif /* SRO_REPLAYER_MODEL_CHOICE_H */

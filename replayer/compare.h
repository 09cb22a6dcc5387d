/*
 * compare.h - does a recorded group differ from a model's prediction?
 *
 * Compared, in this order, and the first difference is named: for each
 * write both have, its offset, length, result and (when written) device
 * offset; then the number of writes; then the outcome. A divergence names
 * the field ("writes[0].device_offset") and both values.
 */
#ifndef SRO_REPLAYER_COMPARE_H
#define SRO_REPLAYER_COMPARE_H

#include <stdbool.h>
#include <stddef.h>

#include "core/types.h"

/* Two behaviours: writes and, if has_done, an outcome. */
struct sro_behaviour {
    const struct sro_write *writes;
    unsigned int            nwrites;
    bool                    has_done;
    unsigned int            outcome;
};

/* false if a and b agree; else true, with the first differing field in
 * field ("outcome") and "A-value -> B-value" in detail. */
bool sro_behaviour_differs(const struct sro_behaviour *a,
                           const struct sro_behaviour *b,
                           char *field, size_t fieldlen,
                           char *detail, size_t detaillen);

/* "0x68/4/WRITTEN@0x68 0x70/4/DROPPED_RO" (empty string for no writes). */
void sro_format_writes(const struct sro_write *w, unsigned int n,
                       char *buf, size_t len);

#endif /* SRO_REPLAYER_COMPARE_H */

/*
 * plan.h - protection plans: `--ranges FILE` and `--what-if FILE`.
 *
 * A plan is a text file of protection lines applied to an empty
 * protection state, in order:
 *
 *     # comment
 *     START SIZE               read-only, as subpage_mmio_ro_add(START, SIZE)
 *     ro START SIZE            the same, spelled out
 *     ro-pages FIRST [LAST]    whole read-only pages (mmio_ro_ranges), MFNs
 *     writable START SIZE      a byte-exact writable hole (what-if only)
 *
 * Numbers are decimal or 0x-hex. `--ranges` supplies the configuration a
 * capture started after boot never saw (it is applied before the run's own
 * records); `--what-if` replaces the run's configuration altogether.
 * docs/plans.md documents the format.
 */
#ifndef SRO_REPLAYER_PLAN_H
#define SRO_REPLAYER_PLAN_H

#include <stddef.h>
#include <stdint.h>

#include "core/prot.h"

enum sro_plan_kind {
    SRO_PLAN_RO,            /* START SIZE / ro START SIZE */
    SRO_PLAN_RO_PAGES,      /* ro-pages FIRST LAST */
    SRO_PLAN_WRITABLE,      /* writable START SIZE */
};

struct sro_plan_line {
    enum sro_plan_kind kind;
    uint64_t           a;       /* start address, or first mfn */
    uint64_t           b;       /* size, or last mfn */
    unsigned int       lineno;
};

struct sro_plan {
    char                 *path;
    struct sro_plan_line *lines;
    unsigned int          n;
    unsigned int          cap;
};

/* Parse the plan in file `path`. Returns 0, or -1 with "FILE:LINE: what"
 * in err. The plan owns its memory: free it with sro_plan_free(). */
int sro_plan_load(const char *path, struct sro_plan *plan,
                  char *err, size_t errlen);
/* Parse plan text held in memory (name is for messages). */
int sro_plan_parse(const char *name, const char *text, size_t len,
                   struct sro_plan *plan, char *err, size_t errlen);
void sro_plan_free(struct sro_plan *plan);

/* Apply every line to p, in order. A line Xen's rules refuse (an
 * unaligned `ro` range) is an error: -1 with "FILE:LINE: what". */
int sro_plan_apply(const struct sro_plan *plan, struct sro_prot *p,
                   char *err, size_t errlen);

#endif /* SRO_REPLAYER_PLAN_H */

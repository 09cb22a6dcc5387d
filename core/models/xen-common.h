/*
 * xen-common.h - the pieces the Xen release models share.
 *
 * Each built-in model (xen-4.20.0.c, xen-4.20.1.c, xen-4.21.c) is a
 * struct sro_xen_release: which of the sub-page r/o MMIO fixes that
 * release carries. The code paths themselves are shared, because the
 * releases share them: xen-paths.c walks a fault down the PV path, the
 * 4.20 HVM path or the 4.21 HVM path; xen-subpage.c holds the semantics of
 * the functions those paths end in (subpage_mmio_write_emulate(),
 * mmio_ro_emulated_write(), subpage_mmio_write()); xen-insn.c says which
 * emulator hooks an instruction needs, which is what decides its fate on
 * the PV and 4.20 paths (their ops tables have only ->read, ->write,
 * ->insn_fetch and ->validate).
 *
 * docs/models.md is the human-readable form of these files: keep the two
 * in step. Every rule names the Xen function, file and commit it follows.
 * Nothing here does I/O or keeps state: a model is a pure function.
 */
#ifndef SRO_XEN_COMMON_H
#define SRO_XEN_COMMON_H

#include <stdbool.h>

#include "core/model.h"

/* Which fixes a release carries (commits of xen.git, see docs/models.md). */
struct sro_xen_release {
    const char *tag;            /* "RELEASE-4.20.0" */
    /* 38d0780979 "account for the offset when performing subpage r/o MMIO
     * access": subpage_mmio_write_emulate() writes at the page offset,
     * not at offset 0. 4.21.0; backported to 4.20.1 (dee15facf8). */
    bool write_at_offset;
    /* 8dbd9966f8 "constrain sub-page access length in
     * mmio_ro_emulated_write()": stores over 8 bytes are dropped before
     * subpage_mmio_write_emulate(). 4.21.0; 4.20.1 (35cb38b222). */
    bool over8_dropped_early;
    /* 8f36bde2b2 "fix handling of accesses to partial r/o MMIO pages":
     * HVM faults go to handle_mmio() and the subpage_mmio_* MMIO handler
     * (hvm/mmio.c) instead of hvm_emulate_one_mmio(). 4.21.0 only. */
    bool hvm_mmio_handler;
};

/* What x86_emulate() needs to carry out an instruction, as far as it
 * decides the outcome on the sub-page r/o paths (xen-insn.c). */
enum sro_xen_insn_class {
    SRO_XI_PLAIN,       /* one ->write of `width` bytes, no read: mov,
                           movabs, movnti, movbe, setcc, stos */
    SRO_XI_RMW,         /* reads its destination first (add/or/xchg/...) */
    SRO_XI_RMW_LOCKED,  /* the same with an explicit lock prefix */
    SRO_XI_READS_OTHER, /* reads other memory first: movs, pop */
    SRO_XI_FPU,         /* x87/MMX/SSE/AVX store: needs ->get_fpu */
    SRO_XI_BLK,         /* movdiri, movdir64b: go through ->blk */
    SRO_XI_CMPXCHGNB,   /* cmpxchg8b/16b: ->read then ->cmpxchg */
    SRO_XI_NOT_STORE,   /* decoded, but does not write memory */
    SRO_XI_UNKNOWN,     /* a store this table does not place (sgdt,
                           xsave, push, ...): the model cannot say */
};

/* Classify a decoded instruction (valid, non-NULL). */
enum sro_xen_insn_class sro_xen_insn_class(const struct sro_insn *insn);
const char *sro_xen_insn_class_name(enum sro_xen_insn_class c);

/* Do the model's answer of one fault: 0, or -1 when it cannot say. */
int sro_xen_predict(const struct sro_xen_release *rel,
                    const struct sro_model_input *in,
                    struct sro_prediction *out);

/* ---- xen-subpage.c: the functions the paths end in ---- */

/* Where mmio_ro_emulated_write() stands after checking one access. */
struct sro_xen_wr {
    int rc;                     /* X86EMUL_OKAY or X86EMUL_UNHANDLEABLE */
    bool bad_access;            /* refused as "bad access" */
};

/*
 * subpage_mmio_write_emulate(mfn, off, len) of release `rel`, for the
 * page `pp`: appends the one SRO_WRITE it emits to `out`.
 */
void sro_xen_subpage_write_emulate(const struct sro_xen_release *rel,
                                   const struct sro_page_prot *pp,
                                   unsigned int off, unsigned int len,
                                   struct sro_prediction *out);

/*
 * mmio_ro_emulated_write() of release `rel` for one ->write call of `len`
 * bytes at page offset `off`; at_cr2 says whether its address equals the
 * mmio_ro_emulate_ctxt's cr2. Appends the SRO_WRITE it emits (none when
 * refused only for cr2) and returns what the hook returns.
 */
struct sro_xen_wr sro_xen_mmio_ro_emulated_write(
    const struct sro_xen_release *rel, const struct sro_page_prot *pp,
    unsigned int off, unsigned int len, bool at_cr2,
    struct sro_prediction *out);

/*
 * 4.21's HVM write of `len` bytes at page offset `off` of page pp:
 * linear_write() keeps the part on this page, hvmemul_phys_mmio_access()
 * cuts it into chunks, each ending in subpage_mmio_write() or, for a page
 * without a sub-page entry, hvmemul_do_io()'s null handler. Appends one
 * SRO_WRITE per chunk.
 */
void sro_xen_hvm421_write(const struct sro_page_prot *pp, unsigned int off,
                          unsigned int len, struct sro_prediction *out);

#endif /* SRO_XEN_COMMON_H */

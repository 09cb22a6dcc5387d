/*
 * model-fixture.h - hand-built faults, instructions and pages for the
 * tests of the Xen models (tests/unit/test-model-*.c).
 *
 * Everything is built field by field, without the decoder or the
 * protection state, so that a model test depends on the model alone. The
 * standard page is MF_MFN, shaped like the xHCI DbC page of
 * ../shared/conformance: qwords 4..11 (bytes 0x20..0x5f) read-only, the
 * rest writable; mf_page_ro511() adds qword 511 (bytes 0xff8..0xfff),
 * which is what 4.20's subpage_mmio_write_accept() tests when gla is ~0.
 */
#ifndef TEST_MODEL_FIXTURE_H
#define TEST_MODEL_FIXTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "core/model.h"

#define MF_MFN      0xfe100u
#define MF_GLA_BASE UINT64_C(0xffffc90000100000)

/* Instruction flags for mf_insn(). */
#define MF_RMW      (1u << 0)
#define MF_STRING   (1u << 1)
#define MF_REP      (1u << 2)
#define MF_LOCK     (1u << 3)
#define MF_NOSTORE  (1u << 4)

/* One test case: what goes into a model. */
struct mf_case {
    struct sro_fault     fault;
    struct sro_insn      insn;
    struct sro_page_prot page;
    struct sro_model_input in;
};

/* A decoded store: text (capstone-style), bytes written, MF_* flags. */
struct sro_insn mf_insn(const char *text, unsigned int width,
                        unsigned int flags);

/* Pages of MF_MFN: the DbC-like sub-page page, the same with qword 511
 * read-only too, a page read-only as a whole, a page nothing covers. */
struct sro_page_prot mf_page(void);
struct sro_page_prot mf_page_ro511(void);
struct sro_page_prot mf_page_whole(void);
struct sro_page_prot mf_page_unknown(void);

/*
 * A fault on path `path` at page offset `off` of MF_MFN, with the
 * instruction and page given. hwdom and gla_valid as named; the GLA is
 * MF_GLA_BASE + off when valid, ~0 otherwise. The SRO_INSN was seen with 3
 * bytes. The case's `in` points into the case itself: do not copy it.
 */
void mf_setup(struct mf_case *c, unsigned int path, bool hwdom,
              bool gla_valid, unsigned int off, const struct sro_insn *insn,
              const struct sro_page_prot *page);

/* Run model `name` (a built-in) on the case; returns predict()'s value. */
int mf_predict(const char *name, const struct mf_case *c,
               struct sro_prediction *out);

/* cmocka assertions on a prediction. */
void mf_expect_done(const struct sro_prediction *p, unsigned int outcome,
                    unsigned int reason, unsigned int rc,
                    unsigned int store_size, unsigned int nwrites);
void mf_expect_write(const struct sro_prediction *p, unsigned int i,
                     unsigned int off, unsigned int len, unsigned int result,
                     unsigned int dev_offset);

#endif /* TEST_MODEL_FIXTURE_H */

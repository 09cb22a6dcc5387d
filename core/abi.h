/*
 * abi.h - the srotrace trace ABI, version 1: the one source of truth.
 *
 * Everything that names an event id, a record size, a result, an outcome or
 * a reason code of ../shared/trace-format.md lives here and nowhere else.
 * The recorder parses with it, the synthesizer writes with it, the models
 * answer in its codes, and tests/unit/test-abi-patches.c checks that the
 * Xen patches under xen-patches/ define the very same numbers.
 *
 * Plain C, no dependencies: a user's plugin may include it.
 */
#ifndef SRO_ABI_H
#define SRO_ABI_H

#include <stdint.h>

#define SRO_ABI_VERSION 1

/* ---- The generic Xen record (struct t_rec, public/trace.h) ---- */
#define SRO_TREC_EVENT(hdr)    ((hdr) & 0x0fffffffu)
#define SRO_TREC_NWORDS(hdr)   (((hdr) >> 28) & 7u)
#define SRO_TREC_HAS_TSC(hdr)  (((hdr) >> 31) & 1u)
#define SRO_TREC_HDR(ev, n, tsc) \
    ((uint32_t)(ev) | ((uint32_t)(n) << 28) | ((uint32_t)!!(tsc) << 31))
#define SRO_TREC_MAX_WORDS     7
/* Size in bytes of a record with n extra words. */
#define SRO_TREC_BYTES(n, tsc) (4u + 8u * !!(tsc) + 4u * (n))

#define TRC_LOST_RECORDS       0x0001f001u
#define TRC_TRACE_WRAP_BUFFER  0x0001f002u
#define TRC_TRACE_CPU_CHANGE   0x0001f003u

/* ---- Event class TRC_HW_MMIO_RO (class TRC_HW, subclass 4) ---- */
#define TRC_HW_MMIO_RO         0x00804000u
#define TRC_HW_MMIO_RO_MASK    0x0ffff000u   /* class + subclass bits */

#define SRO_RANGE_ADD          0x00804001u
#define SRO_RANGE_STATE        0x00804002u
#define SRO_RO_PAGES           0x00804003u
#define SRO_FAULT              0x00804010u
#define SRO_INSN               0x00804011u
#define SRO_WRITE              0x00804012u
#define SRO_DATA               0x00804013u
#define SRO_DONE               0x00804014u

/* Extra words each event carries (SRO_DATA: 1..7). */
#define SRO_RANGE_ADD_WORDS    5
#define SRO_RANGE_STATE_WORDS  7
#define SRO_RO_PAGES_WORDS     4
#define SRO_FAULT_WORDS        7
#define SRO_INSN_WORDS         7
#define SRO_WRITE_WORDS        6
#define SRO_DATA_MAX_WORDS     7
#define SRO_DONE_WORDS         3

/* SRO_RANGE_ADD w4 */
#define SRO_ADD_FIRST_SUBPAGE  (1u << 0)
#define SRO_ADD_LAST_SUBPAGE   (1u << 1)
#define SRO_ADD_GRAN(w4)       (((w4) >> 8) & 0xffu)

/* SRO_RANGE_STATE w2 */
#define SRO_STATE_QUARTER(w2)  ((w2) & 3u)
#define SRO_STATE_MAPPED       (1u << 8)

/* SRO_FAULT w0 / w1 */
#define SRO_FAULT_VCPU(w0)     ((w0) & 0xffffu)
#define SRO_FAULT_DOMAIN(w0)   ((w0) >> 16)
#define SRO_FAULT_PATH(w1)     ((w1) & 0xfu)
#define SRO_FAULT_GLA_VALID    (1u << 4)
#define SRO_FAULT_HWDOM        (1u << 5)
#define SRO_FAULT_CODE_SIZE(w1) (((w1) >> 8) & 3u)
#define SRO_FAULT_MFN_HI(w1)   ((w1) >> 16)

enum sro_path {
    SRO_PATH_UNKNOWN = 0,
    SRO_PATH_PV      = 1,   /* PV #PF, mmio_ro_do_page_fault */
    SRO_PATH_HVM_420 = 2,   /* HVM npf, hvm_emulate_one_mmio (4.20) */
    SRO_PATH_HVM_421 = 3,   /* HVM MMIO handler subpage_mmio_write (4.21) */
};

enum sro_code_size {
    SRO_CODE_UNKNOWN = 0,
    SRO_CODE_16      = 1,
    SRO_CODE_32      = 2,
    SRO_CODE_64      = 3,
};

/* SRO_INSN w0 */
#define SRO_INSN_LEN(w0)       ((w0) & 0xfu)
#define SRO_INSN_MAX_BYTES     15   /* 4 bits of length; x86 caps at 15 */

/* SRO_WRITE w2 / w5 */
#define SRO_WRITE_OFFSET(w2)   ((w2) & 0xfffu)
#define SRO_WRITE_LEN(w2)      (((w2) >> 16) & 0xffu)
#define SRO_WRITE_RESULT(w2)   ((w2) >> 24)
#define SRO_WRITE_W2(off, len, res) \
    (((uint32_t)(off) & 0xfffu) | (((uint32_t)(len) & 0xffu) << 16) | \
     ((uint32_t)(res) << 24))
#define SRO_WRITE_DEV_OFFSET(w5) ((w5) & 0xfffu)

enum sro_result {
    SRO_WRITTEN            = 0,
    SRO_DROPPED_RO         = 1,
    SRO_DROPPED_NO_ENTRY   = 2,
    SRO_DROPPED_MAP_FAILED = 3,
    SRO_DROPPED_BAD_SIZE   = 4,
    SRO_DROPPED_MISALIGNED = 5,
    SRO_RESULT_COUNT
};

/* SRO_DONE w0 */
#define SRO_DONE_OUTCOME(w0)   ((w0) & 0xffu)
#define SRO_DONE_REASON(w0)    (((w0) >> 8) & 0xffu)
#define SRO_DONE_EMUL_RC(w0)   (((w0) >> 16) & 0xffu)
#define SRO_DONE_W0(outcome, reason, rc) \
    (((uint32_t)(outcome) & 0xffu) | (((uint32_t)(reason) & 0xffu) << 8) | \
     (((uint32_t)(rc) & 0xffu) << 16))

enum sro_outcome_code {
    SRO_RETIRED      = 0,
    SRO_RETRY        = 1,
    SRO_PF_TO_GUEST  = 2,
    SRO_GP_TO_GUEST  = 3,
    SRO_EXCEPTION    = 4,
    SRO_DOMAIN_CRASH = 5,
    SRO_NOT_HANDLED  = 6,
    SRO_OUTCOME_COUNT
};

enum sro_reason {
    SRO_REASON_NONE             = 0,
    SRO_REASON_NOT_ACCEPTED     = 1,
    SRO_REASON_BAD_ACCESS       = 2,
    SRO_REASON_NOT_A_STORE      = 3,
    SRO_REASON_EMULATION_FAILED = 4,
    SRO_REASON_NOT_DOM_IO       = 5,
    SRO_REASON_COUNT
};

/* Xen's x86_emulate return codes (xen/arch/x86/x86_emulate/x86_emulate.h). */
enum sro_x86emul_rc {
    SRO_X86EMUL_OKAY          = 0,
    SRO_X86EMUL_UNHANDLEABLE  = 1,
    SRO_X86EMUL_EXCEPTION     = 2,
    SRO_X86EMUL_RETRY         = 3,
    SRO_X86EMUL_DONE          = 4,
    SRO_X86EMUL_UNIMPLEMENTED = 5,
    SRO_X86EMUL_UNRECOGNIZED  = 5,  /* an alias of UNIMPLEMENTED in Xen */
    SRO_X86EMUL_CMPXCHG_FAILED = 7,
};

/* The reference verdicts of trace-format.md section 4, in precedence order
 * for the wrong ones (a lower value wins among the wrong verdicts). */
enum sro_verdict {
    SRO_V_CORRECT          = 0,
    SRO_V_WRONGLY_ACCEPTED = 1,
    SRO_V_MISDIRECTED      = 2,
    SRO_V_WRONGLY_DENIED   = 3,
    SRO_V_HARSH_DENY       = 4,
    SRO_V_UNDECIDABLE      = 5,
    SRO_VERDICT_COUNT
};

/* What the oracle says a store should do. */
enum sro_intent {
    SRO_ALLOW = 0,
    SRO_DENY  = 1,
    SRO_MIXED = 2,
};

#define SRO_PAGE_SIZE   4096u
#define SRO_PAGE_SHIFT  12
#define SRO_GRAN        8u          /* MMIO_RO_SUBPAGE_GRAN */
#define SRO_QWORDS      (SRO_PAGE_SIZE / SRO_GRAN)

/* Names, for output and for parsing (NULL for an unknown code). */
const char *sro_event_name(uint32_t event);
const char *sro_result_name(unsigned int result);
const char *sro_outcome_name(unsigned int outcome);
const char *sro_reason_name(unsigned int reason);
const char *sro_verdict_name(unsigned int verdict);
const char *sro_path_name(unsigned int path);
const char *sro_intent_name(unsigned int intent);
/* Inverse lookups: return the code, or -1 for an unknown name. */
int sro_verdict_from_name(const char *name);
int sro_result_from_name(const char *name);
int sro_outcome_from_name(const char *name);
/* Extra words event `event` must carry, or -1 if it is not ours;
 * for SRO_DATA, *max is set to 7 and 1 is returned as the minimum. */
int sro_event_words(uint32_t event, int *max);

#endif /* SRO_ABI_H */

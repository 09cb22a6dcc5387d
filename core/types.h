/*
 * types.h - the plain data every part of srotrace passes around.
 *
 * A write fault is an sro_fault (what SRO_FAULT and SRO_INSN said), zero or
 * more sro_write (one per device-level write attempt, SRO_WRITE + SRO_DATA)
 * and an sro_done (SRO_DONE). The recorder reassembles these from a trace
 * into an sro_group; a model predicts an sro_prediction for the same fault;
 * the oracle compares either against the guest's intent.
 *
 * No dependencies beyond abi.h: these are the types of the plugin ABI too.
 */
#ifndef SRO_TYPES_H
#define SRO_TYPES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "abi.h"

/* One write fault as the hypervisor saw it (SRO_FAULT + SRO_INSN). */
struct sro_fault {
    uint32_t cpu;               /* physical CPU that handled it */
    uint64_t tsc;               /* TSC of the SRO_FAULT record */
    uint16_t domain;            /* domain id */
    uint16_t vcpu;              /* vcpu id */
    uint8_t  path;              /* enum sro_path */
    bool     gla_valid;         /* the GLA is valid (Intel EPT with GLA) */
    bool     hwdom;             /* faulting domain is the hardware domain */
    uint8_t  code_size;         /* enum sro_code_size */
    uint64_t gla;               /* guest linear address (~0 when not valid) */
    uint64_t gpa;               /* guest physical address, offset included */
    uint64_t mfn;               /* machine frame of the faulting page */
    bool     has_insn;          /* an SRO_INSN record was seen */
    uint8_t  insn_len;          /* bytes in insn[], 0 = the fetch failed */
    uint8_t  insn[16];          /* instruction bytes as fetched */
    uint64_t rip;               /* guest RIP (linear) */
};

/* The widest x86 store is 64 bytes (AVX-512, movdir64b). */
#define SRO_WRITE_DATA_MAX 64

/* One device-level write attempt (SRO_WRITE, plus SRO_DATA continuation). */
struct sro_write {
    uint64_t mfn;               /* page the write was aimed at */
    uint16_t offset;            /* page offset the guest addressed */
    uint16_t dev_offset;        /* page offset written on the device */
    uint8_t  len;               /* length in bytes */
    uint8_t  result;            /* enum sro_result */
    uint8_t  data_len;          /* bytes of data[] that the trace carried */
    uint8_t  data[SRO_WRITE_DATA_MAX]; /* 8 from SRO_WRITE, rest SRO_DATA */
};

/* How the fault ended (SRO_DONE). */
struct sro_done {
    uint8_t  outcome;           /* enum sro_outcome_code */
    uint8_t  reason;            /* enum sro_reason */
    uint8_t  emul_rc;           /* enum sro_x86emul_rc, as Xen numbers it */
    uint32_t nwrites;           /* SRO_WRITE records the hypervisor counted */
    uint32_t store_size;        /* store size as decoded by Xen, 0 = unknown */
};

/* Why a group is incomplete (trace-format.md section 3.2). */
enum sro_incomplete {
    SRO_COMPLETE          = 0,
    SRO_INC_LOST          = 1,  /* TRC_LOST_RECORDS fell inside it */
    SRO_INC_NEW_FAULT     = 2,  /* another SRO_FAULT came before SRO_DONE */
    SRO_INC_EOF           = 3,  /* the trace ended first */
    SRO_INC_COUNT_MISMATCH = 4, /* SRO_DONE counts other than was seen */
};
const char *sro_incomplete_name(unsigned int why);

/* A reassembled group. Owned by whoever filled it; writes[] is heap. */
struct sro_group {
    struct sro_fault  fault;
    struct sro_write *writes;   /* nwrites entries */
    unsigned int      nwrites;
    unsigned int      cap;      /* allocated entries in writes[] */
    bool              has_done; /* an SRO_DONE closed it */
    struct sro_done   done;
    uint8_t           incomplete; /* enum sro_incomplete */
    uint64_t          file_offset; /* byte offset of its SRO_FAULT record */
};

/*
 * What a model says Xen would do with a fault. Fixed size so that models
 * need no allocator: a rep string store is predicted for at most
 * SRO_PRED_MAX_WRITES pieces (the remainder is re-executed by the guest).
 */
#define SRO_PRED_MAX_WRITES 64
struct sro_prediction {
    struct sro_done  done;      /* outcome, reason, emul_rc, store_size */
    unsigned int     nwrites;   /* entries used in writes[] */
    struct sro_write writes[SRO_PRED_MAX_WRITES]; /* data_len is 0 */
};

#endif /* SRO_TYPES_H */

/*
 * oracle.h - the reference verdicts of trace-format.md section 4.
 *
 * The oracle judges by the guest's intent, bytes as the unit: the store's
 * page offset (from the GPA), its width (decoded) and the read-only bytes
 * of the page at that moment. It knows nothing of Xen's code: it is the
 * yardstick that the recorded behaviour and every model are measured by.
 */
#ifndef SRO_ORACLE_H
#define SRO_ORACLE_H

#include <stdbool.h>

#include "abi.h"
#include "decode.h"
#include "prot.h"
#include "types.h"

/* ALLOW, DENY or MIXED for bytes [off, off+len) of a page. Bytes past
 * the page's end are not counted; an empty range, and any range of an
 * UNKNOWN page, is ALLOW (sro_oracle_judge() makes those UNDECIDABLE). */
enum sro_intent sro_oracle_intent(const struct sro_page_prot *pp,
                                  unsigned int off, unsigned int len);

/* A group to judge: recorded, or a model's prediction of it. */
struct sro_judge_input {
    const struct sro_fault     *fault;
    const struct sro_insn      *insn;      /* NULL or !valid: undecodable */
    const struct sro_page_prot *page;      /* kind UNKNOWN: undecidable */
    bool                        complete;  /* group complete (3.2) */
    const struct sro_write     *writes;
    unsigned int                nwrites;
    const struct sro_done      *done;      /* NULL if none */
};

struct sro_judgement {
    enum sro_verdict verdict;
    enum sro_intent  intent;       /* of the whole store (first piece for
                                      string stores) */
    int              piece;        /* index of the write that decided a
                                      wrong verdict, -1 if none */
    const char      *why;          /* short static explanation */
};

/* Judge one group: fills *out, returns out->verdict. Keeps no pointer.
 * The rules, and the readings chosen where section 4 leaves a choice,
 * are in core/oracle.c. out->intent is meaningless when UNDECIDABLE. */
enum sro_verdict sro_oracle_judge(const struct sro_judge_input *in,
                                  struct sro_judgement *out);

#endif /* SRO_ORACLE_H */

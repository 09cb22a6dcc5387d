/*
 * storeinfo.h - what the analyzer says about a store: its width and its
 * instruction text, and the protection a run ends with.
 *
 * The recorder stores instruction bytes only; the replayer's instruction
 * table (replayer/insn-table.h) decodes each distinct instruction once
 * with core/decode.h. The audit, the report and the timeline all take a
 * store's width the same way, from here.
 */
#ifndef SRO_STOREINFO_H
#define SRO_STOREINFO_H

#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "core/prot.h"
#include "db/db.h"
#include "replayer/insn-table.h"

/*
 * The width of one store: the decoded instruction's (insn_id > 0 and it
 * decodes to a store), else Xen's store size (SRO_DONE w2, if > 0), else
 * the length of its first piece (first_len > 0), else 0 (unknown).
 * Returns -1 only on a database error (*e filled).
 */
int storeinfo_width(struct sro_insn_table *t, int64_t insn_id,
                    unsigned int store_size, unsigned int first_len,
                    unsigned int *width, struct sro_db_err *e);

/*
 * The instruction's text ("mov dword ptr [rdi], eax") into buf, "" when
 * there is no instruction or it does not decode ("(bad)" texts are kept
 * as the decoder wrote them); its bytes as hex into hex (may be NULL).
 * -1 only on a database error.
 */
int storeinfo_text(struct sro_insn_table *t, int64_t insn_id, char *buf,
                   size_t buflen, char *hex, size_t hexlen,
                   struct sro_db_err *e);

/* The protection at the end of run `run` (all its configuration records
 * applied). NULL with *e filled on error; free with sro_prot_free(). */
struct sro_prot *storeinfo_final_prot(sqlite3 *db, int64_t run,
                                      struct sro_db_err *e);

#endif /* SRO_STOREINFO_H */

/*
 * group-stream.h - stream a run's fault groups with their writes.
 *
 * Two cursors in rowid order, merged: fault_groups by id, dev_writes by
 * id. The recorder inserts each group and then its writes, so both come
 * out in group order without a sort or an index lookup per group; memory
 * is one group. Should a database break that order (written by another
 * tool), the stream notices and falls back to one indexed lookup per
 * group.
 */
#ifndef SRO_REPLAYER_GROUP_STREAM_H
#define SRO_REPLAYER_GROUP_STREAM_H

#include <stdint.h>

#include <sqlite3.h>

#include "core/types.h"
#include "db/db.h"

/* One group as stored. */
struct sro_stored_group {
    int64_t          id;            /* fault_groups.id */
    int64_t          insn_id;       /* instructions.id, 0 if none */
    int64_t          seq;           /* record index of its SRO_FAULT */
    struct sro_group g;             /* writes[] owned by the stream;
                                       fault.insn[] is left empty (see
                                       insn_id) */
};

struct sro_group_stream;

/* Open a stream over run's groups. NULL with *e filled on error. */
struct sro_group_stream *sro_group_stream_open(sqlite3 *db, int64_t run,
                                               struct sro_db_err *e);
/* Next group: 1 and *out set (valid until the next call), 0 at the end,
 * -1 on error. */
int sro_group_stream_next(struct sro_group_stream *s,
                          const struct sro_stored_group **out,
                          struct sro_db_err *e);
void sro_group_stream_close(struct sro_group_stream *s);

#endif /* SRO_REPLAYER_GROUP_STREAM_H */

/*
 * insn-table.h - decoded instructions of one database, by instruction id.
 *
 * The recorder stores each distinct (bytes, mode) once in `instructions`;
 * fault groups refer to it by id. Ids are dense small integers, so a plain
 * array indexed by id is the cache: one lookup per group, one decode per
 * distinct instruction for the whole replay.
 */
#ifndef SRO_REPLAYER_INSN_TABLE_H
#define SRO_REPLAYER_INSN_TABLE_H

#include <stdint.h>

#include <sqlite3.h>

#include "core/decode.h"
#include "db/db.h"

struct sro_insn_entry {
    uint8_t         state;          /* 0 unknown, 1 loaded */
    uint8_t         len;            /* bytes[] used */
    uint8_t         bytes[16];
    bool            decoded;        /* insn.valid && decode succeeded */
    struct sro_insn insn;
};

struct sro_insn_table;

struct sro_insn_table *sro_insn_table_new(sqlite3 *db, struct sro_db_err *e);
void sro_insn_table_free(struct sro_insn_table *t);

/* The entry of instruction id (loaded and decoded on first use); NULL on
 * a database error (*e filled) or an id that does not exist. */
const struct sro_insn_entry *sro_insn_table_get(struct sro_insn_table *t,
                                                int64_t id,
                                                struct sro_db_err *e);

void sro_insn_table_stats(const struct sro_insn_table *t, uint64_t *hits,
                          uint64_t *misses);

#endif /* SRO_REPLAYER_INSN_TABLE_H */

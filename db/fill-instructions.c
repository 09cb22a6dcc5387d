/*
 * fill-instructions.c - decode the instructions table in place.
 *
 * The recorder stores each distinct instruction byte string with its mode
 * and nothing else, so that importing stays a plain bulk load. This pass,
 * run once after an import, gives every new row what people query for
 * (the disassembly, the kind, whether and how wide it stores) using the
 * same decoder as the replayer (core/decode.h), so SQL and the replayer
 * agree. It walks the undecoded rows in slices of SLICE ids, so memory
 * does not depend on how many there are.
 */
#include <stdlib.h>

#include "../core/decode.h"
#include "db.h"

#define SLICE     512
#define STR_(x)   #x
#define STR(x)    STR_(x)

int sro_db_fill_instructions(sqlite3 *db, struct sro_db_err *e)
{
    struct sro_decoder *dec = sro_decoder_new(0);
    int64_t *ids = malloc(SLICE * sizeof(*ids));
    struct sro_insn *insns = malloc(SLICE * sizeof(*insns));
    sqlite3_stmt *sel = NULL, *upd = NULL;
    int64_t last = 0;
    int filled = 0, rc;

    if ( !dec || !ids || !insns )
    {
        sro_db_fail(db, SQLITE_NOMEM, "decoding instructions", e);
        goto fail;
    }
    sel = sro_db_prepare(db, "SELECT id, bytes, mode FROM instructions "
                         "WHERE kind IS NULL AND id > ?1 ORDER BY id "
                         "LIMIT " STR(SLICE), e);
    upd = sel ? sro_db_prepare(db, "UPDATE instructions SET text = ?2, "
                               "kind = ?3, is_store = ?4, is_rmw = ?5, "
                               "is_string = ?6, width = ?7 WHERE id = ?1",
                               e) : NULL;
    if ( !upd || sro_db_begin(db, e) )
        goto fail;
    for ( ;; )
    {
        unsigned int n = 0;

        /* Decode one slice, then write it (no update under a live read). */
        sqlite3_bind_int64(sel, 1, last);
        while ( n < SLICE && (rc = sqlite3_step(sel)) == SQLITE_ROW )
        {
            const void *bytes = sqlite3_column_blob(sel, 1);
            int len = sqlite3_column_bytes(sel, 1);

            ids[n] = sqlite3_column_int64(sel, 0);
            sro_decode(dec, bytes, bytes ? (size_t)len : 0,
                       (unsigned int)sqlite3_column_int(sel, 2), &insns[n]);
            n++;
        }
        sqlite3_reset(sel);
        if ( rc != SQLITE_ROW && rc != SQLITE_DONE )
        {
            sro_db_fail(db, rc, "decoding instructions", e);
            goto rollback;
        }
        if ( n == 0 )
            break;
        for ( unsigned int i = 0; i < n; i++ )
        {
            const struct sro_insn *in = &insns[i];

            sqlite3_bind_int64(upd, 1, ids[i]);
            if ( in->valid )
            {
                sqlite3_bind_text(upd, 2, in->text, -1, SQLITE_STATIC);
                sqlite3_bind_text(upd, 3, in->kind, -1, SQLITE_STATIC);
                sqlite3_bind_int(upd, 4, in->store);
                sqlite3_bind_int(upd, 5, in->rmw);
                sqlite3_bind_int(upd, 6, in->string);
                sqlite3_bind_int(upd, 7, in->store_bytes ? in->store_bytes
                                                         : in->width);
            }
            else
            {
                sqlite3_bind_null(upd, 2);
                sqlite3_bind_text(upd, 3, "invalid", -1, SQLITE_STATIC);
                for ( int c = 4; c <= 7; c++ )
                    sqlite3_bind_null(upd, c);
            }
            if ( sro_db_step_done(upd, "storing decoded instructions", e) )
                goto rollback;
            filled++;
        }
        last = ids[n - 1];
    }
    if ( sro_db_commit(db, e) )
        filled = -1;
    goto out;

 rollback:
    sro_db_rollback(db);
 fail:
    filled = -1;
 out:
    sqlite3_finalize(sel);
    sqlite3_finalize(upd);
    sro_decoder_free(dec);
    free(ids);
    free(insns);
    return filled;
}

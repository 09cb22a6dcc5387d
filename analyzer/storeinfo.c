/*
 * storeinfo.c - see storeinfo.h.
 */
#include <stdio.h>
#include <string.h>

#include "replayer/config-timeline.h"
#include "storeinfo.h"

/* The table's entry for id, NULL if none; -1 on a database error. */
static int entry(struct sro_insn_table *t, int64_t id,
                 const struct sro_insn_entry **out, struct sro_db_err *e)
{
    *out = NULL;
    if ( id <= 0 )
        return 0;
    e->msg[0] = '\0';
    *out = sro_insn_table_get(t, id, e);
    return !*out && e->msg[0] ? -1 : 0;
}

int storeinfo_width(struct sro_insn_table *t, int64_t insn_id,
                    unsigned int store_size, unsigned int first_len,
                    unsigned int *width, struct sro_db_err *e)
{
    const struct sro_insn_entry *ent;

    if ( entry(t, insn_id, &ent, e) )
        return -1;
    if ( ent && ent->decoded && ent->insn.store && ent->insn.width )
        *width = ent->insn.width;
    else if ( store_size )
        *width = store_size;
    else
        *width = first_len;
    return 0;
}

int storeinfo_text(struct sro_insn_table *t, int64_t insn_id, char *buf,
                   size_t buflen, char *hex, size_t hexlen,
                   struct sro_db_err *e)
{
    const struct sro_insn_entry *ent;

    if ( buflen )
        buf[0] = '\0';
    if ( hex && hexlen )
        hex[0] = '\0';
    if ( entry(t, insn_id, &ent, e) )
        return -1;
    if ( !ent )
        return 0;
    if ( ent->decoded )
        snprintf(buf, buflen, "%s", ent->insn.text);
    else
        snprintf(buf, buflen, "%s", ent->len ? "(bad)" : "(no bytes)");
    if ( hex )
        for ( unsigned int i = 0; i < ent->len && 2 * i + 2 < hexlen; i++ )
            snprintf(hex + 2 * i, hexlen - 2 * i, "%02x", ent->bytes[i]);
    return 0;
}

struct sro_prot *storeinfo_final_prot(sqlite3 *db, int64_t run,
                                      struct sro_db_err *e)
{
    struct sro_config_timeline tl;
    struct sro_prot *prot;

    if ( sro_config_timeline_load(db, run, &tl, e) )
        return NULL;
    prot = sro_prot_new();
    if ( !prot )
    {
        sro_config_timeline_free(&tl);
        sro_db_fail(db, SQLITE_NOMEM, "rebuilding the protection", e);
        return NULL;
    }
    sro_config_timeline_advance(&tl, prot, UINT64_MAX);
    sro_config_timeline_free(&tl);
    return prot;
}

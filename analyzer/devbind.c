/*
 * devbind.c - see devbind.h.
 *
 * A machine has a few dozen device regions at most, so lookups scan the
 * rows; callers that name every qword of a page (the HTML heat map) do
 * 512 scans per page, which is nothing next to reading the database.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi.h"
#include "util/xalloc.h"
#include "devbind.h"
#include "util/escape.h"

struct devbind {
    struct devbind_dev  *devs;
    unsigned int         n;
    const struct regmap *override;
};

struct devbind *devbind_empty(void)
{
    return xcalloc(1, sizeof(struct devbind));
}

/* Has an earlier row already named this missing map? (warn once) */
static bool warned_before(const struct devbind *b, unsigned int upto,
                          const char *name)
{
    for ( unsigned int i = 0; i < upto; i++ )
        if ( b->devs[i].regmap && !b->devs[i].map &&
             strcmp(b->devs[i].regmap, name) == 0 )
            return true;
    return false;
}

struct devbind *devbind_load(sqlite3 *db, int64_t run,
                             struct regmap_set *maps, struct sro_db_err *e)
{
    struct devbind *b = devbind_empty();
    sqlite3_stmt *st;
    unsigned int cap = 0;
    int rc;

    rc = sqlite3_prepare_v2(db,
        "SELECT id, sbdf, name, regmap, base, size, map_base FROM devices "
        "WHERE run IS NULL OR run = ?1 ORDER BY id", -1, &st, NULL);
    if ( rc != SQLITE_OK )
    {
        devbind_free(b);
        sro_db_fail(db, rc, "reading the device list", e);
        return NULL;
    }
    sqlite3_bind_int64(st, 1, run);
    while ( (rc = sqlite3_step(st)) == SQLITE_ROW )
    {
        struct devbind_dev *d;

        if ( b->n == cap )
        {
            cap = cap ? cap * 2 : 16;
            b->devs = xrealloc(b->devs, cap * sizeof(*b->devs));
        }
        d = &b->devs[b->n];
        memset(d, 0, sizeof(*d));
        d->id = sqlite3_column_int64(st, 0);
        d->sbdf = sro_db_column_strdup(st, 1);
        d->name = sro_db_column_strdup(st, 2);
        d->regmap = sro_db_column_strdup(st, 3);
        d->base = sro_db_column_u64(st, 4);
        d->size = sro_db_column_u64(st, 5);
        d->map_base = sro_db_column_u64(st, 6);
        if ( d->regmap && maps )
        {
            char err[512];

            d->map = regmap_set_find(maps, d->regmap, err, sizeof(err));
            if ( !d->map && !warned_before(b, b->n, d->regmap) )
            {
                char clean[sizeof(err)];

                term_clean(clean, sizeof(clean), err);
                fprintf(stderr, "srotrace: warning: device list row %" PRId64
                        ": %s\n", d->id, clean);
            }
        }
        b->n++;
    }
    sqlite3_finalize(st);
    if ( rc != SQLITE_DONE )
    {
        devbind_free(b);
        sro_db_fail(db, rc, "reading the device list", e);
        return NULL;
    }
    return b;
}

void devbind_free(struct devbind *b)
{
    if ( !b )
        return;
    for ( unsigned int i = 0; i < b->n; i++ )
    {
        free(b->devs[i].sbdf);
        free(b->devs[i].name);
        free(b->devs[i].regmap);
    }
    free(b->devs);
    free(b);
}

void devbind_override(struct devbind *b, const struct regmap *m)
{
    b->override = m;
}

unsigned int devbind_count(const struct devbind *b)
{
    return b->n;
}

static bool covers(const struct devbind_dev *d, uint64_t addr)
{
    return addr >= d->base && addr - d->base < d->size;
}

/* Smallest covering row, among those with a map if `need_map`. */
static const struct devbind_dev *smallest(const struct devbind *b,
                                          uint64_t addr, bool need_map)
{
    const struct devbind_dev *best = NULL;

    for ( unsigned int i = 0; i < b->n; i++ )
    {
        const struct devbind_dev *d = &b->devs[i];

        if ( !covers(d, addr) || (need_map && !d->map) )
            continue;
        if ( !best || d->size < best->size )
            best = d;
    }
    return best;
}

const struct devbind_dev *devbind_device(const struct devbind *b,
                                         uint64_t addr)
{
    return smallest(b, addr, false);
}

void devbind_label(const struct devbind_dev *d, char *buf, size_t buflen)
{
    if ( !d || (!d->name && !d->sbdf) )
        snprintf(buf, buflen, "%s", "");
    else if ( d->name && d->sbdf )
        snprintf(buf, buflen, "%s (%s)", d->name, d->sbdf);
    else
        snprintf(buf, buflen, "%s", d->name ? d->name : d->sbdf);
}

/* The map covering addr and addr's offset in it: false if none. */
static bool map_of(const struct devbind *b, uint64_t addr,
                   const struct regmap **m, uint64_t *off, uint64_t *room)
{
    const struct devbind_dev *d;

    if ( b->override )
    {
        *m = b->override;
        *off = addr & (SRO_PAGE_SIZE - 1);
        *room = SRO_PAGE_SIZE - *off;
        return true;
    }
    d = smallest(b, addr, true);
    if ( !d )
        return false;
    *m = d->map;
    *off = addr - d->base + d->map_base;
    *room = d->size - (addr - d->base);     /* the map names nothing
                                               beyond its region */
    return true;
}

unsigned int devbind_register(const struct devbind *b, uint64_t addr,
                              unsigned int len, char *buf, size_t buflen,
                              bool *mapped, const struct regmap_inst **inst)
{
    const struct regmap *m;
    uint64_t off, room;

    if ( inst )
        *inst = NULL;
    if ( !map_of(b, addr, &m, &off, &room) )
    {
        /* An access that starts outside every mapped region but runs
         * into one (a store straddling the DbC from below) is named by
         * the registers it hits there. */
        const struct devbind_dev *next = NULL;

        for ( unsigned int i = 0; !b->override && i < b->n; i++ )
        {
            const struct devbind_dev *d = &b->devs[i];

            if ( d->map && d->base > addr && d->base - addr < len &&
                 (!next || d->base < next->base ||
                  (d->base == next->base && d->size < next->size)) )
                next = d;
        }
        if ( mapped )
            *mapped = next != NULL;
        if ( !next )
        {
            if ( buflen )
                buf[0] = '\0';
            return 0;
        }
        len -= (unsigned int)(next->base - addr);
        return regmap_describe(next->map, next->map_base,
                               len > next->size ? (unsigned int)next->size
                                                : len, buf, buflen, NULL);
    }
    if ( mapped )
        *mapped = true;
    if ( inst )
        *inst = regmap_at(m, off);
    if ( len > room )
        len = (unsigned int)room;
    return regmap_describe(m, off, len, buf, buflen, NULL);
}

bool devbind_locate(const struct devbind *b, uint64_t addr,
                    const struct regmap_inst **inst, unsigned int *delta)
{
    const struct regmap *m;
    uint64_t off, room;

    if ( !map_of(b, addr, &m, &off, &room) ||
         (*inst = regmap_at(m, off)) == NULL )
        return false;
    *delta = (unsigned int)(off - (*inst)->off);
    return true;
}

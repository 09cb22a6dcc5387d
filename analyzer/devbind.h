/*
 * devbind.h - bind machine addresses to devices and register names.
 *
 * Loads the `devices` rows that apply to a run (run = N or run IS NULL)
 * and answers, for an access of some bytes at a machine address: which
 * device it belongs to, and which register of that device's map it hits.
 * When regions nest (a BAR, the MSI-X table inside it, the DbC inside
 * the BAR), the smallest region that covers the address wins; for
 * register names the smallest that has a map.
 *
 * `--regmap NAME|FILE` of the audit overrides the devices table: the one
 * map then applies at the start of every page (devbind_override()).
 */
#ifndef SRO_DEVBIND_H
#define SRO_DEVBIND_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sqlite3.h>

#include "db/db.h"
#include "regmap.h"

/* One `devices` row. */
struct devbind_dev {
    int64_t              id;
    char                *sbdf;      /* NULL if none */
    char                *name;      /* NULL if none */
    char                *regmap;    /* map name, NULL if none */
    uint64_t             base, size;
    uint64_t             map_base;
    const struct regmap *map;       /* resolved, NULL if none or unknown */
};

struct devbind;

/*
 * Load the rows for `run`, resolving map names in `maps` (a name that is
 * not there is reported once on stderr and treated as no map). Returns
 * NULL with *e filled on a database error.
 */
struct devbind *devbind_load(sqlite3 *db, int64_t run,
                             struct regmap_set *maps, struct sro_db_err *e);
/* An empty binding (no devices): every lookup misses. */
struct devbind *devbind_empty(void);
void devbind_free(struct devbind *b);

/* Apply `m` at offset 0 of every page instead of the devices' maps. */
void devbind_override(struct devbind *b, const struct regmap *m);

/* Rows loaded. */
unsigned int devbind_count(const struct devbind *b);

/* The smallest device region covering addr, or NULL. */
const struct devbind_dev *devbind_device(const struct devbind *b,
                                         uint64_t addr);
/* "name (sbdf)", "name", "sbdf" or "" for a device row (NULL: ""). */
void devbind_label(const struct devbind_dev *d, char *buf, size_t buflen);

/*
 * Name the access of `len` bytes at machine address addr, as
 * regmap_describe() does, into buf ("" when no register). An access that
 * starts outside every mapped region but runs into one is named by the
 * registers it hits there. Returns the number of registers hit. *mapped
 * (if not NULL) says whether some map covers any of its bytes (false: the
 * device list knows nothing of them); *inst (if not NULL) receives the
 * register instance at addr, or NULL.
 */
unsigned int devbind_register(const struct devbind *b, uint64_t addr,
                              unsigned int len, char *buf, size_t buflen,
                              bool *mapped, const struct regmap_inst **inst);

/*
 * The register instance covering addr and addr's byte offset within it:
 * true and both set, or false when no map names addr.
 */
bool devbind_locate(const struct devbind *b, uint64_t addr,
                    const struct regmap_inst **inst, unsigned int *delta);

#endif /* SRO_DEVBIND_H */

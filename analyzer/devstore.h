/*
 * devstore.h - keep a device list in the database (table `devices`).
 *
 * Shared by `srotrace devices import` and `srotrace record --live`, which
 * snapshots dom0's PCI devices into the run it records.
 */
#ifndef SRO_ANALYZER_DEVSTORE_H
#define SRO_ANALYZER_DEVSTORE_H

#include <stdint.h>

#include <sqlite3.h>

#include "db/db.h"
#include "devlist.h"

/*
 * Place xHCI Debug Capability regions in l from the ranges Xen protected
 * (SRO_RANGE_ADD records of run, or of every run when run is 0): an xHCI
 * BAR that holds a protected range gets an xhci-dbc region there. *added
 * counts the regions placed. 0, or -1 with *e filled.
 */
int devstore_place_dbc(sqlite3 *db, int64_t run, struct dev_list *l,
                       unsigned int *added, struct sro_db_err *e);

/*
 * Replace the rows of l's devices (bound to run, or to every run when run
 * is 0) with l's regions, in one transaction. *rows counts the rows
 * written. 0, or -1 with *e filled and nothing changed.
 */
int devstore_save(sqlite3 *db, int64_t run, const struct dev_list *l,
                  unsigned int *rows, struct sro_db_err *e);

#endif /* SRO_ANALYZER_DEVSTORE_H */

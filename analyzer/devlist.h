/*
 * devlist.h - device lists: which machine addresses belong to which
 * device, and which register map names them.
 *
 * A device list is what `srotrace devices import` reads and what ends up
 * in the `devices` table of a database, one row per region. It comes from
 * three sources, one parser each:
 *
 *   devlist-native.c  srotrace's own text format (docs/regmaps.md):
 *                       DEVICE sbdf name vendor:device class
 *                       region base size regmap [map_offset]
 *   devlist-lspci.c   the output of `lspci -vvv -nn`: BARs, names, ids,
 *                     the class, and the MSI-X table and PBA locations;
 *   devlist-sysfs.c   a /sys/bus/pci/devices snapshot: resource, vendor,
 *                     device, class and, when present, config (for MSI-X).
 *
 * The lspci and sysfs parsers bind the shipped maps themselves: an xHCI
 * controller (class 0c0330) gets `xhci` on its first memory BAR, an
 * MSI-X table `msix` and its PBA `msix-pba`. Neither source shows where
 * the xHCI Debug Capability is (Xen finds it by walking the controller's
 * extended capabilities in MMIO): devlist_add_dbc() adds it from an offset
 * the user gives or from the ranges Xen protected.
 */
#ifndef SRO_DEVLIST_H
#define SRO_DEVLIST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Class code (base class, subclass, prog-if) of an xHCI controller. */
#define DEVLIST_CLASS_XHCI 0x0c0330u

/* One address range of a device. */
struct dev_region {
    uint64_t base;              /* machine physical address */
    uint64_t size;              /* bytes */
    char    *regmap;            /* map name, NULL if none */
    uint64_t map_base;          /* map offset at `base` */
    int      bar;               /* BAR index it lies in, -1 if unknown */
};

/* One device. */
struct dev_entry {
    char              *sbdf;    /* "0000:00:14.0", NULL if not PCI */
    char              *name;    /* NULL if unknown */
    int                vendor;  /* -1 if unknown */
    int                device;  /* -1 if unknown */
    int64_t            class_;  /* 24-bit class code, -1 if unknown */
    struct dev_region *regions;
    unsigned int       nregions, cap;
};

struct dev_list {
    struct dev_entry *devs;
    unsigned int      n, cap;
};

void devlist_init(struct dev_list *l);
void devlist_free(struct dev_list *l);

/* Append a device (strings copied; NULL allowed); returns it. */
struct dev_entry *devlist_add(struct dev_list *l, const char *sbdf,
                              const char *name, int vendor, int device,
                              int64_t class_);
/* Append a region to d (regmap copied, NULL allowed); returns it. */
struct dev_region *devlist_add_region(struct dev_entry *d, uint64_t base,
                                      uint64_t size, const char *regmap,
                                      uint64_t map_base, int bar);

/*
 * Parsers. Each appends to l and returns 0, or -1 with a message naming
 * the file and line (or path) in err; `name` names the input in messages.
 */
int devlist_parse_native(struct dev_list *l, const char *name,
                         const char *text, char *err, size_t errlen);
int devlist_parse_lspci(struct dev_list *l, const char *name,
                        const char *text, char *err, size_t errlen);
/* `root` is a copy of / (with bus/pci/devices inside), of /sys, or the
 * devices directory itself. */
int devlist_read_sysfs(struct dev_list *l, const char *root, char *err,
                       size_t errlen);

/* Which parser fits a text: "native", "lspci", or NULL if neither. */
const char *devlist_guess_format(const char *text);

/*
 * Give every xHCI controller of l a Debug Capability region (map
 * `xhci-dbc`, 64 bytes) at `offset` into its first memory BAR. Returns
 * the number of regions added.
 */
unsigned int devlist_add_dbc_offset(struct dev_list *l, uint64_t offset);
/*
 * The same from a range Xen protected (SRO_RANGE_ADD start and size):
 * if it lies inside a memory BAR of an xHCI controller, that controller
 * gets a `xhci-dbc` region there (once). Returns 1 if added, else 0.
 */
unsigned int devlist_add_dbc_range(struct dev_list *l, uint64_t start,
                                   uint64_t size);

/* Size suffixes of lspci ("64K", "16M", "256"): returns 0 or -1. */
int devlist_parse_size(const char *s, uint64_t *out);

#endif /* SRO_DEVLIST_H */

/*
 * regmap.h - register maps: names for offsets inside a device structure.
 *
 * A register map says which register of a device structure (the xHCI Debug
 * Capability, the xHCI operational registers, an MSI-X table) lives at
 * which byte offset from the start of that structure, with optional bit
 * fields. Maps are plain text files (docs/regmaps.md), in the spirit of
 * envytools' rnndb but far smaller: one `map` header, then one line per
 * register, `array ... end` blocks for repeated register sets (ports,
 * interrupters, table entries) and `include` lines that place one map
 * inside another at an offset.
 *
 * A struct regmap_set holds every map loaded from some files; a map is
 * looked up by name and flattened on first use into a sorted array of
 * register instances, so that naming an access is a binary search. The
 * analyzer uses this to print "DCCTRL" or "PORTSC[2]+2" instead of an
 * offset; it knows nothing of databases or devices.
 */
#ifndef SRO_REGMAP_H
#define SRO_REGMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One bit field of a register: bits lo..hi inclusive. */
struct regmap_field {
    char         *name;
    char         *desc;         /* NULL if none */
    unsigned int  lo;
    unsigned int  hi;
};

/* One register as declared (an array declares it once). */
struct regmap_reg {
    char                *name;
    char                *desc;      /* NULL if none */
    uint32_t             size;      /* bytes */
    struct regmap_field *fields;
    unsigned int         nfields;
    unsigned int         line;      /* where its file declares it */
};

/* One register instance at its final offset in a flattened map. */
struct regmap_inst {
    uint32_t                 off;   /* from the start of the map */
    const struct regmap_reg *reg;
    int                      index; /* array index, -1 outside arrays */
};

struct regmap;
struct regmap_set;

/* An empty set. */
struct regmap_set *regmap_set_new(void);
void regmap_set_free(struct regmap_set *s);

/*
 * Parse one map file into the set. Returns 0, or -1 with a message
 * "FILE:LINE: what" in err. A map whose name is already in the set is an
 * error. On error the maps the file defined before the bad line are kept.
 * *first (if not NULL) receives the name of the first map the file
 * defines (owned by the set), or NULL.
 */
int regmap_set_load_file(struct regmap_set *s, const char *path,
                         const char **first, char *err, size_t errlen);
/* The same from a string already in memory; `path` names it in errors. */
int regmap_set_load_string(struct regmap_set *s, const char *path,
                           const char *text, const char **first,
                           char *err, size_t errlen);
/* Load every *.map file of a directory, in name order. */
int regmap_set_load_dir(struct regmap_set *s, const char *dir,
                        char *err, size_t errlen);

/* Load a map file, or every *.map file of a directory (--maps). */
int regmap_set_load_path(struct regmap_set *s, const char *path, char *err,
                         size_t errlen);

/*
 * Load the maps that ship with srotrace: $SROTRACE_DATADIR/regmaps, else
 * the install directory, else the source tree's regmaps/. Returns 0 (also
 * when no directory exists: the set just stays empty) or -1 on a bad file.
 */
int regmap_set_load_default(struct regmap_set *s, char *err, size_t errlen);

/*
 * What every analyzer command loads: the shipped maps, then each of the
 * n files or directories in extra[] (later maps shadow earlier ones of the
 * same name). 0 or -1 with a "FILE:LINE: what" message.
 */
int regmap_set_load_standard(struct regmap_set *s, const char *const *extra,
                             unsigned int n, char *err, size_t errlen);

/*
 * The map called `name`, flattened (includes placed, arrays expanded,
 * overlaps rejected). Returns NULL with a message in err if there is no
 * such map or it cannot be flattened ("FILE:LINE: ..."). The map belongs
 * to the set.
 */
const struct regmap *regmap_set_find(struct regmap_set *s, const char *name,
                                     char *err, size_t errlen);
/* Number of maps in the set, and the i-th (not flattened) for listings. */
unsigned int regmap_set_count(const struct regmap_set *s);
const char *regmap_set_name(const struct regmap_set *s, unsigned int i);

/*
 * `--regmap NAME|FILE`: a value containing '/' or ending in ".map" is a
 * file loaded into s (its first map is used), anything else a name.
 */
const struct regmap *regmap_set_resolve(struct regmap_set *s,
                                        const char *name_or_file,
                                        char *err, size_t errlen);

const char *regmap_name(const struct regmap *m);
const char *regmap_kind(const struct regmap *m);
const char *regmap_desc(const struct regmap *m);   /* NULL if none */
/* Bytes from the start of the map to the end of its last register. */
uint32_t regmap_extent(const struct regmap *m);
/* The flattened register instances, sorted by offset. */
const struct regmap_inst *regmap_insts(const struct regmap *m,
                                       unsigned int *n);

/* The instance covering byte `off`, or NULL. */
const struct regmap_inst *regmap_at(const struct regmap *m, uint64_t off);

/*
 * Name the access of `len` bytes at `off` into buf:
 *   "DCCTRL"           the access starts at a register's first byte;
 *   "DCCTRL+2"         it starts inside DCCTRL;
 *   "DCERDP..DCCTRL"   it spans several registers (first..last);
 *   ""                 no byte of it belongs to a register.
 * Array instances are named "PORTSC[3]". Returns the number of registers
 * the access touches; *unknown_bytes (if not NULL) receives how many of
 * its bytes belong to no register.
 */
unsigned int regmap_describe(const struct regmap *m, uint64_t off,
                             unsigned int len, char *buf, size_t buflen,
                             unsigned int *unknown_bytes);

/* The name of one instance: "DCCTRL" or "PORTSC[3]". */
void regmap_inst_name(const struct regmap_inst *in, char *buf, size_t buflen);

/*
 * The fields of `reg` that are non-zero in `value` (the register's bytes,
 * little-endian, starting at the register's first byte), as
 * "DCE LSE MAXBURST=0x3": one-bit fields by name, wider ones name=value.
 * Empty if none is set or the register has no fields.
 */
void regmap_format_fields(const struct regmap_reg *reg, uint64_t value,
                          char *buf, size_t buflen);

#endif /* SRO_REGMAP_H */

/*
 * symbols.h - guest kernel symbols from a System.map, for RIPs.
 *
 * A System.map is `nm -n` output: one "ADDRESS TYPE NAME" line per symbol.
 * The timeline turns each guest RIP into "function+0x1c" with it. When the
 * guest kernel was relocated (KASLR), every symbol moved by the same
 * offset: pass it, and RIPs are matched against address + offset.
 */
#ifndef SRO_SYMBOLS_H
#define SRO_SYMBOLS_H

#include <stddef.h>
#include <stdint.h>

struct symtab;

/*
 * Read a System.map. Text symbols (types T, t, W, w) name RIPs; other
 * symbols only bound the text symbol before them. Returns NULL with a
 * message "FILE:LINE: what" in err on a malformed line or I/O error.
 */
struct symtab *symtab_load(const char *path, char *err, size_t errlen);
/* The same from memory (`name` is used in error messages). */
struct symtab *symtab_parse(const char *name, const char *text,
                            char *err, size_t errlen);
void symtab_free(struct symtab *t);

/* Add `offset` (the KASLR slide, may wrap) to every address. */
void symtab_relocate(struct symtab *t, uint64_t offset);

/* Number of symbols kept. */
size_t symtab_count(const struct symtab *t);

/*
 * Name `addr` as "func+0x1c" (or "func" at its first byte) into buf and
 * return 1; return 0 and write "0x..." when no text symbol covers it
 * (before the first symbol, in data, or past the last text symbol by more
 * than SYMTAB_MAX_TAIL bytes).
 */
#define SYMTAB_MAX_TAIL 0x100000u
int symtab_name(const struct symtab *t, uint64_t addr, char *buf,
                size_t buflen);

#endif /* SRO_SYMBOLS_H */

/*
 * fuzz-regmap.c - the register-map parser and queries (analyzer/regmap.h).
 *
 * Input: up to two map files separated by a NUL byte, loaded into one set
 * as "a.map" and "b.map" (so that includes across files, duplicate map
 * names and include loops are reachable). Every map of the set is then
 * flattened and queried. Checked:
 *
 *   - a parse error is one message that starts with the file's name and
 *     a line number;
 *   - a flattened map's instances are sorted, do not overlap, each has a
 *     register of 1 or more bytes, and end within regmap_extent();
 *   - regmap_at() finds each instance by each of its bytes, and
 *     regmap_describe() names an access at each instance's start by that
 *     instance's name; neither overruns its buffer;
 *   - regmap_format_fields() fits its buffer and is terminated.
 */
#include <string.h>

#include "analyzer/regmap.h"
#include "fuzz.h"

static void check_err(const char *err, const char *file)
{
    FUZZ_CHECK(fuzz_terminated(err, 512), "error not terminated");
    FUZZ_CHECK(strncmp(err, file, strlen(file)) == 0 &&
               err[strlen(file)] == ':', "error does not name %s: %s",
               file, err);
}

/* Flatten and query one map. */
static void check_map(struct regmap_set *s, const char *name, uint64_t value)
{
    char err[512], buf[256], ibuf[128];
    const struct regmap *m;
    const struct regmap_inst *insts;
    unsigned int n, unknown;
    uint32_t extent;

    memset(err, 'x', sizeof(err));
    m = regmap_set_find(s, name, err, sizeof(err));
    if ( !m )
    {
        FUZZ_CHECK(fuzz_terminated(err, sizeof(err)) && err[0],
                   "find failed without a message");
        return;
    }
    FUZZ_CHECK(strcmp(regmap_name(m), name) == 0, "found %s for %s",
               regmap_name(m), name);
    insts = regmap_insts(m, &n);
    extent = regmap_extent(m);
    for ( unsigned int i = 0; i < n; i++ )
    {
        const struct regmap_inst *in = &insts[i];
        const struct regmap_inst *at;
        uint64_t end = (uint64_t)in->off + in->reg->size;

        FUZZ_CHECK(in->reg && in->reg->size > 0, "instance %u empty", i);
        FUZZ_CHECK(end <= extent || extent == UINT32_MAX,
                   "instance %u ends at %llu past the extent %u", i,
                   (unsigned long long)end, extent);
        if ( i )
            FUZZ_CHECK(insts[i - 1].off + (uint64_t)insts[i - 1].reg->size
                       <= in->off, "instances %u and %u overlap", i - 1, i);
        /* Query a bounded number of instances: a map may have thousands. */
        if ( i >= 64 )
            continue;
        at = regmap_at(m, in->off);
        FUZZ_CHECK(at == in, "regmap_at(0x%x) is not instance %u", in->off,
                   i);
        at = regmap_at(m, end - 1);
        FUZZ_CHECK(at == in, "regmap_at(last byte) is not instance %u", i);
        regmap_inst_name(in, ibuf, sizeof(ibuf));
        FUZZ_CHECK(fuzz_terminated(ibuf, sizeof(ibuf)), "name overruns");
        memset(buf, 'x', sizeof(buf));
        FUZZ_CHECK(regmap_describe(m, in->off, 1, buf, sizeof(buf),
                                   &unknown) == 1 && unknown == 0,
                   "a 1-byte access at instance %u touches other than it",
                   i);
        FUZZ_CHECK(strcmp(buf, ibuf) == 0, "describe '%s', name '%s'", buf,
                   ibuf);
        regmap_describe(m, in->off, 64, buf, 8, NULL);
        FUZZ_CHECK(fuzz_terminated(buf, 8), "describe overruns 8 bytes");
        regmap_format_fields(in->reg, value, buf, sizeof(buf));
        FUZZ_CHECK(fuzz_terminated(buf, sizeof(buf)), "fields overrun");
        regmap_format_fields(in->reg, ~value, buf, 12);
        FUZZ_CHECK(fuzz_terminated(buf, 12), "fields overrun 12 bytes");
    }
    regmap_describe(m, extent, 8, buf, sizeof(buf), &unknown);
    FUZZ_CHECK(buf[0] == '\0' || extent == UINT32_MAX,
               "an access past the extent named '%s'", buf);
    regmap_describe(m, UINT64_MAX - 3, 255, buf, sizeof(buf), NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = fuzz_text(data, size), *second;
    struct regmap_set *s = regmap_set_new();
    const char *first;
    char err[512];
    uint64_t value = 0;

    FUZZ_CHECK(text && s, "out of memory");
    for ( size_t i = 0; i < size && i < 8; i++ )
        value = value << 8 | data[size - 1 - i];
    second = text + strlen(text) + (strlen(text) < size ? 1 : 0);

    memset(err, 'x', sizeof(err));
    if ( regmap_set_load_string(s, "a.map", text, &first, err, sizeof(err)) )
        check_err(err, "a.map");
    memset(err, 'x', sizeof(err));
    if ( regmap_set_load_string(s, "b.map", second, NULL, err, sizeof(err)) )
        check_err(err, "b.map");

    for ( unsigned int i = 0; i < regmap_set_count(s); i++ )
    {
        const char *name = regmap_set_name(s, i);

        if ( name )
            check_map(s, name, value);
    }
    /* Again, now that everything is flattened (cached). */
    for ( unsigned int i = 0; i < regmap_set_count(s); i++ )
    {
        const char *name = regmap_set_name(s, i);

        if ( name )
            check_map(s, name, value);
    }
    regmap_set_free(s);
    free(text);
    return 0;
}

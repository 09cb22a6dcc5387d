/*
 * test-regmap.c - the register map parser, the shipped maps, and the
 * naming of accesses ("DCCTRL", "DCCTRL+2", "DCERDP..DCCTRL").
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "analyzer/regmap.h"

static struct regmap_set *shipped(void)
{
    struct regmap_set *s = regmap_set_new();
    char err[512] = "";

    if ( regmap_set_load_default(s, err, sizeof(err)) )
        fail_msg("%s", err);
    return s;
}

static const struct regmap *get(struct regmap_set *s, const char *name)
{
    char err[512] = "";
    const struct regmap *m = regmap_set_find(s, name, err, sizeof(err));

    if ( !m )
        fail_msg("%s", err);
    return m;
}

static void check_name(const struct regmap *m, unsigned int off,
                       unsigned int len, const char *want,
                       unsigned int want_n, unsigned int want_unknown)
{
    char buf[128];
    unsigned int unk = 99;
    unsigned int n = regmap_describe(m, off, len, buf, sizeof(buf), &unk);

    assert_string_equal(buf, want);
    assert_int_equal(n, want_n);
    assert_int_equal(unk, want_unknown);
}

static void test_dbc_map(void **state)
{
    struct regmap_set *s = shipped();
    const struct regmap *m = get(s, "xhci-dbc");
    static const struct { unsigned int off, size; const char *name; } regs[] = {
        { 0x00, 4, "DCID" }, { 0x04, 4, "DCDB" }, { 0x08, 4, "DCERSTSZ" },
        { 0x10, 8, "DCERSTBA" }, { 0x18, 8, "DCERDP" }, { 0x20, 4, "DCCTRL" },
        { 0x24, 4, "DCST" }, { 0x28, 4, "DCPORTSC" }, { 0x30, 8, "DCCP" },
        { 0x38, 4, "DCDDI1" }, { 0x3c, 4, "DCDDI2" },
    };
    const struct regmap_inst *in;
    unsigned int n;

    (void)state;
    in = regmap_insts(m, &n);
    assert_int_equal(n, 11);
    for ( unsigned int i = 0; i < n; i++ )
    {
        assert_int_equal(in[i].off, regs[i].off);
        assert_int_equal(in[i].reg->size, regs[i].size);
        assert_string_equal(in[i].reg->name, regs[i].name);
    }
    assert_int_equal(regmap_extent(m), 0x40);
    assert_string_equal(regmap_kind(m), "xhci");
    check_name(m, 0x20, 4, "DCCTRL", 1, 0);
    check_name(m, 0x22, 2, "DCCTRL+2", 1, 0);
    check_name(m, 0x23, 1, "DCCTRL+3", 1, 0);
    check_name(m, 0x20, 8, "DCCTRL..DCST", 2, 0);
    check_name(m, 0x14, 4, "DCERSTBA+4", 1, 0);
    check_name(m, 0x18, 16, "DCERDP..DCST", 3, 0);
    check_name(m, 0x0c, 4, "", 0, 4);           /* reserved dword */
    check_name(m, 0x08, 8, "DCERSTSZ", 1, 4);   /* half reserved */
    check_name(m, 0x2c, 4, "", 0, 4);           /* RsvdP */
    check_name(m, 0x40, 8, "", 0, 8);           /* beyond the map */
    check_name(m, 0x3c, 8, "DCDDI2", 1, 4);
    assert_null(regmap_at(m, 0x0c));
    assert_string_equal(regmap_at(m, 0x27)->reg->name, "DCST");
    regmap_set_free(s);
}

static void test_fields(void **state)
{
    struct regmap_set *s = shipped();
    const struct regmap *m = get(s, "xhci-dbc");
    char buf[128];

    (void)state;
    regmap_format_fields(regmap_at(m, 0x20)->reg, 0x80000001u, buf,
                         sizeof(buf));
    assert_string_equal(buf, "DCR DCE");
    regmap_format_fields(regmap_at(m, 0x20)->reg, 0x7f030012u, buf,
                         sizeof(buf));
    assert_string_equal(buf, "LSE DRC MAXBURST=0x3 DEVADDR=0x7f");
    regmap_format_fields(regmap_at(m, 0x20)->reg, 0, buf, sizeof(buf));
    assert_string_equal(buf, "");
    regmap_format_fields(regmap_at(m, 0x18)->reg, 0x12345678abcdef1bull,
                         buf, sizeof(buf));
    assert_string_equal(buf, "DESI=0x3 PTR=0x12345678abcdef1");
    /* A short buffer is cut, never overrun. */
    regmap_format_fields(regmap_at(m, 0x20)->reg, 0x7f030012u, buf, 8);
    assert_int_equal(strlen(buf), 7);
    regmap_set_free(s);
}

static void test_xhci_maps(void **state)
{
    struct regmap_set *s = shipped();
    const struct regmap *op = get(s, "xhci-op"), *x = get(s, "xhci");
    const struct regmap *rt = get(s, "xhci-rt"), *db = get(s, "xhci-db");
    unsigned int n;

    (void)state;
    check_name(op, 0x00, 4, "USBCMD", 1, 0);
    check_name(op, 0x14, 4, "DNCTRL", 1, 0);
    check_name(op, 0x18, 8, "CRCR", 1, 0);
    check_name(op, 0x1c, 4, "CRCR+4", 1, 0);
    check_name(op, 0x30, 8, "DCBAAP", 1, 0);
    check_name(op, 0x38, 4, "CONFIG", 1, 0);
    check_name(op, 0x400, 4, "PORTSC[1]", 1, 0);
    check_name(op, 0x414, 4, "PORTPMSC[2]", 1, 0);
    check_name(op, 0x418, 4, "PORTLI[2]", 1, 0);
    check_name(op, 0x41c, 4, "PORTHLPMC[2]", 1, 0);
    check_name(op, 0x13ec, 4, "PORTHLPMC[255]", 1, 0);
    check_name(op, 0x13f0, 4, "", 0, 4);
    regmap_insts(op, &n);
    assert_int_equal(n, 7 + 255 * 4);
    check_name(rt, 0x00, 4, "MFINDEX", 1, 0);
    check_name(rt, 0x20, 4, "IMAN[0]", 1, 0);
    check_name(rt, 0x38, 8, "ERDP[0]", 1, 0);
    check_name(rt, 0x44, 4, "IMOD[1]", 1, 0);
    regmap_insts(rt, &n);
    assert_int_equal(n, 1 + 1024 * 5);
    check_name(db, 0x14, 4, "DB[5]", 1, 0);
    /* The composite map places the parts at the common Intel offsets. */
    check_name(x, 0x00, 1, "CAPLENGTH", 1, 0);
    check_name(x, 0x80, 4, "USBCMD", 1, 0);
    check_name(x, 0x480, 4, "PORTSC[1]", 1, 0);
    check_name(x, 0x2020, 4, "IMAN[0]", 1, 0);
    check_name(x, 0x3004, 4, "DB[1]", 1, 0);
    check_name(x, 0x80, 8, "USBCMD..USBSTS", 2, 0);
    check_name(x, 0x2fe0, 4, "IMAN[126]", 1, 0);
    check_name(x, 0x2ffc, 4, "ERDP[126]+4", 1, 0);
    regmap_insts(x, &n);                /* interrupters 127.. are cut */
    assert_int_equal(n, 9 + (7 + 255 * 4) + (1 + 127 * 5) + 256);
    check_name(x, 0x33fc, 4, "DB[255]", 1, 0);
    regmap_set_free(s);
}

static void test_msix_map(void **state)
{
    struct regmap_set *s = shipped();
    const struct regmap *m = get(s, "msix"), *p = get(s, "msix-pba");
    unsigned int n;

    (void)state;
    check_name(m, 0x00, 4, "MSGADDR[0]", 1, 0);
    check_name(m, 0x34, 4, "MSGUPADDR[3]", 1, 0);
    check_name(m, 0x38, 4, "MSGDATA[3]", 1, 0);
    check_name(m, 0x3c, 4, "VECCTRL[3]", 1, 0);
    check_name(m, 0x30, 8, "MSGADDR[3]..MSGUPADDR[3]", 2, 0);
    check_name(m, 0x30, 16, "MSGADDR[3]..VECCTRL[3]", 4, 0);
    check_name(m, 0x7ffc, 4, "VECCTRL[2047]", 1, 0);
    regmap_insts(m, &n);
    assert_int_equal(n, 2048 * 4);
    check_name(p, 0x08, 8, "PBA[1]", 1, 0);
    regmap_set_free(s);
}

/* Parse `text` as file "t.map" and expect the error `want`. */
static void expect_error(const char *text, const char *find,
                         const char *want)
{
    struct regmap_set *s = regmap_set_new();
    char err[512] = "";
    int rc = regmap_set_load_string(s, "t.map", text, NULL, err,
                                    sizeof(err));

    if ( rc == 0 )
    {
        const struct regmap *m;

        assert_non_null(find);
        m = regmap_set_find(s, find, err, sizeof(err));
        assert_null(m);
    }
    assert_string_equal(err, want);
    regmap_set_free(s);
}

static void test_errors(void **state)
{
    (void)state;
    expect_error("0x00 4 A\n", NULL,
                 "t.map:1: '0x00' before the first 'map' line");
    expect_error("# only comments\n\n", NULL, "t.map: no 'map' line");
    expect_error("map m k\n0xZZ 4 A\n", NULL,
                 "t.map:2: offset '0xZZ' is not a number");
    expect_error("map m k\n0x10 0 A\n", NULL, "t.map:2: size 0");
    expect_error("map m k\n0x10 4\n", NULL, "t.map:2: missing register name");
    expect_error("map m k\n0x10 4 1A\n", NULL,
                 "t.map:2: register name '1A' must start with a letter or '_'");
    expect_error("map m k\n0x10 4 A-B\n", NULL,
                 "t.map:2: register name 'A-B' has a bad character '-'");
    expect_error("map m k\nfield 0 X\n", NULL,
                 "t.map:2: 'field' before any register");
    expect_error("map m k\n0 4 A\n  field 32 X\n", NULL,
                 "t.map:3: field bit 32 is outside the 4-byte register A");
    expect_error("map m k\n0 4 A\n  field 3:5 X\n", NULL,
                 "t.map:3: field bits 3:5: the high bit comes first");
    expect_error("map m k\n0 4 A\n  field 7:0 X\n  field 7 Y\n", NULL,
                 "t.map:4: field Y overlaps field X of A");
    expect_error("map m k\nregister 0 4 A\n", NULL,
                 "t.map:2: unknown keyword 'register'");
    expect_error("map m k\n0 4 A\x1b[2J\n", NULL,
                 "t.map:2: register name 'A?[2J' has a bad character '?'");
    expect_error("map m\n", NULL, "t.map:1: map m: missing device kind");
    expect_error("map m k\n0 4 A\nmap m k\n", NULL,
                 "t.map:3: map m is already defined at line 1");
    expect_error("map m k\narray 0x100 4 0x10\n0 4 A\n", NULL,
                 "t.map:2: array block without 'end'");
    expect_error("map m k\narray 0x100 4 0x10\nend\n", NULL,
                 "t.map:3: empty array block");
    expect_error("map m k\nend\n", NULL, "t.map:2: 'end' without 'array'");
    expect_error("map m k\narray 0 4 0x10\n0xc 8 A\nend\n", NULL,
                 "t.map:3: register A (0xc+8) does not fit in the array "
                 "stride 0x10");
    expect_error("map m k\narray 0 4 0x10\narray 0 2 4\n", NULL,
                 "t.map:3: arrays do not nest");
    expect_error("map m k\narray 0 0 0x10\n", NULL,
                 "t.map:2: array count and stride must be at least 1");
    expect_error("map m k\narray 0 5000 0x10\n", NULL,
                 "t.map:2: array count 5000 is over 4096");
    /* Errors found when the map is flattened. */
    expect_error("map m k\n0 4 A\n2 2 B\n", "m",
                 "t.map:3: map m: B at 0x2 overlaps A at 0x0 (line 2)");
    expect_error("map m k\ninclude nothere 0x10\n", "m",
                 "t.map:2: include of unknown map 'nothere'");
    expect_error("map a k\ninclude b 0\nmap b k\ninclude a 0x10\n", "a",
                 "t.map:4: map 'a' includes itself");
    expect_error("map m k\n0 4 A\narray 0 2 4 1\n0 4 R\nend\n", "m",
                 "t.map:4: map m: R[1] at 0x0 overlaps A at 0x0 (line 2)");
    expect_error("map m k\n0 4 A\n", "other", "no register map called 'other'");
    expect_error("map m k\ninclude x 0x10 0\n", NULL,
                 "t.map:2: include size 0");
}

/* A map may not grow without bound through arrays and includes. */
static void test_too_many(void **state)
{
    char *text = malloc(64 * 1024);
    size_t n = 0;

    (void)state;
    assert_non_null(text);
    n += (size_t)sprintf(text + n, "map big k\narray 0 4096 0x1000\n");
    for ( unsigned int i = 0; i < 257; i++ )
        n += (size_t)sprintf(text + n, "0x%x 1 R%u\n", i, i);
    sprintf(text + n, "end\n");
    expect_error(text, "big", "t.map:2: map big would hold more than "
                 "1048576 registers");
    free(text);
}

static void test_syntax(void **state)
{
    struct regmap_set *s = regmap_set_new();
    const char *first = NULL;
    char err[512] = "", buf[64];
    const struct regmap *m;

    (void)state;
    assert_int_equal(regmap_set_load_string(s, "ok.map",
        "# a comment\r\n"
        "map dev-1 kind  Some device  \r\n"
        "  0x0 4 CTRL   Control register, with # inside\n"
        "    field 0 EN\n"
        "\n"
        "array 0x10 3 8 5\n"
        "0 4 LO\n"
        "4 4 HI\n"
        "end\n"
        "map dev-2 kind\n"
        "include dev-1 0x100\n"
        "0 1 ID\n", &first, err, sizeof(err)), 0);
    assert_string_equal(first, "dev-1");
    m = regmap_set_find(s, "dev-1", err, sizeof(err));
    assert_non_null(m);
    assert_string_equal(regmap_desc(m), "Some device");
    assert_string_equal(regmap_at(m, 0)->reg->desc,
                        "Control register, with # inside");
    regmap_describe(m, 0x24, 4, buf, sizeof(buf), NULL);
    assert_string_equal(buf, "HI[7]");
    m = regmap_set_find(s, "dev-2", err, sizeof(err));
    assert_non_null(m);
    regmap_describe(m, 0x120, 4, buf, sizeof(buf), NULL);
    assert_string_equal(buf, "LO[7]");
    regmap_describe(m, 0, 1, buf, sizeof(buf), NULL);
    assert_string_equal(buf, "ID");
    assert_int_equal(regmap_extent(m), 0x128);
    /* A map without registers is a map that names nothing. */
    assert_int_equal(regmap_set_load_string(s, "empty.map", "map void k\n",
                                            NULL, err, sizeof(err)), 0);
    m = regmap_set_find(s, "void", err, sizeof(err));
    assert_non_null(m);
    assert_int_equal(regmap_extent(m), 0);
    assert_int_equal(regmap_describe(m, 0, 4, buf, sizeof(buf), NULL), 0);
    assert_string_equal(buf, "");
    assert_null(regmap_at(m, 0));
    /* A later file's map of the same name shadows the earlier one. */
    assert_int_equal(regmap_set_load_string(s, "new.map",
        "map dev-1 kind\n0 8 WIDE\n", NULL, err, sizeof(err)), 0);
    m = regmap_set_find(s, "dev-1", err, sizeof(err));
    assert_non_null(m);
    assert_string_equal(regmap_at(m, 4)->reg->name, "WIDE");
    regmap_set_free(s);
}

static void test_resolve_file(void **state)
{
    struct regmap_set *s = shipped();
    char path[] = "/tmp/test-regmap-XXXXXX.map", err[512] = "";
    int fd = mkstemps(path, 4);
    const struct regmap *m;
    FILE *f;

    (void)state;
    assert_true(fd >= 0);
    f = fdopen(fd, "w");
    fputs("map mine kind\ninclude xhci-dbc 0x700\n0x0 4 FIRST\n", f);
    fclose(f);
    m = regmap_set_resolve(s, path, err, sizeof(err));
    if ( !m )
        fail_msg("%s", err);
    assert_string_equal(regmap_name(m), "mine");
    assert_string_equal(regmap_at(m, 0x720)->reg->name, "DCCTRL");
    m = regmap_set_resolve(s, "msix", err, sizeof(err));
    assert_non_null(m);
    assert_string_equal(regmap_name(m), "msix");
    unlink(path);
    assert_null(regmap_set_resolve(s, "/nonexistent/x.map", err,
                                   sizeof(err)));
    assert_string_equal(err, "/nonexistent/x.map: No such file or directory");
    regmap_set_free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_dbc_map),
        cmocka_unit_test(test_fields),
        cmocka_unit_test(test_xhci_maps),
        cmocka_unit_test(test_msix_map),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_too_many),
        cmocka_unit_test(test_syntax),
        cmocka_unit_test(test_resolve_file),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

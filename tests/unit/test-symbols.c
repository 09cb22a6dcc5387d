/*
 * test-symbols.c - System.map parsing and RIP -> function+offset, with
 * and without a KASLR offset.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "analyzer/symbols.h"

static const char sample[] =
    "0000000000000000 A VDSO32_PRELINK\n"
    "ffffffff81000000 T _text\n"
    "ffffffff81000000 T startup_64\n"
    "ffffffff81001000 t xhci_dbc_write_reg\n"
    "ffffffff81001040 T xhci_ring_doorbell\r\n"
    "ffffffff81001100 W weak_helper\n"
    "ffffffff81002000 T _etext\n"
    "ffffffff82000000 D some_data\n"
    "ffffffff82000100 d more_data\n"
    "\n";

static void test_lookup(void **state)
{
    char err[256] = "", buf[128];
    struct symtab *t = symtab_parse("System.map", sample, err, sizeof(err));

    (void)state;
    assert_non_null(t);
    assert_int_equal(symtab_count(t), 9);
    assert_int_equal(symtab_name(t, 0xffffffff81001000ull, buf,
                                 sizeof(buf)), 1);
    assert_string_equal(buf, "xhci_dbc_write_reg");
    assert_int_equal(symtab_name(t, 0xffffffff8100101cull, buf,
                                 sizeof(buf)), 1);
    assert_string_equal(buf, "xhci_dbc_write_reg+0x1c");
    symtab_name(t, 0xffffffff81001041ull, buf, sizeof(buf));
    assert_string_equal(buf, "xhci_ring_doorbell+0x1");
    symtab_name(t, 0xffffffff81001200ull, buf, sizeof(buf));
    assert_string_equal(buf, "weak_helper+0x100");
    /* Aliases: the first text symbol nm printed at that address. */
    symtab_name(t, 0xffffffff81000010ull, buf, sizeof(buf));
    assert_string_equal(buf, "_text+0x10");
    /* Before every symbol, in data, far past the end: raw addresses. */
    assert_int_equal(symtab_name(t, 0x1000, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "0x1000");
    assert_int_equal(symtab_name(t, 0xffffffff82000008ull, buf,
                                 sizeof(buf)), 0);
    assert_string_equal(buf, "0xffffffff82000008");
    assert_int_equal(symtab_name(NULL, 0x1234, buf, sizeof(buf)), 0);
    assert_string_equal(buf, "0x1234");
    symtab_free(t);
}

static void test_kaslr(void **state)
{
    char err[256] = "", buf[128];
    struct symtab *t = symtab_parse("System.map", sample, err, sizeof(err));

    (void)state;
    assert_non_null(t);
    symtab_relocate(t, 0x1e600000);
    symtab_name(t, 0xffffffff9f60101cull, buf, sizeof(buf));
    assert_string_equal(buf, "xhci_dbc_write_reg+0x1c");
    /* The unrelocated address now falls before every text symbol. */
    assert_int_equal(symtab_name(t, 0xffffffff8100101cull, buf,
                                 sizeof(buf)), 0);
    symtab_free(t);
}

static void test_errors(void **state)
{
    char err[256] = "";

    (void)state;
    assert_null(symtab_parse("m", "ffffffff81000000 T a\nzzz T b\n", err,
                             sizeof(err)));
    assert_string_equal(err, "m:2: expected 'ADDRESS TYPE NAME'");
    assert_null(symtab_parse("m", "ffffffff81000000 T\n", err, sizeof(err)));
    assert_string_equal(err, "m:1: bad symbol type");
    assert_null(symtab_parse("m", "ffffffff81000000 T \n", err, sizeof(err)));
    assert_string_equal(err, "m:1: missing symbol name");
    assert_null(symtab_parse("m", "1ffffffff81000000 T x\n", err,
                             sizeof(err)));
    assert_string_equal(err, "m:1: bad address");
    assert_null(symtab_parse("m", "ffffffff81000000 TT x\n", err,
                             sizeof(err)));
    assert_string_equal(err, "m:1: bad symbol type");
    assert_null(symtab_load("/nonexistent/System.map", err, sizeof(err)));
    assert_string_equal(err, "/nonexistent/System.map: No such file or "
                        "directory");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_lookup),
        cmocka_unit_test(test_kaslr),
        cmocka_unit_test(test_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

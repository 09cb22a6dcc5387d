/*
 * test-table.c - terminal tables: alignment, UTF-8 widths, long cells cut,
 * hostile cells cleaned, trailing blanks dropped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "analyzer/table.h"

static char out[4096];

static const char *print(const struct table *t, unsigned int indent)
{
    FILE *f = fmemopen(out, sizeof(out), "w");

    assert_non_null(f);
    table_print(t, f, indent);
    fputc('\0', f);
    fclose(f);
    return out;
}

static void test_align(void **state)
{
    static const char *const heads[] = { "name", "n", "note", NULL };
    struct table *t = table_new(heads, "lrl");

    (void)state;
    table_str(t, "DCCTRL");
    table_cell(t, "%d", 12);
    table_str(t, "");
    table_str(t, "caf\xc3\xa9");
    table_cell(t, "%d", 3);
    table_str(t, "x");
    assert_int_equal(table_rows(t), 2);
    assert_string_equal(print(t, 2),
                        "  name     n  note\n"
                        "  ----------------\n"
                        "  DCCTRL  12\n"
                        "  caf\xc3\xa9     3  x\n");
    table_free(t);
}

static void test_hostile_and_long(void **state)
{
    static const char *const heads[] = { "a", "b", NULL };
    struct table *t = table_new(heads, "ll");
    char longer[200];

    (void)state;
    memset(longer, 'z', sizeof(longer) - 1);
    longer[sizeof(longer) - 1] = '\0';
    table_str(t, "\x1b[31mred\r\n");
    table_str(t, longer);
    table_str(t, NULL);
    print(t, 0);
    /* Escape sequences and line breaks become '?'; a missing cell '-';
     * a long cell is cut to 72 columns ending in "...". */
    assert_non_null(strstr(out, "?[31mred??  zzz"));
    assert_non_null(strstr(out, "zzz...\n-\n"));
    assert_null(strchr(out, '\x1b'));
    {
        const char *line = strstr(out, "?[31m");
        const char *end = strchr(line, '\n');

        assert_int_equal(end - line, 10 + 2 + 72);
    }
    table_free(t);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_align),
        cmocka_unit_test(test_hostile_and_long),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

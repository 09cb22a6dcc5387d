/*
 * test-textfile.c - util/textfile: whole-file reads with their limits,
 * and "FILE:LINE: what" messages safe for a terminal.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/textfile.h"

static char path[256];

static void write_file(const void *data, size_t n)
{
    FILE *f;

    snprintf(path, sizeof(path), "%s/textfile-%d.txt",
             getenv("TEST_TMPDIR") ? getenv("TEST_TMPDIR") : "/tmp",
             (int)getpid());
    f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    fclose(f);
}

static void test_reads_whole_file(void **state)
{
    char err[256];
    size_t len = 0, n = 100000;
    char *big = malloc(n), *text;

    (void)state;
    for ( size_t i = 0; i < n; i++ )
        big[i] = (char)('a' + i % 26);
    write_file(big, n);
    text = textfile_read(path, 0, true, &len, err, sizeof(err));
    assert_non_null(text);
    assert_int_equal(len, n);
    assert_memory_equal(text, big, n);
    assert_int_equal(text[n], '\0');
    free(text);
    free(big);
    unlink(path);
}

static void test_limits_and_errors(void **state)
{
    char err[256], msg[300];
    char *text;

    (void)state;
    write_file("ab\0cd", 5);
    assert_null(textfile_read(path, 0, true, NULL, err, sizeof(err)));
    snprintf(msg, sizeof(msg), "%s: offset 2: NUL byte in a text file", path);
    assert_string_equal(err, msg);
    text = textfile_read(path, 0, false, NULL, err, sizeof(err));
    assert_non_null(text);      /* allowed when the caller says so */
    free(text);
    assert_null(textfile_read(path, 4, false, NULL, err, sizeof(err)));
    snprintf(msg, sizeof(msg), "%s: larger than 4 bytes", path);
    assert_string_equal(err, msg);
    unlink(path);
    assert_null(textfile_read(path, 0, false, NULL, err, sizeof(err)));
    snprintf(msg, sizeof(msg), "%s: No such file or directory", path);
    assert_string_equal(err, msg);
    write_file("", 0);
    text = textfile_read(path, 0, true, NULL, err, sizeof(err));
    assert_non_null(text);
    assert_string_equal(text, "");
    free(text);
    unlink(path);
}

static void test_error_is_terminal_safe(void **state)
{
    char err[64];

    (void)state;
    assert_int_equal(textfile_error(err, sizeof(err), "map.txt", 7,
                                    "bad name '%s'", "a\033[2Jb\n"), -1);
    assert_string_equal(err, "map.txt:7: bad name 'a?[2Jb?'");
    /* A message longer than the buffer is cut, never overrun. */
    textfile_error(err, 16, "f", 1, "%s", "0123456789abcdef");
    assert_string_equal(err, "f:1: 0123456789");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_reads_whole_file),
        cmocka_unit_test(test_limits_and_errors),
        cmocka_unit_test(test_error_is_terminal_safe),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

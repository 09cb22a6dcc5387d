/*
 * test-escape.c - HTML, CSV, terminal and JSON escaping of hostile names
 * (device names, register names, instruction text out of a database).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "util/escape.h"
#include "util/json.h"

/* Run fn(out, s) into memory and return the text (static buffer). */
static const char *capture(void (*fn)(FILE *, const char *), const char *s)
{
    static char buf[1024];
    FILE *f = fmemopen(buf, sizeof(buf), "w");

    assert_non_null(f);
    fn(f, s);
    fputc('\0', f);
    fclose(f);
    return buf;
}

static void json_str(FILE *f, const char *s)
{
    json_escape(f, s, strlen(s));
}

static void test_html(void **state)
{
    (void)state;
    assert_string_equal(capture(html_escape, "DCCTRL"), "DCCTRL");
    assert_string_equal(capture(html_escape,
                                "<script>alert(\"x\")</script>"),
                        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    assert_string_equal(capture(html_escape, "a' onmouseover='b"),
                        "a&#39; onmouseover=&#39;b");
    assert_string_equal(capture(html_escape, "&amp; & &#60;"),
                        "&amp;amp; &amp; &amp;#60;");
    assert_string_equal(capture(html_escape, "]]><!--x--><![CDATA["),
                        "]]&gt;&lt;!--x--&gt;&lt;![CDATA[");
    /* Controls, DEL, C1 controls and broken UTF-8 become U+FFFD. */
    assert_string_equal(capture(html_escape, "a\x01" "b\x1b[31mc\x7f"),
                        "a&#xfffd;b&#xfffd;[31mc&#xfffd;");
    assert_string_equal(capture(html_escape, "\xc2\x85x\xff\xc3"),
                        "&#xfffd;&#xfffd;x&#xfffd;&#xfffd;");
    assert_string_equal(capture(html_escape, "tab\there\nnl"),
                        "tab\there\nnl");
    /* Valid UTF-8 passes through. */
    assert_string_equal(capture(html_escape, "caf\xc3\xa9 \xe2\x86\x92"),
                        "caf\xc3\xa9 \xe2\x86\x92");
    /* Overlong '<' (0xc0 0xbc) is not let through as '<'. */
    assert_string_equal(capture(html_escape, "\xc0\xbcscript"),
                        "&#xfffd;&#xfffd;script");
    assert_string_equal(capture(html_escape, ""), "");
}

static void test_csv(void **state)
{
    (void)state;
    assert_string_equal(capture(csv_field, "DCCTRL"), "DCCTRL");
    assert_string_equal(capture(csv_field, "a,b"), "\"a,b\"");
    assert_string_equal(capture(csv_field, "say \"hi\""),
                        "\"say \"\"hi\"\"\"");
    assert_string_equal(capture(csv_field, "two\nlines"), "\"two\nlines\"");
    assert_string_equal(capture(csv_field, "cr\rhere"), "\"cr\rhere\"");
    assert_string_equal(capture(csv_field, "esc\x1b[0m"), "\"esc\x1b[0m\"");
    assert_string_equal(capture(csv_field, " padded"), "\" padded\"");
    assert_string_equal(capture(csv_field, "=HYPERLINK(\"x\")"),
                        "\"'=HYPERLINK(\"\"x\"\")\"");
    assert_string_equal(capture(csv_field, "+1"), "\"'+1\"");
    assert_string_equal(capture(csv_field, "@SUM(A1)"), "\"'@SUM(A1)\"");
    assert_string_equal(capture(csv_field, ""), "");
    assert_string_equal(capture(csv_field, NULL), "");
}

static void test_term(void **state)
{
    char buf[64];

    (void)state;
    assert_int_equal(term_clean(buf, sizeof(buf), "DCCTRL"), 6);
    assert_string_equal(buf, "DCCTRL");
    assert_int_equal(term_clean(buf, sizeof(buf), "\x1b[2Jx\r\n"), 7);
    assert_string_equal(buf, "?[2Jx??");
    assert_int_equal(term_clean(buf, sizeof(buf), "caf\xc3\xa9\xff"), 5);
    assert_string_equal(buf, "caf\xc3\xa9?");
    assert_int_equal(term_clean(buf, sizeof(buf), "\xc2\x9b" "31m"), 5);
    assert_string_equal(buf, "??31m");
    /* Never overruns: a 4-byte buffer holds 3 bytes and the NUL. */
    term_clean(buf, 4, "abcdef");
    assert_string_equal(buf, "abc");
    term_clean(buf, 4, "a\xc3\xa9\xc3\xa9");
    assert_string_equal(buf, "a\xc3\xa9");
    assert_int_equal(term_clean(buf, sizeof(buf), NULL), 0);
}

static void test_json(void **state)
{
    (void)state;
    assert_string_equal(capture(json_str, "</script><b>\"&'\\"),
                        "\"\\u003c/script\\u003e\\u003cb\\u003e\\\"\\u0026'"
                        "\\\\\"");
    assert_string_equal(capture(json_str, "a\x01\x1b\n"),
                        "\"a\\u0001\\u001b\\n\"");
    assert_string_equal(capture(json_str, "\xff"), "\"\\u00ff\"");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_html),
        cmocka_unit_test(test_csv),
        cmocka_unit_test(test_term),
        cmocka_unit_test(test_json),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

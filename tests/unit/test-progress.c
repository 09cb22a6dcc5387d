/*
 * test-progress.c - util/progress: silent unless on a terminal; on one
 * (a pseudo-terminal here) the exact line, its rate limit and its erasure.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "util/progress.h"

#define MIB (1024ull * 1024)

static void test_not_a_terminal(void **state)
{
    FILE *f = tmpfile();
    struct progress p;

    (void)state;
    progress_start_on(&p, f, "rec", 10 * MIB);
    assert_false(p.enabled);
    p.interval_ms = 0;
    progress_update(&p, 5 * MIB, 10);
    progress_end(&p);
    assert_int_equal(ftell(f), 0);
    fclose(f);
}

/* What the terminal received since the last call. */
static void drain(int master, char *buf, size_t cap)
{
    ssize_t n = read(master, buf, cap - 1);

    buf[n > 0 ? n : 0] = '\0';
}

static void test_terminal(void **state)
{
    int master = posix_openpt(O_RDWR | O_NOCTTY);
    int slave;
    FILE *f;
    struct progress p;
    char buf[512];
    unsigned long long rate;
    int used = 0;

    (void)state;
    if ( master < 0 || grantpt(master) || unlockpt(master) )
        skip();
    slave = open(ptsname(master), O_RDWR | O_NOCTTY);
    assert_true(slave >= 0);
    fcntl(master, F_SETFL, O_NONBLOCK);
    f = fdopen(slave, "w");
    assert_non_null(f);

    progress_start_on(&p, f, "recorder", 512 * MIB);
    assert_true(p.enabled);
    assert_int_equal(p.interval_ms, 200);
    progress_update(&p, 120 * MIB, 5);          /* too soon: nothing */
    drain(master, buf, sizeof(buf));
    assert_string_equal(buf, "");

    p.interval_ms = 0;
    usleep(20000);
    progress_update(&p, 120 * MIB + 5, 1000);
    drain(master, buf, sizeof(buf));
    assert_int_equal(sscanf(buf, "\rrecorder: 120 MiB of 512 MiB (23%%), "
                            "%llu groups/s\033[K%n", &rate, &used), 1);
    assert_int_equal(used, strlen(buf));
    assert_true(rate > 0 && rate <= 50000);

    progress_update(&p, 600 * MIB, 0);          /* past the total */
    drain(master, buf, sizeof(buf));
    assert_non_null(strstr(buf, "600 MiB of 512 MiB (100%), "));

    p.total = 0;                                /* unknown size: a pipe */
    progress_update(&p, 7 * MIB, 0);
    drain(master, buf, sizeof(buf));
    assert_string_equal(buf, "\rrecorder: 7 MiB, 0 groups/s\033[K");

    progress_end(&p);
    drain(master, buf, sizeof(buf));
    assert_string_equal(buf, "\r\033[K");
    progress_end(&p);                           /* nothing shown: silent */
    drain(master, buf, sizeof(buf));
    assert_string_equal(buf, "");
    fclose(f);
    close(master);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_not_a_terminal),
        cmocka_unit_test(test_terminal),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

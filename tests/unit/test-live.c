/*
 * test-live.c - recorder/live.c without Xen.
 *
 * The host checks: on fake roots (a directory standing for /), each thing
 * a live capture needs and lacks gives its own message at once, and
 * nothing starts. The capture thread and its stream: over the in-memory
 * replica of Xen's buffers (helpers/tbuf-replica.h), fed while the thread
 * runs, ended by sro_live_stop(), by the time limit and by SIGTERM/SIGINT;
 * the stream is read with the recorder's own reader (trace/reader.h), as
 * `record --live` does, and must hold every record, in order, then end
 * cleanly. CPU mask parsing.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/abi.h"
#include "recorder/live.h"
#include "recorder/tbuf-ring.h"
#include "trace/reader.h"
#include "helpers/tbuf-replica.h"

static double now_s(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ------------------------------------------------------------------ */
/* Fake roots.                                                         */

static char root[512];

static void mkpath(const char *rel, const char *content)
{
    char path[1024], *slash;
    FILE *f;

    snprintf(path, sizeof(path), "%s%s", root, rel);
    for ( slash = strchr(path + strlen(root) + 1, '/'); slash;
          slash = strchr(slash + 1, '/') )
    {
        *slash = '\0';
        mkdir(path, 0755);
        *slash = '/';
    }
    f = fopen(path, "w");
    assert_non_null(f);
    fputs(content, f);
    fclose(f);
}

static int make_root(void **state)
{
    const char *tmp = getenv("TEST_TMPDIR");

    (void)state;
    snprintf(root, sizeof(root), "%s/live-root.XXXXXX", tmp ? tmp : "/tmp");
    assert_non_null(mkdtemp(root));
    return 0;
}

static int remove_root(void **state)
{
    char cmd[600];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
    return system(cmd) == 0 ? 0 : -1;
}

/* Open on the fake root; must fail in well under a second with want. */
static void expect_open_fails(const char *want_prefix)
{
    struct sro_live_opts o = { .root = root, .seconds = 1 };
    struct sro_live_info info;
    struct sro_live_result res;
    char err[512] = "";
    double t0 = now_s();

    assert_null(sro_live_open(&o, &info, err, sizeof(err)));
    assert_true(now_s() - t0 < 1.0);
    if ( strncmp(err, want_prefix, strlen(want_prefix)) != 0 )
        fail_msg("error '%s' does not start with '%s'", err, want_prefix);
    /* Nothing is running. */
    assert_int_equal(sro_live_close(stdin, &res), -1);
    assert_string_equal(res.error, "no live capture is open on this stream");
}

static void test_no_xen(void **state)
{
    char want[1200];

    (void)state;
    snprintf(want, sizeof(want), "not running on Xen: neither "
             "%s/dev/xen/privcmd nor %s/proc/xen/privcmd exists (live "
             "capture needs a Xen dom0 with the xen-privcmd driver loaded)",
             root, root);
    expect_open_fails(want);
}

static void test_not_dom0(void **state)
{
    char want[1200];

    (void)state;
    mkpath("/proc/xen/privcmd", "");
    mkpath("/proc/xen/capabilities", "");
    snprintf(want, sizeof(want), "not dom0: %s/proc/xen/capabilities does "
             "not list control_d (this is a guest domain; live capture runs "
             "in dom0)", root);
    expect_open_fails(want);
}

/*
 * Past the file checks, the next thing missing is Xen itself: libxenctrl
 * opens the real /dev/xen/privcmd, which this machine lacks. (Skipped on
 * a real Xen host, where the open would succeed and start tracing.)
 */
static void test_no_hypervisor_interface(void **state)
{
    struct stat st;

    (void)state;
    if ( stat("/dev/xen/privcmd", &st) == 0 ||
         stat("/proc/xen/privcmd", &st) == 0 )
        skip();
    mkpath("/dev/xen/privcmd", "");
    mkpath("/proc/xen/capabilities", "control_d\n");
#ifdef HAVE_LIBXENCTRL
    expect_open_fails("xc_interface_open failed: ");
#else
    expect_open_fails("live capture is not available: srotrace was built "
                      "without libxenctrl");
#endif
}

static void test_cpumask(void **state)
{
    uint8_t map[4];
    char err[256];

    (void)state;
    assert_int_equal(sro_live_parse_cpumask("0x5", map, 32, err,
                                            sizeof(err)), 0);
    assert_int_equal(map[0], 0x05);
    assert_int_equal(map[1], 0);
    assert_int_equal(sro_live_parse_cpumask("0xF0f", map, 32, err,
                                            sizeof(err)), 0);
    assert_int_equal(map[0], 0x0f);
    assert_int_equal(map[1], 0x0f);
    assert_int_equal(sro_live_parse_cpumask("0-3,6,9-10", map, 32, err,
                                            sizeof(err)), 0);
    assert_int_equal(map[0], 0x4f);
    assert_int_equal(map[1], 0x06);
    assert_int_equal(sro_live_parse_cpumask("31", map, 32, err,
                                            sizeof(err)), 0);
    assert_int_equal(map[3], 0x80);

    assert_int_equal(sro_live_parse_cpumask("32", map, 32, err,
                                            sizeof(err)), -1);
    assert_string_equal(err, "CPU mask '32': CPU 32 is beyond the 32 CPUs "
                             "of this host");
    assert_int_equal(sro_live_parse_cpumask("0x100", map, 8, err,
                                            sizeof(err)), -1);
    assert_string_equal(err, "CPU mask '0x100': CPU 8 is beyond the 8 CPUs "
                             "of this host");
    assert_int_equal(sro_live_parse_cpumask("0x0", map, 8, err,
                                            sizeof(err)), -1);
    assert_string_equal(err, "CPU mask '0x0' selects no CPU");
    assert_int_equal(sro_live_parse_cpumask("0x", map, 8, err,
                                            sizeof(err)), -1);
    assert_string_equal(err, "CPU mask '0x': no hex digits");
    assert_int_equal(sro_live_parse_cpumask("0x1g", map, 8, err,
                                            sizeof(err)), -1);
    assert_string_equal(err, "CPU mask '0x1g': 'g' is not a hex digit");
    assert_int_equal(sro_live_parse_cpumask("3-1", map, 8, err,
                                            sizeof(err)), -1);
    assert_string_equal(err, "CPU mask '3-1': range 3-1 runs backwards");
    assert_int_equal(sro_live_parse_cpumask("1,", map, 8, err,
                                            sizeof(err)), -1);
    assert_string_equal(err, "CPU mask '1,': expected 0xHEX or a list such "
                             "as 0-3,6");
    assert_int_equal(sro_live_parse_cpumask("", map, 8, err,
                                            sizeof(err)), -1);
    assert_string_equal(err, "CPU mask is empty");
}

/* ------------------------------------------------------------------ */
/* The capture thread over the replica.                                */

struct capture {
    struct tbr_replica   *r;
    void                **maps[TBR_NR_CPUS];
    struct sro_tbuf_ring *ring;
    FILE                 *in;
};

static void capture_start(struct capture *c, unsigned int ncpus,
                          const struct sro_live_opts *o)
{
    char err[256] = "";

    c->r = tbr_new(ncpus, 8, 0);
    c->r->expect = false;
    c->ring = tbr_consumer_new(c->r, c->maps);
    c->in = sro_live_open_ring(c->ring, o, err, sizeof(err));
    if ( !c->in )
        fail_msg("sro_live_open_ring: %s", err);
}

/*
 * Read the stream to its end with the recorder's reader. Returns the data
 * records; checks each CPU's sequence has no gap (nothing is lost here:
 * the buffers are larger than what the tests produce).
 */
static uint64_t read_all(struct capture *c, uint64_t *lost)
{
    struct sro_reader *rd = sro_reader_new(c->in, "live");
    struct sro_rec rec;
    uint64_t n = 0, next[TBR_NR_CPUS] = { 0 };
    int rc;

    assert_non_null(rd);
    *lost = 0;
    while ( (rc = sro_reader_next(rd, &rec)) == 1 )
    {
        if ( rec.event == TRC_LOST_RECORDS )
        {
            *lost += rec.w[0];
            next[rec.cpu] += rec.w[0];
            continue;
        }
        assert_int_equal(rec.event, TBR_EVENT);
        assert_true(rec.cpu < c->r->ncpus);
        assert_int_equal(rec.w[0], (uint32_t)next[rec.cpu]);
        next[rec.cpu]++;
        n++;
    }
    if ( rc < 0 )
        fail_msg("reader: %s", sro_reader_error(rd));
    assert_int_equal(sro_reader_bytes_unused(rd), 0);
    sro_reader_free(rd);
    return n;
}

static void capture_end(struct capture *c, struct sro_live_result *res,
                        int want_rc)
{
    assert_int_equal(sro_live_close(c->in, res), want_rc);
    tbr_consumer_free(c->r, c->ring, c->maps);
    tbr_free(c->r);
}

/* Records go in while the thread runs; stop; all of them come out. */
static void test_stop_request(void **state)
{
    struct sro_live_opts o = { .poll_ms = 5 };
    struct sro_live_result res;
    struct capture c;
    uint64_t lost;
    char err[128];

    (void)state;
    capture_start(&c, 2, &o);
    /* One capture per process. */
    assert_null(sro_live_open_ring(c.ring, &o, err, sizeof(err)));
    assert_string_equal(err, "a live capture is already running");

    for ( unsigned int i = 0; i < 600; i++ )
    {
        assert_true(tbr_data(c.r, i % 2, 3, true));     /* 24 bytes */
        if ( i % 100 == 0 )
            usleep(2000);
    }
    sro_live_stop();
    assert_int_equal(read_all(&c, &lost), 600);
    assert_int_equal(lost, 0);
    capture_end(&c, &res, 0);
    assert_string_equal(res.stop_reason, "stopped");
    assert_false(res.tracing_disabled);     /* no Xen: nothing disabled */
    assert_int_equal(res.bytes, 600 * 24);
    assert_true(res.windows >= 2);
    assert_true(res.drains >= 2);
    assert_int_equal(res.bogus_cpus, 0);
    assert_string_equal(res.error, "");
}

/* The time limit ends the capture and the stream on its own. */
static void test_time_limit(void **state)
{
    struct sro_live_opts o = { .seconds = 0.3, .poll_ms = 50 };
    struct sro_live_result res;
    struct capture c;
    uint64_t lost;
    double t0 = now_s(), dt;

    (void)state;
    capture_start(&c, 1, &o);
    for ( unsigned int i = 0; i < 100; i++ )
        assert_true(tbr_data(c.r, 0, 7, false));
    assert_int_equal(read_all(&c, &lost), 100);
    dt = now_s() - t0;
    assert_true(dt >= 0.29 && dt < 1.5);
    capture_end(&c, &res, 0);
    assert_string_equal(res.stop_reason, "time limit");
    assert_int_equal(res.bytes, 100 * 32);
}

/*
 * SIGTERM and SIGINT end the capture cleanly: the records written before
 * the signal all arrive, the stream ends, and the signal mask is restored
 * by sro_live_close().
 */
static void check_signal(int sig, const char *name)
{
    struct sro_live_opts o = { .handle_signals = true, .poll_ms = 1000 };
    struct sro_live_result res;
    struct capture c;
    sigset_t cur;
    uint64_t lost;
    double t0;

    capture_start(&c, 3, &o);
    for ( unsigned int i = 0; i < 90; i++ )
        assert_true(tbr_data(c.r, i % 3, 1, true));
    t0 = now_s();
    assert_int_equal(kill(getpid(), sig), 0);
    assert_int_equal(read_all(&c, &lost), 90);
    assert_true(now_s() - t0 < 0.5);        /* not the 1 s poll interval */
    capture_end(&c, &res, 0);
    assert_string_equal(res.stop_reason, name);
    assert_int_equal(sigprocmask(SIG_BLOCK, NULL, &cur), 0);
    assert_false(sigismember(&cur, sig));
}

static void test_signals(void **state)
{
    (void)state;
    check_signal(SIGTERM, "SIGTERM");
    check_signal(SIGINT, "SIGINT");
}

/* A reader that closes early: close() still returns and cleans up. */
static void test_reader_closes_early(void **state)
{
    struct sro_live_opts o = { .poll_ms = 5 };
    struct sro_live_result res;
    struct capture c;

    (void)state;
    capture_start(&c, 1, &o);
    for ( unsigned int i = 0; i < 50; i++ )
        assert_true(tbr_data(c.r, 0, 2, false));
    capture_end(&c, &res, 0);
    assert_true(strcmp(res.stop_reason, "stopped") == 0 ||
                strcmp(res.stop_reason, "reader closed") == 0);
    /* A new capture can start after it. */
    capture_start(&c, 1, &o);
    sro_live_stop();
    capture_end(&c, &res, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_no_xen, make_root,
                                        remove_root),
        cmocka_unit_test_setup_teardown(test_not_dom0, make_root,
                                        remove_root),
        cmocka_unit_test_setup_teardown(test_no_hypervisor_interface,
                                        make_root, remove_root),
        cmocka_unit_test(test_cpumask),
        cmocka_unit_test(test_stop_request),
        cmocka_unit_test(test_time_limit),
        cmocka_unit_test(test_signals),
        cmocka_unit_test(test_reader_closes_early),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

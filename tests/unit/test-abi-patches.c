/*
 * test-abi-patches.c - the Xen patches and core/abi.h define the same ABI.
 *
 * Each patch under xen-patches/ adds to Xen's public/trace.h the event
 * ids (TRC_HW_MMIO_RO_<EVENT>) and the number of extra words of each
 * record (TRC_HW_MMIO_RO_<EVENT>_WORDS; the hypervisor checks its record
 * structs against these with BUILD_BUG_ON), and to asm/mmio-ro-trace.h
 * the codes it writes into the records (paths, write results, outcomes,
 * reasons). This test reads the added #define lines straight out of each
 * patch file, evaluates them, and compares every one with core/abi.h, in
 * both directions: nothing missing, nothing extra, no value different.
 * So the recorder and the hypervisor can never drift apart unnoticed.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <ctype.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "core/abi.h"

#define MAX_DEFS 128
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* One #define a patch adds. */
struct def {
    char     file[128];         /* the patched file it is added to */
    char     name[64];
    uint64_t value;
    unsigned int line;          /* in the patch file */
};

struct defs {
    struct def d[MAX_DEFS];
    unsigned int n;
};

static const struct def *find(const struct defs *ds, const char *file,
                              const char *name)
{
    for ( unsigned int i = 0; i < ds->n; i++ )
        if ( strcmp(ds->d[i].name, name) == 0 &&
             (!file || strcmp(ds->d[i].file, file) == 0) )
            return &ds->d[i];
    return NULL;
}

/*
 * Value of a #define body: a number, a name defined before in the same
 * file, or a parenthesised sum of those. Returns 0, or -1 if it is none.
 */
static int eval(const struct defs *ds, const char *file, const char *expr,
                uint64_t *out)
{
    char buf[128], *p, *tok, *save;
    size_t n;

    snprintf(buf, sizeof(buf), "%.127s", expr);
    if ( (p = strstr(buf, "/*")) )
        *p = '\0';
    for ( n = strlen(buf); n && isspace((unsigned char)buf[n - 1]); n-- )
        buf[n - 1] = '\0';
    p = buf;
    while ( isspace((unsigned char)*p) )
        p++;
    if ( *p == '(' && n && buf[n - 1] == ')' )
    {
        buf[n - 1] = '\0';
        p++;
    }
    *out = 0;
    for ( tok = strtok_r(p, "+", &save); tok;
          tok = strtok_r(NULL, "+", &save) )
    {
        char *end;
        const struct def *d;

        while ( isspace((unsigned char)*tok) )
            tok++;
        for ( end = tok + strlen(tok);
              end > tok && isspace((unsigned char)end[-1]); end-- )
            end[-1] = '\0';
        if ( isdigit((unsigned char)*tok) )
        {
            uint64_t v = strtoull(tok, &end, 0);

            while ( *end == 'u' || *end == 'U' || *end == 'l' || *end == 'L' )
                end++;
            if ( *end )
                return -1;
            *out += v;
        }
        else if ( (d = find(ds, file, tok)) )
            *out += d->value;
        else
            return -1;
    }
    return 0;
}

/*
 * Collect the "+#define NAME VALUE" lines of a patch text whose NAME
 * starts with one of the prefixes. Fails the test (naming the patch and
 * line) on a value it cannot evaluate.
 */
static void collect(const char *patch_name, const char *text,
                    struct defs *ds)
{
    char file[128] = "";
    unsigned int line = 0;
    const char *p = text;

    ds->n = 0;
    while ( *p )
    {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        char l[512];

        line++;
        snprintf(l, sizeof(l), "%.*s", (int)(len < 511 ? len : 511), p);
        p += len + (eol != NULL);

        if ( strncmp(l, "+++ b/", 6) == 0 )
            snprintf(file, sizeof(file), "%.127s", l + 6);
        else if ( strncmp(l, "+#define ", 9) == 0 &&
                  (strncmp(l + 9, "TRC_HW_MMIO_RO", 14) == 0 ||
                   strncmp(l + 9, "MMIO_RO_", 8) == 0) )
        {
            struct def *d = &ds->d[ds->n];
            char *name = l + 9, *val = name;

            while ( *val && !isspace((unsigned char)*val) )
                val++;
            if ( *val )
                *val++ = '\0';
            if ( ds->n == MAX_DEFS )
                fail_msg("%s: line %u: more than %d definitions", patch_name,
                         line, MAX_DEFS);
            /* MMIO_RO_SUBPAGE_GRAN and the like live in Xen, not here. */
            if ( strncmp(name, "MMIO_RO_", 8) == 0 &&
                 !strstr(file, "mmio-ro-trace.h") )
                continue;
            snprintf(d->file, sizeof(d->file), "%.127s", file);
            snprintf(d->name, sizeof(d->name), "%.63s", name);
            d->line = line;
            if ( eval(ds, file, val, &d->value) )
                fail_msg("%s: line %u: cannot evaluate '%s' for %s",
                         patch_name, line, val, name);
            ds->n++;
        }
    }
}

/* The ABI as core/abi.h has it, in the patches' names. */
struct expect {
    const char *name;
    uint64_t    value;
};

static const struct expect public_defs[] = {
    { "TRC_HW_MMIO_RO",                   TRC_HW_MMIO_RO },
    { "TRC_HW_MMIO_RO_RANGE_ADD",         SRO_RANGE_ADD },
    { "TRC_HW_MMIO_RO_RANGE_STATE",       SRO_RANGE_STATE },
    { "TRC_HW_MMIO_RO_RO_PAGES",          SRO_RO_PAGES },
    { "TRC_HW_MMIO_RO_FAULT",             SRO_FAULT },
    { "TRC_HW_MMIO_RO_INSN",              SRO_INSN },
    { "TRC_HW_MMIO_RO_WRITE",             SRO_WRITE },
    { "TRC_HW_MMIO_RO_DATA",              SRO_DATA },
    { "TRC_HW_MMIO_RO_DONE",              SRO_DONE },
    { "TRC_HW_MMIO_RO_RANGE_ADD_WORDS",   SRO_RANGE_ADD_WORDS },
    { "TRC_HW_MMIO_RO_RANGE_STATE_WORDS", SRO_RANGE_STATE_WORDS },
    { "TRC_HW_MMIO_RO_RO_PAGES_WORDS",    SRO_RO_PAGES_WORDS },
    { "TRC_HW_MMIO_RO_FAULT_WORDS",       SRO_FAULT_WORDS },
    { "TRC_HW_MMIO_RO_INSN_WORDS",        SRO_INSN_WORDS },
    { "TRC_HW_MMIO_RO_WRITE_WORDS",       SRO_WRITE_WORDS },
    { "TRC_HW_MMIO_RO_DATA_WORDS",        SRO_DATA_MAX_WORDS },
    { "TRC_HW_MMIO_RO_DONE_WORDS",        SRO_DONE_WORDS },
};

#define PUBLIC_H "xen/include/public/trace.h"
#define ARCH_H   "xen/arch/x86/include/asm/mmio-ro-trace.h"

/*
 * Compare what a patch defines with abi.h. Returns the number of
 * differences and describes the first in msg.
 */
static unsigned int compare(const struct defs *ds, char *msg, size_t len)
{
    unsigned int bad = 0, expected = 0;

    msg[0] = '\0';
#define BAD(...) \
    do { if ( !bad++ ) snprintf(msg, len, __VA_ARGS__); } while ( 0 )

    /* public/trace.h: every id and word count, and nothing else. */
    for ( size_t i = 0; i < ARRAY_SIZE(public_defs); i++ )
    {
        const struct def *d = find(ds, PUBLIC_H, public_defs[i].name);

        if ( !d )
            BAD("%s: not defined in %s", public_defs[i].name, PUBLIC_H);
        else if ( d->value != public_defs[i].value )
            BAD("%s: patch %#llx, abi.h %#llx (line %u)", d->name,
                (unsigned long long)d->value,
                (unsigned long long)public_defs[i].value, d->line);
    }
    for ( unsigned int i = 0; i < ds->n; i++ )
        if ( strcmp(ds->d[i].file, PUBLIC_H) == 0 )
            expected++;
    if ( expected != ARRAY_SIZE(public_defs) )
        BAD("%s: %u TRC_HW_MMIO_RO definitions, abi.h has %zu", PUBLIC_H,
            expected, ARRAY_SIZE(public_defs));
    /* Each word count must also be what sro_event_words() answers. */
    for ( unsigned int i = 0; i < ds->n; i++ )
    {
        const struct def *d = &ds->d[i];
        size_t n = strlen(d->name);
        char ev[64];
        const struct def *e;
        int max, min;

        if ( strcmp(d->file, PUBLIC_H) || n < 6 ||
             strcmp(d->name + n - 6, "_WORDS") )
            continue;
        snprintf(ev, sizeof(ev), "%.*s", (int)(n - 6), d->name);
        if ( !(e = find(ds, PUBLIC_H, ev)) )
        {
            BAD("%s: no event %s", d->name, ev);
            continue;
        }
        min = sro_event_words((uint32_t)e->value, &max);
        if ( min < 0 || (uint64_t)max != d->value )
            BAD("%s: patch %llu words, abi.h %d", d->name,
                (unsigned long long)d->value, max);
    }

    /* asm/mmio-ro-trace.h: paths, results, outcomes, reasons. */
    expected = 0;
    for ( unsigned int i = 0; i < ds->n; i++ )
    {
        const struct def *d = &ds->d[i];
        const char *n = d->name + 8;            /* after "MMIO_RO_" */
        int want;

        if ( strcmp(d->file, ARCH_H) )
            continue;
        expected++;
        if ( strncmp(n, "PATH_", 5) == 0 )
        {
            n += 5;
            want = strcmp(n, "PV") == 0 ? SRO_PATH_PV :
                   strcmp(n, "HVM_EMUL") == 0 ? SRO_PATH_HVM_420 :
                   strcmp(n, "HVM_HANDLER") == 0 ? SRO_PATH_HVM_421 : -1;
        }
        else if ( strncmp(n, "REASON_", 7) == 0 )
        {
            want = -1;
            for ( unsigned int r = 0; r < SRO_REASON_COUNT; r++ )
                if ( strcmp(sro_reason_name(r), n + 7) == 0 )
                    want = (int)r;
        }
        else if ( (want = sro_result_from_name(n)) < 0 )
            want = sro_outcome_from_name(n);
        if ( want < 0 )
            BAD("%s: no such code in abi.h (line %u)", d->name, d->line);
        else if ( d->value != (uint64_t)want )
            BAD("%s: patch %llu, abi.h %d (line %u)", d->name,
                (unsigned long long)d->value, want, d->line);
    }
    if ( expected != 3 + SRO_RESULT_COUNT + SRO_OUTCOME_COUNT +
                     SRO_REASON_COUNT )
        BAD("%s: %u codes, abi.h has %d", ARCH_H, expected,
            3 + SRO_RESULT_COUNT + SRO_OUTCOME_COUNT + SRO_REASON_COUNT);
#undef BAD
    return bad;
}

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    char *buf;
    long n;

    if ( !f )
        fail_msg("%s: cannot open", path);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    rewind(f);
    buf = malloc(n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static const char *srcdir(void)
{
    const char *s = getenv("SROTRACE_SRCDIR");

    return s && *s ? s : SROTRACE_SRCDIR;
}

/* Check every *.patch of xen-patches/<dir>; returns how many. */
static unsigned int check_dir(const char *dir, struct defs *ds)
{
    char path[1024];
    DIR *d;
    struct dirent *e;
    unsigned int n = 0;

    snprintf(path, sizeof(path), "%s/xen-patches/%s", srcdir(), dir);
    d = opendir(path);
    if ( !d )
        fail_msg("%s: cannot open the directory", path);
    while ( (e = readdir(d)) )
    {
        size_t len = strlen(e->d_name);
        char file[1300], msg[256];
        char *text;
        unsigned int bad;

        if ( len < 7 || strcmp(e->d_name + len - 6, ".patch") )
            continue;
        snprintf(file, sizeof(file), "%s/%s", path, e->d_name);
        text = slurp(file);
        collect(file, text, ds);
        free(text);
        if ( ds->n == 0 )
            continue;           /* a patch that adds no ABI */
        bad = compare(ds, msg, sizeof(msg));
        if ( bad )
            fail_msg("%s: %u difference(s) with core/abi.h; first: %s", file,
                     bad, msg);
        n++;
    }
    closedir(d);
    return n;
}

static void test_xen420_patch(void **state)
{
    static struct defs ds;

    (void)state;
    assert_int_equal(check_dir("xen-4.20", &ds), 1);
    assert_int_equal(find(&ds, PUBLIC_H, "TRC_HW_MMIO_RO_DONE")->value,
                     0x00804014);
}

static void test_master_patch(void **state)
{
    static struct defs ds;

    (void)state;
    assert_int_equal(check_dir("master", &ds), 1);
    assert_int_equal(find(&ds, ARCH_H, "MMIO_RO_PATH_HVM_HANDLER")->value,
                     3);
}

/* The comparison sees a changed id, a missing event and a new code. */
static void test_drift_is_caught(void **state)
{
    static struct defs ds;
    char path[1024], msg[256];
    char *text, *p;

    (void)state;
    snprintf(path, sizeof(path), "%s/xen-patches/master/"
             "0001-x86-trace-writes-to-read-only-MMIO-pages.patch", srcdir());
    text = slurp(path);

    collect("mutated", text, &ds);
    assert_int_equal(compare(&ds, msg, sizeof(msg)), 0);

    /* DONE moves to 0x15: its id differs, and its word count no longer
     * belongs to an event of abi.h. */
    p = strstr(text, "(TRC_HW_MMIO_RO + 0x14)");
    assert_non_null(p);
    p[strlen("(TRC_HW_MMIO_RO + 0x1")] = '5';
    collect("mutated", text, &ds);
    assert_int_equal(compare(&ds, msg, sizeof(msg)), 2);
    assert_non_null(strstr(msg, "TRC_HW_MMIO_RO_DONE: patch 0x804015, "
                                "abi.h 0x804014"));

    /* FAULT carries 6 words. */
    p[strlen("(TRC_HW_MMIO_RO + 0x1")] = '4';
    p = strstr(text, "TRC_HW_MMIO_RO_FAULT_WORDS        7");
    assert_non_null(p);
    p += strlen("TRC_HW_MMIO_RO_FAULT_WORDS        ");
    *p = '6';
    collect("mutated", text, &ds);
    assert_true(compare(&ds, msg, sizeof(msg)) >= 1);
    assert_non_null(strstr(msg, "TRC_HW_MMIO_RO_FAULT_WORDS: patch 0x6, "
                                "abi.h 0x7"));
    *p = '7';

    /* A result code that abi.h does not know. */
    p = strstr(text, "+#define MMIO_RO_DROPPED_MISALIGNED 5");
    assert_non_null(p);
    memcpy(p + 9, "MMIO_RO_DROPPED_MISFILED  ", 26);
    collect("mutated", text, &ds);
    assert_true(compare(&ds, msg, sizeof(msg)) >= 1);
    assert_non_null(strstr(msg, "MMIO_RO_DROPPED_MISFILED: no such code in "
                                "abi.h"));
    free(text);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_xen420_patch),
        cmocka_unit_test(test_master_patch),
        cmocka_unit_test(test_drift_is_caught),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

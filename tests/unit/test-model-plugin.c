/*
 * test-model-plugin.c - sro_model_find(): built-in models by name, the
 * example plugin examples/plugin/byte-exact.c as `make` built it
 * ($SROTRACE_BUILD/examples/byte-exact.so), and a clear error for every
 * way a plugin can be wrong (bad plugins are compiled here with cc from
 * the plugin headers, into a scratch directory).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "core/model.h"
#include "core/oracle.h"

static char scratch[4096];      /* a directory for bad plugins */

static const char *build_dir(void)
{
    const char *b = getenv("SROTRACE_BUILD");

    if ( !b || !b[0] )
        fail_msg("SROTRACE_BUILD is not set: run through tests/run-tests.sh");
    return b;
}

/* ---- the example plugin ---- */

static const struct sro_model *load_byte_exact(void)
{
    char path[4096], err[512];
    const struct sro_model *m;

    snprintf(path, sizeof(path), "%s/examples/byte-exact.so", build_dir());
    m = sro_model_find(path, err, sizeof(err));
    if ( !m )
        fail_msg("%s", err);
    return m;
}

/* A 64-bit HVM fault at page offset off of mfn; a plain store of width
 * bytes unless `string`. */
struct fault_case {
    struct sro_fault fault;
    struct sro_insn  insn;
};

static void make_fault(struct fault_case *fc, uint64_t mfn, unsigned int off,
                       unsigned int width, bool string)
{
    memset(fc, 0, sizeof(*fc));
    fc->fault.mfn = mfn;
    fc->fault.gpa = (mfn << SRO_PAGE_SHIFT) | off;
    fc->fault.path = SRO_PATH_HVM_421;
    fc->fault.gla_valid = true;
    fc->fault.code_size = SRO_CODE_64;
    fc->insn.valid = true;
    fc->insn.mode = 64;
    fc->insn.store = true;
    fc->insn.string = string;
    fc->insn.rep = string;
    fc->insn.width = (uint8_t)width;
}

static int predict(const struct sro_model *m, const struct sro_prot *p,
                   struct fault_case *fc, unsigned int reps,
                   struct sro_prediction *out, struct sro_page_prot *pp)
{
    struct sro_model_input in = { &fc->fault, &fc->insn, pp, reps };

    sro_prot_page(p, fc->fault.mfn, pp);
    memset(out, 0, sizeof(*out));
    return m->predict(m, &in, out);
}

/* Expect write i to be (off, len, result, dev). */
static void expect_write(const struct sro_prediction *pr, unsigned int i,
                         unsigned int off, unsigned int len,
                         unsigned int result)
{
    assert_true(i < pr->nwrites);
    if ( pr->writes[i].offset != off || pr->writes[i].len != len ||
         pr->writes[i].result != result ||
         pr->writes[i].dev_offset != off )
        fail_msg("write %u: got %#x+%u %s dev %#x, want %#x+%u %s", i,
                 pr->writes[i].offset, pr->writes[i].len,
                 sro_result_name(pr->writes[i].result),
                 pr->writes[i].dev_offset, off, len,
                 sro_result_name(result));
}

static void test_byte_exact_identity(void **state)
{
    const struct sro_model *m = load_byte_exact();

    (void)state;
    assert_string_equal(m->name, "byte-exact");
    assert_int_equal(m->abi_version, SRO_MODEL_ABI_VERSION);
    assert_non_null(m->summary);
    /* Loading again gives the same model. */
    assert_ptr_equal(load_byte_exact(), m);
}

static void test_byte_exact_predictions(void **state)
{
    const struct sro_model *m = load_byte_exact();
    struct sro_prot *p = sro_prot_new();
    struct sro_prediction pr;
    struct sro_page_prot pp;
    struct fault_case fc;

    (void)state;
    assert_int_equal(sro_prot_add(p, 0xfe100020, 64), 0);      /* 20..5f */
    assert_int_equal(sro_prot_add(p, 0xfe200000, 4096), 0);    /* whole */

    /* Writable: written whole, in place. */
    make_fault(&fc, 0xfe100, 0x8, 4, false);
    assert_int_equal(predict(m, p, &fc, 0, &pr, &pp), 0);
    assert_int_equal(pr.nwrites, 1);
    expect_write(&pr, 0, 0x8, 4, SRO_WRITTEN);
    assert_int_equal(pr.done.outcome, SRO_RETIRED);
    assert_int_equal(pr.done.reason, SRO_REASON_NONE);
    assert_int_equal(pr.done.nwrites, 1);
    assert_int_equal(pr.done.store_size, 4);
    assert_true(pr.writes[0].mfn == 0xfe100);

    /* A 16-byte store over the edge: split at the qword boundary. */
    make_fault(&fc, 0xfe100, 0x18, 16, false);
    assert_int_equal(predict(m, p, &fc, 0, &pr, &pp), 0);
    assert_int_equal(pr.nwrites, 2);
    expect_write(&pr, 0, 0x18, 8, SRO_WRITTEN);
    expect_write(&pr, 1, 0x20, 8, SRO_DROPPED_RO);
    assert_int_equal(pr.done.outcome, SRO_RETIRED);

    /* Unaligned 4 bytes straddling two qwords, the second read-only. */
    make_fault(&fc, 0xfe100, 0x1e, 4, false);
    assert_int_equal(predict(m, p, &fc, 0, &pr, &pp), 0);
    assert_int_equal(pr.nwrites, 2);
    expect_write(&pr, 0, 0x1e, 2, SRO_WRITTEN);
    expect_write(&pr, 1, 0x20, 2, SRO_DROPPED_RO);

    /* Wholly read-only: dropped qword by qword, the guest retires. */
    make_fault(&fc, 0xfe100, 0x20, 16, false);
    assert_int_equal(predict(m, p, &fc, 0, &pr, &pp), 0);
    assert_int_equal(pr.nwrites, 2);
    expect_write(&pr, 0, 0x20, 8, SRO_DROPPED_RO);
    expect_write(&pr, 1, 0x28, 8, SRO_DROPPED_RO);
    assert_int_equal(pr.done.outcome, SRO_RETIRED);

    /* A page without an entry. */
    make_fault(&fc, 0xfe200, 0x100, 4, false);
    assert_int_equal(predict(m, p, &fc, 0, &pr, &pp), 0);
    assert_int_equal(pr.nwrites, 1);
    expect_write(&pr, 0, 0x100, 4, SRO_DROPPED_NO_ENTRY);

    /* Byte holes: runs of bytes inside a qword. */
    assert_int_equal(sro_prot_add_hole(p, 0xfe100024, 2), 0);
    make_fault(&fc, 0xfe100, 0x20, 8, false);
    assert_int_equal(predict(m, p, &fc, 0, &pr, &pp), 0);
    assert_int_equal(pr.nwrites, 3);
    expect_write(&pr, 0, 0x20, 4, SRO_DROPPED_RO);
    expect_write(&pr, 1, 0x24, 2, SRO_WRITTEN);
    expect_write(&pr, 2, 0x26, 2, SRO_DROPPED_RO);

    /* rep stosd, 3 iterations from 0x18: two written, one dropped. */
    make_fault(&fc, 0xfe100, 0x18, 4, true);
    assert_int_equal(predict(m, p, &fc, 3, &pr, &pp), 0);
    assert_int_equal(pr.nwrites, 3);
    expect_write(&pr, 0, 0x18, 4, SRO_WRITTEN);
    expect_write(&pr, 1, 0x1c, 4, SRO_WRITTEN);
    expect_write(&pr, 2, 0x20, 4, SRO_DROPPED_RO);
    assert_int_equal(pr.done.outcome, SRO_RETIRED);

    /* rep stosb, 100 iterations: the first 64 fit, the rest retry. */
    make_fault(&fc, 0xfe100, 0x100, 1, true);
    assert_int_equal(predict(m, p, &fc, 100, &pr, &pp), 0);
    assert_int_equal(pr.nwrites, SRO_PRED_MAX_WRITES);
    expect_write(&pr, 63, 0x100 + 63, 1, SRO_WRITTEN);
    assert_int_equal(pr.done.outcome, SRO_RETRY);

    /* rep stosd running off the page: stops at the page's end. */
    make_fault(&fc, 0xfe100, 0xff8, 4, true);
    assert_int_equal(predict(m, p, &fc, 5, &pr, &pp), 0);
    assert_int_equal(pr.nwrites, 2);
    assert_int_equal(pr.done.outcome, SRO_RETRY);

    /* Cannot say: not decoded, not a store, unknown page. */
    make_fault(&fc, 0xfe100, 0x8, 4, false);
    fc.insn.valid = false;
    assert_int_equal(predict(m, p, &fc, 0, &pr, &pp), -1);
    make_fault(&fc, 0xfe100, 0x8, 4, false);
    fc.insn.store = false;
    assert_int_equal(predict(m, p, &fc, 0, &pr, &pp), -1);
    make_fault(&fc, 0xfe999, 0x8, 4, false);
    assert_int_equal(predict(m, p, &fc, 0, &pr, &pp), -1);
    sro_prot_free(p);
}

/* What the plugin promises: CORRECT for every decidable fault, on random
 * configurations with byte holes (fixed seed). */
static void test_byte_exact_always_correct(void **state)
{
    const struct sro_model *m = load_byte_exact();
    struct sro_prot *p = sro_prot_new();
    uint64_t x = 12345;
    unsigned int judged = 0;

    (void)state;
    for ( unsigned int cfg = 0; cfg < 200; cfg++ )
    {
        sro_prot_reset(p);
        for ( unsigned int k = 0; k < 4; k++ )
        {
            x = x * 6364136223846793005u + 1442695040888963407u;
            /* Pages 0xfe100 and 0xfe101 */
            sro_prot_add(p, 0xfe100000 + ((x >> 20) % 1024) * 8,
                         8 * ((x >> 40) % 80));
            if ( (x >> 61) == 0 )
                sro_prot_add_hole(p, 0xfe100000 + ((x >> 8) % 8192),
                                  1 + (x >> 50) % 12);
        }
        for ( unsigned int k = 0; k < 200; k++ )
        {
            struct fault_case fc;
            struct sro_prediction pr;
            struct sro_page_prot pp;
            struct sro_judgement j;
            struct sro_judge_input in;
            static const unsigned int widths[] = { 1, 2, 4, 8, 16, 32, 64 };

            x = x * 6364136223846793005u + 1442695040888963407u;
            make_fault(&fc, 0xfe100 + (x >> 63), (x >> 20) % 4096,
                       widths[(x >> 40) % 7], ((x >> 50) & 7) == 0);
            if ( predict(m, p, &fc, 1 + (x >> 8) % 5, &pr, &pp) )
                continue;
            in = (struct sro_judge_input){
                .fault = &fc.fault, .insn = &fc.insn, .page = &pp,
                .complete = true, .writes = pr.writes,
                .nwrites = pr.nwrites, .done = &pr.done,
            };
            if ( sro_oracle_judge(&in, &j) != SRO_V_CORRECT )
                fail_msg("config %u store %u at %#x: %s (%s)", cfg,
                         fc.insn.width, (unsigned int)(fc.fault.gpa & 0xfff),
                         sro_verdict_name(j.verdict), j.why);
            judged++;
        }
    }
    assert_true(judged > 10000);
    sro_prot_free(p);
}

/* ---- built-in models ---- */

static void test_builtin_lookup(void **state)
{
    char err[512];
    unsigned int n = 0;

    (void)state;
    for ( ; sro_builtin_models[n]; n++ )
    {
        const struct sro_model *b = sro_builtin_models[n];

        assert_ptr_equal(sro_model_find(b->name, err, sizeof(err)), b);
        assert_int_equal(b->abi_version, SRO_MODEL_ABI_VERSION);
        assert_non_null(b->predict);
        assert_true(b->summary && b->summary[0]);
        assert_null(strchr(b->name, '/'));
    }
    assert_true(n >= 3);
    assert_non_null(sro_model_find("xen-4.20.0", err, sizeof(err)));
    assert_non_null(sro_model_find("xen-4.20.1", err, sizeof(err)));
    assert_non_null(sro_model_find("xen-4.21", err, sizeof(err)));

    assert_null(sro_model_find("xen-9.9", err, sizeof(err)));
    assert_string_equal(err, "no built-in model named 'xen-9.9' (`srotrace "
                        "models` lists them)");
    assert_null(sro_model_find("mine.so", err, sizeof(err)));
    assert_string_equal(err, "no built-in model named 'mine.so': a "
                        "plugin's path must contain a '/', as in ./mine.so");
    assert_null(sro_model_find("", err, sizeof(err)));
    assert_string_equal(err, "no model name given");
    assert_null(sro_model_find(NULL, NULL, 0));
}

/* ---- bad plugins ---- */

/* Source of a plugin that goes wrong in way VARIANT. */
static const char bad_src[] =
    "#include \"core/model.h\"\n"
    "__attribute__((unused))\n"
    "static int predict(const struct sro_model *m,\n"
    "                   const struct sro_model_input *in,\n"
    "                   struct sro_prediction *out)\n"
    "{ (void)m; (void)in; (void)out; return -1; }\n"
    "__attribute__((unused))\n"
    "static const struct sro_model model = {\n"
    "#if VARIANT == 3\n"
    "    .abi_version = 99,\n"
    "#else\n"
    "    .abi_version = SRO_MODEL_ABI_VERSION,\n"
    "#endif\n"
    "#if VARIANT == 5\n"
    "    .name = \"\",\n"
    "#else\n"
    "    .name = \"bad\",\n"
    "#endif\n"
    "#if VARIANT != 4\n"
    "    .predict = predict,\n"
    "#endif\n"
    "};\n"
    "#if VARIANT == 1\n"
    "const struct sro_model *some_other_name(unsigned int v);\n"
    "const struct sro_model *some_other_name(unsigned int v)\n"
    "#else\n"
    "sro_model_plugin_fn sro_model_plugin;\n"
    "const struct sro_model *sro_model_plugin(unsigned int v)\n"
    "#endif\n"
    "{\n"
    "#if VARIANT == 2\n"
    "    (void)v; return NULL;\n"
    "#else\n"
    "    (void)v; return &model;\n"
    "#endif\n"
    "}\n";

/* Build variant v into scratch/bad<v>.so; returns its path (static). */
static const char *build_bad(int v)
{
    static char path[4096 + 16];
    char src[4096 + 16], cmd[3 * 4096];
    const char *cc = getenv("CC");
    const char *top = getenv("SROTRACE_SRCDIR");
    FILE *f;

    snprintf(src, sizeof(src), "%s/bad.c", scratch);
    f = fopen(src, "w");
    assert_non_null(f);
    fputs(bad_src, f);
    fclose(f);
    snprintf(path, sizeof(path), "%s/bad%d.so", scratch, v);
    snprintf(cmd, sizeof(cmd), "%s -std=c11 -Wall -Werror -fPIC -shared "
             "-DVARIANT=%d -I'%s' -o '%s' '%s'", cc && cc[0] ? cc : "cc", v,
             top && top[0] ? top : ".", path, src);
    if ( system(cmd) != 0 )
        fail_msg("could not build a test plugin: %s", cmd);
    return path;
}

static int setup_scratch(void **state)
{
    const char *t = getenv("TEST_TMPDIR");

    (void)state;
    snprintf(scratch, sizeof(scratch), "%s/test-model-plugin.XXXXXX",
             t && t[0] ? t : "/tmp");
    return mkdtemp(scratch) ? 0 : -1;
}

static int teardown_scratch(void **state)
{
    char cmd[4096 + 16];

    (void)state;
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", scratch);
    return system(cmd) == 0 ? 0 : -1;
}

/* err must start with path and contain `what`. */
static void expect_err(const char *path, const char *what)
{
    char err[1024];

    assert_null(sro_model_find(path, err, sizeof(err)));
    if ( strncmp(err, path, strlen(path)) != 0 || !strstr(err, what) )
        fail_msg("message '%s' lacks '%s: ... %s'", err, path, what);
}

static void test_bad_plugins(void **state)
{
    char path[4096 + 32];
    FILE *f;
    const char *good;

    (void)state;
    /* Missing file. */
    snprintf(path, sizeof(path), "%s/missing.so", scratch);
    expect_err(path, "cannot load model plugin: No such file or directory");
    /* A directory. */
    expect_err(scratch, "cannot load model plugin: not a regular file");
    /* Not a shared object: a text file. */
    snprintf(path, sizeof(path), "%s/text.so", scratch);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("this is not an ELF file\n", f);
    fclose(f);
    expect_err(path, "not a loadable shared object: ");
    /* The symbol missing. */
    expect_err(build_bad(1), "no symbol sro_model_plugin(): not a srotrace "
               "model plugin");
    /* NULL returned. */
    expect_err(build_bad(2), "sro_model_plugin() returned no model for "
               "model ABI version 1");
    /* ABI mismatch. */
    expect_err(build_bad(3), "built for model ABI version 99, this srotrace "
               "speaks version 1: rebuild it");
    /* No predict, no name. */
    expect_err(build_bad(4), "its model has no predict function");
    expect_err(build_bad(5), "its model has no name");
    /* A well-formed one built the same way loads (the harness is right). */
    good = build_bad(0);
    {
        char err[512];
        const struct sro_model *m = sro_model_find(good, err, sizeof(err));

        if ( !m )
            fail_msg("%s", err);
        assert_string_equal(m->name, "bad");
    }
    /* err may be NULL or short. */
    assert_null(sro_model_find(build_bad(3), NULL, 0));
    {
        char small[8];

        assert_null(sro_model_find(path, small, sizeof(small)));
        assert_int_equal(strlen(small), sizeof(small) - 1);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_byte_exact_identity),
        cmocka_unit_test(test_byte_exact_predictions),
        cmocka_unit_test(test_byte_exact_always_correct),
        cmocka_unit_test(test_builtin_lookup),
        cmocka_unit_test_setup_teardown(test_bad_plugins, setup_scratch,
                                        teardown_scratch),
    };

    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * test-synth.c - the synthesizer (synth/): scenario parser, encoder,
 * deviations, mirror and engine.
 *
 * Covers: every parser error names its file and line; a parsed scenario
 * has the values its lines say; the scenario search path; every kind the
 * encoder knows decodes back (core/decode.c) to the same kind, width and
 * length, for several operand forms and every mode it exists in, and a
 * few encodings are checked byte for byte; a group split into records
 * gives the very bytes sro_write_group() writes; the mirror follows
 * section 3.2 (lost, new fault, count mismatch, eof, orphans, strays);
 * each deviation changes exactly what it says, both on one group and over
 * a whole synthesized trace, record by record; output is a function of
 * the seed; and what trace/reader.c + trace/assemble.c find in a
 * synthesized trace (lost runs, records of other classes, deviations, a
 * cut-off tail, a late configuration snapshot) is exactly what the
 * engine's mirror predicted, group by group.
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

#include "core/decode.h"
#include "core/model.h"
#include "synth/encode.h"
#include "synth/engine.h"
#include "synth/inject.h"
#include "synth/mirror.h"
#include "synth/records.h"
#include "synth/scenario.h"
#include "trace/assemble.h"
#include "trace/reader.h"
#include "trace/writer.h"

/* ---- helpers ---- */

static struct sro_scenario *parse_ok(const char *text)
{
    struct sro_scenario *s = NULL;
    char err[512] = "";
    int rc = sro_scenario_parse(text, strlen(text), "t.scn", &s, err,
                                sizeof(err));

    if ( rc != 0 )
        fail_msg("unexpected parse error: %s", err);
    return s;
}

/* A scenario for the engine tests: one PV dom0 page with a protected
 * 64-byte block and one HVM domU page, stores of every shape that the
 * models handle differently. */
static const char *const engine_scn =
    "scenario t\n"
    "cpus 3\n"
    "protect 0xfe100040 64\n"
    "protect 0xfe200ff8 8\n"
    "guest dom0 domain=0 pv hwdom vcpus=3\n"
    "guest vm domain=2 hvm gla vcpus=2\n"
    "page p mfn=0xfe100 guest=dom0\n"
    "page q mfn=0xfe200 guest=vm gfn=0x1200\n"
    "reg p A 0x000 4\n"
    "reg p B 0x040 8\n"
    "store p A mov_m32_r32 weight=5 value=seq:1:1\n"
    "store p A+4 mov_m32_r32 weight=3 value=random\n"
    "store p B mov_m64_r64 weight=3 value=random\n"
    "store p 0x78 mov_m64_r64 weight=2 value=0x1122334455667788\n"
    "store p 0x3c mov_m64_r64 weight=1 value=random\n"
    "store p A or_m32_r32 weight=1 value=0x10\n"
    "store q 0x100 mov_m32_imm weight=5 value=0x42\n"
    "store q 0x200 movups_m128 weight=3 value=random\n"
    "store q 0xfe0 vmovdqu_m256 weight=1 value=random\n"
    "store q 0x300 rep_movsd_m32 weight=2 value=seq:0x100:4 reps=6\n"
    "store q 0xff8 mov_m64_r64 weight=1 value=random\n";

struct run {
    char      *trace;           /* bytes of the trace */
    size_t     trace_len;
    char      *expect;          /* the expect file */
    size_t     expect_len;
    struct sro_synth_result res;
    int        rc;
    char       err[512];
};

/* Slurp a stream from its start. */
static char *slurp(FILE *f, size_t *len)
{
    long n;
    char *p;

    fflush(f);
    fseek(f, 0, SEEK_END);
    n = ftell(f);
    assert_true(n >= 0);
    p = malloc((size_t)n + 1);
    assert_non_null(p);
    rewind(f);
    assert_int_equal(fread(p, 1, (size_t)n, f), (size_t)n);
    p[n] = '\0';
    *len = (size_t)n;
    return p;
}

/* Synthesize text with opts tweaked by the caller (scn, model, out and
 * expect are filled here). */
static void synth(const char *text, struct sro_synth_opts *o,
                  struct run *r)
{
    struct sro_scenario *s = parse_ok(text);
    char err[256];
    FILE *out = tmpfile(), *exp = tmpfile();

    assert_non_null(out);
    assert_non_null(exp);
    if ( !o->model )
        o->model = sro_model_find("xen-4.21", err, sizeof(err));
    assert_non_null(o->model);
    if ( !o->cpus )
        o->cpus = s->cpus;
    o->scn = s;
    o->out = out;
    o->expect = exp;
    memset(r, 0, sizeof(*r));
    r->rc = sro_synth_run(o, &r->res, r->err, sizeof(r->err));
    r->trace = slurp(out, &r->trace_len);
    r->expect = slurp(exp, &r->expect_len);
    fclose(out);
    fclose(exp);
    sro_scenario_free(s);
}

static void run_free(struct run *r)
{
    free(r->trace);
    free(r->expect);
}

/* ---- the parser ---- */

static void test_parse_values(void **state)
{
    struct sro_scenario *s;

    (void)state;
    s = parse_ok(engine_scn);
    assert_string_equal(s->name, "t");
    assert_int_equal(s->cpus, 3);
    assert_int_equal(s->groups, 2000);          /* defaults */
    assert_int_equal(s->seed, 1);
    assert_int_equal(s->nprotects, 2);
    assert_int_equal(s->protects[0].start, 0xfe100040);
    assert_int_equal(s->protects[0].size, 64);
    assert_int_equal(s->protects[0].line, 3);
    assert_int_equal(s->nguests, 2);
    assert_true(s->guests[0].hwdom);
    assert_true(s->guests[0].gla_valid);
    assert_int_equal(s->guests[0].type, SRO_SCN_PV);
    assert_int_equal(s->guests[0].code_size, SRO_CODE_64);
    assert_int_equal(s->guests[1].domain, 2);
    assert_int_equal(s->guests[1].type, SRO_SCN_HVM);
    assert_int_equal(s->pages[1].gfn, 0x1200);
    assert_int_equal(s->pages[0].gfn, 0xfe100);  /* default: the mfn */
    assert_int_equal(s->pages[0].va & 0xfff, 0);
    assert_int_equal(s->nstores, 11);
    assert_int_equal(s->stores[1].offset, 4);    /* A+4 */
    assert_int_equal(s->stores[1].reg, 0);
    assert_string_equal(s->stores[1].target, "A+4");
    assert_int_equal(s->stores[3].reg, -1);      /* a bare offset */
    assert_int_equal(s->stores[3].value.kind, SRO_SCN_CONST);
    assert_int_equal(s->stores[3].value.a, 0x1122334455667788ull);
    assert_int_equal(s->stores[0].value.kind, SRO_SCN_SEQ);
    assert_int_equal(s->stores[0].weight, 5);
    assert_int_equal(s->stores[9].reps, 6);
    assert_int_equal(s->stores[9].value.b, 4);
    assert_string_equal(s->stores[7].kind->name, "movups_m128");
    assert_int_equal(s->stores[10].line, 21);
    assert_int_equal(sro_scenario_reg_at(s, 0, 0x43), 1);
    assert_int_equal(sro_scenario_reg_at(s, 0, 0x48), -1);
    sro_scenario_free(s);
}

static const struct parse_error {
    const char *text;
    const char *msg;            /* the whole message */
} parse_errors[] = {
    { "protect 0 8\n",
      "t.scn:1: a scenario starts with 'scenario NAME'" },
    { "# only a comment\n\n",
      "t.scn:3: empty scenario: it starts with 'scenario NAME'" },
    { "scenario a\nscenario b\n", "t.scn:2: a second 'scenario' line" },
    { "scenario a\nguest g domain=1 hvm\n",
      "t.scn:3: scenario 'a' has no 'store' line: nothing would fault" },
    { "scenario a\n\nfrobnicate 1\n", "t.scn:3: unknown keyword 'frobnicate'" },
    { "scenario a\ncpus 0\n", "t.scn:2: cpus: 0 is not in 1..4096" },
    { "scenario a\ncpus many\n", "t.scn:2: cpus: 'many' is not a number" },
    { "scenario a\nnoise -1\n",
      "t.scn:2: noise: '-1' is not a number in [0, 64]" },
    { "scenario a\nprotect 0x1000\n", "t.scn:2: usage: protect START SIZE" },
    { "scenario a\nro-pages 9 8\n", "t.scn:2: ro-pages: bad run 0x9..0x8" },
    { "scenario a\nguest g domain=1\n", "t.scn:2: guest 'g': say pv or hvm" },
    { "scenario a\nguest g hvm\n",
      "t.scn:2: guest 'g': domain=ID is required" },
    { "scenario a\nguest g domain=1 hvm wobbly\n",
      "t.scn:2: guest: unknown flag 'wobbly' (usage: guest NAME domain=ID "
      "pv|hvm [hwdom] [gla|no-gla] [code=16|32|64] [vcpus=N] [path=P])" },
    { "scenario a\nguest g domain=0 pv hwdom no-gla\n",
      "t.scn:2: guest 'g': a PV fault always has its linear address (CR2); "
      "no-gla is for HVM" },
    { "scenario a\nguest g domain=3 pv\n",
      "t.scn:2: guest 'g': a PV guest's writes reach Xen's read-only MMIO "
      "emulation only from the hardware domain (pv_ro_page_fault); say "
      "hwdom, or make it hvm" },
    { "scenario a\nguest g domain=1 hvm path=pv\n",
      "t.scn:2: guest 'g': path=pv does not fit a HVM guest" },
    { "scenario a\nguest g domain=1 hvm code=8\n",
      "t.scn:2: code=8: use 16, 32 or 64" },
    { "scenario a\nguest g domain=1 hvm\nguest g domain=2 hvm\n",
      "t.scn:3: guest 'g' is already defined" },
    { "scenario a\nguest g domain=1 hvm\nguest h domain=1 hvm\n",
      "t.scn:3: guest 'h': domain 1 is already guest 'g'" },
    { "scenario a\npage p mfn=1 guest=nobody\n",
      "t.scn:2: page 'p': no guest 'nobody' defined above" },
    { "scenario a\nguest g domain=1 hvm\npage p guest=g va=0x1234\n",
      "t.scn:3: va=0x1234: not page-aligned" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=0x1000000000000 "
      "guest=g\n", "t.scn:3: mfn=0x1000000000000: the trace carries 48 bits" },
    { "scenario a\nguest g domain=1 hvm code=32\npage p mfn=1 guest=g "
      "va=0x100000000\n", "t.scn:3: page 'p': va does not fit 32-bit code" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "reg p R 0xffe 4\n",
      "t.scn:4: reg R: 0xffe + 4 bytes runs past the page" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "reg p R 0 3\n",
      "t.scn:4: reg R: width 3 is not 1, 2, 4, 8, 16, 32 or 64" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p X mov_m32_r32\n", "t.scn:4: store: no register 'X' on page 'p'" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store q 0 mov_m32_r32\n", "t.scn:4: store: no page 'q' defined above" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0 mov_m24_r24\n",
      "t.scn:4: store: unknown instruction kind 'mov_m24_r24' (the kinds are "
      "listed in docs/scenarios.md)" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0xffc mov_m64_r64\n",
      "t.scn:4: store: 0xffc + 8 bytes runs past the end of the page" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0xf00 rep_movsd_m32 reps=128\n",
      "t.scn:4: store: 0xf00 + 512 bytes runs past the end of the page" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0 mov_m32_r32 reps=2\n",
      "t.scn:4: store: reps= is for rep string kinds (rep_movsd_m32, ...), not "
      "mov_m32_r32" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0 mov_m32_imm value=random\n",
      "t.scn:4: store: mov_m32_imm encodes its value in the instruction: "
      "value= must be a constant" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0 mov_m16_r16 value=0x10000\n",
      "t.scn:4: store: value 0x10000 does not fit a 2-byte store" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0 mov_m64_imm value=0x80000000\n",
      "t.scn:4: store: mov_m64_imm: immediate 0x80000000 is not a "
      "sign-extended 32-bit value (guest 'g')" },
    { "scenario a\nguest g domain=1 hvm code=32\npage p mfn=1 guest=g\n"
      "store p 0 mov_m64_r64\n",
      "t.scn:4: store: mov_m64_r64 cannot be encoded in 32-bit code "
      "(guest 'g')" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0 mov_m32_r32 vcpu=1\n",
      "t.scn:4: store: vcpu=1 but guest 'g' has 1 vcpus" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0 mov_m32_r32 value=seq:x\n",
      "t.scn:4: value start: 'x' is not a number" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "store p 0 mov_m32_r32 colour=red\n",
      "t.scn:4: store: unknown option 'colour' (usage: store PAGE TARGET "
      "KIND [weight=W] [value=V] [reps=N] [vcpu=N] [rip=ADDR])" },
    { "scenario a\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
      "reg p R 8\nstore p R-9 mov_m32_r32\n",
      "t.scn:5: store: R-9 runs off the page" },
};

static void test_parse_errors(void **state)
{
    (void)state;
    for ( size_t i = 0; i < sizeof(parse_errors) / sizeof(parse_errors[0]);
          i++ )
    {
        const struct parse_error *pe = &parse_errors[i];
        struct sro_scenario *s = (void *)1;
        char err[512] = "";

        if ( sro_scenario_parse(pe->text, strlen(pe->text), "t.scn", &s,
                                err, sizeof(err)) != -1 )
            fail_msg("case %zu parsed: %s", i, pe->text);
        assert_null(s);
        if ( strcmp(err, pe->msg) != 0 )
            fail_msg("case %zu:\n got: %s\nwant: %s", i, err, pe->msg);
    }
}

static void test_parse_file(void **state)
{
    char dir[] = "/tmp/test-synth.XXXXXX", path[256], err[512];
    struct sro_scenario *s;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(path, sizeof(path), "%s/missing.scn", dir);
    assert_int_equal(sro_scenario_load(path, &s, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "missing.scn: No such file or directory"));

    /* Lookup by name under $SROTRACE_DATADIR/examples/scenarios. */
    snprintf(path, sizeof(path), "%s/examples", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/examples/scenarios", dir);
    assert_int_equal(mkdir(path, 0700), 0);
    snprintf(path, sizeof(path), "%s/examples/scenarios/mine.scn", dir);
    f = fopen(path, "w");
    assert_non_null(f);
    fputs("scenario mine\nguest g domain=1 hvm\npage p mfn=1 guest=g\n"
          "store p 0 mov_m32_r32\nstore p 4 frob\n", f);
    fclose(f);
    setenv("SROTRACE_DATADIR", dir, 1);
    assert_int_equal(sro_scenario_locate("mine", path, sizeof(path), err,
                                         sizeof(err)), 0);
    assert_non_null(strstr(path, "/examples/scenarios/mine.scn"));
    assert_int_equal(sro_scenario_load(path, &s, err, sizeof(err)), -1);
    assert_non_null(strstr(err, "mine.scn:5: store: unknown instruction "
                                "kind 'frob'"));
    assert_int_equal(sro_scenario_locate("nothere", path, sizeof(path),
                                         err, sizeof(err)), -1);
    assert_non_null(strstr(err, "no scenario 'nothere'"));
    assert_int_equal(sro_scenario_locate("a b", path, sizeof(path), err,
                                         sizeof(err)), -1);
    assert_string_equal(err, "'a b' is not a scenario name or path");
    /* A path is taken as it is. */
    assert_int_equal(sro_scenario_locate("./x.scn", path, sizeof(path), err,
                                         sizeof(err)), 0);
    assert_string_equal(path, "./x.scn");
    /* The shipped scenarios are found through the source tree. */
    unsetenv("SROTRACE_DATADIR");
    assert_int_equal(sro_scenario_locate("xhci-dbc", path, sizeof(path),
                                         err, sizeof(err)), 0);
    assert_int_equal(sro_scenario_load(path, &s, err, sizeof(err)), 0);
    assert_string_equal(s->name, "xhci-dbc");
    sro_scenario_free(s);

    snprintf(path, sizeof(path), "%s/examples/scenarios/mine.scn", dir);
    unlink(path);
    snprintf(path, sizeof(path), "%s/examples/scenarios", dir);
    rmdir(path);
    snprintf(path, sizeof(path), "%s/examples", dir);
    rmdir(path);
    rmdir(dir);
}

/* ---- the encoder ---- */

static unsigned int modes_of(const struct sro_enc_kind *k, unsigned int *m)
{
    unsigned int n = 0;

    if ( k->modes & SRO_ENC_MODE16 )
        m[n++] = 16;
    if ( k->modes & SRO_ENC_MODE32 )
        m[n++] = 32;
    if ( k->modes & SRO_ENC_MODE64 )
        m[n++] = 64;
    return n;
}

static void test_encode_round_trip(void **state)
{
    static const struct sro_enc_operands forms[] = {
        { .base = 0, .src = 0, .disp = 0,     .imm = 0x12 },
        { .base = 1, .src = 2, .disp = 0x7f,  .imm = 0x7f },
        { .base = 2, .src = 7, .disp = -8,    .imm = 0x1 },
        { .base = 7, .src = 3, .disp = 0x480, .imm = 0x0 },
        { .base = 6, .src = 12, .disp = 0xff8, .imm = 0x5 },
    };
    struct sro_decoder *d = sro_decoder_new(0);
    unsigned int nk, checked = 0;
    const struct sro_enc_kind *kinds = sro_enc_kinds(&nk);

    (void)state;
    assert_non_null(d);
    assert_true(nk >= 40);
    for ( unsigned int i = 0; i < nk; i++ )
    {
        const struct sro_enc_kind *k = &kinds[i];
        unsigned int modes[3], nm = modes_of(k, modes);

        assert_ptr_equal(sro_enc_kind(k->name), k);
        for ( unsigned int m = 0; m < nm; m++ )
            for ( unsigned int f = 0; f < sizeof(forms) / sizeof(forms[0]);
                  f++ )
            {
                struct sro_enc_operands ops = forms[f];
                struct sro_insn insn;
                uint8_t bytes[15];
                char err[128];
                int n;

                if ( modes[m] != 64 && ops.src > 7 )
                    continue;
                if ( modes[m] == 16 )
                    ops.base %= 3;
                n = sro_encode(k, modes[m], &ops, bytes, err, sizeof(err));
                if ( n <= 0 )
                    fail_msg("%s, %u-bit, form %u: %s", k->name, modes[m], f,
                             err);
                if ( sro_decode(d, bytes, (size_t)n, modes[m], &insn) != 0 )
                    fail_msg("%s, %u-bit, form %u: does not decode: %s",
                             k->name, modes[m], f, insn.text);
                if ( strcmp(insn.kind, k->name) != 0 ||
                     insn.width != k->width || insn.length != n ||
                     !insn.store || insn.rmw != k->rmw ||
                     (k->rep && !insn.rep) ||
                     (k->form == SRO_ENC_STRING) != insn.string )
                    fail_msg("%s, %u-bit, form %u: decoded as %s (%s), "
                             "width %u, length %u of %d, store %d, rmw %d, "
                             "rep %d, string %d", k->name, modes[m], f,
                             insn.kind, insn.text, insn.width, insn.length,
                             n, insn.store, insn.rmw, insn.rep, insn.string);
                checked++;
            }
    }
    assert_true(checked > 150);
    sro_decoder_free(d);
}

static void expect_bytes(const char *kind, unsigned int mode,
                         unsigned int base, unsigned int src, int32_t disp,
                         uint64_t imm, const char *hex)
{
    struct sro_enc_operands ops = { .base = base, .src = src, .disp = disp,
                                    .imm = imm };
    uint8_t b[15];
    char err[128], got[64] = "";
    int n = sro_encode(sro_enc_kind(kind), mode, &ops, b, err, sizeof(err));

    assert_true(n > 0);
    for ( int i = 0; i < n; i++ )
        sprintf(got + 3 * i, "%02x ", b[i]);
    got[3 * n - 1] = '\0';
    if ( strcmp(got, hex) != 0 )
        fail_msg("%s %u-bit: got %s, want %s", kind, mode, got, hex);
}

static void test_encode_bytes(void **state)
{
    struct sro_enc_operands ops = { 0 };
    uint8_t b[15];
    char err[128];

    (void)state;
    expect_bytes("mov_m32_r32", 64, 7, 0, 0, 0, "89 07");
    expect_bytes("mov_m32_r32", 64, 0, 2, 0x480, 0, "89 90 80 04 00 00");
    expect_bytes("mov_m64_r64", 64, 3, 1, 0x38, 0, "48 89 4b 38");
    expect_bytes("mov_m64_r64", 64, 7, 9, 0, 0, "4c 89 0f");
    expect_bytes("mov_m16_r16", 64, 7, 0, 0, 0, "66 89 07");
    expect_bytes("mov_m32_r32", 16, 0, 0, 0, 0, "66 89 07");
    expect_bytes("mov_m16_imm", 16, 2, 0, 4, 0x1234, "c7 45 04 34 12");
    expect_bytes("mov_m32_imm", 64, 7, 0, 0x100, 0x42,
                 "c7 87 00 01 00 00 42 00 00 00");
    expect_bytes("mov_m64_imm", 64, 7, 0, 0, 0xffffffffffffff80ull,
                 "48 c7 07 80 ff ff ff");
    expect_bytes("or_m32_imm", 64, 0, 0, 0x80, 4,
                 "81 88 80 00 00 00 04 00 00 00");
    expect_bytes("movups_m128", 64, 7, 0, 0, 0, "0f 11 07");
    expect_bytes("movdqa_m128", 32, 7, 1, 0x10, 0, "66 0f 7f 4f 10");
    expect_bytes("vmovdqu_m256", 64, 7, 0, 0, 0, "c5 fe 7f 07");
    expect_bytes("vmovdqu_m256", 64, 7, 9, 0, 0, "c5 7e 7f 0f");
    expect_bytes("rep_movsd_m32", 64, 0, 0, 0, 0, "f3 a5");
    expect_bytes("rep_movsw_m16", 32, 0, 0, 0, 0, "f3 66 a5");
    expect_bytes("rep_movsd_m32", 16, 0, 0, 0, 0, "f3 66 a5");
    expect_bytes("rep_stosq_m64", 64, 0, 0, 0, 0, "f3 48 ab");

    assert_int_equal(sro_encode(sro_enc_kind("mov_m64_r64"), 32, &ops, b,
                                err, sizeof(err)), -1);
    assert_string_equal(err, "mov_m64_r64 cannot be encoded in 32-bit code");
    ops.base = 4;
    assert_int_equal(sro_encode(sro_enc_kind("mov_m32_r32"), 64, &ops, b,
                                err, sizeof(err)), -1);
    ops.base = 0;
    ops.src = 8;
    assert_int_equal(sro_encode(sro_enc_kind("mov_m32_r32"), 32, &ops, b,
                                err, sizeof(err)), -1);
    assert_null(sro_enc_kind("mov_m24_r24"));
}

/* ---- records, mirror, deviations on single groups ---- */

static void sample_group(struct sro_synth_group *g)
{
    memset(g, 0, sizeof(*g));
    g->fault.cpu = 0;
    g->fault.tsc = 1000;
    g->fault.domain = 3;
    g->fault.vcpu = 1;
    g->fault.path = SRO_PATH_HVM_421;
    g->fault.gla_valid = true;
    g->fault.code_size = SRO_CODE_64;
    g->fault.gla = 0xffffc90000000038ull;
    g->fault.gpa = 0xe0000038ull;
    g->fault.mfn = 0xfe100;
    g->fault.has_insn = true;
    g->fault.insn_len = 3;
    memcpy(g->fault.insn, "\x0f\x11\x07", 3);
    g->fault.rip = 0xffffffff81000000ull;
    g->pred.nwrites = 3;
    for ( unsigned int i = 0; i < 3; i++ )
    {
        struct sro_write *w = &g->pred.writes[i];

        w->mfn = 0xfe100;
        w->offset = (uint16_t)(0x38 + 8 * i);
        w->len = 8;
        w->result = i == 1 ? SRO_DROPPED_RO : SRO_WRITTEN;
        w->dev_offset = w->result == SRO_WRITTEN ? w->offset : 0;
        w->data_len = 8;
        memset(w->data, 0x11 * (i + 1), 8);
    }
    g->pred.writes[2].len = 16;                 /* one with SRO_DATA */
    g->pred.writes[2].data_len = 16;
    g->pred.done.outcome = SRO_RETIRED;
    g->pred.done.nwrites = 3;
    g->pred.done.store_size = 16;
    g->has_done = true;
    g->kind = "movups_m128";
    g->target = "X";
}

static void test_split_is_writer(void **state)
{
    struct sro_group_splitter *sp = sro_group_splitter_new();
    struct sro_synth_rec recs[SRO_SYNTH_MAX_RECS];
    struct sro_synth_group g;
    FILE *a = tmpfile(), *b = tmpfile();
    struct sro_writer *wa, *wb;
    char *pa, *pb;
    size_t la, lb;
    int n;

    (void)state;
    assert_non_null(sp);
    sample_group(&g);
    g.fault.cpu = 1;
    n = sro_group_split(sp, &g, recs);
    assert_int_equal(n, 1 + 1 + 3 + 1 + 1);     /* F I W W W D D(one) */
    assert_int_equal(recs[0].event, SRO_FAULT);
    assert_true(recs[0].has_tsc);
    assert_int_equal(recs[0].tsc, 1000);
    assert_int_equal(recs[5].event, SRO_DATA);
    assert_int_equal(recs[5].write, 2);
    assert_int_equal(recs[6].event, SRO_DONE);
    assert_int_equal(recs[6].write, -1);

    wa = sro_writer_new(a, 2);
    wb = sro_writer_new(b, 2);
    assert_int_equal(sro_write_group(wa, &g.fault, g.pred.writes,
                                     g.pred.nwrites, &g.pred.done), 0);
    for ( int i = 0; i < n; i++ )
        assert_int_equal(sro_writer_rec(wb, 1, recs[i].event,
                                        recs[i].has_tsc, recs[i].tsc,
                                        recs[i].w, recs[i].nwords), 0);
    assert_int_equal(sro_writer_close(wa), 0);
    assert_int_equal(sro_writer_close(wb), 0);
    pa = slurp(a, &la);
    pb = slurp(b, &lb);
    assert_int_equal(la, lb);
    assert_memory_equal(pa, pb, la);
    free(pa);
    free(pb);
    fclose(a);
    fclose(b);

    g.has_done = false;                         /* lose-done: no DONE */
    assert_int_equal(sro_group_split(sp, &g, recs), 6);
    sro_group_splitter_free(sp);
}

static void test_mirror_rules(void **state)
{
    struct sro_mirror *m = sro_mirror_new(2, NULL);
    const struct sro_mirror_stats *st = sro_mirror_stats(m);
    struct sro_synth_group g;

    (void)state;
    sample_group(&g);
    sro_mirror_config(m);
    sro_mirror_group(m, &g);                    /* complete */
    assert_int_equal(st->groups, 1);
    assert_int_equal(st->incomplete_groups, 0);
    assert_int_equal(st->records, 1 + 7);

    /* Lost records inside a group: it stays open and takes what comes
     * until a DONE ends it, as "lost". */
    sro_mirror_group_rec(m, 0, &g, SRO_FAULT, -1);
    sro_mirror_group_rec(m, 0, &g, SRO_INSN, -1);
    sro_mirror_lost(m, 0, 5);
    assert_int_equal(st->groups, 1);
    sro_mirror_group_rec(m, 0, &g, SRO_DATA, 2);    /* after LOST: stray */
    sro_mirror_group_rec(m, 0, &g, SRO_WRITE, 2);   /* the group's */
    sro_mirror_group_rec(m, 0, &g, SRO_DATA, 2);    /* continues it */
    sro_mirror_other(m, 0);
    sro_mirror_group_rec(m, 0, &g, SRO_DATA, 2);    /* still continues */
    sro_mirror_group_rec(m, 0, &g, SRO_DONE, -1);
    assert_int_equal(st->groups, 2);
    assert_int_equal(st->incomplete_groups, 1);
    assert_int_equal(st->orphan_writes, 0);
    assert_int_equal(st->stray_records, 1);
    assert_int_equal(st->lost_records, 5);
    assert_int_equal(st->lost_events, 1);
    assert_int_equal(st->unknown_records, 1);
    /* No group open: orphans and strays. */
    sro_mirror_group_rec(m, 0, &g, SRO_WRITE, 0);   /* orphan */
    sro_mirror_group_rec(m, 0, &g, SRO_DATA, 0);    /* part of it */
    sro_mirror_group_rec(m, 0, &g, SRO_INSN, -1);   /* stray */
    sro_mirror_group_rec(m, 0, &g, SRO_DATA, 0);    /* stray */
    sro_mirror_group_rec(m, 0, &g, SRO_DONE, -1);   /* stray */
    assert_int_equal(st->orphan_writes, 1);
    assert_int_equal(st->stray_records, 4);

    /* A new FAULT before DONE; a DONE that miscounts; the end. */
    sro_mirror_group_rec(m, 1, &g, SRO_FAULT, -1);
    sro_mirror_group_rec(m, 1, &g, SRO_FAULT, -1);
    assert_int_equal(st->groups, 3);
    g.pred.done.nwrites = 1;
    sro_mirror_group_rec(m, 1, &g, SRO_DONE, -1);
    assert_int_equal(st->groups, 4);
    assert_int_equal(st->incomplete_groups, 3);
    sro_mirror_group_rec(m, 0, &g, SRO_FAULT, -1);
    sro_mirror_group_rec(m, 0, &g, SRO_INSN, -1);
    sro_mirror_group_rec(m, 0, &g, SRO_INSN, -1);   /* a second: stray */
    assert_int_equal(st->stray_records, 5);
    assert_int_equal(sro_mirror_finish(m, 0, 0), 0);
    assert_int_equal(st->groups, 5);
    assert_int_equal(st->incomplete_groups, 4);
    sro_mirror_free(m);
}

static void test_inject_parse(void **state)
{
    struct sro_inject inj = { 0 };
    char err[256];

    (void)state;
    assert_int_equal(sro_inject_parse(&inj, "offset0", err, sizeof(err)), 0);
    assert_true(inj.on[SRO_DEV_OFFSET0]);
    assert_true(inj.rate[SRO_DEV_OFFSET0] == 1.0);
    assert_int_equal(sro_inject_parse(&inj, "lose-done:0.25", err,
                                      sizeof(err)), 0);
    assert_true(inj.rate[SRO_DEV_LOSE_DONE] == 0.25);
    assert_int_equal(sro_inject_parse(&inj, "offset0:0", err, sizeof(err)),
                     -1);
    assert_string_equal(err, "--inject offset0:0: the rate must be a number "
                             "in (0, 1]");
    assert_int_equal(sro_inject_parse(&inj, "offset", err, sizeof(err)), -1);
    assert_non_null(strstr(err, "--inject offset: unknown deviation"));
    for ( unsigned int d = 0; d < SRO_DEV_COUNT; d++ )
    {
        assert_non_null(sro_deviation_name(d));
        assert_non_null(sro_deviation_help(d));
    }
    assert_null(sro_deviation_name(SRO_DEV_COUNT));
}

/* Apply deviation d alone to the sample group; return the result. */
static struct sro_synth_group with_deviation(unsigned int d)
{
    struct sro_inject inj = { 0 };
    struct sro_rng r;
    struct sro_synth_group g;

    sample_group(&g);
    sro_rng_seed(&r, 1);
    inj.on[d] = true;
    inj.rate[d] = 1.0;
    sro_inject_apply(&inj, &r, &g);
    assert_int_equal(g.deviations, 1u << d);
    return g;
}

static void test_inject_each(void **state)
{
    struct sro_synth_group base, g;

    (void)state;
    sample_group(&base);

    g = with_deviation(SRO_DEV_OFFSET0);
    assert_int_equal(g.pred.writes[0].dev_offset, 0);
    assert_int_equal(g.pred.writes[2].dev_offset, 0);
    g.pred.writes[0].dev_offset = base.pred.writes[0].dev_offset;
    g.pred.writes[2].dev_offset = base.pred.writes[2].dev_offset;
    g.deviations = 0;
    assert_memory_equal(&g, &base, sizeof(g));

    g = with_deviation(SRO_DEV_WRITE_RO);
    assert_int_equal(g.pred.writes[1].result, SRO_WRITTEN);
    assert_int_equal(g.pred.writes[1].dev_offset, 0x40);
    g.pred.writes[1].result = SRO_DROPPED_RO;
    g.pred.writes[1].dev_offset = 0;
    g.deviations = 0;
    assert_memory_equal(&g, &base, sizeof(g));

    g = with_deviation(SRO_DEV_DROP_ALLOWED);
    assert_int_equal(g.pred.writes[0].result, SRO_DROPPED_RO);
    assert_int_equal(g.pred.writes[2].result, SRO_DROPPED_RO);
    g.pred.writes[0].result = g.pred.writes[2].result = SRO_WRITTEN;
    g.deviations = 0;
    assert_memory_equal(&g, &base, sizeof(g));

    g = with_deviation(SRO_DEV_LOSE_DONE);
    assert_false(g.has_done);
    g.has_done = true;
    g.deviations = 0;
    assert_memory_equal(&g, &base, sizeof(g));

    g = with_deviation(SRO_DEV_MISCOUNT);
    assert_int_equal(g.pred.done.nwrites, 4);
    g.pred.done.nwrites = 3;
    g.deviations = 0;
    assert_memory_equal(&g, &base, sizeof(g));

    /* crash-allowed needs an allowed store: every piece written. */
    assert_false(sro_deviation_eligible(SRO_DEV_CRASH_ALLOWED, &base));
    base.pred.writes[1].result = SRO_WRITTEN;
    assert_true(sro_deviation_eligible(SRO_DEV_CRASH_ALLOWED, &base));
    {
        struct sro_inject inj = { 0 };
        struct sro_rng r;

        sro_rng_seed(&r, 1);
        inj.on[SRO_DEV_CRASH_ALLOWED] = true;
        inj.rate[SRO_DEV_CRASH_ALLOWED] = 1.0;
        sro_inject_apply(&inj, &r, &base);
    }
    assert_int_equal(base.pred.nwrites, 0);
    assert_int_equal(base.pred.done.nwrites, 0);
    assert_int_equal(base.pred.done.outcome, SRO_DOMAIN_CRASH);
    assert_int_equal(base.pred.done.reason, SRO_REASON_EMULATION_FAILED);
    assert_int_equal(base.pred.done.emul_rc, SRO_X86EMUL_UNHANDLEABLE);

    /* Not eligible: nothing to change, nothing recorded. */
    sample_group(&g);
    g.pred.writes[1].result = SRO_WRITTEN;
    assert_false(sro_deviation_eligible(SRO_DEV_WRITE_RO, &g));
    g.has_done = false;
    assert_false(sro_deviation_eligible(SRO_DEV_MISCOUNT, &g));
}

/* ---- whole runs ---- */

static void test_deterministic(void **state)
{
    struct sro_synth_opts o1 = { .seed = 7, .groups = 500, .lost = 0.02 };
    struct sro_synth_opts o2 = o1, o3 = o1;
    struct run a, b, c;

    (void)state;
    synth(engine_scn, &o1, &a);
    synth(engine_scn, &o2, &b);
    o3.seed = 8;
    synth(engine_scn, &o3, &c);
    assert_int_equal(a.rc, 0);
    assert_int_equal(a.res.groups_made, 500);
    assert_int_equal(a.trace_len, a.res.bytes);
    assert_int_equal(a.trace_len, b.trace_len);
    assert_memory_equal(a.trace, b.trace, a.trace_len);
    assert_int_equal(a.expect_len, b.expect_len);
    assert_memory_equal(a.expect, b.expect, a.expect_len);
    assert_true(a.trace_len != c.trace_len ||
                memcmp(a.trace, c.trace, a.trace_len) != 0);
    run_free(&a);
    run_free(&b);
    run_free(&c);
}

/* What reader + assembler make of a trace. */
struct seen {
    struct sro_assemble_stats st;
    uint64_t bytes_unused;
    char    *lines;             /* "cpu tsc nwrites incomplete done\n"... */
    size_t   len, cap;
    unsigned int range_adds, range_states, ro_pages;
    uint64_t first_config_offset, first_fault_offset;
};

static void seen_add(struct seen *s, const char *line)
{
    size_t n = strlen(line);

    if ( s->len + n + 1 > s->cap )
    {
        s->cap = (s->len + n + 1) * 2;
        s->lines = realloc(s->lines, s->cap);
        assert_non_null(s->lines);
    }
    memcpy(s->lines + s->len, line, n + 1);
    s->len += n;
}

static int seen_group(void *ctx, const struct sro_group *g)
{
    struct seen *s = ctx;
    char line[128];

    snprintf(line, sizeof(line), "%u %llu %u %u %u\n", g->fault.cpu,
             (unsigned long long)g->fault.tsc, g->nwrites, g->incomplete,
             g->has_done);
    seen_add(s, line);
    if ( !s->first_fault_offset )
        s->first_fault_offset = g->file_offset;
    return 0;
}

static int seen_config(void *ctx, const struct sro_rec *rec)
{
    struct seen *s = ctx;

    s->range_adds += rec->event == SRO_RANGE_ADD;
    s->range_states += rec->event == SRO_RANGE_STATE;
    s->ro_pages += rec->event == SRO_RO_PAGES;
    if ( !s->first_config_offset )
        s->first_config_offset = rec->offset;
    return 0;
}

static void read_back(const struct run *r, struct seen *s)
{
    const struct sro_assemble_ops ops = { .group = seen_group,
                                          .config = seen_config };
    FILE *f = fmemopen(r->trace, r->trace_len, "rb");
    struct sro_reader *rd = sro_reader_new(f, "t.trace");
    struct sro_assembler *a;
    struct sro_rec rec;
    int rc;

    memset(s, 0, sizeof(*s));
    a = sro_assembler_new(&ops, s);
    while ( (rc = sro_reader_next(rd, &rec)) != 0 )
    {
        if ( rc < 0 )
            fail_msg("reader: %s", sro_reader_error(rd));
        assert_int_equal(sro_assembler_feed(a, &rec), 0);
    }
    assert_int_equal(sro_assembler_finish(a), 0);
    s->st = *sro_assembler_stats(a);
    s->bytes_unused = sro_reader_bytes_unused(rd);
    sro_assembler_free(a);
    sro_reader_free(rd);
    fclose(f);
}

/* The same lines from the expect file (the keys come in a fixed order). */
static void expect_lines(const struct run *r, struct seen *s)
{
    const char *p = r->expect;

    memset(s, 0, sizeof(*s));
    while ( p && *p )
    {
        const char *nl = strchr(p, '\n');
        unsigned int cpu, nwrites = 0, done;
        unsigned long long tsc;
        const char *w, *inc;
        char line[128];
        unsigned int why = 0;

        if ( sscanf(p, "{\"cpu\":%u,\"tsc\":%llu,", &cpu, &tsc) == 2 )
        {
            /* writes: count the objects in the array */
            for ( w = strstr(p, "\"writes\":[") + 10; *w != ']'; w++ )
                nwrites += *w == '{';
            done = strstr(p, "\"done\":true") != NULL &&
                   strstr(p, "\"done\":true") < nl;
            inc = strstr(p, "\"incomplete\":") + 13;
            if ( strncmp(inc, "\"lost\"", 6) == 0 )
                why = SRO_INC_LOST;
            else if ( strncmp(inc, "\"new_fault\"", 11) == 0 )
                why = SRO_INC_NEW_FAULT;
            else if ( strncmp(inc, "\"eof\"", 5) == 0 )
                why = SRO_INC_EOF;
            else if ( strncmp(inc, "\"count_mismatch\"", 16) == 0 )
                why = SRO_INC_COUNT_MISMATCH;
            snprintf(line, sizeof(line), "%u %llu %u %u %u\n", cpu, tsc,
                     nwrites, why, done);
            seen_add(s, line);
        }
        p = nl ? nl + 1 : NULL;
    }
}

static int cmp_lines(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The lines of s->lines, sorted, joined again. */
static char *sorted(struct seen *s)
{
    char **v = NULL, *out, *p;
    size_t n = 0;

    if ( !s->lines )
        return strdup("");
    for ( p = strtok(s->lines, "\n"); p; p = strtok(NULL, "\n") )
    {
        v = realloc(v, (n + 1) * sizeof(*v));
        v[n++] = p;
    }
    qsort(v, n, sizeof(*v), cmp_lines);
    out = malloc(s->len + 2);
    out[0] = '\0';
    for ( size_t i = 0; i < n; i++ )
    {
        strcat(out, v[i]);
        strcat(out, "\n");
    }
    free(v);
    return out;
}

/* The fault of each expect line: "cpu tsc domain vcpu gpa", sorted. */
static char *fault_keys(const struct run *r)
{
    struct seen s = { 0 };
    const char *p = r->expect;
    char line[160], *out;

    while ( p && *p )
    {
        const char *nl = strchr(p, '\n');
        unsigned int cpu, dom, vcpu;
        unsigned long long tsc, gpa;
        const char *g = strstr(p, "\"gpa\":");

        if ( sscanf(p, "{\"cpu\":%u,\"tsc\":%llu,\"domain\":%u,\"vcpu\":%u",
                    &cpu, &tsc, &dom, &vcpu) == 4 && g &&
             sscanf(g, "\"gpa\":%llu", &gpa) == 1 )
        {
            snprintf(line, sizeof(line), "%u %llu %u %u %llx\n", cpu, tsc,
                     dom, vcpu, gpa);
            seen_add(&s, line);
        }
        p = nl ? nl + 1 : NULL;
    }
    out = sorted(&s);
    free(s.lines);
    return out;
}

static void test_same_faults_every_model(void **state)
{
    /* engine_scn without its rep store: a rep burst goes on only while
     * the model retires its iterations, so it may differ by model. */
    const char *rep = strstr(engine_scn, "store q 0x300 rep_movsd_m32");
    char *text = strdup(engine_scn);
    char err[128], *k20, *k21;
    struct sro_synth_opts a = { .seed = 4, .groups = 700 }, b = a;
    struct run ra, rb;

    (void)state;
    assert_non_null(rep);
    text[rep - engine_scn] = '\0';
    strcat(text, strchr(rep, '\n') + 1);
    a.model = sro_model_find("xen-4.20.0", err, sizeof(err));
    b.model = sro_model_find("xen-4.21", err, sizeof(err));
    synth(text, &a, &ra);
    synth(text, &b, &rb);
    assert_int_equal(ra.rc, 0);
    assert_int_equal(rb.rc, 0);
    k20 = fault_keys(&ra);
    k21 = fault_keys(&rb);
    assert_true(strlen(k20) > 700 * 20);
    assert_string_equal(k20, k21);
    /* ... and the HVM faults take each release's path. */
    assert_non_null(strstr(ra.expect, "\"path\":\"hvm-4.20\""));
    assert_null(strstr(ra.expect, "\"path\":\"hvm-4.21\""));
    assert_non_null(strstr(rb.expect, "\"path\":\"hvm-4.21\""));
    assert_null(strstr(rb.expect, "\"path\":\"hvm-4.20\""));
    free(k20);
    free(k21);
    free(text);
    run_free(&ra);
    run_free(&rb);
}

/* The mirror's prediction equals what reader + assembler find. */
static void check_mirror(const struct run *r, struct seen *got)
{
    struct seen want;
    char *a, *b;
    const struct sro_mirror_stats *m = &r->res.seen;

    assert_int_equal(r->rc, 0);
    read_back(r, got);
    expect_lines(r, &want);
    assert_int_equal(got->st.groups, m->groups);
    assert_int_equal(got->st.incomplete_groups, m->incomplete_groups);
    assert_int_equal(got->st.lost_records, m->lost_records);
    assert_int_equal(got->st.lost_events, m->lost_events);
    assert_int_equal(got->st.unknown_records, m->unknown_records);
    assert_int_equal(got->st.orphan_writes, m->orphan_writes);
    assert_int_equal(got->st.stray_records, m->stray_records);
    assert_int_equal(got->st.config_records, m->config_records);
    assert_int_equal(got->st.records, m->records);
    assert_int_equal(got->st.bad_records, 0);
    assert_int_equal(got->bytes_unused, r->res.bytes_unused);
    a = sorted(got);
    b = sorted(&want);
    assert_string_equal(a, b);
    free(a);
    free(b);
    free(want.lines);
}

static void test_reader_agrees(void **state)
{
    struct sro_synth_opts o = { .seed = 11, .groups = 3000, .lost = 0.03,
                                .cut = true };
    struct run r;
    struct seen got;

    (void)state;
    o.inject.on[SRO_DEV_LOSE_DONE] = true;
    o.inject.rate[SRO_DEV_LOSE_DONE] = 0.01;
    o.inject.on[SRO_DEV_MISCOUNT] = true;
    o.inject.rate[SRO_DEV_MISCOUNT] = 0.01;
    synth(engine_scn, &o, &r);
    check_mirror(&r, &got);
    /* Everything the options ask for did happen. */
    assert_true(r.res.seen.lost_events > 10);
    assert_true(r.res.seen.orphan_writes > 0);
    assert_true(r.res.seen.stray_records > 0);
    assert_true(r.res.seen.unknown_records > 1000);
    assert_true(r.res.deviations[SRO_DEV_LOSE_DONE] > 5);
    assert_true(r.res.deviations[SRO_DEV_MISCOUNT] > 5);
    assert_true(r.res.bytes_unused > 0 && r.res.bytes_unused < 40);
    assert_int_equal(r.trace_len, r.res.bytes);
    assert_int_equal(got.range_adds, 2);
    assert_int_equal(got.ro_pages, 2);
    assert_int_equal(got.range_states, 0);
    assert_int_equal(got.first_config_offset, 12);
    assert_non_null(strstr(r.expect, "\"stats\":{\"records\":"));
    free(got.lines);
    run_free(&r);

    /* Every CPU count and seed tried gives the same agreement. */
    for ( unsigned int seed = 1; seed <= 6; seed++ )
    {
        struct sro_synth_opts p = { .seed = seed, .groups = 400,
                                    .cpus = seed, .lost = 0.1,
                                    .cut = seed & 1 };

        synth(engine_scn, &p, &r);
        check_mirror(&r, &got);
        free(got.lines);
        run_free(&r);
    }
}

static void test_late_config(void **state)
{
    struct sro_synth_opts o = { .seed = 3, .groups = 400,
                                .late_config = true };
    struct run r;
    struct seen got;

    (void)state;
    synth(engine_scn, &o, &r);
    check_mirror(&r, &got);
    assert_int_equal(got.range_adds, 0);
    assert_int_equal(got.range_states, 8);      /* 2 sub-page entries */
    assert_int_equal(got.ro_pages, 2);
    assert_true(got.first_fault_offset < got.first_config_offset);
    free(got.lines);
    run_free(&r);
}

/* One record as the reader gave it, without the parts that depend on
 * what else is in the file (offset, inherited TSC). */
struct rec_key {
    uint32_t event, cpu;
    uint8_t  nwords;
    bool     has_tsc;
    uint64_t tsc;
    uint32_t w[SRO_TREC_MAX_WORDS];
};

/* Our records, CPU by CPU in order (other classes left out). */
static struct rec_key *our_records(const struct run *r, size_t *n)
{
    FILE *f = fmemopen(r->trace, r->trace_len, "rb");
    struct sro_reader *rd = sro_reader_new(f, "t");
    struct rec_key *v = NULL;
    size_t cap = 0;
    struct sro_rec rec;

    *n = 0;
    while ( sro_reader_next(rd, &rec) == 1 )
    {
        if ( (rec.event & TRC_HW_MMIO_RO_MASK) != TRC_HW_MMIO_RO )
            continue;
        if ( *n == cap )
        {
            cap = cap ? 2 * cap : 1024;
            v = realloc(v, cap * sizeof(*v));
        }
        memset(&v[*n], 0, sizeof(v[*n]));
        v[*n].event = rec.event;
        v[*n].cpu = rec.cpu;
        v[*n].nwords = rec.nwords;
        v[*n].has_tsc = rec.has_tsc;
        v[*n].tsc = rec.has_tsc ? rec.tsc : 0;
        memcpy(v[*n].w, rec.w, rec.nwords * 4);
        (*n)++;
    }
    sro_reader_free(rd);
    fclose(f);
    /* Stable order by CPU: records of one CPU keep their order. */
    for ( size_t i = 1; i < *n; i++ )
        for ( size_t j = i; j > 0 && v[j - 1].cpu > v[j].cpu; j-- )
        {
            struct rec_key t = v[j];

            v[j] = v[j - 1];
            v[j - 1] = t;
        }
    return v;
}

static void test_inject_exact(void **state)
{
    (void)state;
    for ( unsigned int d = 0; d < SRO_DEV_COUNT; d++ )
    {
        struct sro_synth_opts o = { .seed = 5, .groups = 600 };
        struct sro_synth_opts p = o;
        struct run a, b;
        struct rec_key *ra, *rb;
        size_t na, nb, i = 0, j = 0, changed = 0;

        p.inject.on[d] = true;
        p.inject.rate[d] = 1.0;
        synth(engine_scn, &o, &a);
        synth(engine_scn, &p, &b);
        assert_int_equal(b.rc, 0);
        ra = our_records(&a, &na);
        rb = our_records(&b, &nb);
        while ( i < na && j < nb )
        {
            struct rec_key x = ra[i], y = rb[j];

            if ( memcmp(&x, &y, sizeof(x)) == 0 )
            {
                i++, j++;
                continue;
            }
            changed++;
            switch ( d )
            {
            case SRO_DEV_OFFSET0:
                assert_int_equal(x.event, SRO_WRITE);
                assert_int_equal(SRO_WRITE_RESULT(x.w[2]), SRO_WRITTEN);
                assert_int_equal(y.w[5], 0);
                y.w[5] = x.w[5];
                break;
            case SRO_DEV_WRITE_RO:
                assert_int_equal(x.event, SRO_WRITE);
                assert_int_equal(SRO_WRITE_RESULT(x.w[2]), SRO_DROPPED_RO);
                assert_int_equal(SRO_WRITE_RESULT(y.w[2]), SRO_WRITTEN);
                assert_int_equal(y.w[5], SRO_WRITE_OFFSET(x.w[2]));
                y.w[2] = x.w[2];
                y.w[5] = x.w[5];
                break;
            case SRO_DEV_DROP_ALLOWED:
                assert_int_equal(x.event, SRO_WRITE);
                assert_int_equal(SRO_WRITE_RESULT(y.w[2]), SRO_DROPPED_RO);
                y.w[2] = x.w[2];
                break;
            case SRO_DEV_CRASH_ALLOWED:
                /* The writes of an allowed store vanish, its DONE says
                 * crash. */
                if ( x.event == SRO_WRITE || x.event == SRO_DATA )
                {
                    i++;
                    continue;
                }
                assert_int_equal(x.event, SRO_DONE);
                assert_int_equal(SRO_DONE_OUTCOME(x.w[0]), SRO_RETIRED);
                assert_int_equal(y.w[0], SRO_DONE_W0(SRO_DOMAIN_CRASH,
                                 SRO_REASON_EMULATION_FAILED,
                                 SRO_X86EMUL_UNHANDLEABLE));
                assert_int_equal(y.w[1], 0);
                y.w[0] = x.w[0];
                y.w[1] = x.w[1];
                break;
            case SRO_DEV_LOSE_DONE:
                assert_int_equal(x.event, SRO_DONE);
                i++;
                continue;
            case SRO_DEV_MISCOUNT:
                assert_int_equal(x.event, SRO_DONE);
                assert_int_equal(y.w[1], x.w[1] + 1);
                y.w[1] = x.w[1];
                break;
            }
            assert_memory_equal(&x, &y, sizeof(x));
            i++, j++;
        }
        if ( d == SRO_DEV_LOSE_DONE )
            while ( i < na && ra[i].event == SRO_DONE )
                i++, changed++;
        assert_int_equal(i, na);
        assert_int_equal(j, nb);
        assert_true(changed > 0);
        assert_true(b.res.deviations[d] > 0);
        assert_int_equal(a.res.groups_made, b.res.groups_made);
        free(ra);
        free(rb);
        run_free(&a);
        run_free(&b);
    }
}

static void test_engine_errors(void **state)
{
    struct sro_synth_opts o = { .seed = 1, .groups = 10 };
    struct run r;

    (void)state;
    synth("scenario e\nprotect 0xfe100040 64\n"
          "guest g domain=1 hvm\n"
          "page p mfn=0xfe100 guest=g\n"
          "page q mfn=0xfe101 guest=g\n"
          "store p 0 mov_m32_r32\n", &o, &r);
    assert_int_equal(r.rc, -1);
    assert_string_equal(r.err, "t.scn:5: page q (mfn 0xfe101) is not "
                        "read-only: no successful protect line and no "
                        "ro-pages line covers it, so writes to it would "
                        "never fault");
    run_free(&r);

    /* A failed protect (misaligned) leaves the page unprotected. */
    synth("scenario e\nprotect 0xfe100044 60\n"
          "guest g domain=1 hvm\n"
          "page p mfn=0xfe100 guest=g\n"
          "store p 0 mov_m32_r32\n", &o, &r);
    assert_int_equal(r.rc, -1);
    assert_non_null(strstr(r.err, "t.scn:4: page p (mfn 0xfe100) is not "
                                  "read-only"));
    run_free(&r);

    /* ... but its SRO_RANGE_ADD still says what Xen returned. */
    synth("scenario e\nprotect 0xfe100044 60\nro-pages 0xfe100\n"
          "guest g domain=1 hvm\n"
          "page p mfn=0xfe100 guest=g\n"
          "store p 0 mov_m32_r32\n", &o, &r);
    assert_int_equal(r.rc, 0);
    {
        /* The first window holds the RANGE_ADD: w3 = -EINVAL. */
        uint32_t w3;

        memcpy(&w3, r.trace + 12 + 12 + 12, 4);
        assert_int_equal((int32_t)w3, -22);
    }
    run_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_values),
        cmocka_unit_test(test_parse_errors),
        cmocka_unit_test(test_parse_file),
        cmocka_unit_test(test_encode_round_trip),
        cmocka_unit_test(test_encode_bytes),
        cmocka_unit_test(test_split_is_writer),
        cmocka_unit_test(test_mirror_rules),
        cmocka_unit_test(test_inject_parse),
        cmocka_unit_test(test_inject_each),
        cmocka_unit_test(test_deterministic),
        cmocka_unit_test(test_same_faults_every_model),
        cmocka_unit_test(test_reader_agrees),
        cmocka_unit_test(test_late_config),
        cmocka_unit_test(test_inject_exact),
        cmocka_unit_test(test_engine_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

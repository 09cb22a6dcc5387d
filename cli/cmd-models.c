/*
 * cmd-models.c - `srotrace models`: list the built-in Xen models, or load
 * and check model plugins.
 *
 * Without options: one line per built-in model, its name and what it
 * follows. With --load NAME_OR_PATH (repeatable): find the model as
 * `replay --model` would (core/model.c: built-in name, or a plugin path
 * containing '/'), report what it says it is, and run it once on a fixed
 * fault (a 4-byte store to a writable qword of a partly read-only page) so
 * that a broken plugin shows up here rather than in the middle of a
 * replay; the prediction is judged by the reference oracle.
 */
#include <stdio.h>
#include <string.h>

#include "../core/model.h"
#include "../core/oracle.h"
#include "../util/json.h"
#include "../util/parse-options.h"
#include "builtin.h"

static const char *const models_usage[] = {
    "srotrace models [--json]",
    "srotrace models --load NAME_OR_PATH [--load ...] [--json]",
    NULL
};

/* The check fault: page 0xfe100 read-only at 0x20..0x5f (as
 * subpage_mmio_ro_add(0xfe100020, 64) leaves it), `mov [rdi], eax` at
 * offset 0x8, 64-bit HVM guest on the 4.21 path. */
#define CHECK_MFN   UINT64_C(0xfe100)
#define CHECK_OFF   0x8u

/* What the check found. */
struct check {
    int                   rc;       /* predict()'s return */
    struct sro_prediction pred;
    struct sro_judgement  judgement;
    const char           *problem;  /* NULL, or why the prediction is bad */
};

/*
 * Run model m on the check fault; fills *c. The prediction must be
 * well-formed (codes of abi.h, at most SRO_PRED_MAX_WRITES writes, on the
 * faulting page); its verdict is informative only.
 */
static void run_check(const struct sro_model *m, struct check *c)
{
    struct sro_prot *prot = sro_prot_new();
    struct sro_page_prot pp;
    struct sro_fault f = {
        .domain = 1, .path = SRO_PATH_HVM_421, .gla_valid = true,
        .code_size = SRO_CODE_64, .gla = UINT64_C(0xffffc90000010000) |
        CHECK_OFF, .gpa = UINT64_C(0xf0100000) | CHECK_OFF, .mfn = CHECK_MFN,
        .has_insn = true, .insn_len = 2, .insn = { 0x89, 0x07 },
        .rip = UINT64_C(0xffffffff81234567),
    };
    struct sro_insn insn = {
        .valid = true, .length = 2, .mode = 64, .store = true, .width = 4,
        .text = "mov dword ptr [rdi], eax", .kind = "mov_m32_r32",
    };
    struct sro_model_input in = { &f, &insn, &pp, 0 };
    struct sro_judge_input ji;

    memset(c, 0, sizeof(*c));
    if ( !prot || sro_prot_add(prot, (CHECK_MFN << SRO_PAGE_SHIFT) | 0x20,
                               64) )
    {
        sro_prot_free(prot);
        c->rc = -1;
        c->problem = "out of memory";
        return;
    }
    sro_prot_page(prot, CHECK_MFN, &pp);
    c->rc = m->predict(m, &in, &c->pred);
    if ( c->rc == 0 )
    {
        if ( c->pred.nwrites > SRO_PRED_MAX_WRITES )
            c->problem = "more writes than a prediction holds";
        else if ( c->pred.done.outcome >= SRO_OUTCOME_COUNT ||
                  c->pred.done.reason >= SRO_REASON_COUNT )
            c->problem = "an outcome or reason code abi.h does not define";
        for ( unsigned int i = 0; !c->problem && i < c->pred.nwrites; i++ )
            if ( c->pred.writes[i].result >= SRO_RESULT_COUNT )
                c->problem = "a write result code abi.h does not define";
            else if ( c->pred.writes[i].mfn != CHECK_MFN )
                c->problem = "a write on another page than the fault's";
    }
    else if ( c->rc != -1 )
        c->problem = "predict() returned neither 0 nor -1";
    if ( c->rc == 0 && !c->problem )
    {
        ji = (struct sro_judge_input){
            .fault = &f, .insn = &insn, .page = &pp, .complete = true,
            .writes = c->pred.writes, .nwrites = c->pred.nwrites,
            .done = &c->pred.done,
        };
        sro_oracle_judge(&ji, &c->judgement);
    }
    sro_prot_free(prot);
}

static void list_text(void)
{
    int w = 0;

    for ( unsigned int i = 0; sro_builtin_models[i]; i++ )
        if ( (int)strlen(sro_builtin_models[i]->name) > w )
            w = (int)strlen(sro_builtin_models[i]->name);
    for ( unsigned int i = 0; sro_builtin_models[i]; i++ )
        printf("%-*s  %s\n", w, sro_builtin_models[i]->name,
               sro_builtin_models[i]->summary ? sro_builtin_models[i]->summary
                                              : "");
}

static void list_json(void)
{
    struct json j;

    json_init(&j, stdout, false);
    json_object_begin(&j);
    json_kv_int(&j, "abi_version", SRO_MODEL_ABI_VERSION);
    json_key(&j, "models");
    json_array_begin(&j);
    for ( unsigned int i = 0; sro_builtin_models[i]; i++ )
    {
        json_object_begin(&j);
        json_kv_string(&j, "name", sro_builtin_models[i]->name);
        json_kv_string(&j, "summary", sro_builtin_models[i]->summary);
        json_kv_bool(&j, "builtin", true);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_object_end(&j);
    json_end(&j);
}

static void print_check_text(const char *what, const struct sro_model *m,
                             const struct check *c)
{
    printf("%s: model '%s', model ABI %u: %s\n", what, m->name,
           m->abi_version, m->summary ? m->summary : "(no summary)");
    if ( c->problem )
    {
        printf("  check: %s\n", c->problem);
        return;
    }
    if ( c->rc )
    {
        printf("  check: the model cannot say (predict() returned -1)\n");
        return;
    }
    printf("  check: mov [rdi],eax at offset %#x of a page read-only at "
           "0x20..0x5f: %u write(s)", CHECK_OFF, c->pred.nwrites);
    for ( unsigned int i = 0; i < c->pred.nwrites; i++ )
        printf("%s %s %u@%#x->%#x", i ? "," : ":",
               sro_result_name(c->pred.writes[i].result),
               c->pred.writes[i].len, c->pred.writes[i].offset,
               c->pred.writes[i].dev_offset);
    printf("; %s; oracle: %s\n", sro_outcome_name(c->pred.done.outcome),
           sro_verdict_name(c->judgement.verdict));
}

static void print_check_json(struct json *j, const char *what,
                             const struct sro_model *m,
                             const struct check *c)
{
    json_object_begin(j);
    json_kv_string(j, "load", what);
    json_kv_string(j, "name", m->name);
    json_kv_string(j, "summary", m->summary);
    json_kv_int(j, "abi_version", m->abi_version);
    json_key(j, "check");
    json_object_begin(j);
    json_kv_int(j, "rc", c->rc);
    json_kv_string(j, "problem", c->problem);
    if ( c->rc == 0 && !c->problem )
    {
        json_key(j, "writes");
        json_array_begin(j);
        for ( unsigned int i = 0; i < c->pred.nwrites; i++ )
        {
            const struct sro_write *w = &c->pred.writes[i];

            json_object_begin(j);
            json_kv_uint(j, "offset", w->offset);
            json_kv_uint(j, "len", w->len);
            json_kv_string(j, "result", sro_result_name(w->result));
            json_kv_uint(j, "dev_offset", w->dev_offset);
            json_object_end(j);
        }
        json_array_end(j);
        json_kv_string(j, "outcome", sro_outcome_name(c->pred.done.outcome));
        json_kv_string(j, "reason", sro_reason_name(c->pred.done.reason));
        json_kv_string(j, "verdict",
                       sro_verdict_name(c->judgement.verdict));
    }
    json_object_end(j);
    json_object_end(j);
}

/* --load: returns the exit status (1 if any model failed to load or its
 * check found a malformed prediction). */
static int load_models(const struct string_list *loads, bool as_json)
{
    struct json j;
    int status = SRO_EXIT_OK;

    if ( as_json )
    {
        json_init(&j, stdout, false);
        json_object_begin(&j);
        json_key(&j, "models");
        json_array_begin(&j);
    }
    for ( unsigned int i = 0; i < loads->n; i++ )
    {
        char err[512];
        const struct sro_model *m = sro_model_find(loads->items[i], err,
                                                   sizeof(err));
        struct check c;

        if ( !m )
        {
            fprintf(stderr, "srotrace models: %s\n", err);
            status = SRO_EXIT_ERROR;
            continue;
        }
        run_check(m, &c);
        if ( c.problem )
        {
            fprintf(stderr, "srotrace models: %s: its prediction is "
                    "malformed: %s\n", loads->items[i], c.problem);
            status = SRO_EXIT_ERROR;
        }
        if ( as_json )
            print_check_json(&j, loads->items[i], m, &c);
        else
            print_check_text(loads->items[i], m, &c);
    }
    if ( as_json )
    {
        json_array_end(&j);
        json_object_end(&j);
        json_end(&j);
    }
    return status;
}

int cmd_models(int argc, const char **argv)
{
    bool as_json = false;
    struct string_list loads = { 0 };
    const struct option options[] = {
        OPT_BOOL(0, "json", &as_json, "print JSON instead of text"),
        OPT_STRING_LIST(0, "load", &loads, "NAME_OR_PATH",
                        "load a model (a plugin path must contain '/'), "
                        "check it and run it once"),
        OPT_END(),
    };
    int n, status;

    n = parse_options(argc, argv, options, models_usage);
    if ( n > 0 )
    {
        fprintf(stderr, "srotrace models: unexpected argument '%s'\n",
                argv[0]);
        usage_with_options_to(stderr, models_usage, options);
        string_list_clear(&loads);
        return 129;
    }
    if ( loads.n )
        status = load_models(&loads, as_json);
    else
    {
        if ( as_json )
            list_json();
        else
            list_text();
        status = SRO_EXIT_OK;
    }
    string_list_clear(&loads);
    return status;
}

/*
 * scenario.c - parse scenario files; see scenario.h and docs/scenarios.md.
 *
 * A line is a keyword, positional words, then `key=value` options and bare
 * flags; '#' starts a comment. Each keyword has one small parse function
 * that fills one struct and checks it against what came before (names
 * must be defined before they are used), so every error can name its line.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/abi.h"
#include "util/parse-options.h"
#include "scenario.h"
#include "util/textfile.h"

#define MAX_WORDS 32
#define MAX_CPUS  4096
#define MAX_VCPUS 512

/* Parsing state for one file. */
struct parser {
    struct sro_scenario *s;
    const char *file;
    unsigned int line;
    char *err;
    size_t errlen;
    bool failed;
};

static int fail(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Record the first error as "FILE:LINE: what"; always returns -1. */
static int fail(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    if ( p->failed )
        return -1;
    p->failed = true;
    va_start(ap, fmt);
    textfile_verror(p->err, p->errlen, p->file, p->line, fmt, ap);
    va_end(ap);
    return -1;
}

/* Append one zeroed element to a growable array; NULL when out of memory. */
static void *push(void **arr, unsigned int *n, size_t size)
{
    void *a;

    if ( (*n & (*n - 1)) == 0 )     /* 0, 1, 2, 4, ...: grow to double */
    {
        size_t cap = *n ? (size_t)*n * 2 : 1;

        a = realloc(*arr, cap * size);
        if ( !a )
            return NULL;
        *arr = a;
    }
    a = (char *)*arr + (size_t)*n * size;
    memset(a, 0, size);
    (*n)++;
    return a;
}

#define PUSH(p, field, count) \
    ((__typeof__((p)->s->field))push((void **)&(p)->s->field, \
                                     &(p)->s->count, \
                                     sizeof(*(p)->s->field)))

/* A number option or argument (k/M/G suffixes: powers of 1024). */
static int number(struct parser *p, const char *what, const char *w,
                  uint64_t *out)
{
    if ( parse_u64(w, out, true) < 0 )
        return fail(p, "%s: '%s' is not a number", what, w);
    return 0;
}

/* A real number in [lo, hi]. */
static int real(struct parser *p, const char *what, const char *w,
                double lo, double hi, double *out)
{
    char *end;
    double v;

    errno = 0;
    v = strtod(w, &end);
    if ( errno || end == w || *end || !(v >= lo && v <= hi) )
        return fail(p, "%s: '%s' is not a number in [%g, %g]", what, w, lo,
                    hi);
    *out = v;
    return 0;
}

/* Names are letters, digits, '_', '-' and '.'. */
static bool valid_name(const char *w)
{
    if ( !*w )
        return false;
    for ( const char *c = w; *c; c++ )
        if ( !(*c == '_' || *c == '-' || *c == '.' ||
               (*c >= '0' && *c <= '9') || (*c >= 'a' && *c <= 'z') ||
               (*c >= 'A' && *c <= 'Z')) )
            return false;
    return true;
}

/* A name that is valid and short enough for its buffer. */
static int name_ok(struct parser *p, const char *what, const char *w)
{
    if ( strlen(w) >= SRO_SCN_NAME_MAX )
        return fail(p, "%s name '%s' is longer than %d characters", what, w,
                    SRO_SCN_NAME_MAX - 1);
    if ( !valid_name(w) )
        return fail(p, "%s name '%s': use letters, digits, '_', '-', '.'",
                    what, w);
    return 0;
}

/* Index of the guest, page or register named so (registers: on page),
 * or -1. */
static int find_guest(const struct sro_scenario *s, const char *name)
{
    for ( unsigned int i = 0; i < s->nguests; i++ )
        if ( strcmp(s->guests[i].name, name) == 0 )
            return (int)i;
    return -1;
}

static int find_page(const struct sro_scenario *s, const char *name)
{
    for ( unsigned int i = 0; i < s->npages; i++ )
        if ( strcmp(s->pages[i].name, name) == 0 )
            return (int)i;
    return -1;
}

static int find_reg(const struct sro_scenario *s, unsigned int page,
                    const char *name)
{
    for ( unsigned int i = 0; i < s->nregs; i++ )
        if ( s->regs[i].page == page && strcmp(s->regs[i].name, name) == 0 )
            return (int)i;
    return -1;
}

/* Split "key=value": returns the value and cuts w at '=', or NULL. */
static char *option_value(char *w)
{
    char *eq = strchr(w, '=');

    if ( !eq )
        return NULL;
    *eq = '\0';
    return eq + 1;
}

/* ---- one function per keyword; words[0] is the keyword ---- */

/* n words (keyword included) in [lo, hi], else the usage line. */
static int want_args(struct parser *p, unsigned int n, unsigned int lo,
                     unsigned int hi, const char *usage)
{
    if ( n < lo || n > hi )
        return fail(p, "usage: %s", usage);
    return 0;
}

/* `scenario NAME`: once, first. */
static int kw_scenario(struct parser *p, char **w, unsigned int n)
{
    if ( want_args(p, n, 2, 2, "scenario NAME") || name_ok(p, "scenario",
                                                          w[1]) )
        return -1;
    if ( p->s->name[0] )
        return fail(p, "a second 'scenario' line");
    strcpy(p->s->name, w[1]);
    return 0;
}

/* `xen`, `cpus`, `groups`, `seed`, `noise`, `migrate`, `gap`: one value
 * each, later lines overriding earlier ones. */
static int kw_setting(struct parser *p, char **w, unsigned int n)
{
    struct sro_scenario *s = p->s;
    uint64_t v;

    if ( strcmp(w[0], "xen") == 0 )
    {
        if ( want_args(p, n, 2, 2, "xen MODEL") )
            return -1;
        if ( strlen(w[1]) >= sizeof(s->xen) )
            return fail(p, "model name too long");
        strcpy(s->xen, w[1]);
        return 0;
    }
    if ( strcmp(w[0], "noise") == 0 || strcmp(w[0], "migrate") == 0 )
    {
        bool noise = w[0][0] == 'n';

        if ( want_args(p, n, 2, 2, noise ? "noise RECORDS_PER_GROUP"
                                         : "migrate PROBABILITY") )
            return -1;
        return real(p, w[0], w[1], 0, noise ? 64 : 1,
                    noise ? &s->noise : &s->migrate);
    }
    if ( want_args(p, n, 2, 2, "cpus|groups|seed|gap NUMBER") ||
         number(p, w[0], w[1], &v) )
        return -1;
    if ( strcmp(w[0], "cpus") == 0 )
    {
        if ( v < 1 || v > MAX_CPUS )
            return fail(p, "cpus: %llu is not in 1..%d",
                        (unsigned long long)v, MAX_CPUS);
        s->cpus = (unsigned int)v;
    }
    else if ( strcmp(w[0], "groups") == 0 )
        s->groups = v;
    else if ( strcmp(w[0], "seed") == 0 )
        s->seed = v;
    else
    {
        if ( v < 1 || v > (1ull << 40) )
            return fail(p, "gap: %llu cycles is not in 1..2^40",
                        (unsigned long long)v);
        s->gap = v;
    }
    return 0;
}

/* `protect START SIZE`: applied (and checked) by the engine, in order. */
static int kw_protect(struct parser *p, char **w, unsigned int n)
{
    struct sro_scn_protect *r;
    uint64_t start, size;

    if ( want_args(p, n, 3, 3, "protect START SIZE") ||
         number(p, "protect start", w[1], &start) ||
         number(p, "protect size", w[2], &size) )
        return -1;
    if ( start >> 60 || size >> 32 )
        return fail(p, "protect: address or size out of range");
    if ( !(r = PUSH(p, protects, nprotects)) )
        return fail(p, "out of memory");
    r->start = start;
    r->size = size;
    r->line = p->line;
    return 0;
}

/* `ro-pages FIRST [LAST]`. */
static int kw_ro_pages(struct parser *p, char **w, unsigned int n)
{
    struct sro_scn_ro_pages *r;
    uint64_t first, last;

    if ( want_args(p, n, 2, 3, "ro-pages FIRST_MFN [LAST_MFN]") ||
         number(p, "ro-pages first", w[1], &first) )
        return -1;
    last = first;
    if ( n == 3 && number(p, "ro-pages last", w[2], &last) )
        return -1;
    if ( last < first || last >> 48 )
        return fail(p, "ro-pages: bad run 0x%llx..0x%llx",
                    (unsigned long long)first, (unsigned long long)last);
    if ( !(r = PUSH(p, ro_pages, nro_pages)) )
        return fail(p, "out of memory");
    r->first = first;
    r->last = last;
    r->line = p->line;
    return 0;
}

/* path=pv|hvm-4.20|hvm-4.21 (the names of sro_path_name()). */
static int parse_path(struct parser *p, const char *v, uint8_t *out)
{
    for ( unsigned int i = SRO_PATH_PV; i <= SRO_PATH_HVM_421; i++ )
        if ( strcmp(v, sro_path_name(i)) == 0 )
        {
            *out = (uint8_t)i;
            return 0;
        }
    return fail(p, "path=%s: use pv, hvm-4.20 or hvm-4.21", v);
}

/* `guest NAME domain=ID pv|hvm ...`: the flags and options of
 * docs/scenarios.md 3.3, checked against each other and the guests
 * above (unique domain ids, one hardware domain). */
static int kw_guest(struct parser *p, char **w, unsigned int n)
{
    const char *usage = "guest NAME domain=ID pv|hvm [hwdom] [gla|no-gla] "
                        "[code=16|32|64] [vcpus=N] [path=P]";
    struct sro_scn_guest g = { .code_size = SRO_CODE_64, .vcpus = 1 };
    bool have_type = false, have_dom = false, have_gla = false;
    uint64_t v;

    if ( n < 3 )
        return fail(p, "usage: %s", usage);
    if ( name_ok(p, "guest", w[1]) )
        return -1;
    if ( find_guest(p->s, w[1]) >= 0 )
        return fail(p, "guest '%s' is already defined", w[1]);
    strcpy(g.name, w[1]);
    for ( unsigned int i = 2; i < n; i++ )
    {
        char *val = option_value(w[i]);

        if ( !val )
        {
            if ( strcmp(w[i], "pv") == 0 || strcmp(w[i], "hvm") == 0 )
            {
                if ( have_type )
                    return fail(p, "guest: say pv or hvm once");
                g.type = w[i][0] == 'p' ? SRO_SCN_PV : SRO_SCN_HVM;
                have_type = true;
            }
            else if ( strcmp(w[i], "hwdom") == 0 )
                g.hwdom = true;
            else if ( strcmp(w[i], "gla") == 0 ||
                      strcmp(w[i], "no-gla") == 0 )
            {
                g.gla_valid = w[i][0] == 'g';
                have_gla = true;
            }
            else
                return fail(p, "guest: unknown flag '%s' (usage: %s)", w[i],
                            usage);
        }
        else if ( strcmp(w[i], "domain") == 0 )
        {
            if ( number(p, "domain", val, &v) )
                return -1;
            if ( v > 0x7fef )
                return fail(p, "domain=%s: not a domain id (0..32751)", val);
            g.domain = (uint16_t)v;
            have_dom = true;
        }
        else if ( strcmp(w[i], "code") == 0 )
        {
            if ( strcmp(val, "16") == 0 )
                g.code_size = SRO_CODE_16;
            else if ( strcmp(val, "32") == 0 )
                g.code_size = SRO_CODE_32;
            else if ( strcmp(val, "64") == 0 )
                g.code_size = SRO_CODE_64;
            else
                return fail(p, "code=%s: use 16, 32 or 64", val);
        }
        else if ( strcmp(w[i], "vcpus") == 0 )
        {
            if ( number(p, "vcpus", val, &v) )
                return -1;
            if ( v < 1 || v > MAX_VCPUS )
                return fail(p, "vcpus=%s: not in 1..%d", val, MAX_VCPUS);
            g.vcpus = (unsigned int)v;
        }
        else if ( strcmp(w[i], "path") == 0 )
        {
            if ( parse_path(p, val, &g.path) )
                return -1;
        }
        else
            return fail(p, "guest: unknown option '%s' (usage: %s)", w[i],
                        usage);
    }
    if ( !have_type )
        return fail(p, "guest '%s': say pv or hvm", g.name);
    if ( !have_dom )
        return fail(p, "guest '%s': domain=ID is required", g.name);
    if ( !have_gla )
        g.gla_valid = true;
    if ( g.type == SRO_SCN_PV && !g.hwdom )
        return fail(p, "guest '%s': a PV guest's writes reach Xen's "
                    "read-only MMIO emulation only from the hardware domain "
                    "(pv_ro_page_fault); say hwdom, or make it hvm", g.name);
    if ( g.type == SRO_SCN_PV && !g.gla_valid )
        return fail(p, "guest '%s': a PV fault always has its linear "
                    "address (CR2); no-gla is for HVM", g.name);
    if ( g.path && (g.path == SRO_PATH_PV) != (g.type == SRO_SCN_PV) )
        return fail(p, "guest '%s': path=%s does not fit a %s guest",
                    g.name, sro_path_name(g.path),
                    g.type == SRO_SCN_PV ? "PV" : "HVM");
    for ( unsigned int i = 0; i < p->s->nguests; i++ )
    {
        if ( p->s->guests[i].domain == g.domain )
            return fail(p, "guest '%s': domain %u is already guest '%s'",
                        g.name, g.domain, p->s->guests[i].name);
        if ( g.hwdom && p->s->guests[i].hwdom )
            return fail(p, "guest '%s': '%s' is already the hardware "
                        "domain", g.name, p->s->guests[i].name);
    }
    g.line = p->line;
    {
        struct sro_scn_guest *slot = PUSH(p, guests, nguests);

        if ( !slot )
            return fail(p, "out of memory");
        *slot = g;
    }
    return 0;
}

/* Default linear address of page number idx for a guest's code size:
 * the vmalloc/ioremap area of a 64-bit Linux, high memory of a 32-bit
 * kernel, or real-mode memory below 1 MiB. */
static uint64_t default_va(uint8_t code_size, unsigned int idx)
{
    switch ( code_size )
    {
    case SRO_CODE_16: return 0x80000 + ((uint64_t)(idx % 64) << 12);
    case SRO_CODE_32: return 0xf8000000u + ((uint64_t)(idx % 4096) << 14);
    }
    return 0xffffc90000100000ull + ((uint64_t)idx << 20);
}

/* `page NAME mfn= guest= [gfn=] [va=]`: defaults as docs/scenarios.md
 * 3.4 says; the va must fit the guest's code size. */
static int kw_page(struct parser *p, char **w, unsigned int n)
{
    const char *usage = "page NAME mfn=MFN guest=GUEST [gfn=GFN] [va=VA]";
    struct sro_scn_page pg = { 0 };
    bool have_mfn = false, have_gfn = false, have_va = false;
    int g = -1;

    if ( n < 4 )
        return fail(p, "usage: %s", usage);
    if ( name_ok(p, "page", w[1]) )
        return -1;
    if ( find_page(p->s, w[1]) >= 0 )
        return fail(p, "page '%s' is already defined", w[1]);
    strcpy(pg.name, w[1]);
    for ( unsigned int i = 2; i < n; i++ )
    {
        char *val = option_value(w[i]);

        if ( !val )
            return fail(p, "page: '%s' is not an option (usage: %s)", w[i],
                        usage);
        if ( strcmp(w[i], "mfn") == 0 )
        {
            if ( number(p, "mfn", val, &pg.mfn) )
                return -1;
            if ( pg.mfn >> 48 )
                return fail(p, "mfn=%s: the trace carries 48 bits", val);
            have_mfn = true;
        }
        else if ( strcmp(w[i], "gfn") == 0 )
        {
            if ( number(p, "gfn", val, &pg.gfn) )
                return -1;
            if ( pg.gfn >> 52 )
                return fail(p, "gfn=%s: out of range", val);
            have_gfn = true;
        }
        else if ( strcmp(w[i], "va") == 0 )
        {
            if ( number(p, "va", val, &pg.va) )
                return -1;
            if ( pg.va & (SRO_PAGE_SIZE - 1) )
                return fail(p, "va=%s: not page-aligned", val);
            have_va = true;
        }
        else if ( strcmp(w[i], "guest") == 0 )
        {
            if ( (g = find_guest(p->s, val)) < 0 )
                return fail(p, "page '%s': no guest '%s' defined above",
                            pg.name, val);
        }
        else
            return fail(p, "page: unknown option '%s' (usage: %s)", w[i],
                        usage);
    }
    if ( !have_mfn || g < 0 )
        return fail(p, "page '%s': mfn= and guest= are required", pg.name);
    pg.guest = (unsigned int)g;
    if ( !have_gfn )
        pg.gfn = pg.mfn;
    if ( !have_va )
        pg.va = default_va(p->s->guests[g].code_size, p->s->npages);
    if ( p->s->guests[g].code_size == SRO_CODE_32 && pg.va >> 32 )
        return fail(p, "page '%s': va does not fit 32-bit code", pg.name);
    if ( p->s->guests[g].code_size == SRO_CODE_16 && pg.va >> 20 )
        return fail(p, "page '%s': va does not fit 16-bit code", pg.name);
    pg.line = p->line;
    {
        struct sro_scn_page *slot = PUSH(p, pages, npages);

        if ( !slot )
            return fail(p, "out of memory");
        *slot = pg;
    }
    return 0;
}

/* `reg PAGE NAME OFFSET [WIDTH]`: inside the page. */
static int kw_reg(struct parser *p, char **w, unsigned int n)
{
    struct sro_scn_reg *r;
    uint64_t off, width = 4;
    int pg;

    if ( want_args(p, n, 4, 5, "reg PAGE NAME OFFSET [WIDTH]") )
        return -1;
    if ( (pg = find_page(p->s, w[1])) < 0 )
        return fail(p, "reg: no page '%s' defined above", w[1]);
    if ( name_ok(p, "register", w[2]) ||
         number(p, "reg offset", w[3], &off) ||
         (n == 5 && number(p, "reg width", w[4], &width)) )
        return -1;
    if ( find_reg(p->s, (unsigned int)pg, w[2]) >= 0 )
        return fail(p, "register '%s' is already defined on page '%s'",
                    w[2], w[1]);
    if ( width == 0 || width > 64 || (width & (width - 1)) )
        return fail(p, "reg %s: width %llu is not 1, 2, 4, 8, 16, 32 or 64",
                    w[2], (unsigned long long)width);
    if ( off + width > SRO_PAGE_SIZE )
        return fail(p, "reg %s: 0x%llx + %llu bytes runs past the page",
                    w[2], (unsigned long long)off,
                    (unsigned long long)width);
    if ( !(r = PUSH(p, regs, nregs)) )
        return fail(p, "out of memory");
    strcpy(r->name, w[2]);
    r->page = (unsigned int)pg;
    r->offset = (uint16_t)off;
    r->width = (uint8_t)width;
    r->line = p->line;
    return 0;
}

/* "REG", "REG+N", "REG-N" or a number: fills st->reg and st->offset. */
static int parse_target(struct parser *p, struct sro_scn_store *st,
                        const char *page_name, char *t)
{
    char *sign;
    uint64_t off, delta = 0;
    bool minus = false;
    int r;

    if ( strlen(t) >= sizeof(st->target) )
        return fail(p, "store target '%s' is too long", t);
    strcpy(st->target, t);
    if ( t[0] >= '0' && t[0] <= '9' )
    {
        if ( number(p, "store offset", t, &off) )
            return -1;
        st->reg = -1;
    }
    else
    {
        sign = strpbrk(t, "+-");
        if ( sign )
        {
            minus = *sign == '-';
            *sign = '\0';
            if ( number(p, "store offset delta", sign + 1, &delta) )
                return -1;
        }
        if ( (r = find_reg(p->s, st->page, t)) < 0 )
            return fail(p, "store: no register '%s' on page '%s'", t,
                        page_name);
        st->reg = r;
        off = p->s->regs[r].offset;
        if ( minus ? delta > off : delta >= SRO_PAGE_SIZE )
            return fail(p, "store: %s runs off the page", st->target);
        off = minus ? off - delta : off + delta;
    }
    if ( off >= SRO_PAGE_SIZE )
        return fail(p, "store: offset 0x%llx is past the page",
                    (unsigned long long)off);
    st->offset = (uint16_t)off;
    return 0;
}

/* value=N | random | random:MASK | seq:START[:STEP]. */
static int parse_value(struct parser *p, const char *v,
                       struct sro_scn_value *out)
{
    uint64_t a;

    if ( strcmp(v, "random") == 0 )
    {
        out->kind = SRO_SCN_RANDOM;
        out->a = UINT64_MAX;
        return 0;
    }
    if ( strncmp(v, "random:", 7) == 0 )
    {
        out->kind = SRO_SCN_RANDOM;
        return number(p, "value mask", v + 7, &out->a);
    }
    if ( strncmp(v, "seq:", 4) == 0 )
    {
        char buf[64];
        char *colon;

        snprintf(buf, sizeof(buf), "%s", v + 4);
        out->kind = SRO_SCN_SEQ;
        out->b = 1;
        if ( (colon = strchr(buf, ':')) )
        {
            *colon = '\0';
            if ( number(p, "value step", colon + 1, &out->b) )
                return -1;
        }
        return number(p, "value start", buf, &out->a);
    }
    if ( parse_u64(v, &a, false) < 0 )
        return fail(p, "value=%s: use a number, random, random:MASK or "
                    "seq:START[:STEP]", v);
    out->kind = SRO_SCN_CONST;
    out->a = a;
    return 0;
}

/* Checks that need the whole store line parsed. */
static int check_store(struct parser *p, const struct sro_scn_store *st)
{
    const struct sro_enc_kind *k = st->kind;
    const struct sro_scn_guest *g = &p->s->guests[p->s->pages[st->page].guest];
    unsigned int mode = g->code_size == SRO_CODE_16 ? 16 :
                        g->code_size == SRO_CODE_32 ? 32 : 64;
    struct sro_enc_operands ops = { .base = 0, .src = 0, .disp = 0,
                                    .imm = st->value.a };
    uint8_t bytes[15];
    char msg[128];
    uint64_t total = (uint64_t)k->width * st->reps;

    if ( !k->rep && st->reps != 1 )
        return fail(p, "store: reps= is for rep string kinds (rep_movsd_m32, "
                    "...), not %s", k->name);
    if ( st->offset + total > SRO_PAGE_SIZE )
        return fail(p, "store: 0x%x + %llu bytes runs past the end of the "
                    "page", st->offset, (unsigned long long)total);
    if ( k->form == SRO_ENC_IMM && st->value.kind != SRO_SCN_CONST )
        return fail(p, "store: %s encodes its value in the instruction: "
                    "value= must be a constant", k->name);
    if ( (k->form == SRO_ENC_IMM || k->form == SRO_ENC_GPR) &&
         k->width < 8 && st->value.kind == SRO_SCN_CONST &&
         st->value.a >> (8 * k->width) )
        return fail(p, "store: value 0x%llx does not fit a %u-byte store",
                    (unsigned long long)st->value.a, k->width);
    if ( st->vcpu >= (int)g->vcpus )
        return fail(p, "store: vcpu=%d but guest '%s' has %u vcpus",
                    st->vcpu, g->name, g->vcpus);
    if ( sro_encode(k, mode, &ops, bytes, msg, sizeof(msg)) < 0 )
        return fail(p, "store: %s (guest '%s')", msg, g->name);
    return 0;
}

/* `store PAGE TARGET KIND [options]`: see docs/scenarios.md 3.5. */
static int kw_store(struct parser *p, char **w, unsigned int n)
{
    const char *usage = "store PAGE TARGET KIND [weight=W] [value=V] "
                        "[reps=N] [vcpu=N] [rip=ADDR]";
    struct sro_scn_store st = { .weight = 1, .reps = 1, .vcpu = -1 };
    uint64_t v;
    int pg;

    if ( n < 4 )
        return fail(p, "usage: %s", usage);
    if ( (pg = find_page(p->s, w[1])) < 0 )
        return fail(p, "store: no page '%s' defined above", w[1]);
    st.page = (unsigned int)pg;
    if ( parse_target(p, &st, w[1], w[2]) )
        return -1;
    if ( !(st.kind = sro_enc_kind(w[3])) )
        return fail(p, "store: unknown instruction kind '%s' (the kinds are "
                    "listed in docs/scenarios.md)", w[3]);
    for ( unsigned int i = 4; i < n; i++ )
    {
        char *val = option_value(w[i]);

        if ( !val )
            return fail(p, "store: '%s' is not an option (usage: %s)", w[i],
                        usage);
        if ( strcmp(w[i], "weight") == 0 )
        {
            if ( number(p, "weight", val, &v) )
                return -1;
            if ( v < 1 || v > 1000000000 )
                return fail(p, "weight=%s: not in 1..10^9", val);
            st.weight = (unsigned int)v;
        }
        else if ( strcmp(w[i], "value") == 0 )
        {
            if ( parse_value(p, val, &st.value) )
                return -1;
        }
        else if ( strcmp(w[i], "reps") == 0 )
        {
            if ( number(p, "reps", val, &v) )
                return -1;
            if ( v < 1 || v > 4096 )
                return fail(p, "reps=%s: not in 1..4096", val);
            st.reps = (unsigned int)v;
        }
        else if ( strcmp(w[i], "vcpu") == 0 )
        {
            if ( number(p, "vcpu", val, &v) )
                return -1;
            if ( v >= MAX_VCPUS )
                return fail(p, "vcpu=%s: out of range", val);
            st.vcpu = (int)v;
        }
        else if ( strcmp(w[i], "rip") == 0 )
        {
            if ( number(p, "rip", val, &st.rip) )
                return -1;
        }
        else
            return fail(p, "store: unknown option '%s' (usage: %s)", w[i],
                        usage);
    }
    if ( check_store(p, &st) )
        return -1;
    st.line = p->line;
    {
        struct sro_scn_store *slot = PUSH(p, stores, nstores);

        if ( !slot )
            return fail(p, "out of memory");
        *slot = st;
    }
    return 0;
}

/* Split a line into words in place; a '#' outside a word ends it.
 * `summary` keeps the rest of the line as one word. */
static unsigned int split(char *line, char **w)
{
    unsigned int n = 0;
    char *c = line;

    for ( ;; )
    {
        while ( *c == ' ' || *c == '\t' || *c == '\r' )
            c++;
        if ( !*c || *c == '#' )
            break;
        if ( n == MAX_WORDS )
            return MAX_WORDS + 1;
        w[n++] = c;
        if ( n == 2 && strcmp(w[0], "summary") == 0 )
        {
            char *end = c + strlen(c);

            while ( end > c && (end[-1] == ' ' || end[-1] == '\t' ||
                                end[-1] == '\r') )
                *--end = '\0';
            break;
        }
        while ( *c && *c != ' ' && *c != '\t' && *c != '\r' )
            c++;
        if ( *c )
            *c++ = '\0';
    }
    return n;
}

/* One line: split it and hand it to its keyword. */
static int parse_line(struct parser *p, char *line)
{
    char *w[MAX_WORDS + 1];
    unsigned int n = split(line, w);

    if ( n == 0 )
        return 0;
    if ( n > MAX_WORDS )
        return fail(p, "too many words on one line");
    if ( !p->s->name[0] && strcmp(w[0], "scenario") != 0 )
        return fail(p, "a scenario starts with 'scenario NAME'");
    if ( strcmp(w[0], "scenario") == 0 )
        return kw_scenario(p, w, n);
    if ( strcmp(w[0], "summary") == 0 )
    {
        if ( n < 2 )
            return fail(p, "usage: summary TEXT");
        snprintf(p->s->summary, sizeof(p->s->summary), "%s", w[1]);
        return 0;
    }
    if ( strcmp(w[0], "xen") == 0 || strcmp(w[0], "cpus") == 0 ||
         strcmp(w[0], "groups") == 0 || strcmp(w[0], "seed") == 0 ||
         strcmp(w[0], "noise") == 0 || strcmp(w[0], "migrate") == 0 ||
         strcmp(w[0], "gap") == 0 )
        return kw_setting(p, w, n);
    if ( strcmp(w[0], "protect") == 0 )
        return kw_protect(p, w, n);
    if ( strcmp(w[0], "ro-pages") == 0 )
        return kw_ro_pages(p, w, n);
    if ( strcmp(w[0], "guest") == 0 )
        return kw_guest(p, w, n);
    if ( strcmp(w[0], "page") == 0 )
        return kw_page(p, w, n);
    if ( strcmp(w[0], "reg") == 0 )
        return kw_reg(p, w, n);
    if ( strcmp(w[0], "store") == 0 )
        return kw_store(p, w, n);
    return fail(p, "unknown keyword '%s'", w[0]);
}

int sro_scenario_parse(const char *text, size_t len, const char *file,
                       struct sro_scenario **out, char *err, size_t errlen)
{
    struct parser p = { .file = file, .err = err, .errlen = errlen };
    const char *end = text + len, *c = text;
    char buf[1024];

    *out = NULL;
    if ( !(p.s = calloc(1, sizeof(*p.s))) || !(p.s->file = strdup(file)) )
    {
        sro_scenario_free(p.s);
        snprintf(err, errlen, "%s: out of memory", file);
        return -1;
    }
    p.s->cpus = 4;
    p.s->groups = 2000;
    p.s->seed = 1;
    p.s->noise = 1.0;
    p.s->migrate = 0.02;
    p.s->gap = 150000;
    while ( c < end && !p.failed )
    {
        const char *nl = memchr(c, '\n', (size_t)(end - c));
        size_t n = (size_t)((nl ? nl : end) - c);

        p.line++;
        if ( n >= sizeof(buf) )
        {
            fail(&p, "line longer than %zu bytes", sizeof(buf) - 1);
            break;
        }
        if ( memchr(c, '\0', n) )
        {
            fail(&p, "NUL byte in a text file");
            break;
        }
        memcpy(buf, c, n);
        buf[n] = '\0';
        parse_line(&p, buf);
        c = nl ? nl + 1 : end;
    }
    if ( !p.failed )
    {
        p.line++;                   /* "the end of the file" */
        if ( !p.s->name[0] )
            fail(&p, "empty scenario: it starts with 'scenario NAME'");
        else if ( p.s->nstores == 0 )
            fail(&p, "scenario '%s' has no 'store' line: nothing would "
                 "fault", p.s->name);
    }
    if ( p.failed )
    {
        sro_scenario_free(p.s);
        return -1;
    }
    *out = p.s;
    return 0;
}

int sro_scenario_load(const char *path, struct sro_scenario **out,
                      char *err, size_t errlen)
{
    size_t len;
    char *text = textfile_read(path, 0, false, &len, err, errlen);
    int rc;

    *out = NULL;
    if ( !text )
        return -1;
    rc = sro_scenario_parse(text, len, path, out, err, errlen);
    free(text);
    return rc;
}

void sro_scenario_free(struct sro_scenario *s)
{
    if ( !s )
        return;
    free(s->file);
    free(s->protects);
    free(s->ro_pages);
    free(s->guests);
    free(s->pages);
    free(s->regs);
    free(s->stores);
    free(s);
}

int sro_scenario_reg_at(const struct sro_scenario *s, unsigned int page,
                        unsigned int offset)
{
    for ( unsigned int i = 0; i < s->nregs; i++ )
        if ( s->regs[i].page == page && offset >= s->regs[i].offset &&
             offset < (unsigned int)s->regs[i].offset + s->regs[i].width )
            return (int)i;
    return -1;
}

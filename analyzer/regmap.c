/*
 * regmap.c - parse register map files, flatten maps, name accesses.
 *
 * Parsing keeps each map as the list of declarations its file made
 * (registers, arrays of registers, includes of other maps). A map is
 * flattened the first time someone asks for it: includes are resolved by
 * name within the set (so a map may include one from another file loaded
 * into the same set), arrays are expanded, and the instances are sorted
 * and checked for overlaps. Flattened maps are a few thousand entries at
 * most (1024 xHCI interrupters of 5 registers), so a plain sorted array
 * and binary search are all the structure needed.
 *
 * The format is described in docs/regmaps.md; every error names the file
 * and line.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "regmap.h"
#include "util/xalloc.h"
#include "util/textfile.h"

/* Arrays may repeat a register set at most this often (MSI-X: 2048). */
#define REGMAP_MAX_COUNT   4096
/* Register instances a flattened map may hold (an xHCI BAR: ~2000). */
#define REGMAP_MAX_INSTS   (1u << 20)
#define REGMAP_MAX_LINE    1024

enum decl_kind { DECL_REG, DECL_ARRAY, DECL_INCLUDE };

/* One declaration of a map, in file order. */
struct decl {
    enum decl_kind     kind;
    unsigned int       line;
    uint32_t           off;         /* REG: offset; ARRAY/INCLUDE: base */
    struct regmap_reg *reg;         /* REG */
    /* ARRAY: registers relative to each element */
    uint32_t           count, stride;
    int                first;       /* index of element 0 */
    struct decl       *elems;
    unsigned int       nelems, capelems;
    char              *include;     /* INCLUDE: the map's name */
    uint32_t           limit;       /* INCLUDE: bytes kept, 0 = all */
};

struct regmap {
    char               *name;
    char               *kind;
    char               *desc;
    char               *file;
    unsigned int        line;
    bool                hidden;     /* shadowed by a later file's map */
    unsigned int        gen;        /* which load defined it */
    struct decl        *decls;
    unsigned int        ndecls, capdecls;
    /* Filled by flatten(). */
    bool                flat;
    bool                flattening; /* include loop detection */
    struct regmap_inst *insts;
    unsigned int        ninsts, capinsts;
};

struct regmap_set {
    struct regmap **maps;
    unsigned int    n, cap;
    unsigned int    gen;            /* loads so far */
};

/* Grow *arr (elements of size sz) so that index *n is usable. */
static void *grow(void *arr, unsigned int n, unsigned int *cap, size_t sz)
{
    if ( n < *cap )
        return arr;
    *cap = *cap ? *cap * 2 : 8;
    return xrealloc(arr, (size_t)*cap * sz);
}

struct regmap_set *regmap_set_new(void)
{
    struct regmap_set *s = xrealloc(NULL, sizeof(*s));

    memset(s, 0, sizeof(*s));
    return s;
}

static void reg_free(struct regmap_reg *r)
{
    if ( !r )
        return;
    for ( unsigned int i = 0; i < r->nfields; i++ )
    {
        free(r->fields[i].name);
        free(r->fields[i].desc);
    }
    free(r->fields);
    free(r->name);
    free(r->desc);
    free(r);
}

static void decl_free(struct decl *d)
{
    reg_free(d->reg);
    for ( unsigned int i = 0; i < d->nelems; i++ )
        decl_free(&d->elems[i]);
    free(d->elems);
    free(d->include);
}

static void map_free(struct regmap *m)
{
    for ( unsigned int i = 0; i < m->ndecls; i++ )
        decl_free(&m->decls[i]);
    free(m->decls);
    free(m->insts);
    free(m->name);
    free(m->kind);
    free(m->desc);
    free(m->file);
    free(m);
}

void regmap_set_free(struct regmap_set *s)
{
    if ( !s )
        return;
    for ( unsigned int i = 0; i < s->n; i++ )
        map_free(s->maps[i]);
    free(s->maps);
    free(s);
}

/* ---- Parsing ---- */

struct parser {
    const char        *path;
    unsigned int       line;
    char              *err;
    size_t             errlen;
    struct regmap     *map;         /* current map */
    struct decl       *array;       /* open array block, or NULL */
    struct regmap_reg *last;        /* register `field` lines attach to */
};

/* Put "FILE:LINE: message" in p->err; returns -1 for `return perr(...)`. */
static int perr(struct parser *p, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
static int perr(struct parser *p, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    textfile_verror(p->err, p->errlen, p->path, p->line, fmt, ap);
    va_end(ap);
    return -1;
}

/* Next whitespace-separated token of *s: returns it NUL-terminated in
 * place (s is writable), or NULL at the end of the line. */
static char *token(char **s)
{
    char *p = *s, *t;

    while ( *p == ' ' || *p == '\t' )
        p++;
    if ( !*p )
    {
        *s = p;
        return NULL;
    }
    t = p;
    while ( *p && *p != ' ' && *p != '\t' )
        p++;
    if ( *p )
        *p++ = '\0';
    *s = p;
    return t;
}

/* The rest of the line, trimmed; NULL if empty. */
static char *rest(char *s)
{
    size_t n;

    while ( *s == ' ' || *s == '\t' )
        s++;
    n = strlen(s);
    while ( n && (s[n - 1] == ' ' || s[n - 1] == '\t') )
        s[--n] = '\0';
    return n ? s : NULL;
}

/* A number token (decimal or 0x hex) no larger than max into *out; 0 or
 * -1 with a message naming `what`. */
static int parse_num(struct parser *p, const char *tok, const char *what,
                     uint64_t max, uint64_t *out)
{
    char *end;
    unsigned long long v;

    if ( !tok )
        return perr(p, "missing %s", what);
    if ( !isdigit((unsigned char)tok[0]) )
        return perr(p, "%s '%s' is not a number", what, tok);
    errno = 0;
    v = strtoull(tok, &end, 0);
    if ( errno || *end )
        return perr(p, "%s '%s' is not a number", what, tok);
    if ( v > max )
        return perr(p, "%s %s is over %" PRIu64, what, tok, max);
    *out = v;
    return 0;
}

/* Register and field names: [A-Za-z_][A-Za-z0-9_]*; map names also
 * allow '-' and '.'. */
static int check_name(struct parser *p, const char *tok, const char *what,
                      bool map_name)
{
    if ( !tok )
        return perr(p, "missing %s", what);
    if ( !isalpha((unsigned char)tok[0]) && tok[0] != '_' )
        return perr(p, "%s '%s' must start with a letter or '_'", what, tok);
    for ( const char *c = tok; *c; c++ )
        if ( !isalnum((unsigned char)*c) && *c != '_' &&
             !(map_name && (*c == '-' || *c == '.')) )
            return perr(p, "%s '%s' has a bad character '%c'", what, tok,
                        isprint((unsigned char)*c) ? *c : '?');
    if ( strlen(tok) > 48 )
        return perr(p, "%s '%s' is longer than 48 characters", what, tok);
    return 0;
}

/* A new zeroed declaration at the current line, in the open array block
 * if there is one, else in the current map. */
static struct decl *new_decl(struct parser *p)
{
    struct decl *d;

    if ( p->array )
    {
        struct decl *a = p->array;

        a->elems = grow(a->elems, a->nelems, &a->capelems, sizeof(*d));
        d = &a->elems[a->nelems++];
    }
    else
    {
        struct regmap *m = p->map;

        m->decls = grow(m->decls, m->ndecls, &m->capdecls, sizeof(*d));
        d = &m->decls[m->ndecls++];
    }
    memset(d, 0, sizeof(*d));
    d->line = p->line;
    return d;
}

/* map NAME KIND [description]: start a map (shadowing one of that name
 * from an earlier load). */
static int parse_map(struct parser *p, struct regmap_set *s, char *line,
                     const char **first)
{
    char *name = token(&line), *kind;
    struct regmap *m;

    if ( p->array )
        return perr(p, "'map' inside an array block (missing 'end')");
    if ( check_name(p, name, "map name", true) )
        return -1;
    kind = token(&line);
    if ( !kind )
        return perr(p, "map %s: missing device kind", name);
    for ( unsigned int i = 0; i < s->n; i++ )
    {
        if ( s->maps[i]->hidden || strcmp(s->maps[i]->name, name) )
            continue;
        if ( s->maps[i]->gen == s->gen )
            return perr(p, "map %s is already defined at line %u", name,
                        s->maps[i]->line);
        /* A later file's map shadows the earlier one of that name. */
        s->maps[i]->hidden = true;
    }
    m = xrealloc(NULL, sizeof(*m));
    memset(m, 0, sizeof(*m));
    m->name = xstrdup(name);
    m->kind = xstrdup(kind);
    line = rest(line);
    m->desc = line ? xstrdup(line) : NULL;
    m->file = xstrdup(p->path);
    m->line = p->line;
    m->gen = s->gen;
    s->maps = grow(s->maps, s->n, &s->cap, sizeof(*s->maps));
    s->maps[s->n++] = m;
    p->map = m;
    p->last = NULL;
    if ( first && !*first )
        *first = m->name;
    return 0;
}

/* OFFSET SIZE NAME [description]: one register of the map or array. */
static int parse_reg(struct parser *p, const char *offtok, char *line)
{
    uint64_t off, size;
    char *name, *desc;
    struct regmap_reg *r;
    struct decl *d;

    if ( parse_num(p, offtok, "offset", UINT32_MAX, &off) )
        return -1;
    if ( parse_num(p, token(&line), "size", 4096, &size) )
        return -1;
    if ( size == 0 )
        return perr(p, "size 0");
    name = token(&line);
    if ( check_name(p, name, "register name", false) )
        return -1;
    if ( off + size > UINT32_MAX )
        return perr(p, "register %s ends beyond 4 GiB", name);
    if ( p->array && off + size > p->array->stride )
        return perr(p, "register %s (0x%" PRIx64 "+%" PRIu64 ") does not "
                    "fit in the array stride 0x%" PRIx32, name, off, size,
                    p->array->stride);
    desc = rest(line);
    r = xrealloc(NULL, sizeof(*r));
    memset(r, 0, sizeof(*r));
    r->name = xstrdup(name);
    r->desc = desc ? xstrdup(desc) : NULL;
    r->size = (uint32_t)size;
    r->line = p->line;
    d = new_decl(p);
    d->kind = DECL_REG;
    d->off = (uint32_t)off;
    d->reg = r;
    p->last = r;
    return 0;
}

/* BITS: "N" or "HI:LO". */
static int parse_field(struct parser *p, char *line)
{
    char *bits = token(&line), *name, *colon, *desc;
    uint64_t hi, lo;
    struct regmap_reg *r = p->last;
    struct regmap_field *f;

    if ( !r )
        return perr(p, "'field' before any register");
    if ( !bits )
        return perr(p, "missing field bits");
    colon = strchr(bits, ':');
    if ( colon )
    {
        *colon = '\0';
        if ( parse_num(p, bits, "field high bit", 63, &hi) ||
             parse_num(p, colon + 1, "field low bit", 63, &lo) )
            return -1;
        if ( hi < lo )
            return perr(p, "field bits %" PRIu64 ":%" PRIu64 ": the high "
                        "bit comes first", hi, lo);
    }
    else
    {
        if ( parse_num(p, bits, "field bit", 63, &hi) )
            return -1;
        lo = hi;
    }
    if ( hi >= 8u * r->size )
        return perr(p, "field bit %" PRIu64 " is outside the %" PRIu32
                    "-byte register %s", hi, r->size, r->name);
    name = token(&line);
    if ( check_name(p, name, "field name", false) )
        return -1;
    for ( unsigned int i = 0; i < r->nfields; i++ )
        if ( r->fields[i].lo <= hi && lo <= r->fields[i].hi )
            return perr(p, "field %s overlaps field %s of %s", name,
                        r->fields[i].name, r->name);
    r->fields = xrealloc(r->fields, (r->nfields + 1) * sizeof(*f));
    f = &r->fields[r->nfields++];
    f->name = xstrdup(name);
    desc = rest(line);
    f->desc = desc ? xstrdup(desc) : NULL;
    f->lo = (unsigned int)lo;
    f->hi = (unsigned int)hi;
    return 0;
}

/* array OFFSET COUNT STRIDE [FIRST] */
static int parse_array(struct parser *p, char *line)
{
    uint64_t off, count, stride, first = 0;
    char *tok;
    struct decl *d;

    if ( p->array )
        return perr(p, "arrays do not nest");
    if ( parse_num(p, token(&line), "array offset", UINT32_MAX, &off) ||
         parse_num(p, token(&line), "array count", REGMAP_MAX_COUNT, &count) ||
         parse_num(p, token(&line), "array stride", UINT32_MAX, &stride) )
        return -1;
    tok = token(&line);
    if ( tok && parse_num(p, tok, "array first index", 65535, &first) )
        return -1;
    if ( (tok = token(&line)) != NULL )
        return perr(p, "unexpected '%s' after the array's first index", tok);
    if ( count == 0 || stride == 0 )
        return perr(p, "array count and stride must be at least 1");
    if ( off + count * stride > UINT32_MAX )
        return perr(p, "array ends beyond 4 GiB");
    d = new_decl(p);
    d->kind = DECL_ARRAY;
    d->off = (uint32_t)off;
    d->count = (uint32_t)count;
    d->stride = (uint32_t)stride;
    d->first = (int)first;
    p->array = d;
    p->last = NULL;
    return 0;
}

/* include MAP OFFSET [SIZE] */
static int parse_include(struct parser *p, char *line)
{
    char *name = token(&line), *tok;
    uint64_t off, limit = 0;
    struct decl *d;

    if ( p->array )
        return perr(p, "'include' inside an array block");
    if ( check_name(p, name, "included map name", true) )
        return -1;
    if ( parse_num(p, token(&line), "include offset", UINT32_MAX, &off) )
        return -1;
    tok = token(&line);
    if ( tok && parse_num(p, tok, "include size", UINT32_MAX, &limit) )
        return -1;
    if ( tok && limit == 0 )
        return perr(p, "include size 0");
    if ( (tok = token(&line)) != NULL )
        return perr(p, "unexpected '%s' after the include size", tok);
    d = new_decl(p);
    d->kind = DECL_INCLUDE;
    d->off = (uint32_t)off;
    d->limit = (uint32_t)limit;
    d->include = xstrdup(name);
    p->last = NULL;
    return 0;
}

/* One line: dispatch on its first word. 0 or -1 with p->err set. */
static int parse_line(struct parser *p, struct regmap_set *s, char *line,
                      const char **first)
{
    char *kw = token(&line);

    if ( !kw || kw[0] == '#' )
        return 0;
    if ( strcmp(kw, "map") == 0 )
        return parse_map(p, s, line, first);
    if ( !p->map )
        return perr(p, "'%s' before the first 'map' line", kw);
    if ( strcmp(kw, "field") == 0 )
        return parse_field(p, line);
    if ( strcmp(kw, "array") == 0 )
        return parse_array(p, line);
    if ( strcmp(kw, "include") == 0 )
        return parse_include(p, line);
    if ( strcmp(kw, "end") == 0 )
    {
        if ( !p->array )
            return perr(p, "'end' without 'array'");
        if ( p->array->nelems == 0 )
            return perr(p, "empty array block");
        p->array = NULL;
        p->last = NULL;
        return 0;
    }
    if ( isdigit((unsigned char)kw[0]) )
        return parse_reg(p, kw, line);
    return perr(p, "unknown keyword '%s'", kw);
}

int regmap_set_load_string(struct regmap_set *s, const char *path,
                           const char *text, const char **first,
                           char *err, size_t errlen)
{
    struct parser p = { .path = path, .err = err, .errlen = errlen };
    char buf[REGMAP_MAX_LINE];

    if ( first )
        *first = NULL;
    s->gen++;
    while ( *text )
    {
        const char *nl = strchr(text, '\n');
        size_t n = nl ? (size_t)(nl - text) : strlen(text);

        p.line++;
        if ( n >= sizeof(buf) )
            return perr(&p, "line longer than %d bytes", REGMAP_MAX_LINE - 1);
        memcpy(buf, text, n);
        buf[n] = '\0';
        if ( n && buf[n - 1] == '\r' )
            buf[n - 1] = '\0';
        if ( parse_line(&p, s, buf, first) )
            return -1;
        text += n + (nl ? 1 : 0);
    }
    if ( p.array )
    {
        p.line = p.array->line;
        return perr(&p, "array block without 'end'");
    }
    if ( !p.map )
    {
        p.line = 0;
        snprintf(err, errlen, "%s: no 'map' line", path);
        return -1;
    }
    return 0;
}

int regmap_set_load_file(struct regmap_set *s, const char *path,
                         const char **first, char *err, size_t errlen)
{
    char *text = textfile_read(path, 0, true, NULL, err, errlen);
    int rc;

    if ( !text )
        return -1;
    rc = regmap_set_load_string(s, path, text, first, err, errlen);
    free(text);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

int regmap_set_load_dir(struct regmap_set *s, const char *dir,
                        char *err, size_t errlen)
{
    DIR *d = opendir(dir);
    struct dirent *e;
    char **names = NULL;
    unsigned int n = 0, cap = 0;
    int rc = 0;

    if ( !d )
    {
        snprintf(err, errlen, "%s: %s", dir, strerror(errno));
        return -1;
    }
    while ( (e = readdir(d)) != NULL )
    {
        size_t l = strlen(e->d_name);

        if ( l < 5 || strcmp(e->d_name + l - 4, ".map") || e->d_name[0] == '.' )
            continue;
        names = grow(names, n, &cap, sizeof(*names));
        names[n++] = xstrdup(e->d_name);
    }
    closedir(d);
    if ( n )
        qsort(names, n, sizeof(*names), cmp_str);
    for ( unsigned int i = 0; i < n; i++ )
    {
        size_t l = strlen(dir) + strlen(names[i]) + 2;
        char *path = xrealloc(NULL, l);

        snprintf(path, l, "%s/%s", dir, names[i]);
        if ( rc == 0 )
            rc = regmap_set_load_file(s, path, NULL, err, errlen);
        free(path);
        free(names[i]);
    }
    free(names);
    return rc;
}

static bool is_dir(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

int regmap_set_load_path(struct regmap_set *s, const char *path, char *err,
                         size_t errlen)
{
    if ( is_dir(path) )
        return regmap_set_load_dir(s, path, err, errlen);
    return regmap_set_load_file(s, path, NULL, err, errlen);
}

int regmap_set_load_default(struct regmap_set *s, char *err, size_t errlen)
{
    const char *bases[3];
    unsigned int nb = 0;
    char dir[4096];

    bases[nb] = getenv("SROTRACE_DATADIR");
    if ( bases[nb] && *bases[nb] )
        nb++;
#ifdef SROTRACE_DATADIR
    bases[nb++] = SROTRACE_DATADIR;
#endif
#ifdef SROTRACE_SRCDIR
    bases[nb++] = SROTRACE_SRCDIR;
#endif
    for ( unsigned int i = 0; i < nb; i++ )
    {
        snprintf(dir, sizeof(dir), "%s/regmaps", bases[i]);
        if ( is_dir(dir) )
            return regmap_set_load_dir(s, dir, err, errlen);
    }
    return 0;
}

int regmap_set_load_standard(struct regmap_set *s, const char *const *extra,
                             unsigned int n, char *err, size_t errlen)
{
    if ( regmap_set_load_default(s, err, errlen) )
        return -1;
    for ( unsigned int i = 0; i < n; i++ )
        if ( regmap_set_load_path(s, extra[i], err, errlen) )
            return -1;
    return 0;
}

/* ---- Flattening ---- */

static struct regmap *find_map(struct regmap_set *s, const char *name)
{
    for ( unsigned int i = s->n; i-- > 0; )
        if ( !s->maps[i]->hidden && strcmp(s->maps[i]->name, name) == 0 )
            return s->maps[i];
    return NULL;
}

/* Append an instance to m; false if m is full (REGMAP_MAX_INSTS). */
static bool add_inst(struct regmap *m, uint64_t off,
                     const struct regmap_reg *r, int index)
{
    if ( m->ninsts >= REGMAP_MAX_INSTS )
        return false;
    m->insts = grow(m->insts, m->ninsts, &m->capinsts, sizeof(*m->insts));
    m->insts[m->ninsts].off = (uint32_t)off;
    m->insts[m->ninsts].reg = r;
    m->insts[m->ninsts].index = index;
    m->ninsts++;
    return true;
}

static int flatten(struct regmap_set *s, struct regmap *m, char *err,
                   size_t errlen);

/* The message for a map that outgrows REGMAP_MAX_INSTS; returns -1. */
static int too_many(const struct regmap *into, const struct regmap *m,
                    const struct decl *d, char *err, size_t errlen)
{
    snprintf(err, errlen, "%s:%u: map %s would hold more than %u registers",
             m->file, d->line, into->name, REGMAP_MAX_INSTS);
    return -1;
}

/* Append the instances of `m`'s declarations at `base` to `into`. */
static int place(struct regmap_set *s, struct regmap *into,
                 const struct regmap *m, uint64_t base, char *err,
                 size_t errlen)
{
    for ( unsigned int i = 0; i < m->ndecls; i++ )
    {
        const struct decl *d = &m->decls[i];

        if ( base + d->off > UINT32_MAX )
        {
            snprintf(err, errlen, "%s:%u: placed beyond 4 GiB", m->file,
                     d->line);
            return -1;
        }
        switch ( d->kind )
        {
        case DECL_REG:
            if ( !add_inst(into, base + d->off, d->reg, -1) )
                return too_many(into, m, d, err, errlen);
            break;
        case DECL_ARRAY:
            for ( uint32_t k = 0; k < d->count; k++ )
                for ( unsigned int j = 0; j < d->nelems; j++ )
                    if ( !add_inst(into, base + d->off +
                                   (uint64_t)k * d->stride + d->elems[j].off,
                                   d->elems[j].reg, d->first + (int)k) )
                        return too_many(into, m, d, err, errlen);
            break;
        case DECL_INCLUDE:
        {
            struct regmap *sub = find_map(s, d->include);

            if ( !sub )
            {
                snprintf(err, errlen, "%s:%u: include of unknown map '%s'",
                         m->file, d->line, d->include);
                return -1;
            }
            if ( sub->flattening )
            {
                snprintf(err, errlen, "%s:%u: map '%s' includes itself",
                         m->file, d->line, d->include);
                return -1;
            }
            if ( flatten(s, sub, err, errlen) )
                return -1;
            for ( unsigned int k = 0; k < sub->ninsts; k++ )
            {
                uint64_t off = base + d->off + sub->insts[k].off;

                /* A size keeps only the registers wholly inside it. */
                if ( d->limit && (uint64_t)sub->insts[k].off +
                                 sub->insts[k].reg->size > d->limit )
                    continue;
                if ( off > UINT32_MAX )
                {
                    snprintf(err, errlen, "%s:%u: placed beyond 4 GiB",
                             m->file, d->line);
                    return -1;
                }
                if ( !add_inst(into, off, sub->insts[k].reg,
                               sub->insts[k].index) )
                    return too_many(into, m, d, err, errlen);
            }
            break;
        }
        }
    }
    return 0;
}

static int cmp_inst(const void *a, const void *b)
{
    const struct regmap_inst *x = a, *y = b;

    if ( x->off != y->off )
        return x->off < y->off ? -1 : 1;
    return 0;
}

/* Fill m->insts (sorted, checked for overlaps) unless already done.
 * 0, or -1 with "FILE:LINE: what" in err. */
static int flatten(struct regmap_set *s, struct regmap *m, char *err,
                   size_t errlen)
{
    if ( m->flat )
        return 0;
    m->flattening = true;
    m->ninsts = 0;
    if ( place(s, m, m, 0, err, errlen) )
    {
        m->flattening = false;
        return -1;
    }
    m->flattening = false;
    if ( m->ninsts )
        qsort(m->insts, m->ninsts, sizeof(*m->insts), cmp_inst);
    for ( unsigned int i = 1; i < m->ninsts; i++ )
    {
        const struct regmap_inst *a = &m->insts[i - 1], *b = &m->insts[i];
        char na[64], nb[64];

        if ( (uint64_t)a->off + a->reg->size <= b->off )
            continue;
        regmap_inst_name(a, na, sizeof(na));
        regmap_inst_name(b, nb, sizeof(nb));
        snprintf(err, errlen, "%s:%u: map %s: %s at 0x%" PRIx32 " overlaps "
                 "%s at 0x%" PRIx32 " (line %u)", m->file, b->reg->line,
                 m->name, nb, b->off, na, a->off, a->reg->line);
        return -1;
    }
    m->flat = true;
    return 0;
}

const struct regmap *regmap_set_find(struct regmap_set *s, const char *name,
                                     char *err, size_t errlen)
{
    struct regmap *m = find_map(s, name);

    if ( !m )
    {
        snprintf(err, errlen, "no register map called '%s'", name);
        return NULL;
    }
    return flatten(s, m, err, errlen) ? NULL : m;
}

unsigned int regmap_set_count(const struct regmap_set *s)
{
    return s->n;
}

const char *regmap_set_name(const struct regmap_set *s, unsigned int i)
{
    return i < s->n && !s->maps[i]->hidden ? s->maps[i]->name : NULL;
}

const struct regmap *regmap_set_resolve(struct regmap_set *s,
                                        const char *name_or_file,
                                        char *err, size_t errlen)
{
    size_t l = strlen(name_or_file);
    const char *first;

    if ( !strchr(name_or_file, '/') &&
         !(l > 4 && strcmp(name_or_file + l - 4, ".map") == 0) )
        return regmap_set_find(s, name_or_file, err, errlen);
    if ( regmap_set_load_file(s, name_or_file, &first, err, errlen) )
        return NULL;
    return regmap_set_find(s, first, err, errlen);
}

/* ---- Queries ---- */

const char *regmap_name(const struct regmap *m) { return m->name; }
const char *regmap_kind(const struct regmap *m) { return m->kind; }
const char *regmap_desc(const struct regmap *m) { return m->desc; }

uint32_t regmap_extent(const struct regmap *m)
{
    uint64_t end = 0;

    for ( unsigned int i = 0; i < m->ninsts; i++ )
        if ( (uint64_t)m->insts[i].off + m->insts[i].reg->size > end )
            end = (uint64_t)m->insts[i].off + m->insts[i].reg->size;
    return end > UINT32_MAX ? UINT32_MAX : (uint32_t)end;
}

const struct regmap_inst *regmap_insts(const struct regmap *m,
                                       unsigned int *n)
{
    *n = m->ninsts;
    return m->insts;
}

/* Index of the last instance starting at or before off, or -1. */
static long last_at_or_before(const struct regmap *m, uint64_t off)
{
    long lo = 0, hi = (long)m->ninsts - 1, best = -1;

    while ( lo <= hi )
    {
        long mid = lo + (hi - lo) / 2;

        if ( m->insts[mid].off <= off )
        {
            best = mid;
            lo = mid + 1;
        }
        else
            hi = mid - 1;
    }
    return best;
}

const struct regmap_inst *regmap_at(const struct regmap *m, uint64_t off)
{
    long i = last_at_or_before(m, off);

    if ( i < 0 || off >= (uint64_t)m->insts[i].off + m->insts[i].reg->size )
        return NULL;
    return &m->insts[i];
}

void regmap_inst_name(const struct regmap_inst *in, char *buf, size_t buflen)
{
    if ( in->index >= 0 )
        snprintf(buf, buflen, "%s[%d]", in->reg->name, in->index);
    else
        snprintf(buf, buflen, "%s", in->reg->name);
}

unsigned int regmap_describe(const struct regmap *m, uint64_t off,
                             unsigned int len, char *buf, size_t buflen,
                             unsigned int *unknown_bytes)
{
    uint64_t end = off + (len ? len : 1);
    long i = last_at_or_before(m, off);
    const struct regmap_inst *first = NULL, *last = NULL;
    unsigned int n = 0;
    uint64_t covered = 0;

    if ( buflen )
        buf[0] = '\0';
    if ( i < 0 || off >= (uint64_t)m->insts[i].off + m->insts[i].reg->size )
        i++;
    for ( ; i < (long)m->ninsts && m->insts[i].off < end; i++ )
    {
        const struct regmap_inst *in = &m->insts[i];
        uint64_t a = in->off > off ? in->off : off;
        uint64_t b = in->off + (uint64_t)in->reg->size;

        if ( b > end )
            b = end;
        if ( b <= a )
            continue;
        covered += b - a;
        if ( !first )
            first = in;
        last = in;
        n++;
    }
    if ( unknown_bytes )
        *unknown_bytes = (unsigned int)(end - off - covered);
    if ( !first )
        return 0;
    {
        char a[64], b[64];

        regmap_inst_name(first, a, sizeof(a));
        if ( off > first->off )
            snprintf(a + strlen(a), sizeof(a) - strlen(a), "+%" PRIu64,
                     off - first->off);
        if ( n == 1 )
            snprintf(buf, buflen, "%s", a);
        else
        {
            regmap_inst_name(last, b, sizeof(b));
            snprintf(buf, buflen, "%s..%s", a, b);
        }
    }
    return n;
}

void regmap_format_fields(const struct regmap_reg *reg, uint64_t value,
                          char *buf, size_t buflen)
{
    size_t used = 0;

    if ( buflen )
        buf[0] = '\0';
    for ( unsigned int i = 0; i < reg->nfields && used < buflen; i++ )
    {
        const struct regmap_field *f = &reg->fields[i];
        unsigned int w = f->hi - f->lo + 1;
        uint64_t v = value >> f->lo;
        int k;

        if ( w < 64 )
            v &= (UINT64_C(1) << w) - 1;
        if ( !v )
            continue;
        if ( w == 1 )
            k = snprintf(buf + used, buflen - used, "%s%s", used ? " " : "",
                         f->name);
        else
            k = snprintf(buf + used, buflen - used, "%s%s=0x%" PRIx64,
                         used ? " " : "", f->name, v);
        if ( k < 0 )
            break;
        used += (size_t)k;
    }
    if ( used >= buflen && buflen )
        buf[buflen - 1] = '\0';
}

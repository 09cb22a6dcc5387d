/*
 * parse-options.c - see parse-options.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "parse-options.h"

void string_list_add(struct string_list *l, const char *s)
{
    if ( l->n == l->cap )
    {
        unsigned int cap = l->cap ? l->cap * 2 : 4;
        const char **items = realloc(l->items, cap * sizeof(*items));

        if ( !items )
        {
            fprintf(stderr, "srotrace: out of memory\n");
            exit(1);
        }
        l->items = items;
        l->cap = cap;
    }
    l->items[l->n++] = s;
}

void string_list_clear(struct string_list *l)
{
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

int parse_u64(const char *s, uint64_t *out, bool binary)
{
    char *end;
    unsigned long long v;
    uint64_t mul = 1;

    if ( !s || !*s || *s == '-' )
        return -1;
    errno = 0;
    v = strtoull(s, &end, 0);
    if ( errno || end == s )
        return -1;
    switch ( *end )
    {
    case 'k': case 'K': mul = binary ? 1024ull : 1000ull; end++; break;
    case 'm': case 'M': mul = binary ? 1ull << 20 : 1000000ull; end++; break;
    case 'g': case 'G': mul = binary ? 1ull << 30 : 1000000000ull; end++; break;
    }
    if ( *end )
        return -1;
    if ( mul != 1 && v > UINT64_MAX / mul )
        return -1;
    *out = v * mul;
    return 0;
}

static void print_option(FILE *out, const struct option *o)
{
    char buf[64];
    int n = 0;

    if ( o->short_name )
        n += snprintf(buf + n, sizeof(buf) - n, "-%c%s", o->short_name,
                      o->long_name ? ", " : "");
    else
        n += snprintf(buf + n, sizeof(buf) - n, "    ");
    if ( o->long_name )
        n += snprintf(buf + n, sizeof(buf) - n, "--%s", o->long_name);
    if ( o->argh && n < (int)sizeof(buf) )
        snprintf(buf + n, sizeof(buf) - n, " %s", o->argh);
    if ( strlen(buf) > 24 )
        fprintf(out, "    %s\n%30s%s\n", buf, "", o->help);
    else
        fprintf(out, "    %-24s  %s\n", buf, o->help);
}

void usage_with_options_to(FILE *out, const char *const *usage,
                           const struct option *opts)
{
    for ( unsigned int i = 0; usage[i]; i++ )
        fprintf(out, "%s%s\n", i ? "   or: " : "usage: ", usage[i]);
    fputc('\n', out);
    for ( const struct option *o = opts; o->type != OPTION_END; o++ )
    {
        if ( o->type == OPTION_GROUP )
            fprintf(out, "\n%s\n", o->help);
        else
            print_option(out, o);
    }
    print_option(out, &(struct option){ OPTION_BOOL, 'h', "help", NULL,
                                        NULL, "show this help" });
}

static _Noreturn void bad_usage(const char *const *usage, const struct option *opts,
                         const char *fmt, const char *what)
{
    fprintf(stderr, "error: ");
    fprintf(stderr, fmt, what);
    fputc('\n', stderr);
    usage_with_options_to(stderr, usage, opts);
    exit(129);
}

/* Store `arg` into option o; returns 0 or -1 on a malformed value. */
static int set_value(const struct option *o, const char *arg)
{
    uint64_t v;

    switch ( o->type )
    {
    case OPTION_INT:
    {
        char *end;
        long l;

        errno = 0;
        l = strtol(arg, &end, 0);
        if ( errno || end == arg || *end || l < -2147483647L ||
             l > 2147483647L )
            return -1;
        *(int *)o->value = (int)l;
        return 0;
    }
    case OPTION_U64:
        if ( parse_u64(arg, &v, false) )
            return -1;
        *(uint64_t *)o->value = v;
        return 0;
    case OPTION_STRING:
        *(const char **)o->value = arg;
        return 0;
    case OPTION_STRING_LIST:
        string_list_add(o->value, arg);
        return 0;
    default:
        return -1;
    }
}

static const struct option *find_long(const struct option *opts,
                                      const char *name, size_t len,
                                      bool *negated)
{
    *negated = false;
    for ( const struct option *o = opts; o->type != OPTION_END; o++ )
    {
        if ( !o->long_name || o->type == OPTION_GROUP )
            continue;
        if ( strlen(o->long_name) == len &&
             strncmp(o->long_name, name, len) == 0 )
            return o;
        if ( o->type == OPTION_BOOL && len > 3 &&
             strncmp(name, "no-", 3) == 0 &&
             strlen(o->long_name) == len - 3 &&
             strncmp(o->long_name, name + 3, len - 3) == 0 )
        {
            *negated = true;
            return o;
        }
    }
    return NULL;
}

int parse_options(int argc, const char **argv, const struct option *opts,
                  const char *const *usage)
{
    int npos = 0;
    bool only_pos = false;

    for ( int i = 1; i < argc; i++ )
    {
        const char *a = argv[i];

        if ( only_pos || a[0] != '-' || a[1] == '\0' )
        {
            argv[npos++] = a;
            continue;
        }
        if ( strcmp(a, "--") == 0 )
        {
            only_pos = true;
            continue;
        }
        if ( strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0 )
        {
            usage_with_options_to(stdout, usage, opts);
            exit(0);
        }
        if ( a[1] == '-' )
        {
            const char *name = a + 2, *eq = strchr(name, '=');
            size_t len = eq ? (size_t)(eq - name) : strlen(name);
            bool neg;
            const struct option *o = find_long(opts, name, len, &neg);

            if ( !o )
                bad_usage(usage, opts, "unknown option '%s'", a);
            if ( o->type == OPTION_BOOL )
            {
                if ( eq )
                    bad_usage(usage, opts, "option '%s' takes no value",
                                 a);
                *(bool *)o->value = !neg;
                continue;
            }
            if ( !eq && i + 1 >= argc )
                bad_usage(usage, opts, "option '%s' needs a value", a);
            if ( set_value(o, eq ? eq + 1 : argv[++i]) )
                bad_usage(usage, opts, "bad value for option '%s'", a);
            continue;
        }
        /* Short options, possibly bundled: -qv, -oFILE, -o FILE. */
        for ( const char *c = a + 1; *c; c++ )
        {
            const struct option *o = NULL;

            for ( const struct option *p = opts; p->type != OPTION_END; p++ )
                if ( p->short_name == *c && p->type != OPTION_GROUP )
                    o = p;
            if ( !o )
                bad_usage(usage, opts, "unknown switch '%s'",
                             (char[]){ *c, 0 });
            if ( o->type == OPTION_BOOL )
            {
                *(bool *)o->value = true;
                continue;
            }
            if ( c[1] )
            {
                if ( set_value(o, c + 1) )
                    bad_usage(usage, opts, "bad value for switch '%s'",
                                 (char[]){ *c, 0 });
            }
            else
            {
                if ( i + 1 >= argc )
                    bad_usage(usage, opts, "switch '%s' needs a value",
                                 (char[]){ *c, 0 });
                if ( set_value(o, argv[++i]) )
                    bad_usage(usage, opts, "bad value for switch '%s'",
                                 (char[]){ *c, 0 });
            }
            break;
        }
    }
    argv[npos] = NULL;
    return npos;
}

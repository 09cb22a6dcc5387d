/*
 * cmd-decode.c - `srotrace decode`: decode instruction bytes given on the
 * command line and say whether each stores to memory, how wide, whether it
 * reads the destination first and whether it is a string store.
 *
 * Each HEX argument is one instruction's bytes, in any of the spellings
 * people paste: "89 07", "8907", "0x89,0x07", "\x89\x07". The decoding is
 * core/decode.c's (capstone 4.0.2 plus our own store table), the very one
 * the replayer and the synthesizer use. Text output is one aligned line per
 * argument; --json prints one JSON object per line instead. Exit status 1
 * when any argument is not hex or does not decode; the others are printed
 * all the same.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../core/decode.h"
#include "../util/json.h"
#include "../util/parse-options.h"
#include "builtin.h"

static const char *const decode_usage[] = {
    "srotrace decode [--mode 16|32|64] [--json] HEX...",
    NULL
};

/* An x86 instruction is at most 15 bytes. */
#define MAX_BYTES 15

/* One argument and what became of it. */
struct item {
    const char     *arg;                /* as given */
    uint8_t         bytes[MAX_BYTES];
    size_t          n;
    char            error[128];         /* "" unless the hex was bad */
    struct sro_insn insn;
    char            hex[3 * MAX_BYTES]; /* "89 07" */
};

static int hex_digit(int c)
{
    if ( c >= '0' && c <= '9' )
        return c - '0';
    c = tolower(c);
    if ( c >= 'a' && c <= 'f' )
        return c - 'a' + 10;
    return -1;
}

/*
 * Parse arg into it->bytes. Tokens are separated by blanks or commas and
 * may start with 0x or \x; a token is an even number of hex digits, or one
 * digit after 0x/\x ("0x7" is 07). On error fills it->error with what and
 * where (the byte offset in the argument) and returns -1.
 */
static int parse_hex(struct item *it)
{
    const char *a = it->arg;
    size_t i = 0;

    it->n = 0;
    while ( a[i] )
    {
        size_t start, digits;
        bool prefixed = false;

        if ( isspace((unsigned char)a[i]) || a[i] == ',' )
        {
            i++;
            continue;
        }
        if ( (a[i] == '0' || a[i] == '\\') && (a[i + 1] == 'x' ||
                                               a[i + 1] == 'X') )
        {
            i += 2;
            prefixed = true;
        }
        start = i;
        while ( a[i] && hex_digit((unsigned char)a[i]) >= 0 )
            i++;
        digits = i - start;
        if ( a[i] && !isspace((unsigned char)a[i]) && a[i] != ',' &&
             !(a[i] == '\\' && (a[i + 1] == 'x' || a[i + 1] == 'X')) )
        {
            snprintf(it->error, sizeof(it->error),
                     "'%c' at offset %zu is not a hex digit", a[i], i);
            return -1;
        }
        if ( digits == 0 )
        {
            snprintf(it->error, sizeof(it->error),
                     "no hex digits after the prefix at offset %zu", start);
            return -1;
        }
        if ( digits % 2 && !(prefixed && digits == 1) )
        {
            snprintf(it->error, sizeof(it->error),
                     "odd number of hex digits at offset %zu", start);
            return -1;
        }
        for ( size_t k = start; k < i; k += 2 )
        {
            unsigned int v;

            if ( it->n == MAX_BYTES )
            {
                snprintf(it->error, sizeof(it->error),
                         "more than %d bytes at offset %zu (an x86 "
                         "instruction has at most %d)", MAX_BYTES, k,
                         MAX_BYTES);
                return -1;
            }
            if ( digits == 1 )
                v = (unsigned int)hex_digit((unsigned char)a[k]);
            else
                v = (unsigned int)(hex_digit((unsigned char)a[k]) << 4 |
                                   hex_digit((unsigned char)a[k + 1]));
            it->bytes[it->n++] = (uint8_t)v;
        }
    }
    if ( it->n == 0 )
    {
        snprintf(it->error, sizeof(it->error), "no bytes");
        return -1;
    }
    return 0;
}

/* it->hex = the bytes as "89 07". */
static void format_hex(struct item *it)
{
    size_t used = 0;

    it->hex[0] = '\0';
    for ( size_t k = 0; k < it->n && used < sizeof(it->hex); k++ )
        used += (size_t)snprintf(it->hex + used, sizeof(it->hex) - used,
                                 "%s%02x", k ? " " : "", it->bytes[k]);
}

/* "store width=4 rmw locked", or "no store": the semantics in words. */
static void describe(const struct sro_insn *in, char *buf, size_t len)
{
    if ( !in->store )
        snprintf(buf, len, "no store");
    else
        snprintf(buf, len, "store width=%u%s%s%s%s%s",
                 (unsigned int)in->store_bytes, in->rmw ? " rmw" : "",
                 in->string ? " string" : "", in->rep ? " rep" : "",
                 in->locked ? " locked" : "", in->stack ? " stack" : "");
}

/* One line per argument: bytes, text, semantics and kind in columns. */
static void print_text(const struct item *items, unsigned int n)
{
    int wbytes = 0, wtext = 0, wwhat = 0;
    char what[96];

    for ( unsigned int i = 0; i < n; i++ )
    {
        const struct item *it = &items[i];

        if ( it->error[0] )
            continue;
        if ( (int)strlen(it->hex) > wbytes )
            wbytes = (int)strlen(it->hex);
        if ( !it->insn.valid )
            continue;
        describe(&it->insn, what, sizeof(what));
        if ( (int)strlen(it->insn.text) > wtext )
            wtext = (int)strlen(it->insn.text);
        if ( (int)strlen(what) > wwhat )
            wwhat = (int)strlen(what);
    }
    for ( unsigned int i = 0; i < n; i++ )
    {
        const struct item *it = &items[i];

        if ( it->error[0] )
            printf("%-*s  invalid: %s\n", wbytes, it->arg, it->error);
        else if ( !it->insn.valid )
            printf("%-*s  invalid: %s\n", wbytes, it->hex, it->insn.text);
        else
        {
            describe(&it->insn, what, sizeof(what));
            printf("%-*s  %-*s  %-*s  %s\n", wbytes, it->hex, wtext,
                   it->insn.text, wwhat, what, it->insn.kind);
        }
    }
}

static void print_json(const struct item *items, unsigned int n,
                       unsigned int mode)
{
    for ( unsigned int i = 0; i < n; i++ )
    {
        const struct item *it = &items[i];
        const struct sro_insn *in = &it->insn;
        struct json j;

        json_init(&j, stdout, false);
        json_object_begin(&j);
        json_kv_string(&j, "bytes", it->error[0] ? it->arg : it->hex);
        json_kv_uint(&j, "mode", mode);
        json_kv_bool(&j, "valid", !it->error[0] && in->valid);
        json_kv_uint(&j, "length", it->error[0] ? 0 : in->length);
        json_kv_string(&j, "text", it->error[0] ? it->error : in->text);
        json_kv_string(&j, "kind", it->error[0] ? "invalid" : in->kind);
        json_kv_bool(&j, "store", in->store);
        json_kv_bool(&j, "rmw", in->rmw);
        json_kv_uint(&j, "width", in->store ? in->store_bytes : 0);
        json_kv_bool(&j, "string", in->string);
        json_kv_bool(&j, "rep", in->rep);
        json_kv_bool(&j, "locked", in->locked);
        json_kv_bool(&j, "stack", in->stack);
        json_object_end(&j);
        json_end(&j);
    }
}

int cmd_decode(int argc, const char **argv)
{
    int mode = 64;
    bool as_json = false;
    const struct option options[] = {
        OPT_INT('m', "mode", &mode, "16|32|64",
                "code size of the instructions (default 64)"),
        OPT_BOOL('j', "json", &as_json,
                 "one JSON object per instruction, one per line"),
        OPT_END(),
    };
    struct sro_decoder *d;
    struct item *items;
    int n, rc = SRO_EXIT_OK;

    n = parse_options(argc, argv, options, decode_usage);
    if ( mode != 16 && mode != 32 && mode != 64 )
    {
        fprintf(stderr, "srotrace decode: --mode must be 16, 32 or 64, not "
                        "%d\n", mode);
        return 129;
    }
    if ( n == 0 )
    {
        usage_with_options_to(stderr, decode_usage, options);
        return 129;
    }
    items = calloc((size_t)n, sizeof(*items));
    d = sro_decoder_new(64);
    if ( !items || !d )
    {
        fprintf(stderr, "srotrace decode: out of memory\n");
        free(items);
        sro_decoder_free(d);
        return SRO_EXIT_ERROR;
    }

    for ( int i = 0; i < n; i++ )
    {
        struct item *it = &items[i];

        it->arg = argv[i];
        if ( parse_hex(it) < 0 )
        {
            fprintf(stderr, "srotrace decode: argument %d ('%s'): %s\n",
                    i + 1, it->arg, it->error);
            rc = SRO_EXIT_ERROR;
            continue;
        }
        format_hex(it);
        if ( sro_decode(d, it->bytes, it->n, (unsigned int)mode,
                        &it->insn) < 0 )
            rc = SRO_EXIT_ERROR;
    }

    if ( as_json )
        print_json(items, (unsigned int)n, (unsigned int)mode);
    else
        print_text(items, (unsigned int)n);
    sro_decoder_free(d);
    free(items);
    return rc;
}

/*
 * json.c - see json.h.
 */
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "escape.h"
#include "json.h"

void json_init(struct json *j, FILE *out, bool pretty)
{
    memset(j, 0, sizeof(*j));
    j->out = out;
    j->pretty = pretty;
    j->first[0] = true;
}

static void indent(struct json *j)
{
    if ( !j->pretty )
        return;
    fputc('\n', j->out);
    for ( int i = 0; i < j->depth; i++ )
        fputs(" ", j->out);
}

/* Before any value or key: comma and indentation as needed. */
static void before_value(struct json *j)
{
    if ( j->after_key )
    {
        j->after_key = false;
        return;
    }
    if ( !j->first[j->depth] )
        fputc(',', j->out);
    j->first[j->depth] = false;
    if ( j->depth > 0 )
        indent(j);
}

static void open_(struct json *j, char c)
{
    before_value(j);
    fputc(c, j->out);
    if ( j->depth < JSON_MAX_DEPTH - 1 )
        j->depth++;
    j->first[j->depth] = true;
}

static void close_(struct json *j, char c)
{
    bool empty = j->first[j->depth];

    if ( j->depth > 0 )
        j->depth--;
    if ( !empty )
        indent(j);
    fputc(c, j->out);
}

void json_object_begin(struct json *j) { open_(j, '{'); }
void json_object_end(struct json *j)   { close_(j, '}'); }
void json_array_begin(struct json *j)  { open_(j, '['); }
void json_array_end(struct json *j)    { close_(j, ']'); }

void json_escape(FILE *out, const char *str, size_t n)
{
    const unsigned char *s = (const unsigned char *)str;

    fputc('"', out);
    for ( size_t i = 0; i < n; )
    {
        unsigned char c = s[i];
        size_t u;

        switch ( c )
        {
        case '"':  fputs("\\\"", out); i++; continue;
        case '\\': fputs("\\\\", out); i++; continue;
        case '\n': fputs("\\n", out); i++; continue;
        case '\r': fputs("\\r", out); i++; continue;
        case '\t': fputs("\\t", out); i++; continue;
        case '<':  fputs("\\u003c", out); i++; continue; /* safe in HTML */
        case '>':  fputs("\\u003e", out); i++; continue;
        case '&':  fputs("\\u0026", out); i++; continue;
        }
        if ( c < 0x20 || c == 0x7f )
        {
            fprintf(out, "\\u%04x", c);
            i++;
            continue;
        }
        u = utf8_seq_len(s + i, n - i);
        if ( u == 0 )
        {
            /* Not UTF-8: keep the byte visible as a code point. */
            fprintf(out, "\\u%04x", c);
            i++;
            continue;
        }
        fwrite(s + i, 1, u, out);
        i += u;
    }
    fputc('"', out);
}

void json_key(struct json *j, const char *key)
{
    before_value(j);
    json_escape(j->out, key, strlen(key));
    fputs(j->pretty ? ": " : ":", j->out);
    j->after_key = true;
}

void json_stringn(struct json *j, const char *s, size_t n)
{
    before_value(j);
    json_escape(j->out, s, n);
}

void json_string(struct json *j, const char *s)
{
    if ( !s )
    {
        json_null(j);
        return;
    }
    json_stringn(j, s, strlen(s));
}

void json_int(struct json *j, int64_t v)
{
    before_value(j);
    fprintf(j->out, "%" PRId64, v);
}

void json_uint(struct json *j, uint64_t v)
{
    before_value(j);
    fprintf(j->out, "%" PRIu64, v);
}

void json_double(struct json *j, double v)
{
    before_value(j);
    if ( isfinite(v) )
        fprintf(j->out, "%.6g", v);
    else
        fputs("null", j->out);
}

void json_bool(struct json *j, bool v)
{
    before_value(j);
    fputs(v ? "true" : "false", j->out);
}

void json_null(struct json *j)
{
    before_value(j);
    fputs("null", j->out);
}

void json_hex(struct json *j, uint64_t v)
{
    before_value(j);
    fprintf(j->out, "\"0x%" PRIx64 "\"", v);
}

void json_end(struct json *j)
{
    fputc('\n', j->out);
}

void json_kv_string(struct json *j, const char *k, const char *v)
{
    json_key(j, k);
    json_string(j, v);
}

void json_kv_int(struct json *j, const char *k, int64_t v)
{
    json_key(j, k);
    json_int(j, v);
}

void json_kv_uint(struct json *j, const char *k, uint64_t v)
{
    json_key(j, k);
    json_uint(j, v);
}

void json_kv_bool(struct json *j, const char *k, bool v)
{
    json_key(j, k);
    json_bool(j, v);
}

void json_kv_double(struct json *j, const char *k, double v)
{
    json_key(j, k);
    json_double(j, v);
}

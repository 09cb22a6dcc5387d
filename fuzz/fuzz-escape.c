/*
 * fuzz-escape.c - the output escapers (util/escape.h, util/json.h):
 * what stands between a hostile device or file name and the HTML report,
 * a CSV row, a JSON document or a terminal.
 *
 * The input is one string (bytes up to the first NUL; json_stringn() gets
 * every byte, NULs included). Each escaper writes it into a memory stream
 * and the result is parsed back here, independently:
 *
 *   html_escape  no < > " ' in the output, & only as an entity, no
 *                control character but tab and newline, valid UTF-8;
 *                when the input is valid UTF-8 without other controls,
 *                decoding the entities gives the input back;
 *   csv_field    one RFC 4180 field: unquoted only if it holds no comma,
 *                quote, control or edge space, and parsing it gives the
 *                input back, with a ' in front when the input starts
 *                like a spreadsheet formula (= + - @ tab CR);
 *   json_stringn one JSON string literal, no raw control character, only
 *                valid escapes; decoding gives the input back when it is
 *                valid UTF-8;
 *   term_clean   terminated within its buffer, no control character,
 *                valid UTF-8, one column per code point.
 */
#include <stdbool.h>
#include <string.h>

#include "util/escape.h"
#include "fuzz.h"
#include "util/json.h"

/* Is s[0..n) valid UTF-8 (the strict reading of escape.c: no overlongs,
 * surrogates or C1 controls)? */
static bool valid_utf8(const unsigned char *s, size_t n)
{
    for ( size_t i = 0; i < n; )
    {
        size_t u = utf8_seq_len(s + i, n - i);

        if ( u == 0 )
            return false;
        i += u;
    }
    return true;
}

static bool has_controls(const unsigned char *s, size_t n, bool tab_nl_ok)
{
    for ( size_t i = 0; i < n; i++ )
        if ( (s[i] < 0x20 && !(tab_nl_ok && (s[i] == '\t' || s[i] == '\n')))
             || s[i] == 0x7f )
            return true;
    return false;
}

/* Run fn(stream, arg) into a malloc'd buffer; *len its length. */
static char *capture(void (*fn)(FILE *, const void *, size_t),
                     const void *arg, size_t n, size_t *len)
{
    char *buf = NULL;
    FILE *f = open_memstream(&buf, len);

    FUZZ_CHECK(f != NULL, "open_memstream failed");
    fn(f, arg, n);
    fclose(f);
    return buf;
}

static void do_html(FILE *f, const void *s, size_t n)
{
    (void)n;
    html_escape(f, s);
}

static void do_csv(FILE *f, const void *s, size_t n)
{
    (void)n;
    csv_field(f, s);
}

static void do_json(FILE *f, const void *s, size_t n)
{
    struct json j;

    json_init(&j, f, false);
    json_stringn(&j, s, n);
}

static void check_html(const char *in)
{
    size_t n = strlen(in), len, o = 0;
    char *out = capture(do_html, in, n, &len), *dec = malloc(len + 1);

    FUZZ_CHECK(dec != NULL, "out of memory");
    FUZZ_CHECK(!has_controls((const unsigned char *)out, len, true),
               "html: control character in the output");
    FUZZ_CHECK(valid_utf8((const unsigned char *)out, len),
               "html: output is not UTF-8");
    for ( size_t i = 0; i < len; )
    {
        static const struct { const char *ent; char c; } ents[] = {
            { "&amp;", '&' }, { "&lt;", '<' }, { "&gt;", '>' },
            { "&quot;", '"' }, { "&#39;", '\'' }, { "&#xfffd;", 0 },
        };
        bool matched = false;

        FUZZ_CHECK(out[i] != '<' && out[i] != '>' && out[i] != '"' &&
                   out[i] != '\'', "html: raw '%c' at %zu", out[i], i);
        if ( out[i] != '&' )
        {
            dec[o++] = out[i++];
            continue;
        }
        for ( unsigned int e = 0; e < sizeof(ents) / sizeof(ents[0]); e++ )
            if ( strncmp(out + i, ents[e].ent, strlen(ents[e].ent)) == 0 )
            {
                dec[o++] = ents[e].c ? ents[e].c : '?';
                i += strlen(ents[e].ent);
                matched = true;
                break;
            }
        FUZZ_CHECK(matched, "html: '&' not starting an entity at %zu", i);
    }
    dec[o] = '\0';
    if ( valid_utf8((const unsigned char *)in, n) &&
         !has_controls((const unsigned char *)in, n, true) )
        FUZZ_CHECK(strcmp(dec, in) == 0, "html: decodes to something else");
    free(dec);
    free(out);
}

static void check_csv(const char *in)
{
    size_t n = strlen(in), len, o = 0;
    char *out = capture(do_csv, in, n, &len), *dec = malloc(len + 2);
    bool formula = n && strchr("=+-@\t\r", in[0]);

    FUZZ_CHECK(dec != NULL, "out of memory");
    if ( len == 0 || out[0] != '"' )
    {
        /* Unquoted: nothing that would end or split the field. */
        for ( size_t i = 0; i < len; i++ )
            FUZZ_CHECK(out[i] != ',' && out[i] != '"' &&
                       (unsigned char)out[i] >= 0x20,
                       "csv: unquoted field holds 0x%02x",
                       (unsigned char)out[i]);
        FUZZ_CHECK(len == 0 || (out[0] != ' ' && out[len - 1] != ' '),
                   "csv: unquoted edge space");
        FUZZ_CHECK(!formula, "csv: formula left unquoted");
        FUZZ_CHECK(len == n && memcmp(out, in, n) == 0, "csv: changed");
    }
    else
    {
        size_t i = 1;

        for ( ; i < len; i++ )
        {
            if ( out[i] == '"' )
            {
                if ( i + 1 < len && out[i + 1] == '"' )
                {
                    dec[o++] = '"';
                    i++;
                    continue;
                }
                break;              /* the closing quote */
            }
            dec[o++] = out[i];
        }
        FUZZ_CHECK(i == len - 1, "csv: text after the closing quote");
        dec[o] = '\0';
        if ( formula )
            FUZZ_CHECK(dec[0] == '\'' && strcmp(dec + 1, in) == 0,
                       "csv: formula not defused, or changed");
        else
            FUZZ_CHECK(strcmp(dec, in) == 0, "csv: quoted field changed");
    }
    free(dec);
    free(out);
}

static int hexval(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ?
           c - 'a' + 10 : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

static void check_json(const char *in, size_t n)
{
    size_t len, o = 0;
    char *out = capture(do_json, in, n, &len);
    unsigned char *dec = malloc(len * 2 + 1);

    FUZZ_CHECK(dec != NULL, "out of memory");
    FUZZ_CHECK(len >= 2 && out[0] == '"' && out[len - 1] == '"',
               "json: not a string literal");
    for ( size_t i = 1; i < len - 1; i++ )
    {
        unsigned char c = (unsigned char)out[i];

        FUZZ_CHECK(c >= 0x20, "json: raw control 0x%02x at %zu", c, i);
        FUZZ_CHECK(c != '"', "json: unescaped quote at %zu", i);
        if ( c != '\\' )
        {
            dec[o++] = c;
            continue;
        }
        FUZZ_CHECK(i + 1 < len - 1, "json: lone backslash at the end");
        c = (unsigned char)out[++i];
        if ( c == 'u' )
        {
            unsigned int cp = 0;

            FUZZ_CHECK(i + 4 < len - 1, "json: short \\u escape");
            for ( int k = 1; k <= 4; k++ )
            {
                int h = hexval(out[i + k]);

                FUZZ_CHECK(h >= 0, "json: bad hex digit in \\u");
                cp = cp << 4 | (unsigned int)h;
            }
            i += 4;
            /* Only below U+0800 is produced (controls, bytes). */
            if ( cp < 0x80 )
                dec[o++] = (unsigned char)cp;
            else
            {
                FUZZ_CHECK(cp < 0x800, "json: \\u%04x", cp);
                dec[o++] = (unsigned char)(0xc0 | cp >> 6);
                dec[o++] = (unsigned char)(0x80 | (cp & 0x3f));
            }
            continue;
        }
        FUZZ_CHECK(strchr("\"\\/bfnrt", c) != NULL, "json: bad escape \\%c",
                   c);
        dec[o++] = c == 'b' ? '\b' : c == 'f' ? '\f' : c == 'n' ? '\n' :
                   c == 'r' ? '\r' : c == 't' ? '\t' : c;
    }
    if ( valid_utf8((const unsigned char *)in, n) )
        FUZZ_CHECK(o == n && memcmp(dec, in, n) == 0,
                   "json: decodes to something else");
    free(dec);
    free(out);
}

static void check_term(const char *in, size_t buflen)
{
    char *buf = malloc(buflen ? buflen : 1);
    size_t cols, n, cps = 0;

    FUZZ_CHECK(buf != NULL, "out of memory");
    cols = term_clean(buf, buflen, in);
    if ( buflen == 0 )
    {
        FUZZ_CHECK(cols == 0, "term: columns without a buffer");
        free(buf);
        return;
    }
    FUZZ_CHECK(fuzz_terminated(buf, buflen), "term: not terminated");
    n = strlen(buf);
    FUZZ_CHECK(!has_controls((unsigned char *)buf, n, false),
               "term: control character kept");
    FUZZ_CHECK(valid_utf8((unsigned char *)buf, n), "term: not UTF-8");
    for ( size_t i = 0; i < n; i++ )
        cps += ((unsigned char)buf[i] & 0xc0) != 0x80;
    FUZZ_CHECK(cols == cps, "term: %zu columns for %zu code points", cols,
               cps);
    free(buf);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = fuzz_text(data, size);

    FUZZ_CHECK(s != NULL, "out of memory");
    check_html(s);
    check_csv(s);
    check_json((const char *)data, size);
    check_term(s, 1 + (size ? data[0] % 64 : 0));
    check_term(s, strlen(s) + 1);
    free(s);
    return 0;
}

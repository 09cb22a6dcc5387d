/*
 * json.h - a small streaming JSON writer.
 *
 * Keeps a stack of open objects/arrays to place commas, escapes every
 * string (control characters, quotes, backslashes, and non-UTF-8 bytes as
 * \u00XX), so hostile register or device names cannot break the output.
 * Output is compact unless `pretty`.
 */
#ifndef SRO_JSON_H
#define SRO_JSON_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define JSON_MAX_DEPTH 32

struct json {
    FILE    *out;
    bool     pretty;
    int      depth;
    bool     first[JSON_MAX_DEPTH]; /* no member written yet at this depth */
    bool     after_key;             /* a key was written, value expected */
};

void json_init(struct json *j, FILE *out, bool pretty);
void json_object_begin(struct json *j);
void json_object_end(struct json *j);
void json_array_begin(struct json *j);
void json_array_end(struct json *j);
void json_key(struct json *j, const char *key);
void json_string(struct json *j, const char *s);   /* NULL -> null */
void json_stringn(struct json *j, const char *s, size_t n);
void json_int(struct json *j, int64_t v);
void json_uint(struct json *j, uint64_t v);
void json_double(struct json *j, double v);
void json_bool(struct json *j, bool v);
void json_null(struct json *j);
/* A hex string "0x..." (for addresses that exceed 2^53). */
void json_hex(struct json *j, uint64_t v);
/* End the document with a newline. */
void json_end(struct json *j);

/* Shorthands: key + value. */
void json_kv_string(struct json *j, const char *k, const char *v);
void json_kv_int(struct json *j, const char *k, int64_t v);
void json_kv_uint(struct json *j, const char *k, uint64_t v);
void json_kv_bool(struct json *j, const char *k, bool v);
void json_kv_double(struct json *j, const char *k, double v);

/* Write s escaped as a JSON string literal (with quotes) to out. */
void json_escape(FILE *out, const char *s, size_t n);

#endif /* SRO_JSON_H */

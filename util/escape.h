/*
 * escape.h - one escaping function per output language.
 *
 * Everything srotrace prints that came from a database, a plugin or a
 * file (device, register, model and file names, instruction text) goes
 * through
 * one of these, so a hostile string cannot inject markup into the HTML
 * report, split a CSV row, or send escape sequences to a terminal. JSON
 * has its own in util/json.h.
 */
#ifndef SRO_ESCAPE_H
#define SRO_ESCAPE_H

#include <stddef.h>
#include <stdio.h>

/*
 * Write s as HTML text that is also safe inside a double- or single-quoted
 * attribute: & < > " ' become entities; C0 controls other than tab and
 * newline, DEL, C1 controls and bytes that are not UTF-8 become U+FFFD.
 * NULL writes nothing.
 */
void html_escape(FILE *out, const char *s);
void html_escapen(FILE *out, const char *s, size_t n);

/*
 * Write s as one RFC 4180 field: quoted (with "" for ") when it contains
 * a comma, a quote or a control character (CR, LF, ...), or starts or
 * ends with a space. A field
 * starting with = + - @ or a tab (a spreadsheet would run it as a
 * formula) gets a leading ' inside quotes. NULL writes an empty field.
 */
void csv_field(FILE *out, const char *s);

/*
 * Copy s into buf (always NUL-terminated) for a terminal: controls, DEL,
 * C1 controls and bytes that are not UTF-8 become '?'. Returns the number
 * of columns the result takes (one per code point).
 */
size_t term_clean(char *buf, size_t buflen, const char *s);

/* Length of a valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
size_t utf8_seq_len(const unsigned char *s, size_t n);

#endif /* SRO_ESCAPE_H */

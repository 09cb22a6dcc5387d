/*
 * textfile.h - the two things every parser of a text file needs: the
 * whole file in memory, and "FILE:LINE: what" error messages that are
 * safe to print on a terminal.
 *
 * Used by the parsers of protection plans, register maps, device lists,
 * System.map files and scenarios, so that all of them read, bound and
 * complain the same way.
 */
#ifndef SRO_TEXTFILE_H
#define SRO_TEXTFILE_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

/* Largest text file any parser reads whole. */
#define TEXTFILE_MAX_BYTES (64u << 20)

/*
 * Read the file at path whole, into a NUL-terminated buffer the caller
 * frees; *len (may be NULL) gets its length. A file over max bytes (0:
 * TEXTFILE_MAX_BYTES) is refused, and so, when reject_nul, is a NUL byte
 * inside it. On error returns NULL with "PATH: what" (or "PATH: offset N:
 * what") in err.
 */
char *textfile_read(const char *path, size_t max, bool reject_nul,
                    size_t *len, char *err, size_t errlen);

/*
 * Write "NAME:LINE: message" into err (errlen bytes). Characters of the
 * message below 0x20, and DEL, become '?': text quoted from a hostile
 * input must not drive the terminal the message goes to. Returns -1, so
 * that parsers can `return textfile_error(...)`.
 */
int textfile_error(char *err, size_t errlen, const char *name,
                   unsigned int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
int textfile_verror(char *err, size_t errlen, const char *name,
                    unsigned int line, const char *fmt, va_list ap);

#endif /* SRO_TEXTFILE_H */

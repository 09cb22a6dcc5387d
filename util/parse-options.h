/*
 * parse-options.h - command-line options declared as data.
 *
 * Each subcommand starts with a table of struct option; parse_options()
 * walks argv against it and the same table prints --help, so help never
 * drifts from the code (tests/cli/test-man.sh checks that every option of
 * --help is documented in docs/man/). Modelled on perf's and git's.
 */
#ifndef SRO_PARSE_OPTIONS_H
#define SRO_PARSE_OPTIONS_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

enum option_type {
    OPTION_END = 0,
    OPTION_GROUP,       /* a heading in --help */
    OPTION_BOOL,        /* bool *: --x sets true, --no-x sets false */
    OPTION_INT,         /* int * */
    OPTION_U64,         /* uint64_t *, decimal or 0x hex */
    OPTION_STRING,      /* const char ** */
    OPTION_STRING_LIST, /* struct string_list *: repeatable */
};

struct string_list {
    const char **items;
    unsigned int n;
    unsigned int cap;
};
void string_list_add(struct string_list *l, const char *s);
void string_list_clear(struct string_list *l);

struct option {
    enum option_type type;
    int              short_name;  /* 0 if none */
    const char      *long_name;
    void            *value;
    const char      *argh;        /* placeholder in help: "FILE" */
    const char      *help;
};

#define OPT_END()                   { OPTION_END, 0, NULL, NULL, NULL, NULL }
#define OPT_GROUP(h)                { OPTION_GROUP, 0, NULL, NULL, NULL, (h) }
#define OPT_BOOL(s, l, v, h)        { OPTION_BOOL, (s), (l), (v), NULL, (h) }
#define OPT_INT(s, l, v, a, h)      { OPTION_INT, (s), (l), (v), (a), (h) }
#define OPT_U64(s, l, v, a, h)      { OPTION_U64, (s), (l), (v), (a), (h) }
#define OPT_STRING(s, l, v, a, h)   { OPTION_STRING, (s), (l), (v), (a), (h) }
#define OPT_STRING_LIST(s, l, v, a, h) \
    { OPTION_STRING_LIST, (s), (l), (v), (a), (h) }

/*
 * Parse argv[1..] (argv[0] is the subcommand name). Options may come
 * before, between or after positional arguments; "--" ends options; a lone
 * "-" is positional. Positional arguments are compacted into argv[0..n);
 * returns n. On -h/--help prints usage to stdout and exits 0; on a bad
 * option prints usage to stderr and exits 129 (as git does).
 */
int parse_options(int argc, const char **argv, const struct option *opts,
                  const char *const *usage);

/* Print usage lines and the option table. */
void usage_with_options_to(FILE *out, const char *const *usage,
                           const struct option *opts);

/* Parse "123", "0x1f", "1M", "2G" (k/M/G suffix: powers of 1024 when
 * `binary`, else of 1000). Returns 0 or -1. */
int parse_u64(const char *s, uint64_t *out, bool binary);

#endif /* SRO_PARSE_OPTIONS_H */

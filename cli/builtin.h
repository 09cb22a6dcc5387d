/*
 * builtin.h - the subcommands of srotrace, one file each (cli/cmd-*.c).
 *
 * Each cmd_* takes argv with argv[0] = the subcommand name and returns the
 * process exit status: 0 success, 1 error (bad input, I/O), 2 usage is
 * handled by parse_options (129), 3 a --fail-on gate tripped.
 */
#ifndef SRO_BUILTIN_H
#define SRO_BUILTIN_H

#define SRO_EXIT_OK       0
#define SRO_EXIT_ERROR    1
#define SRO_EXIT_GATE     3   /* replay --fail-on, audit gates */

int cmd_record(int argc, const char **argv);
int cmd_runs(int argc, const char **argv);
int cmd_replay(int argc, const char **argv);
int cmd_diff(int argc, const char **argv);
int cmd_report(int argc, const char **argv);
int cmd_audit(int argc, const char **argv);
int cmd_timeline(int argc, const char **argv);
int cmd_devices(int argc, const char **argv);
int cmd_decode(int argc, const char **argv);
int cmd_models(int argc, const char **argv);
int cmd_synth(int argc, const char **argv);

#endif /* SRO_BUILTIN_H */

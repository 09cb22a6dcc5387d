#!/bin/sh
# test-fuzz-regressions.sh - replay every fuzz seed and every saved crash.
#
# `make tests` links each fuzz target (fuzz/fuzz-NAME.c) with
# fuzz/replay-main.c into $SROTRACE_BUILD/fuzz/fuzz-NAME: a plain program,
# under ASan and UBSan in `make test`, that runs each input of
# fuzz/corpus/fuzz-NAME/ (the seeds) and fuzz/regressions/fuzz-NAME/
# (every input that once crashed, broke an invariant or hung) through the
# target once; the reader also gets tests/corpus/*.trace. One TAP line per target: it passes when every input ran
# without a sanitizer report or a broken invariant, within 60 seconds.
# docs/hardening.md says how a crash found by `make fuzz` gets here.
. "$(dirname "$0")/lib.sh"

build=${SROTRACE_BUILD:-$(dirname "$SROTRACE")}
found=0
for src in "$SROTRACE_SRCDIR"/fuzz/fuzz-*.c; do
    name=$(basename "$src" .c)
    bin="$build/fuzz/$name"
    found=$((found + 1))
    if [ ! -x "$bin" ]; then
        not_ok "$name: $bin was built"
        continue
    fi
    set --
    for d in corpus regressions; do
        [ -d "$SROTRACE_SRCDIR/fuzz/$d/$name" ] &&
            set -- "$@" "$SROTRACE_SRCDIR/fuzz/$d/$name"
    done
    # The reader also gets every damaged trace of tests/corpus/.
    [ "$name" = fuzz-reader ] && set -- "$@" "$SROTRACE_SRCDIR"/tests/corpus/*.trace
    if [ $# -eq 0 ]; then
        not_ok "$name: has seeds"
        continue
    fi
    (cd "$SROTRACE_SRCDIR" && timeout 60 "$bin" "$@") >"$T/out" 2>"$T/err"
    rc=$?
    count=$(sed -n 's/^\([0-9]*\) inputs replayed$/\1/p' "$T/out")
    if [ "$rc" -eq 0 ] && [ "${count:-0}" -gt 0 ]; then
        ok "$name: $count inputs replayed"
    else
        not_ok "$name: exit $rc"
        grep -E 'running:|invariant|ERROR|runtime error|SUMMARY' "$T/err" |
            tail -n 6 | sed 's/^/#   /'
    fi
done
check_eq "fuzz targets found" "$([ "$found" -ge 6 ] && echo yes)" yes

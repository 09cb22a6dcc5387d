#!/bin/sh
# run-tests.sh BUILD_DIR - run every unit test binary and every CLI test
# script, and close with one line CI reads: "N passed, N failed".
#
# Unit tests are cmocka binaries ($BUILD/tests/test-*): their own
# "[  PASSED  ] N test(s)." / "[  FAILED  ] N test(s)" lines are summed.
# CLI tests (tests/cli/test-*.sh) print TAP-style "ok"/"not ok" lines
# through tests/cli/lib.sh and are summed the same way.
# A binary that dies without its summary counts as one failure.
set -u
build=${1:?usage: run-tests.sh BUILD_DIR}
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$(cd "$build" && pwd)
export SROTRACE="$build/srotrace"
export SROTRACE_BUILD="$build"
export SROTRACE_SRCDIR="$top"
export SROTRACE_DATADIR="$top"
export SHARED_DIR="${SHARED_DIR:-$top/../shared}"
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=0}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
export TEST_TMPDIR="$tmp"

passed=0
failed=0
failures=""

count() { # name logfile status
    p=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p; s/^ok [0-9]*.*/1/p' "$2" |
        awk '{s+=$1} END {print s+0}')
    f=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p; s/^not ok [0-9]*.*/1/p' "$2" |
        awk '{s+=$1} END {print s+0}')
    if [ "$3" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1     # died without saying which test failed
    fi
    passed=$((passed + p))
    failed=$((failed + f))
    if [ "$f" -ne 0 ]; then
        failures="$failures $1"
        echo "---- $1 (exit $3) ----"
        tail -n 60 "$2"
    fi
    printf '%-40s %4d passed, %d failed\n' "$1" "$p" "$f"
}

only=${TESTS:-}
for t in "$build"/tests/test-*; do
    [ -x "$t" ] || continue
    case "$t" in *.d) continue ;; esac
    name=$(basename "$t")
    [ -n "$only" ] && ! echo "$name" | grep -q "$only" && continue
    log="$tmp/$name.log"
    (cd "$top" && "$t") >"$log" 2>&1
    count "$name" "$log" $?
done
for t in "$here"/cli/test-*.sh; do
    [ -f "$t" ] || continue
    name=$(basename "$t" .sh)
    [ -n "$only" ] && ! echo "$name" | grep -q "$only" && continue
    log="$tmp/$name.log"
    (cd "$top" && sh "$t") >"$log" 2>&1
    count "$name" "$log" $?
done

[ -n "$failures" ] && echo "failed:$failures"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]

#!/bin/sh
# run.sh BUILD SECONDS [JOBS] - run every libFuzzer target of BUILD/fuzz/
# for SECONDS each, JOBS at a time (`make fuzz`; docs/hardening.md).
#
# Each target starts from its committed seeds (fuzz/corpus/NAME; for the
# reader also tests/corpus/) and saved crashes (fuzz/regressions/NAME),
# read-only, and grows a working corpus
# in BUILD/corpus/NAME that later runs start from too. A crash, a leak, a
# timeout (10 s for one input) or an out-of-memory (2 GiB) is written to
# BUILD/crashes/NAME/ and fails the run; the log is BUILD/logs/NAME.log.
# Prints one "ok"/"not ok" line per target, then "N passed, N failed".
set -u
if [ "${1:-}" = "--one" ]; then
    # Internal: run one target (called in parallel through xargs).
    build=$2 secs=$3 name=$4
    bin="$build/fuzz/$name"
    mkdir -p "$build/corpus/$name" "$build/crashes/$name" "$build/logs"
    log="$build/logs/$name.log"
    set -- -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="$build/crashes/$name/"
    [ -f "fuzz/dict/$name.dict" ] && set -- "$@" -dict="fuzz/dict/$name.dict"
    set -- "$@" "$build/corpus/$name"
    [ -d "fuzz/corpus/$name" ] && set -- "$@" "fuzz/corpus/$name"
    [ -d "fuzz/regressions/$name" ] && set -- "$@" "fuzz/regressions/$name"
    # The damaged traces of the corpus test are seeds of the reader too.
    [ "$name" = fuzz-reader ] && set -- "$@" tests/corpus
    start=$(date +%s)
    "$bin" "$@" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
    cov=$(sed -n 's/^#[0-9]*.*DONE *cov: \([0-9]*\).*/\1/p' "$log" | tail -n 1)
    took=$(($(date +%s) - start))
    if [ "$rc" -eq 0 ]; then
        echo "ok - $name: ${runs:-?} inputs in ${took}s, coverage ${cov:-?}"
    else
        echo "not ok - $name: exit $rc after ${took}s (log: $log)"
        grep -E 'ERROR: |invariant broken|SUMMARY|Test unit written' "$log" |
            head -n 8 | sed 's/^/#   /'
        echo "#   reproduce: $bin <crash file>; keep it as a regression:"
        echo "#   cp <crash file> fuzz/regressions/$name/<what-it-is>"
    fi
    exit 0
fi

build=${1:?usage: run.sh BUILD SECONDS [JOBS]}
secs=${2:?usage: run.sh BUILD SECONDS [JOBS]}
jobs=${3:-1}
cd "$(dirname "$0")/.." || exit 1
names=$(for b in "$build"/fuzz/fuzz-*; do
            [ -x "$b" ] && basename "$b"
        done)
[ -n "$names" ] || { echo "run.sh: no fuzz targets in $build/fuzz" >&2; exit 1; }
out=$(mktemp)
trap 'rm -f "$out"' EXIT
echo "fuzzing each target for ${secs}s, $jobs at a time"
printf '%s\n' $names |
    xargs -P "$jobs" -I{} sh fuzz/run.sh --one "$build" "$secs" {} |
    tee "$out"
passed=$(grep -c '^ok' "$out")
failed=$(grep -c '^not ok' "$out")
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]

#!/bin/sh
# test-valgrind.sh - no leak and no memory error on the paths users run.
#
# `valgrind --leak-check=full` (definite, indirect and possible leaks are
# errors; exit 9 on any) over record (a clean capture, a damaged one, a
# pipe), replay (a built-in model, the example plugin, a what-if plan),
# diff, report (text, JSON, HTML), audit (CSV), timeline, runs, devices and
# synth. Valgrind cannot run a binary built with ASan, and `make test`
# builds only build/asan: so when $SROTRACE is sanitized, this test first
# builds a plain one with `make -s O=build/valgrind`. Skipped without
# valgrind.
. "$(dirname "$0")/lib.sh"

if ! command -v valgrind >/dev/null; then
    ok "# SKIP valgrind is missing"
    exit 0
fi
bin=$SROTRACE
plugin="$(dirname "$SROTRACE")/examples/byte-exact.so"
if ldd "$SROTRACE" 2>/dev/null | grep -qE 'lib(a|ub)san'; then
    if (cd "$SROTRACE_SRCDIR" && make -s -j2 O=build/valgrind \
            build/valgrind/srotrace build/valgrind/examples/byte-exact.so) \
            >"$T/make.log" 2>&1; then
        bin=$SROTRACE_SRCDIR/build/valgrind/srotrace
        plugin=$SROTRACE_SRCDIR/build/valgrind/examples/byte-exact.so
    else
        not_ok "built a plain srotrace for valgrind"
        sed 's/^/#   /' "$T/make.log" | tail -n 10
        exit 1
    fi
fi
conf=$SHARED_DIR/conformance
cd "$T" || exit 1

# vg WANT_EXIT WHAT ARGS...: srotrace ARGS under valgrind; passes when it
# exits WANT_EXIT (9 is valgrind's: an error or a leak).
vg() {
    want=$1 what=$2
    shift 2
    valgrind -q --leak-check=full --show-leak-kinds=definite,indirect,possible \
        --errors-for-leak-kinds=definite,indirect,possible --error-exitcode=9 \
        --log-file="$T/vg.log" "$bin" "$@" >"$T/out" 2>"$T/err" <"${VG_IN:-/dev/null}"
    got=$?
    if [ "$got" -eq "$want" ] && ! [ -s "$T/vg.log" ]; then
        ok "valgrind: $what"
    else
        not_ok "valgrind: $what (exit $got, want $want)"
        sed 's/^/#   /' "$T/vg.log" | head -n 30
        sed 's/^/#   stderr: /' "$T/err" | head -n 3
    fi
}

vg 0 "record a capture" record -o v.db "$conf/verdicts-basic.trace"
vg 1 "record a damaged capture" record -o v.db \
    "$SROTRACE_SRCDIR/tests/corpus/window-size-short.trace"
VG_IN="$conf/recorder-basic.trace" vg 0 "record from a pipe" record -o v.db -
vg 0 "replay through a built-in model" replay v.db --run 1 --json --groups
vg 0 "replay through the example plugin" replay v.db --run 1 --model "$plugin"
printf '0xfe100020 32\nwritable 0xfe100028 8\n' >plan.txt
vg 0 "replay with a what-if plan" replay v.db --run 1 --what-if plan.txt
vg 0 "diff two models" diff v.db --model xen-4.20.0 --model xen-4.21
vg 0 "report, text" report v.db
vg 0 "report, JSON and HTML" report v.db --json --html r.html
vg 0 "audit, CSV" audit v.db --run 1 --csv
vg 0 "timeline" timeline v.db --run 1 --domain 1
vg 0 "runs" runs v.db
printf 'DEVICE 0000:00:14.0 "xhci" 8086:a36d 0c0330\nregion 0xfe100000 4K xhci-dbc 0\n' >dev.txt
vg 0 "devices import" devices import dev.txt v.db
vg 0 "synth" synth xhci-dbc -o s.trace --groups 50 -q

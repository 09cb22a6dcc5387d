#!/bin/sh
# test-fuzz.sh - a short libFuzzer run of every target, inside `make test`.
#
# `make test` sets FUZZ_SECONDS (TEST_FUZZ_SECONDS in the Makefile, 15 by
# default: the whole suite stays within minutes on two cores); run
# directly, without it, this test is skipped. It builds the libFuzzer
# targets with clang into build/fuzz and runs fuzz/run.sh: each target for
# FUZZ_SECONDS, FUZZ_JOBS (2) at a time, from its seeds and saved crashes.
# One TAP line per target. `make fuzz` is the same with 60 seconds each;
# docs/hardening.md says what to do with a crash.
. "$(dirname "$0")/lib.sh"

if [ -z "${FUZZ_SECONDS:-}" ]; then
    ok "# SKIP fuzzing: make test sets FUZZ_SECONDS (or run make fuzz)"
    exit 0
fi
cc=${FUZZ_CC:-clang}
if ! command -v "$cc" >/dev/null; then
    ok "# SKIP fuzzing: $cc is missing (scripts/install-deps --test)"
    exit 0
fi
cd "$SROTRACE_SRCDIR" || exit 1
if ! make -s -j2 --no-print-directory O=build/fuzz SAN=fuzz CC="$cc" \
        fuzzers >"$T/make.log" 2>&1; then
    not_ok "the libFuzzer targets build with $cc"
    sed 's/^/#   /' "$T/make.log" | tail -n 15
    exit 1
fi
fuzz/run.sh build/fuzz "$FUZZ_SECONDS" "${FUZZ_JOBS:-2}" >"$T/run.out" 2>&1
while IFS= read -r line; do
    case "$line" in
        "ok - "*)     ok "${line#ok - }" ;;
        "not ok - "*) not_ok "${line#not ok - }" ;;
        "#"*)         echo "$line" ;;
    esac
done <"$T/run.out"

#!/bin/sh
# test-main-job.sh - the README's main job (scripts/main-job, which
# scripts/quickstart runs after building) works on the bundled example and
# shows what it promises: the 4.20.0 offset-0 bug as MISDIRECTED writes
# with register names, their fix in xen-4.21, and an HTML report.
. "$(dirname "$0")/lib.sh"

check "scripts/main-job runs" sh "${SROTRACE_SRCDIR:-.}/scripts/main-job" "$SROTRACE" "$T"
cp "$T/out" "$T/job"
check_grep "the capture is recorded" "run 1: 11288 records, 2000 groups" "$T/job"
check_grep "the device is bound" "imported 1 device, 6 regions" "$T/job"
check_grep "replayed through the model of its Xen" "replayed through xen-4.20.0" "$T/job"
check_grep "the offset-0 bug shows as MISDIRECTED" "MISDIRECTED +1945 " "$T/job"
check_grep "no divergence from the model" "divergences from xen-4.20.0: 0" "$T/job"
check_grep "diff names the fix" "1945 groups: WRITTEN@0 -> WRITTEN, verdict MISDIRECTED -> CORRECT" "$T/job"
check_grep "the report names registers" "DB\[1\] +mov dword ptr" "$T/job"
check_grep "the report has seconds" "complete, [0-9.]+ s \(TSC 2.400 GHz\)" "$T/job"
check "the HTML report exists" test -s "$T/example.html"
check_grep "the HTML report has a heat map" "<svg" "$T/example.html"

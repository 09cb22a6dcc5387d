# lib.sh - helpers for CLI tests, sourced by tests/cli/test-*.sh.
#
# Each check prints one TAP line ("ok N - what" / "not ok N - what") that
# tests/run-tests.sh sums. Environment (set by run-tests.sh):
#   SROTRACE        the binary under test
#   TEST_TMPDIR     a scratch directory removed after the run
#   SHARED_DIR      ../shared (the trace contract and conformance traces)
set -u
: "${SROTRACE:?run through tests/run-tests.sh}"
T=$(mktemp -d "${TEST_TMPDIR:-/tmp}/cli.XXXXXX")
_n=0

ok()     { _n=$((_n + 1)); echo "ok $_n - $*"; }
not_ok() { _n=$((_n + 1)); echo "not ok $_n - $*"; }

# check "what" command...: passes when the command exits 0
check() {
    what=$1; shift
    if "$@" >"$T/out" 2>"$T/err"; then ok "$what"
    else not_ok "$what"; echo "# exit $?"; sed 's/^/# /' "$T/err" | head -20; fi
}

# check_exit N "what" command...: passes when the command exits N
check_exit() {
    want=$1; what=$2; shift 2
    "$@" >"$T/out" 2>"$T/err"; got=$?
    if [ "$got" -eq "$want" ]; then ok "$what"
    else not_ok "$what (exit $got, wanted $want)"; sed 's/^/# /' "$T/err" | head -20; fi
}

# check_grep "what" PATTERN FILE: passes when FILE matches PATTERN
check_grep() {
    if grep -Eq -- "$2" "$3"; then ok "$1"
    else not_ok "$1"; echo "# no match for '$2' in $3:"; head -20 "$3" | sed 's/^/# /'; fi
}

# check_eq "what" GOT WANT
check_eq() {
    if [ "$2" = "$3" ]; then ok "$1"
    else not_ok "$1"; echo "# got:  $2"; echo "# want: $3"; fi
}

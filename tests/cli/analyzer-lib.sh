# analyzer-lib.sh - helpers for the analyzer's CLI tests (test-audit.sh,
# test-report.sh, test-timeline.sh, test-devices.sh, test-html.sh),
# sourced after lib.sh.

# make_fixture_db PATH: a database from schema.sql and
# tests/data/analyzer-fixture.sql (see that file for what it holds).
make_fixture_db() {
    rm -f "$1"
    sqlite3 "$1" <schema.sql &&
    sqlite3 "$1" <tests/data/analyzer-fixture.sql
}

# json FILE EXPR: print the Python expression EXPR over the JSON in FILE (d).
json() {
    python3 -c 'import json, sys
d = json.load(open(sys.argv[1]))
print(eval(sys.argv[2]))' "$1" "$2"
}

# check_same "what" FILE WANT_FILE: passes when the files are identical.
check_same() {
    if cmp -s "$2" "$3"; then ok "$1"
    else not_ok "$1"; diff "$3" "$2" | head -30 | sed 's/^/# /'; fi
}

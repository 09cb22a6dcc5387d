#!/bin/sh
# test-man.sh - every command has a man page, and every long option its
# --help shows is documented there: help and manual never drift apart.
. "$(dirname "$0")/lib.sh"

man=${SROTRACE_SRCDIR:-.}/docs/man
check "srotrace(1) exists" test -s "$man/srotrace.1"
"$SROTRACE" --help > "$T/help"
cmds=$(sed -n 's/^   \([a-z]*\) .*/\1/p' "$T/help")
check "the command list is not empty" test -n "$cmds"
for c in $cmds; do
    page=$man/srotrace-$c.1
    check "srotrace-$c.1 exists" test -s "$page"
    check_grep "srotrace(1) lists $c" "srotrace\\\\-$c" "$man/srotrace.1"
    "$SROTRACE" "$c" --help > "$T/h" 2>&1
    # devices has sub-subcommands with their own options.
    [ "$c" = devices ] && { "$SROTRACE" devices import --help; "$SROTRACE" devices list --help; } >> "$T/h" 2>&1
    missing=""
    for o in $(grep -o -- '--[a-z][a-z0-9-]*' "$T/h" | sort -u); do
        [ "$o" = --help ] && continue
        roff=$(printf '%s' "$o" | sed 's/-/\\\\-/g')
        grep -q -- "$roff" "$page" || grep -q -- "$o" "$page" || missing="$missing $o"
    done
    check_eq "every option of 'srotrace $c --help' is in srotrace-$c.1" "$missing" ""
done

# Every page renders without a groff warning.
if command -v groff >/dev/null 2>&1; then
    for page in "$man"/*.1; do
        check_eq "$(basename "$page") renders cleanly" \
            "$(groff -man -Tutf8 -ww -z "$page" 2>&1)" ""
    done
else
    ok "# SKIP groff is not installed"
fi

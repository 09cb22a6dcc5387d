#!/bin/sh
# test-install.sh - `make install` puts the binary, schema, register maps,
# scenarios and man pages where it says, and the installed binary finds
# its scenarios and maps from there.
. "$(dirname "$0")/lib.sh"

src=${SROTRACE_SRCDIR:-.}
dest="$T/root"
# -o: install the binary under test as it is; never relink it here (the
# suite's binary may be a sanitizer build this make call knows nothing of).
check "make install" make -s -C "$src" install O="$SROTRACE_BUILD" \
    -o "$SROTRACE_BUILD/srotrace" PREFIX=/usr DESTDIR="$dest"
for f in bin/srotrace share/srotrace/schema.sql share/srotrace/regmaps/xhci-dbc.map \
         share/srotrace/regmaps/msix.map share/srotrace/scenarios/xhci-dbc.scn \
         share/man/man1/srotrace.1 share/man/man1/srotrace-replay.1; do
    check "installs $f" test -s "$dest/usr/$f"
done
check_eq "the installed schema is schema.sql" \
    "$(cmp -s "$src/schema.sql" "$dest/usr/share/srotrace/schema.sql" && echo same)" same
check "the installed binary finds its scenarios" \
    env SROTRACE_DATADIR="$dest/usr/share/srotrace" \
    "$dest/usr/bin/srotrace" synth xhci-dbc --groups 10 -q -o "$T/t"

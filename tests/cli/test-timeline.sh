# test-timeline.sh - `srotrace timeline` on a hand-made database
# (tests/data/analyzer-fixture.sql): one guest's writes in time order with
# instruction, register, value and fate; the first wrong verdict before
# each fault or crash of the guest marked; System.map symbols with and
# without a KASLR offset; --vcpu, --limit, --json and the errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/analyzer-lib.sh"
db=$T/a.db
make_fixture_db "$db" || { not_ok "fixture database"; exit 1; }

check "timeline of domain 3" "$SROTRACE" timeline "$db" --run 1 --domain 3
cp "$T/out" "$T/t3"
check_grep "header: 7 writes, replay 1" \
    '^run 1: xhci-lab\.trace, domain 3, all vCPUs: 7 write faults, verdicts of replay 1 \(xen-4\.20\)$' "$T/t3"
check_eq "7 events in time order" \
    "$(awk '/^  [0-9]/ {print $1}' "$T/t3" | tr '\n' ' ')" \
    "0.100000 0.150000 0.200000 0.250000 0.300000 0.400000 0.500000 "
check_grep "misdirected store marked before the #PF" \
    '^  0\.100000     0  0xffffffffa0001010  mov dword ptr \[rdi\], eax +fe108\+0x800  - +0x12345678 +written @0x000, not 0x800; retired +MISDIRECTED +<-- first wrong verdict before the #PF at 0\.200000$' "$T/t3"
check_grep "the #PF itself: DCERSTBA, value and fields" \
    '^  0\.200000     0  0xffffffffa0001040  mov qword ptr \[rax \+ 8\], rdx  fe108\+0x710  DCERSTBA +0x00000000dead1000 \(BASE=0xdead100\)  dropped \(read-only\); #PF to the guest  HARSH_DENY$' "$T/t3"
check_grep "wrongly denied store marked before the crash" \
    'fe108\+0x740 .* dropped \(read-only\); retired +WRONGLY_DENIED  <-- first wrong verdict before the domain crash at 0\.500000$' "$T/t3"
check_grep "incomplete group" 'fe108\+0x724  DCST .*no write; incomplete eof +UNDECIDABLE$' "$T/t3"
check_grep "MSI-X vector control with its MASK field" \
    'fe200\+0x00c  VECCTRL\[0\]  0x00000001 \(MASK\) +dropped \(no sub-page entry\); retired +CORRECT$' "$T/t3"
check_eq "exactly two marks" "$(grep -c '<-- ' "$T/t3")" "2"

# One vCPU: only its events, and its own mark.
check "timeline --vcpu 1" "$SROTRACE" timeline "$db" --run 1 --domain 3 --vcpu 1
check_grep "vCPU 1: 3 writes" '^run 1: xhci-lab\.trace, domain 3, vCPU 1: 3 write faults' "$T/out"
check_eq "vCPU 1: one mark, before the crash" \
    "$(grep -o '<-- .*' "$T/out")" \
    "<-- first wrong verdict before the domain crash at 0.500000"

# Dom0: register fields, and no mark (no fault to the guest).
check "timeline of dom0" "$SROTRACE" timeline "$db" --run 1 --domain 0
check_grep "OS-owned semaphore" 'fe108\+0x003  USBLEGSUP\+3 +0x01 \(OSOWNED\) +written; retired +CORRECT$' "$T/out"
check_grep "DCCTRL with DCE and DCR" 'fe108\+0x720  DCCTRL +0x80000001 \(DCR DCE\) +dropped \(read-only\); retired +CORRECT$' "$T/out"
check_eq "dom0: no mark" "$(grep -c '<-- ' "$T/out")" "0"

# Symbols: dom0's kernel at its link address, domain 3's moved by KASLR.
printf '%s\n' 'ffffffff81000000 T _text' \
    'ffffffff81001000 t quirk_usb_handoff_xhci' \
    'ffffffff81001030 t xhci_dbc_start' 'ffffffff81002000 T _etext' \
    'ffffffff82000000 D jiffies' >"$T/dom0.map"
printf '%s\n' 'ffffffff81001000 T xhci_ring_ep_doorbell' \
    'ffffffff81001040 T xhci_write_64' 'ffffffff81001080 T xhci_irq' \
    'ffffffff81001100 T msix_mask_irq' 'ffffffff81002000 T _etext' \
    >"$T/dom3.map"
check "dom0 with System.map" "$SROTRACE" timeline "$db" --run 1 --domain 0 --symbols "$T/dom0.map"
check_eq "dom0 RIPs named" "$(awk '/^  [0-9]/ {print $3}' "$T/out" | tr '\n' ' ')" \
    "quirk_usb_handoff_xhci+0x10 xhci_dbc_start+0x10 xhci_dbc_start+0x10 "
check "dom3 with System.map and KASLR" "$SROTRACE" timeline "$db" --run 1 --domain 3 --symbols "$T/dom3.map" --kaslr-offset 1f000000
check_eq "dom3 RIPs named after the slide" "$(awk '/^  [0-9]/ {print $3}' "$T/out" | tr '\n' ' ')" \
    "xhci_ring_ep_doorbell+0x10 msix_mask_irq xhci_write_64 xhci_write_64 xhci_irq xhci_irq xhci_irq+0x10 "
check "dom3 with the slide as 0x..." "$SROTRACE" timeline "$db" --run 1 --domain 3 --symbols "$T/dom3.map" --kaslr-offset 0x1f000000 --limit 1
check_grep "0x slide works the same" '^  0\.100000     0  xhci_ring_ep_doorbell\+0x10 ' "$T/out"
check "dom3 without the slide" "$SROTRACE" timeline "$db" --run 1 --domain 3 --symbols "$T/dom3.map" --limit 1
check_grep "without the slide the RIP stays raw" '^  0\.100000     0  0xffffffffa0001010 ' "$T/out"

# --limit and --json.
check "--limit 2" "$SROTRACE" timeline "$db" --run 1 --domain 3 --limit 2
check_grep "--limit says so" '7 write faults \(the first 2 shown\)' "$T/out"
check_eq "--limit 2 shows 2" "$(grep -c '^  0\.' "$T/out")" "2"
check "--json" "$SROTRACE" timeline "$db" --run 1 --domain 3 --json --symbols "$T/dom3.map" --kaslr-offset 1f000000
check_eq "JSON events" \
    "$(json "$T/out" '[(e["group"], e["time"], e["vcpu"], e["symbol"],
        e["register"], e["value"], e["outcome"], e["verdict"], e["mark"])
        for e in d["events"]][:3]')" \
    "[(4, 0.1, 0, 'xhci_ring_ep_doorbell+0x10', None, '0x12345678', 'RETIRED', 'MISDIRECTED', 'first wrong verdict before the #PF at 0.200000'), (10, 0.15, 0, 'msix_mask_irq', 'VECCTRL[0]', '0x00000001', 'RETIRED', 'CORRECT', None), (5, 0.2, 0, 'xhci_write_64', 'DCERSTBA', '0x00000000dead1000', 'PF_TO_GUEST', 'HARSH_DENY', None)]"
check_eq "JSON pieces of the misdirected store" \
    "$(json "$T/out" 'd["events"][0]["pieces"]')" \
    "[{'offset': 2048, 'length': 4, 'result': 'WRITTEN', 'dev_offset': 0}]"
check_eq "JSON instruction and rip" \
    "$(json "$T/out" '(d["events"][2]["instruction"], d["events"][2]["bytes"], d["events"][2]["rip"], d["total"])')" \
    "('mov qword ptr [rax + 8], rdx', '48895008', '0xffffffffa0001040', 7)"

# Run 2: no replay, no TSC frequency.
check "run 2" "$SROTRACE" timeline "$db" --run 2 --domain 0
check_grep "run 2 not replayed" '^run 1?2?: second\.trace, domain 0, all vCPUs: 1 write fault, not replayed$' "$T/out"
check_grep "run 2: TSC offsets, no verdict" '^  \+2000 tsc     0  .*written; retired  -$' "$T/out"
check "a domain with no faults" "$SROTRACE" timeline "$db" --run 1 --domain 7
check_grep "no faults: said so" '^no write faults of this guest$' "$T/out"

# --regmap and --maps.
check "--regmap xhci-dbc at every page start" "$SROTRACE" timeline "$db" --run 1 --domain 0 --regmap xhci-dbc
check_grep "--regmap: offset 3 is DCID+3" 'fe108\+0x003  DCID\+3 ' "$T/out"

# Errors.
check_exit 129 "--domain is required" "$SROTRACE" timeline "$db"
check_grep "--domain: message" '^error: --domain D is required \(0\.\.65535\)$' "$T/err"
check_exit 129 "--kaslr-offset needs --symbols" "$SROTRACE" timeline "$db" --domain 3 --kaslr-offset 10
check_exit 129 "bad --kaslr-offset" "$SROTRACE" timeline "$db" --domain 3 --symbols "$T/dom3.map" --kaslr-offset zz
printf 'ffffffff81000000 T ok\nnot a symbol line\n' >"$T/bad.map"
check_exit 1 "bad System.map" "$SROTRACE" timeline "$db" --domain 3 --symbols "$T/bad.map"
check_grep "bad System.map: FILE:LINE" "^srotrace timeline: $T/bad.map:2: expected 'ADDRESS TYPE NAME'$" "$T/err"
check_exit 1 "missing System.map" "$SROTRACE" timeline "$db" --domain 3 --symbols "$T/none.map"
check_exit 1 "no such run" "$SROTRACE" timeline "$db" --domain 3 --run 5

#!/usr/bin/env python3
"""make-seeds.py SROTRACE [SHARED_DIR] - regenerate fuzz/corpus/.

The seed corpus of each fuzz target (docs/hardening.md) is committed: the
fuzz runs and the test suite's replay of it need no python. This script
is how it was made, to run again when the formats grow:

    python3 fuzz/make-seeds.py build/srotrace ../shared

fuzz-reader   the conformance traces, small `srotrace synth` captures of
              every scenario (clean, cut, lossy, late configuration), and
              hand-made records of every kind;
fuzz-decode   mode byte + instruction bytes of the stores the models care
              about (and some that are not stores);
fuzz-regmap   the shipped maps and small maps using every statement;
fuzz-devlist  parser byte + lspci output, native lists, sysfs files;
fuzz-plan     plans using every line form;
fuzz-oracle   field streams that reach each kind of page;
fuzz-escape   hostile names: markup, quotes, controls, bad UTF-8, formulas;
fuzz-scenario the shipped scenarios.

Files are named after what they hold; every one is a few KB at most.
"""
import os
import shutil
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.dirname(HERE)


def out(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    if isinstance(data, str):
        data = data.encode()
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


# ---- trace records (trace-format.md) ----

def rec(event, words=(), tsc=None):
    hdr = event | (len(words) << 28) | ((1 << 31) if tsc is not None else 0)
    b = struct.pack("<I", hdr)
    if tsc is not None:
        b += struct.pack("<Q", tsc)
    return b + b"".join(struct.pack("<I", w & 0xffffffff) for w in words)


def window(cpu, body):
    return struct.pack("<III", 0x2001f003, cpu, len(body)) + body


def group(tsc, gpa, insn, writes, done_w0=0, nw=None, size=4):
    mfn = gpa >> 12
    ib = bytes(insn) + bytes(16 - len(insn))
    iw = struct.unpack("<4I", ib)
    b = rec(0x00804010, [1 << 16 | 2, 0x0313 | (mfn >> 32) << 16, 0xffffffff,
                         0xffffffff, gpa & 0xffffffff, gpa >> 32,
                         mfn & 0xffffffff], tsc)
    b += rec(0x00804011, [len(insn)] + list(iw) + [0x1000, 0])
    for off, ln, res, data in writes:
        b += rec(0x00804012, [mfn & 0xffffffff, mfn >> 32,
                              off | ln << 16 | res << 24,
                              data & 0xffffffff, (data >> 32) & 0xffffffff,
                              off])
        if ln > 8:
            b += rec(0x00804013, [0x11111111] * min(7, (ln - 8 + 3) // 4))
    b += rec(0x00804014, [done_w0, len(writes) if nw is None else nw, size])
    return b


def reader_seeds(srotrace, shared):
    conf = os.path.join(shared, "conformance")
    for n in ("recorder-basic.trace", "verdicts-basic.trace"):
        p = os.path.join(conf, n)
        if os.path.exists(p):
            shutil.copyfile(p, os.path.join(HERE, "corpus", "fuzz-reader",
                                        "conformance-" + n))
    scn = os.path.join(TOP, "examples", "scenarios")
    for s in sorted(os.listdir(scn)):
        if not s.endswith(".scn"):
            continue
        base = s[:-4]
        for tag, extra in (("clean", []),
                           ("lossy-cut", ["--lost", "0.3", "--cut"]),
                           ("late", ["--late-config", "--lost", "0.1"])):
            dst = os.path.join(HERE, "corpus", "fuzz-reader",
                               "synth-%s-%s.trace" % (base, tag))
            subprocess.run([srotrace, "synth", os.path.join(scn, s), "-o",
                            dst, "--groups", "10", "--cpus", "2", "-q"] +
                           extra, check=True)
    cfg = (rec(0x00804001, [0xfe100020, 0, 64, 0, 0x803], 100) +
           rec(0x00804002, [0xfe101, 0, 0x100, 0xffff, 0, 0, 0]) +
           rec(0x00804003, [0xfe200, 0, 0xfe201, 0]))
    g1 = group(200, 0xfe100008, [0x89, 0x07], [(8, 4, 0, 0x1234)])
    g2 = group(300, 0xfe100020, [0x0f, 0x11, 0x07], [(0x20, 16, 1, 0)],
               done_w0=0, size=16)
    lost = rec(0x0001f001, [3, 1 << 16, 250, 0], 260)
    wrap = rec(0x0001f002, [0xdead, 0xbeef], 0)
    other = rec(0x00020001, [1, 2], 150) + rec(0x0080401f, [1, 2, 3])
    out("fuzz-reader", "empty", b"")
    out("fuzz-reader", "empty-window", window(0, b""))
    out("fuzz-reader", "config", window(0, cfg))
    out("fuzz-reader", "two-groups", window(0, cfg + g1) + window(1, g2))
    out("fuzz-reader", "lost-in-group",
        window(0, g1[:60] + lost + g1[60:]))
    out("fuzz-reader", "wrap-and-others", window(2, other + wrap + g1))
    out("fuzz-reader", "cut-in-record", window(0, cfg + g1)[:-6])
    out("fuzz-reader", "window-too-long",
        struct.pack("<III", 0x2001f003, 0, 4096) + g1)
    out("fuzz-reader", "orphan-and-stray",
        window(0, g1[g1.index(struct.pack("<I", 0x60804012)):]))


# ---- instructions ----

DECODE = [
    (64, "8907", "mov-m32-r32"), (64, "48893f", "mov-m64-r64"),
    (64, "c70701000000", "mov-m32-imm"), (64, "668907", "mov-m16-r16"),
    (64, "8807", "mov-m8-r8"), (64, "0f1107", "movups-m128"),
    (64, "660f7f07", "movdqa-m128"), (64, "c5fe7f07", "vmovdqu-m256"),
    (64, "62f1fe487f07", "vmovdqu64-m512"), (64, "0fc307", "movnti"),
    (64, "f3ab", "rep-stosd"), (64, "f348a5", "rep-movsq"), (64, "aa", "stosb"),
    (64, "660f38f807", "movdir64b"), (64, "0f38f907", "movdiri"),
    (64, "0fae27", "xsave"), (64, "0fae07", "fxsave"), (16, "dd37", "fnsave-16"),
    (32, "dd37", "fnsave-32"), (64, "f00fb10f", "lock-cmpxchg"),
    (64, "0107", "add-rmw"), (64, "8707", "xchg"), (64, "50", "push"),
    (64, "e800000000", "call"), (64, "8b07", "load"), (64, "90", "nop"),
    (32, "893d78563412", "mov-abs32"), (16, "8905", "mov-16bit"),
    (64, "f3f3f3f3f3f3f3f3f3f3f3f3f3f3f3", "prefixes-15"),
    (64, "0f", "truncated"), (64, "c4", "vex-truncated"),
    (64, "6689", "cut-at-modrm"), (64, "ff", "ud"),
]


def decode_seeds():
    modes = {16: 0, 32: 1, 64: 2}
    for mode, hexs, name in DECODE:
        out("fuzz-decode", name, bytes([modes[mode]]) + bytes.fromhex(hexs))


# ---- text formats ----

def text_seeds():
    for m in sorted(os.listdir(os.path.join(TOP, "regmaps"))):
        with open(os.path.join(TOP, "regmaps", m), "rb") as f:
            out("fuzz-regmap", "shipped-" + m, f.read())
    out("fuzz-regmap", "every-statement",
        "map mydev mydev The registers of my device\n"
        "0x000 4 CTRL       Control\n"
        "  field 0    EN      Enable\n"
        "  field 15:8 MODE    Mode\n"
        "0x004 4 STATUS\n"
        "array 0x100 16 0x10 1      # 16 queues\n"
        "0x0 8 QBASE        Queue base address\n"
        "0x8 4 QHEAD\n"
        "0xc 4 QTAIL\n"
        "end\n"
        "map outer outer\n"
        "include mydev 0x1000 0x108\n"
        "0 4 ID\n")
    out("fuzz-regmap", "two-files",
        b"map a a\n0 4 A\n\x00map b b\ninclude a 8\ninclude a 16 4\n")
    out("fuzz-regmap", "include-loop",
        "map x x\ninclude y 0\nmap y y\ninclude x 4\n")
    out("fuzz-regmap", "overlap", "map o o\n0 8 A\n4 4 B\n")
    out("fuzz-regmap", "big-array",
        "map big big\narray 0 4096 16\n0 4 R\nend\n"
        "map bigger big\ninclude big 0\ninclude big 0x10000\n")

    with open(os.path.join(TOP, "tests", "data", "lspci-vvv-nn.txt"),
              "rb") as f:
        lspci = f.read()
    out("fuzz-devlist", "lspci", b"\x01" + lspci[:3500])
    out("fuzz-devlist", "lspci-guessed", b"\x02" + lspci[:1500])
    native = ('# comment\n'
              'DEVICE 0000:00:14.0 "Intel xHCI \\"controller\\"" '
              '8086:a36d 0c0330\n'
              'region 0xa4220000 64K   xhci\n'
              'region 0xa4228740 0x40  xhci-dbc  0\n'
              'DEVICE - "a device without a PCI address" - -\n'
              'region 0xfe300000 4K    mydev     0x100\n')
    out("fuzz-devlist", "native", b"\x00" + native.encode())
    out("fuzz-devlist", "native-guessed", b"\x02" + native.encode())
    cfg = bytearray(256)
    cfg[0x06] = 0x10
    cfg[0x34] = 0x70
    cfg[0x70:0x7c] = bytes([0x11, 0x00, 0x07, 0x00]) + \
        struct.pack("<II", 0x2000, 0x3000)
    res = ("0x00000000ea500000 0x00000000ea50ffff 0x0000000000140204\n"
           "0x0000000000000000 0x0000000000000000 0x0000000000000000\n")
    out("fuzz-devlist", "sysfs-msix", b"\x03" + res.encode() + b"\x00" +
        bytes(cfg))
    out("fuzz-devlist", "sysfs-no-config", b"\x03" + res.encode())

    out("fuzz-plan", "every-form",
        "# The xHCI DbC registers, as Xen's console protects them\n"
        "0xfe1000a0 64                 # read-only\n"
        "ro 0xfe101000 0x10            # the same, spelled out\n"
        "ro-pages 0xfe200 0xfe203\n"
        "ro-pages 0xfe300\n"
        "writable 0xfe1000b8 8\n")
    out("fuzz-plan", "suffixes", "0 1M\n4096 4K\nro 0x1008 8\n")
    out("fuzz-plan", "bad-lines",
        "ro 1 2 3\nwritable 0xffffffffffffffff 2\nro-pages 5 4\n")
    out("fuzz-plan", "unaligned", "0xfe100004 4\n")
    out("fuzz-plan", "crlf", "ro 0x1000 8\r\n\r\n# x\r\n")


def oracle_seeds():
    # after_boot, ncfg, then (sel, 7 words) per record; see fuzz-oracle.c.
    def cfg(sel, words):
        return bytes([sel]) + struct.pack("<7I", *(words + [0] * 7)[:7])
    tail = (bytes([0]) +                        # no direct add
            bytes([0, 1, 0, 1, 0, 2, 0x32]) +   # cpu, tsc, domain, vcpu, flags
            struct.pack("<Q", 0xfe100020) + bytes([1, 0]) +
            bytes([2, 0x89, 0x07]) + struct.pack("<Q", 0x1000) +
            bytes(12) + bytes([1, 1, 1]) +
            bytes([1]) + struct.pack("<I", 0x20 << 2) + bytes([4, 0]) +
            bytes([0, 0, 4, 1, 1, 1]))
    out("fuzz-oracle", "range-add", bytes([0, 1]) +
        cfg(0, [0x20, 0, 64, 0, 0x803]) + tail)
    out("fuzz-oracle", "range-state", bytes([0, 1]) +
        cfg(1, [0, 0, 0x100, 0xffffffff, 0, 0, 0]) + tail)
    out("fuzz-oracle", "ro-pages", bytes([1, 1]) + cfg(2, [0, 0, 1, 0]) +
        tail)
    out("fuzz-oracle", "unknown-page", bytes([0, 0]) + tail)
    out("fuzz-oracle", "wide-store", bytes([0, 1]) +
        cfg(0, [0x20, 0, 64, 0, 0x803]) + tail.replace(
            bytes([2, 0x89, 0x07]), bytes([4, 0x62, 0xf1, 0xfe])))


def escape_seeds():
    for name, b in (
            ("markup", b'"><img src=x onerror=alert(1)><script>x</script>'),
            ("quotes", b"it's \"quoted\", with, commas"),
            ("controls", b"a\x1b[31mred\x07\tb\nc\rd\x7f"),
            ("formula", b"=HYPERLINK(\"http://x\")"),
            ("edge-spaces", b" padded "),
            ("utf8", "xHCI contr\u00f4leur \u2013 \U0001f600".encode()),
            ("bad-utf8", b"\xc0\xaf \xed\xa0\x80 \xf8\x88 \xc2\x85 \xff"),
            ("nul-inside", b"before\x00after"),
            ("empty", b"")):
        out("fuzz-escape", name, b)


def scenario_seeds():
    scn = os.path.join(TOP, "examples", "scenarios")
    for s in sorted(os.listdir(scn)):
        if s.endswith(".scn"):
            with open(os.path.join(scn, s), "rb") as f:
                out("fuzz-scenario", s, f.read())


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    srotrace = sys.argv[1]
    shared = sys.argv[2] if len(sys.argv) > 2 else \
        os.path.join(TOP, "..", "shared")
    for t in ("fuzz-reader", "fuzz-decode", "fuzz-regmap", "fuzz-devlist",
              "fuzz-plan", "fuzz-oracle", "fuzz-escape", "fuzz-scenario"):
        d = os.path.join(HERE, "corpus", t)
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    reader_seeds(srotrace, shared)
    decode_seeds()
    text_seeds()
    oracle_seeds()
    escape_seeds()
    scenario_seeds()


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Traces one round trip of a test kernel's loop, instruction by instruction,
through QEMU's gdb stub, and counts what it costs under TCG beyond the
instructions themselves: those TCG runs through a helper or that end a
translation block (indirect branches look the next block up), the CR3
loads (each empties QEMU's whole TLB) and
the distinct 4 KiB pages touched after each (each costs a TLB refill, a
software page walk). Repeatable where timings on a shared machine are not.

The round trip runs from one arrival at SYMBOL (a guest function, e.g. the
kernel's syscall callback) to the next, after SKIP arrivals to warm up.
Data pages are found by decoding each instruction's memory operands
(approximate: implicit stack accesses and string operations count their
first page only).

  tools/trace_round_trip.py --hv vireo --image build/hv/vireo \\
      --kernel build/guest/bench_cpu --symbol guest_user_syscall_entry \\
      --cmdline dom0_max_vcpus=2-2 [--pages FILE]
Needs gdb (apt-get install gdb)."""
import argparse
import os
import subprocess
import sys
import tempfile
import time

GDB_SCRIPT = r'''
import gdb, re, os, collections
ENTRY = int(os.environ["TRACE_ENTRY"], 16)
gdb.execute("set pagination off")
gdb.execute("target remote :" + os.environ["TRACE_PORT"])
gdb.execute("hbreak *0x%x" % ENTRY)
gdb.execute("ignore 1 " + os.environ["TRACE_SKIP"])
gdb.execute("continue")
gdb.execute("delete")
arch = gdb.selected_frame().architecture()
MEM = re.compile(r"(?:%(\w\w):)?(-?0x[0-9a-f]+|-?\d+)?\((%\w+)?(?:,(%\w+)(?:,(\d))?)?\)")
SEGABS = re.compile(r"%(fs|gs):(-?0x[0-9a-f]+)(?![0-9a-fx(])")
RIPREL = re.compile(r"#\s*(0x[0-9a-f]+)")
def reg(name):
    return int(gdb.parse_and_eval("$" + name)) & (2**64 - 1)
def segbase(s):
    return reg(s + "_base") if s in ("fs", "gs") else 0
def hypervisor(a):  # the x86-64 PV ABI's hypervisor slots
    return 0xffff800000000000 <= a < 0xffff880000000000
# Instructions that TCG runs through a helper or that end a translation
# block: far dearer than ordinary ones under QEMU.
COSTLY = ("rdtsc", "rdmsr", "wrmsr", "swapgs", "stac", "clac", "cli", "sti", "pushf", "popf", "sysret",
          "iret", "lfence", "mfence", "sfence", "invlpg", "hlt", "pause", "cpuid", "lgdt", "lidt", "lldt",
          "ltr", "xsave", "xrstor", "fxsave", "fxrstor", "verw", "in", "out", "syscall", "lock", "xchg")
costly = collections.Counter()
log, epochs = [], []
code, data = set(), set()
counts = collections.Counter()
for steps in range(100000):
    pc = reg("pc")
    if steps and pc == ENTRY:
        break
    insn = arch.disassemble(pc)[0]["asm"]
    op = insn.split()[0]
    name = op.rstrip("qlwb") if op.rstrip("qlwb") in COSTLY else op
    if name in COSTLY or re.search(r"%(cr|dr)\d", insn) or op.startswith("mov") and re.search(r",%[defgs]s$", insn):
        costly[name if name in COSTLY else insn.split(",")[-1] if "%" in insn else op] += 1
    if op.startswith("ret") or op.startswith(("call", "jmp")) and "*" in insn:
        costly["indirect branch (ret, call *, jmp *)"] += 1
        log.append("branch %x: %s" % (pc, insn))
    counts["hypervisor" if hypervisor(pc) else "guest"] += 1
    if pc >> 12 not in code:
        log.append("code %x" % pc)
    code.add(pc >> 12)
    addrs = []
    if op.startswith(("lea", "nop")):
        pass
    elif "(%rip)" in insn:
        m = RIPREL.search(insn)
        if m and not op.startswith(("call", "jmp")):
            addrs.append(int(m.group(1), 16))
    else:
        for m in MEM.finditer(insn):
            seg, disp, base, index, scale = m.groups()
            a = int(disp, 0) if disp else 0
            a += reg(base[1:]) if base else 0
            a += reg(index[1:]) * int(scale or 1) if index else 0
            addrs.append((a + (segbase(seg) if seg else 0)) % 2**64)
        for m in SEGABS.finditer(insn):
            addrs.append((segbase(m.group(1)) + int(m.group(2), 16)) % 2**64)
    if op.startswith(("push", "pop", "call", "ret", "iret", "sysret", "leave")):
        addrs.append(reg("rsp"))
    if op.startswith(("rep", "movs", "stos", "cmps", "scas", "lods")):
        addrs += [reg("rdi"), reg("rsi")]
    for a in addrs:
        if a >> 12 not in data:
            log.append("data %x by %x: %s" % (a, pc, insn))
        data.add(a >> 12)
    if re.search(r"mov\s+%\w+,%cr3", insn):
        epochs.append((len(code), len(data)))
        log.append("CR3 load at %x" % pc)
        code, data = set(), set()
    gdb.execute("stepi", to_string=True)
epochs.append((len(code), len(data)))
print("TRACE instructions: %d in the hypervisor, %d in the guest" % (counts["hypervisor"], counts["guest"]))
print("TRACE CR3 loads: %d" % (len(epochs) - 1))
print("TRACE costly under TCG: %s" % ", ".join("%s %d" % kv for kv in sorted(costly.items())))
print("TRACE pages (code, data) between CR3 loads: %s" % epochs)
print("TRACE pages touched in all (TLB refills): %d" % sum(c + d for c, d in epochs))
if os.environ.get("TRACE_PAGES"):
    open(os.environ["TRACE_PAGES"], "w").write("\n".join(log) + "\n")
gdb.execute("kill")
'''


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--hv", choices=("vireo", "xen"), required=True)
    p.add_argument("--image", required=True, help="hypervisor image")
    p.add_argument("--kernel", required=True, help="the test kernel (dom0), an ELF with symbols")
    p.add_argument("--symbol", required=True, help="guest function that starts and ends the round trip")
    p.add_argument("--skip", type=int, default=300, help="arrivals at SYMBOL before the traced one")
    p.add_argument("--cmdline", default="", help="extra hypervisor command line")
    p.add_argument("--port", type=int, default=1234 + os.getpid() % 1000, help="gdb stub port")
    p.add_argument("--pages", help="write each newly touched page, in order, to this file")
    a = p.parse_args()
    nm = subprocess.run(["nm", a.kernel], capture_output=True, text=True, check=True).stdout
    entry = next((l.split()[0] for l in nm.splitlines() if l.split()[-1] == a.symbol), None)
    if not entry:
        sys.exit(f"trace_round_trip: {a.symbol}: not a symbol of {a.kernel}")
    run_qemu = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "system", "run_qemu.py")
    qemu = subprocess.Popen([sys.executable, run_qemu, "--hv", a.hv, "--image", a.image, "--module", a.kernel,
                             "--cmdline", a.cmdline, "--timeout", "1800", "--qemu-arg=-gdb",
                             f"--qemu-arg=tcp::{a.port}", "--qemu-arg=-S"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        time.sleep(2)
        with tempfile.NamedTemporaryFile("w", suffix=".py") as script:
            script.write(GDB_SCRIPT)
            script.flush()
            env = dict(os.environ, TRACE_ENTRY=entry, TRACE_PORT=str(a.port), TRACE_SKIP=str(a.skip),
                       TRACE_PAGES=a.pages or "")
            out = subprocess.run(["gdb", "-batch", "-nx", "-x", script.name, a.kernel], env=env,
                                 capture_output=True, text=True, timeout=1800).stdout
        lines = [l for l in out.splitlines() if l.startswith("TRACE ")]
        if not lines:
            sys.exit("trace_round_trip: gdb traced nothing:\n" + out[-2000:])
        print("\n".join(l[len("TRACE "):] for l in lines))
    finally:
        os.killpg(qemu.pid, 9)


if __name__ == "__main__":
    main()

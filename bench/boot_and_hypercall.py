#!/usr/bin/env python3
"""Benchmark: Vireo against Debian's Xen 4.17 in the same run, same QEMU,
same flags. Two figures, each printed with the ratio Vireo / Xen:
  - time from QEMU start to the guest's first console line (seconds);
  - a null-hypercall round trip, in guest TSC cycles (the best of 5 rounds
    of 20000 calls, as the guest measures it);
  - an event send on a channel looped back to the domain itself, in cycles
    (the best of 5 rounds of 10000);
  - mmu_update: cycles per page-table entry in batches of 1, 16 and 512
    (each entry validated and its references taken or dropped);
  - a page fault fixed by the guest, in cycles per round trip: the page is
    unmapped (update_va_mapping), read, the fault bounced to the guest's
    #PF handler, which maps it (update_va_mapping) and returns (iret), and
    the read retried.
Runs are interleaved (Vireo, Xen, Vireo, ...) and the medians compared,
because TCG timings on shared machines are noisy.
Usage: boot_and_hypercall.py VIREO XEN GUEST_KERNEL [--runs N]"""
import argparse
import re
import statistics
import subprocess
import sys
import time

FIRST_LINE = re.compile(rb"vireo-test bench_hypercall: starting")
CYCLES = re.compile(rb"cycles-per-hypercall (\d+)")
EVENT_CYCLES = re.compile(rb"cycles-per-event-send (\d+)")
MMU_BATCHES = (1, 16, 512)
MMU_CYCLES = {b: re.compile(rb"cycles-per-mmu-update-entry-batch-%d (\d+)" % b) for b in MMU_BATCHES}
PF_CYCLES = re.compile(rb"cycles-per-page-fault-fix (\d+)")
XEN_DONE = re.compile(rb"Hardware Dom0 halted")


def run_once(hv, image, kernel):
    if hv == "vireo":
        append = "console=com1 dom0_mem=64M"
    else:
        append = "console=com1 com1=115200,8n1 dom0_mem=64M,max:64M noreboot"
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "512", "-smp", "1",
           "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", image, "-append", append, "-initrd", kernel]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = b""
    first = None
    deadline = start + 120
    import os
    import selectors
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    while time.monotonic() < deadline and proc.poll() is None:
        for key, _ in sel.select(timeout=0.05):
            chunk = os.read(key.fd, 65536)
            out += chunk
        if first is None and FIRST_LINE.search(out):
            first = time.monotonic() - start
        if PF_CYCLES.search(out) and (hv == "vireo" or XEN_DONE.search(out)):
            break
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    m = CYCLES.search(out)
    e = EVENT_CYCLES.search(out)
    mmu = [MMU_CYCLES[b].search(out) for b in MMU_BATCHES]
    pf = PF_CYCLES.search(out)
    if first is None or not m or not e or not all(mmu) or not pf:
        sys.exit(f"bench: {hv} run gave no figures; console tail:\n" +
                 out.decode(errors="replace")[-2000:])
    return (first, int(m.group(1)), int(e.group(1))) + tuple(int(x.group(1)) for x in mmu) + (int(pf.group(1)),)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("vireo")
    p.add_argument("xen")
    p.add_argument("kernel")
    p.add_argument("--runs", type=int, default=5)
    a = p.parse_args()
    results = {"vireo": [], "xen": []}
    for _ in range(a.runs):
        for hv, image in (("vireo", a.vireo), ("xen", a.xen)):
            results[hv].append(run_once(hv, image, a.kernel))
    nfig = 4 + len(MMU_BATCHES)
    med = {hv: tuple(statistics.median(r[i] for r in rs) for i in range(nfig)) for hv, rs in results.items()}
    print(f"{'figure':34} {'vireo':>10} {'xen-4.17':>10} {'vireo/xen':>10}")
    print(f"{'boot to first guest line (s)':34} {med['vireo'][0]:10.2f} {med['xen'][0]:10.2f} "
          f"{med['vireo'][0] / med['xen'][0]:10.2f}")
    print(f"{'null hypercall (cycles)':34} {med['vireo'][1]:10.0f} {med['xen'][1]:10.0f} "
          f"{med['vireo'][1] / med['xen'][1]:10.2f}")
    print(f"{'event send, loopback (cycles)':34} {med['vireo'][2]:10.0f} {med['xen'][2]:10.0f} "
          f"{med['vireo'][2] / med['xen'][2]:10.2f}")
    for i, b in enumerate(MMU_BATCHES):
        label = f"mmu_update, batch {b} (cycles/entry)"
        print(f"{label:34} {med['vireo'][3 + i]:10.0f} {med['xen'][3 + i]:10.0f} "
              f"{med['vireo'][3 + i] / med['xen'][3 + i]:10.2f}")
    pf = 3 + len(MMU_BATCHES)
    print(f"{'page fault fixed (cycles/trip)':34} {med['vireo'][pf]:10.0f} {med['xen'][pf]:10.0f} "
          f"{med['vireo'][pf] / med['xen'][pf]:10.2f}")
    print(f"({a.runs} interleaved runs each, medians; TCG, -cpu max)")


if __name__ == "__main__":
    main()

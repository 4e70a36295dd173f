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
import re

from qemu_guest import boot, fail, interleaved_runs, print_table

FIRST_LINE = re.compile(rb"vireo-test bench_hypercall: starting")
MMU_BATCHES = (1, 16, 512)
# Figure name -> the line the guest prints it on.
FIGURES = {
    "null hypercall (cycles)": rb"cycles-per-hypercall (\d+)",
    "event send, loopback (cycles)": rb"cycles-per-event-send (\d+)",
    **{f"mmu_update, batch {b} (cycles/entry)": rb"cycles-per-mmu-update-entry-batch-%d (\d+)" % b
       for b in MMU_BATCHES},
    "page fault fixed (cycles/trip)": rb"cycles-per-page-fault-fix (\d+)",
}
PATTERNS = {name: re.compile(line) for name, line in FIGURES.items()}
# The last figure the guest prints; Xen then halts dom0.
DONE = {"vireo": re.compile(rb"cycles-per-page-fault-fix \d+"),
        "xen": re.compile(rb"cycles-per-page-fault-fix \d+[\s\S]*Hardware Dom0 halted")}
BOOT = "boot to first guest line (s)"


def run_once(hv, image, kernel):
    out, first = boot(hv, image, kernel, DONE[hv], first_line=FIRST_LINE, timeout=120)
    found = {name: p.search(out) for name, p in PATTERNS.items()}
    if first is None or not all(found.values()):
        fail(hv, out)
    return {BOOT: first, **{name: int(m.group(1)) for name, m in found.items()}}


def main():
    results, runs = interleaved_runs(run_once)
    print_table(results, (BOOT,) + tuple(FIGURES), "figure", runs)


if __name__ == "__main__":
    main()

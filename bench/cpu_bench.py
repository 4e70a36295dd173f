#!/usr/bin/env python3
"""Benchmark: the CPU paths of issue 5, Vireo against Debian's Xen 4.17 in
the same run, same QEMU, same flags (one CPU, dom0 with two vCPUs). The
guest is guest/kernels/bench_cpu.cpp; every figure is guest TSC cycles, the
best of 5 rounds as the guest measures it:
  - user system call: user mode -> guest kernel's syscall callback -> iret
    back to user mode (a round trip);
  - vCPU ping-pong: two vCPUs of dom0 on one CPU answer each other's events
    on a channel, each sleeping in SCHEDOP_poll (a round trip: two sends,
    two polls, two switches);
  - vCPU switch, derived: (ping-pong - 2 x event send - 2 x null hypercall) / 2.
Xen 4.17 cannot start a second domain without a toolstack, so the switch is
between two vCPUs of one domain (each with its own context; the same page
tables). Runs are interleaved and the medians compared (TCG is noisy).
Usage: cpu_bench.py VIREO XEN BENCH_CPU_KERNEL [--runs N]"""
import re

from qemu_guest import boot, fail, interleaved_runs, print_table

FIGURES = ("null-hypercall", "event-send", "user-syscall", "vcpu-pingpong")
PATTERNS = {f: re.compile(rb"cycles-per-%s (\d+)" % f.encode()) for f in FIGURES}
DONE = re.compile(rb"PASS bench_cpu|FAIL bench_cpu|CHECK FAILED")


def run_once(hv, image, kernel):
    out, _ = boot(hv, image, kernel, DONE, extra_append="dom0_max_vcpus=2-2")
    found = {f: PATTERNS[f].search(out) for f in FIGURES}
    if b"PASS bench_cpu" not in out or not all(found.values()):
        fail(hv, out)
    return {f: int(m.group(1)) for f, m in found.items()}


def derive_switch(r):
    r["vcpu-switch (derived)"] = (r["vcpu-pingpong"] - 2 * r["event-send"] - 2 * r["null-hypercall"]) / 2


def main():
    results, runs = interleaved_runs(run_once, derive_switch)
    print_table(results, FIGURES + ("vcpu-switch (derived)",), "figure (guest TSC cycles)", runs)


if __name__ == "__main__":
    main()

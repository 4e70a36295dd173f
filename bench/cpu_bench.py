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
import argparse
import os
import re
import selectors
import statistics
import subprocess
import sys
import time

FIGURES = ("null-hypercall", "event-send", "user-syscall", "vcpu-pingpong")
PATTERNS = {f: re.compile(rb"cycles-per-%s (\d+)" % f.encode()) for f in FIGURES}
DONE = re.compile(rb"PASS bench_cpu|FAIL bench_cpu|CHECK FAILED")


def run_once(hv, image, kernel):
    if hv == "vireo":
        append = "console=com1 dom0_mem=64M dom0_max_vcpus=2-2"
    else:
        append = "console=com1 com1=115200,8n1 dom0_mem=64M,max:64M dom0_max_vcpus=2-2 noreboot"
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "512", "-smp", "1",
           "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", image, "-append", append, "-initrd", kernel]
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out = b""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and proc.poll() is None and not DONE.search(out):
        for key, _ in sel.select(timeout=0.05):
            out += os.read(key.fd, 65536)
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    found = {f: PATTERNS[f].search(out) for f in FIGURES}
    if b"PASS bench_cpu" not in out or not all(found.values()):
        sys.exit(f"bench: {hv} run gave no figures; console tail:\n" + out.decode(errors="replace")[-2000:])
    return {f: int(m.group(1)) for f, m in found.items()}


def derived_switch(r):
    return (r["vcpu-pingpong"] - 2 * r["event-send"] - 2 * r["null-hypercall"]) / 2


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
            r = run_once(hv, image, a.kernel)
            r["vcpu-switch (derived)"] = derived_switch(r)
            results[hv].append(r)
    names = FIGURES + ("vcpu-switch (derived)",)
    print(f"{'figure (guest TSC cycles)':32} {'vireo':>10} {'xen-4.17':>10} {'vireo/xen':>10}")
    for name in names:
        v = statistics.median(r[name] for r in results["vireo"])
        x = statistics.median(r[name] for r in results["xen"])
        print(f"{name:32} {v:>10.0f} {x:>10.0f} {v / x:>10.2f}")
    print(f"({a.runs} interleaved runs each, medians)")


if __name__ == "__main__":
    main()

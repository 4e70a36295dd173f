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
  - event round trip, two domains: dom0 and a domU on one CPU answer each
    other's events (guest/scenario/builder.cpp builds the domU through
    domctl, as a toolstack would, since Xen 4.17 starts no second domain
    without one; the peer is guest/scenario/pong_poll.cpp): two sends, two
    polls and two switches between domains (page tables included), in
    cycles and in ns;
  - domain switch, derived: (round trip - 2 x event send - 2 x null
    hypercall) / 2, from the builder's own send and hypercall figures.
Where Vireo cannot yet run the builder, its two-domain figures come from
the boot-time pair (guest/scenario/ping.cpp as dom0, pong_poll started from
a domain configuration; the same ping-pong code) and the derivation uses
bench_cpu's figures; the output says so.
Runs are interleaved and the medians compared (TCG is noisy).
Usage: cpu_bench.py VIREO XEN BENCH_CPU_KERNEL [--runs N]
(builder, pong_poll and ping are taken from BENCH_CPU_KERNEL's directory)"""
import os
import re
import tempfile

from qemu_guest import boot, fail, interleaved_runs, print_table

FIGURES = ("null-hypercall", "event-send", "user-syscall", "vcpu-pingpong")
PATTERNS = {f: re.compile(rb"cycles-per-%s (\d+)" % f.encode()) for f in FIGURES}
DONE = re.compile(rb"PASS bench_cpu|FAIL bench_cpu|CHECK FAILED")


ROUND_TRIP = "event round trip, two domains"
ROUND_TRIP_NS = "event round trip, two domains (ns)"
DOMAIN_SWITCH = "domain switch, derived"
TWO_DOMAIN_FIGURES = ("null-hypercall", "event-send", "domain-pingpong")
TWO_DOMAIN_PATTERNS = {f: re.compile(rb"cycles-per-%s (\d+)" % f.encode()) for f in TWO_DOMAIN_FIGURES}
NS_PATTERN = re.compile(rb"ns-per-domain-pingpong (\d+)|(\d+) ns per round trip")
BUILDER_DONE = re.compile(rb"PASS builder|FAIL builder|CHECK FAILED")
PING_DONE = re.compile(rb"PASS ping|FAIL ping|CHECK FAILED")
# Why Vireo's two-domain figures came from the boot-time pair, once.
fallback_reason = []


def guest_kernel(kernel, name):
    return os.path.join(os.path.dirname(kernel), name)


def run_builder(hv, image, kernel):
    """The two-domain figures from the builder, or None with its console."""
    mods = f"{guest_kernel(kernel, 'builder')},{guest_kernel(kernel, 'pong_poll')}"
    out, _ = boot(hv, image, mods, BUILDER_DONE)
    found = {f: TWO_DOMAIN_PATTERNS[f].search(out) for f in TWO_DOMAIN_FIGURES}
    ns = NS_PATTERN.search(out)
    if b"PASS builder" not in out or not all(found.values()) or not ns:
        return None, out
    r = {f: int(m.group(1)) for f, m in found.items()}
    r["ns"] = int(ns.group(1) or ns.group(2))
    return r, out


def run_boot_time_pair(hv, image, kernel):
    """Vireo only: ping as dom0, pong_poll started from a configuration."""
    with tempfile.NamedTemporaryFile("w", suffix=".cfg", delete=False) as cfg:
        cfg.write("#!vireo-domains\ndomain name=pong kernel=3 memory=4M\n")
    try:
        mods = f"{guest_kernel(kernel, 'ping')},{cfg.name},{guest_kernel(kernel, 'pong_poll')}"
        out, _ = boot(hv, image, mods, PING_DONE)
    finally:
        os.unlink(cfg.name)
    rt = TWO_DOMAIN_PATTERNS["domain-pingpong"].search(out)
    ns = NS_PATTERN.search(out)
    if b"PASS ping" not in out or not rt or not ns:
        fail(hv, out)
    return {"domain-pingpong": int(rt.group(1)), "ns": int(ns.group(1) or ns.group(2))}


def run_two_domains(hv, image, kernel, single):
    r, out = run_builder(hv, image, kernel)
    if r is None:
        if hv != "vireo":
            fail(hv, out)
        if not fallback_reason:
            tail = [l for l in out.decode(errors="replace").splitlines()
                    if "not supported" in l or "CHECK FAILED" in l]
            fallback_reason.append("; ".join(tail[:3]) or "no PASS builder")
        r = run_boot_time_pair(hv, image, kernel)
        r["null-hypercall"], r["event-send"] = single["null-hypercall"], single["event-send"]
    return {ROUND_TRIP: r["domain-pingpong"], ROUND_TRIP_NS: r["ns"],
            DOMAIN_SWITCH: (r["domain-pingpong"] - 2 * r["event-send"] - 2 * r["null-hypercall"]) / 2}


def run_once(hv, image, kernel):
    out, _ = boot(hv, image, kernel, DONE, extra_append="dom0_max_vcpus=2-2")
    found = {f: PATTERNS[f].search(out) for f in FIGURES}
    if b"PASS bench_cpu" not in out or not all(found.values()):
        fail(hv, out)
    r = {f: int(m.group(1)) for f, m in found.items()}
    r.update(run_two_domains(hv, image, kernel, r))
    return r


def derive_switch(r):
    r["vcpu-switch (derived)"] = (r["vcpu-pingpong"] - 2 * r["event-send"] - 2 * r["null-hypercall"]) / 2


def main():
    results, runs = interleaved_runs(run_once, derive_switch)
    print_table(results, FIGURES + ("vcpu-switch (derived)", ROUND_TRIP, DOMAIN_SWITCH, ROUND_TRIP_NS),
                "figure (guest TSC cycles)", runs)
    if fallback_reason:
        print("note: Vireo's two-domain figures come from the boot-time ping/pong_poll pair, not the builder "
              f"(Vireo refused it: {fallback_reason[0]}); its domain switch is derived with bench_cpu's "
              "send and hypercall figures")
    else:
        print("two-domain figures: the domctl builder (guest/scenario/builder.cpp) on both")


if __name__ == "__main__":
    main()

"""What the Vireo-against-Xen benchmarks share: booting a hypervisor with a
test kernel as dom0 under the same QEMU and flags, collecting its console,
and printing medians of interleaved runs as a Vireo / Xen table."""
import argparse
import os
import selectors
import statistics
import subprocess
import sys
import time


def boot(hv, image, kernel, done, first_line=None, extra_append="", timeout=240):
    """Boots `image` (hv: "vireo" or "xen") with `kernel` as dom0 on one
    CPU until the console matches `done` (a compiled bytes regex). Returns
    the console and the seconds until `first_line` matched (or None)."""
    if hv == "vireo":
        append = f"console=com1 dom0_mem=64M {extra_append}"
    else:
        append = f"console=com1 com1=115200,8n1 dom0_mem=64M,max:64M noreboot {extra_append}"
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", "512", "-smp", "1",
           "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
           "-kernel", image, "-append", append.strip(), "-initrd", kernel]
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    out = b""
    first = None
    while time.monotonic() < start + timeout and proc.poll() is None and not done.search(out):
        for key, _ in sel.select(timeout=0.05):
            out += os.read(key.fd, 65536)
        if first is None and first_line is not None and first_line.search(out):
            first = time.monotonic() - start
    if proc.poll() is None:
        proc.kill()
    proc.wait()
    return out, first


def fail(hv, out):
    sys.exit(f"bench: {hv} run gave no figures; console tail:\n" + out.decode(errors="replace")[-2000:])


def print_table(results, names, title, runs):
    """results: {"vireo": [run, ...], "xen": [...]}, each run a dict of
    figure name -> value; prints medians and the ratio Vireo / Xen."""
    print(f"{title:36} {'vireo':>10} {'xen-4.17':>10} {'vireo/xen':>10}")
    for name in names:
        v = statistics.median(r[name] for r in results["vireo"])
        x = statistics.median(r[name] for r in results["xen"])
        fmt = "10.2f" if max(v, x) < 100 else "10.0f"
        print(f"{name:36} {v:{fmt}} {x:{fmt}} {v / x:10.2f}")
    print(f"({runs} interleaved runs each, medians; TCG, -cpu max)")


def interleaved_runs(run_once, derive=None):
    """The benchmarks' command line (VIREO XEN KERNEL [--runs N]): runs
    run_once(hv, image, kernel) for Vireo then Xen, N times over (so that
    load on a shared machine hits both alike), each run a dict of figures,
    with derive(run) adding figures computed from the others. Returns the
    results by hypervisor and N."""
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
            if derive:
                derive(r)
            results[hv].append(r)
    return results, a.runs

#!/usr/bin/env python3
"""Benchmark: Debian's stock Linux kernel with the bench initramfs
(tools/initramfs/tests/bench.sh, tools/initramfs/bench/lmbench_lite.c),
booted three ways under the same QEMU (TCG, -cpu max, -smp 1) with the same
memory for Linux:
  vireo   a domU on Vireo (dom0 is the 'supervise' kernel, the domU comes
          from a boot-time domain configuration, as tests/system/linux.cmake)
  xen     dom0 on Debian's Xen 4.17 (dom0_mem=M,max:M)
  native  Linux on the bare QEMU machine (-m M)
The hypervisor runs get a larger QEMU -m (--hv-mem). Each figure is the
guest's median (lmbench-style micro-benchmarks, then gzip -1 of a tmpfs
file and a find | xargs md5sum walk of a file tree); the table gives each
configuration's figure, the ratios to native and flags figures where Vireo
is slower than Xen. With --runs N the configurations are interleaved
(vireo, xen, native, xen, native, vireo, ...) and the medians over runs
compared.

Each run also checks the guest's clock against the host's: the guest prints
CLOCK_MONOTONIC at the start and the end of the benchmark and the host
notes when those lines arrive; a gap of more than 5 % is flagged, since
every figure is measured with the guest's clock. The host's load average is
noted too: other processes sharing the CPUs make TCG timings noisier.

Usage: linux_bench.py --vireo IMAGE --xen IMAGE --kernel VMLINUZ
           --initrd BENCH_INITRAMFS --supervise KERNEL [options]"""
import argparse
import os
import re
import selectors
import signal
import statistics
import subprocess
import sys
import tempfile
import time

CONFIGS = ("vireo", "xen", "native")
FIGURE = re.compile(r"bench: (\w+) ([0-9.e+-]+) (us|s) \(")
CLOCK = re.compile(r"bench: (begin|end) ([0-9.]+)[ \t\r]*\n")
INIT = re.compile(r"vireo-linux: /init reached")
VERDICT = re.compile(r"vireo-linux: (PASS|FAIL) bench")
# Lines after which waiting for the benchmark is pointless.
FATAL = re.compile(r"Kernel panic - not syncing.*|\(XEN\) Panic on CPU.*|PANIC: .*|CHECK FAILED.*")
# What the table calls each figure (in the order printed), and the unit.
TITLES = {
    "boot_to_init": "boot to /init (host clock)",
    "null_syscall": "null system call (getppid)",
    "fork_exit": "fork + exit + waitpid",
    "fork_exec": "fork + exec /bin/true + waitpid",
    "pipe_roundtrip": "pipe round trip (2 switches)",
    "page_fault": "page fault (anon, per page)",
    "mmap_munmap_1M": "mmap + munmap 1 MiB file",
}


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--vireo", required=True, help="Vireo image (multiboot ELF)")
    p.add_argument("--xen", required=True, help="Xen 4.17 image (tools/fetch-reference.sh)")
    p.add_argument("--kernel", required=True, help="Linux vmlinuz")
    p.add_argument("--initrd", required=True, help="bench initramfs (tools/mkinitramfs.sh OUT bench)")
    p.add_argument("--supervise", required=True, help="Vireo's supervise dom0 kernel")
    p.add_argument("--mem", type=int, default=512, help="MiB of memory for Linux in every configuration")
    p.add_argument("--hv-mem", type=int, default=1024, help="QEMU -m (MiB) for the hypervisor runs")
    p.add_argument("--runs", type=int, default=1, help="interleaved runs of each configuration")
    p.add_argument("--only", default=",".join(CONFIGS), help="comma-separated subset of " + ",".join(CONFIGS))
    p.add_argument("--gzip-mib", type=int, default=256, help="MiB that gzip -1 compresses")
    p.add_argument("--files", type=int, default=3000, help="files in the checksummed tree")
    p.add_argument("--scale", type=int, default=100, help="percent of the micro-benchmark iterations")
    p.add_argument("--timeout", type=float, default=600, help="seconds allowed for one boot")
    p.add_argument("--log-dir", help="where to keep each run's console, each line stamped with the "
                   "host time it arrived (default: a new folder in /tmp)")
    a = p.parse_args()
    a.only = [c for c in a.only.split(",") if c]
    bad = [c for c in a.only if c not in CONFIGS]
    if bad or not a.only:
        p.error(f"--only: unknown configuration(s) {bad}")
    return a


def linux_cmdline(a, console):
    return (f"console={console} quiet vireo_test=bench bench_scale={a.scale} "
            f"bench_gzip_mib={a.gzip_mib} bench_files={a.files}")


def qemu_command(a, config, workdir):
    """The QEMU command line for one configuration."""
    def modules(*mods):  # QEMU separates modules with commas; a comma inside one is doubled
        return ",".join(m.replace(",", ",,") for m in mods)
    mem = a.mem if config == "native" else a.hv_mem
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", str(mem), "-smp", "1",
           "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot"]
    if config == "vireo":
        cfg = os.path.join(workdir, "linux-bench.cfg")
        with open(cfg, "w") as f:
            f.write("#!vireo-domains\n"
                    f"domain name=linux kernel=3 ramdisk=4 memory={a.mem}M "
                    f"cmdline=\"{linux_cmdline(a, 'hvc0')}\"\n")
        supervise_timeout = int(a.timeout) + 60  # the host's timeout ends the run first
        cmd += ["-device", "isa-debug-exit,iobase=0xf4,iosize=0x04",
                "-kernel", a.vireo, "-append", "console=com1 dom0_mem=64M",
                "-initrd", modules(f"{a.supervise} timeout={supervise_timeout}", cfg, a.kernel, a.initrd)]
    elif config == "xen":
        cmd += ["-kernel", a.xen,
                "-append", f"console=com1 com1=115200,8n1 dom0_mem={a.mem}M,max:{a.mem}M noreboot",
                "-initrd", modules(f"{a.kernel} {linux_cmdline(a, 'hvc0')}", a.initrd)]
    else:
        cmd += ["-kernel", a.kernel, "-initrd", a.initrd, "-append", linux_cmdline(a, "ttyS0")]
    return cmd


def stamp_lines(console, arrivals):
    """The console with each line prefixed by the host time it arrived."""
    out, pos, i = [], 0, 0
    for line in console.splitlines(keepends=True):
        pos += len(line)
        while i < len(arrivals) - 1 and arrivals[i][0] < pos:
            i += 1
        t = arrivals[i][1] if arrivals else 0.0
        out.append(f"[{t:8.2f}] {line.replace(chr(13), '')}")
    return "".join(out)


class RunFailed(Exception):
    pass


def run_once(a, config, workdir, log_dir, index):
    """Boots one configuration; returns {figure: value}, the guest/host clock
    ratio and the host's load average, or raises RunFailed."""
    cmd = qemu_command(a, config, workdir)
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    console = ""
    seen = {}  # what -> host seconds since start when its line arrived
    arrivals = []  # (console length, host seconds since start) after each read
    deadline = start + a.timeout
    problem = None
    while True:
        if proc.poll() is not None:
            rest = proc.stdout.read()
            console += rest.decode(errors="replace") if rest else ""
            break
        now = time.monotonic()
        if now > deadline:
            if "verdict" not in seen and problem is None:
                problem = f"timed out after {a.timeout:.0f} s"
            break  # after the verdict: QEMU did not stop by itself, end it
        for key, _ in sel.select(timeout=0.1):
            chunk = os.read(key.fd, 65536)
            if chunk:
                console += chunk.decode(errors="replace")
                arrivals.append((len(console), time.monotonic() - start))
        now = time.monotonic() - start
        if "init" not in seen and INIT.search(console):
            seen["init"] = now
        for m in CLOCK.finditer(console):
            seen.setdefault(m.group(1), (now, float(m.group(2))))
        if "verdict" not in seen and VERDICT.search(console):
            seen["verdict"] = now
            deadline = min(deadline, time.monotonic() + 30)  # time for poweroff
        fatal = FATAL.search(console)
        if fatal and problem is None:
            problem = f"fatal: {fatal.group(0).strip()}"
            deadline = min(deadline, time.monotonic() + 3)  # let the report drain
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    log = os.path.join(log_dir, f"{config}-{index}.log")
    with open(log, "w") as f:
        f.write("+ " + " ".join(cmd) + "\n" + stamp_lines(console, arrivals))
    console = console.replace("\r", "")

    figures = {m.group(1): float(m.group(2)) for m in FIGURE.finditer(console)}
    verdict = VERDICT.search(console)
    if problem is None and (not verdict or verdict.group(1) != "PASS"):
        problem = "bench.sh did not pass"
    if problem is None and not figures:
        problem = "no figures on the console"
    if problem is None and not ("begin" in seen and "end" in seen):
        problem = "no begin/end clock lines"
    if problem:
        tail = "\n".join(console.splitlines()[-60:])
        raise RunFailed(f"{config} run {index + 1}: {problem} (whole console: {log})\n"
                        f"---- console tail ----\n{tail}\n----")
    if "init" in seen:
        figures["boot_to_init"] = seen["init"]
    (host0, guest0), (host1, guest1) = seen["begin"], seen["end"]
    clock = (guest1 - guest0) / (host1 - host0)
    load = os.getloadavg()[1]  # 5 minutes: about one run
    print(f"  {config} run {index + 1}: {len(figures)} figures, {time.monotonic() - start:.0f} s, "
          f"guest clock / host clock {clock:.3f}, host load {load:.1f}", flush=True)
    return figures, clock, load


def title(name):
    if name in TITLES:
        return TITLES[name]
    m = re.match(r"gzip_(\d+)M$", name)
    if m:
        return f"gzip -1 of {m.group(1)} MiB (tmpfs)"
    m = re.match(r"tree_md5_(\d+)$", name)
    if m:
        return f"find | xargs md5sum, {m.group(1)} files"
    return name


def unit(name):
    return "s" if name == "boot_to_init" or name.startswith(("gzip_", "tree_")) else "us"


def print_table(a, medians, clocks):
    configs = [c for c in CONFIGS if c in medians]
    names = []
    for c in configs:
        names += [n for n in medians[c] if n not in names]
    names.sort(key=lambda n: (n != "boot_to_init", list(TITLES).index(n) if n in TITLES else len(TITLES)))
    head = f"{'figure':34} {'unit':>4}" + "".join(f" {c:>10}" for c in configs)
    ratios = [(c, "native") for c in ("vireo", "xen") if c in medians and "native" in medians]
    if "vireo" in medians and "xen" in medians:
        ratios.append(("vireo", "xen"))
    head += "".join(f" {x + '/' + y:>12}" for x, y in ratios)
    print(head)
    worse = 0
    for n in names:
        row = f"{title(n):34} {unit(n):>4}"
        for c in configs:
            v = medians[c].get(n)
            row += f" {v:10.4g}" if v is not None else f" {'-':>10}"
        for x, y in ratios:
            vx, vy = medians[x].get(n), medians[y].get(n)
            row += f" {vx / vy:12.2f}" if vx and vy else f" {'-':>12}"
        vv, vx = medians.get("vireo", {}).get(n), medians.get("xen", {}).get(n)
        if vv is not None and vx is not None and vv > vx:
            row += "  << Vireo slower than Xen"
            worse += 1
        print(row)
    print(f"{'guest clock / host clock':34} {'':>4}" + "".join(f" {statistics.median(clocks[c]):10.3f}"
                                                         for c in configs))
    print(f"(Linux {a.mem} MiB, 1 vCPU; QEMU TCG -cpu max -smp 1, -m {a.hv_mem} for the hypervisors; "
          f"{a.runs} run(s) each, interleaved, medians; lower is better)")
    for c in configs:
        if any(abs(x - 1) > 0.05 for x in clocks[c]):
            print(f"WARNING: {c}'s clock is off the host's by more than 5 %: its figures are suspect")
    if worse:
        print(f"{worse} figure(s) where Vireo is slower than Xen (runs vary by +-30 % under TCG)")


def main():
    a = parse_args()
    for path in (a.vireo, a.xen, a.kernel, a.initrd, a.supervise):
        if not os.path.isfile(path):
            sys.exit(f"linux_bench: {path}: not found")
    with tempfile.TemporaryDirectory(prefix="linux-bench-") as workdir:
        log_dir = a.log_dir or tempfile.mkdtemp(prefix="linux-bench-logs-")  # kept
        os.makedirs(log_dir, exist_ok=True)
        results = {c: [] for c in a.only}
        clocks = {c: [] for c in a.only}
        loads = []
        t0 = time.monotonic()
        try:
            for i in range(a.runs):
                # Each run starts with the next configuration, so that a
                # trend in the host's load does not always favour one.
                for c in a.only[i % len(a.only):] + a.only[:i % len(a.only)]:
                    figures, clock, load = run_once(a, c, workdir, log_dir, i)
                    results[c].append(figures)
                    clocks[c].append(clock)
                    loads.append(load)
        except RunFailed as e:
            print(f"linux_bench: {e}", file=sys.stderr)
            return 1
        medians = {}
        for c, runs in results.items():
            names = {n for r in runs for n in r}
            medians[c] = {n: statistics.median(r[n] for r in runs if n in r) for n in names}
        print(f"linux_bench: {time.monotonic() - t0:.0f} s in all; consoles in {log_dir}")
        print_table(a, medians, clocks)
        # Our QEMU is one busy thread: more load means others shared the CPUs.
        if max(loads) > (os.cpu_count() or 1):
            print(f"WARNING: host load average reached {max(loads):.1f} on {os.cpu_count()} CPUs: other "
                  "processes competed with QEMU and the figures are noisier than usual")
    return 0


if __name__ == "__main__":
    sys.exit(main())

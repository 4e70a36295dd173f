#!/usr/bin/env python3
"""Boots a hypervisor (Vireo or Debian's Xen 4.17) under QEMU with multiboot
modules, watches the serial console, and checks what a system test expects:
regexes that must appear in order, regexes that must not appear, and how
dom0 stopped. Prints the console tail on any failure.

Vireo reports dom0's shutdown reason R through isa-debug-exit, so QEMU exits
with status (R << 1) | 1, except for a reboot: Vireo resets the machine, as
Xen does, and under -no-reboot QEMU exits with status 0 after Vireo's
"Resetting the machine" line. Xen keeps QEMU running after dom0 stops (it
runs with noreboot), so for Xen the reason is read from its console line
and QEMU is ended here; a dom0 that powers off through ACPI S5 ends QEMU.
"""
import argparse
import os
import re
import selectors
import signal
import subprocess
import sys
import time

REASONS = {"poweroff": 0, "reboot": 1, "suspend": 2, "crash": 3, "watchdog": 4}
XEN_STOP_LINES = [
    (re.compile(r"Hardware Dom0 halted: halting machine"), "poweroff"),
    (re.compile(r"Hardware Dom0 shutdown: rebooting machine"), "reboot"),
    (re.compile(r"Hardware Dom0 crashed"), "crash"),
    # Linux as dom0 powers off through XENPF_enter_acpi_sleep (S5).
    (re.compile(r"\(XEN\) Entering ACPI S5 state"), "poweroff"),
]
VIREO_RESET_LINE = re.compile(r"^\(vireo\) Resetting the machine\b", re.M)
QEMU_GUEST_RESET_STATUS = 0  # a reset under -no-reboot
VIREO_NO_DOMAIN_STATUS = 255
VIREO_PANIC_STATUS = 253


def parse_args():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--hv", choices=["vireo", "xen"], required=True)
    p.add_argument("--image", help="hypervisor image (multiboot ELF), loaded by QEMU's -kernel")
    p.add_argument("--cdrom", help="a boot CD (GRUB) to boot instead of --image")
    p.add_argument("--cmdline", default="", help="extra hypervisor command line")
    p.add_argument("--module", action="append", default=[],
                   help="boot module: 'path args...' (first is dom0's kernel)")
    p.add_argument("--expect", action="append", default=[], help="regex that must appear (in order)")
    p.add_argument("--expect-anywhere", action="append", default=[],
                   help="regex that must appear, in any order relative to the others")
    p.add_argument("--forbid", action="append", default=[], help="regex that must not appear")
    p.add_argument("--shutdown", choices=sorted(REASONS) + ["no-domain", "panic"], default="poweroff")
    p.add_argument("--timeout", type=float, default=90)
    p.add_argument("--mem", default="512")
    p.add_argument("--smp", default="1")
    p.add_argument("--dom0-mem", default="64M")
    p.add_argument("--input", default="", help="text typed on the serial line after --input-after")
    p.add_argument("--input-after", default="", help="regex to wait for before typing --input")
    p.add_argument("--log", help="where to write the whole console")
    p.add_argument("--qemu-arg", action="append", default=[],
                   help="extra QEMU argument (devices: disks, NICs), repeatable")
    return p.parse_args()


def qemu_command(a):
    if a.hv == "vireo":
        hv_cmdline = f"console=com1 dom0_mem={a.dom0_mem} {a.cmdline}"
    else:
        hv_cmdline = (f"console=com1 com1=115200,8n1 dom0_mem={a.dom0_mem},max:{a.dom0_mem} "
                      f"loglvl=all guest_loglvl=all noreboot {a.cmdline}")
    cmd = ["qemu-system-x86_64", "-accel", "tcg", "-cpu", "max", "-m", a.mem, "-smp", a.smp,
           "-display", "none", "-serial", "stdio", "-monitor", "none", "-no-reboot",
           "-device", "isa-debug-exit,iobase=0xf4,iosize=0x04"]
    # For debugging a run by hand, e.g. VIREO_QEMU_EXTRA="-d int,cpu_reset -D q.log".
    cmd += os.environ.get("VIREO_QEMU_EXTRA", "").split()
    cmd += a.qemu_arg
    if a.cdrom:
        return cmd + ["-cdrom", a.cdrom]
    cmd += ["-kernel", a.image, "-append", hv_cmdline.strip()]
    if a.module:
        # QEMU separates modules with commas; a comma inside one is doubled.
        cmd += ["-initrd", ",".join(m.replace(",", ",,") for m in a.module)]
    return cmd


def tail(text, n=60):
    return "\n".join(text.splitlines()[-n:])


def main():
    a = parse_args()
    cmd = qemu_command(a)
    print("+", " ".join(repr(c) if " " in c else c for c in cmd), flush=True)
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, start_new_session=True)
    sel = selectors.DefaultSelector()
    sel.register(proc.stdout, selectors.EVENT_READ)
    console = ""
    deadline = time.monotonic() + a.timeout
    xen_reason = None
    typed = not a.input
    timed_out = False
    while True:
        if proc.poll() is not None:
            rest = proc.stdout.read()
            console += rest.decode(errors="replace") if rest else ""
            break
        if time.monotonic() > deadline:
            timed_out = True
            break
        for key, _ in sel.select(timeout=0.2):
            chunk = os.read(key.fd, 65536)
            if chunk:
                console += chunk.decode(errors="replace")
        if not typed and (not a.input_after or re.search(a.input_after, console)):
            proc.stdin.write(a.input.encode().decode("unicode_escape").encode("latin-1"))
            proc.stdin.flush()
            typed = True
        if a.hv == "xen" and xen_reason is None:
            for pattern, reason in XEN_STOP_LINES:
                if pattern.search(console):
                    xen_reason = reason
            if xen_reason:
                time.sleep(0.3)  # let the last lines drain
                deadline = min(deadline, time.monotonic() + 0.5)
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    console = console.replace("\r", "")
    if a.log:
        with open(a.log, "w") as f:
            f.write(console)

    problems = []
    pos = 0
    for pattern in a.expect:
        m = re.compile(pattern, re.M).search(console, pos)
        if not m:
            problems.append(f"expected output not found (in order): {pattern!r}")
            break
        pos = m.end()
    for pattern in a.expect_anywhere:
        if not re.search(pattern, console, re.M):
            problems.append(f"expected output not found: {pattern!r}")
    for pattern in a.forbid:
        if re.search(pattern, console, re.M):
            problems.append(f"forbidden output present: {pattern!r}")

    if a.hv == "vireo":
        status = proc.returncode
        if timed_out:
            problems.append(f"timed out after {a.timeout:.0f}s")
        elif a.shutdown in ("no-domain", "panic"):
            want = VIREO_NO_DOMAIN_STATUS if a.shutdown == "no-domain" else VIREO_PANIC_STATUS
            if status != want:
                problems.append(f"QEMU exit status {status}, expected {want} ({a.shutdown})")
        elif a.shutdown == "reboot":
            if status != QEMU_GUEST_RESET_STATUS or not VIREO_RESET_LINE.search(console):
                problems.append(f"QEMU exit status {status}, expected {QEMU_GUEST_RESET_STATUS} "
                                "after Vireo's 'Resetting the machine' (reboot)")
        else:
            want = (REASONS[a.shutdown] << 1) | 1
            if status != want:
                problems.append(f"QEMU exit status {status}, expected {want} ({a.shutdown})")
    else:
        if a.shutdown in ("no-domain", "panic"):
            problems.append(f"{a.shutdown} is a Vireo-only expectation")
        elif xen_reason != a.shutdown:
            problems.append(f"Xen reported dom0 stop as {xen_reason or 'nothing (timeout?)'}, "
                            f"expected {a.shutdown}")

    if problems:
        print("FAILED:\n  " + "\n  ".join(problems))
        print("---- console tail ----")
        print(tail(console))
        return 1
    print(f"ok ({a.hv}, dom0 {a.shutdown})")
    return 0


if __name__ == "__main__":
    sys.exit(main())

#!/usr/bin/env python3
"""Turns a linked hypervisor ELF into an assembly file holding its sorted
text symbols (addresses and demangled names), so a panic can print a
symbolized backtrace. Usage: gensyms.py ELF OUT.S  (ELF may be absent: then
an empty table is written for the first link)."""
import subprocess
import sys


def text_symbols(elf):
    out = subprocess.run(["nm", "-n", "-C", "--defined-only", elf],
                         check=True, capture_output=True, text=True).stdout
    syms = []
    for line in out.splitlines():
        parts = line.split(" ", 2)
        if len(parts) == 3 and parts[1] in ("t", "T", "W", "w"):
            syms.append((int(parts[0], 16), parts[2]))
    return syms


def main():
    elf, out = sys.argv[1], sys.argv[2]
    syms = text_symbols(elf) if elf != "-" else []
    lines = ['\t.section .rodata.ksyms, "a"', "\t.balign 8",
             "\t.globl ksyms_count, ksyms_addrs, ksyms_offsets, ksyms_names",
             "ksyms_count:", f"\t.quad {len(syms)}", "ksyms_addrs:"]
    lines += [f"\t.quad {addr:#x}" for addr, _ in syms]
    lines.append("ksyms_offsets:")
    offset = 0
    blobs = []
    for _, name in syms:
        lines.append(f"\t.long {offset}")
        data = name.encode()[:200]
        blobs.append(data)
        offset += len(data) + 1
    lines.append("ksyms_names:")
    for data in blobs:
        escaped = data.decode(errors="replace").replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'\t.asciz "{escaped}"')
    if not blobs:
        lines.append("\t.byte 0")
    text = "\n".join(lines) + "\n"
    try:
        with open(out) as f:
            if f.read() == text:
                return
    except OSError:
        pass
    with open(out, "w") as f:
        f.write(text)


if __name__ == "__main__":
    main()

#!/usr/bin/env python3
"""Wraps the 64-bit hypervisor ELF into a 32-bit ELF with one loadable
segment at its machine address, because multiboot loaders (QEMU's -kernel in
particular) refuse 64-bit ELF images. BSS is written out as zeroes so every
loader hands over a zeroed image. Usage: mkelf32.py IN64 OUT32"""
import struct
import sys

PT_LOAD = 1
DATA_OFFSET = 0x1000  # the multiboot headers then sit at file offset 4 KiB


def load_segments(data):
    if data[:4] != b"\x7fELF" or data[4] != 2:
        sys.exit("mkelf32: input is not a 64-bit ELF")
    (e_entry, e_phoff) = struct.unpack_from("<QQ", data, 24)
    (e_phentsize, e_phnum) = struct.unpack_from("<HH", data, 54)
    segs = []
    for i in range(e_phnum):
        off = e_phoff + i * e_phentsize
        p_type, _flags, p_offset, _vaddr, p_paddr, p_filesz, p_memsz, _align = \
            struct.unpack_from("<IIQQQQQQ", data, off)
        if p_type == PT_LOAD and p_memsz:
            segs.append((p_paddr, data[p_offset:p_offset + p_filesz], p_memsz))
    return e_entry, segs


def main():
    src, dst = sys.argv[1], sys.argv[2]
    data = open(src, "rb").read()
    entry, segs = load_segments(data)
    start = min(p for p, _, _ in segs)
    end = max(p + m for p, _, m in segs)
    if end > 0xffffffff or entry > 0xffffffff:
        sys.exit("mkelf32: image or entry above 4 GiB")
    image = bytearray(end - start)
    for paddr, body, _ in segs:
        image[paddr - start:paddr - start + len(body)] = body
    ehdr = struct.pack("<4sBBBBB7sHHIIIIIHHHHHH", b"\x7fELF", 1, 1, 1, 0, 0, b"\0" * 7,
                       2, 3, 1, entry, 52, 0, 0, 52, 32, 1, 0, 0, 0)
    phdr = struct.pack("<IIIIIIII", PT_LOAD, DATA_OFFSET, start, start,
                       len(image), len(image), 7, 0x1000)
    out = bytearray(ehdr + phdr)
    out += b"\0" * (DATA_OFFSET - len(out))
    out += image
    with open(dst, "wb") as f:
        f.write(out)


if __name__ == "__main__":
    main()

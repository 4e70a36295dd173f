#!/usr/bin/env python3
"""Makes a broken copy of a good PV kernel ELF, one class of damage at a
time, for the bad-image system tests. Usage: mkbadimage.py KIND IN OUT
KIND: not-elf, elf32, wrong-machine, no-notes, overlap, outside-file."""
import struct
import sys


def phdrs(data):
    phoff = struct.unpack_from("<Q", data, 32)[0]
    phentsize, phnum = struct.unpack_from("<HH", data, 54)
    return [(phoff + i * phentsize) for i in range(phnum)]


def first_load(data):
    for off in phdrs(data):
        if struct.unpack_from("<I", data, off)[0] == 1:
            return off
    sys.exit("mkbadimage: no PT_LOAD")


def main():
    kind, src, dst = sys.argv[1:4]
    data = bytearray(open(src, "rb").read())
    if kind == "not-elf":
        data = bytearray(b"This is a text file, not a kernel.\n" * 64)
    elif kind == "elf32":
        data[4] = 1
    elif kind == "wrong-machine":
        struct.pack_into("<H", data, 18, 40)  # EM_ARM
    elif kind == "no-notes":
        # Rename every "Xen" note owner so no Xen note is left.
        data = bytearray(data.replace(b"Xen\0", b"Xyz\0"))
    elif kind == "overlap":
        # Turn the PT_NOTE header into a second PT_LOAD on top of the first.
        load = first_load(data)
        for off in phdrs(data):
            if struct.unpack_from("<I", data, off)[0] == 4:
                data[off:off + 56] = data[load:load + 56]
                break
    elif kind == "outside-file":
        load = first_load(data)
        struct.pack_into("<Q", data, load + 8, len(data) + 0x10000)  # p_offset
    else:
        sys.exit(f"mkbadimage: unknown kind {kind}")
    open(dst, "wb").write(data)


if __name__ == "__main__":
    main()

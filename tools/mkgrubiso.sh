#!/usr/bin/env bash
# Builds a GRUB (BIOS) boot CD that loads Vireo with multiboot2, as GRUB on a
# PC would, with the given kernel (and optional initrd) as dom0's modules.
# Usage: mkgrubiso.sh OUT.iso VIREO "HV ARGS" KERNEL "KERNEL ARGS" [INITRD]
set -euo pipefail
out=$1 vireo=$2 hv_args=$3 kernel=$4 kernel_args=$5 initrd=${6:-}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/boot/grub"
cp "$vireo" "$work/boot/vireo"
cp "$kernel" "$work/boot/dom0"
{
    echo 'serial --unit=0 --speed=115200'
    echo 'terminal_input serial'
    echo 'terminal_output serial'
    echo 'set timeout=0'
    echo 'menuentry "Vireo" {'
    # GRUB's multiboot2 passes no image name; like Xen, Vireo drops the
    # first word, so Debian's grub scripts put "placeholder" there.
    echo "    multiboot2 /boot/vireo placeholder $hv_args"
    echo "    module2 /boot/dom0 placeholder $kernel_args"
    if [ -n "$initrd" ]; then
        cp "$initrd" "$work/boot/initrd"
        echo '    module2 /boot/initrd placeholder'
    fi
    echo '}'
} > "$work/boot/grub/grub.cfg"
grub-mkrescue -o "$out" "$work" >/dev/null 2>&1 || {
    echo "mkgrubiso: grub-mkrescue failed (needs grub-pc-bin, xorriso, mtools)" >&2
    exit 1
}

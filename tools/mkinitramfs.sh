#!/usr/bin/env bash
# Builds the Linux test initramfs (a gzip'd newc cpio) from Debian's
# busybox-static and tools/initramfs/: OUT is written atomically.
# Usage: mkinitramfs.sh OUT [bench | devices REFDIR]
# With 'bench', each tools/initramfs/bench/*.c is also compiled (gcc -O2
# -static) into /bin, for tests/bench.sh (the Linux benchmark). With
# 'devices', the modules that drive QEMU's virtio disk and NIC and mount
# ext4 are copied from the reference kernel's package in REFDIR (from
# tools/fetch-reference.sh), with what they depend on, into /lib/modules,
# in load order (/lib/modules/load-order), for tests/devices.sh. Without
# either, the image stays small.
set -euo pipefail
out=${1:?usage: mkinitramfs.sh OUT [bench]}
variant=${2:-}
case "$variant" in ""|bench|devices) ;; *) echo "mkinitramfs: unknown variant '$variant'" >&2; exit 1 ;; esac
src=$(cd "$(dirname "$0")/initramfs" && pwd)
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "mkinitramfs: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || ldd "$busybox" 2>&1 | grep -q 'not a dynamic' || {
    echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,tests,mnt}
cp "$busybox" "$root/bin/busybox"
for applet in $("$busybox" --list-full); do
    [ -e "$root/$applet" ] || ln -s /bin/busybox "$root/$applet"
done
install -m 755 "$src/init" "$root/init"
cp "$src"/tests/*.sh "$root/tests/"
if [ "$variant" = bench ]; then
    for c in "$src"/bench/*.c; do
        "${CC:-gcc}" -O2 -static -Wall -o "$root/bin/$(basename "$c" .c)" "$c"
    done
fi
if [ "$variant" = devices ]; then
    refdir=${3:?usage: mkinitramfs.sh OUT devices REFDIR}
    kpkg=$(cat "$refdir/vmlinuz.package" 2>/dev/null) || { echo "mkinitramfs: $refdir/vmlinuz.package missing (run tools/fetch-reference.sh)" >&2; exit 1; }
    moddir=$(echo "$refdir/pkg-$kpkg"/lib/modules/*)
    [ -f "$moddir/modules.order" ] || { echo "mkinitramfs: no modules in $moddir" >&2; exit 1; }
    mkdir -p "$root/lib/modules"
    : > "$root/lib/modules/load-order"
    # Depth first over each module's depends= (from its .modinfo), so every
    # module comes after what it needs.
    add_module() {
        local name=$1 path deps d
        grep -qx "$name" "$root/lib/modules/load-order" && return 0
        path=$(grep -E "/${name//_/[_-]}\.ko\$" "$moddir/modules.order" | head -1)
        [ -n "$path" ] && [ -f "$moddir/$path" ] || { echo "mkinitramfs: module $name not in $moddir" >&2; exit 1; }
        deps=$(tr '\0' '\n' < "$moddir/$path" | sed -n 's/^depends=//p' | head -1)
        for d in ${deps//,/ }; do add_module "$d"; done
        cp "$moddir/$path" "$root/lib/modules/$name.ko"
        echo "$name" >> "$root/lib/modules/load-order"
    }
    for m in virtio_pci virtio_blk virtio_net crc32c_generic ext4; do add_module "$m"; done
    install -m 755 "$src/udhcpc.script" "$root/etc/udhcpc.script"
fi
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner 0:0) | gzip -9n > "$work/out"
mv "$work/out" "$out"

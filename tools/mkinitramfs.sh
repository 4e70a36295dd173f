#!/usr/bin/env bash
# Builds the Linux test initramfs (a gzip'd newc cpio) from Debian's
# busybox-static and tools/initramfs/: OUT is written atomically.
# Usage: mkinitramfs.sh OUT [bench]
# With 'bench', each tools/initramfs/bench/*.c is also compiled (gcc -O2
# -static) into /bin, for tests/bench.sh (the Linux benchmark); without, the
# image stays small.
set -euo pipefail
out=${1:?usage: mkinitramfs.sh OUT [bench]}
variant=${2:-}
case "$variant" in ""|bench) ;; *) echo "mkinitramfs: unknown variant '$variant'" >&2; exit 1 ;; esac
src=$(cd "$(dirname "$0")/initramfs" && pwd)
busybox=/bin/busybox
[ -x "$busybox" ] || { echo "mkinitramfs: $busybox missing (apt-get install busybox-static)" >&2; exit 1; }
file -L "$busybox" 2>/dev/null | grep -q 'statically linked' || ldd "$busybox" 2>&1 | grep -q 'not a dynamic' || {
    echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
root=$work/root
mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,proc,sys,dev,tmp,etc,tests}
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
(cd "$root" && find . -print0 | LC_ALL=C sort -z | cpio --null -o -H newc --quiet --owner 0:0) | gzip -9n > "$work/out"
mv "$work/out" "$out"

#!/usr/bin/env bash
# Fetches the reference parts with apt-get download (never installed, never
# rebuilt): Debian's Xen 4.17 hypervisor and Debian's stock Linux kernel.
# Usage: fetch-reference.sh OUTDIR   -> OUTDIR/xen, OUTDIR/vmlinuz
set -euo pipefail
out=${1:?usage: fetch-reference.sh OUTDIR}
mkdir -p "$out"
cd "$out"

fetch_pkg() { # name -> unpacked into ./pkg-name
    local name=$1
    if [ ! -d "pkg-$name" ]; then
        rm -f "${name}"_*.deb
        apt-get download -q "$name" >/dev/null || {
            apt-get update -q >/dev/null && apt-get download -q "$name" >/dev/null; }
        dpkg -x "${name}"_*.deb "pkg-$name.tmp"
        mv "pkg-$name.tmp" "pkg-$name"
    fi
}

if [ ! -f xen ]; then
    fetch_pkg xen-hypervisor-4.17-amd64
    gunzip -c pkg-xen-hypervisor-4.17-amd64/boot/xen-4.17-amd64.gz > xen.tmp
    mv xen.tmp xen
fi

if [ ! -f vmlinuz ]; then
    # The image package that linux-image-amd64 depends on today.
    kpkg=$(apt-cache depends linux-image-amd64 | awk '/Depends: linux-image-[0-9]/ {print $2; exit}')
    [ -n "$kpkg" ] || { echo "fetch-reference: cannot resolve linux-image-amd64" >&2; exit 1; }
    fetch_pkg "$kpkg"
    cp pkg-"$kpkg"/boot/vmlinuz-* vmlinuz
    echo "$kpkg" > vmlinuz.package
fi
ls -la "$out"/xen "$out"/vmlinuz

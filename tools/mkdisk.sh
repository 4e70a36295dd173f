#!/usr/bin/env bash
# Makes the ext4 disk image the dom0 device test mounts: a file of known
# content and its checksum (expected.md5, which the guest checks with
# md5sum -c). OUT is written atomically.
# Usage: mkdisk.sh OUT
set -euo pipefail
out=${1:?usage: mkdisk.sh OUT}
command -v mkfs.ext4 >/dev/null || { echo "mkdisk: mkfs.ext4 missing (apt-get install e2fsprogs)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/root"
seq 1 200000 > "$work/root/numbers.txt"
(cd "$work/root" && md5sum numbers.txt > expected.md5)
truncate -s 32M "$work/disk.img"
mkfs.ext4 -q -F -L vireo-test -d "$work/root" "$work/disk.img"
mv "$work/disk.img" "$out"

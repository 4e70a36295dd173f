#!/usr/bin/env bash
# Installs everything Vireo needs on a fresh Debian 12 machine (run as root).
# Idempotent: a second run installs nothing new. Prints what it does.
set -euo pipefail

need_root() {
    if [ "$(id -u)" != 0 ]; then
        echo "setup: must run as root (it calls apt-get)" >&2
        exit 1
    fi
}

# QEMU 10 comes from bookworm-backports: Debian 12's own QEMU 7.2 mis-emulates
# x86-64 (wrong #GP error code for a faulting 'int n', bounce frames break under
# its SMAP). The backports entry is derived from the machine's own Debian source
# entry so that whatever mirror the machine uses is used for backports too.
add_backports() {
    if grep -rqs 'bookworm-backports' /etc/apt/sources.list /etc/apt/sources.list.d/; then
        return
    fi
    local uri=""
    if [ -f /etc/apt/sources.list.d/debian.sources ]; then
        uri=$(awk '/^URIs:/ {u=$2} /^Suites:/ && / bookworm( |$)/ {print u; exit}' \
            /etc/apt/sources.list.d/debian.sources)
    fi
    if [ -z "$uri" ] && [ -f /etc/apt/sources.list ]; then
        uri=$(awk '$1=="deb" && $3=="bookworm" {print $2; exit}' /etc/apt/sources.list)
    fi
    if [ -z "$uri" ]; then
        echo "setup: no Debian bookworm source entry found to derive backports from" >&2
        exit 1
    fi
    echo "setup: adding bookworm-backports from $uri"
    cat > /etc/apt/sources.list.d/vireo-backports.sources <<SRC
Types: deb
URIs: $uri
Suites: bookworm-backports
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
    apt_updated=0
}

apt_updated=0
apt_update_once() {
    if [ "$apt_updated" = 0 ]; then
        apt-get update -q
        apt_updated=1
    fi
}

PACKAGES=(
    build-essential g++ cmake ninja-build     # the build
    libgtest-dev googletest                   # unit tests
    libbenchmark-dev                          # bench/ helpers
    clang libclang-rt-14-dev                  # libFuzzer (-fsanitize=fuzzer)
    libxen-dev                                # Xen public headers: ABI layout checks
    xz-utils cpio busybox-static              # Debian kernel payloads, initramfs
    e2fsprogs                                 # the ext4 disk image of the dom0 device test
    python3                                   # test runners
    grub-pc-bin grub-common xorriso mtools    # a GRUB (multiboot2) boot image
)

missing_packages() {
    local p
    for p in "${PACKAGES[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || echo "$p"
    done
}

qemu_is_recent() {
    command -v qemu-system-x86_64 >/dev/null 2>&1 || return 1
    local major
    major=$(qemu-system-x86_64 --version | sed -n 's/.*version \([0-9]*\)\..*/\1/p' | head -1)
    [ "${major:-0}" -ge 8 ]
}

main() {
    need_root
    export DEBIAN_FRONTEND=noninteractive
    add_backports
    local missing
    missing=$(missing_packages)
    if [ -n "$missing" ] || ! qemu_is_recent; then
        apt_update_once
    fi
    if [ -n "$missing" ]; then
        echo "setup: installing" $missing
        # shellcheck disable=SC2086
        apt-get install -y -q --no-install-recommends $missing
    fi
    if ! qemu_is_recent; then
        echo "setup: installing qemu-system-x86 from bookworm-backports"
        apt-get install -y -q --no-install-recommends -t bookworm-backports qemu-system-x86
    fi
    qemu-system-x86_64 --version | head -1
}

main "$@"

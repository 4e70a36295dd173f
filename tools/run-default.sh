#!/usr/bin/env bash
# Boots the built Vireo under QEMU with its default domains, console on this
# terminal: dom0 is the 'echo' test kernel (type a line and it echoes it;
# 'quit' powers it off, and the machine with it), and the configuration
# tools/default-domains.cfg starts two more: 'ticker', which prints the time
# every 5 s, 'hog', a CPU hog held to its BVT share, and 'linux', Debian's
# stock kernel (build/ref/vmlinuz) with the project's busybox initramfs and
# a shell on its console. Ctrl-A three times moves console input from dom0
# to the Linux domain, then to Vireo's debug keys (h lists them), then back.
# Ctrl-C ends QEMU.
set -euo pipefail
build=${1:?usage: run-default.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
exec qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 2 \
    -display none -serial stdio -monitor none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$build/hv/vireo" -append "console=com1 dom0_mem=128M" \
    -initrd "$build/guest/echo,$root/tools/default-domains.cfg,$build/guest/ticker,$build/guest/spin,$build/ref/vmlinuz,$build/tests/system/data/linux-initramfs.cpio.gz"

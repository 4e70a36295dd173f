#!/usr/bin/env bash
# Boots the built Vireo under QEMU with its default domains, console on this
# terminal: dom0 is the 'echo' test kernel (type a line and it echoes it;
# 'quit' powers it off, and the machine with it), and the configuration
# tools/default-domains.cfg starts two more: 'ticker', which prints the time
# every 5 s, and 'hog', a CPU hog held to its BVT share. Ctrl-A three
# times switches input to Vireo's debug keys (h lists them) and back. Ctrl-C
# ends QEMU.
set -euo pipefail
build=${1:?usage: run-default.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/.." && pwd)
exec qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 1 \
    -display none -serial stdio -monitor none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$build/hv/vireo" -append "console=com1 dom0_mem=128M" \
    -initrd "$build/guest/echo,$root/tools/default-domains.cfg,$build/guest/ticker,$build/guest/spin"

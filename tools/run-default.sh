#!/usr/bin/env bash
# Boots the built Vireo under QEMU with its default domain, console on this
# terminal. Today the default dom0 is the 'echo' test kernel: type a line and
# it echoes it; 'quit' powers it off, and the machine with it. Ctrl-A three
# times switches input to Vireo's debug keys (h lists them) and back. Ctrl-C
# ends QEMU.
set -euo pipefail
build=${1:?usage: run-default.sh BUILD_DIR}
exec qemu-system-x86_64 -accel tcg -cpu max -m 1024 -smp 1 \
    -display none -serial stdio -monitor none -no-reboot \
    -device isa-debug-exit,iobase=0xf4,iosize=0x04 \
    -kernel "$build/hv/vireo" -append "console=com1 dom0_mem=128M" \
    -initrd "$build/guest/echo"

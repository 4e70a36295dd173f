#!/usr/bin/env bash
# Boots the built Vireo under QEMU, console on this terminal. Ctrl-C (or
# Ctrl-A x) ends QEMU.
#
# run-default.sh BUILD_DIR: the default domains. dom0 is the 'echo' test
# kernel (type a line and it echoes it; 'quit' powers it off, and the
# machine with it), and the configuration tools/default-domains.cfg starts
# three more: 'ticker', which prints the time every 5 s, 'hog', a CPU hog
# held to its BVT share, and 'linux', Debian's stock kernel
# (build/ref/vmlinuz) with the project's busybox initramfs and a shell on
# its console. Ctrl-A three times moves console input from dom0 to the
# Linux domain, then to Vireo's debug keys (h lists them), then back.
#
# run-default.sh BUILD_DIR linux-dom0: Debian's kernel as dom0 with two
# vCPUs, driving QEMU's virtio disk (BUILD_DIR/demo/disk.img, ext4: `mount
# /dev/vda /mnt`) and virtio NIC (`udhcpc -i eth0 -s /etc/udhcpc.script`),
# with a shell on its console; Ctrl-A three times reaches Vireo's debug keys
# (`i` lists the interrupts dom0 bound). The image and disk are made on
# first use.
set -euo pipefail
build=${1:?usage: run-default.sh BUILD_DIR [linux-dom0]}
mode=${2:-default}
root=$(cd "$(dirname "$0")/.." && pwd)
qemu=(qemu-system-x86_64 -accel tcg -cpu max -m 1536 -smp 2
      -display none -serial stdio -monitor none -no-reboot
      -device isa-debug-exit,iobase=0xf4,iosize=0x04 -kernel "$build/hv/vireo")
case "$mode" in
default)
    exec "${qemu[@]}" -append "console=com1 dom0_mem=128M" \
        -initrd "$build/guest/echo,$root/tools/default-domains.cfg,$build/guest/ticker,$build/guest/spin,$build/ref/vmlinuz,$build/tests/system/data/linux-initramfs.cpio.gz"
    ;;
linux-dom0)
    mkdir -p "$build/demo"
    [ -f "$build/demo/devices-initramfs.cpio.gz" ] ||
        bash "$root/tools/mkinitramfs.sh" "$build/demo/devices-initramfs.cpio.gz" devices "$build/ref"
    [ -f "$build/demo/disk.img" ] || bash "$root/tools/mkdisk.sh" "$build/demo/disk.img"
    exec "${qemu[@]}" -append "console=com1 dom0_mem=512M dom0_max_vcpus=2" \
        -initrd "$build/ref/vmlinuz console=hvc0 earlyprintk=xen,$build/demo/devices-initramfs.cpio.gz" \
        -drive "file=$build/demo/disk.img,format=raw,if=virtio" -nic user,model=virtio-net-pci
    ;;
*)
    echo "run-default.sh: unknown mode '$mode' (default or linux-dom0)" >&2
    exit 1
    ;;
esac

# Debian's stock Linux kernel as dom0 (the hardware domain) on Vireo: the
# machine's memory map with its firmware holes identity-mapped, ACPI tables
# and the BIOS area read through DOMID_IO frames, PCI config space through
# the real ports, platform_op, console_io as hvc0. /init runs the basic
# script, and `poweroff -f` (ACPI S5 through platform_op) stops the machine
# with the poweroff status. Needs LINUX_INITRAMFS and LINUX_FORBID from
# linux.cmake.
vireo_system_test(linux-dom0 TIMEOUT 400 ARGS --mem 1024 --dom0-mem 512M
    --module "${VIREO_REF_DIR}/vmlinuz console=hvc0 earlyprintk=xen vireo_test=basic"
    --module ${LINUX_INITRAMFS}
    --expect "Module 1: bzImage unpacked"
    --expect "Xen: \\[mem 0x0000000000100000-0x[0-9a-f]+\\] usable"
    --expect "DMI: QEMU Standard PC"
    --expect "Hypervisor detected: Xen PV"
    --expect "ACPI: RSDP 0x00000000000F[0-9A-F]+"
    --expect "printk: console \\[hvc0\\] enabled"
    --expect "PCI host bridge to bus 0000:00"
    --expect "vireo-linux: /init reached \\(6\\.1\\.[^,]*-amd64, 1 CPU\\)"
    --expect "uname: Linux 6\\.1\\.[^ ]* x86_64" --expect "cpus: 1" --expect "fork-exec: 200 done"
    --expect "fill: 2c7ab85a893283e98c931e9511add182" --expect "vireo-linux: PASS basic"
    --expect "reboot: Power down"
    --expect "Domain 0 \\(dom0\\) shut down: reason poweroff"
    --expect "dom0 has stopped: stopping the machine \\(poweroff\\)"
    ${LINUX_FORBID})
set_tests_properties(system.linux-dom0 PROPERTIES FIXTURES_REQUIRED xenref LABELS "system;linux")

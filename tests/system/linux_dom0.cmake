# Debian's stock Linux kernel as dom0 (the hardware domain): the machine's
# memory map with its firmware holes identity-mapped, ACPI tables and the
# BIOS area read through DOMID_IO frames, PCI config space through the real
# ports, platform_op, console_io as hvc0. /init runs the dom0 script (the
# basic one, then the balloon: 64 MiB given back and taken again), and
# `poweroff -f` (ACPI S5 through platform_op) stops the machine with the
# poweroff status. The same runs on Xen 4.17. Needs LINUX_INITRAMFS and
# LINUX_FORBID from linux.cmake.
set(LINUX_DOM0_KERNEL "${VIREO_REF_DIR}/vmlinuz console=hvc0 earlyprintk=xen")
# What the dom0 script prints after its "cpus: N" line.
set(LINUX_DOM0_SCRIPT_LINES
    --expect "fork-exec: 200 done"
    --expect "fill: 2c7ab85a893283e98c931e9511add182"
    --expect "balloon: target [0-9]+ kB, current [0-9]+ kB, MemTotal [0-9]+ kB"
    --expect "balloon down: current 65536 kB less, MemTotal 65536 kB less"
    --expect "balloon up: current back to start yes, MemTotal back to start yes"
    --expect "vireo-linux: PASS dom0" --expect "reboot: Power down")
# How each hypervisor ends a dom0 poweroff.
set(LINUX_DOM0_POWEROFF
    VIREO_ARGS --expect "Domain 0 \\(dom0\\) shut down: reason poweroff"
               --expect "dom0 has stopped: stopping the machine \\(poweroff\\)"
    XEN_ARGS --expect "\\(XEN\\) Entering ACPI S5 state")

vireo_system_test(linux-dom0 XEN TIMEOUT 400 ARGS --mem 1024 --dom0-mem 512M
    --module "${LINUX_DOM0_KERNEL} vireo_test=dom0" --module ${LINUX_INITRAMFS}
    --expect "Xen: \\[mem 0x0000000000100000-0x[0-9a-f]+\\] usable"
    --expect "DMI: QEMU Standard PC"
    --expect "Hypervisor detected: Xen PV"
    --expect "ACPI: RSDP 0x00000000000F[0-9A-F]+"
    --expect "printk: console \\[hvc0\\] enabled"
    --expect "PCI host bridge to bus 0000:00"
    --expect "vireo-linux: /init reached \\(6\\.1\\.[^,]*-amd64, 1 CPU\\)"
    --expect "uname: Linux 6\\.1\\.[^ ]* x86_64" --expect "cpus: 1"
    ${LINUX_DOM0_SCRIPT_LINES} ${LINUX_FORBID} ${LINUX_DOM0_POWEROFF})

# Two vCPUs on two CPUs (dom0_max_vcpus=2, Xen's option; Xen's default of
# one vCPU per CPU would give the same).
vireo_system_test(linux-dom0-2vcpu XEN TIMEOUT 400 ARGS --mem 1024 --smp 2 --dom0-mem 512M
    --cmdline dom0_max_vcpus=2
    --module "${LINUX_DOM0_KERNEL} vireo_test=dom0" --module ${LINUX_INITRAMFS}
    --expect "smp: Brought up 1 node, 2 CPUs"
    --expect "vireo-linux: /init reached \\(6\\.1\\.[^,]*-amd64, 2 CPU\\)" --expect "cpus: 2"
    ${LINUX_DOM0_SCRIPT_LINES} ${LINUX_FORBID} ${LINUX_DOM0_POWEROFF})

# `reboot -f` in dom0 resets the machine: Vireo tries the FADT's reset
# register, the keyboard controller, then a triple fault, and QEMU
# (-no-reboot) exits on the reset; Xen (noreboot) says it would reboot.
vireo_system_test(linux-dom0-reboot XEN SHUTDOWN reboot TIMEOUT 400 ARGS --mem 1024 --dom0-mem 512M
    --module "${LINUX_DOM0_KERNEL} vireo_test=dom0-reboot" --module ${LINUX_INITRAMFS}
    --expect "vireo-linux: /init reached" --expect "dom0-reboot: rebooting the machine"
    --expect "reboot: Restarting system" ${LINUX_FORBID} --forbid "still running after reboot"
    VIREO_ARGS --expect "Domain 0 \\(dom0\\) shut down: reason reboot"
               --expect "Resetting the machine"
    XEN_ARGS --expect "Hardware Dom0 shutdown: rebooting machine")

foreach(t linux-dom0 linux-dom0-2vcpu linux-dom0-reboot)
    set_tests_properties(system.${t} PROPERTIES FIXTURES_REQUIRED xenref LABELS "system;linux")
    set_tests_properties(xenref.${t} PROPERTIES LABELS "xen-reference;linux")
endforeach()

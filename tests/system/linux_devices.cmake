# Debian's Linux as dom0 driving the machine's devices with its own drivers:
# QEMU's virtio disk holds an ext4 image that dom0 mounts, reads, writes
# and reads back after a remount; its virtio NIC gets an address by DHCP on
# QEMU's user network and pings the gateway. Device interrupts reach dom0
# as event channels bound to physical IRQs (map_pirq, bind_pirq, EOI):
# INTx lines through Vireo's I/O APIC driver, and MSI-X vectors that Vireo
# programs into the device (the disk takes MSI-X, as on Xen).
# The same passes on Xen 4.17 (where the disk may use MSI-X).
# The initramfs carries the kernel package's modules, so it and the disk
# image are made at test time, after the reference fetch.
set(LINUX_DEVICES_INITRAMFS ${SYSTEM_DATA}/linux-devices-initramfs.cpio.gz)
# One disk per run (the runs may overlap, and each writes its own).
set(LINUX_DEVICES_DISK ${SYSTEM_DATA}/linux-devices-disk)
set(LINUX_DEVICES_RUNS dom0-devices-vireo dom0-devices-xen dom0-devices-2vcpu-vireo dom0-devices-2vcpu-xen)
set(copy_disks "")
foreach(run ${LINUX_DEVICES_RUNS})
    string(APPEND copy_disks " && cp '${LINUX_DEVICES_DISK}.img' '${LINUX_DEVICES_DISK}-${run}.img'")
endforeach()
add_test(NAME linux.devices-images COMMAND bash -c
    "bash '${PROJECT_SOURCE_DIR}/tools/mkinitramfs.sh' '${LINUX_DEVICES_INITRAMFS}' devices '${VIREO_REF_DIR}' && bash '${PROJECT_SOURCE_DIR}/tools/mkdisk.sh' '${LINUX_DEVICES_DISK}.img'${copy_disks}")
set_tests_properties(linux.devices-images PROPERTIES FIXTURES_SETUP devimages FIXTURES_REQUIRED xenref
    LABELS "system;linux" TIMEOUT 120)

# vireo_devices_test(<case> <vCPUs>)
function(vireo_devices_test name vcpus)
    set(disk --qemu-arg=-drive --qemu-arg=file=${LINUX_DEVICES_DISK}-${name})
    vireo_system_test(linux-${name} XEN TIMEOUT 300 ARGS --mem 1024 --smp ${vcpus} --dom0-mem 512M
        --cmdline dom0_max_vcpus=${vcpus}
        --module "${VIREO_REF_DIR}/vmlinuz console=hvc0 earlyprintk=xen vireo_test=devices"
        --module ${LINUX_DEVICES_INITRAMFS}
        --qemu-arg=-nic --qemu-arg=user,model=virtio-net-pci
        --expect "Hypervisor detected: Xen PV"
        --expect "smp: Brought up 1 node, ${vcpus} CPUs?"
        --expect "virtio_blk virtio[0-9]: \\[vda\\] 65536 512-byte logical blocks"
        --expect "modules: ([0-9]+) of \\1 loaded"
        --expect "disk: /dev/vda /mnt ext4"
        --expect "disk read: numbers.txt: OK"
        --expect "disk after remount: /mnt/written: OK"
        --expect "udhcpc: lease of 10\\.0\\.2\\.15 obtained"
        --expect "net: 10\\.0\\.2\\.15/24"
        --expect "net: 2 packets transmitted, 2 packets received"
        --expect "interrupts: [0-9]+: +([0-9]+ +)*[1-9][0-9]* +([0-9]+ +)*xen-pirq +-ioapic-level +virtio"
        --expect "interrupts: [0-9]+: +([0-9]+ +)*[1-9][0-9]* +([0-9]+ +)*xen-pirq +-msi-x +virtio[0-9]-req"
        --expect "vireo-linux: PASS devices"
        --expect "reboot: Power down"
        ${LINUX_FORBID}
        VIREO_ARGS ${disk}-vireo.img,format=raw,if=virtio
                   --expect "dom0 has stopped: stopping the machine \\(poweroff\\)"
                   # Vireo's 'i' debug key lists the interrupt sources dom0 bound.
                   --input-after "net: 2 packets" --input "\\x01\\x01\\x01i"
                   --expect-anywhere "'i' pressed: physical interrupts \\(24 I/O APIC lines\\)"
                   --expect-anywhere "GSI 1[01] +d0 pirq +1[01] port +[1-9][0-9]* level"
                   --expect-anywhere "MSI-X 00:0[0-9]\\.0 +d0 pirq +[0-9]+ port +[1-9][0-9]* edge"
        XEN_ARGS ${disk}-xen.img,format=raw,if=virtio
                 --expect "\\(XEN\\) Entering ACPI S5 state")
    set_tests_properties(system.linux-${name} PROPERTIES FIXTURES_REQUIRED "xenref;devimages" LABELS "system;linux")
    set_tests_properties(xenref.linux-${name} PROPERTIES FIXTURES_REQUIRED "xenref;devimages")
endfunction()

vireo_devices_test(dom0-devices 1)
vireo_devices_test(dom0-devices-2vcpu 2)

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
# One disk per hypervisor: the two runs may overlap, and each writes its own.
set(LINUX_DEVICES_DISK ${SYSTEM_DATA}/linux-devices-disk)
add_test(NAME linux.devices-images COMMAND bash -c
    "bash '${PROJECT_SOURCE_DIR}/tools/mkinitramfs.sh' '${LINUX_DEVICES_INITRAMFS}' devices '${VIREO_REF_DIR}' && bash '${PROJECT_SOURCE_DIR}/tools/mkdisk.sh' '${LINUX_DEVICES_DISK}-vireo.img' && cp '${LINUX_DEVICES_DISK}-vireo.img' '${LINUX_DEVICES_DISK}-xen.img'")
set_tests_properties(linux.devices-images PROPERTIES FIXTURES_SETUP devimages FIXTURES_REQUIRED xenref
    LABELS "system;linux" TIMEOUT 120)

vireo_system_test(linux-dom0-devices XEN TIMEOUT 300 ARGS --mem 1024 --dom0-mem 512M
    --module "${VIREO_REF_DIR}/vmlinuz console=hvc0 earlyprintk=xen vireo_test=devices"
    --module ${LINUX_DEVICES_INITRAMFS}
    --qemu-arg=-nic --qemu-arg=user,model=virtio-net-pci
    --expect "Hypervisor detected: Xen PV"
    --expect "virtio_blk virtio[0-9]: \\[vda\\] 65536 512-byte logical blocks"
    --expect "modules: [0-9]+ loaded"
    --expect "disk: /dev/vda /mnt ext4"
    --expect "disk read: numbers.txt: OK"
    --expect "disk after remount: /mnt/written: OK"
    --expect "udhcpc: lease of 10\\.0\\.2\\.15 obtained"
    --expect "net: 10\\.0\\.2\\.15/24"
    --expect "net: 2 packets transmitted, 2 packets received"
    --expect "interrupts: [0-9]+: +[1-9][0-9]* +xen-pirq +-ioapic-level +virtio"
    --expect "interrupts: [0-9]+: +[1-9][0-9]* +xen-pirq +-msi-x +virtio[0-9]-req"
    --expect "vireo-linux: PASS devices"
    --expect "reboot: Power down"
    ${LINUX_FORBID}
    VIREO_ARGS --qemu-arg=-drive --qemu-arg=file=${LINUX_DEVICES_DISK}-vireo.img,format=raw,if=virtio
               --expect "dom0 has stopped: stopping the machine \\(poweroff\\)"
               # Vireo's 'i' debug key lists the interrupt sources dom0 bound.
               --input-after "net: 2 packets" --input "\\x01\\x01\\x01i"
               --expect-anywhere "'i' pressed: physical interrupts \\(24 I/O APIC lines\\)"
               --expect-anywhere "GSI 1[01] +d0 pirq +1[01] port +[1-9][0-9]* level"
               --expect-anywhere "MSI-X 00:0[0-9]\\.0 +d0 pirq +[0-9]+ port +[1-9][0-9]* edge"
    XEN_ARGS --qemu-arg=-drive --qemu-arg=file=${LINUX_DEVICES_DISK}-xen.img,format=raw,if=virtio
             --expect "\\(XEN\\) Entering ACPI S5 state")
set_tests_properties(system.linux-dom0-devices PROPERTIES FIXTURES_REQUIRED "xenref;devimages" LABELS "system;linux")
set_tests_properties(xenref.linux-dom0-devices PROPERTIES FIXTURES_REQUIRED "xenref;devimages")

# Debian's stock Linux kernel (vmlinuz as shipped, fetched by the
# reference.fetch fixture) on Vireo, with the project's busybox initramfs.
# /init runs the script named by vireo_test= and powers off; dom0 is the
# 'supervise' kernel, which passes when every domU powered off.
set(LINUX_INITRAMFS ${SYSTEM_DATA}/linux-initramfs.cpio.gz)
file(GLOB LINUX_INITRAMFS_FILES CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tools/initramfs/*
     ${PROJECT_SOURCE_DIR}/tools/initramfs/tests/*)
add_custom_command(OUTPUT ${LINUX_INITRAMFS}
    COMMAND bash ${PROJECT_SOURCE_DIR}/tools/mkinitramfs.sh ${LINUX_INITRAMFS}
    DEPENDS ${PROJECT_SOURCE_DIR}/tools/mkinitramfs.sh ${LINUX_INITRAMFS_FILES})
add_custom_target(linux_initramfs ALL DEPENDS ${LINUX_INITRAMFS})

# W+X: the builder must leave Linux nothing in its boot window to map
# writable and executable (the p2m list goes apart, as INIT_P2M asks).
set(LINUX_FORBID --forbid "Kernel panic" --forbid "BUG:" --forbid "Oops" --forbid "CHECK FAILED"
    --forbid "frames still referenced" --forbid "W\\+X mappings: FAILED")

# vireo_linux_test(<case> [SMP n] <config lines>... EXPECT <regexes>...)
function(vireo_linux_test name)
    cmake_parse_arguments(L "" "SMP" "EXPECT" ${ARGN})
    if(NOT L_SMP)
        set(L_SMP 1)
    endif()
    vireo_domain_config(linux-${name} ${L_UNPARSED_ARGUMENTS})
    set(expects)
    foreach(e ${L_EXPECT})
        list(APPEND expects --expect "${e}")
    endforeach()
    vireo_system_test(linux-${name} TIMEOUT 400 ARGS --mem 1024 --smp ${L_SMP}
        --module "${GUEST_DIR}/supervise timeout=380" --module ${SYSTEM_DATA}/linux-${name}.cfg
        --module ${VIREO_REF_DIR}/vmlinuz --module ${LINUX_INITRAMFS}
        --expect "Module 3: bzImage unpacked" ${expects} --expect "PASS supervise" ${LINUX_FORBID})
    set_tests_properties(system.linux-${name} PROPERTIES FIXTURES_REQUIRED xenref LABELS "system;linux")
endfunction()

vireo_linux_test(domu
    "domain name=linux kernel=3 ramdisk=4 memory=256M cmdline=\"console=hvc0 vireo_test=basic\"\n"
    EXPECT "\\(linux\\) vireo-linux: /init reached \\(6\\.1\\.[^,]*-amd64, 1 CPU\\)"
    "\\(linux\\) uname: Linux 6\\.1\\.[^ ]* x86_64" "\\(linux\\) cpus: 1" "\\(linux\\) fork-exec: 200 done"
    "\\(linux\\) fill: 2c7ab85a893283e98c931e9511add182" "\\(linux\\) vireo-linux: PASS basic"
    "d1 shut down: poweroff")

vireo_linux_test(domu-2vcpu
    "domain name=linux kernel=3 ramdisk=4 memory=256M vcpus=2 cmdline=\"console=hvc0 vireo_test=basic\"\n"
    EXPECT "\\(linux\\) [^\\n]*smp: Brought up 1 node, 2 CPUs" "\\(linux\\) vireo-linux: /init reached \\([^,]*, 2 CPU\\)"
    "\\(linux\\) cpus: 2" "\\(linux\\) fork-exec: 200 done" "\\(linux\\) vireo-linux: PASS basic"
    "d1 shut down: poweroff")

# Four Linux domains at once, each on its own console (lines carry its name).
vireo_linux_test(four-domus
    "domain name=lin1 kernel=3 ramdisk=4 memory=160M cmdline=\"console=hvc0 vireo_test=basic\"\n"
    "domain name=lin2 kernel=3 ramdisk=4 memory=160M cmdline=\"console=hvc0 vireo_test=basic\"\n"
    "domain name=lin3 kernel=3 ramdisk=4 memory=160M vcpus=2 cmdline=\"console=hvc0 vireo_test=basic\"\n"
    "domain name=lin4 kernel=3 ramdisk=4 memory=160M cmdline=\"console=hvc0 vireo_test=basic\"\n"
    EXPECT "Building d4 \\(lin4\\)" "\\((lin1|lin2|lin3|lin4)\\) vireo-linux: PASS basic"
    "all 4 domains have shut down")

# Two vCPUs on two physical CPUs: guest code really runs in parallel
# (IPIs, remote wake-ups and TLB shootdowns between the CPUs).
vireo_linux_test(domu-smp SMP 2
    "domain name=linux kernel=3 ramdisk=4 memory=256M vcpus=2 cmdline=\"console=hvc0 vireo_test=basic\"\n"
    EXPECT "2 CPUs running" "CPU 1: up, APIC id 1" "\\(linux\\) [^\\n]*smp: Brought up 1 node, 2 CPUs"
    "\\(linux\\) cpus: 2" "\\(linux\\) fork-exec: 200 done" "\\(linux\\) vireo-linux: PASS basic"
    "d1 shut down: poweroff")

# `reboot` in a domU restarts that domain (its memory is given back and the
# domain is built again); `poweroff` then ends it.
vireo_linux_test(domu-reboot
    "domain name=linux kernel=3 ramdisk=4 memory=256M cmdline=\"console=hvc0 vireo_test=reboot\"\n"
    EXPECT "\\(linux\\) first boot: rebooting" "Domain 1 \\(linux\\) shut down: reason reboot"
    "Domain 1 \\(linux\\) destroyed: [0-9]+ frames back in the allocator" "Domain 1 \\(linux\\) rebooting"
    "Building d1 \\(linux\\)" "\\(linux\\) boot after restart 1" "\\(linux\\) vireo-linux: PASS reboot"
    "d1 shut down: poweroff")

# The domU's console takes input: three Ctrl-A move the serial line's input
# from dom0 to the domU (as on Xen), and its shell runs what is typed.
vireo_domain_config(linux-console
    "domain name=linux kernel=3 ramdisk=4 memory=256M cmdline=\"console=hvc0\"\n")
vireo_system_test(linux-console TIMEOUT 300 ARGS --mem 1024
    --module "${GUEST_DIR}/supervise timeout=280" --module ${SYSTEM_DATA}/linux-console.cfg
    --module ${VIREO_REF_DIR}/vmlinuz --module ${LINUX_INITRAMFS}
    --input-after "vireo-linux: shell ready"
    --input "\\x01\\x01\\x01echo typed-$((6*7)) on $(cat /proc/sys/kernel/hostname)\\npoweroff -f\\n"
    --expect "console input now goes to d1 \\(linux\\)" --expect "\\(linux\\) [^\\n]*typed-42 on"
    --expect "d1 shut down: poweroff" --expect "PASS supervise" ${LINUX_FORBID})
set_tests_properties(system.linux-console PROPERTIES FIXTURES_REQUIRED xenref LABELS "system;linux")

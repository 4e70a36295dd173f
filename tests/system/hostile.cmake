# Hostile guests: kernels that try to reach what a PV guest must not, each
# refusal with Xen's error code, and the hypervisor (and the other domains)
# carrying on. Each kernel prints every answer as "call: result"; on Vireo
# and on Xen 4.17 the same lines must appear, in order, whole (the kernels
# also check each answer against Xen's themselves, so a wrong one prints
# CHECK FAILED). The kernels also run in the plain per-kernel tests above.
# On Vireo a second domain prints a line every 100 ms throughout, and the
# hostile kernel lingers 400 ms after its last act, so the printer must be
# seen carrying on (Xen 4.17 starts no second domain without a toolstack).
vireo_domain_config(hostile-witness "domain name=printer kernel=3 memory=4M\n")
function(vireo_hostile_args out kernel)
    set(${out} VIREO_ARGS --module "${GUEST_DIR}/${kernel} linger_ms=400" --module ${SYSTEM_DATA}/hostile-witness.cfg
        --module ${GUEST_DIR}/printer --expect-anywhere "^lingering 400 ms"
        --expect-anywhere "\\(printer\\) line 3$" XEN_ARGS --module ${GUEST_DIR}/${kernel} PARENT_SCOPE)
endfunction()

# --expect arguments for lines matched literally, to the end of the line
# (a domain's lines may carry its name in front).
function(vireo_expect_lines out)
    set(args)
    foreach(line ${ARGN})
        string(REGEX REPLACE "([][.*+?^$(){}|\\\\])" "\\\\\\1" escaped "${line}")
        list(APPEND args --expect "${escaped}$")
    endforeach()
    set(${out} ${args} PARENT_SCOPE)
endfunction()

# Page tables (guest/kernels/hostile_mmu.cpp): the same lines on both. A
# frame given back while still mapped or pinned is taken at once and leaves
# the reservation when its last use goes (hv/core/reservation.hpp).
set(HOSTILE_MMU_BEFORE
    "update_va_mapping of our L4 writable: -16" "update_va_mapping of our L3 writable: -16"
    "update_va_mapping of our L2 writable: -16" "update_va_mapping of our L1 writable: -16"
    "mmu_update mapping our L4 writable: -16" "mmu_update mapping an L1 writable through itself: -16"
    "mmu_update (preserving A/D) mapping our L2 writable: -16" "a store into our L4: page fault at the address"
    "update_va_mapping of a frame past the end of memory: -1" "mmu_update mapping a frame past the end of memory: -1"
    "update_va_mapping of INVALID_MFN: -22" "update_va_mapping of the hypervisor's image: -16"
    "L4 slot 256 names machine frame non-zero" "update_va_mapping of the hypervisor's M2P table: -16"
    "mmu_update for an absent domain's frames: -3" "mmu_update writing into a hypervisor frame: -22"
    "mmu_update writing into a frame past the end of memory: -22" "machphys_update of a hypervisor frame: -22"
    "mmu_update clearing L4 slot 256: -22" "mmu_update rewriting L4 slot 271 with its own value: -22"
    "mmu_update pointing L4 slot 261 at our L3: -22" "update_va_mapping in the hypervisor's range: -22"
    "reading the hypervisor's direct map: page fault at the address"
    "reading the hypervisor's image: page fault at the address" "reading the M2P: our L4's entry is right"
    "writing the M2P: page fault at the address" "pinning an L4 with our entry in slot 260: 0, slot replaced"
    "unpinning it: 0"
    "pinning an L1 that maps our L4 writable: -16" "pinning an L1 that maps itself writable: -16"
    "pinning an L1 that maps the hypervisor's image: -16" "pinning an L1 that maps a frame past the end of memory: -1"
    "pinning an L2 with a 2 MiB superpage: -22" "pinning an L3 with a 1 GiB superpage: -22"
    "pinning an L2 naming a writable data page: -22" "pinning an L2 naming the hypervisor's image: -22"
    "pinning an L3 naming a frame past the end of memory: -22" "pinning an L4 naming our L1 as an L3: -22"
    "pinning the hypervisor's image: -22" "pinning a frame past the end of memory: -22"
    "mmu_update pointing an L2 entry at the hypervisor's image: -22"
    "mmu_update pointing an L2 entry at a writable data page: -22" "frames of the refused tables writable again: yes"
    "a loop L3 -> L2 -> the L3 (writable): -22" "a loop L3 -> L2 -> the L3 (read-only): -22"
    "an L3 naming itself writable: -22" "an L3 naming itself read-only (a self-map): 0" "unpinning it: 0"
    "a loop L2 -> L1 -> the L2 (writable): -16" "a loop L2 -> L1 -> the L2 (read-only): 0" "unpinning it: 0"
    "an L4 sharing our L3, mapping itself read-only: 0" "unpinning it: 0" "frames of the loops writable again: yes"
    "unpinning the active base table: 0" "a mapping change after it: 0" "unpinning it again: -22"
    "pinning it back: 0" "new_baseptr to a writable data page: -22" "new_baseptr to the hypervisor's image: -22"
    "new_baseptr to our L3: -22" "new_baseptr past the end of memory: -22" "new_baseptr to the active base table: 0"
    "unpinning our L3 (never pinned): -22")
vireo_expect_lines(HOSTILE_MMU_LINES ${HOSTILE_MMU_BEFORE}
    "decrease_reservation of a frame still mapped: 1" "frames gone from the reservation while it is mapped: 0"
    "decrease_reservation of it again: 1" "unmapping it: 0" "frames gone from the reservation once unmapped: 1"
    "decrease_reservation of it once freed: 0" "pinning a spare frame as an L1: 0"
    "decrease_reservation of a pinned L1: 1" "frames gone from the reservation while it is pinned: 0"
    "unpinning it: 0" "frames gone from the reservation once unpinned: 1"
    "still running: the refusals left every table in place" "PASS hostile_mmu")
vireo_hostile_args(HOSTILE_MMU_DOMAINS hostile_mmu)
vireo_system_test(hostile-mmu XEN ARGS --forbid "CHECK FAILED" ${HOSTILE_MMU_LINES} ${HOSTILE_MMU_DOMAINS})

# Trap tables, descriptors, event ports, I/O ports
# (guest/kernels/hostile_cpu.cpp): the same lines on both.
vireo_expect_lines(HOSTILE_CPU_LINES
    "set_trap_table with a handler in the hypervisor's range: 0" "int3 through it: page fault at the handler"
    "set_trap_table with a non-canonical handler: -22" "set_trap_table reading a non-canonical table: -14"
    "set_trap_table reading the hypervisor's memory: -14" "set_trap_table naming the hypervisor's code selector: 0"
    "ud2 through it: handler ran with cs e033"
    "update_descriptor, 64-bit code, DPL 0: 0, stored 0020fa0000000000"
    "update_descriptor, data, DPL 0: 0, stored 00cff2000000ffff"
    "update_descriptor, 64-bit code, DPL 3: 0, stored 0020fa0000000000"
    "update_descriptor, a 64-bit TSS: -22" "update_descriptor, an LDT: -22" "update_descriptor, an interrupt gate: -22"
    "update_descriptor, a call gate to the kernel's code selector: 0, stored 00008c00e0331000"
    "update_descriptor, a call gate to the hypervisor's code selector: -22"
    "update_descriptor, not present, any bits: 0, stored ffff7fffffffffff"
    "update_descriptor, present, system type 0: 0, stored 0000800000000000"
    "update_descriptor at a misaligned address: -22" "update_descriptor into our L4: -22"
    "update_descriptor into the hypervisor's image: -22" "update_descriptor past the end of memory: -22"
    "set_gdt with a TSS descriptor: -22" "set_gdt with a frame mapped writable: -22"
    "set_gdt with the hypervisor's image: -22" "set_gdt with more entries than the guest owns: -22"
    "set_gdt reading the hypervisor's memory: -14" "set_gdt with DPL 0 code and data: 0"
    "the GDT as stored: 00cff2000000ffff 0020fa0000000000" "mapping the GDT frame writable: -16"
    "update_descriptor putting a TSS into the GDT: -22" "update_descriptor putting DPL 0 code into the GDT: 0"
    "loading our data selector b: loaded" "set_gdt with no entries: 0" "the old GDT frame mapped writable again: 0"
    "port 0 (reserved): send -22, unmask 0, bind_vcpu -22, status 0 (0)"
    "port 4096 (the limit): send -22, unmask -22, bind_vcpu -22, status -22"
    "port 0xffffffff: send -22, unmask -22, bind_vcpu -22, status -22"
    "a closed port: send -22, unmask 0, bind_vcpu -22, status 0 (0)"
    "an unbound port: send 0, unmask 0, bind_vcpu 0, status 0 (1)"
    "close of port 0: -22" "close of port 4096: -22" "close of a closed port: -22"
    "bind_vcpu of the unbound port to vCPU 5: -2" "bind_vcpu of port 4096 to vCPU 5: -2"
    "status of a port of domain 999: -3" "bind_interdomain to our port 0: -22"
    "bind_interdomain to our port 4096: -22" "bind_interdomain to domain 999: -3" "close of the unbound port: 0"
    "an IPI after all that: raised"
    "set_iopl 0: 0" "inb from the PIT at IOPL 0: #GP(0)" "outb to the PIC at IOPL 0: #GP(0)" "cli at IOPL 0: #GP(0)"
    "set_iopl 4: -22" "set_iopl 1: 0" "inb from the PIT at IOPL 1: no fault, rax 11223344556677ff"
    "inw from the PIC at IOPL 1: no fault, rax 112233445566ffff"
    "inl from the hypervisor's serial line at IOPL 1: no fault, rax 00000000ffffffff"
    "outb masking every PIC interrupt at IOPL 1: no fault" "outb zeroing the PIT at IOPL 1: no fault"
    "inb of the PIC mask at IOPL 1: no fault, rax 11223344556677ff" "cli at IOPL 1: no fault"
    "a 20 ms timer after the writes: fired" "set_iopl 0 again: 0" "inb from the PIT at IOPL 0 again: #GP(0)"
    "still running after every refusal" "PASS hostile_cpu")
vireo_hostile_args(HOSTILE_CPU_DOMAINS hostile_cpu)
vireo_system_test(hostile-cpu XEN ARGS ${HOSTILE_CPU_LINES} --forbid "CHECK FAILED" ${HOSTILE_CPU_DOMAINS})

# Two vCPUs on one page table (guest/kernels/hostile_smp.cpp). Xen starts
# it as a dom0 with two vCPUs (two CPUs); Vireo's dom0 has one, so there it
# is a domU with vcpus=2 on two CPUs, and the supervise kernel waits for
# it. An unprivileged domain's page-table calls run as domain-local ones
# (hypercall.hpp): here its two vCPUs' calls meet on its domain lock.
vireo_expect_lines(HOSTILE_SMP_LINES
    "pinning the shared L1: 0" "hooking it into the L2: 0" "vCPU 1 is up before we start it: 0"
    "VCPUOP_up of vCPU 1 before initialise: -22" "VCPUOP_initialise of vCPU 7 (absent): -2"
    "VCPUOP_initialise with a non-canonical rip: -22" "VCPUOP_initialise with a writable data page as its L4: -22"
    "VCPUOP_initialise of vCPU 0 (running): -17" "VCPUOP_initialise of vCPU 1: 0"
    "VCPUOP_initialise of vCPU 1 again: -17" "VCPUOP_up of vCPU 1: 0" "vCPU 1 running on its own stack: yes"
    "vCPU 1 finished: yes" "vCPU 1: 2000 batches, 2000 shared, 2000 self-maps, 2000 refused writable, 0 wrong"
    "the two vCPUs overlapped: yes" "VCPUOP_is_up of vCPU 1 after its own VCPUOP_down: 0"
    "vCPU 0: 2000 batches, 2000 shared, 2000 self-maps, 2000 refused writable, 0 wrong"
    "clearing the shared entry: 0" "entries left mapped: 0" "unhooking the L1: 0" "unpinning it: 0"
    "the former L1 mapped writable: 0" "pinning the data frame as an L1 (no writable mapping left): 0"
    "unpinning it: 0" "giving the data frame back (no reference left): 1" "PASS hostile_smp")
vireo_domain_config(hostile-smp "domain name=smp kernel=3 memory=16M vcpus=2\n")
vireo_system_test(hostile-smp XEN TIMEOUT 120 ARGS ${HOSTILE_SMP_LINES} --forbid "CHECK FAILED"
    VIREO_ARGS --smp 2 --module "${GUEST_DIR}/supervise timeout=100" --module ${SYSTEM_DATA}/hostile-smp.cfg
               --module ${GUEST_DIR}/hostile_smp --expect "d1 shut down: poweroff" --expect "PASS supervise"
    XEN_ARGS --smp 2 --module ${GUEST_DIR}/hostile_smp)

# A vCPU that never yields (Vireo only: Xen starts no domU without a
# toolstack). Domain 1 masks its events and spins; domain 2 prints a line
# every 100 ms; dom0 sleeps 50 ms at a time for 4 s and reads their CPU
# time. Neither may starve: the printer's 30th line comes before dom0's
# 80th tick (4 s), and dom0 checks its own lateness and the others' time.
vireo_domain_config(hostile-spin
    "domain name=spinner kernel=3 memory=4M\n"
    "domain name=printer kernel=4 memory=4M\n")
vireo_system_test(hostile-spin ARGS
    --module ${GUEST_DIR}/spin_watch --module ${SYSTEM_DATA}/hostile-spin.cfg
    --module ${GUEST_DIR}/spin_masked --module ${GUEST_DIR}/printer
    --expect "\\(spinner\\) spinning with events masked" --expect "\\(printer\\) line 30$"
    --expect "dom0 tick 80: woken [0-9]+ us late"
    --expect "dom0 woken [0-9]+ us late on average, [0-9]+ us at worst"
    --expect "the spinner ran [0-9]+ ms, the printer [0-9]+ us" --expect "PASS spin_watch" --forbid "CHECK FAILED")

# dom0 as a careless or hostile toolstack (guest/kernels/domctl_create.cpp):
# createdomain with what a PV domain cannot have, taken and reserved ids,
# setvcpucontext with CR3s that are not an L4 of the new domain, pins and
# M2P updates on its frames, pause counts, destroy of itself and of absent
# domains, then a proper create, max_mem, populate and destroy that gives
# every frame back, and a destroy while dom0 still maps one of the
# domain's frames (it stays, dying, until that is unmapped). The same
# lines on both; ids and counts that differ are printed as yes/no.
vireo_expect_lines(DOMCTL_CREATE_LINES
    "createdomain with CDF_hap but not CDF_hvm: -22" "createdomain with an unknown flag (bit 12): -22"
    "createdomain with CDF_nested_virt without HAP: -22" "createdomain with CDF_vpmu: -22"
    "createdomain with CDF_iommu: -22" "createdomain with IOMMU options but no IOMMU: -22"
    "createdomain with a vmtrace buffer: -22" "createdomain with 0 vCPUs: -22"
    "createdomain with 0x10000000 vCPUs: -22" "createdomain with grant table version 0: -22"
    "createdomain with grant table version 3: -22" "createdomain with unknown grant options: -22"
    "createdomain with 0 grant frames: -22" "createdomain with 65 grant frames: -22"
    "createdomain with 1025 maptrack frames: -22" "createdomain with unknown arch flags: -22"
    "createdomain with an unknown emulated device: -22" "createdomain with an emulated local APIC: -95"
    "createdomain in CPU pool 7: -3" "createdomain with any id: 0, a new id: yes"
    "createdomain with that id again: -17" "createdomain with a reserved id (DOMID_IO): 0, a free id instead: yes"
    "destroydomain of that one: 0" "createdomain with id 5000: 0, id 5000" "destroydomain of domain 5000: 0"
    "new domain: tot_pages 0, max_pages 0, flags ffff0008, online vCPUs 0, max_vcpu_id ffffffff, shared_info set"
    "setvcpucontext before max_vcpus: -22" "max_vcpus 2 (created for 1): -22" "max_vcpus 1: 0"
    "max_vcpus of dom0 (itself): -22" "populate_physmap before max_mem: 0" "max_mem 64 KiB: 0"
    "populate_physmap of 4 frames: 4" "mapping its frame writable (foreign): 0"
    "mapping another of its frames writable: 0" "writing a bad L4 into a third: 0"
    "setvcpucontext of vCPU 1 (absent): -22" "setvcpucontext of dom0 (itself): -22"
    "setvcpucontext with dom0's L4: -22" "setvcpucontext with a frame past memory: -22"
    "setvcpucontext with its frame that is no valid L4: -22" "setvcpucontext with a non-canonical rip: -22"
    "getvcpucontext of a vCPU without one: -61" "unpausedomain with no vCPU context: 0" "pausedomain again: 0"
    "setvcpucontext with an L4 of its own: 0" "getvcpucontext: 0, cr3 the L4: yes, rip ffffffff80000000"
    "mapping the L4 it now uses writable: -16" "setvcpucontext with another L4 (it has one): -95"
    "setvcpucontext with a null context (reset): 0" "getvcpucontext after the reset: -61"
    "pinning its L4 as dom0's own: -22" "pinning its L4 for it: 0" "pinning dom0's L4 for it: -22"
    "new_baseptr naming it: -1" "pinning for domain 4321 (absent): -3" "unpinning it for it: 0"
    "unpinning it again: -22" "machphys_update of its frame: 0" "the M2P names it: yes"
    "machphys_update of dom0's frame for it: -22" "pausedomain of dom0 (itself): -22"
    "pausedomain of domain 4321 (absent): -3" "pausedomain: 0" "unpausedomain: 0"
    "unpausedomain (the creation pause): 0" "unpausedomain once more: -22"
    "unpausedomain of dom0 (never paused): -22" "paused flag while paused: yes, after: no"
    "destroydomain of dom0 (itself): -22" "destroydomain of DOMID_SELF: -3"
    "destroydomain of domain 4321 (absent): -3" "destroydomain of the misused domain: 0" "it is gone: yes"
    "destroydomain of it again: -3" "createdomain: 0" "max_vcpus 1: 0" "max_mem 4 MiB: 0"
    "populate_physmap of 1024 frames: 1024" "populate_physmap of one more: 0" "its pages: 1024 of 1024"
    "free memory fell by at least 1024 frames: yes" "destroydomain: 0" "free memory back where it was: yes"
    "createdomain: 0" "max_mem 64 KiB: 0" "populate_physmap of 2 frames: 2" "mapping its frame (foreign): 0"
    "destroydomain while dom0 maps its frame: 0" "it stays, dying: yes, with 1 page(s)"
    "the frame still reads back: yes" "createdomain with its id: -17" "destroydomain of it again: 0"
    "unmapping the frame: 0" "gone once unmapped: yes" "free memory back where it was: yes" "PASS domctl_create")
# On Vireo the debug key 'd' (after two console switches: dom0, the
# printer, Vireo) must list the new domain, paused and empty.
vireo_system_test(domctl-create XEN ARGS --forbid "CHECK FAILED" ${DOMCTL_CREATE_LINES}
    VIREO_ARGS --module "${GUEST_DIR}/domctl_create linger_ms=400 hold_ms=1000"
        --module ${SYSTEM_DATA}/hostile-witness.cfg --module ${GUEST_DIR}/printer
        --input-after "holding 1000 ms" --input "\\x01\\x01\\x01\\x01\\x01\\x01d"
        --expect-anywhere "Domain [0-9]+ \\(domU\\): running, paused, pages 0/0, 1 vCPUs"
        --expect-anywhere "^lingering 400 ms" --expect-anywhere "\\(printer\\) line 3$"
    XEN_ARGS --module ${GUEST_DIR}/domctl_create)

# CPU virtualization (issue 5): the failsafe callback, user mode and its
# system calls, debug registers.

# The failsafe callback (guest/kernels/failsafe.cpp): vCPU 1 starts from a
# context whose DS and FS do not load. It needs two vCPUs: dom0 with two
# CPUs on Xen; Vireo's dom0 has one, so there it is a domU with vcpus=2
# and the supervise kernel waits for it.
vireo_expect_lines(FAILSAFE_LINES
    "callback_op register failsafe: 0" "callback_op register failsafe, non-canonical: -22"
    "callback_op unregister failsafe: -22" "set_callbacks with a non-canonical failsafe: 0"
    "VCPUOP_initialise of vCPU 1 with bad DS and FS: 0" "VCPUOP_up of vCPU 1: 0"
    "failsafe frame: rcx 1111222233334444 r11 5555666677778888 ds 1233 es 0 fs f gs e02b"
    "failsafe frame: rip the context's cs 10000e030 rflags c7 rsp the context's ss e02b"
    "selectors in the CPU at the callback: ds 0 es 0 fs 0 gs e02b"
    "VCPUOP_is_up of vCPU 1 after its own VCPUOP_down: 0" "PASS failsafe")
vireo_domain_config(failsafe "domain name=fs kernel=3 memory=8M vcpus=2\n")
vireo_system_test(failsafe-2vcpu XEN ARGS ${FAILSAFE_LINES} --forbid "CHECK FAILED"
    VIREO_ARGS --module "${GUEST_DIR}/supervise timeout=30" --module ${SYSTEM_DATA}/failsafe.cfg
               --module ${GUEST_DIR}/failsafe --expect "d1 shut down: poweroff" --expect "PASS supervise"
    XEN_ARGS --smp 2 --module ${GUEST_DIR}/failsafe)
# Without a failsafe callback the domain is crashed with a line saying why
# (Vireo only: Xen 4.17 starts the vCPU at address 0).
vireo_domain_config(failsafe-none "domain name=nofs kernel=3 memory=8M vcpus=2 cmdline=\"nofailsafe=1\"\n")
vireo_system_test(failsafe-none ARGS --module "${GUEST_DIR}/supervise timeout=30 expect=crash"
    --module ${SYSTEM_DATA}/failsafe-none.cfg --module ${GUEST_DIR}/failsafe
    --expect "\\(nofs\\) no failsafe callback: the domain should be crashed now"
    --expect "d1 v1: selectors ds 1233 es 0 fs f gs e02b do not load, and no failsafe callback"
    --expect "d1 shut down: crash" --expect "PASS supervise" --forbid "\\(nofs\\) PASS")

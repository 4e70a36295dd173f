# Several physical CPUs: Vireo starts every CPU the firmware lists (ACPI
# MADT) and runs domains on all of them.
foreach(n 2 4)
    vireo_system_test(smp-${n} ARGS --smp ${n} --module "${GUEST_DIR}/hello expect_mod_len=18"
        --module ${SYSTEM_DATA}/initrd.txt --expect "${n} CPUs running" --expect "CPU [1-9]: up"
        --expect "PASS hello" --forbid "did not start" --forbid "CHECK FAILED")
endforeach()

# Two domains on two CPUs exchange 100 000 events each way: every send is a
# wake-up or an upcall on the other CPU (a reschedule IPI).
vireo_system_test(ping-pong-smp TIMEOUT 240 ARGS --smp 2
    --module ${GUEST_DIR}/ping --module ${SYSTEM_DATA}/ping-pong.cfg --module ${GUEST_DIR}/pong
    --expect "2 CPUs running" --expect "\\(pong\\) offered port"
    --expect "ping-pong: 100000 events each way, 100000 answered" --expect "PASS ping" --forbid "CHECK FAILED")


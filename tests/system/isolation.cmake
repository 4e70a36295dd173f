# The isolation experiment of the Xen paper (issue 5): four domains of equal
# weight, two of them antisocial (a CPU hog churning page tables; an event,
# timer and hypercall storm). The well-behaved two (ALU work; ALU work with
# events and hypercalls) count their throughput alone and beside the
# antisocial ones in alternating windows (guest/scenario/isolation.hpp) and
# print the figures; each fails if it keeps under 70% of its fair share
# (half its alone throughput: two CPU-bound domains become four). dom0
# prints the CPU time each domain had and fails if an antisocial one had
# more than 32% of the machine (its share is 25%) or a well-behaved one
# less than 18%.
vireo_domain_config(isolation
    "domain name=compute kernel=3 memory=4M cmdline=\"work=compute share=50 floor=70\"\n"
    "domain name=events kernel=3 memory=4M cmdline=\"work=events share=50 floor=70\"\n"
    "domain name=churn kernel=4 memory=16M cmdline=\"kind=churn\"\n"
    "domain name=storm kernel=4 memory=4M cmdline=\"kind=storm\"\n")
vireo_system_test(isolation TIMEOUT 120 ARGS
    --module ${GUEST_DIR}/isolation --module ${SYSTEM_DATA}/isolation.cfg
    --module ${GUEST_DIR}/iso_worker --module ${GUEST_DIR}/iso_antisocial
    --expect-anywhere "\\(compute\\) compute worker ready" --expect-anywhere "\\(events\\) events worker ready"
    --expect-anywhere "\\(churn\\) churn ready" --expect-anywhere "\\(storm\\) storm ready"
    --expect "alone: compute [0-9.]+%, events [0-9.]+%"
    --expect "beside the antisocial domains: compute [0-9.]+%, events [0-9.]+%, churn [0-9.]+%, storm [0-9.]+%"
    --expect-anywhere "\\(compute\\) compute: alone [0-9]+ units/s, beside the antisocial domains [0-9]+ units/s"
    --expect-anywhere "\\(events\\) events: alone [0-9]+ units/s, beside the antisocial domains [0-9]+ units/s"
    --expect-anywhere "\\(churn\\) churn: [1-9][0-9]* rounds" --expect-anywhere "\\(storm\\) storm: [1-9][0-9]* events"
    --expect-anywhere "\\(compute\\) PASS iso_worker" --expect-anywhere "\\(events\\) PASS iso_worker"
    --expect-anywhere "\\(churn\\) PASS iso_antisocial" --expect-anywhere "\\(storm\\) PASS iso_antisocial"
    --expect "all 4 domains powered off" --expect "PASS isolation" --forbid "CHECK FAILED" --forbid "FAIL ")

# The same on two CPUs, with the same bounds (busy CPUs balance their
# queues: without that, three domains shared one CPU while the fourth had
# the other). The events worker's hypercalls and the storms' run as
# domain-local ones (hypercall.hpp), beside each other: when every
# hypercall took the hypervisor lock whole, the storms on the other CPU
# held it most of the time and the events worker kept 35% of its fair
# share.
vireo_domain_config(isolation-smp
    "domain name=compute kernel=3 memory=4M cmdline=\"work=compute share=50 floor=70\"\n"
    "domain name=events kernel=3 memory=4M cmdline=\"work=events share=50 floor=70\"\n"
    "domain name=churn kernel=4 memory=16M cmdline=\"kind=churn\"\n"
    "domain name=storm kernel=4 memory=4M cmdline=\"kind=storm\"\n")
vireo_system_test(isolation-smp TIMEOUT 120 ARGS --smp 2
    --module "${GUEST_DIR}/isolation cpus=2" --module ${SYSTEM_DATA}/isolation-smp.cfg
    --module ${GUEST_DIR}/iso_worker --module ${GUEST_DIR}/iso_antisocial
    --expect "2 CPUs running"
    --expect "alone: compute [0-9.]+%, events [0-9.]+%"
    --expect "beside the antisocial domains: compute [0-9.]+%, events [0-9.]+%, churn [0-9.]+%, storm [0-9.]+%"
    --expect-anywhere "\\(compute\\) compute: alone [0-9]+ units/s, beside the antisocial domains [0-9]+ units/s"
    --expect-anywhere "\\(events\\) events: alone [0-9]+ units/s, beside the antisocial domains [0-9]+ units/s"
    --expect-anywhere "\\(compute\\) PASS iso_worker" --expect-anywhere "\\(events\\) PASS iso_worker"
    --expect-anywhere "\\(churn\\) PASS iso_antisocial" --expect-anywhere "\\(storm\\) PASS iso_antisocial"
    --expect "all 4 domains powered off" --expect "PASS isolation" --forbid "CHECK FAILED" --forbid "FAIL ")
# Throughput and CPU shares are measured in guest time: run alone, so that
# another QEMU on the same host cores cannot stretch one window and not
# the next.
set_tests_properties(system.isolation system.isolation-smp PROPERTIES RUN_SERIAL TRUE)

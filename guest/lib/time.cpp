#include "guest/lib/time.hpp"

#include "abi/event_channel.hpp"
#include "abi/mmu.hpp"
#include "guest/lib/evtchn.hpp"
#include "guest/lib/runtime.hpp"

namespace guest {
namespace {

alignas(4096) uint8_t g_shared_page[4096];
volatile xen::shared_info* g_shared;
uint32_t g_timer_port;

volatile xen::vcpu_info& vcpu0() { return g_shared->vcpu_info[0]; }

// VIRQ_TIMER bound once, the 100 Hz default periodic timer stopped (as
// Linux does), so only our own deadlines wake us.
uint32_t timer_port()
{
    if (g_timer_port)
        return g_timer_port;
    xen::evtchn_bind_virq b{xen::VIRQ_TIMER, 0, 0};
    long r = evtchn_op(xen::EVTCHNOP_bind_virq, &b);
    check(r == 0, "bind_virq(VIRQ_TIMER): %ld", r);
    hypercall(xen::HYPERVISOR_vcpu_op, xen::VCPUOP_stop_periodic_timer, 0, 0);
    g_timer_port = b.port;
    return g_timer_port;
}

}  // namespace

volatile xen::shared_info* map_shared_info(const xen::start_info* si)
{
    if (g_shared)
        return g_shared;
    constexpr uint64_t kPresent = 1, kWritable = 2, kUser = 4, kAccessed = 0x20, kDirty = 0x40;
    long r = hypercall(xen::HYPERVISOR_update_va_mapping, reinterpret_cast<uint64_t>(g_shared_page),
                       si->shared_info | kPresent | kWritable | kUser | kAccessed | kDirty, xen::UVMF_INVLPG);
    check(r == 0, "mapping shared_info: %ld", r);
    g_shared = reinterpret_cast<volatile xen::shared_info*>(g_shared_page);
    return g_shared;
}

volatile xen::shared_info* shared_info() { return g_shared; }

uint64_t rdtsc()
{
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t{hi} << 32) | lo;
}

uint64_t system_time_ns()
{
    volatile xen::vcpu_time_info& t = vcpu0().time;
    for (;;) {
        uint32_t version = t.version;
        asm volatile("" ::: "memory");
        uint64_t delta = rdtsc() - t.tsc_timestamp;
        int8_t shift = t.tsc_shift;
        delta = shift >= 0 ? delta << shift : delta >> -shift;
        uint64_t ns = t.system_time +
                      static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * t.tsc_to_system_mul) >> 32);
        asm volatile("" ::: "memory");
        if (!(version & 1) && version == t.version)
            return ns;
    }
}

void sleep_until(uint64_t deadline)
{
    uint32_t port = timer_port();
    while (system_time_ns() < deadline) {
        hypercall(xen::HYPERVISOR_set_timer_op, deadline);
        evtchn_take(port);  // what an earlier tick left, so the block sleeps
        evtchn_block_unless_pending(port);
    }
}

}  // namespace guest

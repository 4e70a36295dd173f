#include "guest/lib/evtchn.hpp"

#include "abi/sched.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

namespace guest {

long evtchn_op(uint64_t cmd, void* arg) { return hypercall(xen::HYPERVISOR_event_channel_op, cmd, ptr(arg)); }

long evtchn_send(uint32_t port)
{
    xen::evtchn_send s{port};
    return evtchn_op(xen::EVTCHNOP_send, &s);
}

bool evtchn_take(uint32_t port)
{
    uint64_t bit = 1ull << (port % 64);
    volatile uint64_t* word = &shared_info()->evtchn_pending[port / 64];
    return __atomic_fetch_and(word, ~bit, __ATOMIC_SEQ_CST) & bit;
}

void evtchn_block_unless_pending(uint32_t port)
{
    volatile xen::vcpu_info& vi = shared_info()->vcpu_info[0];
    // Clear the selector and upcall flag first: an event arriving after
    // this raises them again and the block returns at once, so none is
    // slept through. (Pending ports are read from the bitmap itself.)
    vi.evtchn_upcall_pending = 0;
    __atomic_store_n(&vi.evtchn_pending_sel, 0, __ATOMIC_SEQ_CST);
    uint64_t bit = 1ull << (port % 64);
    if (shared_info()->evtchn_pending[port / 64] & bit)
        return;
    hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_block, 0);
    vi.evtchn_upcall_mask = 1;  // no callback: keep upcalls off
}

void evtchn_wait(uint32_t port)
{
    while (!evtchn_take(port))
        evtchn_block_unless_pending(port);
}

}  // namespace guest

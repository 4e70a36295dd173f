#include "hv/core/runstate.hpp"

#include "abi/xen.hpp"
#include "hv/core/guest_walk.hpp"
#include "hv/core/platform.hpp"

namespace vireo {

void runstate_change(Vcpu& v, int state, uint64_t now)
{
    xen::vcpu_runstate_info& r = v.runstate;
    if (r.state == state)
        return;
    if (now > r.state_entry_time)
        r.time[r.state & 3] += now - r.state_entry_time;
    r.state = state;
    r.state_entry_time = now;
}

xen::vcpu_runstate_info runstate_snapshot(const Vcpu& v, uint64_t now)
{
    xen::vcpu_runstate_info r = v.runstate;
    if (now > r.state_entry_time)
        r.time[r.state & 3] += now - r.state_entry_time;
    return r;
}

void runstate_publish(Vcpu& v)
{
    if (!v.runstate_guest_va)
        return;
    // The area must lie in one page (Linux's is 48 bytes, 64-aligned); the
    // walk goes through the vCPU's kernel tables, whatever is loaded now.
    uint64_t va = v.runstate_guest_va;
    if ((va & (kPageSize - 1)) + sizeof(xen::vcpu_runstate_info) > kPageSize)
        return;
    uint64_t cr3 = v.kernel_cr3 ? v.kernel_cr3 : v.domain->vcpus[0].kernel_cr3;
    uint64_t maddr = guest_walk(cr3, va, true);
    if (maddr == kNoMapping)
        return;
    auto* dst = static_cast<xen::vcpu_runstate_info*>(map_machine_memory(maddr));
    bool flag = v.domain->vm_assist & (uint64_t{1} << xen::VMASST_TYPE_runstate_update_flag);
    if (flag) {
        __atomic_store_n(&dst->state_entry_time, v.runstate.state_entry_time | xen::XEN_RUNSTATE_UPDATE,
                         __ATOMIC_RELEASE);
    }
    dst->state = v.runstate.state;
    for (unsigned i = 0; i < 4; ++i)
        dst->time[i] = v.runstate.time[i];
    __atomic_store_n(&dst->state_entry_time, v.runstate.state_entry_time, __ATOMIC_RELEASE);
}

}  // namespace vireo

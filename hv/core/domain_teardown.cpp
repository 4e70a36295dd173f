#include "hv/core/domain_teardown.hpp"

#include "hv/core/descriptors.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/ldt.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/physical_irq.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr uint64_t kInvalidPfn = ~uint64_t{0};

void release_vcpu(Vcpu& v)
{
    drop_guest_gdt(v);
    drop_guest_ldt(v);
    drop_base_table(v, true);
    drop_base_table(v, false);
    if (v.vcpu_info_registered) {
        Mfn page(v.vcpu_info_maddr >> kPageShift);
        (void)frame_table().put_type(page, nullptr);
        (void)frame_table().put_page(page);
        v.vcpu_info_registered = false;
    }
    v.state = VcpuState::DOWN;
    v.timer_deadline_ns = 0;
    v.timer_period_ns = 0;
    v.polling = false;
    v.runstate_guest_va = 0;
}

}  // namespace

TeardownReport domain_release_resources(Domain& d)
{
    TeardownReport r;
    evtchn_close_all(d);
    pirq_release_all(d);  // its device lines masked and free for another
    for (Vcpu& v : d.vcpus)
        release_vcpu(v);
    FrameTable& ft = frame_table();
    PageTableRules rules(d);
    // Pins first: dropping a pinned table's last type reference drops what
    // its entries held, down the levels.
    for (uint64_t f = 0; f < ft.nr_frames(); ++f) {
        PageInfo* p = ft.get(Mfn(f));
        if (p->owner == d.id && (p->flags & kPagePinned)) {
            p->flags &= static_cast<uint8_t>(~kPagePinned);
            (void)ft.put_type(Mfn(f), &rules);
        }
    }
    for (uint64_t f = 0; f < ft.nr_frames(); ++f) {
        PageInfo* p = ft.get(Mfn(f));
        if (p->owner != d.id)
            continue;
        if (p->count != 1 || p->type_count != 0) {
            ++r.frames_kept;
            continue;
        }
        __builtin_memset(platform().map_machine(f << kPageShift), 0, kPageSize);
        if (platform().m2p_set)
            platform().m2p_set(f, kInvalidPfn);
        if (frame_allocator().free(Mfn(f), d.id) == Status::OK)
            ++r.frames_freed;
        else
            ++r.frames_kept;
    }
    d.tot_pages = r.frames_kept;
    d.console_ring_maddr = 0;
    d.console_port = 0;
    d.shared_info_maddr = 0;
    return r;
}

}  // namespace vireo

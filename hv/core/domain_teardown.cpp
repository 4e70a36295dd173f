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
    FrameTable& ft = frame_table();
    // Frames given back but still held are reclaimed as the references
    // below go: counted now, they are reported freed with the rest.
    uint64_t owned = 0;
    for (uint64_t f = 0; f < ft.nr_frames(); ++f)
        owned += ft.get(Mfn(f))->owner == d.id;
    evtchn_close_all(d);
    pirq_release_all(d);  // its device lines masked and free for another
    for (Vcpu& v : d.vcpus)
        release_vcpu(v);
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
    // Every allocation reference goes, as in Xen's relinquish_memory: a
    // frame nothing else holds is reclaimed (scrubbed, freed) at once, one
    // another domain still maps when that mapping goes.
    for (uint64_t f = 0; f < ft.nr_frames(); ++f) {
        PageInfo* p = ft.get(Mfn(f));
        if (p->owner == d.id && (p->flags & kPageAllocated))
            (void)ft.drop_allocation(Mfn(f), d.id);
    }
    for (uint64_t f = 0; f < ft.nr_frames(); ++f)
        r.frames_kept += ft.get(Mfn(f))->owner == d.id;
    r.frames_freed = owned - r.frames_kept;
    d.tot_pages = r.frames_kept;
    d.console_ring_maddr = 0;
    d.console_port = 0;
    d.shared_info_maddr = 0;
    return r;
}

}  // namespace vireo

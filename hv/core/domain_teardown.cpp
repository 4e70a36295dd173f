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

namespace {

enum Phase : uint8_t { COUNT_OWNED, RELEASE_VCPUS, UNPIN, DROP_ALLOCATION, COUNT_KEPT, DONE };

// Runs fn(frame) over the frame table from d's cursor, at most `budget`
// frames; true when the table's end was reached (the cursor then resets).
template <typename Fn>
bool scan(Domain& d, uint64_t& budget, Fn&& fn)
{
    FrameTable& ft = frame_table();
    uint64_t end = ft.nr_frames();
    while (d.teardown_cursor < end) {
        if (budget == 0)
            return false;
        --budget;
        fn(Mfn(d.teardown_cursor), *ft.get(Mfn(d.teardown_cursor)));
        ++d.teardown_cursor;
    }
    d.teardown_cursor = 0;
    return true;
}

}  // namespace

Status domain_release_step(Domain& d, uint64_t budget, TeardownReport& r)
{
    FrameTable& ft = frame_table();
    PageTableRules rules(d);
    switch (d.teardown_phase) {
    case COUNT_OWNED:
        // Frames given back but still held are reclaimed as the references
        // below go: counted now, they are reported freed with the rest.
        if (!scan(d, budget, [&](Mfn, PageInfo& p) { d.teardown_owned += p.owner == d.id; }))
            return Status::RESTART;
        d.teardown_phase = RELEASE_VCPUS;
        [[fallthrough]];
    case RELEASE_VCPUS:
        evtchn_close_all(d);
        pirq_release_all(d);  // its device lines masked and free for another
        for (Vcpu& v : d.vcpus)
            release_vcpu(v);
        d.teardown_phase = UNPIN;
        [[fallthrough]];
    case UNPIN:
        // Pins first: dropping a pinned table's last type reference drops
        // what its entries held, down the levels.
        if (!scan(d, budget, [&](Mfn f, PageInfo& p) {
                if (p.owner == d.id && (p.flags & kPagePinned)) {
                    p.flags &= static_cast<uint8_t>(~kPagePinned);
                    (void)ft.put_type(f, &rules);
                }
            }))
            return Status::RESTART;
        d.teardown_phase = DROP_ALLOCATION;
        [[fallthrough]];
    case DROP_ALLOCATION:
        // Every allocation reference goes, as in Xen's relinquish_memory: a
        // frame nothing else holds is reclaimed (scrubbed, freed) at once,
        // one another domain still maps when that mapping goes.
        if (!scan(d, budget, [&](Mfn f, PageInfo& p) {
                if (p.owner == d.id && (p.flags & kPageAllocated))
                    (void)ft.drop_allocation(f, d.id);
            }))
            return Status::RESTART;
        d.teardown_phase = COUNT_KEPT;
        [[fallthrough]];
    case COUNT_KEPT: {
        // One pass (comparisons only): between rounds a mapping's removal
        // could reclaim a frame the count had not reached yet.
        uint64_t all = ~uint64_t{0};
        d.tot_pages = 0;
        (void)scan(d, all, [&](Mfn, PageInfo& p) { d.tot_pages += p.owner == d.id; });
        d.teardown_phase = DONE;
        d.console_ring_maddr = 0;
        d.console_port = 0;
        d.shared_info_maddr = 0;
        [[fallthrough]];
    }
    default:
        break;
    }
    // tot_pages now counts what is kept (reclaims during the last scan
    // left it right: they only ever lower it after it was counted).
    r.frames_kept = d.tot_pages;
    r.frames_freed = d.teardown_owned > r.frames_kept ? d.teardown_owned - r.frames_kept : 0;
    return Status::OK;
}

bool domain_teardown_done(const Domain& d) { return d.teardown_phase == DONE; }

TeardownReport domain_release_resources(Domain& d)
{
    TeardownReport r;
    while (domain_release_step(d, ~uint64_t{0}, r) == Status::RESTART) {
    }
    return r;
}

}  // namespace vireo

#include "hv/core/reservation.hpp"

#include "hv/core/domain_teardown.hpp"
#include "hv/core/page_tables.hpp"

#include "hv/core/frame_allocator.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr unsigned kDomUMaxOrder = 9;         // one L1 table's worth
constexpr unsigned kControlDomMaxOrder = 20;  // Xen's MAX_ORDER

void fill(Mfn mfn, uint8_t byte) { __builtin_memset(map_machine_memory(mfn.raw << kPageShift), byte, kPageSize); }

// Frames the hypervisor reads and writes for d without holding a reference.
bool used_by_hypervisor(const Domain& d, Mfn mfn)
{
    uint64_t maddr = mfn.raw << kPageShift;
    return maddr == d.shared_info_maddr || maddr == d.console_ring_maddr;
}

}  // namespace

unsigned max_extent_order(const Domain& caller) { return caller.privileged ? kControlDomMaxOrder : kDomUMaxOrder; }

Result<Mfn> reservation_take(Domain& d, unsigned order, uint64_t limit)
{
    Result<Mfn> r = order == 0 && limit == 0 ? frame_allocator().alloc(d.id)
                                             : frame_allocator().alloc_contiguous(order, limit, d.id);
    if (!r.ok())
        return Status::NO_MEMORY;
    for (uint64_t k = 0; k < (uint64_t{1} << order); ++k) {
        fill(r.value() + k, 0);
        platform().m2p_set(r.value().raw + k, kInvalidM2p);
    }
    d.tot_pages += uint64_t{1} << order;
    return r;
}

Result<Mfn> reservation_grow(Domain& d, unsigned order, uint64_t limit)
{
    uint64_t n = uint64_t{1} << order;
    if (d.tot_pages > d.max_pages || n > d.max_pages - d.tot_pages)
        return Status::TOO_BIG;
    return reservation_take(d, order, limit);
}

void reservation_map(Mfn base, unsigned order, uint64_t gpfn)
{
    for (uint64_t k = 0; k < (uint64_t{1} << order); ++k)
        platform().m2p_set(base.raw + k, gpfn + k);
}

Status reservation_release(Domain& d, Mfn mfn)
{
    const PageInfo* p = frame_table().get(mfn);
    if (!p)
        return Status::INVALID;
    if (p->owner != d.id)
        return Status::PERMISSION;
    if (used_by_hypervisor(d, mfn))
        return Status::BUSY;
    // Given back already and still held: as Xen's guest_remove_page, which
    // takes and drops a reference and finds no allocation reference left.
    if (!(p->flags & kPageAllocated))
        return Status::OK;
    return frame_table().drop_allocation(mfn, d.id);
}

void reservation_reclaim(Mfn mfn, uint16_t owner)
{
    // A domain that is gone (its frames kept past teardown) counts nothing;
    // a dying one that kept frames others mapped goes with its last one.
    Domain* d = domain_find(owner);
    if (d && d->tot_pages)
        --d->tot_pages;
    if (d && d->state == DomainState::DYING && domain_teardown_done(*d) && d->tot_pages == 0)
        d->state = DomainState::DEAD;
    // The last reference may have been a mapping just removed, by the owner
    // or (foreign) by another domain: no translation of the frame may
    // survive into its next owner's hands.
    for (unsigned s = 0; s < kMaxDomains; ++s) {
        Domain* other = domain_at(s);
        if (other && domain_is_live(*other))
            flush_stale_tlbs(*other);
    }
    fill(mfn, 0);  // the next owner never sees this one's data
    if (platform().m2p_set)
        platform().m2p_set(mfn.raw, kInvalidM2p);
    (void)frame_allocator().free(mfn, owner);
}

void reservation_awaiting_reclaim(uint16_t owner, int delta)
{
    Domain* d = domain_find(owner);
    if (!d || (delta < 0 && d->frames_awaiting_reclaim == 0))
        return;
    d->frames_awaiting_reclaim += static_cast<uint64_t>(static_cast<int64_t>(delta));
}

void reservation_give(Domain& d, Mfn mfn) { (void)frame_table().drop_allocation(mfn, d.id); }

Status reservation_claim(Domain& d, Mfn mfn)
{
    // Exchange trades only frames nothing else holds (Xen's steal_page).
    const PageInfo* p = frame_table().get(mfn);
    if (!p)
        return Status::INVALID;
    if (p->owner != d.id || !(p->flags & kPageAllocated))
        return Status::PERMISSION;
    if (p->count != 1 || p->type_count || used_by_hypervisor(d, mfn))
        return Status::BUSY;
    return frame_table().get_page(mfn, d.id);
}

void reservation_unclaim(Mfn mfn) { (void)frame_table().put_page(mfn); }

void reservation_give_claimed(Domain& d, Mfn mfn)
{
    reservation_unclaim(mfn);
    reservation_give(d, mfn);
}

}  // namespace vireo

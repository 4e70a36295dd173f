// increase_reservation, decrease_reservation and populate_physmap: a
// domain's frames, an extent (2^order frames) at a time, with Xen 4.17's
// answers. The result is always the number of extents done: a bad
// argument, a refused frame or a full reservation just ends the list
// early, with no error code.
//
// A PV domain is not translated, so it sees machine frames: populate_physmap
// takes the pfns to fill and writes the new frames' numbers over them
// (naming them in the M2P), increase_reservation only reports them, and
// decrease_reservation takes machine frames. Long lists continue in a
// fresh hypercall every kMemopPagesPerRound frames, with the extents done so
// far kept in cmd's upper bits as Xen keeps them.
#include "abi/memory.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/guest_handle.hpp"
#include "hv/core/log.hpp"
#include "hv/core/memory_op.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/reservation.hpp"

namespace vireo {
namespace {

constexpr unsigned kMaxOrder = 20;  // Xen's MAX_ORDER

struct MemopArgs {
    Domain* caller;
    Domain* domain;     // whose reservation
    uint64_t list;      // guest handle of u64 frame numbers
    uint64_t nr_extents;
    unsigned order;
    uint64_t limit;     // new frames below this frame number (0: anywhere)
    bool populate_on_demand;
    uint64_t done;      // in: where to start; out: extents done
    uint64_t pages = 0; // frames handled in this round
    bool preempted = false;
};

// Smallest order whose run covers n frames (Xen's get_order_from_pages).
unsigned order_covering(uint64_t n)
{
    unsigned order = 0;
    while (order < 63 && (uint64_t{1} << order) < n)
        ++order;
    return order;
}

// Xen's construct_memop_from_reservation: the address limit and NUMA flags.
bool decode_flags(const Domain& caller, uint32_t flags, uint64_t& limit)
{
    limit = 0;
    uint32_t bits = xen::XENMEMF_get_address_bits(flags);
    if (bits && bits < order_covering(frame_table().nr_frames()) + kPageShift) {
        if (bits <= kPageShift)
            return false;
        limit = uint64_t{1} << (bits - kPageShift);
    }
    // A virtual node means nothing without a virtual NUMA topology, which
    // no domain has: Xen then ignores it.
    return (flags & xen::XENMEMF_vnode) || memop_node_ok(caller, flags);
}

bool list_ok(const MemopArgs& a)
{
    return guest_array_ok(a.list + a.done * sizeof(uint64_t), a.nr_extents - a.done, sizeof(uint64_t));
}

// Before each extent but the first of a round: has this round done enough?
bool round_over(MemopArgs& a, uint64_t i)
{
    if (i == a.done || a.pages < kMemopPagesPerRound)
        return false;
    a.preempted = true;
    return true;
}

Status read_entry(const MemopArgs& a, uint64_t i, uint64_t& value)
{
    return platform().copy_from_guest(&value, a.list + i * sizeof value, sizeof value);
}

Status write_entry(const MemopArgs& a, uint64_t i, uint64_t value)
{
    return platform().copy_to_guest(a.list + i * sizeof value, &value, sizeof value);
}

// An extent the guest could not be told about goes back at once (Xen
// would leave it allocated, counted and unknown to the guest).
void take_back(Domain& d, Mfn base, unsigned order)
{
    for (uint64_t k = 0; k < (uint64_t{1} << order); ++k)
        (void)reservation_release(d, base + k);
}

void increase(MemopArgs& a)
{
    if ((a.list && !list_ok(a)) || a.order > max_extent_order(*a.caller))
        return;
    uint64_t i = a.done;
    for (; i < a.nr_extents && !round_over(a, i); ++i) {
        Result<Mfn> r = reservation_grow(*a.domain, a.order, a.limit);
        if (!r.ok()) {
            VLOG_DEBUG("d%u: increase_reservation for d%u: no order-%u extent (%lu of %lu): %s\n", a.caller->id,
                       a.domain->id, a.order, i, a.nr_extents, status_name(r.status()));
            break;
        }
        if (a.list && write_entry(a, i, r.value().raw) != Status::OK) {
            take_back(*a.domain, r.value(), a.order);
            break;
        }
        a.pages += uint64_t{1} << a.order;
    }
    a.done = i;
}

void populate(MemopArgs& a)
{
    unsigned max_order = a.populate_on_demand ? kMaxOrder : max_extent_order(*a.caller);
    if (!list_ok(a) || a.order > max_order)
        return;
    uint64_t i = a.done;
    for (; i < a.nr_extents && !round_over(a, i); ++i) {
        uint64_t gpfn;
        if (read_entry(a, i, gpfn) != Status::OK)
            break;
        if (a.populate_on_demand) {
            // Populate-on-demand is for translated guests: a PV target has
            // nothing to mark, and Xen counts the extent; never one's own.
            if (a.domain == a.caller)
                break;
            continue;
        }
        Result<Mfn> r = reservation_grow(*a.domain, a.order, a.limit);
        if (!r.ok()) {
            VLOG_DEBUG("d%u: populate_physmap for d%u: no order-%u extent (%lu of %lu): %s\n", a.caller->id,
                       a.domain->id, a.order, i, a.nr_extents, status_name(r.status()));
            break;
        }
        reservation_map(r.value(), a.order, gpfn);
        if (write_entry(a, i, r.value().raw) != Status::OK) {
            take_back(*a.domain, r.value(), a.order);
            break;
        }
        a.pages += uint64_t{1} << a.order;
    }
    a.done = i;
}

void decrease(MemopArgs& a)
{
    if (!list_ok(a) || a.order > max_extent_order(*a.caller))
        return;
    uint64_t i = a.done;
    for (; i < a.nr_extents && !round_over(a, i); ++i) {
        uint64_t gmfn;
        if (read_entry(a, i, gmfn) != Status::OK)
            break;
        // Frame by frame, as Xen: a refusal inside an extent leaves the
        // frames before it given back and the extent not counted.
        Status s = Status::OK;
        for (uint64_t k = 0; k < (uint64_t{1} << a.order) && s == Status::OK; ++k) {
            s = reservation_release(*a.domain, Mfn(gmfn + k));
            if (s != Status::OK)
                VLOG_DEBUG("d%u: decrease_reservation for d%u: frame %lx refused: %s\n", a.caller->id,
                           a.domain->id, gmfn + k, status_name(s));
            else
                ++a.pages;
        }
        if (s != Status::OK)
            break;
    }
    a.done = i;
}

}  // namespace

HypercallResult memop_reservation(Vcpu& v, HypercallArgs& args, uint64_t op, uint64_t start)
{
    Domain& caller = *v.domain;
    auto result = static_cast<HypercallResult>(start);
    xen::xen_memory_reservation r;
    if (platform().copy_from_guest(&r, args.a[1], sizeof r) != Status::OK)
        return result;
    // The progress must fit in cmd's upper bits of a 32-bit count.
    if (r.nr_extents > (UINT32_MAX >> xen::MEMOP_EXTENT_SHIFT) || start >= r.nr_extents)
        return result;
    Domain* d = memop_target(caller, r.domid);
    if (!d)
        return result;
    MemopArgs a{&caller, d, r.extent_start, r.nr_extents, r.extent_order, 0, false, start};
    if (!decode_flags(caller, r.mem_flags, a.limit) || !memop_may_act_on(caller, *d))
        return result;
    a.populate_on_demand = op == xen::XENMEM_populate_physmap && (r.mem_flags & xen::XENMEMF_populate_on_demand);

    switch (op) {
    case xen::XENMEM_increase_reservation: increase(a); break;
    case xen::XENMEM_decrease_reservation: decrease(a); break;
    default: populate(a); break;
    }
    // Frames given back may still sit in this CPU's TLB for the guest.
    if (op == xen::XENMEM_decrease_reservation && a.pages)
        platform().flush_tlb_local();
    if (a.preempted) {
        args.a[0] = op | (a.done << xen::MEMOP_EXTENT_SHIFT);
        return kHypercallRestart;
    }
    return static_cast<HypercallResult>(a.done);
}

}  // namespace vireo

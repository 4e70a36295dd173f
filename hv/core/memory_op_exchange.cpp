// XENMEM_exchange: a PV domain trades frames for others of another extent
// order or below an address limit (Linux's contiguous DMA buffers), with
// Xen 4.17's rules and error codes.
//
// The work goes in chunks of 2^max(in order, out order) frames. A chunk
// either happens completely or not at all: its input frames are claimed
// (checked and held, so a frame listed twice fails) and its output
// extents allocated before anything changes; only then are the old frames
// scrubbed and given back and the new ones named in the M2P and reported.
// nr_exchanged counts input extents of completed chunks; a continuation
// keeps it in the guest's structure, as Xen does. The reservation's size
// never changes: the trade is one for one.
#include "abi/memory.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/guest_handle.hpp"
#include "hv/core/memory_op.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/reservation.hpp"

namespace vireo {
namespace {

// A chunk's frames, in order, threaded through PageInfo::next (unused while
// a frame is allocated): a chunk of any size needs no memory of our own.
class FrameQueue {
public:
    void push(Mfn m)
    {
        frame_table().get(m)->next = kNone;
        if (m_tail == kNone)
            m_head = static_cast<uint32_t>(m.raw);
        else
            frame_table().get(Mfn(m_tail))->next = static_cast<uint32_t>(m.raw);
        m_tail = static_cast<uint32_t>(m.raw);
    }
    bool pop(Mfn& m)
    {
        if (m_head == kNone)
            return false;
        m = Mfn(m_head);
        m_head = frame_table().get(m)->next;
        if (m_head == kNone)
            m_tail = kNone;
        return true;
    }

private:
    static constexpr uint32_t kNone = 0xffffffff;
    uint32_t m_head = kNone, m_tail = kNone;
};

struct Exchange {
    Domain* domain;
    xen::xen_memory_exchange x;
    unsigned in_chunk_order, out_chunk_order;
    uint64_t limit;     // output frames below this frame number (0: anywhere)
    bool unreachable;   // the address limit admits no frame at all
};

Status read_pfn(uint64_t list, uint64_t i, uint64_t& value)
{
    return platform().copy_from_guest(&value, list + i * sizeof value, sizeof value);
}

// Checks in Xen's order; each failure is the errno Xen gives.
Status check(const Domain& caller, Exchange& e)
{
    const xen::xen_memory_exchange& x = e.x;
    unsigned in = x.in.extent_order, out = x.out.extent_order;
    if ((in > out ? in : out) > max_extent_order(caller))
        return Status::PERMISSION;
    if (x.nr_exchanged > x.in.nr_extents || x.in.domid != x.out.domid ||
        (~uint64_t{0} >> in) < x.in.nr_extents || (~uint64_t{0} >> out) < x.out.nr_extents ||
        (x.in.nr_extents << in) != (x.out.nr_extents << out))
        return Status::INVALID;
    if (x.nr_exchanged == x.in.nr_extents)
        return Status::OK;
    if (!guest_array_ok(x.in.extent_start + x.nr_exchanged * 8, x.in.nr_extents - x.nr_exchanged, 8))
        return Status::FAULT;
    e.in_chunk_order = in <= out ? out - in : 0;
    e.out_chunk_order = in <= out ? 0 : in - out;
    uint64_t out_done = in <= out ? x.nr_exchanged >> e.in_chunk_order : x.nr_exchanged << e.out_chunk_order;
    if (!guest_array_ok(x.out.extent_start + out_done * 8, x.out.nr_extents - out_done, 8))
        return Status::FAULT;
    return memop_node_ok(caller, x.out.mem_flags) ? Status::OK : Status::INVALID;
}

void set_limit(Exchange& e)
{
    uint32_t bits = xen::XENMEMF_get_address_bits(e.x.out.mem_flags);
    e.limit = bits > kPageShift && bits - kPageShift < 64 ? uint64_t{1} << (bits - kPageShift) : 0;
    e.unreachable = bits && bits <= kPageShift;
}

void undo(Domain& d, FrameQueue& claimed, FrameQueue& extents, unsigned out_order)
{
    Mfn m;
    while (claimed.pop(m))
        reservation_unclaim(m);
    while (extents.pop(m))
        for (uint64_t k = 0; k < (uint64_t{1} << out_order); ++k)
            reservation_give(d, m + k);
}

// One chunk, all or nothing (but see the end: a failed report after the
// commit leaves the chunk done yet uncounted, as in Xen).
Status exchange_chunk(Exchange& e, uint64_t chunk)
{
    Domain& d = *e.domain;
    const xen::xen_memory_exchange& x = e.x;
    FrameQueue claimed, extents;
    Status s = Status::OK;
    for (uint64_t j = 0; j < (uint64_t{1} << e.in_chunk_order) && s == Status::OK; ++j) {
        uint64_t gmfn;
        s = read_pfn(x.in.extent_start, (chunk << e.in_chunk_order) + j, gmfn);
        for (uint64_t k = 0; k < (uint64_t{1} << x.in.extent_order) && s == Status::OK; ++k) {
            Mfn m(gmfn + k);
            s = reservation_claim(d, m);
            if (s == Status::OK)
                claimed.push(m);
            else if (s != Status::INVALID)
                s = Status::INVALID;  // Xen's steal_page: -EINVAL for any frame it cannot take
        }
    }
    for (uint64_t j = 0; j < (uint64_t{1} << e.out_chunk_order) && s == Status::OK; ++j) {
        Result<Mfn> r = e.unreachable ? Result<Mfn>(Status::NO_MEMORY)
                                      : reservation_take(d, x.out.extent_order, e.limit);
        s = r.status();
        if (r.ok())
            extents.push(r.value());
    }
    if (s != Status::OK) {
        undo(d, claimed, extents, x.out.extent_order);
        return s;
    }

    // Committed: nothing below can undo the chunk.
    Mfn m;
    while (claimed.pop(m))
        reservation_give_claimed(d, m);
    for (uint64_t j = 0; extents.pop(m); ++j) {
        uint64_t index = (chunk << e.out_chunk_order) + j, gpfn;
        if (read_pfn(x.out.extent_start, index, gpfn) != Status::OK) {
            s = Status::FAULT;
            continue;
        }
        reservation_map(m, x.out.extent_order, gpfn);
        uint64_t mfn = m.raw;
        if (platform().copy_to_guest(x.out.extent_start + index * 8, &mfn, sizeof mfn) != Status::OK)
            s = Status::FAULT;
    }
    return s;
}

Status report(uint64_t arg, uint64_t nr_exchanged)
{
    return platform().copy_to_guest(arg + offsetof(xen::xen_memory_exchange, nr_exchanged), &nr_exchanged,
                                    sizeof nr_exchanged);
}

}  // namespace

HypercallResult memop_exchange(Vcpu& v, HypercallArgs& args)
{
    Domain& caller = *v.domain;
    uint64_t arg = args.a[1];
    Exchange e{};
    if (platform().copy_from_guest(&e.x, arg, sizeof e.x) != Status::OK)
        return hc_error(Status::FAULT);
    Status s = check(caller, e);
    if (s == Status::OK && e.x.nr_exchanged == e.x.in.nr_extents)
        return 0;
    if (s == Status::OK) {
        e.domain = memop_target(caller, e.x.in.domid);
        s = !e.domain ? Status::NO_DOMAIN : !memop_may_act_on(caller, *e.domain) ? Status::PERMISSION : Status::OK;
    }
    if (s != Status::OK)
        return report(arg, e.x.nr_exchanged) == Status::OK ? hc_error(s) : hc_error(Status::FAULT);
    set_limit(e);

    uint64_t first = e.x.nr_exchanged >> e.in_chunk_order, end = e.x.in.nr_extents >> e.in_chunk_order;
    uint64_t chunk_pages = uint64_t{1} << (e.in_chunk_order + e.x.in.extent_order), pages = 0;
    uint64_t chunk = first;
    for (; chunk < end && s == Status::OK; ++chunk) {
        if (chunk != first && pages >= kMemopPagesPerRound) {
            platform().flush_tlb_local();  // for the frames given back
            if (report(arg, chunk << e.in_chunk_order) != Status::OK)
                return hc_error(Status::FAULT);
            return kHypercallRestart;
        }
        s = exchange_chunk(e, chunk);
        if (s == Status::OK)
            pages += chunk_pages;
    }
    platform().flush_tlb_local();
    // A failed chunk is not counted (chunk was advanced past it).
    uint64_t done = s == Status::OK ? e.x.in.nr_extents : (chunk - 1) << e.in_chunk_order;
    if (report(arg, done) != Status::OK)
        return hc_error(Status::FAULT);
    return hc_error(s);
}

}  // namespace vireo

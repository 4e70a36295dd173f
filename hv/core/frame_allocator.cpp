#include "hv/core/frame_allocator.hpp"

#include "hv/core/hot_path.hpp"
#include "hv/core/reservation.hpp"

namespace vireo {

void FrameAllocator::init(FrameTable& table, const MemoryMap& map)
{
    m_table = &table;
    m_head = kEnd;
    m_free = 0;
    m_total = 0;
    // Push from the top down so low frames come out first.
    for (unsigned i = map.count(); i > 0; --i) {
        const MemRange& r = map.at(i - 1);
        if (r.type != MemType::RAM)
            continue;
        uint64_t first = page_align_up(r.base) >> kPageShift;
        uint64_t last = page_align_down(r.end) >> kPageShift;  // exclusive
        if (last > table.nr_frames())
            last = table.nr_frames();
        for (uint64_t f = last; f > first; --f) {
            PageInfo* p = table.get(Mfn(f - 1));
            *p = PageInfo{0, 0, kOwnerFree, PageType::NONE, 0, m_head};
            m_head = static_cast<uint32_t>(f - 1);
            ++m_free;
            ++m_total;
        }
    }
}

Result<Mfn> FrameAllocator::alloc(uint16_t owner)
{
    if (m_head == kEnd)
        return Status::NO_MEMORY;
    Mfn mfn(m_head);
    m_head = m_table->get(mfn)->next;
    --m_free;
    Status s = m_table->assign(mfn, owner);
    if (s != Status::OK)
        return s;
    return mfn;
}

Result<Mfn> FrameAllocator::alloc_contiguous(unsigned order, uint64_t limit, uint16_t owner)
{
    if (order >= 32)
        return Status::NO_MEMORY;
    uint64_t n = uint64_t{1} << order;
    uint64_t end = limit && limit < m_table->nr_frames() ? limit : m_table->nr_frames();
    // A free frame is on the list exactly when its owner is FREE.
    uint64_t base = 0;
    bool found = false;
    while (!found && base + n <= end && base + n > base) {
        uint64_t k = 0;
        while (k < n && m_table->get(Mfn(base + k))->owner == kOwnerFree)
            ++k;
        found = k == n;
        if (!found)
            base = (base + k + n) & ~(n - 1);  // the next aligned run past the busy frame
    }
    if (!found)
        return Status::NO_MEMORY;
    // One pass over the free list takes the run's frames out of it.
    uint64_t taken = 0;
    uint32_t* link = &m_head;
    while (*link != kEnd && taken < n) {
        uint32_t f = *link;
        if (f >= base && f < base + n) {
            *link = m_table->get(Mfn(f))->next;
            ++taken;
        } else {
            link = &m_table->get(Mfn(f))->next;
        }
    }
    m_free -= taken;
    if (taken != n)
        return Status::INVALID;  // the list and the owners disagree: a hypervisor bug
    for (uint64_t k = 0; k < n; ++k)
        VIREO_TRY(m_table->assign(Mfn(base + k), owner));
    return Mfn(base);
}

void FrameAllocator::give(Mfn first, uint64_t count)
{
    for (uint64_t f = first.raw; f < first.raw + count; ++f) {
        PageInfo* p = m_table->get(Mfn(f));
        if (!p)
            return;
        *p = PageInfo{0, 0, kOwnerFree, PageType::NONE, 0, m_head};
        m_head = static_cast<uint32_t>(f);
        ++m_free;
        ++m_total;
    }
}

Status FrameAllocator::free(Mfn mfn, uint16_t owner)
{
    VIREO_TRY(m_table->release(mfn, owner));
    m_table->get(mfn)->next = m_head;
    m_head = static_cast<uint32_t>(mfn.raw);
    ++m_free;
    return Status::OK;
}

FrameAllocator& frame_allocator()
{
    static FrameAllocator allocator;
    return allocator;
}

VIREO_WARM FrameTable& frame_table()
{
    // Frames given back while still held leave through the reservation,
    // which counts them per domain until then, and uncounts, scrubs and
    // frees them (constant-initialized: no guard).
    static constinit FrameTable table(reservation_reclaim, reservation_awaiting_reclaim);
    return table;
}

}  // namespace vireo

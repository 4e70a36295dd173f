#include "hv/core/frame_table.hpp"
#include "hv/core/hot_path.hpp"

namespace vireo {
namespace {
constexpr uint32_t kMaxCount = 0x7fffffff;
}

bool is_page_table_type(PageType t) { return t >= PageType::L1 && t <= PageType::L4; }

void FrameTable::init(PageInfo* entries, uint64_t nr_frames)
{
    m_entries = entries;
    m_nr = nr_frames;
    for (uint64_t i = 0; i < nr_frames; ++i)
        entries[i] = PageInfo{0, 0, kOwnerHypervisor, PageType::NONE, 0, 0};
}

void FrameTable::set_owner_unchecked(Mfn mfn, uint16_t owner)
{
    if (PageInfo* p = get(mfn))
        p->owner = owner;
}

Status FrameTable::assign(Mfn mfn, uint16_t owner)
{
    PageInfo* p = get(mfn);
    if (!p)
        return Status::RANGE;
    if (p->owner != kOwnerFree || p->count || p->type_count)
        return Status::BUSY;
    *p = PageInfo{1, 0, owner, PageType::NONE, kPageAllocated, 0};
    return Status::OK;
}

Status FrameTable::release(Mfn mfn, uint16_t owner)
{
    PageInfo* p = get(mfn);
    if (!p)
        return Status::RANGE;
    // Nothing may hold it but the allocation reference, if that is held.
    uint32_t allocation = (p->flags & kPageAllocated) ? 1 : 0;
    if (p->owner != owner || p->count != allocation || p->type_count)
        return Status::BUSY;
    *p = PageInfo{0, 0, kOwnerFree, PageType::NONE, 0, 0};
    return Status::OK;
}

VIREO_WARM Status FrameTable::get_page(Mfn mfn, uint16_t owner)
{
    PageInfo* p = get(mfn);
    if (!p)
        return Status::RANGE;
    if (p->owner != owner || (p->count == 0 && p->type_count == 0))
        return Status::PERMISSION;
    if (p->count >= kMaxCount)
        return Status::BUSY;
    ++p->count;
    return Status::OK;
}

VIREO_WARM Status FrameTable::put_page(Mfn mfn)
{
    PageInfo* p = get(mfn);
    if (!p || p->count == 0)
        return Status::INVALID;
    // The allocation reference goes only by drop_allocation (or release).
    if (p->count == 1 && (p->flags & kPageAllocated))
        return Status::INVALID;
    --p->count;
    reclaim_if_unused(mfn, *p);
    return Status::OK;
}

Status FrameTable::drop_allocation(Mfn mfn, uint16_t owner)
{
    PageInfo* p = get(mfn);
    if (!p || p->owner != owner || !(p->flags & kPageAllocated) || p->count == 0)
        return Status::INVALID;
    p->flags &= static_cast<uint8_t>(~kPageAllocated);
    --p->count;
    // Counted as awaiting reclaim first, so reclaim's uncount matches when
    // nothing else holds it.
    if (m_awaiting)
        m_awaiting(p->owner, +1);
    reclaim_if_unused(mfn, *p);
    return Status::OK;
}

void FrameTable::reclaim(Mfn mfn, PageInfo& p)
{
    if (m_awaiting)
        m_awaiting(p.owner, -1);
    if (m_reclaim)
        m_reclaim(mfn, p.owner);
}

VIREO_WARM Status FrameTable::get_type(Mfn mfn, PageType type, TypeValidator* validator)
{
    PageInfo* p = get(mfn);
    if (!p || type == PageType::NONE)
        return Status::INVALID;
    if (p->type_count > 0) {
        if (p->type != type)
            return Status::BUSY;
        if (p->type_count >= kMaxCount)
            return Status::BUSY;
        ++p->type_count;
        return Status::OK;
    }
    if (is_page_table_type(type) || type == PageType::SEG_DESC) {
        if (!validator)
            return Status::INVALID;
        p->type = type;  // set first: a table that maps itself sees its type
        p->type_count = 1;
        Status s = validator->validate(mfn, type);
        if (s != Status::OK) {
            p->type = PageType::NONE;
            p->type_count = 0;
            return s;
        }
        p->flags |= kPageValidated;
        return Status::OK;
    }
    p->type = type;
    p->type_count = 1;
    return Status::OK;
}

VIREO_WARM Status FrameTable::put_type(Mfn mfn, TypeValidator* validator)
{
    PageInfo* p = get(mfn);
    if (!p || p->type_count == 0)
        return Status::INVALID;
    if (--p->type_count == 0) {
        if (is_page_table_type(p->type) && (p->flags & kPageValidated) && validator) {
            // A table that maps itself drops its own reference here: it must
            // not be reclaimed (scrubbed) while its entries are still read.
            ++p->count;
            validator->invalidate(mfn, p->type);
            --p->count;
        }
        p->flags &= static_cast<uint8_t>(~kPageValidated);
        p->type = PageType::NONE;
        reclaim_if_unused(mfn, *p);
    }
    return Status::OK;
}

}  // namespace vireo

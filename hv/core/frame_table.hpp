// One entry per machine frame: who owns it, what it is used as, and how
// many references hold it.
//
// Invariants (after Xen's page_info; our own design):
// - owner: FREE (in the allocator), HYPERVISOR (its heap, page tables, the
//   M2P), IO (MMIO, never allocated), or a domain id. A frame changes owner
//   only between FREE and one other owner, and only with both counts zero.
// - count: general references (a mapping, a hypervisor use). While a
//   frame is in its owner's reservation, one of them is the allocation
//   reference (kPageAllocated). The owner may give the frame back while
//   others still hold it (Xen's guest_remove_page): the allocation
//   reference goes, the frame stays its owner's, and it is reclaimed (the
//   ReclaimFn: scrubbed, uncounted, freed) the moment its last general and
//   type reference go, never earlier (Xen's put_page -> free_domheap_page).
// - type and type_count: a frame has at most one use at a time. While
//   type_count > 0 the type is fixed; taking another type fails with BUSY.
//   Taking a page-table type when the count is zero validates every entry
//   (the TypeValidator); failure leaves the frame untyped. Dropping the last
//   type reference of a page-table type invalidates it (its entries' own
//   references are dropped) and the frame may take another type.
// - pinned: one type reference held by the domain's pin (mmuext_op). A
//   type reference keeps a given-back frame alive as a general one does.
// Counts never wrap: a would-be overflow is refused, an underflow is a
// hypervisor bug reported as INVALID.
#pragma once

#include <stdint.h>

#include "lib/status.hpp"
#include "lib/types.hpp"

namespace vireo {

enum class PageType : uint8_t { NONE, WRITABLE, L1, L2, L3, L4, SEG_DESC };

inline constexpr uint16_t kOwnerFree = 0xffff;
inline constexpr uint16_t kOwnerHypervisor = 0x7ff2;  // DOMID_XEN
inline constexpr uint16_t kOwnerIo = 0x7ff1;          // DOMID_IO

struct PageInfo {
    uint32_t count;       // general references
    uint32_t type_count;  // references to the current type
    uint16_t owner;
    PageType type;
    uint8_t flags;        // kPageValidated | kPagePinned
    uint32_t next;        // allocator free-list link (frame index)
};
static_assert(sizeof(PageInfo) == 16);

inline constexpr uint8_t kPageValidated = 1u << 0;
inline constexpr uint8_t kPagePinned = 1u << 1;
inline constexpr uint8_t kPageAllocated = 1u << 2;  // the allocation reference is held

// Called when a frame its owner gave back loses its last reference: the
// frame must leave the table's owner for the allocator.
using ReclaimFn = void (*)(Mfn mfn, uint16_t owner);
// Counts, per owner, the frames given back while still held (delta +1 when
// one is given back held, -1 when it is reclaimed at last). While an
// owner has none, dropping a reference to one of its frames never
// reclaims, which never reaches the allocator or other domains' TLBs:
// what lets a domain change its own page tables beside other CPUs' work
// (domain-local hypercalls, hypercall.hpp).
using AwaitingReclaimFn = void (*)(uint16_t owner, int delta);

// Checks (or undoes) a page-table type's entries; the memory work fills it.
class TypeValidator {
public:
    virtual Status validate(Mfn mfn, PageType type) = 0;
    virtual void invalidate(Mfn mfn, PageType type) = 0;

protected:
    ~TypeValidator() = default;
};

class FrameTable {
public:
    constexpr FrameTable() = default;
    constexpr FrameTable(ReclaimFn reclaim, AwaitingReclaimFn awaiting) : m_reclaim(reclaim), m_awaiting(awaiting) {}
    void init(PageInfo* entries, uint64_t nr_frames);
    uint64_t nr_frames() const { return m_nr; }
    PageInfo* get(Mfn mfn) const { return mfn.raw < m_nr ? &m_entries[mfn.raw] : nullptr; }

    // FREE -> owner (with the allocation reference) and back: release
    // takes a frame nothing holds but (if still held) that reference.
    Status assign(Mfn mfn, uint16_t owner);
    Status release(Mfn mfn, uint16_t owner);
    // Drops the allocation reference (the owner gives the frame back):
    // reclaimed now if nothing else holds it, else when the last holder
    // lets go. INVALID when the frame is not owner's or already given back.
    Status drop_allocation(Mfn mfn, uint16_t owner);
    // Marks a frame as never allocatable (MMIO, firmware, hypervisor).
    void set_owner_unchecked(Mfn mfn, uint16_t owner);

    Status get_page(Mfn mfn, uint16_t owner);
    Status put_page(Mfn mfn);
    Status get_type(Mfn mfn, PageType type, TypeValidator* validator);
    Status put_type(Mfn mfn, TypeValidator* validator);

private:
    // Inline: every put checks, and under TCG a call costs two
    // translation-block lookups on the page-table fast paths.
    void reclaim_if_unused(Mfn mfn, PageInfo& p)
    {
        if (!(p.flags & kPageAllocated) && p.count == 0 && p.type_count == 0)
            reclaim(mfn, p);
    }
    void reclaim(Mfn mfn, PageInfo& p);

    PageInfo* m_entries = nullptr;
    uint64_t m_nr = 0;
    ReclaimFn m_reclaim = nullptr;
    AwaitingReclaimFn m_awaiting = nullptr;
};

bool is_page_table_type(PageType t);

}  // namespace vireo

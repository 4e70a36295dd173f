// One entry per machine frame: who owns it, what it is used as, and how
// many references hold it.
//
// Invariants (after Xen's page_info; our own design):
// - owner: FREE (in the allocator), HYPERVISOR (its heap, page tables, the
//   M2P), IO (MMIO, never allocated), or a domain id. A frame changes owner
//   only between FREE and one other owner, and only with both counts zero.
// - count: general references (a mapping, a pin, a hypervisor use). A
//   domain's frame keeps one reference for as long as the domain owns it.
// - type and type_count: a frame has at most one use at a time. While
//   type_count > 0 the type is fixed; taking another type fails with BUSY.
//   Taking a page-table type when the count is zero validates every entry
//   (the TypeValidator); failure leaves the frame untyped. Dropping the last
//   type reference of a page-table type invalidates it (its entries' own
//   references are dropped) and the frame may take another type.
// - pinned: one type reference held by the domain's pin (mmuext_op).
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
    void init(PageInfo* entries, uint64_t nr_frames);
    uint64_t nr_frames() const { return m_nr; }
    PageInfo* get(Mfn mfn) const { return mfn.raw < m_nr ? &m_entries[mfn.raw] : nullptr; }

    // FREE -> owner (with one general reference) and back.
    Status assign(Mfn mfn, uint16_t owner);
    Status release(Mfn mfn, uint16_t owner);
    // Marks a frame as never allocatable (MMIO, firmware, hypervisor).
    void set_owner_unchecked(Mfn mfn, uint16_t owner);

    Status get_page(Mfn mfn, uint16_t owner);
    Status put_page(Mfn mfn);
    Status get_type(Mfn mfn, PageType type, TypeValidator* validator);
    Status put_type(Mfn mfn, TypeValidator* validator);

private:
    PageInfo* m_entries = nullptr;
    uint64_t m_nr = 0;
};

bool is_page_table_type(PageType t);

}  // namespace vireo

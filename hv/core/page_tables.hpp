// Validation of guest page tables (the paper's central mechanism, in its
// x86-64 PV form). A frame becomes an L1..L4 table only after every entry
// has been checked, and each present entry then holds references on what it
// maps:
//   L1 entry -> a general reference on the data frame, plus a WRITABLE type
//               reference when mapped writable (so a page table can never be
//               mapped writable: its type is L1..L4, not WRITABLE);
//   L2 entry -> an L1 type reference on the frame it points to, L3 -> L2,
//   L4 -> L3 (each validating the lower table when it takes its first type
//               reference), except a read-only entry pointing at its own
//               table (Xen's recursive mapping), which holds nothing;
//   L4 slots 256-271 are the hypervisor's: filled in by validation, never
//   taken from the guest.
// Superpages are refused (PS in L2/L3), as are the global bit and, for
// domains without I/O rights, cache-attribute bits in L1 entries. Error
// codes are Xen's: an L1 entry naming a frame that cannot be referenced or
// typed writable is -EBUSY, an L2-L4 entry naming anything but a table of
// the level below (another domain's frame, a frame in another use, a loop)
// -EINVAL. Guest kernels run in ring 3, so the user bit is forced on every
// entry.
// Dropping a table's last type reference drops every reference its entries
// held. Frames a domain does not own are refused, except machine frames
// beyond RAM for a privileged domain (MMIO).
#pragma once

#include "hv/core/domain.hpp"
#include "hv/core/frame_table.hpp"
#include "lib/status.hpp"

namespace vireo {

class PageTableRules final : public TypeValidator {
public:
    // data_owner: whose frames L1 entries may map (a privileged domain's
    // foreign mappings name another domain; otherwise d itself).
    explicit PageTableRules(Domain& d, uint16_t data_owner) : m_domain(d), m_data_owner(data_owner) {}
    explicit PageTableRules(Domain& d) : PageTableRules(d, d.id) {}
    Status validate(Mfn mfn, PageType type) override;
    void invalidate(Mfn mfn, PageType type) override;

    // Takes the references a new entry at `level` (1..4) needs, after
    // checking it; adjusts the entry (forced bits). The entry lives in table
    // `table` (for same-level linear entries).
    Status get_entry(uint64_t& entry, unsigned level, Mfn table);
    void put_entry(uint64_t entry, unsigned level, Mfn table);

private:
    Domain& m_domain;
    uint16_t m_data_owner;
};

PageType table_type(unsigned level);  // 1..4 -> L1..L4
unsigned table_level(PageType type);  // L1..L4 -> 1..4, else 0
bool is_hypervisor_l4_slot(unsigned slot);

// Changes one entry of a validated table (mmu_update): validates the new
// entry, writes it, then drops the old one's references. preserve_ad keeps
// the accessed/dirty bits the CPU set in the old entry.
Status update_table_entry(Domain& d, Mfn table, unsigned index, uint64_t new_entry, bool preserve_ad,
                          uint16_t data_owner);

// Finds the L1 table and index that map va in v's current address space
// (kernel or user tables, by v's mode): INVALID when a level is missing or
// a superpage, or the last table is not an L1 of v's domain.
Status find_l1_entry(const Vcpu& v, uint64_t va, Mfn& l1, unsigned& index);

// TLB upkeep, as Xen does it: removing a mapping does not flush at once
// (the guest flushes as on native hardware, and pays nothing for updates
// that only add); the domain is marked instead, and every CPU that may
// hold its translations is flushed before it could matter: before one of
// its frames becomes a page table or descriptor page, and before one is
// given back.
void flush_stale_tlbs(Domain& d);
// Flushes every CPU that may hold d's translations now.
void flush_domain_tlbs(Domain& d);

// Makes mfn v's kernel (or user) top-level table: it takes an L4 type
// reference (validated if new), the old one's is dropped; for the user
// table, 0 means none. mmuext NEW_BASEPTR/NEW_USER_BASEPTR and
// VCPUOP_initialise.
Status set_base_table(Vcpu& v, Mfn mfn, bool user);
// Drops v's kernel (or user) top-level table reference (teardown).
void drop_base_table(Vcpu& v, bool user);

}  // namespace vireo

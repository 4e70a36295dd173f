#include "hv/core/page_tables.hpp"

#include "hv/core/frame_allocator.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/ldt.hpp"
#include "hv/core/mmio_ro.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr uint64_t kPresent = 1, kRw = 2, kUser = 4, kPwt = 8, kPcd = 0x10, kAccessed = 0x20,
                   kDirty = 0x40, kPs = 0x80, kGlobal = 0x100;
constexpr uint64_t kAddrMask = 0x000ffffffffff000ull;
// Bits 52-62 are available to software; bits between the address and 52
// (above the CPU's physical width) must be zero: the address mask keeps
// them inside the frame number, which the ownership check bounds.

uint64_t* table_of(Mfn mfn) { return static_cast<uint64_t*>(map_machine_memory(mfn.raw << kPageShift)); }

}  // namespace

PageType table_type(unsigned level)
{
    static constexpr PageType kTypes[] = {PageType::NONE, PageType::L1, PageType::L2, PageType::L3, PageType::L4};
    return level >= 1 && level <= 4 ? kTypes[level] : PageType::NONE;
}

unsigned table_level(PageType type)
{
    switch (type) {
    case PageType::L1: return 1;
    case PageType::L2: return 2;
    case PageType::L3: return 3;
    case PageType::L4: return 4;
    default: return 0;
    }
}

bool is_hypervisor_l4_slot(unsigned slot) { return slot >= 256 && slot <= 271; }

// Error codes follow Xen's: a frame an L1 entry cannot reference or type is
// -EBUSY, device memory without the right -EPERM, bad bits -EINVAL, and a
// higher-level entry naming anything but a table of the level below -EINVAL.
VIREO_WARM Status PageTableRules::get_entry(uint64_t& entry, unsigned level, Mfn table)
{
    if (!(entry & kPresent))
        return Status::OK;
    Mfn target((entry & kAddrMask) >> kPageShift);
    FrameTable& ft = frame_table();
    PageInfo* info = ft.get(target);
    entry |= kUser;
    if (level == 1) {
        if (entry & kGlobal)
            return Status::INVALID;
        if (!info || info->owner == kOwnerIo) {
            // Beyond RAM, or a firmware/device frame below its top
            // (DOMID_IO's): device memory, for privileged domains only. As
            // Xen, a refused entry naming every address bit (INVALID_MFN)
            // is -EINVAL rather than -EPERM.
            bool device = m_domain.privileged && target.raw < platform().max_device_mfn;
            if (device) {
                // An MSI-X table or pending-bit array: accepted read-only,
                // as Xen does (mmio_ro.hpp).
                if ((entry & kRw) && mmio_ro_contains(target.raw))
                    entry &= ~kRw;
                return Status::OK;
            }
            return target.raw == kAddrMask >> kPageShift ? Status::INVALID : Status::PERMISSION;
        }
        if (!m_domain.privileged && (entry & (kPwt | kPcd | kPs)))
            return Status::INVALID;
        if (ft.get_page(target, m_data_owner) != Status::OK)
            return Status::BUSY;
        if (entry & kRw) {
            Status s = ft.get_type(target, PageType::WRITABLE, this);
            if (s != Status::OK) {
                (void)ft.put_page(target);
                return s;  // e.g. a page table mapped writable: BUSY
            }
        }
        return Status::OK;
    }
    if (entry & kPs)
        return Status::INVALID;  // no superpages for PV guests
    // A read-only entry pointing at its own table is the recursive
    // ("linear") mapping Xen allows. It takes no reference: counting a
    // table's reference to itself would keep it alive for ever.
    if (target == table && !(entry & kRw))
        return Status::OK;
    // As Xen (get_page_and_type_from_mfn): a frame that is not ours, or
    // already has another use, is -EINVAL. That includes a table met again
    // at another level while it is being validated (a loop of tables). A
    // table of the level below that fails its own validation gives that
    // validation's error.
    if (!info || ft.get_page(target, m_domain.id) != Status::OK)
        return Status::INVALID;
    Status s = ft.get_type(target, table_type(level - 1), this);
    if (s != Status::OK) {
        (void)ft.put_page(target);
        return s == Status::BUSY && info->type_count > 0 ? Status::INVALID : s;
    }
    return Status::OK;
}

void PageTableRules::put_entry(uint64_t entry, unsigned level, Mfn table)
{
    if (!(entry & kPresent))
        return;
    // A translation through this entry may still sit in a TLB: flushed
    // before it could matter (flush_stale_tlbs), not now.
    m_domain.tlb_may_be_stale = true;
    Mfn target((entry & kAddrMask) >> kPageShift);
    if (level > 1 && target == table && !(entry & kRw))
        return;  // the recursive self-mapping holds nothing
    FrameTable& ft = frame_table();
    PageInfo* info = ft.get(target);
    if (!info || info->owner == kOwnerIo)
        return;  // device memory: no references were taken
    if (level == 1) {
        if (entry & kRw)
            (void)ft.put_type(target, this);
        else if (info->type == PageType::SEG_DESC && info->type_count && info->owner == m_domain.id)
            ldt_mapping_dropped(m_domain);  // as Xen: an LDT page may have lost its mapping
    } else {
        (void)ft.put_type(target, this);
    }
    (void)ft.put_page(target);
}

VIREO_WARM Status PageTableRules::validate(Mfn mfn, PageType type)
{
    // A stale writable translation of this frame must not outlive its
    // becoming a page table.
    flush_stale_tlbs(m_domain);
    unsigned level = table_level(type);
    PageInfo* info = frame_table().get(mfn);
    if (!level || !info || info->owner != m_domain.id)
        return Status::INVALID;
    uint64_t* t = table_of(mfn);
    for (unsigned i = 0; i < 512; ++i) {
        if (level == 4 && is_hypervisor_l4_slot(i))
            continue;
        uint64_t e = t[i];
        Status s = get_entry(e, level, mfn);
        if (s != Status::OK) {
            // Undo the entries already taken, newest first.
            for (unsigned j = i; j > 0; --j) {
                if (level == 4 && is_hypervisor_l4_slot(j - 1))
                    continue;
                put_entry(t[j - 1], level, mfn);
            }
            return s;
        }
        t[i] = e;
    }
    if (level == 4)
        platform().fill_hypervisor_slots(t);
    return Status::OK;
}

VIREO_WARM void PageTableRules::invalidate(Mfn mfn, PageType type)
{
    unsigned level = table_level(type);
    uint64_t* t = table_of(mfn);
    for (unsigned i = 0; i < 512; ++i) {
        if (level == 4 && is_hypervisor_l4_slot(i))
            continue;
        put_entry(t[i], level, mfn);
    }
}

VIREO_WARM Status update_table_entry(Domain& d, Mfn table, unsigned index, uint64_t new_entry, bool preserve_ad,
                          uint16_t data_owner)
{
    PageInfo* info = frame_table().get(table);
    unsigned level = info ? table_level(info->type) : 0;
    if (!level || info->owner != d.id || info->type_count == 0 || index >= 512)
        return Status::INVALID;
    if (level == 4 && is_hypervisor_l4_slot(index))
        return Status::INVALID;
    uint64_t* slot = &table_of(table)[index];
    uint64_t old = *slot;
    if (preserve_ad)
        new_entry |= old & (kAccessed | kDirty);
    // Unchanged frame and permissions: no reference changes needed.
    constexpr uint64_t kRefBits = kAddrMask | kPresent | kRw | kPs;
    if (((old ^ new_entry) & kRefBits) == 0 && (old & kPresent)) {
        __atomic_store_n(slot, new_entry | kUser, __ATOMIC_RELEASE);
        return Status::OK;
    }
    PageTableRules rules(d, data_owner);
    uint64_t e = new_entry;
    VIREO_TRY(rules.get_entry(e, level, table));
    // One atomic store: the CPU may walk this table at any moment.
    old = __atomic_exchange_n(slot, e, __ATOMIC_ACQ_REL);
    rules.put_entry(old, level, table);
    return Status::OK;
}

VIREO_WARM Status find_l1_entry(const Vcpu& v, uint64_t va, Mfn& l1, unsigned& index)
{
    uint64_t table = v.in_kernel_mode || !v.user_cr3 ? v.kernel_cr3 : v.user_cr3;
    for (unsigned shift = 39; shift > 12; shift -= 9) {
        uint64_t e = table_of(Mfn(table >> kPageShift))[(va >> shift) & 511];
        if (!(e & kPresent) || (e & kPs))
            return Status::INVALID;
        table = e & kAddrMask;
    }
    l1 = Mfn(table >> kPageShift);
    index = (va >> 12) & 511;
    PageInfo* info = frame_table().get(l1);
    return info && info->type == PageType::L1 && info->owner == v.domain->id ? Status::OK : Status::INVALID;
}

void flush_stale_tlbs(Domain& d)
{
    if (d.tlb_may_be_stale)
        flush_domain_tlbs(d);
}

void flush_domain_tlbs(Domain& d)
{
    d.tlb_may_be_stale = false;
    if (platform().flush_tlb_domain)
        platform().flush_tlb_domain(&d);
    else if (platform().flush_tlb_local)
        platform().flush_tlb_local();
}

}  // namespace vireo

// Steps, each refusing by leaving the fault to the guest: the assist is on
// and the fault is a write to a present page from guest kernel mode; the
// page is mapped read-only and is a validated L1 table of this domain; the
// instruction decodes to a write inside one entry; update_table_entry
// accepts the new entry (taking and dropping references exactly as for
// mmu_update). Only then are the guest's registers changed.
//
// There is one CPU and the hypervisor does not run guest code meanwhile, so
// the entry read for decoding is still the entry when it is replaced.
#include "hv/core/ptwr.hpp"

#include "abi/arch_x86_64.hpp"
#include "abi/xen.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/log.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/pte_write_decode.hpp"

namespace vireo {
namespace {

// #PF error code bits (SDM vol. 3, 4.7).
constexpr uint64_t kPfPresent = 1, kPfWrite = 2, kPfReserved = 8, kPfFetch = 16;
constexpr uint64_t kPresent = 1, kRw = 2;
constexpr uint64_t kAddrMask = 0x000ffffffffff000ull;

uint64_t* table_of(Mfn m) { return static_cast<uint64_t*>(map_machine_memory(m.raw << kPageShift)); }

// The validated L1 table of v's domain that va maps read-only, if any.
bool l1_behind(const Vcpu& v, uint64_t va, Mfn& table)
{
    Mfn l1;
    unsigned index;
    if (find_l1_entry(v, va, l1, index) != Status::OK)
        return false;
    uint64_t e = table_of(l1)[index];
    if ((e & (kPresent | kRw)) != kPresent)
        return false;
    Mfn target((e & kAddrMask) >> kPageShift);
    const PageInfo* info = frame_table().get(target);
    if (!info || info->owner != v.domain->id || info->type != PageType::L1 || info->type_count == 0)
        return false;
    table = target;
    return true;
}

// Up to 15 bytes at rip; fewer when the next page is not mapped.
size_t fetch_insn(uint64_t rip, uint8_t* buf)
{
    if (platform().copy_from_guest(buf, rip, kMaxInsnLength) == Status::OK)
        return kMaxInsnLength;
    size_t to_page_end = kPageSize - (rip & (kPageSize - 1));
    if (to_page_end < kMaxInsnLength && platform().copy_from_guest(buf, rip, to_page_end) == Status::OK)
        return to_page_end;
    return 0;
}


}  // namespace

VIREO_WARM bool try_emulate_pte_write(Vcpu& v, GuestRegs& regs, uint64_t cr2, uint64_t error_code)
{
    Domain& d = *v.domain;
    if (!(d.vm_assist & (uint64_t{1} << xen::VMASST_TYPE_writable_pagetables)))
        return false;
    // The guest kernel runs in ring 3, so the hardware's user bit is always
    // set: the vCPU's mode says whose write it was.
    if (!v.in_kernel_mode)
        return false;
    if ((error_code & (kPfPresent | kPfWrite | kPfReserved | kPfFetch)) != (kPfPresent | kPfWrite))
        return false;
    if (cr2 >= xen::HYPERVISOR_VIRT_START && cr2 < xen::HYPERVISOR_VIRT_END)
        return false;
    Mfn table;
    if (!l1_behind(v, cr2, table))
        return false;

    uint8_t insn[kMaxInsnLength];
    size_t n = fetch_insn(regs.rip, insn);
    if (n == 0)
        return false;
    unsigned index = static_cast<unsigned>((cr2 & (kPageSize - 1)) >> 3);
    uint64_t old_entry = table_of(table)[index];
    PteWriteFault fault{insn, n, cr2, old_entry, v.fs_base, v.gs_base_kernel};
    const char* why = "";
    Result<PteWritePlan> plan = decode_pte_write(fault, regs, &why);
    if (!plan.ok()) {
        VLOG_DEBUG("d%u v%u: write to L1 entry at %lx (rip %lx) not emulated: %s\n", d.id, v.id, cr2, regs.rip,
                   why);
        return false;
    }
    if (plan->writes) {
        Status s = update_table_entry(d, table, index, plan->new_entry, false, d.id);
        if (s != Status::OK) {
            VLOG_DEBUG("d%u v%u: L1 entry %lx at %lx refused: %s\n", d.id, v.id, plan->new_entry, cr2,
                       status_name(s));
            return false;
        }
        // A dropped translation may linger in a TLB: put_entry marked
        // the domain (flush_stale_tlbs), as for mmu_update.
    }
    commit_pte_write(plan.value(), regs);
    return true;
}

}  // namespace vireo

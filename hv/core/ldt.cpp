#include "hv/core/ldt.hpp"

#include "abi/arch_x86_64.hpp"
#include "hv/core/descriptors.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/guest_walk.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr unsigned kDescSize = 8;
constexpr unsigned kLdtPages = kMaxLdtEntries * kDescSize / kPageSize;
static_assert(sizeof(Vcpu::ldt_frames) / sizeof(Vcpu::ldt_frames[0]) == kLdtPages);

// #GP error code of a selector (Intel SDM vol. 3A, 6.13): EXT, IDT, TI.
constexpr uint64_t kErrExt = 1, kErrIdt = 2, kErrTi = 4;
constexpr uint64_t kPfNotPresentRead = 0;  // the CPU's own (supervisor) read

// Every change of any vCPU's LDT gets a number never used before, so a
// CPU's copy is tied to one state of one vCPU, even across a domain slot
// being reused (a fresh vCPU has 0 and no LDT).
uint64_t g_last_generation;

// Xen's __addr_ok: below the canonical hole, or above the hypervisor's range.
bool address_ok(uint64_t va) { return va < (uint64_t{1} << 47) || va >= xen::HYPERVISOR_VIRT_END; }

unsigned pages_of(unsigned entries) { return (entries * kDescSize + kPageSize - 1) / kPageSize; }

void changed(Vcpu& v)
{
    // Atomic: domain-local hypercalls (hypercall.hpp) change LDTs on
    // several CPUs at once.
    v.ldt_generation = __atomic_add_fetch(&g_last_generation, 1, __ATOMIC_RELAXED);
    const Platform& p = platform();
    if (p.reload_guest_ldt && p.running_vcpu && p.running_vcpu() == &v)
        p.reload_guest_ldt();
}

// Drops every shadowed page; true if there was one.
bool release_shadow(Vcpu& v)
{
    DescriptorRules rules;
    bool any = false;
    for (uint64_t& frame : v.ldt_frames) {
        if (!frame)
            continue;
        (void)frame_table().put_type(Mfn(frame), &rules);
        (void)frame_table().put_page(Mfn(frame));
        frame = 0;
        any = true;
    }
    return any;
}

// Finds page `page` of v's LDT through its kernel tables and holds it as a
// descriptor page (Xen's pv_map_ldt_shadow_page). False: not mapped, not
// the domain's, or not a valid descriptor page (mapped writable, say).
bool shadow_page(Vcpu& v, unsigned page)
{
    uint64_t linear = v.ldt_base + uint64_t{page} * kPageSize;
    if (linear < v.ldt_base || !canonical(linear))
        return false;
    uint64_t maddr = guest_walk(v.kernel_cr3, linear, false);
    if (maddr == kNoMapping)
        return false;
    Domain& d = *v.domain;
    Mfn mfn(maddr >> kPageShift);
    if (frame_table().get_page(mfn, d.id) != Status::OK)
        return false;
    flush_stale_tlbs(d);  // no stale writable translation may outlive the typing
    DescriptorRules rules;
    if (frame_table().get_type(mfn, PageType::SEG_DESC, &rules) != Status::OK) {
        (void)frame_table().put_page(mfn);
        return false;
    }
    v.ldt_frames[page] = mfn.raw;
    return true;
}

}  // namespace

bool ldt_arguments_ok(uint64_t base, uint64_t entries)
{
    return entries <= kMaxLdtEntries && (!entries || (!(base & (kPageSize - 1)) && address_ok(base)));
}

Status set_guest_ldt(Vcpu& v, uint64_t base, unsigned entries)
{
    // Xen 4.17 (do_mmuext_op): every bad argument is -EINVAL; without
    // entries the address means nothing.
    if (!ldt_arguments_ok(base, entries))
        return Status::INVALID;
    if (!entries)
        base = 0;
    if (entries == v.ldt_entries && base == v.ldt_base)
        return Status::OK;
    (void)release_shadow(v);
    v.ldt_base = base;
    v.ldt_entries = entries;
    // What is mapped now is shadowed now (so lar and lsl see it at once);
    // the rest when the CPU first faults on it.
    for (unsigned p = 0; p < pages_of(entries); ++p)
        (void)shadow_page(v, p);
    changed(v);
    return Status::OK;
}

void drop_guest_ldt(Vcpu& v)
{
    (void)release_shadow(v);
    v.ldt_base = 0;
    v.ldt_entries = 0;
    changed(v);
}

void ldt_mapping_dropped(Domain& d)
{
    // As Xen: which vCPU's LDT the page was in is not worth finding out.
    // Other CPUs running a vCPU of d keep their copy (checked descriptors)
    // until that vCPU next comes onto a CPU.
    for (unsigned i = 0; i < d.nr_vcpus; ++i)
        if (release_shadow(d.vcpus[i]))
            changed(d.vcpus[i]);
}

void ldt_frame_written(Domain& d, Mfn mfn)
{
    for (unsigned i = 0; i < d.nr_vcpus; ++i) {
        Vcpu& v = d.vcpus[i];
        for (uint64_t frame : v.ldt_frames)
            if (frame == mfn.raw) {
                changed(v);
                break;
            }
    }
}

bool ldt_fault(Vcpu& v, GuestRegs& regs, uint64_t error)
{
    if (!(error & kErrTi) || (error & (kErrExt | kErrIdt)))
        return false;
    unsigned index = static_cast<unsigned>(error >> 3) & (kMaxLdtEntries - 1);
    if (index >= v.ldt_entries)
        return false;  // past the limit: the guest's own #GP
    unsigned page = index * kDescSize / kPageSize;
    if (v.ldt_frames[page])
        return false;  // a descriptor the CPU refused: the guest's own #GP
    if (shadow_page(v, page)) {
        changed(v);
        return true;  // the instruction runs again and finds it
    }
    // Xen 4.17 (handle_ldt_mapping_fault): a page that cannot be shadowed
    // is a page fault at its linear address; past the canonical range, the
    // #GP stays as it is.
    uint64_t linear = v.ldt_base + index * kDescSize;
    if (!canonical(linear) || linear < v.ldt_base)
        return false;
    guest_exception(v, regs, 14, kPfNotPresentRead, linear);
    return true;
}

}  // namespace vireo

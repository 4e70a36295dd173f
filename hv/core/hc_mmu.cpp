// mmu_update, mmuext_op and update_va_mapping: a guest changes its own page
// tables, every change validated by PageTableRules (page_tables.hpp).
// Batches run in rounds; a long batch continues in a fresh hypercall so one
// guest cannot hold a CPU.
#include "abi/arch_x86_64.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/guest_traps.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/ldt.hpp"
#include "hv/core/log.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {


constexpr unsigned kOpsPerRound = 64;

void* frame_ptr(Mfn m) { return map_machine_memory(m.raw << kPageShift); }

// Page-table work as a domain-local hypercall (hypercall.hpp): an
// unprivileged domain's tables can only hold its own frames, so every
// reference taken or dropped is on a frame of its own; and while no frame
// of its own awaits reclaim, no reference dropped reaches the allocator or
// another domain's TLBs. A privileged domain's (foreign and device
// mappings) runs under the hypervisor lock.
bool mmu_work_is_local(const Domain& d) { return !d.privileged && d.frames_awaiting_reclaim == 0; }

// Whose frames this call's mappings name: only a privileged domain may
// name another (foreign mappings).
Status data_owner_for(const Domain& d, uint64_t foreigndom, uint16_t& owner)
{
    uint16_t fd = static_cast<uint16_t>(foreigndom & 0xffff);
    if (fd == xen::DOMID_SELF || fd == d.id) {
        owner = d.id;
        return Status::OK;
    }
    if (!d.privileged)
        return Status::PERMISSION;
    if (fd == xen::DOMID_IO) {
        owner = kOwnerIo;  // device memory only (page_tables.cpp)
        return Status::OK;
    }
    if (!domain_lookup(fd))
        return Status::NO_DOMAIN;
    owner = fd;
    return Status::OK;
}

Status normal_update(Domain& d, uint64_t ptr, uint64_t val, bool preserve_ad, uint16_t data_owner)
{
    Mfn table(ptr >> kPageShift);
    PageInfo* info = frame_table().get(table);
    if (!info || info->owner != d.id)
        return Status::INVALID;
    unsigned index = static_cast<unsigned>((ptr & 0xfff) >> 3);
    if (table_level(info->type))
        return update_table_entry(d, table, index, val, preserve_ad, data_owner);
    // Not a page table: an ordinary write, if the guest could write it.
    PageTableRules rules(d);
    if (frame_table().get_type(table, PageType::WRITABLE, &rules) != Status::OK)
        return Status::INVALID;
    static_cast<uint64_t*>(frame_ptr(table))[index] = val;
    (void)frame_table().put_type(table, &rules);
    return Status::OK;
}

// The M2P entry of a frame of `owner`'s: the caller's own, or (a
// privileged caller building a domain) the foreign domain's it named.
Status machphys_update(uint16_t owner, uint64_t ptr, uint64_t pfn)
{
    Mfn mfn(ptr >> kPageShift);
    PageInfo* info = frame_table().get(mfn);
    if (!info || info->owner != owner || owner == kOwnerIo)
        return Status::INVALID;
    platform().m2p_set(mfn.raw, pfn);
    return Status::OK;
}

// Reads how far an interrupted batch got and adds to the guest's count.
Status report_done(uint64_t pdone, uint32_t done, bool resumed)
{
    if (!pdone)
        return Status::OK;
    uint32_t total = done;
    if (resumed) {
        uint32_t before = 0;
        if (platform().copy_from_guest(&before, pdone, sizeof before) != Status::OK)
            return Status::FAULT;
        total += before;
    }
    return platform().copy_to_guest(pdone, &total, sizeof total);
}

Status pin(Domain& d, Mfn mfn, PageType type)
{
    PageInfo* info = frame_table().get(mfn);
    if (!info || info->owner != d.id)
        return Status::INVALID;
    if (info->flags & kPagePinned)
        return Status::INVALID;
    PageTableRules rules(d);
    // As Xen: the table itself in another use is -EINVAL; a bad entry
    // inside it gives that entry's error.
    Status s = frame_table().get_type(mfn, type, &rules);
    if (s != Status::OK)
        return s == Status::BUSY && info->type_count > 0 ? Status::INVALID : s;
    info->flags |= kPagePinned;
    return Status::OK;
}

Status unpin(Domain& d, Mfn mfn)
{
    PageInfo* info = frame_table().get(mfn);
    if (!info || info->owner != d.id || !(info->flags & kPagePinned))
        return Status::INVALID;
    info->flags &= static_cast<uint8_t>(~kPagePinned);
    PageTableRules rules(d);
    return frame_table().put_type(mfn, &rules);
}

Status writable_frame(Domain& d, Mfn mfn, PageTableRules& rules)
{
    PageInfo* info = frame_table().get(mfn);
    if (!info || info->owner != d.id)
        return Status::INVALID;
    return frame_table().get_type(mfn, PageType::WRITABLE, &rules) == Status::OK ? Status::OK : Status::INVALID;
}

// `pg` is the page owner the call named (foreigndom): the caller itself,
// or a domain a privileged caller builds. Pins and page copies act on its
// frames (validated against its rules); everything that concerns the
// caller's own vCPU or TLB is refused for another's (EPERM, as Xen).
Status one_mmuext(Vcpu& v, Domain& pg, const xen::mmuext_op& op)
{
    Domain& d = *v.domain;
    Mfn mfn(op.arg1);
    switch (op.cmd) {
    case xen::MMUEXT_PIN_L1_TABLE: return pin(pg, mfn, PageType::L1);
    case xen::MMUEXT_PIN_L2_TABLE: return pin(pg, mfn, PageType::L2);
    case xen::MMUEXT_PIN_L3_TABLE: return pin(pg, mfn, PageType::L3);
    case xen::MMUEXT_PIN_L4_TABLE: return pin(pg, mfn, PageType::L4);
    case xen::MMUEXT_UNPIN_TABLE: return unpin(pg, mfn);
    case xen::MMUEXT_CLEAR_PAGE: {
        PageTableRules rules(pg);
        VIREO_TRY(writable_frame(pg, mfn, rules));
        __builtin_memset(frame_ptr(mfn), 0, kPageSize);
        return frame_table().put_type(mfn, &rules);
    }
    case xen::MMUEXT_COPY_PAGE: {
        Mfn src(op.arg2);
        PageInfo* si = frame_table().get(src);
        if (!si || si->owner != pg.id)
            return Status::INVALID;
        PageTableRules rules(pg);
        VIREO_TRY(writable_frame(pg, mfn, rules));
        __builtin_memcpy(frame_ptr(mfn), frame_ptr(src), kPageSize);
        return frame_table().put_type(mfn, &rules);
    }
    default:
        break;
    }
    if (&pg != &d)
        return Status::PERMISSION;
    switch (op.cmd) {
    case xen::MMUEXT_NEW_BASEPTR: return set_base_table(v, mfn, false);
    case xen::MMUEXT_NEW_USER_BASEPTR: return set_base_table(v, mfn, true);
    case xen::MMUEXT_TLB_FLUSH_LOCAL:
        platform().flush_tlb_local();
        return Status::OK;
    case xen::MMUEXT_INVLPG_LOCAL:
        platform().invlpg_local(op.arg1);
        return Status::OK;
    case xen::MMUEXT_TLB_FLUSH_MULTI:  // every CPU the domain runs on: a superset of the mask
    case xen::MMUEXT_TLB_FLUSH_ALL:
    case xen::MMUEXT_INVLPG_MULTI:
    case xen::MMUEXT_INVLPG_ALL:
        flush_domain_tlbs(d);
        return Status::OK;
    case xen::MMUEXT_FLUSH_CACHE:
    case xen::MMUEXT_FLUSH_CACHE_GLOBAL:
        return d.privileged ? Status::OK : Status::PERMISSION;
    case xen::MMUEXT_SET_LDT:  // arg2 is nr_ents, a 32-bit field
        return set_guest_ldt(v, op.arg1, static_cast<uint32_t>(op.arg2));
    default:
        report_unsupported(d, xen::HYPERVISOR_mmuext_op, op.cmd);
        return Status::NOT_SUPPORTED;
    }
}

}  // namespace

// Switches a base table: the new one takes an L4 type reference (validated
// if it is new), the old one's is dropped.
void drop_base_table(Vcpu& v, bool user)
{
    uint64_t& slot = user ? v.user_cr3 : v.kernel_cr3;
    if (slot) {
        PageTableRules rules(*v.domain);
        (void)frame_table().put_type(Mfn(slot >> kPageShift), &rules);
    }
    slot = 0;
}

VIREO_WARM Status set_base_table(Vcpu& v, Mfn mfn, bool user)
{
    Domain& d = *v.domain;
    PageTableRules rules(d);
    uint64_t& slot = user ? v.user_cr3 : v.kernel_cr3;
    if (user && mfn.raw == 0) {
        if (slot)
            (void)frame_table().put_type(Mfn(slot >> kPageShift), &rules);
        slot = 0;
        return Status::OK;
    }
    // Machine frame 0 is never a guest's (firmware owns it): 0 means "none".
    PageInfo* info = mfn.raw ? frame_table().get(mfn) : nullptr;
    if (!info || info->owner != d.id)
        return Status::INVALID;
    Status s = frame_table().get_type(mfn, PageType::L4, &rules);
    if (s != Status::OK)
        return s == Status::BUSY && info->type_count > 0 ? Status::INVALID : s;
    uint64_t old = slot;
    slot = mfn.raw << kPageShift;
    if (old)
        (void)frame_table().put_type(Mfn(old >> kPageShift), &rules);
    // Only the running vCPU's tables are live (VCPUOP_initialise sets
    // those of a vCPU that is down).
    if (user != v.in_kernel_mode && platform().running_vcpu && platform().running_vcpu() == &v)
        platform().load_guest_mode(v);
    return Status::OK;
}


VIREO_WARM HypercallResult do_mmu_update(Vcpu& v, HypercallArgs& args)
{
    Domain& d = *v.domain;
    uint64_t reqs = args.a[0], pdone = args.a[2];
    uint32_t count = static_cast<uint32_t>(args.a[1]);
    bool resumed = count & xen::MMU_UPDATE_PREEMPTED;
    count &= ~xen::MMU_UPDATE_PREEMPTED;
    uint16_t owner;
    Status s = data_owner_for(d, args.a[3], owner);
    if (s != Status::OK)
        return hc_error(s);
    if (v.in_local_hypercall && !mmu_work_is_local(d))
        return kHypercallNeedsExclusive;
    uint32_t done = 0;
    for (; done < count; ++done) {
        if (done && done % kOpsPerRound == 0 && hypercall_should_yield()) {
            if (report_done(pdone, done, resumed) != Status::OK)
                return hc_error(Status::FAULT);
            args.a[0] = reqs + done * sizeof(xen::mmu_update);
            args.a[1] = (count - done) | xen::MMU_UPDATE_PREEMPTED;
            return kHypercallRestart;
        }
        xen::mmu_update req;
        if (platform().copy_from_guest(&req, reqs + done * sizeof req, sizeof req) != Status::OK) {
            s = Status::FAULT;
            break;
        }
        uint64_t cmd = req.ptr & 7, ptr = req.ptr & ~uint64_t{7};
        switch (cmd) {
        case xen::MMU_NORMAL_PT_UPDATE:
        case xen::MMU_PT_UPDATE_NO_TRANSLATE:
        case xen::MMU_PT_UPDATE_PRESERVE_AD:
            s = normal_update(d, ptr, req.val, cmd == xen::MMU_PT_UPDATE_PRESERVE_AD, owner);
            break;
        case xen::MMU_MACHPHYS_UPDATE:
            s = machphys_update(owner, ptr, req.val);
            break;
        default:
            s = Status::NOT_SUPPORTED;
            break;
        }
        if (s != Status::OK) {
            VLOG_DEBUG("d%u: mmu_update ptr %lx val %lx refused: %s\n", d.id, req.ptr, req.val, status_name(s));
            break;
        }
    }
    // An entry that went may still be cached (the guest flushes as on
    // native hardware); put_entry marked the domain, so nothing it lost
    // becomes a page table or another domain's before a flush.
    if (report_done(pdone, done, resumed) != Status::OK)
        return hc_error(Status::FAULT);
    return hc_error(s);
}

VIREO_WARM HypercallResult do_mmuext_op(Vcpu& v, HypercallArgs& args)
{
    uint64_t ops = args.a[0], pdone = args.a[2];
    uint32_t count = static_cast<uint32_t>(args.a[1]);
    bool resumed = count & xen::MMU_UPDATE_PREEMPTED;
    count &= ~xen::MMU_UPDATE_PREEMPTED;
    // The page owner, as Xen's get_pg_owner: a domain that is not there
    // (or is dying) is ESRCH, DOMID_IO and DOMID_XEN (not PV domains)
    // EINVAL, and only a privileged caller may name another (EPERM).
    Domain* pg = v.domain;
    uint16_t fd = static_cast<uint16_t>(args.a[3] & 0xffff);
    if (fd != xen::DOMID_SELF && fd != v.domain->id) {
        if (fd == xen::DOMID_IO || fd == kOwnerHypervisor)
            return hc_error(Status::INVALID);
        pg = domain_lookup(fd);
        if (!pg)
            return hc_error(Status::NO_DOMAIN);
        if (!v.domain->privileged)
            return hc_error(Status::PERMISSION);
    }
    if (v.in_local_hypercall && !mmu_work_is_local(*v.domain))
        return kHypercallNeedsExclusive;
    Status s = Status::OK;
    uint32_t done = 0;
    for (; done < count; ++done) {
        if (done && done % kOpsPerRound == 0 && hypercall_should_yield()) {
            if (report_done(pdone, done, resumed) != Status::OK)
                return hc_error(Status::FAULT);
            args.a[0] = ops + done * sizeof(xen::mmuext_op);
            args.a[1] = (count - done) | xen::MMU_UPDATE_PREEMPTED;
            return kHypercallRestart;
        }
        xen::mmuext_op op;
        if (platform().copy_from_guest(&op, ops + done * sizeof op, sizeof op) != Status::OK) {
            s = Status::FAULT;
            break;
        }
        s = one_mmuext(v, *pg, op);
        if (s != Status::OK)
            break;
    }
    if (report_done(pdone, done, resumed) != Status::OK)
        return hc_error(Status::FAULT);
    return hc_error(s);
}

VIREO_WARM HypercallResult do_update_va_mapping(Vcpu& v, HypercallArgs& args)
{
    uint64_t va = args.a[0], val = args.a[1], flags = args.a[2];
    if (va >= xen::HYPERVISOR_VIRT_START && va < xen::HYPERVISOR_VIRT_END)
        return hc_error(Status::INVALID);
    if (v.in_local_hypercall && !mmu_work_is_local(*v.domain))
        return kHypercallNeedsExclusive;
    Mfn l1;
    unsigned index;
    if (find_l1_entry(v, va, l1, index) != Status::OK)
        return hc_error(Status::INVALID);
    Status s = update_table_entry(*v.domain, l1, index, val, false, v.domain->id);
    if (s != Status::OK)
        return hc_error(s);
    // UVMF_ALL, or a vCPU mask (UVMF_MULTI) in the upper bits: every CPU
    // the domain runs on; otherwise this one.
    bool everywhere = (flags & xen::UVMF_ALL) || (flags & ~uint64_t{7});
    switch (flags & xen::UVMF_FLUSHTYPE_MASK) {
    case xen::UVMF_TLB_FLUSH:
        everywhere ? flush_domain_tlbs(*v.domain) : platform().flush_tlb_local();
        break;
    case xen::UVMF_INVLPG:
        everywhere ? flush_domain_tlbs(*v.domain) : platform().invlpg_local(va);
        break;
    default: break;
    }
    return 0;
}

}  // namespace vireo

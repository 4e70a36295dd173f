// memory_op: a domain's reservation and what it may know of memory. The
// command's low 6 bits pick the sub-op; a preempted reservation call keeps
// its progress in the bits above (MEMOP_EXTENT_SHIFT), which every other
// common sub-op refuses with -EINVAL. The x86 sub-ops (the maps and the
// M2P's place) compare the whole command, so progress bits make them
// unknown (-ENOSYS), as in Xen 4.17.
//
// Not provided (-ENOSYS, logged once per domain): the translated-guest and
// toolstack sub-ops (add_to_physmap and its batch, remove_from_physmap,
// set_memory_map, claim_pages, acquire_resource, vNUMA), machphys_mfn_list
// (save/restore tools), and sharing, paging and access.
#include "abi/memory.hpp"
#include "abi/xen.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/memory_op.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr uint32_t kNoNode = 0xff;        // NUMA_NO_NODE
constexpr uint32_t kMaxNumaNodes = 64;    // Xen's MAX_NUMNODES on x86

HypercallResult copy_out(uint64_t va, const void* src, size_t n)
{
    return platform().copy_to_guest(va, src, n) == Status::OK ? 0 : hc_error(Status::FAULT);
}

// The highest pfn a PV domain uses, as it told us in shared_info (Xen reads
// arch.max_pfn too: PV guests write a count there, hence the - 1).
uint64_t maximum_gpfn(const Domain& d)
{
    if (!d.shared_info_maddr)
        return 0;
    const auto* si = static_cast<const xen::shared_info*>(map_machine_memory(d.shared_info_maddr));
    uint64_t max_pfn = si->arch.max_pfn;
    return (max_pfn ? max_pfn : 1) - 1;
}

// current_reservation, maximum_reservation, maximum_gpfn.
HypercallResult domain_pages(Domain& caller, uint64_t op, uint64_t arg)
{
    xen::xen_memory_domain md;
    if (platform().copy_from_guest(&md, arg, sizeof md) != Status::OK)
        return hc_error(Status::FAULT);
    Domain* d = memop_target(caller, md.domid);
    if (!d)
        return hc_error(Status::NO_DOMAIN);
    if (!memop_may_act_on(caller, *d))
        return hc_error(Status::PERMISSION);
    switch (op) {
    case xen::XENMEM_current_reservation: return static_cast<HypercallResult>(d->tot_pages);
    case xen::XENMEM_maximum_reservation: return static_cast<HypercallResult>(d->max_pages);
    default: return static_cast<HypercallResult>(maximum_gpfn(*d));
    }
}

// Where every guest finds the read-only M2P. The hardware domain may look
// up any machine frame; others are told the table's full virtual size.
HypercallResult machphys_mapping(const Domain& d, uint64_t arg)
{
    xen::xen_machphys_mapping m{xen::MACH2PHYS_VIRT_START, xen::MACH2PHYS_VIRT_END,
                                d.privileged ? frame_table().nr_frames() - 1 : xen::MACH2PHYS_NR_ENTRIES - 1};
    return copy_out(arg, &m, sizeof m);
}

bool is_x86_subop(uint64_t op)
{
    return op == xen::XENMEM_memory_map || op == xen::XENMEM_machine_memory_map || op == xen::XENMEM_machphys_mapping;
}

}  // namespace

bool memop_node_ok(const Domain& caller, uint32_t mem_flags)
{
    uint32_t node = xen::XENMEMF_get_node(mem_flags);
    if (node == kNoNode)
        return true;
    if (caller.privileged)
        return node < kMaxNumaNodes;
    return !(mem_flags & xen::XENMEMF_exact_node_request);
}

Domain* memop_target(Domain& caller, uint16_t domid)
{
    return domid == xen::DOMID_SELF ? &caller : domain_lookup(domid);
}

HypercallResult do_memory_op(Vcpu& v, HypercallArgs& args)
{
    Domain& d = *v.domain;
    uint64_t cmd = args.a[0], arg = args.a[1];
    uint64_t op = cmd & xen::MEMOP_CMD_MASK, start = cmd >> xen::MEMOP_EXTENT_SHIFT;
    switch (op) {
    case xen::XENMEM_increase_reservation:
    case xen::XENMEM_decrease_reservation:
    case xen::XENMEM_populate_physmap:
        return memop_reservation(v, args, op, start);
    case xen::XENMEM_exchange:
        return start ? hc_error(Status::INVALID) : memop_exchange(v, args);
    case xen::XENMEM_maximum_ram_page:
        // The first frame beyond RAM (Xen's max_page).
        return start ? hc_error(Status::INVALID) : static_cast<HypercallResult>(frame_table().nr_frames());
    case xen::XENMEM_current_reservation:
    case xen::XENMEM_maximum_reservation:
    case xen::XENMEM_maximum_gpfn:
        return start ? hc_error(Status::INVALID) : domain_pages(d, op, arg);
    default:
        break;
    }
    switch (cmd) {
    case xen::XENMEM_memory_map: return memop_memory_map(v, arg);
    case xen::XENMEM_machine_memory_map: return memop_machine_memory_map(v, arg);
    case xen::XENMEM_machphys_mapping: return machphys_mapping(d, arg);
    default: break;
    }
    if (!is_x86_subop(op))
        report_unsupported(d, xen::HYPERVISOR_memory_op, static_cast<int64_t>(op));
    return hc_error(Status::NOT_SUPPORTED);
}

}  // namespace vireo

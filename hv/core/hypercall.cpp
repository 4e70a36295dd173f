#include "hv/core/hypercall.hpp"

#include "abi/xen.hpp"

namespace vireo {
namespace {

constexpr unsigned kNrHypercalls = 64;

struct Table {
    HypercallHandler handlers[kNrHypercalls] = {};
    constexpr Table()
    {
        handlers[xen::HYPERVISOR_console_io] = do_console_io;
        handlers[xen::HYPERVISOR_xen_version] = do_xen_version;
        handlers[xen::HYPERVISOR_sched_op] = do_sched_op;
        handlers[xen::HYPERVISOR_vm_assist] = do_vm_assist;
    }
};
constexpr Table kTable;

}  // namespace

void hypercall_dispatch(Vcpu& v, GuestRegs& regs)
{
    HypercallArgs args = HypercallArgs::from(regs);
    HypercallHandler handler = args.nr < kNrHypercalls ? kTable.handlers[args.nr] : nullptr;
    if (!handler) {
        report_unsupported(*v.domain, args.nr, -1);
        regs.rax = static_cast<uint64_t>(hc_error(Status::NOT_SUPPORTED));
        return;
    }
    HypercallResult r = handler(v, args);
    if (r == kHypercallRestart) {
        regs.rip -= 2;  // back over 'syscall'
        regs.rdi = args.a[0], regs.rsi = args.a[1], regs.rdx = args.a[2];
        regs.r10 = args.a[3], regs.r8 = args.a[4], regs.r9 = args.a[5];
        return;
    }
    regs.rax = static_cast<uint64_t>(r);
}

}  // namespace vireo

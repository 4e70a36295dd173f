// vm_assist: the assists Linux enables are accepted, an unknown type is
// -EINVAL and an unknown command -ENOSYS, as Xen answers a 64-bit PV guest.
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "vm_assist";

namespace {
long vm_assist(uint64_t cmd, uint64_t type) { return hypercall(xen::HYPERVISOR_vm_assist, cmd, type); }
}  // namespace

void guest::kernel_main(const xen::start_info*)
{
    const uint64_t accepted[] = {xen::VMASST_TYPE_4gb_segments, xen::VMASST_TYPE_4gb_segments_notify,
                                 xen::VMASST_TYPE_writable_pagetables, xen::VMASST_TYPE_pae_extended_cr3,
                                 xen::VMASST_TYPE_runstate_update_flag, xen::VMASST_TYPE_m2p_strict};
    for (uint64_t type : accepted) {
        long r = vm_assist(xen::VMASST_CMD_enable, type);
        check(r == 0, "enable type %lu: %ld", type, r);
        r = vm_assist(xen::VMASST_CMD_disable, type);
        check(r == 0, "disable type %lu: %ld", type, r);
    }
    long r = vm_assist(xen::VMASST_CMD_enable, 20);
    check(r == -22, "unknown type 20: %ld, expected -EINVAL", r);
    r = vm_assist(xen::VMASST_CMD_enable, 1000);
    check(r == -22, "type 1000: %ld, expected -EINVAL", r);
    r = vm_assist(7, xen::VMASST_TYPE_writable_pagetables);
    check(r == -38, "unknown command: %ld, expected -ENOSYS", r);
}

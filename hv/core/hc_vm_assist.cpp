// vm_assist: a guest turns on optional hypervisor behaviour. The valid set
// is Xen's for a 64-bit PV guest; unknown types get -EINVAL, unknown
// commands -ENOSYS, as Xen answers.
#include "abi/xen.hpp"
#include "hv/core/hypercall.hpp"

namespace vireo {
namespace {

constexpr uint64_t kValidTypes =
    (uint64_t{1} << xen::VMASST_TYPE_4gb_segments) | (uint64_t{1} << xen::VMASST_TYPE_4gb_segments_notify) |
    (uint64_t{1} << xen::VMASST_TYPE_writable_pagetables) | (uint64_t{1} << xen::VMASST_TYPE_pae_extended_cr3) |
    (uint64_t{1} << xen::VMASST_TYPE_architectural_iopl) |
    (uint64_t{1} << xen::VMASST_TYPE_runstate_update_flag) | (uint64_t{1} << xen::VMASST_TYPE_m2p_strict);

}  // namespace

uint64_t vm_assist_valid_types() { return kValidTypes; }

HypercallResult do_vm_assist(Vcpu& v, HypercallArgs& args)
{
    uint64_t cmd = args.a[0], type = args.a[1];
    if (type >= 64 || !(kValidTypes & (uint64_t{1} << type)))
        return hc_error(Status::INVALID);
    Domain& d = *v.domain;
    switch (cmd) {
    case xen::VMASST_CMD_enable:
        d.vm_assist |= uint64_t{1} << type;
        return 0;
    case xen::VMASST_CMD_disable:
        d.vm_assist &= ~(uint64_t{1} << type);
        return 0;
    default:
        report_unsupported(d, xen::HYPERVISOR_vm_assist, static_cast<int64_t>(cmd));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

}  // namespace vireo

// physdev_op: a domain's access to physical devices. For now the virtual
// I/O privilege level (what lets the guest kernel's in/out be emulated
// rather than fault); interrupt routing comes with dom0's devices.
#include "abi/physdev.hpp"
#include "abi/xen.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"

namespace vireo {

HypercallResult do_physdev_op(Vcpu& v, HypercallArgs& args)
{
    uint64_t cmd = args.a[0], arg = args.a[1];
    switch (cmd) {
    case xen::PHYSDEVOP_set_iopl: {
        xen::physdev_set_iopl req;
        if (platform().copy_from_guest(&req, arg, sizeof req) != Status::OK)
            return hc_error(Status::FAULT);
        if (req.iopl > 3)
            return hc_error(Status::INVALID);
        v.virtual_iopl = static_cast<uint8_t>(req.iopl);
        return 0;
    }
    default:
        report_unsupported(*v.domain, xen::HYPERVISOR_physdev_op, static_cast<int64_t>(cmd));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

}  // namespace vireo

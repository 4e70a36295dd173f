// set_debugreg / get_debugreg: the guest's virtual debug registers.
//
// Values are checked as Xen checks them: DR0-3 must be guest addresses
// (below the hypervisor's hole), DR6/DR7 have their reserved bits fixed,
// and DR7 may not enable I/O breakpoints or general detect. They are kept
// per vCPU and loaded into the hardware while a vCPU with an enabled
// breakpoint runs (the arch layer, lazily: vCPUs that never set one pay
// nothing); a #DB of the guest's goes to its vector-1 handler, with DR6
// readable here.
#include "abi/xen.hpp"
#include "hv/core/debugreg.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr uint64_t kGuestTop = 0x0000800000000000;       // lower canonical half
constexpr uint64_t kGuestUpperStart = 0xffff880000000000;  // above Xen's hole

bool guest_address(uint64_t a) { return a < kGuestTop || a >= kGuestUpperStart; }

}  // namespace

HypercallResult do_set_debugreg(Vcpu& v, HypercallArgs& args)
{
    uint64_t reg = args.a[0], value = args.a[1];
    switch (reg) {
    case 0: case 1: case 2: case 3:
        if (!guest_address(value) || !guest_address(value + 7))
            return hc_error(Status::PERMISSION);
        break;
    case 6:
        if (value >> 32)
            return hc_error(Status::PERMISSION);
        value = (value & 0xe00f) | 0xffff0ff0;  // reserved bits read as 1
        break;
    case 7: {
        if (value >> 32)
            return hc_error(Status::PERMISSION);
        value = (value & ~uint64_t{0xd800}) | 0x400;  // GD and reserved off, bit 10 on
        // R/W = 10b (I/O breakpoints) needs CR4.DE and I/O rights: refused.
        for (unsigned i = 0; i < 4; ++i)
            if (((value >> (16 + 4 * i)) & 3) == 2 && (value & (3u << (2 * i))))
                return hc_error(Status::PERMISSION);
        break;
    }
    default:
        return hc_error(Status::INVALID);
    }
    v.debugreg[reg] = value;
    // A running vCPU's new breakpoints take effect at once, as on Xen.
    if (reg != 6 && platform().debugregs_changed)
        platform().debugregs_changed(v);
    return 0;
}

void debugreg_record_dr6(Vcpu& v, uint64_t hw_dr6)
{
    uint64_t dr6 = v.debugreg[6] ? v.debugreg[6] : kDr6Default;
    dr6 |= hw_dr6 & ~kDr6Default;
    dr6 &= hw_dr6 | ~kDr6Default;
    v.debugreg[6] = dr6 & 0xffffffff;
}

HypercallResult do_get_debugreg(Vcpu& v, HypercallArgs& args)
{
    uint64_t reg = args.a[0];
    if (reg == 4 || reg == 5 || reg > 7)
        return hc_error(Status::INVALID);
    if (reg == 6 && !v.debugreg[6])
        return kDr6Default;
    if (reg == 7 && !v.debugreg[7])
        return kDr7Default;
    return static_cast<HypercallResult>(v.debugreg[reg]);
}

}  // namespace vireo

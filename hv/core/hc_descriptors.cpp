// set_gdt and update_descriptor (the checks are in descriptors.cpp).
#include "abi/xen.hpp"
#include "hv/core/descriptors.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"

namespace vireo {

HypercallResult do_set_gdt(Vcpu& v, HypercallArgs& args)
{
    uint64_t list = args.a[0], entries = args.a[1] & 0xffffffffu;
    if (entries > kGuestGdtEntries)
        return hc_error(Status::INVALID);
    uint64_t frames[kGuestGdtEntries / 512];
    unsigned nr = static_cast<unsigned>((entries + 511) / 512);
    if (nr && platform().copy_from_guest(frames, list, nr * sizeof frames[0]) != Status::OK)
        return hc_error(Status::FAULT);
    return hc_error(set_guest_gdt(v, frames, static_cast<unsigned>(entries)));
}

HypercallResult do_update_descriptor(Vcpu& v, HypercallArgs& args)
{
    return hc_error(update_guest_descriptor(*v.domain, args.a[0], args.a[1]));
}

}  // namespace vireo

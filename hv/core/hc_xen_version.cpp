// xen_version: who we are and which features a guest may rely on. Vireo
// reports the Xen 4.17 interface it implements and only the feature bits it
// really honours.
#include "abi/arch_x86_64.hpp"
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "hv/core/cmdline.hpp"
#include "hv/core/hypercall.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr uint32_t kVersionMajor = 4, kVersionMinor = 17;

template <typename T>
HypercallResult put(uint64_t guest_va, const T& value)
{
    return platform().copy_to_guest(guest_va, &value, sizeof value) == Status::OK ? 0 : hc_error(Status::FAULT);
}

template <size_t N>
void set_string(char (&dst)[N], const char* src)
{
    size_t i = 0;
    for (; src[i] && i + 1 < N; ++i)
        dst[i] = src[i];
    for (; i < N; ++i)
        dst[i] = '\0';
}

// XENFEAT bits for submap 0, as Xen gives them to a 64-bit PV guest:
// update-preserving A/D bits and grant-map available bits are required by
// Linux; dom0 is the hardware domain's mark.
uint32_t feature_submap0(const Domain& d)
{
    uint32_t bits = (1u << xen::XENFEAT_mmu_pt_update_preserve_ad) | (1u << xen::XENFEAT_gnttab_map_avail_bits);
    if (d.privileged)
        bits |= 1u << xen::XENFEAT_dom0;
    return bits;
}

}  // namespace



HypercallResult do_xen_version(Vcpu& v, HypercallArgs& args)
{
    uint64_t cmd = args.a[0], arg = args.a[1];
    switch (cmd) {
    case xen::XENVER_version:
        return (kVersionMajor << 16) | kVersionMinor;
    case xen::XENVER_extraversion: {
        xen::xen_extraversion_t s;
        set_string(s, "-vireo");
        return put(arg, s);
    }
    case xen::XENVER_compile_info: {
        xen::xen_compile_info info;
        set_string(info.compiler, "g++ " __VERSION__);
        set_string(info.compile_by, "vireo");
        set_string(info.compile_domain, "vireo.invalid");
        set_string(info.compile_date, __DATE__);
        return put(arg, info);
    }
    case xen::XENVER_capabilities: {
        if (v.in_local_hypercall)
            return kHypercallNeedsExclusive;  // one static buffer (too big for the stack)
        static xen::xen_capabilities_info_t caps;
        set_string(caps, "xen-3.0-x86_64 ");
        return put(arg, caps);
    }
    case xen::XENVER_changeset: {
        xen::xen_changeset_info_t cs;
        set_string(cs, "vireo");
        return put(arg, cs);
    }
    case xen::XENVER_platform_parameters: {
        xen::xen_platform_parameters p{xen::HYPERVISOR_VIRT_START};
        return put(arg, p);
    }
    case xen::XENVER_get_features: {
        xen::xen_feature_info fi;
        if (platform().copy_from_guest(&fi, arg, sizeof fi) != Status::OK)
            return hc_error(Status::FAULT);
        if (fi.submap_idx >= xen::XENFEAT_NR_SUBMAPS)
            return hc_error(Status::INVALID);
        fi.submap = fi.submap_idx == 0 ? feature_submap0(*v.domain) : 0;
        return put(arg, fi);
    }
    case xen::XENVER_pagesize:
        return 4096;
    case xen::XENVER_guest_handle: {
        xen::xen_domain_handle_t handle = {};
        handle[15] = static_cast<uint8_t>(v.domain->id);
        return put(arg, handle);
    }
    case xen::XENVER_commandline: {
        // Xen lets only privileged domains read the hypervisor command line.
        if (!v.domain->privileged)
            return hc_error(Status::PERMISSION);
        if (v.in_local_hypercall)
            return kHypercallNeedsExclusive;  // one static buffer (too big for the stack)
        static xen::xen_commandline_t line;
        set_string(line, hypervisor_command_line());
        return put(arg, line);
    }
    case xen::XENVER_build_id: {
        // Like the command line, only for privileged domains. A null
        // argument asks for the size.
        if (!v.domain->privileged)
            return hc_error(Status::PERMISSION);
        uint32_t len = platform().build_id_len;
        if (!len)
            return -61;  // -ENODATA: built without an id
        if (!arg)
            return len;
        xen::xen_build_id hdr;
        if (platform().copy_from_guest(&hdr, arg, sizeof hdr) != Status::OK)
            return hc_error(Status::FAULT);
        if (hdr.len < len)
            return -105;  // -ENOBUFS
        // Xen leaves len as the caller set it; the result is the id's length.
        if (platform().copy_to_guest(arg + sizeof hdr, platform().build_id, len) != Status::OK)
            return hc_error(Status::FAULT);
        return len;
    }
    default:
        report_unsupported(*v.domain, xen::HYPERVISOR_xen_version, static_cast<int64_t>(cmd));
        return hc_error(Status::NOT_SUPPORTED);
    }
}

}  // namespace vireo

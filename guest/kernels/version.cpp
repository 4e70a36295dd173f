// xen_version: every sub-op Linux asks for, with checks that hold on any
// correct implementation of the ABI (Vireo and Xen alike).
#include "abi/arch_x86_64.hpp"
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "version";

namespace {

long xen_version(uint64_t cmd, void* arg) { return hypercall(xen::HYPERVISOR_xen_version, cmd, ptr(arg)); }

bool terminated(const char* s, size_t n)
{
    for (size_t i = 0; i < n; ++i)
        if (!s[i])
            return true;
    return false;
}

}  // namespace

void guest::kernel_main(const xen::start_info*)
{
    long v = xen_version(xen::XENVER_version, nullptr);
    print("version %ld.%ld\n", v >> 16, v & 0xffff);
    check(v >= (4 << 16), "version %lx below 4.0", v);

    xen::xen_extraversion_t extra = {};
    check(xen_version(xen::XENVER_extraversion, &extra) == 0 && terminated(extra, sizeof extra),
          "extraversion");
    print("extraversion '%s'\n", extra);

    xen::xen_compile_info ci = {};
    check(xen_version(xen::XENVER_compile_info, &ci) == 0 && terminated(ci.compiler, sizeof ci.compiler),
          "compile_info");

    static xen::xen_capabilities_info_t caps;
    check(xen_version(xen::XENVER_capabilities, &caps) == 0, "capabilities");
    print("capabilities '%s'\n", caps);
    check(__builtin_strstr(caps, "xen-3.0-x86_64") != nullptr, "capabilities lack xen-3.0-x86_64");

    xen::xen_changeset_info_t cs = {};
    check(xen_version(xen::XENVER_changeset, &cs) == 0 && terminated(cs, sizeof cs), "changeset");

    xen::xen_platform_parameters pp = {};
    check(xen_version(xen::XENVER_platform_parameters, &pp) == 0, "platform_parameters");
    print("virt_start %lx\n", pp.virt_start);
    check(pp.virt_start == xen::HYPERVISOR_VIRT_START, "virt_start %lx", pp.virt_start);

    xen::xen_feature_info fi = {0, 0};
    check(xen_version(xen::XENVER_get_features, &fi) == 0, "get_features");
    print("features[0] %08x\n", fi.submap);
    check(fi.submap & (1u << xen::XENFEAT_mmu_pt_update_preserve_ad), "mmu_pt_update_preserve_ad missing");
    check(fi.submap & (1u << xen::XENFEAT_gnttab_map_avail_bits), "gnttab_map_avail_bits missing");
    check(fi.submap & (1u << xen::XENFEAT_dom0), "dom0 feature missing for dom0");
    check(!(fi.submap & (1u << xen::XENFEAT_auto_translated_physmap)), "PV guest told it is translated");
    check(!(fi.submap & (1u << xen::XENFEAT_writable_page_tables)), "writable_page_tables reported");
    check(!(fi.submap & (1u << xen::XENFEAT_supervisor_mode_kernel)), "supervisor_mode_kernel reported");
    xen::xen_feature_info bad = {xen::XENFEAT_NR_SUBMAPS + 5, 0};
    long r = xen_version(xen::XENVER_get_features, &bad);
    check(r == -22, "get_features with a bad submap: %ld, expected -EINVAL", r);

    check(xen_version(xen::XENVER_pagesize, nullptr) == 4096, "pagesize");

    xen::xen_domain_handle_t handle;
    check(xen_version(xen::XENVER_guest_handle, &handle) == 0, "guest_handle");

    static xen::xen_commandline_t line;
    r = xen_version(xen::XENVER_commandline, &line);
    check(r == 0 && terminated(line, sizeof line), "commandline: %ld", r);
    print("hypervisor command line '%s'\n", line);
    check(__builtin_strstr(line, "console=com1") != nullptr, "command line lacks console=com1");

    long idlen = xen_version(xen::XENVER_build_id, nullptr);
    check(idlen > 0 && idlen <= 64, "build_id size: %ld", idlen);
    struct {
        uint32_t len;
        uint8_t buf[64];
    } id = {64, {}};
    r = xen_version(xen::XENVER_build_id, &id);
    check(r == idlen, "build_id: %ld, size said %ld", r, idlen);
    check(id.buf[0] | id.buf[1] | id.buf[2] | id.buf[3], "build_id is all zero");
    id.len = 1;
    r = xen_version(xen::XENVER_build_id, &id);
    check(r == -105, "build_id into a 1-byte buffer: %ld, expected -ENOBUFS", r);
    print("build id: %ld bytes, starting %02x%02x%02x%02x\n", idlen, id.buf[0], id.buf[1], id.buf[2], id.buf[3]);

    // A pointer into the hypervisor's own range is refused, not followed.
    r = xen_version(xen::XENVER_extraversion, reinterpret_cast<void*>(xen::HYPERVISOR_VIRT_START + 0x1000));
    check(r == -14, "extraversion into hypervisor memory: %ld, expected -EFAULT", r);
    r = xen_version(xen::XENVER_get_features, reinterpret_cast<void*>(0x8000000000000000ull));
    check(r == -14, "get_features at a non-canonical address: %ld, expected -EFAULT", r);
}

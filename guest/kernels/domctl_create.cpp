// dom0 builds, misuses and destroys domains through domctl, as a hostile or
// careless toolstack would. Every answer is printed as "call: result"; the
// system tests hold Vireo and Xen 4.17 to the same lines, and each answer
// is also checked here against Xen 4.17's (xen/common/domctl.c, domain.c,
// xen/arch/x86/domain.c, mm.c):
//   1. createdomain asking for what a PV domain cannot have (HVM-only
//      flags, no vCPUs, grant limits, emulated devices): refused, nothing
//      created; ids: any free one, the one asked for, a taken one -EEXIST;
//   2. a new domain: no memory, paused, no vCPU until max_vcpus;
//   3. setvcpucontext with a CR3 that is dom0's L4, past memory, or a frame
//      of the domain that is no valid L4: -EINVAL; a good one, then another
//      (-EOPNOTSUPP), a reset; pins and M2P updates on its frames;
//   4. pause/unpause counts, self and dom0 as targets;
//   5. a proper create, max_mem, populate and destroy: dom0's free memory
//      back where it was; a frame dom0 still maps keeps the dead domain
//      (and its id) until dom0 unmaps it.
#include "abi/domctl.hpp"
#include "abi/errno.hpp"
#include "abi/memory.hpp"
#include "abi/mmu.hpp"
#include "abi/sched.hpp"
#include "abi/vcpu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/domctl.hpp"
#include "guest/lib/mm.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "domctl_create";

namespace {

constexpr long kEPERM = -1, kESRCH = -3, kEEXIST = -17, kEINVAL = -22, kENODATA = -61, kEOPNOTSUPP = -95;
constexpr uint32_t kMaxVcpus = 15;       // XEN_DOMCTL_max_vcpus
constexpr uint64_t kBeyondMemory = 0x7ffffffffull;
constexpr uint64_t kMs = 1000000;

void expect(const char* what, long r, long expected)
{
    print("%s: %ld\n", what, r);
    check(r == expected, "%s: %ld, Xen answers %ld", what, r, expected);
}

long simple(uint32_t cmd, uint16_t domid)
{
    xen::xen_domctl op = domctl_op(cmd, domid);
    return domctl(op);
}

xen::xen_domctl_createdomain pv_config()
{
    xen::xen_domctl_createdomain c{};
    c.max_vcpus = 1;
    c.max_evtchn_port = 1023;
    c.max_grant_frames = 4;
    c.max_maptrack_frames = 16;
    c.grant_opts = 1;  // grant table v1
    return c;
}

long create(const xen::xen_domctl_createdomain& c, uint16_t wanted, uint16_t* id = nullptr)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_createdomain, wanted);
    op.u.createdomain = c;
    long r = domctl(op);
    if (id)
        *id = op.domain;
    return r;
}

long max_vcpus(uint16_t id, uint32_t n)
{
    xen::xen_domctl op = domctl_op(kMaxVcpus, id);
    __builtin_memcpy(&op.u, &n, sizeof n);
    return domctl(op);
}

long max_mem(uint16_t id, uint64_t kb)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_max_mem, id);
    op.u.max_mem.max_memkb = kb;
    return domctl(op);
}

long destroy(uint16_t id)
{
    long r;
    do
        r = simple(xen::XEN_DOMCTL_destroydomain, id);
    while (r == -xen::XEN_ERESTART);
    return r;
}

// populate_physmap of `n` frames at pfns first.., written into frames[].
long populate(uint16_t id, uint64_t* frames, uint64_t n, uint64_t first)
{
    for (uint64_t i = 0; i < n; ++i)
        frames[i] = first + i;
    xen::xen_memory_reservation r{};
    r.extent_start = ptr(frames);
    r.nr_extents = n;
    r.domid = id;
    return hypercall(xen::HYPERVISOR_memory_op, xen::XENMEM_populate_physmap, ptr(&r));
}

long mmuext_on(uint32_t cmd, uint64_t mfn, uint16_t foreigndom)
{
    xen::mmuext_op op{cmd, 0, mfn, 0};
    return hypercall(xen::HYPERVISOR_mmuext_op, ptr(&op), 1, 0, foreigndom);
}

long set_context(uint16_t id, uint32_t vcpu, const xen::vcpu_guest_context* c)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_setvcpucontext, id);
    op.u.vcpucontext.vcpu = vcpu;
    op.u.vcpucontext.ctxt = ptr(c);
    return domctl(op);
}

xen::vcpu_guest_context g_ctx, g_out;  // 5 KiB each: not on the stack

// A context that would start at our own entry (it never runs: the domain
// stays paused), with `l4` as its base table.
const xen::vcpu_guest_context* context_with(uint64_t l4, bool online)
{
    __builtin_memset(&g_ctx, 0, sizeof g_ctx);
    g_ctx.flags = xen::VGCF_IN_KERNEL | (online ? xen::VGCF_online : 0);
    g_ctx.user_regs.rip = kVirtBase;
    g_ctx.user_regs.rsp = kVirtBase + 0x1000;
    g_ctx.user_regs.cs = xen::FLAT_KERNEL_CS;
    g_ctx.user_regs.ss = xen::FLAT_KERNEL_SS;
    g_ctx.user_regs.rflags = 0x200;
    g_ctx.kernel_ss = xen::FLAT_KERNEL_SS;
    g_ctx.ctrlreg[3] = l4 << 12;
    return &g_ctx;
}

long get_context(uint16_t id, uint32_t vcpu)
{
    xen::xen_domctl op = domctl_op(xen::XEN_DOMCTL_getvcpucontext, id);
    op.u.vcpucontext.vcpu = vcpu;
    op.u.vcpucontext.ctxt = ptr(&g_out);
    return domctl(op);
}

// Maps another domain's frame writable at a padding page of ours (a
// foreign mapping, as a toolstack's), or puts our own frame back.
uint64_t foreign_entry(unsigned padding) { return entry_maddr(padding_va(padding), 1); }
uint64_t* map_foreign(unsigned padding, uint64_t mfn, uint16_t id, long* r)
{
    *r = mmu_update(foreign_entry(padding), (mfn << 12) | kPteData, id);
    (void)mmuext(xen::MMUEXT_INVLPG_LOCAL, padding_va(padding));
    return *r == 0 ? reinterpret_cast<uint64_t*>(padding_va(padding)) : nullptr;
}
long unmap_foreign(unsigned padding, uint64_t own_mfn)
{
    long r = mmu_update(foreign_entry(padding), (own_mfn << 12) | kPteData);
    (void)mmuext(xen::MMUEXT_INVLPG_LOCAL, padding_va(padding));
    return r;
}

// Writes one entry (the rest zero) into another domain's frame.
long fill_foreign(uint64_t mfn, uint16_t id, unsigned index, uint64_t entry)
{
    uint64_t own = mfn_of_va(padding_va(2));
    long r;
    uint64_t* page = map_foreign(2, mfn, id, &r);
    if (!page)
        return r;
    __builtin_memset(page, 0, 4096);
    page[index] = entry;
    return unmap_foreign(2, own);
}

bool info_of(uint16_t id, xen::xen_domctl_getdomaininfo& info) { return domain_info(id, info); }

// Xen frees a destroyed domain's last pieces after an RCU grace period:
// wait (a second at most) for `cond`, yielding rather than blocking (this
// kernel has no event callback for the upcall a block would end with).
template <typename Cond>
bool soon(Cond&& cond)
{
    uint64_t deadline = system_time_ns() + 1000 * kMs;
    while (!cond()) {
        if (system_time_ns() > deadline)
            return false;
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    }
    return true;
}

void bad_configs()
{
    struct Case {
        const char* what;
        void (*change)(xen::xen_domctl_createdomain&);
        long expected;
    };
    const Case cases[] = {
        {"createdomain with CDF_hap but not CDF_hvm", [](auto& c) { c.flags = xen::XEN_DOMCTL_CDF_hap; }, kEINVAL},
        {"createdomain with an unknown flag (bit 12)", [](auto& c) { c.flags = 1u << 12; }, kEINVAL},
        {"createdomain with CDF_nested_virt without HAP",
         [](auto& c) { c.flags = xen::XEN_DOMCTL_CDF_nested_virt; }, kEINVAL},
        {"createdomain with CDF_vpmu", [](auto& c) { c.flags = xen::XEN_DOMCTL_CDF_vpmu; }, kEINVAL},
        {"createdomain with CDF_iommu", [](auto& c) { c.flags = xen::XEN_DOMCTL_CDF_iommu; }, kEINVAL},
        {"createdomain with IOMMU options but no IOMMU", [](auto& c) { c.iommu_opts = 1; }, kEINVAL},
        {"createdomain with a vmtrace buffer", [](auto& c) { c.vmtrace_size = 4096; }, kEINVAL},
        {"createdomain with 0 vCPUs", [](auto& c) { c.max_vcpus = 0; }, kEINVAL},
        {"createdomain with 0x10000000 vCPUs", [](auto& c) { c.max_vcpus = 0x10000000; }, kEINVAL},
        {"createdomain with grant table version 0", [](auto& c) { c.grant_opts = 0; }, kEINVAL},
        {"createdomain with grant table version 3", [](auto& c) { c.grant_opts = 3; }, kEINVAL},
        {"createdomain with unknown grant options", [](auto& c) { c.grant_opts = 0x101; }, kEINVAL},
        {"createdomain with 0 grant frames", [](auto& c) { c.max_grant_frames = 0; }, kEINVAL},
        {"createdomain with 65 grant frames", [](auto& c) { c.max_grant_frames = 65; }, kEINVAL},
        {"createdomain with 1025 maptrack frames", [](auto& c) { c.max_maptrack_frames = 1025; }, kEINVAL},
        {"createdomain with unknown arch flags", [](auto& c) { c.arch.misc_flags = 2; }, kEINVAL},
        {"createdomain with an unknown emulated device", [](auto& c) { c.arch.emulation_flags = 1u << 11; },
         kEINVAL},
        {"createdomain with an emulated local APIC", [](auto& c) { c.arch.emulation_flags = 1; }, kEOPNOTSUPP},
        {"createdomain in CPU pool 7", [](auto& c) { c.cpupool_id = 7; }, kESRCH},
    };
    for (const Case& k : cases) {
        xen::xen_domctl_createdomain c = pv_config();
        k.change(c);
        uint16_t id = 0;
        long r = create(c, 0, &id);
        expect(k.what, r, k.expected);
        if (r == 0)  // not expected: leave nothing behind
            (void)destroy(id);
    }
}

// Creates a domain for the tests below (one vCPU), printing the answers.
uint16_t create_ids()
{
    uint16_t id = 0, again = 0;
    long r = create(pv_config(), 0, &id);
    print("createdomain with any id: %ld, a new id: %s\n", r, r == 0 && id != 0 ? "yes" : "no");
    check(r == 0 && id != 0 && id < xen::DOMID_FIRST_RESERVED, "createdomain: %ld, id %u", r, id);
    expect("createdomain with that id again", create(pv_config(), id), kEEXIST);
    r = create(pv_config(), xen::DOMID_IO, &again);
    print("createdomain with a reserved id (DOMID_IO): %ld, a free id instead: %s\n", r,
          r == 0 && again != id && again < xen::DOMID_FIRST_RESERVED ? "yes" : "no");
    check(r == 0 && again != id, "createdomain of DOMID_IO: %ld, id %u", r, again);
    if (r == 0)
        expect("destroydomain of that one", destroy(again), 0);
    r = create(pv_config(), 5000, &again);
    print("createdomain with id 5000: %ld, id %u\n", r, again);
    check(r == 0 && again == 5000, "createdomain of 5000: %ld, id %u", r, again);
    if (r == 0)
        expect("destroydomain of domain 5000", destroy(5000), 0);
    return id;
}

void new_domain(uint16_t id)
{
    xen::xen_domctl_getdomaininfo info{};
    bool found = info_of(id, info);
    print("new domain: tot_pages %lu, max_pages %lu, flags %x, online vCPUs %u, max_vcpu_id %x, shared_info %s\n",
          info.tot_pages, info.max_pages, info.flags, info.nr_online_vcpus, info.max_vcpu_id,
          info.shared_info_frame ? "set" : "none");
    // Above the flags, the shutdown code: SHUTDOWN_CODE_INVALID (-1) for now.
    check(found && info.tot_pages == 0 && info.max_pages == 0 && info.flags == (xen::XEN_DOMINF_paused | 0xffff0000u) &&
              info.nr_online_vcpus == 0 && info.max_vcpu_id == ~0u,
          "the new domain's getdomaininfo");
    expect("setvcpucontext before max_vcpus", set_context(id, 0, context_with(pfn_to_mfn(0), true)), kEINVAL);
    expect("max_vcpus 2 (created for 1)", max_vcpus(id, 2), kEINVAL);
    expect("max_vcpus 1", max_vcpus(id, 1), 0);
    expect("max_vcpus of dom0 (itself)", max_vcpus(0, 1), kEINVAL);
    uint64_t frame;
    expect("populate_physmap before max_mem", populate(id, &frame, 1, 0), 0);
}

void contexts(uint16_t id)
{
    expect("max_mem 64 KiB", max_mem(id, 64), 0);
    uint64_t f[4];
    expect("populate_physmap of 4 frames", populate(id, f, 4, 0), 4);
    uint64_t l4 = f[0], not_l4 = f[1], other_l4 = f[2];
    uint64_t our_l4 = mfn_of_va(boot_window().l4_va);
    // Zeroed through a foreign mapping: Xen need not scrub what it gives.
    expect("mapping its frame writable (foreign)", fill_foreign(l4, id, 0, 0), 0);
    expect("mapping another of its frames writable", fill_foreign(other_l4, id, 0, 0), 0);
    // Not an L4: its first entry names one of dom0's frames as an L3.
    expect("writing a bad L4 into a third", fill_foreign(not_l4, id, 0, (our_l4 << 12) | kPteRo), 0);

    expect("setvcpucontext of vCPU 1 (absent)", set_context(id, 1, context_with(l4, true)), kEINVAL);
    expect("setvcpucontext of dom0 (itself)", set_context(0, 0, context_with(our_l4, true)), kEINVAL);
    expect("setvcpucontext with dom0's L4", set_context(id, 0, context_with(our_l4, true)), kEINVAL);
    expect("setvcpucontext with a frame past memory", set_context(id, 0, context_with(kBeyondMemory, true)),
           kEINVAL);
    expect("setvcpucontext with its frame that is no valid L4", set_context(id, 0, context_with(not_l4, true)),
           kEINVAL);
    xen::vcpu_guest_context* c = const_cast<xen::vcpu_guest_context*>(context_with(l4, true));
    c->user_regs.rip = 0x0000800000000000;
    expect("setvcpucontext with a non-canonical rip", set_context(id, 0, c), kEINVAL);
    expect("getvcpucontext of a vCPU without one", get_context(id, 0), kENODATA);
    expect("unpausedomain with no vCPU context", simple(xen::XEN_DOMCTL_unpausedomain, id), 0);
    expect("pausedomain again", simple(xen::XEN_DOMCTL_pausedomain, id), 0);

    expect("setvcpucontext with an L4 of its own", set_context(id, 0, context_with(l4, true)), 0);
    long r = get_context(id, 0);
    print("getvcpucontext: %ld, cr3 the L4: %s, rip %lx\n", r, g_out.ctrlreg[3] >> 12 == l4 ? "yes" : "no",
          g_out.user_regs.rip);
    check(r == 0 && g_out.ctrlreg[3] >> 12 == l4 && g_out.user_regs.rip == kVirtBase, "getvcpucontext");
    long mr;
    map_foreign(2, l4, id, &mr);
    expect("mapping the L4 it now uses writable", mr, -16);
    if (mr == 0)
        (void)unmap_foreign(2, mfn_of_va(padding_va(2)));
    expect("setvcpucontext with another L4 (it has one)", set_context(id, 0, context_with(other_l4, true)),
           kEOPNOTSUPP);
    expect("setvcpucontext with a null context (reset)", set_context(id, 0, nullptr), 0);
    expect("getvcpucontext after the reset", get_context(id, 0), kENODATA);

    // Its frames through dom0's mmuext_op and mmu_update (foreigndom).
    expect("pinning its L4 as dom0's own", mmuext_on(xen::MMUEXT_PIN_L4_TABLE, l4, xen::DOMID_SELF), kEINVAL);
    expect("pinning its L4 for it", mmuext_on(xen::MMUEXT_PIN_L4_TABLE, l4, id), 0);
    expect("pinning dom0's L4 for it", mmuext_on(xen::MMUEXT_PIN_L4_TABLE, our_l4, id), kEINVAL);
    expect("new_baseptr naming it", mmuext_on(xen::MMUEXT_NEW_BASEPTR, l4, id), kEPERM);
    expect("pinning for domain 4321 (absent)", mmuext_on(xen::MMUEXT_PIN_L4_TABLE, l4, 4321), kESRCH);
    expect("unpinning it for it", mmuext_on(xen::MMUEXT_UNPIN_TABLE, l4, id), 0);
    expect("unpinning it again", mmuext_on(xen::MMUEXT_UNPIN_TABLE, l4, id), kEINVAL);
    expect("machphys_update of its frame", mmu_update((l4 << 12) | xen::MMU_MACHPHYS_UPDATE, 77, id), 0);
    print("the M2P names it: %s\n", m2p(l4) == 77 ? "yes" : "no");
    check(m2p(l4) == 77, "M2P of its frame: %lx", m2p(l4));
    expect("machphys_update of dom0's frame for it",
           mmu_update((our_l4 << 12) | xen::MMU_MACHPHYS_UPDATE, 77, id), kEINVAL);
}

void pauses(uint16_t id)
{
    expect("pausedomain of dom0 (itself)", simple(xen::XEN_DOMCTL_pausedomain, 0), kEINVAL);
    expect("pausedomain of domain 4321 (absent)", simple(xen::XEN_DOMCTL_pausedomain, 4321), kESRCH);
    expect("pausedomain", simple(xen::XEN_DOMCTL_pausedomain, id), 0);
    xen::xen_domctl_getdomaininfo info{};
    (void)info_of(id, info);
    expect("unpausedomain", simple(xen::XEN_DOMCTL_unpausedomain, id), 0);
    expect("unpausedomain (the creation pause)", simple(xen::XEN_DOMCTL_unpausedomain, id), 0);
    expect("unpausedomain once more", simple(xen::XEN_DOMCTL_unpausedomain, id), kEINVAL);
    expect("unpausedomain of dom0 (never paused)", simple(xen::XEN_DOMCTL_unpausedomain, 0), kEINVAL);
    bool paused_flag = info.flags & xen::XEN_DOMINF_paused;
    (void)info_of(id, info);
    print("paused flag while paused: %s, after: %s\n", paused_flag ? "yes" : "no",
          info.flags & xen::XEN_DOMINF_paused ? "yes" : "no");
    check(paused_flag && !(info.flags & xen::XEN_DOMINF_paused), "the paused flag");
}

void destroys(uint16_t id)
{
    expect("destroydomain of dom0 (itself)", destroy(0), kEINVAL);
    expect("destroydomain of DOMID_SELF", destroy(xen::DOMID_SELF), kESRCH);
    expect("destroydomain of domain 4321 (absent)", destroy(4321), kESRCH);
    expect("destroydomain of the misused domain", destroy(id), 0);
    xen::xen_domctl_getdomaininfo info{};
    bool gone = soon([&] { return !info_of(id, info); });
    print("it is gone: %s\n", gone ? "yes" : "no");
    check(gone, "domain %u still there", id);
    expect("destroydomain of it again", destroy(id), kESRCH);
}

// The machine's free frames once no earlier destroy is still finishing
// (Xen returns a dead domain's own structures after an RCU grace period):
// the same for 100 ms.
long settled_free_pages()
{
    long last = machine_free_pages();
    uint64_t stable_since = system_time_ns();
    while (system_time_ns() - stable_since < 100 * kMs) {
        hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
        long now = machine_free_pages();
        if (now != last) {
            last = now;
            stable_since = system_time_ns();
        }
    }
    return last;
}

// The proper sequence; then a frame dom0 keeps mapped past destroy.
void build_and_destroy()
{
    long before = settled_free_pages();
    uint16_t id = 0;
    expect("createdomain", create(pv_config(), 0, &id), 0);
    expect("max_vcpus 1", max_vcpus(id, 1), 0);
    expect("max_mem 4 MiB", max_mem(id, 4096), 0);
    static uint64_t frames[1025];
    expect("populate_physmap of 1024 frames", populate(id, frames, 1024, 0), 1024);
    expect("populate_physmap of one more", populate(id, frames + 1024, 1, 1024), 0);
    xen::xen_domctl_getdomaininfo info{};
    (void)info_of(id, info);
    print("its pages: %lu of %lu\n", info.tot_pages, info.max_pages);
    check(info.tot_pages == 1024 && info.max_pages == 1024, "tot/max pages");
    long during = machine_free_pages();
    print("free memory fell by at least 1024 frames: %s\n", before - during >= 1024 ? "yes" : "no");
    expect("destroydomain", destroy(id), 0);
    bool back = soon([&] { return machine_free_pages() == before; });
    print("free memory back where it was: %s\n", back ? "yes" : "no");
    check(back, "free pages %ld before, %ld after", before, machine_free_pages());

    // dom0 maps one of a new domain's frames, destroys the domain, then
    // reads the frame: still there, still the dead domain's.
    expect("createdomain", create(pv_config(), 0, &id), 0);
    expect("max_mem 64 KiB", max_mem(id, 64), 0);
    expect("populate_physmap of 2 frames", populate(id, frames, 2, 0), 2);
    long r;
    uint64_t own = mfn_of_va(padding_va(3));
    uint64_t* page = map_foreign(3, frames[0], id, &r);
    expect("mapping its frame (foreign)", r, 0);
    if (page)
        page[7] = 0x5eed;
    expect("destroydomain while dom0 maps its frame", destroy(id), 0);
    (void)info_of(id, info);
    bool found = info_of(id, info);
    print("it stays, dying: %s, with %lu page(s)\n", found && (info.flags & xen::XEN_DOMINF_dying) ? "yes" : "no",
          info.tot_pages);
    check(found && (info.flags & xen::XEN_DOMINF_dying) && info.tot_pages == 1, "the dying domain");
    print("the frame still reads back: %s\n", page && page[7] == 0x5eed ? "yes" : "no");
    expect("createdomain with its id", create(pv_config(), id), kEEXIST);
    expect("destroydomain of it again", destroy(id), 0);
    expect("unmapping the frame", unmap_foreign(3, own), 0);
    bool gone = soon([&] { return !info_of(id, info); });
    print("gone once unmapped: %s\n", gone ? "yes" : "no");
    check(gone, "domain %u still there", id);
    back = soon([&] { return machine_free_pages() == before; });
    print("free memory back where it was: %s\n", back ? "yes" : "no");
    check(back, "free pages %ld before, %ld after", before, machine_free_pages());
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    mm_init(si);
    map_shared_info(si);  // system time, to wait while Xen finishes a destroy
    bad_configs();
    uint16_t id = create_ids();
    new_domain(id);
    // hold_ms=N: a pause (yielding) with the new domain paused and empty,
    // for a system test to look at it through Vireo's debug keys.
    if (uint64_t hold = cmdline_uint(si, "hold_ms", 0)) {
        print("holding %lu ms\n", hold);
        uint64_t until = system_time_ns() + hold * kMs;
        while (system_time_ns() < until)
            hypercall(xen::HYPERVISOR_sched_op, xen::SCHEDOP_yield, 0);
    }
    contexts(id);
    pauses(id);
    destroys(id);
    build_and_destroy();
}

#include "guest/lib/domain_builder.hpp"

#include "abi/arch_x86_64.hpp"
#include "abi/errno.hpp"
#include "abi/mmu.hpp"
#include "abi/vcpu.hpp"
#include "abi/xen.hpp"
#include "guest/lib/domain_control.hpp"
#include "guest/lib/domctl.hpp"
#include "guest/lib/mm.hpp"
#include "hv/core/pv_image.hpp"

namespace guest {
namespace {

constexpr uint64_t kPage = 4096;
constexpr uint64_t k4M = 4ull << 20, k512K = 512ull << 10;
constexpr uint64_t kCanonical = (1ull << 48) - 1;  // table indices come from the low 48 bits
constexpr unsigned kMaxTables = 16;
constexpr uint64_t kTableEntry = kPteP | kPteRw | kPteUser | kPteA | kPteD;  // L4..L2, as libxenguest
constexpr uint64_t kDr6Default = 0xffff0ff0, kDr7Default = 0x400;
constexpr uint64_t kRflagsIf = 1u << 9;
constexpr long kEINVAL = -xen::XEN_EINVAL, kENOMEM = -xen::XEN_ENOMEM;

struct Layout {
    uint64_t v_start, v_end, window_pages;
    uint64_t p2m_pfn, si_pfn, pt_pfn, stack_pfn;
    unsigned n3, n2, n1, nr_pt;  // L3s, L2s, L1s; nr_pt counts the L4 too
    uint64_t va(uint64_t pfn) const { return v_start + pfn * kPage; }
};

// The new domain's frames (pfn -> mfn), and its tables composed here
// before they are copied over.
uint64_t g_frames[kMaxBuildPages];
alignas(4096) uint64_t g_tables[kMaxTables][512];
xen::vcpu_guest_context g_ctx;

// Tables of one level (shift 39: L3s, 30: L2s, 21: L1s) covering [vs, ve).
unsigned tables_for(uint64_t vs, uint64_t ve, unsigned shift)
{
    return static_cast<unsigned>((((ve - 1) & kCanonical) >> shift) - ((vs & kCanonical) >> shift) + 1);
}

const char* plan(const vireo::PvImage& elf, uint64_t nr_pages, Layout& l)
{
    l = Layout{};
    l.v_start = elf.virt_base;
    uint64_t pfn = (elf.virt_kend - elf.virt_base + kPage - 1) / kPage;
    l.p2m_pfn = pfn;
    pfn += (nr_pages * 8 + kPage - 1) / kPage;
    l.si_pfn = pfn++;
    l.pt_pfn = pfn;
    // The tables map the window, and the window ends past the tables: grow
    // the count until the window it gives needs no more.
    unsigned nr_pt = 4;
    for (unsigned round = 0; round < 8; ++round) {
        uint64_t after_stack = l.va(l.pt_pfn + nr_pt + 1);
        uint64_t v_end = (after_stack + k4M - 1) & ~(k4M - 1);
        if (v_end - after_stack < k512K)
            v_end += k4M;
        if (v_end <= l.v_start)
            return "the window runs past the top of the address space";
        unsigned n3 = tables_for(l.v_start, v_end, 39), n2 = tables_for(l.v_start, v_end, 30),
                 n1 = tables_for(l.v_start, v_end, 21);
        if (1 + n3 + n2 + n1 <= nr_pt) {
            l.v_end = v_end;
            l.n3 = n3, l.n2 = n2, l.n1 = n1, l.nr_pt = nr_pt;
            l.stack_pfn = l.pt_pfn + nr_pt;
            l.window_pages = (v_end - l.v_start) / kPage;
            if (nr_pt > kMaxTables)
                return "the window needs too many page tables";
            return l.window_pages <= nr_pages ? nullptr : "the domain is smaller than its boot window";
        }
        nr_pt = 1 + n3 + n2 + n1;
    }
    return "the page-table count does not settle";
}

// L4 first, then the L3s, L2s and L1s: each table's index among the frames
// from pt_pfn.
unsigned table_index(const Layout& l, unsigned level, uint64_t va)
{
    uint64_t vs = l.v_start & kCanonical;
    va &= kCanonical;
    switch (level) {
    case 3: return 1 + static_cast<unsigned>((va >> 39) - (vs >> 39));
    case 2: return 1 + l.n3 + static_cast<unsigned>((va >> 30) - (vs >> 30));
    case 1: return 1 + l.n3 + l.n2 + static_cast<unsigned>((va >> 21) - (vs >> 21));
    default: return 0;
    }
}

void compose_tables(const Layout& l)
{
    __builtin_memset(g_tables, 0, sizeof g_tables);
    auto table_entry = [&](unsigned t) { return (g_frames[l.pt_pfn + t] << 12) | kTableEntry; };
    for (uint64_t pfn = 0; pfn < l.window_pages; ++pfn) {
        uint64_t va = l.va(pfn);
        unsigned t3 = table_index(l, 3, va), t2 = table_index(l, 2, va), t1 = table_index(l, 1, va);
        g_tables[0][(va >> 39) & 511] = table_entry(t3);
        g_tables[t3][(va >> 30) & 511] = table_entry(t2);
        g_tables[t2][(va >> 21) & 511] = table_entry(t1);
        // The tables themselves are mapped read-only, or the hypervisor
        // could not validate them as tables.
        bool table = pfn >= l.pt_pfn && pfn < l.pt_pfn + l.nr_pt;
        g_tables[t1][(va >> 12) & 511] = (g_frames[pfn] << 12) | (table ? kPteRo | kPteD : kPteData);
    }
}

// One page of dom0's padding pointed at the new domain's frames in turn.
struct ForeignWindow {
    uint64_t va = 0, pte = 0, own_mfn = 0;

    void open()
    {
        va = padding_va(2);
        pte = entry_maddr(va, 1);
        own_mfn = mfn_of_va(va);
    }
    uint64_t* map(uint64_t mfn, uint16_t domid, long& r)
    {
        r = mmu_update_foreign(pte, (mfn << 12) | kPteData, domid);
        if (r == 0)
            r = mmuext(xen::MMUEXT_INVLPG_LOCAL, va);
        return r == 0 ? reinterpret_cast<uint64_t*>(va) : nullptr;
    }
    // Drops the last foreign mapping: a mapped frame could neither become
    // a page table nor be freed with its domain.
    long close() { return va ? update_va(va, (own_mfn << 12) | kPteData) : 0; }
};

void copy_image(uint8_t* page, uint64_t va, const vireo::PvImage& elf, const uint8_t* image)
{
    for (unsigned i = 0; i < elf.segment_count; ++i) {
        const vireo::LoadSegment& s = elf.segments[i];
        uint64_t from = s.vaddr > va ? s.vaddr : va;
        uint64_t to = s.vaddr + s.filesz < va + kPage ? s.vaddr + s.filesz : va + kPage;
        if (from < to)
            __builtin_memcpy(page + (from - va), image + s.offset + (from - s.vaddr), to - from);
    }
}

void fill_start_info(xen::start_info* si, const Layout& l, const DomainSpec& spec, uint64_t shared_info_mfn)
{
    __builtin_memcpy(si->magic, "xen-3.0-x86_64", 15);
    si->nr_pages = spec.nr_pages;
    si->shared_info = shared_info_mfn << 12;
    si->flags = 0;  // neither privileged nor the initial domain
    si->pt_base = l.va(l.pt_pfn);
    si->nr_pt_frames = l.nr_pt;
    si->mfn_list = l.va(l.p2m_pfn);
    const char* c = spec.cmdline ? spec.cmdline : "";
    for (unsigned i = 0; c[i] && i + 1 < xen::MAX_GUEST_CMDLINE; ++i)
        si->cmd_line[i] = c[i];
}

// Everything the new domain finds in its window, page by page.
long write_window(const Layout& l, const vireo::PvImage& elf, const DomainSpec& spec, uint16_t domid,
                  uint64_t shared_info_mfn, ForeignWindow& w)
{
    for (uint64_t pfn = 0; pfn < l.window_pages; ++pfn) {
        long r;
        uint64_t* page = w.map(g_frames[pfn], domid, r);
        if (!page)
            return r;
        __builtin_memset(page, 0, kPage);
        if (pfn >= l.p2m_pfn && pfn < l.si_pfn) {
            uint64_t first = (pfn - l.p2m_pfn) * 512;
            for (uint64_t i = 0; i < 512 && first + i < spec.nr_pages; ++i)
                page[i] = g_frames[first + i];
        } else if (pfn == l.si_pfn) {
            fill_start_info(reinterpret_cast<xen::start_info*>(page), l, spec, shared_info_mfn);
        } else if (pfn >= l.pt_pfn && pfn < l.stack_pfn) {
            __builtin_memcpy(page, g_tables[pfn - l.pt_pfn], kPage);
        } else if (pfn < l.p2m_pfn) {
            copy_image(reinterpret_cast<uint8_t*>(page), l.va(pfn), elf, spec.image);
        }
    }
    return 0;
}

// Events start masked on every vCPU, as Xen's builders leave them: the
// kernel unmasks once it has a callback.
long init_shared_info(uint64_t mfn, uint16_t domid, ForeignWindow& w)
{
    long r;
    auto* si = reinterpret_cast<xen::shared_info*>(w.map(mfn, domid, r));
    if (!si)
        return r;
    __builtin_memset(si, 0, sizeof *si);
    for (auto& v : si->vcpu_info)
        v.evtchn_upcall_mask = 1;
    return 0;
}

void set_boot_vcpu(const Layout& l, const vireo::PvImage& elf, uint64_t l4_mfn)
{
    g_ctx = xen::vcpu_guest_context{};
    g_ctx.flags = xen::VGCF_IN_KERNEL | xen::VGCF_online;
    xen::cpu_user_regs& regs = g_ctx.user_regs;
    regs.rip = elf.entry;
    regs.rsp = l.va(l.stack_pfn + 1);
    regs.rsi = l.va(l.si_pfn);
    regs.rflags = kRflagsIf;
    regs.cs = xen::FLAT_KERNEL_CS;
    regs.ss = xen::FLAT_KERNEL_SS;
    regs.ds = regs.es = regs.fs = regs.gs = xen::FLAT_KERNEL_DS;
    g_ctx.kernel_ss = xen::FLAT_KERNEL_SS;
    g_ctx.kernel_sp = regs.rsp;
    g_ctx.ctrlreg[3] = l4_mfn << 12;
    g_ctx.debugreg[6] = kDr6Default;
    g_ctx.debugreg[7] = kDr7Default;
}

// The steps after the domain exists; any failure leaves it to be destroyed.
BuildResult populate_and_start(const DomainSpec& spec, const vireo::PvImage& elf, const Layout& l, BuiltDomain& out,
                               ForeignWindow& w)
{
    uint16_t domid = out.domid;
    if (long r = create_vcpus(domid, 1))
        return {r, "XEN_DOMCTL_max_vcpus"};
    // As xl: the reservation plus 1 MiB of slack.
    if (long r = set_max_mem(domid, spec.nr_pages * 4 + 1024))
        return {r, "XEN_DOMCTL_max_mem"};
    long done = populate_physmap(domid, g_frames, spec.nr_pages);
    if (done != static_cast<long>(spec.nr_pages))
        return {done < 0 ? done : kENOMEM, "XENMEM_populate_physmap"};
    // For a PV domain the hypervisor records each frame's pfn in the M2P
    // as it populates; the new kernel reads it from the first instruction.
    for (uint64_t pfn = 0; pfn < spec.nr_pages; ++pfn) {
        if (m2p(g_frames[pfn]) != pfn)
            return {kEINVAL, "the M2P does not name the populated frames"};
    }
    xen::xen_domctl_getdomaininfo info{};
    if (!domain_info(domid, info))
        return {kEINVAL, "XEN_DOMCTL_getdomaininfo"};
    out.shared_info_mfn = info.shared_info_frame;
    out.l4_mfn = g_frames[l.pt_pfn];

    compose_tables(l);
    w.open();
    if (long r = write_window(l, elf, spec, domid, out.shared_info_mfn, w))
        return {r, "mapping the new domain's frames (mmu_update, foreigndom)"};
    if (long r = init_shared_info(out.shared_info_mfn, domid, w))
        return {r, "mapping the new domain's shared_info"};
    if (long r = w.close())
        return {r, "unmapping the foreign window"};
    if (elf.hypercall_page) {
        if (long r = hypercall_init(domid, g_frames[(elf.hypercall_page - l.v_start) / kPage]))
            return {r, "XEN_DOMCTL_hypercall_init"};
    }
    if (long r = mmuext_foreign(xen::MMUEXT_PIN_L4_TABLE, out.l4_mfn, domid))
        return {r, "MMUEXT_PIN_L4_TABLE"};
    set_boot_vcpu(l, elf, out.l4_mfn);
    if (long r = set_vcpu_context(domid, 0, g_ctx))
        return {r, "XEN_DOMCTL_setvcpucontext"};
    return {0, nullptr};
}

}  // namespace

BuildResult build_domain(const DomainSpec& spec, BuiltDomain& out)
{
    out = BuiltDomain{};
    // The hypervisor's own image reader: a toolstack honours the same notes.
    // Feature checks are the hypervisor's business when the domain starts.
    vireo::PvImage elf;
    vireo::ImageError e = vireo::parse_pv_image(spec.image, spec.image_size, ~0u, elf);
    if (!e.ok())
        return {kEINVAL, e.what};
    if (spec.nr_pages == 0 || spec.nr_pages > kMaxBuildPages)
        return {kEINVAL, "domain size out of range"};
    Layout l;
    if (const char* e = plan(elf, spec.nr_pages, l))
        return {kEINVAL, e};
    out.nr_pages = spec.nr_pages;
    out.window_pages = l.window_pages;
    out.nr_pt_frames = l.nr_pt;
    out.entry = elf.entry;

    if (long r = create_pv_domain(out.domid))
        return {r, "XEN_DOMCTL_createdomain"};
    ForeignWindow w;
    BuildResult res = populate_and_start(spec, elf, l, out, w);
    if (!res.ok()) {
        (void)w.close();
        (void)destroy_domain(out.domid);
    }
    return res;
}

}  // namespace guest

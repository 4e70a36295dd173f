#include "hv/core/pv_builder.hpp"

#include "hv/core/event_channel.hpp"
#include "hv/core/guest_console.hpp"

#include "abi/arch_x86_64.hpp"
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "hv/core/bootstrap_tables.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/hypercall_page.hpp"
#include "hv/core/log.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/vcpu_events.hpp"
#include "hv/core/vcpu_time.hpp"
#include "lib/types.hpp"

namespace vireo {
namespace {

constexpr uint64_t k4M = 4ull << 20;
constexpr uint64_t kMinPadding = 512ull << 10;
// p2m frames of a domain under construction: 8192 frames map 4M pfns (16 GiB).
constexpr uint64_t kMaxP2mFrames = 8192;

ImageError fail(Status s, const char* what) { return {s, what}; }

// The builder's view of the domain's p2m while it fills it: the p2m list's
// own frames, by index.
struct P2m {
    uint64_t frames[kMaxP2mFrames];
    uint64_t nr_frames = 0;
    uint64_t nr_pages = 0;

    uint64_t* slot(uint64_t pfn) const
    {
        auto* page = static_cast<uint64_t*>(map_machine_memory(frames[pfn / 512] << 12));
        return &page[pfn % 512];
    }
    uint64_t mfn(uint64_t pfn) const { return *slot(pfn); }
};

P2m g_p2m;  // one build at a time (boot, or the toolstack's domctl later)

uint64_t mfn_of(const void* ctx, uint64_t pfn) { return static_cast<const P2m*>(ctx)->mfn(pfn); }

void* page_of(uint64_t pfn) { return map_machine_memory(g_p2m.mfn(pfn) << 12); }

// Copies bytes to the guest's pseudo-physical window starting at va.
void copy_to_window(const PvLayout& l, uint64_t va, const uint8_t* src, uint64_t n)
{
    while (n) {
        uint64_t off = va & 0xfff;
        uint64_t chunk = 4096 - off < n ? 4096 - off : n;
        __builtin_memcpy(static_cast<uint8_t*>(page_of(l.pfn_of(va))) + off, src, chunk);
        va += chunk, src += chunk, n -= chunk;
    }
}

// Gives every frame allocated so far back, scrubbed.
void release_frames(Domain& d, uint64_t pages_done, uint64_t p2m_frames_done)
{
    for (uint64_t pfn = 0; pfn < pages_done; ++pfn) {
        uint64_t mfn = g_p2m.mfn(pfn);
        PageInfo* pi = frame_table().get(Mfn(mfn));
        if (pi) {
            pi->type = PageType::NONE, pi->type_count = 0, pi->flags = 0;
        }
        __builtin_memset(map_machine_memory(mfn << 12), 0, 4096);
        (void)frame_allocator().free(Mfn(mfn), d.id);
    }
    for (uint64_t i = 0; i < p2m_frames_done; ++i)
        (void)frame_allocator().free(Mfn(g_p2m.frames[i]), kOwnerHypervisor);
    d.tot_pages = 0;
}

void fill_start_info(const Domain& d, const BuildRequest& req, const PvLayout& l, xen::start_info& si)
{
    __builtin_memset(&si, 0, sizeof si);
    const char magic[] = "xen-3.0-x86_64";
    __builtin_memcpy(si.magic, magic, sizeof magic);
    si.nr_pages = req.nr_pages;
    si.shared_info = d.shared_info_maddr;
    si.flags = d.privileged ? (xen::SIF_PRIVILEGED | xen::SIF_INITDOMAIN) : 0;
    si.pt_base = l.pt_start;
    si.nr_pt_frames = l.pt_frames;
    si.mfn_list = l.p2m_start;
    if (l.p2m_frames) {
        si.first_p2m_pfn = l.p2m_pfn;
        si.nr_p2m_frames = l.p2m_frames;
    }
    si.mod_start = l.initrd_end > l.initrd_start ? l.initrd_start : 0;
    si.mod_len = l.initrd_end - l.initrd_start;
    if (!d.privileged) {
        si.store_mfn = g_p2m.mfn(l.pfn_of(l.xenstore_page));
        si.console.domU.mfn = g_p2m.mfn(l.pfn_of(l.console_page));
        si.console.domU.evtchn = d.console_port;
        // store_evtchn 0: Linux then waits for a local xenstore without
        // blocking boot.
    }
    size_t i = 0;
    for (; req.cmdline && req.cmdline[i] && i + 1 < xen::MAX_GUEST_CMDLINE; ++i)
        si.cmd_line[i] = req.cmdline[i];
    si.cmd_line[i] = '\0';
}

}  // namespace

uint32_t pv_supported_features()
{
    return (1u << xen::XENFEAT_writable_page_tables) | (1u << xen::XENFEAT_pae_pgdir_above_4gb) |
           (1u << xen::XENFEAT_mmu_pt_update_preserve_ad) | (1u << xen::XENFEAT_gnttab_map_avail_bits) |
           (1u << xen::XENFEAT_dom0);
}

ImageError plan_pv_layout(const PvImage& image, uint64_t initrd_size, uint64_t nr_pages, bool is_dom0,
                          PvLayout& out)
{
    PvLayout l{};
    l.v_start = image.virt_base & ~uint64_t{0xfff};
    uint64_t va = page_align_up(image.virt_kend);
    if (va < image.virt_kend)
        return fail(Status::RANGE, "kernel ends at the top of the address space");
    l.initrd_start = va;
    l.initrd_end = va + initrd_size;
    if (nr_pages > (~uint64_t{0} >> 4))
        return fail(Status::TOO_BIG, "domain too large");
    // INIT_P2M is taken as Xen's toolstack takes it: only page aligned and
    // below the window, else the list stays inside.
    bool p2m_apart = image.init_p2m && !(image.init_p2m & 0xfff) && image.init_p2m < l.v_start;
    if (p2m_apart) {
        l.p2m_start = image.init_p2m;
        l.start_info = page_align_up(l.initrd_end);
    } else {
        l.p2m_start = page_align_up(l.initrd_end);
        l.p2m_end = l.p2m_start + nr_pages * 8;
        l.start_info = page_align_up(l.p2m_end);
    }
    va = l.start_info + 4096;
    if (!is_dom0) {
        l.xenstore_page = va;
        l.console_page = va + 4096;
        va += 2 * 4096;
    }
    l.pt_start = va;
    // The tables map the whole window, whose end depends on how many tables
    // there are: iterate until the count is stable (it grows monotonically).
    uint64_t frames = 1;
    for (int round = 0; round < 8; ++round) {
        l.stack_start = l.pt_start + frames * 4096;
        uint64_t stack_end = l.stack_start + 4096;
        l.v_end = (stack_end + k4M - 1) & ~(k4M - 1);
        if (l.v_end - stack_end < kMinPadding)
            l.v_end += k4M;
        uint64_t need = bootstrap_table_count(l.v_start, l.v_end).total();
        if (need == frames)
            break;
        frames = need;
    }
    l.pt_frames = frames;
    if (l.v_end <= l.v_start || l.v_end < l.stack_start ||
        (l.v_end > xen::HYPERVISOR_VIRT_START && l.v_start < xen::HYPERVISOR_VIRT_END))
        return fail(Status::RANGE, "initial address space does not fit the guest's address range");
    if ((l.v_end - l.v_start) / 4096 > nr_pages)
        return fail(Status::TOO_BIG, "image larger than the domain's memory");
    if ((l.v_end - l.v_start) / 4096 > kMaxP2mFrames * 512)
        return fail(Status::TOO_BIG, "initial address space too large");
    if (p2m_apart) {
        // Its own L4 slots, out of the hypervisor's: Linux copies that one
        // slot into its own L4 and later frees everything under it.
        uint64_t data = (nr_pages * 8 + 4095) / 4096;
        if (!data || data > (l.v_start - l.p2m_start) >> 12)
            return fail(Status::RANGE, "INIT_P2M: the p2m list would overlap the initial mapping");
        l.p2m_end = l.p2m_start + nr_pages * 8;
        uint64_t last = l.p2m_start + data * 4096 - 1;
        if (!canonical(l.p2m_start) || !canonical(last) || (l.p2m_start >> 47) != (last >> 47))
            return fail(Status::RANGE, "INIT_P2M: the p2m list is not at a guest address");
        if (last >> 39 >= l.v_start >> 39)
            return fail(Status::RANGE, "INIT_P2M: the p2m list shares an L4 slot with the initial mapping");
        if (last >= xen::HYPERVISOR_VIRT_START && l.p2m_start < xen::HYPERVISOR_VIRT_END)
            return fail(Status::RANGE, "INIT_P2M: the p2m list overlaps the hypervisor's range");
        l.p2m_pfn = (l.v_end - l.v_start) / 4096;
        l.p2m_frames = data + p2m_table_count(l.p2m_start, data).total();
        if (l.p2m_frames > nr_pages - l.p2m_pfn)
            return fail(Status::TOO_BIG, "image and p2m list larger than the domain's memory");
    }
    out = l;
    return {};
}

ImageError build_pv_domain(const BuildRequest& req)
{
    Domain& d = *req.domain;
    PvImage image;
    ImageError e = parse_pv_image(req.kernel, req.kernel_size, pv_supported_features(), image);
    if (!e.ok())
        return e;
    if (d.privileged && !(image.features_supported & (1u << xen::XENFEAT_dom0)))
        return fail(Status::NOT_SUPPORTED, "kernel does not declare dom0 support (XENFEAT_dom0)");
    PvLayout l;
    e = plan_pv_layout(image, req.initrd ? req.initrd_size : 0, req.nr_pages, d.privileged, l);
    if (!e.ok())
        return e;
    if (req.nr_pages / 512 + 1 > kMaxP2mFrames)
        return fail(Status::TOO_BIG, "domain too large for the builder (16 GiB at most)");
    if (frame_allocator().free_frames() < req.nr_pages + req.nr_pages / 512 + 2)
        return fail(Status::NO_MEMORY, "not enough free memory for the domain");

    // Frames: first the builder's p2m pages, then every guest page.
    g_p2m.nr_pages = req.nr_pages;
    g_p2m.nr_frames = (req.nr_pages + 511) / 512;
    for (uint64_t i = 0; i < g_p2m.nr_frames; ++i) {
        Result<Mfn> r = frame_allocator().alloc(kOwnerHypervisor);
        if (!r.ok()) {
            release_frames(d, 0, i);
            return fail(Status::NO_MEMORY, "out of memory building the domain");
        }
        g_p2m.frames[i] = r.value().raw;
    }
    for (uint64_t pfn = 0; pfn < req.nr_pages; ++pfn) {
        Result<Mfn> r = frame_allocator().alloc(d.id);
        if (!r.ok()) {
            release_frames(d, pfn, g_p2m.nr_frames);
            return fail(Status::NO_MEMORY, "out of memory building the domain");
        }
        *g_p2m.slot(pfn) = r.value().raw;
        // Scrubbed here: a frame never carries another domain's data.
        __builtin_memset(map_machine_memory(r.value().raw << 12), 0, 4096);
        platform().m2p_set(r.value().raw, pfn);
    }
    d.tot_pages = d.max_pages = req.nr_pages;

    // Kernel, initrd, p2m list.
    for (unsigned i = 0; i < image.segment_count; ++i) {
        const LoadSegment& s = image.segments[i];
        copy_to_window(l, s.vaddr, req.kernel + s.offset, s.filesz);
    }
    if (req.initrd && req.initrd_size)
        copy_to_window(l, l.initrd_start, req.initrd, req.initrd_size);
    for (uint64_t pfn = 0; pfn < req.nr_pages; pfn += 512) {
        uint64_t n = req.nr_pages - pfn < 512 ? req.nr_pages - pfn : 512;
        const auto* src = static_cast<const uint8_t*>(map_machine_memory(g_p2m.frames[pfn / 512] << 12));
        if (l.p2m_frames)  // apart: its frames follow the window
            __builtin_memcpy(page_of(l.p2m_pfn + pfn / 512), src, n * 8);
        else
            copy_to_window(l, l.p2m_start + pfn * 8, src, n * 8);
    }

    if (domain_give_shared_info(d) != Status::OK) {
        release_frames(d, req.nr_pages, g_p2m.nr_frames);
        return fail(Status::NO_MEMORY, "out of memory for shared_info");
    }
    Mfn si_frame(d.shared_info_maddr >> kPageShift);

    // A domU's console: the ring page in its window, and a port whose far
    // end is Vireo's console service.
    if (!d.privileged) {
        Result<uint32_t> port = evtchn_alloc_port(d);
        if (port.ok()) {
            d.ports[port.value()].state = PortState::INTERDOMAIN;
            d.ports[port.value()].remote_dom = kConsoleBackendDomain;
            d.ports[port.value()].remote_port = 0;
            guest_console_attach(d, g_p2m.mfn(l.pfn_of(l.console_page)) << 12, port.value());
        }
    }

    xen::start_info si;
    fill_start_info(d, req, l, si);
    copy_to_window(l, l.start_info, reinterpret_cast<const uint8_t*>(&si), sizeof si);

    if (image.hypercall_page)
        fill_hypercall_page(static_cast<uint8_t*>(page_of(l.pfn_of(image.hypercall_page))));

    BootstrapWindow w{l.v_start, l.v_end, l.pfn_of(l.pt_start), l.pt_frames};
    if (l.p2m_frames) {
        w.p2m_va = l.p2m_start;
        w.p2m_pfn = l.p2m_pfn;
        w.p2m_pages = page_align_up(l.p2m_end - l.p2m_start) >> 12;
    }
    BootstrapTarget t{mfn_of, &g_p2m, req.nr_pages, platform().map_machine, platform().fill_hypervisor_slots};
    uint64_t l4 = 0;
    if (write_bootstrap_tables(w, t, l4) != Status::OK) {
        (void)frame_allocator().free(si_frame, d.id);
        release_frames(d, req.nr_pages, g_p2m.nr_frames);
        return fail(Status::INVALID, "bootstrap page tables do not fit");
    }
    // The tables become page tables through the same rules a guest's own
    // tables pass: the L4 is validated (recursively), pinned, and held as
    // vCPU 0's base table.
    PageTableRules rules(d);
    Mfn l4_mfn(l4 >> kPageShift);
    if (frame_table().get_type(l4_mfn, PageType::L4, &rules) != Status::OK ||
        frame_table().get_type(l4_mfn, PageType::L4, &rules) != Status::OK) {
        (void)frame_allocator().free(si_frame, d.id);
        release_frames(d, req.nr_pages, g_p2m.nr_frames);
        return fail(Status::INVALID, "bootstrap page tables failed validation");
    }
    frame_table().get(l4_mfn)->flags |= kPagePinned;

    Vcpu& v = d.vcpus[0];
    d.nr_vcpus = req.nr_vcpus >= 1 && req.nr_vcpus <= kMaxVcpusPerDomain ? req.nr_vcpus : 1;
    v.regs = GuestRegs{};
    v.regs.rip = image.entry;
    v.regs.rsp = l.stack_start + 4096;
    v.regs.rsi = l.start_info;
    v.regs.cs = xen::FLAT_KERNEL_CS;
    v.regs.ss = xen::FLAT_KERNEL_SS;
    v.regs.rflags = 0x202;
    v.regs.vector = kSyscallVector;  // a clean first entry may use sysret
    v.kernel_cr3 = l4;
    v.in_kernel_mode = true;
    v.state = VcpuState::BLOCKED;  // woken below, once the domain runs
    v.initialised = true;
    // Xen starts every PV vCPU with a 100 Hz periodic timer (Linux stops it).
    v.timer_period_ns = kDefaultPeriodicTimerNs;
    v.timer_last_periodic_ns = platform().now_ns();

    // The p2m scratch pages are the builder's, not the domain's.
    for (uint64_t i = 0; i < g_p2m.nr_frames; ++i)
        (void)frame_allocator().free(Mfn(g_p2m.frames[i]), kOwnerHypervisor);

    VLOG_INFO("d%u: %s kernel, %lu pages, entry %lx, window %lx-%lx, start_info %lx, %lu table frames\n", d.id,
              image.guest_os[0] ? image.guest_os : "unnamed", req.nr_pages, image.entry, l.v_start, l.v_end,
              l.start_info, l.pt_frames);
    if (l.p2m_frames)
        VLOG_INFO("d%u: p2m list at %lx-%lx in pfns %lx-%lx (with its tables)\n", d.id, l.p2m_start, l.p2m_end,
                  l.p2m_pfn, l.p2m_pfn + l.p2m_frames);
    d.state = DomainState::RUNNING;
    update_wallclock(d);
    update_vcpu_time(v);
    vcpu_wake(v);  // joins the scheduler at the system virtual time
    return {};
}

}  // namespace vireo

#include "hv/arch/x86_64/memory_init.hpp"

#include "hv/arch/x86_64/kernel_unpack.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/arch/x86_64/panic.hpp"
#include "hv/arch/x86_64/paging.hpp"
#include "hv/arch/x86_64/pte.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/log.hpp"
#include "hv/core/machine_memory.hpp"

extern "C" char __image_start[], __image_end[];

namespace vireo::arch {
namespace {

MemoryMap g_map;
uint64_t g_m2p_entries = 0;
constexpr uint64_t kBootDirectMapEnd = 4ull << 30;  // what head.S mapped

uint64_t string_end(const char* s) { return virt_to_phys(s) + __builtin_strlen(s) + 1; }

void build_map(const BootInfo& info)
{
    for (unsigned i = 0; i < info.range_count; ++i)
        if (g_map.add(info.ranges[i].base, info.ranges[i].length, info.ranges[i].type) != Status::OK)
            VLOG_WARN("firmware memory range %lx+%lx ignored\n", info.ranges[i].base, info.ranges[i].length);
    // What dom0 is told: the firmware's map, and the interrupt
    // controllers' windows the hypervisor keeps, as Xen does: the default
    // I/O APIC page and the local APIC / MSI window (SDM Vol. 3, "Message
    // Address Register Format").
    machine_memory().firmware = g_map;
    (void)machine_memory().keep(0xfec00000, 0xfec01000);
    (void)machine_memory().keep(0xfee00000, 0xfef00000);
    // Kept for the hypervisor or still in use: real-mode memory and the BIOS
    // area, the image, the loader's info, the modules and their strings.
    (void)g_map.reserve(0, 0x100000);
    (void)g_map.reserve(virt_to_phys(__image_start), virt_to_phys(__image_end));
    (void)g_map.reserve(info.info_start, info.info_end);
    if (info.cmdline_full[0])
        (void)g_map.reserve(virt_to_phys(info.cmdline_full), string_end(info.cmdline_full));
    for (unsigned i = 0; i < info.module_count; ++i) {
        (void)g_map.reserve(info.modules[i].start, info.modules[i].end);
        (void)g_map.reserve(virt_to_phys(info.modules[i].cmdline), string_end(info.modules[i].cmdline));
    }
}

uint64_t alloc_table_frame() { return alloc_hypervisor_frame(); }

void map_m2p(uint64_t nr_frames)
{
    g_m2p_entries = nr_frames;
    uint64_t bytes = nr_frames * 8;
    for (uint64_t off = 0; off < bytes; off += 4096) {
        uint64_t frame = alloc_hypervisor_frame();
        if (!frame)
            panic("no memory for the machine-to-phys table");
        __builtin_memset(phys_to_virt(frame), 0xff, 4096);  // every entry INVALID
        if (map_hypervisor_page(kRwMachToPhysBase + off, frame, Pte::kWrite | Pte::kNx | Pte::kGlobal) !=
                Status::OK ||
            map_hypervisor_page(kRoMachToPhysBase + off, frame, Pte::kUser | Pte::kNx) != Status::OK)
            panic("cannot map the machine-to-phys table");
    }
}

}  // namespace

uint64_t alloc_hypervisor_frame()
{
    Result<Mfn> r = frame_allocator().alloc(kOwnerHypervisor);
    if (!r.ok())
        return 0;
    uint64_t paddr = r.value().raw << kPageShift;
    __builtin_memset(phys_to_virt(paddr), 0, 4096);
    return paddr;
}

void m2p_set(uint64_t mfn, uint64_t pfn)
{
    if (mfn < g_m2p_entries)
        reinterpret_cast<uint64_t*>(kRwMachToPhysBase)[mfn] = pfn;
}

uint64_t m2p_get(uint64_t mfn)
{
    return mfn < g_m2p_entries ? reinterpret_cast<uint64_t*>(kRwMachToPhysBase)[mfn] : ~uint64_t{0};
}

void memory_init(BootInfo& info)
{
    build_map(info);
    uint64_t ram_end = g_map.highest_ram_end();
    uint64_t nr_frames = ram_end >> kPageShift;
    if (nr_frames == 0)
        panic("the firmware memory map has no RAM");

    // The frame table comes straight from the map, below what the boot
    // page tables reach.
    uint64_t table_bytes = nr_frames * sizeof(PageInfo);
    uint64_t table_paddr = g_map.take(table_bytes, 4096, kBootDirectMapEnd);
    if (!table_paddr)
        panic("no memory for the frame table (%lu KiB)", table_bytes >> 10);
    frame_table().init(phys_to_virt<PageInfo>(table_paddr), nr_frames);
    unpack_kernel_modules(info, g_map, kBootDirectMapEnd);
    frame_allocator().init(frame_table(), g_map);
    uint64_t io_frames = mark_io_frames(frame_table(), machine_memory().firmware);

    uint64_t direct_end = g_map.highest_end();
    if (direct_end < kBootDirectMapEnd)
        direct_end = kBootDirectMapEnd;
    direct_end = (direct_end + (1ull << 30) - 1) & ~((1ull << 30) - 1);
    paging_init(direct_end, alloc_table_frame);
    map_m2p(nr_frames);

    VLOG_INFO("Memory: %lu MiB RAM, %lu MiB free, %lu frames, frame table at %lx\n", g_map.total_ram() >> 20,
              (frame_allocator().free_frames() * 4096) >> 20, nr_frames, table_paddr);
    VLOG_DEBUG("  %lu frames below the top of RAM are firmware's or devices' (DOMID_IO)\n", io_frames);
    for (unsigned i = 0; i < g_map.count(); ++i) {
        const MemRange& r = g_map.at(i);
        VLOG_DEBUG("  %016lx-%016lx type %u\n", r.base, r.end, static_cast<unsigned>(r.type));
    }
}

}  // namespace vireo::arch

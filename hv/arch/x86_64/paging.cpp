#include "hv/arch/x86_64/paging.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/arch/x86_64/panic.hpp"
#include "hv/arch/x86_64/pte.hpp"

extern "C" char __image_start[], __text_end[], __rodata_end[], __image_end[];

namespace vireo::arch {
namespace {

uint64_t g_idle_l4 = 0;
FrameSource g_alloc = nullptr;

uint64_t* table(uint64_t paddr) { return phys_to_virt<uint64_t>(paddr); }

// Walks to (and creates) the table one level below entry `e`.
Status next_table(uint64_t& e, uint64_t*& out)
{
    if (!Pte::present(e)) {
        uint64_t frame = g_alloc();
        if (!frame)
            return Status::NO_MEMORY;
        // User on every intermediate level: the leaf alone decides what
        // guests may reach (only the read-only M2P is theirs).
        e = frame | Pte::kPresent | Pte::kWrite | Pte::kUser;
    }
    if (e & Pte::kLarge)
        return Status::EXISTS;
    out = table(Pte::addr(e));
    return Status::OK;
}

Status map_4k(uint64_t l4, uint64_t va, uint64_t pa, uint64_t flags)
{
    uint64_t *l3, *l2, *l1;
    VIREO_TRY(next_table(table(l4)[l4_index(va)], l3));
    VIREO_TRY(next_table(l3[l3_index(va)], l2));
    VIREO_TRY(next_table(l2[l2_index(va)], l1));
    l1[l1_index(va)] = pa | flags | Pte::kPresent;
    return Status::OK;
}

bool cpu_has_1g_pages() { return cpuid(0x80000001).edx & (1u << 26); }

}  // namespace

uint64_t idle_l4() { return g_idle_l4; }

uint64_t paging_init(uint64_t direct_map_end, FrameSource alloc)
{
    g_alloc = alloc;
    uint64_t l4 = alloc();
    if (!l4)
        panic("no memory for the hypervisor's page tables");
    constexpr uint64_t kData = Pte::kWrite | Pte::kNx | Pte::kGlobal;

    // Every hypervisor slot gets its L3 now: guests share these L3s.
    for (unsigned slot = kFirstHypervisorSlot; slot <= kLastHypervisorSlot; ++slot) {
        uint64_t l3 = alloc();
        if (!l3)
            panic("no memory for the hypervisor's page tables");
        table(l4)[slot] = l3 | Pte::kPresent | Pte::kWrite | Pte::kUser;
    }

    // The direct map, with 1 GiB pages where the CPU has them.
    bool gig = cpu_has_1g_pages();
    for (uint64_t pa = 0; pa < direct_map_end;) {
        uint64_t va = kDirectMapBase + pa;
        uint64_t* l3 = table(Pte::addr(table(l4)[l4_index(va)]));
        if (gig) {
            l3[l3_index(va)] = pa | Pte::kPresent | Pte::kLarge | kData;
            pa += 1ull << 30;
            continue;
        }
        uint64_t* l2;
        if (next_table(l3[l3_index(va)], l2) != Status::OK)
            panic("no memory for the direct map");
        l2[l2_index(va)] = pa | Pte::kPresent | Pte::kLarge | kData;
        pa += 1ull << 21;
    }

    // The image, page by page: text RX, read-only data R, data and bss RW.
    for (auto va = reinterpret_cast<uint64_t>(__image_start); va < reinterpret_cast<uint64_t>(__image_end);
         va += 4096) {
        uint64_t flags = Pte::kGlobal;
        if (va >= reinterpret_cast<uint64_t>(__text_end))
            flags |= Pte::kNx;
        if (va >= reinterpret_cast<uint64_t>(__rodata_end))
            flags |= Pte::kWrite;
        if (map_4k(l4, va, va - kImageBase, flags) != Status::OK)
            panic("cannot map the hypervisor image");
    }

    uint64_t efer = Msr::read(Msr::kEfer);
    Msr::write(Msr::kEfer, efer | (1u << 11));  // NXE
    Cr::write4(Cr::read4() | Cr::kCr4Pge);
    Cr::write3(l4);
    g_idle_l4 = l4;
    return l4;
}

Status map_hypervisor_page(uint64_t va, uint64_t paddr, uint64_t flags)
{
    if (l4_index(va) < kFirstHypervisorSlot || l4_index(va) > kLastHypervisorSlot)
        return Status::INVALID;
    VIREO_TRY(map_4k(g_idle_l4, va, paddr, flags));
    invlpg(va);
    return Status::OK;
}

void copy_hypervisor_slots(uint64_t* guest_l4)
{
    const uint64_t* idle = table(g_idle_l4);
    for (unsigned slot = kFirstHypervisorSlot; slot <= kLastHypervisorSlot; ++slot)
        guest_l4[slot] = idle[slot];
}

}  // namespace vireo::arch

// Page tables for test kernels: the boot window the domain builder laid
// out, frame numbers (the P2M list in start_info, the read-only M2P), a
// scratch page that can be pointed at any frame, and the mmu_update,
// mmuext_op and update_va_mapping calls.
//
// The window follows Xen's start-of-day layout, which Vireo's builder
// copies: the kernel image, the P2M list, start_info, then the page tables
// from pt_base (the L4 first; the others come in a different order from
// each builder, so find them with entry_maddr), the boot stack, and
// padding up to v_end (a 4 MiB boundary with at least 512 KiB after the
// stack). Frames below window_pages are mapped there, the tables
// read-only; the rest of the reservation is mapped nowhere.
#pragma once

#include <stdint.h>

#include "abi/arch_x86_64.hpp"
#include "abi/mmu.hpp"
#include "abi/xen.hpp"

namespace guest {

inline constexpr uint64_t kPteP = 1, kPteRw = 2, kPteUser = 4, kPteA = 0x20, kPteD = 0x40, kPtePs = 0x80;
inline constexpr uint64_t kPteData = kPteP | kPteRw | kPteUser | kPteA | kPteD;  // a writable data page
inline constexpr uint64_t kPteRo = kPteP | kPteUser | kPteA;                      // read-only
inline constexpr uint64_t kVirtBase = 0xffffffff80000000;  // VIRT_BASE: pfn = (va - base) >> 12

struct BootWindow {
    uint64_t l4_va;         // pt_base
    uint64_t v_end;
    uint64_t window_pages;  // pfns below this are mapped in the window
    uint64_t nr_pages;
};

// Reads the layout from start_info (once, before the helpers below).
const BootWindow& mm_init(const xen::start_info* si);
const BootWindow& boot_window();

uint64_t pfn_to_mfn(uint64_t pfn);
void set_pfn_to_mfn(uint64_t pfn, uint64_t mfn);  // after memory_op changed a frame
uint64_t mfn_of_va(uint64_t va);  // a window address
uint64_t m2p(uint64_t mfn);       // through the read-only M2P
// The window address of one of our frames that the window maps.
uint64_t va_of_mfn(uint64_t mfn);
// A frame of ours beyond the window (mapped nowhere): n counts from 0.
uint64_t spare_mfn(unsigned n);
// A page of the padding after the boot stack (mapped writable, unused):
// n counts back from v_end, from 1. The scratch page is padding page 1.
uint64_t padding_va(unsigned n);
// The machine address of the entry for va at `level` (1..4), walking the
// tables through their read-only mappings in the window.
uint64_t entry_maddr(uint64_t va, unsigned level);

long mmu_update(uint64_t ptr, uint64_t val, uint16_t foreigndom = xen::DOMID_SELF);
long mmuext(uint32_t cmd, uint64_t arg1, uint64_t arg2 = 0);
long update_va(uint64_t va, uint64_t val, uint64_t flags = xen::UVMF_INVLPG);
long clear_frame(uint64_t mfn);  // MMUEXT_CLEAR_PAGE

// The scratch page: scratch_open maps `mfn` writable there (so it must not
// be a page table) and returns its contents; scratch_peek maps it
// read-only; scratch_close puts the padding frame back. r receives the
// update_va_mapping result; on failure the page is nullptr.
uint64_t* scratch_open(uint64_t mfn, long* r = nullptr);
const uint64_t* scratch_peek(uint64_t mfn, long* r = nullptr);
long scratch_close();
// Fills a frame through the scratch page: entries[i] at index[i], the rest
// zero. Leaves the frame mapped nowhere (so it can be pinned).
long fill_frame(uint64_t mfn, const unsigned* index, const uint64_t* entries, unsigned n);

}  // namespace guest

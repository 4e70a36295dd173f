// The initial page tables a PV domain starts on (Xen x86-64 PV ABI,
// "start-of-day memory layout"): a 1:1 window from v_start mapping the
// domain's pseudo-physical frames 0.., where frame (va - v_start) >> 12 is
// mapped at va, read-write, except the page-table frames themselves, which
// are mapped read-only. The tables live inside that window, L4 first, then
// the L3s, L2s and L1s: the order that lets Linux reclaim the upper three.
//
// A kernel with XEN_ELFNOTE_INIT_P2M gets its p2m list mapped apart, as
// Xen's builders map it: frames after the window, mapped read-write at the
// address it asked for, by L3s, L2s and L1s of their own that follow those
// frames and hang from the window's L4. start_info's first_p2m_pfn /
// nr_p2m_frames name the data and those tables together; nr_pt_frames
// counts only the window's tables.
#pragma once

#include <stdint.h>

#include "lib/status.hpp"

namespace vireo {

struct BootstrapWindow {
    uint64_t v_start;       // 4 KiB aligned, canonical, guest space
    uint64_t v_end;         // exclusive, 4 KiB aligned
    uint64_t pt_pfn;        // first page-table frame (pseudo-physical)
    uint64_t pt_frames;     // as bootstrap_table_count() says
    // The p2m list outside the window (p2m_va 0: none): p2m_pages frames
    // from p2m_pfn, mapped from p2m_va, and then their tables, in the frames
    // right after them, as p2m_table_count() says.
    uint64_t p2m_va = 0;
    uint64_t p2m_pfn = 0;
    uint64_t p2m_pages = 0;
};

struct TableCounts {
    uint64_t l4, l3, l2, l1;
    uint64_t total() const { return l4 + l3 + l2 + l1; }
};

// How many tables of each level map [v_start, v_end).
TableCounts bootstrap_table_count(uint64_t v_start, uint64_t v_end);

// How many L3s, L2s and L1s map `pages` frames from va (l4 is 0: the area
// shares the window's L4).
TableCounts p2m_table_count(uint64_t va, uint64_t pages);

// Machine access the writer needs: the frame behind a pfn, a hypervisor
// pointer to a machine frame, and the hypervisor's own L4 slots.
struct BootstrapTarget {
    uint64_t (*mfn_of)(const void* ctx, uint64_t pfn);  // the domain's p2m
    const void* ctx;
    uint64_t nr_pages;
    void* (*map_machine)(uint64_t maddr);
    void (*fill_hypervisor_slots)(uint64_t* l4);
};

// Writes the tables and returns the machine address of the L4. Fails with
// INVALID if the window or the p2m area is malformed, they share an L4
// slot, their frames overlap or exceed nr_pages.
Status write_bootstrap_tables(const BootstrapWindow& w, const BootstrapTarget& t, uint64_t& l4_maddr);

}  // namespace vireo

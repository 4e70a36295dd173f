// The initial page tables a PV domain starts on (Xen x86-64 PV ABI,
// "start-of-day memory layout"): a 1:1 window from v_start mapping the
// domain's pseudo-physical frames 0.., where frame (va - v_start) >> 12 is
// mapped at va, read-write, except the page-table frames themselves, which
// are mapped read-only. The tables live inside that window, L4 first, then
// the L3s, L2s and L1s: the order that lets Linux reclaim the upper three.
#pragma once

#include <stdint.h>

#include "lib/status.hpp"

namespace vireo {

struct BootstrapWindow {
    uint64_t v_start;       // 4 KiB aligned, canonical, guest space
    uint64_t v_end;         // exclusive, 4 KiB aligned
    uint64_t pt_pfn;        // first page-table frame (pseudo-physical)
    uint64_t pt_frames;     // as bootstrap_table_count() says
};

struct TableCounts {
    uint64_t l4, l3, l2, l1;
    uint64_t total() const { return l4 + l3 + l2 + l1; }
};

// How many tables of each level map [v_start, v_end).
TableCounts bootstrap_table_count(uint64_t v_start, uint64_t v_end);

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
// INVALID if the window is malformed or its frames exceed nr_pages.
Status write_bootstrap_tables(const BootstrapWindow& w, const BootstrapTarget& t, uint64_t& l4_maddr);

}  // namespace vireo

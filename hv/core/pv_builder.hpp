// The domain builder for PV kernels given as boot modules: lays out and
// fills the initial address space exactly as Xen's x86-64 PV ABI describes
// ("start-of-day memory layout" in xen.h):
//
//   v_start = VIRT_BASE                     pfn 0
//   [kernel segments]                       from the ELF (virt_kstart..virt_kend)
//   [initrd]                                mod_start / mod_len
//   [p2m list]                              nr_pages x 8 bytes: mfn_list
//   [start_info]
//   [xenstore page] [console page]          domU only
//   [bootstrap page tables]                 L4, L3s, L2s, L1s: mapped read-only
//   [boot stack]                            one page; RSP = its top
//   [padding]                               to a 4 MiB boundary, >= 512 KiB
//   v_end
//
// with pfn = (va - v_start) >> 12 for the whole window, RSI = start_info,
// CS/SS = FLAT_KERNEL_CS/SS, events masked in every vcpu_info.
//
// A kernel with XEN_ELFNOTE_INIT_P2M (Linux: 512 GiB) gets no p2m list in
// the window: as Xen's builders do, the list takes the frames right after
// v_end, mapped at the address the note names, followed by the L3s, L2s and
// L1s that map it; start_info.first_p2m_pfn / nr_p2m_frames name both.
// Linux then unmaps everything in the window past its image (it stops at
// the p2m list otherwise, leaving padding mapped writable and executable).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "hv/core/domain.hpp"
#include "hv/core/pv_image.hpp"

namespace vireo {

struct PvLayout {
    uint64_t v_start, v_end;
    uint64_t initrd_start, initrd_end;   // equal when there is none
    uint64_t p2m_start, p2m_end;         // virtual: mfn_list
    uint64_t p2m_pfn, p2m_frames;        // INIT_P2M only (else 0): the list's frames and its tables
    uint64_t start_info;
    uint64_t xenstore_page, console_page;  // 0 for dom0
    uint64_t pt_start;
    uint64_t pt_frames;
    uint64_t stack_start;                // RSP = stack_start + 4096
    uint64_t pfn_of(uint64_t va) const { return (va - v_start) >> 12; }
};

// Pure: the layout for an image, an initrd size and a domain size.
ImageError plan_pv_layout(const PvImage& image, uint64_t initrd_size, uint64_t nr_pages, bool is_dom0,
                          PvLayout& out);

struct BuildRequest {
    Domain* domain;
    const uint8_t* kernel;
    size_t kernel_size;
    const uint8_t* initrd;  // may be null
    size_t initrd_size;
    const char* cmdline;
    uint64_t nr_pages;
    unsigned nr_vcpus = 1;  // vCPU 0 starts; the others wait for VCPUOP_initialise/up
};

// Builds the domain's memory and vCPU 0. On failure everything allocated is
// given back and the message says what was wrong.
ImageError build_pv_domain(const BuildRequest& req);

// The XENFEAT bits Vireo honours for a PV guest (what a kernel may require).
uint32_t pv_supported_features();

}  // namespace vireo

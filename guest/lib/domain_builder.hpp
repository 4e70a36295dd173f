// A PV domain builder for a privileged test kernel: what Xen's
// libxenguest does for `xl create`, small. The new domain's start-of-day
// address space is the one xen.h describes and Xen's builders lay out:
//
//   VIRT_BASE                     pfn 0
//   [kernel]                      the ELF's PT_LOAD segments
//   [p2m list]                    nr_pages x 8 bytes: start_info.mfn_list
//   [start_info]                  RSI
//   [page tables]                 L4 (pt_base), L3s, L2s, L1s: mapped read-only
//   [boot stack]                  one page; RSP = its top
//   [padding]                     to a 4 MiB boundary, >= 512 KiB
//   v_end                         window_pages = (v_end - VIRT_BASE) >> 12
//
// All of it is written from dom0 through one page of dom0's own window
// that is pointed at the new domain's frames in turn (mmu_update with
// foreigndom), so the caller must have run mm_init. The domain is left
// paused with vCPU 0 ready; unpause_domain starts it.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace guest {

struct DomainSpec {
    const uint8_t* image;  // the ELF kernel
    size_t image_size;
    uint64_t nr_pages;
    const char* cmdline;
};

struct BuiltDomain {
    uint16_t domid;
    uint64_t nr_pages;
    uint64_t window_pages;
    uint64_t nr_pt_frames;
    uint64_t l4_mfn;
    uint64_t shared_info_mfn;
    uint64_t entry;
};

// rc is 0 or the failing call's -errno (-EINVAL for a bad image or
// layout); step names what failed. A failed build destroys what it made.
struct BuildResult {
    long rc;
    const char* step;
    bool ok() const { return rc == 0; }
};

inline constexpr uint64_t kMaxBuildPages = 16384;  // 64 MiB

BuildResult build_domain(const DomainSpec& spec, BuiltDomain& out);

}  // namespace guest

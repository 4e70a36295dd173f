// Reading a PV kernel image: an ELF64 x86-64 executable with Xen's ELF
// notes. Every field is untrusted; every failure says exactly what is wrong
// so the console can name the module and the problem.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/status.hpp"

namespace vireo {

inline constexpr unsigned kMaxLoadSegments = 16;

struct LoadSegment {
    uint64_t offset;  // in the file
    uint64_t filesz;
    uint64_t memsz;
    uint64_t vaddr;   // where the guest sees it (after VIRT_BASE/PADDR_OFFSET)
};

struct PvImage {
    uint64_t entry = 0;
    uint64_t virt_base = 0;
    uint64_t paddr_offset = 0;
    uint64_t virt_kstart = 0;     // lowest guest address of the kernel
    uint64_t virt_kend = 0;       // exclusive
    uint64_t hypercall_page = 0;  // 0: no HYPERCALL_PAGE note
    uint64_t init_p2m = 0;        // 0: p2m inside the bootstrap window
    bool mod_start_pfn = false;
    uint32_t features_required = 0;   // XENFEAT bits the kernel needs ('!')
    uint32_t features_supported = 0;  // bits it can use (FEATURES + SUPPORTED_FEATURES)
    char guest_os[32] = {};
    LoadSegment segments[kMaxLoadSegments];
    unsigned segment_count = 0;
};

struct ImageError {
    Status status = Status::OK;
    const char* what = nullptr;  // a static message; null when OK
    bool ok() const { return status == Status::OK; }
};

// Parses `data` (the whole module) into `out`. `supported_features` are the
// XENFEAT bits Vireo honours; a kernel that requires another is refused.
ImageError parse_pv_image(const uint8_t* data, size_t size, uint32_t supported_features, PvImage& out);

// Parses one XEN_ELFNOTE_FEATURES string ("a|!b|c") into bit masks; unknown
// names are ignored unless required (then the whole string is refused).
bool parse_feature_string(const char* s, size_t n, uint32_t& required, uint32_t& supported);

}  // namespace vireo

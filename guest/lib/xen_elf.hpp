// Reading a PV kernel for a domain builder running in dom0: an ELF64 image's
// PT_LOAD segments and the Xen ELF notes a builder honours (VIRT_BASE,
// PADDR_OFFSET, ENTRY, HYPERCALL_PAGE). The image came from a boot module,
// so every field is checked before it is used.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace guest {

inline constexpr unsigned kMaxElfSegments = 8;

struct ElfSegment {
    uint64_t offset;  // in the file
    uint64_t filesz;
    uint64_t memsz;
    uint64_t va;      // where the new domain sees it
};

struct XenElf {
    uint64_t virt_base = 0;
    uint64_t entry = 0;
    uint64_t hypercall_page = 0;  // 0: no HYPERCALL_PAGE note
    uint64_t kstart = 0, kend = 0;  // the image's extent, kend exclusive
    ElfSegment segments[kMaxElfSegments];
    unsigned segment_count = 0;
};

// Null on success, else a static message saying what is wrong.
const char* parse_xen_elf(const uint8_t* data, size_t size, XenElf& out);

}  // namespace guest

// The machine's physical memory map as firmware reports it (e820 types),
// normalized: sorted, non-overlapping, adjacent ranges of one type merged,
// where any non-RAM type beats RAM on overlap. Ranges the hypervisor keeps
// for itself (its image, boot modules, the first MiB) are carved out of RAM
// as RESERVED. Fixed capacity, no allocation.
#pragma once

#include <stdint.h>

#include "lib/status.hpp"

namespace vireo {

enum class MemType : uint32_t { RAM = 1, RESERVED = 2, ACPI = 3, NVS = 4, UNUSABLE = 5 };

struct MemRange {
    uint64_t base;
    uint64_t end;  // exclusive
    MemType type;
};

class MemoryMap {
public:
    static constexpr unsigned kCapacity = 128;

    // Adds a firmware range; unknown e820 types count as RESERVED.
    // Zero-length ranges are ignored; wrapping ones are INVALID.
    Status add(uint64_t base, uint64_t length, uint32_t e820_type);
    // Marks [base, end) as not RAM (rounded outward to pages).
    Status reserve(uint64_t base, uint64_t end);
    unsigned count() const { return m_count; }
    const MemRange& at(unsigned i) const { return m_ranges[i]; }
    uint64_t total_ram() const;
    uint64_t highest_ram_end() const;
    uint64_t highest_end() const;
    // Takes `bytes` of page-aligned RAM, aligned to `align`, from the highest
    // RAM below `limit`, and marks it RESERVED. 0 on failure.
    uint64_t take(uint64_t bytes, uint64_t align, uint64_t limit);

private:
    Status insert(uint64_t base, uint64_t end, MemType type);
    void normalize();

    MemRange m_ranges[kCapacity];
    unsigned m_count = 0;
};

}  // namespace vireo

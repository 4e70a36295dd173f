// x86-64 page-table entry bits (Intel SDM vol. 3A, 4.5, tables 4-14 to 4-20).
#pragma once

#include <stdint.h>

namespace vireo::arch {

struct Pte final {
    static constexpr uint64_t kPresent = 1ull << 0;
    static constexpr uint64_t kWrite = 1ull << 1;
    static constexpr uint64_t kUser = 1ull << 2;
    static constexpr uint64_t kPwt = 1ull << 3;
    static constexpr uint64_t kPcd = 1ull << 4;
    static constexpr uint64_t kAccessed = 1ull << 5;
    static constexpr uint64_t kDirty = 1ull << 6;
    static constexpr uint64_t kLarge = 1ull << 7;  // PS in L2/L3 entries
    static constexpr uint64_t kGlobal = 1ull << 8;
    static constexpr uint64_t kNx = 1ull << 63;
    static constexpr uint64_t kAddrMask = 0x000ffffffffff000ull;

    static constexpr uint64_t addr(uint64_t e) { return e & kAddrMask; }
    static constexpr bool present(uint64_t e) { return e & kPresent; }
};

constexpr unsigned l4_index(uint64_t va) { return (va >> 39) & 511; }
constexpr unsigned l3_index(uint64_t va) { return (va >> 30) & 511; }
constexpr unsigned l2_index(uint64_t va) { return (va >> 21) & 511; }
constexpr unsigned l1_index(uint64_t va) { return (va >> 12) & 511; }

}  // namespace vireo::arch

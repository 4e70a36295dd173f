// Strong types for numbers that are easy to mix up: machine and guest frame
// numbers, physical and virtual addresses, domain ids.
#pragma once

#include <stdint.h>
#include <stddef.h>

#include <compare>  // freestanding in C++20: operator<=> below

namespace vireo {

inline constexpr uint64_t kPageShift = 12;
inline constexpr uint64_t kPageSize = uint64_t{1} << kPageShift;
inline constexpr uint64_t kPageMask = ~(kPageSize - 1);

constexpr uint64_t page_align_up(uint64_t x) { return (x + kPageSize - 1) & kPageMask; }
constexpr uint64_t page_align_down(uint64_t x) { return x & kPageMask; }
constexpr uint64_t align_up(uint64_t x, uint64_t a) { return (x + a - 1) & ~(a - 1); }
// An x86-64 address with bits 63-47 all equal (48-bit virtual addresses).
constexpr bool canonical(uint64_t va) { return static_cast<uint64_t>(static_cast<int64_t>(va << 16) >> 16) == va; }

// A number that only converts explicitly, tagged by what it counts.
template <typename Tag, typename Rep = uint64_t>
struct Strong {
    Rep raw;
    constexpr Strong() : raw(0) {}
    constexpr explicit Strong(Rep r) : raw(r) {}
    constexpr auto operator<=>(const Strong&) const = default;
    constexpr Strong operator+(Rep n) const { return Strong(raw + n); }
    constexpr Strong operator-(Rep n) const { return Strong(raw - n); }
    constexpr Rep operator-(Strong o) const { return raw - o.raw; }
};

struct MfnTag {};
struct PfnTag {};
struct PaddrTag {};
struct VaddrTag {};
struct DomIdTag {};

using Mfn = Strong<MfnTag>;      // machine frame number
using Pfn = Strong<PfnTag>;      // guest pseudo-physical frame number
using Paddr = Strong<PaddrTag>;  // machine (host-physical) address
using Vaddr = Strong<VaddrTag>;  // virtual address
using DomId = Strong<DomIdTag, uint16_t>;

constexpr Paddr mfn_to_paddr(Mfn m) { return Paddr(m.raw << kPageShift); }
constexpr Mfn paddr_to_mfn(Paddr p) { return Mfn(p.raw >> kPageShift); }

inline constexpr Mfn kInvalidMfn{~uint64_t{0}};

}  // namespace vireo

// The legacy hypercall page: 128 stubs of 32 bytes, stub i making hypercall
// i with a 'syscall' (the x86-64 PV convention). Kernels that carry the
// HYPERCALL_PAGE ELF note call hypercall_page + 32 * i.
#pragma once

#include <stdint.h>

namespace vireo {

inline constexpr unsigned kHypercallStubSize = 32;
inline constexpr unsigned kHypercallStubs = 128;
inline constexpr unsigned kHypercallIret = 23;

void fill_hypercall_page(uint8_t* page);

}  // namespace vireo

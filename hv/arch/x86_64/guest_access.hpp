// Access to the current vCPU's guest virtual memory from the hypervisor.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "lib/status.hpp"

namespace vireo::arch {

bool guest_range_ok(uint64_t va, uint64_t n);
Status copy_from_guest(void* dst, uint64_t guest_va, size_t n);
Status copy_to_guest(uint64_t guest_va, const void* src, size_t n);

}  // namespace vireo::arch

// Xen's guest-handle range check (access_ok/array_access_ok on x86-64 PV):
// a guest array may not reach the hypervisor's half-slots or the
// non-canonical hole. It says nothing of whether the pages are mapped; the
// copies (platform().copy_*_guest) still fail with FAULT if they are not.
// Handlers use it where Xen does, so a bad handle gives Xen's answer.
#pragma once

#include <stdint.h>

#include "abi/arch_x86_64.hpp"

namespace vireo {

constexpr bool guest_address_ok(uint64_t va)
{
    return va < (uint64_t{1} << 47) || va >= xen::HYPERVISOR_VIRT_END;
}

// count elements of elem_size bytes from va.
constexpr bool guest_array_ok(uint64_t va, uint64_t count, uint64_t elem_size)
{
    return count < ~uint64_t{0} / elem_size && guest_address_ok(va);
}

}  // namespace vireo

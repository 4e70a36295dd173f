// Guest accesses for hosted tests whose "guest addresses" are host
// pointers: hypercall arguments live in the test's own variables.
#pragma once

#include <cstring>

#include "lib/status.hpp"

namespace vireo::test {

inline Status host_copy_from_guest(void* dst, uint64_t guest_va, size_t n)
{
    std::memcpy(dst, reinterpret_cast<const void*>(guest_va), n);
    return Status::OK;
}

inline Status host_copy_to_guest(uint64_t guest_va, const void* src, size_t n)
{
    std::memcpy(reinterpret_cast<void*>(guest_va), src, n);
    return Status::OK;
}

}  // namespace vireo::test

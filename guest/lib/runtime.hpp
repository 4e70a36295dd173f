// The test kernels' runtime: console output, checks, and the result line
// plus shutdown that the system tests read.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "abi/xen.hpp"
#include "guest/lib/hypercall.hpp"

namespace guest {

// Each test kernel defines this; returning ends the test with PASS (or FAIL
// if any check failed).
void kernel_main(const xen::start_info* si);
// The test's name, for the PASS/FAIL line.
extern const char* const kTestName;

[[gnu::format(printf, 1, 2)]] void print(const char* fmt, ...);
void console_write(const char* s, size_t n);
// Records a failed check (the test goes on, and ends with FAIL).
[[gnu::format(printf, 2, 3)]] void check(bool ok, const char* fmt, ...);
unsigned failures();
[[noreturn]] void shutdown(uint32_t reason);
// The start_info command line's value for key=..., or nullptr.
const char* cmdline_value(const xen::start_info* si, const char* key, char* buf, size_t size);
// The decimal number of key=N on the command line (digits up to the first
// other character), or fallback when the key is absent or empty.
uint64_t cmdline_uint(const xen::start_info* si, const char* key, uint64_t fallback);

}  // namespace guest

// Null-hypercall round trip: cycles per xen_version(XENVER_version), the
// cheapest hypercall on both Vireo and Xen, through the hypercall page (or a
// raw syscall in the -nopage build). Prints "cycles-per-hypercall N".
#include "abi/version.hpp"
#include "abi/xen.hpp"
#include "guest/lib/runtime.hpp"

using namespace guest;

const char* const guest::kTestName = "bench_hypercall";

namespace {
inline uint64_t rdtsc()
{
    uint32_t lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (uint64_t{hi} << 32) | lo;
}
}  // namespace

void guest::kernel_main(const xen::start_info*)
{
    constexpr int kWarmup = 1000, kRounds = 5, kCalls = 20000;
    for (int i = 0; i < kWarmup; ++i)
        hypercall(xen::HYPERVISOR_xen_version, xen::XENVER_version, 0);
    uint64_t best = ~uint64_t{0};
    for (int round = 0; round < kRounds; ++round) {
        uint64_t t0 = rdtsc();
        for (int i = 0; i < kCalls; ++i)
            hypercall(xen::HYPERVISOR_xen_version, xen::XENVER_version, 0);
        uint64_t per = (rdtsc() - t0) / kCalls;
        best = per < best ? per : best;
    }
    print("cycles-per-hypercall %lu\n", best);
}

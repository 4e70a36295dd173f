// dom0 of the weights scenario: domains 1-3 are CPU hogs with different
// BVT weights (mcu_advance). Measures the CPU time each gets over a few
// seconds (getdomaininfo), prints the shares beside what the weights
// promise, and checks them; then sets equal weights at run time and checks
// that the shares even out.
#include "guest/lib/domctl.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "bvt_weights";

namespace {

constexpr unsigned kHogs = 3;
constexpr uint64_t kMeasureNs = 3000000000ull;

// Per mille of the CPU time the hogs received together over the window.
void measure(unsigned share[kHogs])
{
    uint64_t before[kHogs], after[kHogs], total = 0;
    xen::xen_domctl_getdomaininfo info;
    for (unsigned i = 0; i < kHogs; ++i) {
        check(domain_info(static_cast<uint16_t>(i + 1), info), "getdomaininfo(d%u)", i + 1);
        before[i] = info.cpu_time;
    }
    sleep_ns(kMeasureNs);
    for (unsigned i = 0; i < kHogs; ++i) {
        check(domain_info(static_cast<uint16_t>(i + 1), info), "getdomaininfo(d%u)", i + 1);
        after[i] = info.cpu_time;
        total += after[i] - before[i];
    }
    for (unsigned i = 0; i < kHogs; ++i)
        share[i] = total ? static_cast<unsigned>((after[i] - before[i]) * 1000 / total) : 0;
    print("CPU time over %lu ms: %lu ms to the hogs\n", kMeasureNs / 1000000, total / 1000000);
}

// What BVT promises: shares in inverse proportion to mcu_advance.
void expected(unsigned share[kHogs])
{
    uint64_t inverse[kHogs], sum = 0;
    for (unsigned i = 0; i < kHogs; ++i) {
        xen::vireo_domctl_sched_bvt p;
        long r = bvt_get(static_cast<uint16_t>(i + 1), p);
        check(r == 0 && p.mcu_advance, "BVT parameters of d%u: %ld", i + 1, r);
        inverse[i] = 1000000 / (p.mcu_advance ? p.mcu_advance : 1);
        sum += inverse[i];
    }
    for (unsigned i = 0; i < kHogs; ++i)
        share[i] = static_cast<unsigned>(inverse[i] * 1000 / sum);
}

void compare(const char* phase)
{
    unsigned got[kHogs], want[kHogs];
    expected(want);
    measure(got);
    print("%s: shares %u.%u%% %u.%u%% %u.%u%%, weights promise %u.%u%% %u.%u%% %u.%u%%\n", phase, got[0] / 10,
          got[0] % 10, got[1] / 10, got[1] % 10, got[2] / 10, got[2] % 10, want[0] / 10, want[0] % 10,
          want[1] / 10, want[1] % 10, want[2] / 10, want[2] % 10);
    for (unsigned i = 0; i < kHogs; ++i) {
        unsigned diff = got[i] > want[i] ? got[i] - want[i] : want[i] - got[i];
        check(diff <= 40, "%s: d%u got %u per mille, expected %u", phase, i + 1, got[i], want[i]);
    }
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    sleep_ns(500000000ull);  // let the hogs start
    compare("weights as configured");

    xen::vireo_domctl_sched_bvt p{};
    p.mcu_advance = 10;
    for (unsigned i = 0; i < kHogs; ++i)
        check(bvt_set(static_cast<uint16_t>(i + 1), p) == 0, "setting d%u's weight", i + 1);
    p.mcu_advance = 0;
    long r = bvt_set(1, p);
    check(r == -22, "mcu_advance 0: %ld, expected -EINVAL", r);
    compare("equal weights set at run time");
}

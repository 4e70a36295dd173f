// dom0 of the latency scenario: four CPU hogs run beside it. It sleeps on
// its timer again and again and measures how late it runs after each
// deadline: first unwarped, then warped (its own BVT parameters set at run
// time), which must bring the lateness down to the timer path's own.
#include "guest/lib/domctl.hpp"
#include "guest/lib/runtime.hpp"
#include "guest/lib/time.hpp"

using namespace guest;

const char* const guest::kTestName = "bvt_latency";

namespace {

constexpr unsigned kRounds = 40;
constexpr uint64_t kSleepNs = 7000000;  // not a multiple of the hypervisor's tick

struct Lateness {
    uint64_t mean_us, max_us;
};

Lateness measure()
{
    uint64_t total = 0, worst = 0;
    for (unsigned i = 0; i < kRounds; ++i) {
        uint64_t deadline = system_time_ns() + kSleepNs;
        sleep_until(deadline);
        uint64_t late = system_time_ns() - deadline;
        total += late;
        worst = late > worst ? late : worst;
    }
    return {total / kRounds / 1000, worst / 1000};
}

}  // namespace

void guest::kernel_main(const xen::start_info* si)
{
    map_shared_info(si);
    sleep_ns(200000000ull);  // let the hogs start
    Lateness plain = measure();
    print("unwarped: woken %lu us late on average, %lu us at worst\n", plain.mean_us, plain.max_us);

    xen::vireo_domctl_sched_bvt p{};
    long r = bvt_get(xen::DOMID_SELF, p);
    check(r == 0, "reading our BVT parameters: %ld", r);
    p.warp_enabled = 1;
    p.warp = 100000000ull * p.mcu_advance;  // 100 ms of CPU time ahead
    p.warp_limit_ns = 2000000;              // at most 2 ms per warp
    p.unwarp_req_ns = 1000000;
    xen::vireo_domctl_sched_bvt unbounded = p;
    unbounded.warp_limit_ns = 0;
    r = bvt_set(xen::DOMID_SELF, unbounded);
    check(r == -22, "a warp without a limit: %ld, expected -EINVAL", r);
    r = bvt_set(xen::DOMID_SELF, p);
    check(r == 0, "warping ourselves: %ld", r);
    Lateness warped = measure();
    print("warped: woken %lu us late on average, %lu us at worst\n", warped.mean_us, warped.max_us);
    check(warped.mean_us * 2 < plain.mean_us, "warp did not cut the mean lateness (%lu us, unwarped %lu us)",
          warped.mean_us, plain.mean_us);
    check(warped.mean_us < 2000, "warped mean lateness %lu us", warped.mean_us);
}

#include "hv/arch/x86_64/tsc.hpp"

#include "hv/arch/x86_64/apic.hpp"
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/core/hot_path.hpp"
#include "hv/core/vcpu_time.hpp"

namespace vireo::arch {
namespace {

constexpr uint32_t kPitHz = 1193182;
constexpr uint32_t kCalibrateMs = 20;

uint64_t g_tsc_khz = 0;
uint64_t g_tsc_at_boot = 0;

// Runs PIT channel 2 in mode 0 for `ms` milliseconds with the speaker off
// and busy-waits on its output (port 0x61 bit 5), giving a fixed interval
// whatever the CPU's speed.
template <typename Fn>
void pit_interval(uint32_t ms, Fn&& during)
{
    uint32_t count = kPitHz * ms / 1000;
    uint8_t gate = Io::in8(0x61);
    Io::out8(0x61, (gate & ~0x02) | 0x01);  // gate on, speaker off
    Io::out8(0x43, 0xb0);                   // channel 2, lobyte/hibyte, mode 0
    Io::out8(0x42, count & 0xff);
    Io::out8(0x42, (count >> 8) & 0xff);
    during([] { return (Io::in8(0x61) & 0x20) != 0; });
    Io::out8(0x61, gate);
}

}  // namespace

TimeCalibration time_calibrate()
{
    uint64_t tsc_start = 0, tsc_end = 0;
    uint32_t apic_start = 0, apic_end = 0;
    apic_timer_oneshot(0xff, 0xffffffff);  // a long count-down, stopped below
    pit_interval(kCalibrateMs, [&](auto expired) {
        tsc_start = rdtsc();
        apic_start = apic_timer_current();
        while (!expired())
            cpu_relax();
        tsc_end = rdtsc();
        apic_end = apic_timer_current();
    });
    apic_timer_stop();
    g_tsc_khz = (tsc_end - tsc_start) / kCalibrateMs;
    g_tsc_at_boot = rdtsc();
    return {g_tsc_khz, (apic_start - apic_end) / kCalibrateMs};
}

uint64_t tsc_khz() { return g_tsc_khz; }

uint64_t tsc_at_boot() { return g_tsc_at_boot; }

// The guests' formula (see system_time_ns), so a deadline a guest computes
// from its vcpu_time_info is the hypervisor's deadline to the nanosecond.
VIREO_WARM uint64_t now_ns() { return system_time_ns(rdtsc()); }

}  // namespace vireo::arch

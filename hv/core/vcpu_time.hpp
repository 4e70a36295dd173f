// Guest time: system time (ns since boot) and the per-vCPU time info that
// lets a guest turn its TSC into system time without a hypercall, kept with
// Xen's version protocol (odd while being written). Plus the vCPU timers
// that raise VIRQ_TIMER.
#pragma once

#include "hv/core/domain.hpp"

namespace vireo {

inline constexpr uint64_t kDefaultPeriodicTimerNs = 10 * 1000 * 1000;

struct TscScale {
    uint32_t mul;   // ns = ((tsc_delta << shift) * mul) >> 32
    int8_t shift;   // (a right shift when negative)
};
TscScale tsc_scale_for(uint64_t tsc_hz);
uint64_t tsc_delta_to_ns(uint64_t delta, TscScale s);

// System time (ns since boot) at a TSC value, as guests compute it.
uint64_t system_time_ns(uint64_t tsc);

void update_vcpu_time(Vcpu& v);
// Sets the domain's wall clock (shared_info wc_*): the wall clock at
// system time 0, from the RTC at boot or as dom0 last set it.
void update_wallclock(Domain& d);
// dom0 sets the wall clock (platform_op settime): sec/nsec is the time at
// system time system_time_ns. Every domain's shared_info follows.
void set_wallclock(uint64_t sec, uint32_t nsec, uint64_t system_time_ns);
// v is put on a CPU: its time info is refreshed and a periodic tick that
// fell due while it was blocked is delivered.
void vcpu_scheduled_in(Vcpu& v, uint64_t now_ns);
// Fires every vCPU timer whose deadline has passed; returns the earliest
// deadline still armed (0 if none).
uint64_t expire_vcpu_timers(uint64_t now_ns);

}  // namespace vireo

#include "hv/core/vcpu_time.hpp"

#include "hv/core/hot_path.hpp"
#include "hv/core/vcpu_events.hpp"

#include "abi/xen.hpp"
#include "hv/core/event_channel.hpp"
#include "hv/core/platform.hpp"

namespace vireo {

TscScale tsc_scale_for(uint64_t tsc_hz)
{
    // Pick the shift that puts the multiplier in [2^31, 2^32).
    int shift = 0;
    uint64_t hz = tsc_hz ? tsc_hz : 1;
    while (hz > 2000000000ull) {
        hz >>= 1;
        --shift;
    }
    while (hz <= 1000000000ull) {
        hz <<= 1;
        ++shift;
    }
    uint64_t mul = (1000000000ull << 32) / hz;
    return {static_cast<uint32_t>(mul > 0xffffffffull ? 0xffffffffull : mul), static_cast<int8_t>(shift)};
}

uint64_t tsc_delta_to_ns(uint64_t delta, TscScale s)
{
    delta = s.shift >= 0 ? delta << s.shift : delta >> -s.shift;
    return static_cast<uint64_t>((static_cast<unsigned __int128>(delta) * s.mul) >> 32);
}

VIREO_WARM uint64_t system_time_ns(uint64_t tsc)
{
    const Platform& p = platform();
    if (!p.tsc_hz || tsc < p.tsc_at_zero)
        return 0;
    return tsc_delta_to_ns(tsc - p.tsc_at_zero, tsc_scale_for(p.tsc_hz));
}

VIREO_WARM void update_vcpu_time(Vcpu& v)
{
    auto* t = &static_cast<xen::vcpu_info*>(map_machine_memory(v.vcpu_info_maddr))->time;
    TscScale scale = tsc_scale_for(platform().tsc_hz);
    uint32_t version = t->version + 1;
    __atomic_store_n(&t->version, version | 1, __ATOMIC_SEQ_CST);  // odd: in progress
    uint64_t tsc = platform().read_tsc();
    t->tsc_timestamp = tsc;
    t->system_time = system_time_ns(tsc);
    t->tsc_to_system_mul = scale.mul;
    t->tsc_shift = scale.shift;
    t->flags = 0;
    __atomic_store_n(&t->version, (version | 1) + 1, __ATOMIC_SEQ_CST);
}

namespace {
// The wall clock at system time 0, once dom0 has set it (settime).
bool g_wallclock_set = false;
uint64_t g_wallclock_sec = 0;
uint32_t g_wallclock_nsec = 0;
}  // namespace

void update_wallclock(Domain& d)
{
    auto* s = static_cast<xen::shared_info*>(map_machine_memory(d.shared_info_maddr));
    uint64_t sec = g_wallclock_set ? g_wallclock_sec : platform().boot_wallclock_sec;
    uint32_t nsec = g_wallclock_set ? g_wallclock_nsec : 0;
    __atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_SEQ_CST);
    s->wc_sec = static_cast<uint32_t>(sec);
    s->wc_sec_hi = static_cast<uint32_t>(sec >> 32);
    s->wc_nsec = nsec;
    __atomic_store_n(&s->wc_version, s->wc_version + 1, __ATOMIC_SEQ_CST);
}

void set_wallclock(uint64_t sec, uint32_t nsec, uint64_t system_time_ns)
{
    // As Xen's do_settime: the time given is the wall clock at
    // system_time_ns; keep the wall clock at system time 0.
    constexpr uint64_t kNsPerSec = 1000000000;
    uint64_t ns = sec * kNsPerSec + nsec;
    ns = ns > system_time_ns ? ns - system_time_ns : 0;
    g_wallclock_sec = ns / kNsPerSec;
    g_wallclock_nsec = static_cast<uint32_t>(ns % kNsPerSec);
    g_wallclock_set = true;
    for (unsigned i = 0; i < kMaxDomains; ++i) {
        Domain* d = domain_at(i);
        if (domain_is_live(*d) && d->shared_info_maddr)
            update_wallclock(*d);
    }
}

namespace {

void fire_periodic_if_due(Vcpu& v, uint64_t now)
{
    if (!v.timer_period_ns || v.timer_last_periodic_ns + v.timer_period_ns > now)
        return;
    v.timer_last_periodic_ns = now;
    send_virq(v, xen::VIRQ_TIMER);
}

}  // namespace

void vcpu_scheduled_in(Vcpu& v, uint64_t now)
{
    update_vcpu_time(v);
    fire_periodic_if_due(v, now);
}

VIREO_WARM uint64_t expire_vcpu_timers(uint64_t now)
{
    uint64_t earliest = 0;
    auto arm = [&](uint64_t t) {
        if (t && (!earliest || t < earliest))
            earliest = t;
    };
    for_each_running_vcpu([&](Vcpu& v) {
        if (v.timer_deadline_ns && v.timer_deadline_ns <= now) {
            v.timer_deadline_ns = 0;
            send_virq(v, xen::VIRQ_TIMER);
        }
        arm(v.timer_deadline_ns);
        if (v.polling && v.poll_deadline_ns) {
            if (v.poll_deadline_ns <= now)
                vcpu_wake(v);  // the poll timed out
            else
                arm(v.poll_deadline_ns);
        }
        // As on Xen, the periodic timer ticks only while the vCPU is
        // runnable: it never wakes a blocked one (vcpu_scheduled_in
        // catches up when it runs again).
        if (v.state != VcpuState::RUNNABLE)
            return;
        fire_periodic_if_due(v, now);
        arm(v.timer_period_ns ? v.timer_last_periodic_ns + v.timer_period_ns : 0);
    });
    return earliest;
}

}  // namespace vireo

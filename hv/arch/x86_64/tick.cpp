#include "hv/arch/x86_64/tick.hpp"

#include "hv/arch/x86_64/apic.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/traps.hpp"
#include "hv/arch/x86_64/tsc.hpp"
#include "hv/core/console.hpp"
#include "hv/core/guest_console.hpp"
#include "hv/core/vcpu_time.hpp"
#include "hv/drivers/uart16550.hpp"

namespace vireo::arch {
namespace {

uint64_t g_apic_timer_khz = 0;
uint64_t g_poll_period_ns = 0;
// PerCpu::armed_ns says when this CPU's timer is due to fire (0: not
// armed). Re-arming restarts the count-down, so it is only moved earlier,
// never later: a guest that yields in a tight loop must not keep pushing
// the tick away.

// Arms the one-shot APIC timer for `deadline` unless it is armed for
// earlier already.
void arm_by(uint64_t deadline, uint64_t now)
{
    // Armed for earlier already: keep it, even when that moment has passed
    // by the TSC (the APIC timer may run a hair behind it; re-arming then
    // would push the interrupt away for ever in a guest's yield loop).
    uint64_t& armed = this_cpu()->armed_ns;
    if (armed && armed <= deadline)
        return;
    armed = deadline;
    uint64_t ns = deadline > now ? deadline - now : 0;
    uint64_t ticks = ns * g_apic_timer_khz / 1000000;
    if (ticks == 0)
        ticks = 1;
    apic_timer_oneshot(kLapicTimerVector, ticks > 0xffffffff ? 0xffffffff : static_cast<uint32_t>(ticks));
}

// Arms the timer for the earliest of: the next console poll, the end of
// the running vCPU's slice, the earliest vCPU timer. Firing vCPU timers
// that are due happens here too, so a timer set in the past fires at once.
void reprogram(uint64_t now)
{
    uint64_t deadline = now + g_poll_period_ns;
    uint64_t next_vcpu_timer = expire_vcpu_timers(now);
    if (next_vcpu_timer && next_vcpu_timer < deadline)
        deadline = next_vcpu_timer;
    uint64_t slice_end = this_cpu()->slice_end_ns;
    if (slice_end > now && slice_end < deadline)
        deadline = slice_end;
    arm_by(deadline, now);
}

void on_tick(TrapFrame*)
{
    PerCpu* pc = this_cpu();
    if (pc->cpu_index == 0) {  // the serial line and consoles: CPU 0's job
        for (int c; (c = com1().try_get_char()) >= 0;)
            console_input_char(static_cast<char>(c));
        guest_console_poll();
    }
    uint64_t now = now_ns();
    pc->armed_ns = 0;
    if (pc->slice_end_ns && now >= pc->slice_end_ns)
        pc->need_resched = true;
    reprogram(now);
    apic_eoi();
}

void on_spurious(TrapFrame*) {}

}  // namespace

void tick_init(uint64_t apic_timer_khz, unsigned poll_hz)
{
    g_apic_timer_khz = apic_timer_khz;
    g_poll_period_ns = 1000000000ull / poll_hz;
    set_interrupt_handler(kLapicTimerVector, on_tick);
    set_interrupt_handler(kSpuriousVector, on_spurious);
    reprogram(now_ns());
}

void tick_init_ap() { reprogram(now_ns()); }

void timer_reprogram() { reprogram(now_ns()); }

void timer_arm_by(uint64_t deadline_ns) { arm_by(deadline_ns, now_ns()); }

void timer_arm_slice_end()
{
    uint64_t now = now_ns(), slice_end = this_cpu()->slice_end_ns;
    if (slice_end > now)
        arm_by(slice_end, now);
}

}  // namespace vireo::arch

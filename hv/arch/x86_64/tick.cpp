#include "hv/arch/x86_64/tick.hpp"

#include "hv/arch/x86_64/apic.hpp"
#include "hv/arch/x86_64/traps.hpp"
#include "hv/core/console.hpp"
#include "hv/drivers/uart16550.hpp"

namespace vireo::arch {
namespace {

uint32_t g_ticks_per_period = 0;

void on_tick(TrapFrame*)
{
    for (int c; (c = com1().try_get_char()) >= 0;)
        console_input_char(static_cast<char>(c));
    apic_timer_oneshot(kLapicTimerVector, g_ticks_per_period);
    apic_eoi();
}

void on_spurious(TrapFrame*) {}

}  // namespace

void tick_init(uint64_t apic_timer_khz, unsigned hz)
{
    uint64_t ticks = apic_timer_khz * 1000 / hz;
    g_ticks_per_period = ticks > 0xffffffff ? 0xffffffff : static_cast<uint32_t>(ticks);
    set_interrupt_handler(kLapicTimerVector, on_tick);
    set_interrupt_handler(kSpuriousVector, on_spurious);
    apic_timer_oneshot(kLapicTimerVector, g_ticks_per_period);
}

}  // namespace vireo::arch

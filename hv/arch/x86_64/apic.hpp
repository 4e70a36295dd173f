// The local APIC, in x2APIC mode where the CPU has it (MSR access), else
// xAPIC through an uncached mapping of its MMIO page.
#pragma once

#include <stdint.h>

namespace vireo::arch {

void apic_init_cpu();
bool apic_is_x2apic();
uint32_t apic_id();
void apic_eoi();
// One-shot timer: fire `vector` after `ticks` APIC timer ticks (divide 1).
void apic_timer_oneshot(uint8_t vector, uint32_t ticks);
uint32_t apic_timer_current();
void apic_timer_stop();
void apic_send_ipi(uint32_t dest_apic_id, uint8_t vector);
// Start-up of another CPU: INIT, then STARTUP at page `vector` (x 4 KiB).
void apic_send_init(uint32_t dest_apic_id);
void apic_send_startup(uint32_t dest_apic_id, uint8_t page);

}  // namespace vireo::arch

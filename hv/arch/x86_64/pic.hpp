// The legacy 8259 PICs. The BIOS leaves them delivering IRQ 0-7 on vectors
// 8-15, which collide with CPU exceptions (the PIT's tick would arrive as a
// "double fault"): Vireo moves them out of the way and masks them; the
// local APIC does the real work.
#pragma once

namespace vireo::arch {

void pic_disable();

}  // namespace vireo::arch

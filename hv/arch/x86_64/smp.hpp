// Bringing up the other CPUs the firmware lists (ACPI MADT): each is woken
// with INIT-SIPI-SIPI into the real-mode trampoline (boot/ap_trampoline.S),
// sets itself up like the boot CPU (GDT, TSS, IDT, syscall, APIC, timer,
// FPU, protections) and joins the scheduler.
#pragma once

namespace vireo::arch {

// Starts every other CPU (at most kMaxCpus in all); returns how many run.
unsigned smp_boot();

}  // namespace vireo::arch

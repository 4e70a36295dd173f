// The interrupt descriptor table, shared by all CPUs.
#pragma once

namespace vireo::arch {

void idt_init();       // builds the table once
void idt_load();       // loads it on this CPU
void syscall_init_cpu();  // STAR/LSTAR/SFMASK for guest syscalls on this CPU

}  // namespace vireo::arch

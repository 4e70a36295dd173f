// Starting the domains given as boot modules: module 1 is dom0's kernel
// ("path args" as with Xen: the args become its command line), module 2 its
// initrd.
#pragma once

#include "hv/arch/x86_64/multiboot.hpp"
#include "hv/core/cmdline.hpp"

namespace vireo::arch {

// Returns how many domains were started.
unsigned build_boot_domains(const BootInfo& info, const HypervisorOptions& opts);
// Builds a boot-time domU again from its configuration line (after it
// asked to reboot and was taken apart). False if it cannot be rebuilt.
bool restart_boot_domain(uint16_t id);
// Whether boot module `number` (1-based) is a configured domU's kernel or
// ramdisk, needed again whenever that domain restarts.
bool module_needed_for_restart(unsigned number);

}  // namespace vireo::arch

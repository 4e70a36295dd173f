// Starting the domains given as boot modules: module 1 is dom0's kernel
// ("path args" as with Xen: the args become its command line), module 2 its
// initrd.
#pragma once

#include "hv/arch/x86_64/multiboot.hpp"
#include "hv/core/cmdline.hpp"

namespace vireo::arch {

// Returns how many domains were started.
unsigned build_boot_domains(const BootInfo& info, const HypervisorOptions& opts);

}  // namespace vireo::arch

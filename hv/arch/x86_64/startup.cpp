// The start-up sequence after the boot CPU is in long mode.
#include "hv/arch/x86_64/machine.hpp"
#include "hv/core/log.hpp"

void boot_main(uint32_t magic, uint32_t info_paddr)
{
    VLOG_INFO("Vireo hypervisor starting (boot magic %08x, info at %08x)\n", magic, info_paddr);
    vireo::arch::machine_power_off(0);
}


// arch_boot: the first C++ code. Brings the boot CPU up, then hands over to
// the portable start-up sequence.
#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/gdt.hpp"
#include "hv/arch/x86_64/idt.hpp"
#include "hv/arch/x86_64/machine.hpp"
#include "hv/arch/x86_64/panic.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/pic.hpp"
#include "hv/core/log.hpp"
#include "hv/drivers/uart16550.hpp"

extern "C" uint64_t __clac_sites_start[], __clac_sites_end[];
extern "C" void (*__init_array_start[])(), (*__init_array_end[])();

namespace vireo::arch {
namespace {

bool cpu_has_smap() { return cpuid(7).ebx & (1u << 20); }
bool cpu_has_smep() { return cpuid(7).ebx & (1u << 7); }

// On CPUs without SMAP, clac is #UD: turn every recorded site into a 3-byte
// NOP. The image text is still writable this early.
void patch_clac_sites()
{
    if (cpu_has_smap())
        return;
    for (uint64_t* site = __clac_sites_start; site < __clac_sites_end; ++site) {
        auto* insn = reinterpret_cast<uint8_t*>(*site);
        insn[0] = 0x0f, insn[1] = 0x1f, insn[2] = 0x00;
    }
}

}  // namespace

void cpu_protect_features()
{
    uint64_t cr4 = Cr::read4();
    if (cpu_has_smep())
        cr4 |= Cr::kCr4Smep;
    if (cpu_has_smap())
        cr4 |= Cr::kCr4Smap;
    Cr::write4(cr4);
    Cr::write0(Cr::read0() | Cr::kCr0Wp);
}

}  // namespace vireo::arch

void boot_main(uint32_t magic, uint32_t info_paddr);

extern "C" [[noreturn]] void arch_boot(uint32_t magic, uint32_t info_paddr)
{
    using namespace vireo;
    using namespace vireo::arch;
    PerCpu& bsp = cpu_data(0);
    Msr::write(Msr::kGsBase, reinterpret_cast<uint64_t>(&bsp));
    Msr::write(Msr::kKernelGsBase, 0);
    com1().init(Uart16550::kCom1, 115200);
    log_set_sink(&com1());
    patch_clac_sites();
    pic_disable();
    for (auto** ctor = __init_array_start; ctor < __init_array_end; ++ctor)
        (*ctor)();
    gdt_init_cpu(0);
    idt_init();
    idt_load();
    syscall_init_cpu();
    boot_main(magic, info_paddr);
    panic("boot_main returned");
}

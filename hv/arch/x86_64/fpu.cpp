#include "hv/arch/x86_64/fpu.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/core/domain.hpp"

namespace vireo::arch {
namespace {
constexpr uint64_t kCr0Mp = 1u << 1, kCr0Em = 1u << 2, kCr0Ne = 1u << 5;
}

void fpu_init_cpu()
{
    Cr::write0((Cr::read0() & ~kCr0Em) | kCr0Mp | kCr0Ne);
    Cr::write4(Cr::read4() | Cr::kCr4Osfxsr | Cr::kCr4Osxmmexcpt);
    asm volatile("fninit");
}

// The registers of this CPU hold v's state (v may have run elsewhere since).
bool holds(const PerCpu* pc, const Vcpu& v) { return pc->fpu_vcpu == &v && v.fpu_cpu_plus1 == pc->cpu_index + 1; }

void fpu_switch_out(Vcpu& v)
{
    PerCpu* pc = this_cpu();
    if (!holds(pc, v))
        return;
    // The guest may have left TS set: FXSAVE would fault on it.
    Cr::write0(Cr::read0() & ~Cr::kCr0Ts);
    asm volatile("fxsave64 %0" : "=m"(v.fpu_state));
}

void fpu_switch_in(Vcpu& v)
{
    PerCpu* pc = this_cpu();
    uint64_t cr0 = Cr::read0() & ~Cr::kCr0Ts;
    Cr::write0(cr0);
    if (!holds(pc, v)) {
        asm volatile("fxrstor64 %0" : : "m"(v.fpu_state));
        pc->fpu_vcpu = &v;
        v.fpu_cpu_plus1 = pc->cpu_index + 1;
    }
    if (v.fpu_ts)
        Cr::write0(cr0 | Cr::kCr0Ts);
}

}  // namespace vireo::arch

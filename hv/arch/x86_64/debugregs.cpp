#include "hv/arch/x86_64/debugregs.hpp"

#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/run.hpp"
#include "hv/core/debugreg.hpp"
#include "hv/core/log.hpp"

namespace vireo::arch {
namespace {

#define VIREO_WRITE_DR(n, value) asm volatile("mov %0, %%db" #n : : "r"(uint64_t{value}))

uint64_t read_dr6()
{
    uint64_t v;
    asm volatile("mov %%db6, %0" : "=r"(v));
    return v;
}

}  // namespace

void debugregs_switch_in(const Vcpu& v)
{
    PerCpu* pc = this_cpu();
    if (debugregs_armed(v)) {
        VIREO_WRITE_DR(7, 0);  // no half-loaded set can fire
        VIREO_WRITE_DR(0, v.debugreg[0]);
        VIREO_WRITE_DR(1, v.debugreg[1]);
        VIREO_WRITE_DR(2, v.debugreg[2]);
        VIREO_WRITE_DR(3, v.debugreg[3]);
        VIREO_WRITE_DR(7, v.debugreg[7]);
        pc->debugregs_live = true;
    } else if (pc->debugregs_live) {
        VIREO_WRITE_DR(7, 0);
        pc->debugregs_live = false;
    }
}

bool debug_exception(TrapFrame* frame)
{
    uint64_t dr6 = read_dr6();
    VIREO_WRITE_DR(6, kDr6Default);
    Vcpu* v = current_vcpu();
    if (frame->from_guest() && v) {
        debugreg_record_dr6(*v, dr6);
        return true;
    }
    VLOG_DEBUG("#DB in the hypervisor at %016lx (dr6 %lx): a guest breakpoint, ignored\n", frame->rip, dr6);
    return false;
}

}  // namespace vireo::arch

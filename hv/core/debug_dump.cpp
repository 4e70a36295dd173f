// Debug keys that dump the hypervisor's state on the console.
#include "hv/core/debug_dump.hpp"

#include "hv/core/console.hpp"
#include "hv/core/domain.hpp"
#include "hv/core/log.hpp"

namespace vireo {
namespace {

const char* state_name(DomainState s)
{
    switch (s) {
    case DomainState::FREE: return "free";
    case DomainState::BUILDING: return "building";
    case DomainState::RUNNING: return "running";
    case DomainState::SHUT_DOWN: return "shut down";
    case DomainState::DEAD: return "dead";
    }
    return "?";
}

const char* vcpu_state_name(VcpuState s)
{
    switch (s) {
    case VcpuState::DOWN: return "down";
    case VcpuState::RUNNABLE: return "runnable";
    case VcpuState::BLOCKED: return "blocked";
    }
    return "?";
}

}  // namespace

void dump_domains()
{
    log(LogLevel::ERROR, "'d' pressed: domains and vCPUs\n");
    for (unsigned s = 0; s < kMaxDomains; ++s) {
        Domain* d = domain_at(s);
        if (d->state == DomainState::FREE)
            continue;
        log(LogLevel::ERROR, "Domain %u (%s): %s%s, pages %lu/%lu, %u vCPUs, vm_assist %#lx\n", d->id, d->name,
            state_name(d->state), d->privileged ? ", privileged" : "", d->tot_pages, d->max_pages, d->nr_vcpus,
            d->vm_assist);
        if (d->state == DomainState::SHUT_DOWN)
            log(LogLevel::ERROR, "  shutdown reason %s, code %u\n", shutdown_reason_name(d->shutdown_reason),
                d->shutdown_code);
        for (unsigned i = 0; i < d->nr_vcpus; ++i) {
            const Vcpu& v = d->vcpus[i];
            log(LogLevel::ERROR, "  vCPU %u: %s, %s mode, rip %016lx rsp %016lx rflags %08lx cr3 %lx\n", v.id,
                vcpu_state_name(v.state), v.in_kernel_mode ? "kernel" : "user", v.regs.rip, v.regs.rsp,
                v.regs.rflags, v.in_kernel_mode ? v.kernel_cr3 : v.user_cr3);
        }
    }
}

void debug_dump_register_keys() { console_register_key('d', "dump domains and vCPUs", dump_domains); }

}  // namespace vireo

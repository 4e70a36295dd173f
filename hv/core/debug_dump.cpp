// Debug keys that dump the hypervisor's state on the console.
#include "hv/core/debug_dump.hpp"

#include "hv/core/console.hpp"
#include "hv/core/domain.hpp"
#include "hv/core/log.hpp"
#include "hv/core/physical_irq.hpp"
#include "hv/core/platform.hpp"
#include "hv/core/scheduler.hpp"
#include "abi/xen.hpp"

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
    case DomainState::DYING: return "dying";
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
        log(LogLevel::ERROR, "Domain %u (%s): %s%s%s, pages %lu/%lu, %u vCPUs, vm_assist %lx\n", d->id, d->name,
            state_name(d->state), d->controller_pause_count ? ", paused" : "", d->privileged ? ", privileged" : "",
            d->tot_pages, d->max_pages, d->nr_vcpus, d->vm_assist);
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

namespace {

const char* port_state_name(PortState s)
{
    switch (s) {
    case PortState::FREE: return "free";
    case PortState::RESERVED: return "reserved";
    case PortState::UNBOUND: return "unbound";
    case PortState::INTERDOMAIN: return "interdomain";
    case PortState::VIRQ: return "virq";
    case PortState::IPI: return "ipi";
    case PortState::PIRQ: return "pirq";
    }
    return "?";
}

bool bit(const uint64_t* words, uint32_t port) { return words[port / 64] & (uint64_t{1} << (port % 64)); }

// Like Xen's 'e': every bound port with its pending and mask bits.
void dump_event_channels()
{
    log(LogLevel::ERROR, "'e' pressed: event channels\n");
    for (unsigned s = 0; s < kMaxDomains; ++s) {
        Domain* d = domain_at(s);
        if (!domain_is_live(*d) || !d->shared_info_maddr)
            continue;
        auto* info = static_cast<const xen::shared_info*>(map_machine_memory(d->shared_info_maddr));
        log(LogLevel::ERROR, "Domain %u (%s) event channels:\n", d->id, d->name);
        for (uint32_t port = 1; port < kMaxEventPorts; ++port) {
            const EventPort& p = d->ports[port];
            if (p.state == PortState::FREE)
                continue;
            log(LogLevel::ERROR, "  port %4u: %-11s vcpu %u pending %d masked %d", port, port_state_name(p.state),
                p.vcpu, bit(info->evtchn_pending, port), bit(info->evtchn_mask, port));
            if (p.state == PortState::INTERDOMAIN)
                log(LogLevel::ERROR, " -> d%u port %u\n", p.remote_dom, p.remote_port);
            else if (p.state == PortState::UNBOUND)
                log(LogLevel::ERROR, " for d%u\n", p.remote_dom);
            else if (p.state == PortState::VIRQ)
                log(LogLevel::ERROR, " virq %u\n", p.virq);
            else if (p.state == PortState::PIRQ)
                log(LogLevel::ERROR, " pirq %u\n", p.pirq);
            else
                log(LogLevel::ERROR, "\n");
        }
    }
}

// Like Xen's 'r': the scheduler's view of every vCPU.
void dump_run_queue()
{
    log(LogLevel::ERROR, "'r' pressed: BVT scheduler (context-switch allowance %lu us)\n",
        scheduler_ctx_allow() / 1000);
    for (unsigned s = 0; s < kMaxDomains; ++s) {
        Domain* d = domain_at(s);
        if (!domain_is_live(*d))
            continue;
        log(LogLevel::ERROR, "Domain %u (%s): mcu_advance %u, warp %s (%lu, limit %lu us, unwarp %lu us)\n", d->id,
            d->name, mcu_advance(*d), d->bvt.warp_enabled ? "on" : "off", d->bvt.warp, d->bvt.warp_limit_ns / 1000,
            d->bvt.unwarp_req_ns / 1000);
        for (unsigned i = 0; i < d->nr_vcpus; ++i) {
            const Vcpu& v = d->vcpus[i];
            log(LogLevel::ERROR, "  vCPU %u: %s, avt %lu%s, cpu time %lu ms, %lu times on a CPU\n", v.id,
                vcpu_state_name(v.state), v.bvt.avt, v.bvt.warped ? " (warped)" : "", v.bvt.cpu_time_ns / 1000000,
                v.bvt.switches_in);
        }
    }
}

}  // namespace

void debug_dump_register_keys()
{
    console_register_key('d', "dump domains and vCPUs", dump_domains);
    console_register_key('e', "dump event channels", dump_event_channels);
    console_register_key('i', "dump physical interrupts (dom0's devices)", dump_irq_sources);
    console_register_key('r', "dump the scheduler's run queue", dump_run_queue);
}

}  // namespace vireo

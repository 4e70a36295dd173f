// Domains and their vCPUs: the objects every mechanism hangs off.
//
// A domain is created BUILDING, becomes RUNNING when its builder finishes,
// SHUT_DOWN when it asks to stop (the reason is kept for the toolstack or,
// for dom0, for the machine's exit status), and DEAD when its resources are
// released. One dom0's toolstack creates (domain_control.hpp) is RUNNING at
// once but paused, and goes DYING, then DEAD, when dom0 destroys it.
// Domains live in a fixed table; no allocation.
#pragma once

#include <stdint.h>

#include "abi/vcpu.hpp"
#include "hv/core/guest_regs.hpp"
#include "lib/status.hpp"
#include "lib/types.hpp"

namespace vireo {

inline constexpr unsigned kMaxDomains = 32;
inline constexpr unsigned kMaxVcpusPerDomain = 8;
inline constexpr unsigned kDomainNameLen = 32;
// Event channels per domain (Xen's default limit for a domain is 1023).
inline constexpr unsigned kMaxEventPorts = 1024;
inline constexpr unsigned kNrVirqs = 24;
// The remote end of a console port: Vireo's own console service (DOMID_XEN).
inline constexpr uint16_t kConsoleBackendDomain = 0x7ff2;

enum class PortState : uint8_t { FREE, RESERVED, UNBOUND, INTERDOMAIN, VIRQ, IPI, PIRQ };

struct EventPort {
    PortState state = PortState::FREE;
    uint8_t vcpu = 0;         // the vCPU it notifies
    uint16_t remote_dom = 0;  // UNBOUND: who may bind; INTERDOMAIN: the peer
    uint32_t remote_port = 0; // INTERDOMAIN: the peer's port
    uint32_t virq = 0;        // VIRQ: which
    uint16_t pirq = 0;        // PIRQ: which (physical_irq.hpp)
};

// Physical interrupts a privileged domain may map (physical_irq.hpp).
inline constexpr unsigned kMaxPirqs = 256;

// DYING: destroydomain took it apart (or is doing so); it stays, its id
// taken, until the last of its frames another domain still maps is freed
// (Xen's zombie, DOMDYING_dead), then becomes DEAD.
enum class DomainState : uint8_t { FREE, BUILDING, RUNNING, SHUT_DOWN, DEAD, DYING };
enum class VcpuState : uint8_t { DOWN, RUNNABLE, BLOCKED };

struct Domain;

// Borrowed Virtual Time (Duda and Cheriton, SOSP 1999), the scheduler of
// the Xen paper. A domain's share is set by its mcu_advance: running for one
// minimum charging unit (MCU) advances its virtual time by mcu_advance, so
// CPU time is shared in inverse proportion to it. A latency-sensitive
// domain may warp: while warped its effective virtual time is set back by
// warp, so it runs first when it wakes, for at most warp_limit at a time
// and again only after unwarp_req without warping.
struct BvtParams {
    // 0 stands for the default (kBvtDefaultMcuAdvance): every field here is
    // zero by default, so the domain table stays in .bss.
    uint32_t mcu_advance = 0;
    bool warp_enabled = false;
    uint64_t warp = 0;           // in virtual time (MCU advances x MCU ns)
    uint64_t warp_limit_ns = 0;  // required (non-zero) when warping
    uint64_t unwarp_req_ns = 0;
};

// A vCPU's place in BVT, and what it received.
struct BvtState {
    uint64_t avt = 0;             // actual virtual time
    bool warped = false;
    uint64_t warped_ran_ns = 0;   // CPU time used in the current warp
    uint64_t unwarped_at_ns = 0;  // when the last warp ended
    uint64_t on_cpu_since_ns = 0; // when it was last put on the CPU
    uint64_t cpu_time_ns = 0;     // CPU time received in total
    uint64_t woken_at_ns = 0;     // when it last became runnable
    uint64_t switches_in = 0;     // times it was put on a CPU
};

// A guest's handler for one exception vector (set_trap_table).
struct GuestTrap {
    uint64_t address = 0;  // 0: none registered
    uint16_t cs = 0;
    uint8_t flags = 0;     // bits 0-1: DPL for 'int n'; bit 2: mask events
};

// The guest's other entry points (callback_op), by CALLBACKTYPE_*.
inline constexpr unsigned kNrCallbackTypes = 8;
struct GuestCallbacks {
    uint64_t address[kNrCallbackTypes] = {};
    uint16_t flags[kNrCallbackTypes] = {};
};

struct Vcpu {
    Domain* domain = nullptr;
    uint32_t id = 0;
    VcpuState state = VcpuState::DOWN;
    bool yield_requested = false;  // SCHEDOP_yield: give the CPU up once
    // Has a context (the builder's, or VCPUOP_initialise's): may come up.
    bool initialised = false;
    // The physical CPU whose run queue holds it, and whether some CPU is
    // running it right now (then no other may pick it).
    uint32_t processor = 0;
    bool on_a_cpu = false;
    // 1 + the CPU whose FPU registers hold this vCPU's state (0: none).
    uint32_t fpu_cpu_plus1 = 0;
    // Saved guest registers while this vCPU is not on a CPU.
    GuestRegs regs{};
    // While it runs: its live frame (what a hypercall or trap changes).
    GuestRegs* live_regs = nullptr;
    // Set by a hypercall that wrote the whole register state, RAX included
    // (iret): the dispatcher then leaves RAX alone. A returned value cannot
    // say this, since every 64-bit value is a valid RAX.
    bool result_in_regs = false;
    // Running a domain-local hypercall (hypercall.hpp): only its domain is
    // locked, other CPUs run the hypervisor beside it.
    bool in_local_hypercall = false;
    // The x86-64 PV guest runs its kernel and its user mode both in ring 3,
    // each with its own top-level table (kernel and user base pointers).
    // (Zero by default, like every field here, so the domain table stays in
    // .bss; domain_create starts each vCPU in kernel mode.)
    bool in_kernel_mode = false;
    uint64_t kernel_cr3 = 0;   // machine address of the kernel L4
    uint64_t user_cr3 = 0;     // machine address of the user L4 (0: none)
    uint64_t kernel_ss = 0, kernel_sp = 0;  // stack_switch
    uint64_t fs_base = 0, gs_base_kernel = 0, gs_base_user = 0;
    // DS, ES, FS, GS while the vCPU is off the CPU (the guest loads them
    // itself in ring 3; they are saved and loaded on a switch, and one that
    // no longer loads sends the guest to its failsafe callback).
    uint16_t data_selectors[4] = {};
    // vcpu_info: in shared_info until the guest registers its own
    // (VCPUOP_register_vcpu_info), which then stays for the vCPU's life.
    uint64_t vcpu_info_maddr = 0;
    bool vcpu_info_registered = false;
    // Runstate accounting, and the guest's copy of it (0: none).
    xen::vcpu_runstate_info runstate{};
    uint64_t runstate_guest_va = 0;
    GuestCallbacks callbacks;
    bool fpu_ts = false;  // the guest's virtual CR0.TS (fpu_taskswitch)
    // Virtual control registers: CR2 as the last page fault left it (also
    // in vcpu_info), the guest's view of CR4 (0: not written yet).
    uint64_t virtual_cr2 = 0;
    uint64_t virtual_cr4 = 0;
    // physdev set_iopl: the guest kernel counts as ring 1, so 1 or more
    // lets its in/out be emulated; user mode needs 3.
    uint8_t virtual_iopl = 0;
    uint64_t debugreg[8] = {};  // set_debugreg (checked, kept per vCPU)
    // The guest's GDT (set_gdt): frames held with the SEG_DESC type. The
    // generation changes whenever its contents do, so a CPU that copied
    // the descriptors knows when to copy them again.
    uint64_t gdt_frames[14] = {};
    unsigned gdt_nr_frames = 0;
    unsigned gdt_entries = 0;
    uint64_t gdt_generation = 0;
    // The guest's LDT (ldt.hpp): linear address, entries, and the frames
    // of its pages shadowed so far (0: not yet). The generation is unique
    // among all vCPUs, so a CPU that copied an LDT knows when to copy again.
    uint64_t ldt_base = 0;
    unsigned ldt_entries = 0;
    uint64_t ldt_frames[16] = {};
    uint64_t ldt_generation = 0;
    // Time and events.
    uint64_t timer_deadline_ns = 0;  // singleshot timer, 0: none
    uint64_t timer_period_ns = 0;    // periodic timer, 0: none
    uint64_t timer_last_periodic_ns = 0;  // when it last ticked
    // SCHEDOP_poll: waiting for poll_port (-1: any port) until the deadline.
    bool polling = false;
    int32_t poll_port = 0;
    uint64_t poll_deadline_ns = 0;
    uint32_t virq_port[kNrVirqs] = {};
    BvtState bvt;
    // The large, less used parts last: everything above is read on every
    // guest entry and so shares a page or two (hot_path.hpp says why that
    // matters under TCG).
    GuestTrap traps[256];
    // x87/SSE registers while the vCPU is off the CPU (FXSAVE layout).
    alignas(16) uint8_t fpu_state[512] = {};
};

// Not page-aligned: that would put the first fields and vCPU 0's on one
// page, but measured it made the vCPU ping-pong two to three times slower
// (bench/cpu_bench.py), for a reason not yet understood.
struct Domain {
    uint16_t id = 0;
    char name[kDomainNameLen] = {};
    DomainState state = DomainState::FREE;
    bool privileged = false;      // dom0: SIF_PRIVILEGED | SIF_INITDOMAIN
    uint8_t shutdown_reason = 0;  // SHUTDOWN_* once SHUT_DOWN
    bool resources_released = false;  // SHUT_DOWN and taken apart (a record only)
    uint32_t shutdown_code = 0;   // SCHEDOP_shutdown_code
    uint64_t tot_pages = 0;
    uint64_t max_pages = 0;
    uint64_t shared_info_maddr = 0;
    uint64_t vm_assist = 0;       // VMASST_TYPE_* bits enabled
    // A mapping went away without a TLB flush (page_tables.hpp).
    bool tlb_may_be_stale = false;
    // Frames it gave back while something still held them
    // (frame_table.hpp's AwaitingReclaimFn).
    uint64_t frames_awaiting_reclaim = 0;
    // Held by a CPU running one of its domain-local hypercalls (the arch's
    // domain_lock; hypercall.hpp).
    uint32_t local_lock = 0;
    unsigned nr_vcpus = 0;
    BvtParams bvt;
    Vcpu vcpus[kMaxVcpusPerDomain];
    EventPort ports[kMaxEventPorts];
    // Physical interrupts (physical_irq.cpp): pirq -> interrupt source + 1
    // (0: none) and the port it is bound to (0: none).
    uint8_t pirq_source[kMaxPirqs] = {};
    uint16_t pirq_port[kMaxPirqs] = {};
    // The configuration address its last 32-bit write to port 0xcf8 set
    // (port_io.cpp keeps it, so that the hypervisor's own configuration
    // accesses cannot come between it and the data access).
    uint32_t pci_cf8 = 0;
    // The console (guest_console.cpp): ring page and port (domUs), and the
    // line being collected for the serial output.
    uint64_t console_ring_maddr = 0;
    uint32_t console_port = 0;
    uint16_t console_line_len = 0;
    char console_line[160] = {};
    // Created by dom0's toolstack (domctl createdomain): dom0 decides when
    // it goes (destroydomain); the reaper never takes it apart by itself.
    bool toolstack_built = false;
    // domctl pausedomain/unpausedomain (Xen's controller_pause_count): its
    // vCPUs run only at 0. createdomain starts it at 1.
    uint32_t controller_pause_count = 0;
    bool was_shut_down = false;   // DYING: it had shut down before (getdomaininfo)
    uint32_t max_evtchn_port = kMaxEventPorts - 1;
    // createdomain's max_vcpus; nr_vcpus stays 0 until domctl max_vcpus
    // creates them, as Xen 4.17 does.
    uint32_t max_vcpus = 0;
    // destroydomain's progress through domain_teardown's phases.
    uint8_t teardown_phase = 0;
    uint64_t teardown_cursor = 0;
    uint64_t teardown_owned = 0;  // frames it owned when teardown began
    // Unsupported hypercalls and sub-ops already reported, so each is
    // logged once per domain.
    uint64_t enosys_logged[2] = {};
    uint64_t enosys_subops[16] = {};
    unsigned enosys_subop_count = 0;
};

Domain* domain_create(uint16_t id, const char* name, bool privileged);
// A live domain that may be acted on (not DYING), or null.
Domain* domain_lookup(uint16_t id);
// Any live domain, DYING ones too (whose id is still taken), or null.
Domain* domain_find(uint16_t id);
// Every domain that is neither FREE nor DEAD, in id order.
unsigned domains_alive();
Domain* domain_at(unsigned slot);  // the table, for the debug dump
// Neither FREE nor DEAD: a domain that exists.
inline bool domain_is_live(const Domain& d) { return d.state != DomainState::FREE && d.state != DomainState::DEAD; }
// Whether its vCPUs may be given a CPU: running, and not paused by dom0.
inline bool domain_may_run(const Domain& d) { return d.state == DomainState::RUNNING && d.controller_pause_count == 0; }

// Calls fn(Vcpu&) for every vCPU of every RUNNING domain.
template <typename Fn>
void for_each_running_vcpu(Fn&& fn)
{
    for (unsigned s = 0; s < kMaxDomains; ++s) {
        Domain* d = domain_at(s);
        if (d->state != DomainState::RUNNING)
            continue;
        for (unsigned i = 0; i < d->nr_vcpus; ++i)
            fn(d->vcpus[i]);
    }
}

// A domain asks to stop (SCHEDOP_shutdown) or is crashed by the hypervisor.
void domain_shutdown(Domain& d, uint8_t reason);
void domain_crash(Domain& d, const char* why);
// Drops a domain that never ran (a failed build).
void domain_destroy(Domain& d);
// A domain's shared_info: a page of the hypervisor's that the domain may
// map (Xen's xenheap page shared with the guest), owned by it but outside
// its reservation; events start masked on every vCPU, and each vCPU's
// vcpu_info is its slot there until the guest registers its own.
Status domain_give_shared_info(Domain& d);

const char* shutdown_reason_name(uint8_t reason);

// Reports an unsupported hypercall (sub_op < 0: the whole hypercall) once
// per domain, so a missing piece is found by reading the console.
void report_unsupported(Domain& d, uint64_t hypercall, int64_t sub_op);

}  // namespace vireo

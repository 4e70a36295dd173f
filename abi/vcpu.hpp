// vCPU ABI beyond the timers: vcpu_info placement, runstate areas, the
// multicall entry, and the descriptor-table hypercalls (Xen's vcpu.h and
// xen.h). Layouts are checked against libxen-dev in the unit tests.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

// VCPUOP_register_vcpu_info: the vcpu_info moves to (mfn, offset).
struct vcpu_register_vcpu_info {
    uint64_t mfn;
    uint32_t offset;
    uint32_t rsvd;
};
static_assert(sizeof(vcpu_register_vcpu_info) == 16);

inline constexpr int RUNSTATE_running = 0;
inline constexpr int RUNSTATE_runnable = 1;
inline constexpr int RUNSTATE_blocked = 2;
inline constexpr int RUNSTATE_offline = 3;
// Set in state_entry_time while the hypervisor rewrites a guest's copy
// (with VMASST_TYPE_runstate_update_flag).
inline constexpr uint64_t XEN_RUNSTATE_UPDATE = uint64_t{1} << 63;

struct vcpu_runstate_info {
    int32_t state;
    uint64_t state_entry_time;
    uint64_t time[4];
};
static_assert(sizeof(vcpu_runstate_info) == 48);
static_assert(offsetof(vcpu_runstate_info, state_entry_time) == 8);
static_assert(offsetof(vcpu_runstate_info, time) == 16);

// VCPUOP_register_runstate_memory_area: a guest virtual address on x86.
struct vcpu_register_runstate_memory_area {
    uint64_t addr;
};

// One call of a multicall batch.
struct multicall_entry {
    uint64_t op;
    int64_t result;
    uint64_t args[6];
};
static_assert(sizeof(multicall_entry) == 64);
static_assert(offsetof(multicall_entry, args) == 16);

inline constexpr uint64_t VCPUOP_register_vcpu_time_memory_area = 13;

// The register frame of vcpu_guest_context (Xen's cpu_user_regs, x86-64).
struct cpu_user_regs {
    uint64_t r15, r14, r13, r12, rbp, rbx, r11, r10, r9, r8;
    uint64_t rax, rcx, rdx, rsi, rdi;
    uint32_t error_code, entry_vector;
    uint64_t rip;
    uint16_t cs, pad0[1];
    uint8_t saved_upcall_mask, pad1[3];
    uint64_t rflags, rsp;
    uint16_t ss, pad2[3];
    uint16_t es, pad3[3];
    uint16_t ds, pad4[3];
    uint16_t fs, pad5[3];
    uint16_t gs, pad6[3];
};
static_assert(sizeof(cpu_user_regs) == 200);
static_assert(offsetof(cpu_user_regs, rip) == 128);
static_assert(offsetof(cpu_user_regs, ss) == 160);

struct trap_info_entry {
    uint8_t vector, flags;
    uint16_t cs;
    uint32_t pad;
    uint64_t address;
};

inline constexpr uint64_t VGCF_I387_VALID = 1u << 0;
inline constexpr uint64_t VGCF_IN_KERNEL = 1u << 2;
inline constexpr uint64_t VGCF_failsafe_disables_events = 1u << 3;
inline constexpr uint64_t VGCF_syscall_disables_events = 1u << 4;
inline constexpr uint64_t VGCF_online = 1u << 5;

// VCPUOP_initialise's argument for a PV vCPU (5168 bytes).
struct vcpu_guest_context {
    uint8_t fpu_ctxt[512];  // FXSAVE layout
    uint64_t flags;
    cpu_user_regs user_regs;
    trap_info_entry trap_ctxt[256];
    uint64_t ldt_base, ldt_ents;
    uint64_t gdt_frames[16], gdt_ents;
    uint64_t kernel_ss, kernel_sp;
    uint64_t ctrlreg[8];
    uint64_t debugreg[8];
    uint64_t event_callback_eip;
    uint64_t failsafe_callback_eip;
    uint64_t syscall_callback_eip;
    uint64_t vm_assist;
    uint64_t fs_base, gs_base_kernel, gs_base_user;
};
static_assert(sizeof(vcpu_guest_context) == 5168);
static_assert(offsetof(vcpu_guest_context, flags) == 512);
static_assert(offsetof(vcpu_guest_context, user_regs) == 520);
static_assert(offsetof(vcpu_guest_context, trap_ctxt) == 720);
static_assert(offsetof(vcpu_guest_context, gdt_frames) == 4832);
static_assert(offsetof(vcpu_guest_context, kernel_sp) == 4976);
static_assert(offsetof(vcpu_guest_context, ctrlreg) == 4984);
static_assert(offsetof(vcpu_guest_context, event_callback_eip) == 5112);
static_assert(offsetof(vcpu_guest_context, gs_base_kernel) == 5152);

}  // namespace xen

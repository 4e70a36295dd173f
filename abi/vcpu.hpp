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

}  // namespace xen

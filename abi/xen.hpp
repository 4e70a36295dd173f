// The Xen public ABI (xen/include/public/xen.h, interface 0x00040d00) for
// x86-64 PV guests: hypercall numbers, start_info, shared_info, vcpu_info.
// Names are Xen's (hypercall numbers without the leading underscores) so a
// grep finds both trees. Layouts are pinned here and compared with Debian's
// libxen-dev headers in tests/unit/abi_layout_test.cpp.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

// Hypercall numbers.
inline constexpr uint64_t HYPERVISOR_set_trap_table = 0;
inline constexpr uint64_t HYPERVISOR_mmu_update = 1;
inline constexpr uint64_t HYPERVISOR_set_gdt = 2;
inline constexpr uint64_t HYPERVISOR_stack_switch = 3;
inline constexpr uint64_t HYPERVISOR_set_callbacks = 4;
inline constexpr uint64_t HYPERVISOR_fpu_taskswitch = 5;
inline constexpr uint64_t HYPERVISOR_sched_op_compat = 6;
inline constexpr uint64_t HYPERVISOR_platform_op = 7;
inline constexpr uint64_t HYPERVISOR_set_debugreg = 8;
inline constexpr uint64_t HYPERVISOR_get_debugreg = 9;
inline constexpr uint64_t HYPERVISOR_update_descriptor = 10;
inline constexpr uint64_t HYPERVISOR_memory_op = 12;
inline constexpr uint64_t HYPERVISOR_multicall = 13;
inline constexpr uint64_t HYPERVISOR_update_va_mapping = 14;
inline constexpr uint64_t HYPERVISOR_set_timer_op = 15;
inline constexpr uint64_t HYPERVISOR_event_channel_op_compat = 16;
inline constexpr uint64_t HYPERVISOR_xen_version = 17;
inline constexpr uint64_t HYPERVISOR_console_io = 18;
inline constexpr uint64_t HYPERVISOR_physdev_op_compat = 19;
inline constexpr uint64_t HYPERVISOR_grant_table_op = 20;
inline constexpr uint64_t HYPERVISOR_vm_assist = 21;
inline constexpr uint64_t HYPERVISOR_update_va_mapping_otherdomain = 22;
inline constexpr uint64_t HYPERVISOR_iret = 23;
inline constexpr uint64_t HYPERVISOR_vcpu_op = 24;
inline constexpr uint64_t HYPERVISOR_set_segment_base = 25;
inline constexpr uint64_t HYPERVISOR_mmuext_op = 26;
inline constexpr uint64_t HYPERVISOR_xsm_op = 27;
inline constexpr uint64_t HYPERVISOR_nmi_op = 28;
inline constexpr uint64_t HYPERVISOR_sched_op = 29;
inline constexpr uint64_t HYPERVISOR_callback_op = 30;
inline constexpr uint64_t HYPERVISOR_xenoprof_op = 31;
inline constexpr uint64_t HYPERVISOR_event_channel_op = 32;
inline constexpr uint64_t HYPERVISOR_physdev_op = 33;
inline constexpr uint64_t HYPERVISOR_hvm_op = 34;
inline constexpr uint64_t HYPERVISOR_sysctl = 35;
inline constexpr uint64_t HYPERVISOR_domctl = 36;
inline constexpr uint64_t HYPERVISOR_kexec_op = 37;
inline constexpr uint64_t HYPERVISOR_tmem_op = 38;
inline constexpr uint64_t HYPERVISOR_argo_op = 39;
inline constexpr uint64_t HYPERVISOR_xenpmu_op = 40;
inline constexpr uint64_t HYPERVISOR_dm_op = 41;
inline constexpr uint64_t HYPERVISOR_hypfs_op = 42;

// console_io commands.
inline constexpr uint64_t CONSOLEIO_write = 0;
inline constexpr uint64_t CONSOLEIO_read = 1;

// vm_assist commands and types.
inline constexpr uint64_t VMASST_CMD_enable = 0;
inline constexpr uint64_t VMASST_CMD_disable = 1;
inline constexpr uint64_t VMASST_TYPE_4gb_segments = 0;
inline constexpr uint64_t VMASST_TYPE_4gb_segments_notify = 1;
inline constexpr uint64_t VMASST_TYPE_writable_pagetables = 2;
inline constexpr uint64_t VMASST_TYPE_pae_extended_cr3 = 3;
inline constexpr uint64_t VMASST_TYPE_architectural_iopl = 4;
inline constexpr uint64_t VMASST_TYPE_runstate_update_flag = 5;
inline constexpr uint64_t VMASST_TYPE_m2p_strict = 32;

// Domain ids with special meaning.
inline constexpr uint16_t DOMID_FIRST_RESERVED = 0x7ff0;
inline constexpr uint16_t DOMID_SELF = 0x7ff0;
inline constexpr uint16_t DOMID_IO = 0x7ff1;
inline constexpr uint16_t DOMID_XEN = 0x7ff2;
inline constexpr uint16_t DOMID_COW = 0x7ff3;
inline constexpr uint16_t DOMID_INVALID = 0x7ff4;
inline constexpr uint16_t DOMID_IDLE = 0x7fff;

// start_info flags.
inline constexpr uint32_t SIF_PRIVILEGED = 1u << 0;
inline constexpr uint32_t SIF_INITDOMAIN = 1u << 1;
inline constexpr uint32_t SIF_MULTIBOOT_MOD = 1u << 2;
inline constexpr uint32_t SIF_MOD_START_PFN = 1u << 3;
inline constexpr uint32_t SIF_VIRT_P2M_4TOOLS = 1u << 4;

inline constexpr unsigned MAX_GUEST_CMDLINE = 1024;
inline constexpr unsigned XEN_LEGACY_MAX_VCPUS = 32;
inline constexpr unsigned NR_EVENT_CHANNELS_2L = 64 * 64;  // 2-level ABI on x86-64

// Virtual IRQs.
inline constexpr uint32_t VIRQ_TIMER = 0;
inline constexpr uint32_t VIRQ_DEBUG = 1;
inline constexpr uint32_t VIRQ_CONSOLE = 2;
inline constexpr uint32_t VIRQ_DOM_EXC = 3;
inline constexpr uint32_t VIRQ_TBUF = 4;
inline constexpr uint32_t VIRQ_DEBUGGER = 6;
inline constexpr uint32_t VIRQ_XENOPROF = 7;
inline constexpr uint32_t VIRQ_CON_RING = 8;
inline constexpr uint32_t VIRQ_PCPU_STATE = 9;
inline constexpr uint32_t VIRQ_MEM_EVENT = 10;
inline constexpr uint32_t VIRQ_ARGO = 11;
inline constexpr uint32_t VIRQ_ENOMEM = 12;
inline constexpr uint32_t VIRQ_XENPMU = 13;
inline constexpr uint32_t NR_VIRQS = 24;

struct vcpu_time_info {
    uint32_t version;            // 0: odd while the hypervisor updates
    uint32_t pad0;               // 4
    uint64_t tsc_timestamp;      // 8
    uint64_t system_time;        // 16: ns
    uint32_t tsc_to_system_mul;  // 24
    int8_t tsc_shift;            // 28
    uint8_t flags;               // 29
    uint8_t pad1[2];             // 30
};
static_assert(sizeof(vcpu_time_info) == 32);
static_assert(offsetof(vcpu_time_info, system_time) == 16);
static_assert(offsetof(vcpu_time_info, tsc_shift) == 28);

struct arch_vcpu_info {
    uint64_t cr2;  // 0: faulting address of the last bounced #PF
    uint64_t pad;  // 8
};
static_assert(sizeof(arch_vcpu_info) == 16);

struct vcpu_info {
    uint8_t evtchn_upcall_pending;  // 0
    uint8_t evtchn_upcall_mask;     // 1: the guest's virtual IF (1 = masked)
    uint8_t pad0[6];
    uint64_t evtchn_pending_sel;    // 8
    arch_vcpu_info arch;            // 16
    vcpu_time_info time;            // 32
};
static_assert(sizeof(vcpu_info) == 64);
static_assert(offsetof(vcpu_info, evtchn_upcall_mask) == 1);
static_assert(offsetof(vcpu_info, evtchn_pending_sel) == 8);
static_assert(offsetof(vcpu_info, arch) == 16);
static_assert(offsetof(vcpu_info, time) == 32);

struct arch_shared_info {
    uint64_t max_pfn;                     // 0
    uint64_t pfn_to_mfn_frame_list_list;  // 8
    uint64_t nmi_reason;                  // 16
    uint64_t p2m_cr3;                     // 24
    uint64_t p2m_vaddr;                   // 32
    uint64_t p2m_generation;              // 40
};
static_assert(sizeof(arch_shared_info) == 48);

struct shared_info {
    xen::vcpu_info vcpu_info[XEN_LEGACY_MAX_VCPUS];  // 0
    uint64_t evtchn_pending[64];                // 2048
    uint64_t evtchn_mask[64];                   // 2560
    uint32_t wc_version;                        // 3072
    uint32_t wc_sec;                            // 3076
    uint32_t wc_nsec;                           // 3080
    uint32_t wc_sec_hi;                         // 3084
    arch_shared_info arch;                      // 3088
};
static_assert(sizeof(shared_info) == 3136);
static_assert(offsetof(shared_info, evtchn_pending) == 2048);
static_assert(offsetof(shared_info, evtchn_mask) == 2560);
static_assert(offsetof(shared_info, wc_version) == 3072);
static_assert(offsetof(shared_info, arch) == 3088);

struct start_info {
    char magic[32];             // 0: "xen-3.0-x86_64"
    uint64_t nr_pages;          // 32
    uint64_t shared_info;       // 40: machine address of shared_info (struct xen::shared_info)
    uint32_t flags;             // 48: SIF_*
    uint32_t pad0;
    uint64_t store_mfn;         // 56
    uint32_t store_evtchn;      // 64
    uint32_t pad1;
    union {
        struct {
            uint64_t mfn;       // 72
            uint32_t evtchn;    // 80
            uint32_t pad;
        } domU;
        struct {
            uint32_t info_off;  // 72
            uint32_t info_size; // 76
        } dom0;
    } console;
    uint64_t pt_base;           // 88: virtual address of the bootstrap L4
    uint64_t nr_pt_frames;      // 96
    uint64_t mfn_list;          // 104: virtual address of the p2m list
    uint64_t mod_start;         // 112: initrd virtual address, or PFN
    uint64_t mod_len;           // 120
    char cmd_line[MAX_GUEST_CMDLINE];  // 128
    uint64_t first_p2m_pfn;     // 1152
    uint64_t nr_p2m_frames;     // 1160
};
static_assert(sizeof(start_info) == 1168);
static_assert(offsetof(start_info, nr_pages) == 32);
static_assert(offsetof(start_info, shared_info) == 40);
static_assert(offsetof(start_info, flags) == 48);
static_assert(offsetof(start_info, store_mfn) == 56);
static_assert(offsetof(start_info, store_evtchn) == 64);
static_assert(offsetof(start_info, console) == 72);
static_assert(offsetof(start_info, pt_base) == 88);
static_assert(offsetof(start_info, nr_pt_frames) == 96);
static_assert(offsetof(start_info, mfn_list) == 104);
static_assert(offsetof(start_info, mod_start) == 112);
static_assert(offsetof(start_info, mod_len) == 120);
static_assert(offsetof(start_info, cmd_line) == 128);
static_assert(offsetof(start_info, first_p2m_pfn) == 1152);
static_assert(offsetof(start_info, nr_p2m_frames) == 1160);

}  // namespace xen

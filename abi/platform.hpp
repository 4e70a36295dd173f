// platform_op (xen/include/public/platform.h): the hardware domain's view of
// the machine's firmware, clock, CPUs and power states. Only the sub-ops
// Vireo knows are named here.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

inline constexpr uint32_t XENPF_INTERFACE_VERSION = 0x03000001;

inline constexpr uint32_t XENPF_settime32 = 17;
inline constexpr uint32_t XENPF_settime64 = 62;
inline constexpr uint32_t XENPF_firmware_info = 50;
inline constexpr uint32_t XENPF_enter_acpi_sleep = 51;
inline constexpr uint32_t XENPF_set_processor_pminfo = 54;
inline constexpr uint32_t XENPF_get_cpuinfo = 55;

// firmware_info types.
inline constexpr uint32_t XEN_FW_DISK_INFO = 1;
inline constexpr uint32_t XEN_FW_DISK_MBR_SIGNATURE = 2;
inline constexpr uint32_t XEN_FW_VBEDDC_INFO = 3;
inline constexpr uint32_t XEN_FW_EFI_INFO = 4;
inline constexpr uint32_t XEN_FW_KBD_SHIFT_FLAGS = 5;

// get_cpuinfo flags.
inline constexpr uint32_t XEN_PCPU_FLAGS_ONLINE = 1;
inline constexpr uint32_t XEN_PCPU_FLAGS_INVALID = 2;

// enter_acpi_sleep flags and states.
inline constexpr uint32_t XENPF_ACPI_SLEEP_EXTENDED = 1;
inline constexpr uint32_t ACPI_STATE_S5 = 5;

struct xenpf_settime32 {
    uint32_t secs;         // 0
    uint32_t nsecs;        // 4
    uint64_t system_time;  // 8
};
static_assert(sizeof(xenpf_settime32) == 16);

struct xenpf_settime64 {
    uint64_t secs;         // 0
    uint32_t nsecs;        // 8
    uint32_t mbz;          // 12
    uint64_t system_time;  // 16
};
static_assert(sizeof(xenpf_settime64) == 24);

// The union's members differ by type; Vireo reads only type and index and
// writes only kbd_shift_flags (the union's first byte).
struct xenpf_firmware_info {
    uint32_t type;   // 0, IN: XEN_FW_*
    uint32_t index;  // 4, IN
    uint8_t u[24];   // 8: per-type data (disk_info is the largest, 16 bytes + pad)
};
static_assert(offsetof(xenpf_firmware_info, u) == 8);

struct xenpf_enter_acpi_sleep {
    uint16_t val_a;        // 0: PM1a control / sleep type a
    uint16_t val_b;        // 2
    uint32_t sleep_state;  // 4: S1..S5
    uint32_t flags;        // 8: XENPF_ACPI_SLEEP_*
};
static_assert(sizeof(xenpf_enter_acpi_sleep) == 12);

struct xenpf_pcpuinfo {
    uint32_t xen_cpuid;    // 0, IN
    uint32_t max_present;  // 4, OUT
    uint32_t flags;        // 8, OUT: XEN_PCPU_FLAGS_*
    uint32_t apic_id;      // 12, OUT
    uint32_t acpi_id;      // 16, OUT
};
static_assert(sizeof(xenpf_pcpuinfo) == 20);

struct xen_platform_op {
    uint32_t cmd;                // 0: XENPF_*
    uint32_t interface_version;  // 4: XENPF_INTERFACE_VERSION
    union {                      // 8
        xenpf_settime32 settime32;
        xenpf_settime64 settime64;
        xenpf_firmware_info firmware_info;
        xenpf_enter_acpi_sleep enter_acpi_sleep;
        xenpf_pcpuinfo pcpu_info;
        uint8_t pad[128];
    } u;
};
static_assert(sizeof(xen_platform_op) == 136);
static_assert(offsetof(xen_platform_op, u) == 8);

}  // namespace xen

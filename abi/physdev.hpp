// physdev_op (Xen's physdev.h): the sub-ops Vireo knows.
#pragma once

#include <stdint.h>

namespace xen {

inline constexpr uint64_t PHYSDEVOP_eoi = 12;
inline constexpr uint64_t PHYSDEVOP_irq_status_query = 5;
inline constexpr uint64_t PHYSDEVOP_set_iopl = 6;
inline constexpr uint64_t PHYSDEVOP_set_iobitmap = 7;
inline constexpr uint64_t PHYSDEVOP_apic_read = 8;
inline constexpr uint64_t PHYSDEVOP_apic_write = 9;
inline constexpr uint64_t PHYSDEVOP_alloc_irq_vector = 10;
inline constexpr uint64_t PHYSDEVOP_map_pirq = 13;
inline constexpr uint64_t PHYSDEVOP_unmap_pirq = 14;
inline constexpr uint64_t PHYSDEVOP_manage_pci_add = 15;
inline constexpr uint64_t PHYSDEVOP_manage_pci_remove = 16;
inline constexpr uint64_t PHYSDEVOP_restore_msi = 19;
inline constexpr uint64_t PHYSDEVOP_manage_pci_add_ext = 20;
inline constexpr uint64_t PHYSDEVOP_setup_gsi = 21;
inline constexpr uint64_t PHYSDEVOP_get_free_pirq = 23;
inline constexpr uint64_t PHYSDEVOP_pci_mmcfg_reserved = 24;
inline constexpr uint64_t PHYSDEVOP_pci_device_add = 25;
inline constexpr uint64_t PHYSDEVOP_pci_device_remove = 26;
inline constexpr uint64_t PHYSDEVOP_restore_msi_ext = 27;
inline constexpr uint64_t PHYSDEVOP_pirq_eoi_gmfn_v2 = 28;

inline constexpr uint32_t XENIRQSTAT_needs_eoi = 1;
inline constexpr uint32_t XENIRQSTAT_shared = 2;

inline constexpr int32_t MAP_PIRQ_TYPE_MSI = 0;
inline constexpr int32_t MAP_PIRQ_TYPE_GSI = 1;
inline constexpr int32_t MAP_PIRQ_TYPE_MSI_SEG = 3;
inline constexpr int32_t MAP_PIRQ_TYPE_MULTI_MSI = 4;

struct physdev_eoi {
    uint32_t irq;
};

struct physdev_irq_status_query {
    uint32_t irq;
    uint32_t flags;  // OUT: XENIRQSTAT_*
};
static_assert(sizeof(physdev_irq_status_query) == 8);

struct physdev_set_iopl {
    uint32_t iopl;
};

struct physdev_apic {
    uint64_t apic_physbase;
    uint32_t reg;
    uint32_t value;  // IN (write) or OUT (read)
};
static_assert(sizeof(physdev_apic) == 16);

struct physdev_irq {
    uint32_t irq;
    uint32_t vector;  // OUT
};

struct physdev_map_pirq {
    uint16_t domid;
    int32_t type;        // MAP_PIRQ_TYPE_*
    int32_t index;       // GSI type: the IRQ (0-15: ISA IRQ) or GSI
    int32_t pirq;        // IN: wanted (-1: any); OUT: the one mapped
    int32_t bus;
    int32_t devfn;
    int32_t entry_nr;
    uint64_t table_base;
};
static_assert(sizeof(physdev_map_pirq) == 40);

struct physdev_unmap_pirq {
    uint16_t domid;
    int32_t pirq;
};
static_assert(sizeof(physdev_unmap_pirq) == 8);

struct physdev_setup_gsi {
    int32_t gsi;
    uint8_t triggering;  // 0 edge, 1 level
    uint8_t polarity;    // 0 active high, 1 active low
};
static_assert(sizeof(physdev_setup_gsi) == 8);

struct physdev_get_free_pirq {
    int32_t type;
    uint32_t pirq;  // OUT
};

// PCI device notices from dom0 (the optional array after physfn is not
// read).
struct physdev_pci_device_add {
    uint16_t seg;
    uint8_t bus;
    uint8_t devfn;
    uint32_t flags;
    uint8_t physfn_bus;
    uint8_t physfn_devfn;
};
struct physdev_pci_device {
    uint16_t seg;
    uint8_t bus;
    uint8_t devfn;
};
struct physdev_manage_pci {
    uint8_t bus;
    uint8_t devfn;
};
struct physdev_pci_mmcfg_reserved {
    uint64_t address;
    uint16_t segment;
    uint8_t start_bus;
    uint8_t end_bus;
    uint32_t flags;
};
static_assert(sizeof(physdev_pci_mmcfg_reserved) == 16);

}  // namespace xen

#include "hv/core/pci_msi.hpp"

#include "hv/core/mmio_ro.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

constexpr uint8_t kCapMsi = 0x05, kCapMsix = 0x11;
constexpr unsigned kRegVendor = 0x00, kRegStatus = 0x06, kRegCapPtr = 0x34, kRegBar0 = 0x10;
constexpr uint16_t kStatusCapList = 1u << 4;
constexpr uint16_t kMsiCtrl64 = 1u << 7, kMsiCtrlMaskable = 1u << 8;
constexpr uint32_t kMsixEntryMasked = 1;  // vector control, bit 0

uint32_t config_read(uint32_t cf8, unsigned reg, unsigned bytes)
{
    return platform().pci_config_read(cf8 | (reg & 0xfc), reg & 3, bytes);
}

void config_write(uint32_t cf8, unsigned reg, unsigned bytes, uint32_t value)
{
    platform().pci_config_write(cf8 | (reg & 0xfc), reg & 3, bytes, value);
}

// The capability `id` in the device's list, or 0. The list lives in
// device-controlled bytes: every pointer is bounded and so is the walk.
uint8_t find_capability(uint32_t cf8, uint8_t id)
{
    if (!(config_read(cf8, kRegStatus, 2) & kStatusCapList))
        return 0;
    uint8_t at = static_cast<uint8_t>(config_read(cf8, kRegCapPtr, 1) & 0xfc);
    for (unsigned hops = 0; at >= 0x40 && hops < 48; ++hops) {
        if ((config_read(cf8, at, 1) & 0xff) == id)
            return at;
        at = static_cast<uint8_t>(config_read(cf8, at + 1u, 1) & 0xfc);
    }
    return 0;
}

// The memory address BAR `bir` decodes (0 if it is not a memory BAR).
uint64_t bar_address(uint32_t cf8, unsigned bir)
{
    if (bir > 5)
        return 0;
    uint32_t low = config_read(cf8, kRegBar0 + 4 * bir, 4);
    if (low & 1)
        return 0;  // an I/O BAR
    uint64_t addr = low & ~uint64_t{0xf};
    if (((low >> 1) & 3) == 2 && bir < 5)  // 64-bit
        addr |= uint64_t{config_read(cf8, kRegBar0 + 4 * (bir + 1), 4)} << 32;
    return addr;
}

// The configuration address of a device that is there: segment 0 only,
// through the configuration ports.
Result<uint32_t> device_cf8(uint32_t seg_bus, uint32_t devfn)
{
    const Platform& p = platform();
    if (!p.pci_config_read || !p.pci_config_write)
        return Status::NOT_SUPPORTED;
    if ((seg_bus >> 16) != 0 || (seg_bus & 0xffff) > 0xff || devfn > 0xff)
        return Status::INVALID;
    uint32_t cf8 = 0x80000000u | ((seg_bus & 0xff) << 16) | (devfn << 8);
    if ((config_read(cf8, kRegVendor, 2) & 0xffff) == 0xffff)
        return Status::INVALID;  // no device there
    return cf8;
}

// The frames of `bytes` bytes at `offset` into BAR `bir` become read-only
// device memory (nothing when the BAR is not a memory BAR yet).
Status protect_region(uint32_t cf8, uint32_t bir_and_offset, uint64_t bytes)
{
    uint64_t base = bar_address(cf8, bir_and_offset & 7);
    if (!base)
        return Status::OK;
    uint64_t first = base + (bir_and_offset & ~7u);
    return mmio_ro_add(first >> 12, (first + bytes - 1) >> 12);
}

}  // namespace

Status msix_protect(uint32_t seg_bus, uint32_t devfn)
{
    Result<uint32_t> cf8 = device_cf8(seg_bus, devfn);
    if (!cf8.ok())
        return cf8.status();
    uint8_t cap = find_capability(cf8.value(), kCapMsix);
    if (!cap)
        return Status::OK;  // no MSI-X: nothing to protect
    uint32_t entries = (config_read(cf8.value(), cap + 2u, 2) & 0x7ffu) + 1;
    VIREO_TRY(protect_region(cf8.value(), config_read(cf8.value(), cap + 4u, 4), 16ull * entries));
    return protect_region(cf8.value(), config_read(cf8.value(), cap + 8u, 4), 8ull * ((entries + 63) / 64));
}

Result<MsiTarget> msi_locate(uint32_t seg_bus, uint32_t devfn, uint32_t entry_nr, uint64_t table_base)
{
    Result<uint32_t> cf8 = device_cf8(seg_bus, devfn);
    if (!cf8.ok())
        return cf8.status();
    MsiTarget t;
    t.cf8 = cf8.value();
    t.msix = table_base != 0;
    t.cap = find_capability(t.cf8, t.msix ? kCapMsix : kCapMsi);
    if (!t.cap)
        return Status::INVALID;
    uint16_t ctrl = static_cast<uint16_t>(config_read(t.cf8, t.cap + 2u, 2));
    if (!t.msix) {
        if (entry_nr != 0)
            return Status::INVALID;  // one vector per device (no multi-message)
        t.is64 = ctrl & kMsiCtrl64;
        t.maskable = ctrl & kMsiCtrlMaskable;
        return t;
    }
    uint32_t table_size = (ctrl & 0x7ffu) + 1;
    uint32_t table = config_read(t.cf8, t.cap + 4u, 4);
    if (entry_nr >= table_size || bar_address(t.cf8, table & 7) != table_base)
        return Status::INVALID;
    t.maskable = true;
    t.entry_paddr = table_base + (table & ~7u) + 16ull * entry_nr;
    return t;
}

void msi_program(const MsiTarget& t, unsigned source)
{
    const Platform& p = platform();
    uint64_t address = 0;
    uint32_t data = 0;
    p.msi_message(source, &address, &data);
    if (t.msix) {
        p.msix_write(source, t.entry_paddr + 12, kMsixEntryMasked);
        p.msix_write(source, t.entry_paddr + 0, static_cast<uint32_t>(address));
        p.msix_write(source, t.entry_paddr + 4, static_cast<uint32_t>(address >> 32));
        p.msix_write(source, t.entry_paddr + 8, data);
        return;
    }
    msi_set_mask(t, source, true);
    config_write(t.cf8, t.cap + 4u, 4, static_cast<uint32_t>(address));
    if (t.is64) {
        config_write(t.cf8, t.cap + 8u, 4, static_cast<uint32_t>(address >> 32));
        config_write(t.cf8, t.cap + 12u, 2, data);
    } else {
        config_write(t.cf8, t.cap + 8u, 2, data);
    }
}

void msi_set_mask(const MsiTarget& t, unsigned source, bool masked)
{
    if (t.msix) {
        platform().msix_write(source, t.entry_paddr + 12, masked ? kMsixEntryMasked : 0);
    } else if (t.maskable) {
        // Vector 0's bit of the mask register (after the data word).
        unsigned reg = t.cap + (t.is64 ? 16u : 12u);
        uint32_t bits = config_read(t.cf8, reg, 4);
        config_write(t.cf8, reg, 4, masked ? bits | 1 : bits & ~1u);
    }
    // A plain MSI without mask bits cannot be masked: dom0 disables it.
}

}  // namespace vireo

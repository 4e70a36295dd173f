#include "hv/arch/x86_64/pci.hpp"

#include "hv/arch/x86_64/cpu.hpp"
#include "hv/arch/x86_64/ioapic.hpp"
#include "hv/arch/x86_64/layout.hpp"
#include "hv/arch/x86_64/paging.hpp"
#include "hv/arch/x86_64/percpu.hpp"
#include "hv/arch/x86_64/pte.hpp"
#include "hv/arch/x86_64/tlb_shootdown.hpp"
#include "hv/core/physical_irq.hpp"
#include "hv/core/platform.hpp"

namespace vireo::arch {
namespace {

constexpr uint16_t kConfigAddress = 0xcf8, kConfigData = 0xcfc;
// One uncached window per MSI source onto the page of its MSI-X table
// entry, after the I/O APICs' windows.
constexpr uint64_t kMsixWindows = kImageBase + 0x40000000 + 0x10000;
uint64_t g_window_page[kMaxMsiSources];

// Callers hold the hypervisor lock, so the address and data accesses are
// one step for every other user of the ports (dom0's accesses are
// emulated under the same lock).
uint32_t config_read(uint32_t cf8, unsigned offset, unsigned bytes)
{
    Io::out32(kConfigAddress, cf8 & ~3u);
    return Io::in(static_cast<uint16_t>(kConfigData + (offset & 3)), bytes);
}

void config_write(uint32_t cf8, unsigned offset, unsigned bytes, uint32_t value)
{
    Io::out32(kConfigAddress, cf8 & ~3u);
    Io::out(static_cast<uint16_t>(kConfigData + (offset & 3)), bytes, value);
}

// Fixed delivery, physical destination: the boot CPU, which takes every
// device interrupt (as the I/O APIC routes lines).
void msi_message(unsigned source, uint64_t* address, uint32_t* data)
{
    *address = 0xfee00000u | (uint64_t{cpu_data(0).apic_id & 0xff} << 12);
    *data = kFirstDeviceVector + kMaxIrqLines + source;  // edge, fixed
}

void msix_write(unsigned source, uint64_t paddr, uint32_t value)
{
    if (source >= kMaxMsiSources || (paddr & 3))
        return;
    uint64_t page = paddr & ~uint64_t{0xfff};
    uint64_t va = kMsixWindows + 0x1000 * source;
    if (g_window_page[source] != page) {
        if (map_hypervisor_page(va, page, Pte::kWrite | Pte::kPcd | Pte::kPwt | Pte::kNx) != Status::OK)
            return;
        // Another CPU may still translate the window to the old page.
        if (g_window_page[source])
            tlb_flush_domain(nullptr);
        g_window_page[source] = page;
    }
    *reinterpret_cast<volatile uint32_t*>(va + (paddr & 0xfff)) = value;
}

}  // namespace

void pci_install_platform_ops()
{
    Platform ops = platform();
    ops.pci_config_read = config_read;
    ops.pci_config_write = config_write;
    ops.msi_message = msi_message;
    ops.msix_write = msix_write;
    platform_install(ops);
}

}  // namespace vireo::arch

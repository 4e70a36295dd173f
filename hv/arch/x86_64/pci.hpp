// PCI configuration space through the type-1 ports (0xcf8 address, 0xcfc
// data) and message-signalled interrupts for dom0's devices: the platform
// operations the core's pci_msi.cpp and port_io.cpp use.
#pragma once

namespace vireo::arch {

void pci_install_platform_ops();

}  // namespace vireo::arch

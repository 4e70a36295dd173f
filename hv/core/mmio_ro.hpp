// Device memory dom0 may read but never write: the MSI-X tables and
// pending-bit arrays of its devices (Xen's mmio_ro_ranges). The hypervisor
// programs MSI-X entries itself (pci_msi.hpp) with messages that raise its
// own vectors; a writable mapping would let dom0 aim a device's interrupts
// at any vector or CPU, behind the hypervisor's back. As on Xen, an L1
// entry mapping such a frame writable is accepted with its RW bit cleared
// (page_tables.cpp).
#pragma once

#include <stdint.h>

#include "lib/status.hpp"

namespace vireo {

// Frames first..last (inclusive) become read-only device memory. NO_MEMORY
// when the table of ranges is full (they then stay writable: said in the
// log by the caller).
Status mmio_ro_add(uint64_t first_mfn, uint64_t last_mfn);
bool mmio_ro_contains(uint64_t mfn);
// Forgets every range (hosted tests).
void mmio_ro_reset();

}  // namespace vireo

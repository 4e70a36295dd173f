// Xen ELF note types (xen/include/public/elfnote.h): notes named "Xen" in a
// PV kernel tell the domain builder how to load and start it.
#pragma once

#include <stdint.h>

namespace xen {

inline constexpr uint32_t XEN_ELFNOTE_INFO = 0;
inline constexpr uint32_t XEN_ELFNOTE_ENTRY = 1;
inline constexpr uint32_t XEN_ELFNOTE_HYPERCALL_PAGE = 2;
inline constexpr uint32_t XEN_ELFNOTE_VIRT_BASE = 3;
inline constexpr uint32_t XEN_ELFNOTE_PADDR_OFFSET = 4;
inline constexpr uint32_t XEN_ELFNOTE_XEN_VERSION = 5;
inline constexpr uint32_t XEN_ELFNOTE_GUEST_OS = 6;
inline constexpr uint32_t XEN_ELFNOTE_GUEST_VERSION = 7;
inline constexpr uint32_t XEN_ELFNOTE_LOADER = 8;
inline constexpr uint32_t XEN_ELFNOTE_PAE_MODE = 9;
inline constexpr uint32_t XEN_ELFNOTE_FEATURES = 10;
inline constexpr uint32_t XEN_ELFNOTE_BSD_SYMTAB = 11;
inline constexpr uint32_t XEN_ELFNOTE_HV_START_LOW = 12;
inline constexpr uint32_t XEN_ELFNOTE_L1_MFN_VALID = 13;
inline constexpr uint32_t XEN_ELFNOTE_SUSPEND_CANCEL = 14;
inline constexpr uint32_t XEN_ELFNOTE_INIT_P2M = 15;
inline constexpr uint32_t XEN_ELFNOTE_MOD_START_PFN = 16;
inline constexpr uint32_t XEN_ELFNOTE_SUPPORTED_FEATURES = 17;
inline constexpr uint32_t XEN_ELFNOTE_PHYS32_ENTRY = 18;

}  // namespace xen

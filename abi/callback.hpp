// callback_op (xen/include/public/callback.h): the guest's entry points for
// events, failsafe returns, system calls and NMIs.
#pragma once

#include <stdint.h>

namespace xen {

inline constexpr uint16_t CALLBACKTYPE_event = 0;
inline constexpr uint16_t CALLBACKTYPE_failsafe = 1;
inline constexpr uint16_t CALLBACKTYPE_syscall = 2;
inline constexpr uint16_t CALLBACKTYPE_sysenter_deprecated = 3;
inline constexpr uint16_t CALLBACKTYPE_nmi = 4;
inline constexpr uint16_t CALLBACKTYPE_sysenter = 5;
inline constexpr uint16_t CALLBACKTYPE_syscall32 = 7;

inline constexpr uint16_t CALLBACKF_mask_events = 1u << 0;

inline constexpr uint64_t CALLBACKOP_register = 0;
inline constexpr uint64_t CALLBACKOP_unregister = 1;

struct callback_register {
    uint16_t type;
    uint16_t flags;
    uint32_t pad;
    uint64_t address;
};
static_assert(sizeof(callback_register) == 16);

struct callback_unregister {
    uint16_t type;
    uint16_t _unused;
};
static_assert(sizeof(callback_unregister) == 4);

}  // namespace xen

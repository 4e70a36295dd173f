// sched_op (xen/include/public/sched.h).
#pragma once

#include <stdint.h>

namespace xen {

inline constexpr uint64_t SCHEDOP_yield = 0;
inline constexpr uint64_t SCHEDOP_block = 1;
inline constexpr uint64_t SCHEDOP_shutdown = 2;
inline constexpr uint64_t SCHEDOP_poll = 3;
inline constexpr uint64_t SCHEDOP_remote_shutdown = 4;
inline constexpr uint64_t SCHEDOP_shutdown_code = 5;
inline constexpr uint64_t SCHEDOP_watchdog = 6;
inline constexpr uint64_t SCHEDOP_pin_override = 7;

inline constexpr uint32_t SHUTDOWN_poweroff = 0;
inline constexpr uint32_t SHUTDOWN_reboot = 1;
inline constexpr uint32_t SHUTDOWN_suspend = 2;
inline constexpr uint32_t SHUTDOWN_crash = 3;
inline constexpr uint32_t SHUTDOWN_watchdog = 4;
inline constexpr uint32_t SHUTDOWN_soft_reset = 5;
inline constexpr uint32_t SHUTDOWN_MAX = 5;

struct sched_shutdown {
    uint32_t reason;  // SHUTDOWN_*
};
static_assert(sizeof(sched_shutdown) == 4);

struct sched_poll {
    uint64_t ports;      // guest handle to evtchn_port_t[]
    uint32_t nr_ports;   // 8
    uint32_t pad;
    uint64_t timeout;    // 16
};
static_assert(sizeof(sched_poll) == 24);

struct sched_remote_shutdown {
    uint16_t domain_id;
    uint16_t pad;
    uint32_t reason;
};
static_assert(sizeof(sched_remote_shutdown) == 8);

}  // namespace xen

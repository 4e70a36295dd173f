// event_channel_op (xen/include/public/event_channel.h), 2-level ABI.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace xen {

inline constexpr uint64_t EVTCHNOP_bind_interdomain = 0;
inline constexpr uint64_t EVTCHNOP_bind_virq = 1;
inline constexpr uint64_t EVTCHNOP_bind_pirq = 2;
inline constexpr uint64_t EVTCHNOP_close = 3;
inline constexpr uint64_t EVTCHNOP_send = 4;
inline constexpr uint64_t EVTCHNOP_status = 5;
inline constexpr uint64_t EVTCHNOP_alloc_unbound = 6;
inline constexpr uint64_t EVTCHNOP_bind_ipi = 7;
inline constexpr uint64_t EVTCHNOP_bind_vcpu = 8;
inline constexpr uint64_t EVTCHNOP_unmask = 9;
inline constexpr uint64_t EVTCHNOP_reset = 10;
inline constexpr uint64_t EVTCHNOP_init_control = 11;
inline constexpr uint64_t EVTCHNOP_expand_array = 12;
inline constexpr uint64_t EVTCHNOP_set_priority = 13;

inline constexpr uint32_t EVTCHNSTAT_closed = 0;
inline constexpr uint32_t EVTCHNSTAT_unbound = 1;
inline constexpr uint32_t EVTCHNSTAT_interdomain = 2;
inline constexpr uint32_t EVTCHNSTAT_pirq = 3;
inline constexpr uint32_t EVTCHNSTAT_virq = 4;
inline constexpr uint32_t EVTCHNSTAT_ipi = 5;

using evtchn_port_t = uint32_t;
using domid_t = uint16_t;

struct evtchn_alloc_unbound {
    domid_t dom, remote_dom;
    evtchn_port_t port;  // OUT
};
static_assert(sizeof(evtchn_alloc_unbound) == 8);

struct evtchn_bind_interdomain {
    domid_t remote_dom;
    uint16_t pad;
    evtchn_port_t remote_port;
    evtchn_port_t local_port;  // OUT
};
static_assert(sizeof(evtchn_bind_interdomain) == 12);

struct evtchn_bind_virq {
    uint32_t virq;
    uint32_t vcpu;
    evtchn_port_t port;  // OUT
};
static_assert(sizeof(evtchn_bind_virq) == 12);

// A physical interrupt (pirq) the domain mapped, delivered on a new port.
inline constexpr uint32_t BIND_PIRQ__WILL_SHARE = 1;
struct evtchn_bind_pirq {
    uint32_t pirq;
    uint32_t flags;      // BIND_PIRQ__*
    evtchn_port_t port;  // OUT
};
static_assert(sizeof(evtchn_bind_pirq) == 12);

struct evtchn_bind_ipi {
    uint32_t vcpu;
    evtchn_port_t port;  // OUT
};
static_assert(sizeof(evtchn_bind_ipi) == 8);

struct evtchn_close {
    evtchn_port_t port;
};
struct evtchn_send {
    evtchn_port_t port;
};
struct evtchn_unmask {
    evtchn_port_t port;
};
struct evtchn_bind_vcpu {
    evtchn_port_t port;
    uint32_t vcpu;
};
static_assert(sizeof(evtchn_bind_vcpu) == 8);
struct evtchn_reset {
    domid_t dom;
};

struct evtchn_status {
    domid_t dom;
    uint16_t pad;
    evtchn_port_t port;
    uint32_t status;  // OUT: EVTCHNSTAT_*
    uint32_t vcpu;    // OUT
    union {
        struct {
            domid_t dom;
        } unbound;
        struct {
            domid_t dom;
            uint16_t pad;
            evtchn_port_t port;
        } interdomain;
        uint32_t pirq;
        uint32_t virq;
    } u;
};
static_assert(sizeof(evtchn_status) == 24);
static_assert(offsetof(evtchn_status, status) == 8);
static_assert(offsetof(evtchn_status, u) == 16);

// vcpu_op (xen/include/public/vcpu.h).
inline constexpr uint64_t VCPUOP_initialise = 0;
inline constexpr uint64_t VCPUOP_up = 1;
inline constexpr uint64_t VCPUOP_down = 2;
inline constexpr uint64_t VCPUOP_is_up = 3;
inline constexpr uint64_t VCPUOP_get_runstate_info = 4;
inline constexpr uint64_t VCPUOP_register_runstate_memory_area = 5;
inline constexpr uint64_t VCPUOP_set_periodic_timer = 6;
inline constexpr uint64_t VCPUOP_stop_periodic_timer = 7;
inline constexpr uint64_t VCPUOP_set_singleshot_timer = 8;
inline constexpr uint64_t VCPUOP_stop_singleshot_timer = 9;
inline constexpr uint64_t VCPUOP_register_vcpu_info = 10;

struct vcpu_set_singleshot_timer {
    uint64_t timeout_abs_ns;
    uint32_t flags;  // VCPU_SSHOTTMR_*
    uint32_t pad;
};
static_assert(sizeof(vcpu_set_singleshot_timer) == 16);
inline constexpr uint32_t VCPU_SSHOTTMR_future = 1u << 0;

struct vcpu_set_periodic_timer {
    uint64_t period_ns;
};

}  // namespace xen

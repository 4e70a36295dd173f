// Event channels for test kernels without an event callback: ports are
// polled through shared_info, and SCHEDOP_block sleeps until one fires.
#pragma once

#include <stdint.h>

#include "abi/event_channel.hpp"

namespace guest {

long evtchn_op(uint64_t cmd, void* arg);
long evtchn_send(uint32_t port);
// Sleeps until `port` is pending, then clears it. Needs map_shared_info.
void evtchn_wait(uint32_t port);
// True (and cleared) if `port` was pending.
bool evtchn_take(uint32_t port);
// Sleeps (SCHEDOP_block) until some event arrives, unless `port` is
// pending already. Leaves `port`'s pending bit as it is.
void evtchn_block_unless_pending(uint32_t port);

}  // namespace guest

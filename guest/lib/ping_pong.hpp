// The inter-domain ping-pong: dom0 finds the port its peer offered, binds
// it, and plays lock-step rounds, every event answered, none lost. Used by
// the boot-time scenario (ping, with guest/scenario/pong.cpp as the peer)
// and by the domain builder (builder, with guest/scenario/pong_poll.cpp).
//
// On Xen both sides must wait in SCHEDOP_poll, not SCHEDOP_block (the
// runtime's evtchn_wait and sleep_ns): Xen returns from a block with the
// vCPU's events unmasked, so a kernel with no event callback is crashed by
// the next upcall; poll leaves the mask alone (the test kernels run with
// events masked throughout).
#pragma once

#include <stdint.h>

namespace guest {

// The peer (pong, pong_serve) answers exactly this many events, then
// waits for one more that stops it.
inline constexpr unsigned kPingPongRounds = 100000;

// Sleeps in SCHEDOP_poll until `port` is pending, then clears it.
void poll_wait(uint32_t port);
// Sleeps in SCHEDOP_poll on no port until system time has moved `ns` on.
void poll_sleep_ns(uint64_t ns);

// The port `peer` offered dom0 with alloc_unbound, bound here; 0 (after a
// failed check) if none came within a second.
uint32_t ping_connect(uint16_t peer);

struct PingPongFigures {
    unsigned answered;
    uint64_t ns_per_round;           // system time over all rounds
    uint64_t best_cycles_per_round;  // TSC, the best of kPingPongBatches batches
};
inline constexpr unsigned kPingPongBatches = 5;

// How dom0 sleeps between rounds. The boot-time scenario (Vireo only)
// keeps SCHEDOP_block, as its peer pong does, so its figures stay what
// they were; the builder polls, as it must on Xen.
enum class WaitStyle { block, poll };

// Plays kPingPongRounds round trips on `port`, prints the scenario's
// result line and cycles-per-domain-pingpong (for bench/cpu_bench.py),
// checks every round was answered, and sends the event that stops the
// peer.
PingPongFigures ping_play(uint32_t port, WaitStyle wait);

// The peer's side: offers dom0 a port (alloc_unbound), answers
// kPingPongRounds events, then waits for the one that stops it. Returns
// how many it answered (0 if it could not offer a port).
unsigned pong_serve();

}  // namespace guest

// The consoles of domains other than dom0, served by Vireo itself (on Xen,
// xenconsoled in dom0 does this): output written with console_io or into
// the domain's console ring is collected into lines, each printed on the
// serial line with the domain's name in front; input typed while the domain
// has the console focus goes into its ring.
//
// The ring page and its event channel are set up by the builder and named
// in start_info (console.domU). Everything in the ring is the guest's to
// scribble on: indexes are checked on every read, and a ring whose
// producer runs more than a ring's length ahead is taken as empty.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "hv/core/domain.hpp"

namespace vireo {

// The builder gives d a console ring (machine address) and the port the
// guest notifies us on.
void guest_console_attach(Domain& d, uint64_t ring_maddr, uint32_t port);
// Text the domain wrote (console_io or its ring), collected into lines.
void guest_console_write(Domain& d, const char* s, size_t n);
// The guest notified its console port: drain its output ring.
void guest_console_kick(Domain& d);
// Drains every domain's ring (from the periodic console poll), so output
// of a guest that never notifies still appears.
void guest_console_poll();
// A character typed while d has the console focus.
void guest_console_input(Domain& d, char c);
bool guest_console_has_ring(const Domain& d);

}  // namespace vireo

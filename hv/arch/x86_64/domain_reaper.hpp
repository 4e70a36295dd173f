// Vireo acts as the toolstack for boot-time domains: a domU that shut down
// is taken apart as soon as nothing of it is in use on any CPU (its memory
// back in the allocator), and one that asked to reboot is built again from
// its configuration line. The record of a stopped domain stays (dom0 can
// still ask how it ended). dom0 stopping stops the machine instead.
// Domains dom0's toolstack created are its own to end (domctl
// destroydomain, which asks domain_off_cpus before it takes one apart).
#pragma once

#include "hv/core/domain.hpp"

namespace vireo::arch {

// Called by every CPU's scheduler loop, with the hypervisor lock held.
void reap_stopped_domains();
// Platform::domain_off_cpus (destroydomain), with the hypervisor lock held.
bool domain_off_cpus(Domain& d);

}  // namespace vireo::arch

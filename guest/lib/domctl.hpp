// A privileged test kernel's view of other domains through domctl.
#pragma once

#include <stdint.h>

#include "abi/domctl.hpp"

namespace guest {

// getdomaininfo for exactly `domid`; false if there is no such domain.
bool domain_info(uint16_t domid, xen::xen_domctl_getdomaininfo& out);
// The domain's BVT parameters (VIREO_SCHEDULER_BVT), read or set.
long bvt_get(uint16_t domid, xen::vireo_domctl_sched_bvt& out);
long bvt_set(uint16_t domid, const xen::vireo_domctl_sched_bvt& params);

}  // namespace guest

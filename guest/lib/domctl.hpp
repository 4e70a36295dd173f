// A privileged test kernel's view of other domains through domctl, and of
// the machine's free memory through sysctl.
#pragma once

#include <stdint.h>

#include "abi/domctl.hpp"

namespace guest {

// XEN_SYSCTL_physinfo's free frames, or -errno.
long machine_free_pages();

// A domctl of `cmd` on `domid` at Xen 4.17's interface version, the rest
// zero; and issuing one (the hypervisor writes results back into `op`).
xen::xen_domctl domctl_op(uint32_t cmd, uint16_t domid);
long domctl(xen::xen_domctl& op);

// getdomaininfo for exactly `domid`; false if there is no such domain.
bool domain_info(uint16_t domid, xen::xen_domctl_getdomaininfo& out);
// The domain's BVT parameters (VIREO_SCHEDULER_BVT), read or set.
long bvt_get(uint16_t domid, xen::vireo_domctl_sched_bvt& out);
long bvt_set(uint16_t domid, const xen::vireo_domctl_sched_bvt& params);

}  // namespace guest

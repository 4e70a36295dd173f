// Taking a stopped domain apart: what a toolstack's "destroy" does on Xen.
// Every reference the domain's vCPUs hold (GDT frames, base tables, the
// vcpu_info page) and every pin is dropped, which undoes the validation of
// its page tables; its event channels are closed (peers see them unbound);
// then every frame it owns loses its allocation reference and, with
// nothing else holding it, is scrubbed and returned to the allocator, its
// machine-to-phys entry cleared (frames it gave back while still using
// them go the same way as its own references drop). A frame something
// else still holds (a mapping another domain made of it) is left where it
// is and reported: it is never handed out while reachable, and is freed
// when that last reference goes.
//
// Nothing of the domain may be in use on any CPU meanwhile: the caller
// makes sure its vCPUs are off every CPU and its page tables loaded
// nowhere.
#pragma once

#include "hv/core/domain.hpp"
#include "lib/status.hpp"

namespace vireo {

struct TeardownReport {
    uint64_t frames_freed = 0;
    uint64_t frames_kept = 0;  // still referenced from elsewhere
};

TeardownReport domain_release_resources(Domain& d);

// The same in rounds (destroydomain is preemptible, as Xen's): each call
// looks at no more than `budget` frames and returns RESTART while there is
// more to do, its progress kept in d (teardown_phase, _cursor, _owned);
// OK once done, with the report filled in.
Status domain_release_step(Domain& d, uint64_t budget, TeardownReport& report);
bool domain_teardown_done(const Domain& d);

}  // namespace vireo

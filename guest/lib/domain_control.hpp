// What a toolstack in dom0 asks of the hypervisor to build, start and end
// another domain: the domctl operations (Xen 4.17's interface 0x15), the
// reservation of its memory, foreign mmu operations, and the machine's free
// frames. Each returns 0 (or a count) or a negative Xen errno.
#pragma once

#include <stdint.h>

#include "abi/domctl.hpp"
#include "abi/vcpu.hpp"

namespace guest {

// A PV domain for one vCPU, created paused; `domid` receives its id.
long create_pv_domain(uint16_t& domid);
// XEN_DOMCTL_max_vcpus: since Xen 4.12 createdomain only sizes the vCPU
// array and this creates the vCPUs (count must equal max_vcpus).
long create_vcpus(uint16_t domid, uint32_t count);
long set_max_mem(uint16_t domid, uint64_t max_kb);
// XENMEM_populate_physmap of `count` single frames for pfns 0..count-1; for
// a PV domain the hypervisor writes each frame's MFN back into `frames` and
// records pfn in the M2P. Returns the number of frames populated.
long populate_physmap(uint16_t domid, uint64_t* frames, uint64_t count);
// XEN_DOMCTL_hypercall_init: the hypervisor writes its hypercall page into
// the domain's frame `mfn`.
long hypercall_init(uint16_t domid, uint64_t mfn);
long set_vcpu_context(uint16_t domid, uint32_t vcpu, const xen::vcpu_guest_context& ctx);
long unpause_domain(uint16_t domid);
// Kills the domain; continues the hypercall until the teardown is done.
long destroy_domain(uint16_t domid);

// One mmu_update or mmuext_op whose frames belong to `foreigndom`.
long mmu_update_foreign(uint64_t ptr, uint64_t val, uint16_t foreigndom);
long mmuext_foreign(uint32_t cmd, uint64_t mfn, uint16_t foreigndom);

}  // namespace guest

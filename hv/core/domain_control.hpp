// What dom0's toolstack does to domains through domctl, with Xen 4.17's
// rules (xen/common/domain.c): create an empty, paused PV domain, pause and
// unpause it (a count), and kill it. The hypercall edge (hc_domctl.cpp)
// decodes and checks privilege; these do the work.
//
// A domain created here has no memory (tot_pages and max_pages 0 until
// max_mem; dom0 populates it through memory_op), a shared_info page (not
// counted, as Xen's xenheap page), its vCPUs down without a context, and
// a controller pause count of 1 (Xen's toolstack pause): it runs once dom0
// unpauses it and a vCPU is up.
#pragma once

#include "abi/domctl.hpp"
#include "hv/core/domain.hpp"
#include "lib/status.hpp"

namespace vireo {

// Validates a createdomain request in Xen's order (sanitise_domain_config,
// then arch and grant-table limits): INVALID for anything a PV-only Vireo
// cannot give (HVM, HAP, nested virtualisation, vPMU, IOMMU, vmtrace,
// S3 integrity, unknown bits, vCPU counts outside 1..kMaxVcpusPerDomain,
// grant limits out of Xen's bounds); NOT_SUPPORTED (Xen's EOPNOTSUPP)
// for emulated devices a PV domain cannot have; NO_DOMAIN (ESRCH) for a
// CPU pool other than pool 0.
Status createdomain_check(const xen::xen_domctl_createdomain& c);
// The id a new domain gets: `wanted` if it names a free ordinary id
// (EXISTS if taken), else (0 or a reserved id) the next free one after
// the last given, as Xen's rover (NO_MEMORY when none is free).
Result<uint16_t> createdomain_pick_id(uint16_t wanted);
// Creates the domain (checked first). NO_MEMORY when the domain table or
// memory for shared_info is full.
Result<Domain*> domain_create_for_toolstack(uint16_t id, const xen::xen_domctl_createdomain& c);

// domctl max_vcpus: creates the vCPUs createdomain sized (Xen 4.17 needs
// this before any vCPU has a context); INVALID unless `count` is that size.
Status domain_create_vcpus(Domain& d, uint32_t count);

// The toolstack's pause count: RANGE (Xen's EOVERFLOW) past 255, INVALID
// when unpausing at 0. Vireo pauses asynchronously: vCPUs running
// elsewhere leave their CPUs on their next way back to the guest.
Status domain_pause_by_controller(Domain& d);
Status domain_unpause_by_controller(Domain& d);

// destroydomain (Xen's domain_kill): stops the domain, then takes it apart
// in rounds; RESTART while there is more to do (the hypercall continues),
// OK once done. Frames another domain still maps stay the domain's, and
// the domain stays DYING (its id taken) until the last is unmapped.
Status domain_kill(Domain& d);

}  // namespace vireo

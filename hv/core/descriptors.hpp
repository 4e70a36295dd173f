// Guest segment descriptors: set_gdt and update_descriptor.
//
// A 64-bit PV guest runs its kernel in ring 3, so no descriptor it supplies
// may lead to ring 0: every present code or data descriptor has its DPL
// raised to 3; system descriptors (TSS, LDT, interrupt/trap gates) are
// refused. Call gates to guest code are kept with DPL 0, as Xen keeps them,
// so that their use faults (Xen then emulates the far call; Vireo passes
// the #GP to the guest). Not-present descriptors and type 0 are harmless.
// Base and limit need no check: in 64-bit mode they are ignored for code
// and data, and a 32-bit segment cannot reach above 4 GiB.
//
// A frame holding a GDT has the SEG_DESC type (every descriptor in it
// checked), so the guest cannot map it writable and changes it only through
// update_descriptor. The vCPU keeps a reference and a type reference on each
// of its GDT frames; the arch layer copies the descriptors into the CPU's
// GDT when the vCPU runs.
#pragma once

#include "hv/core/domain.hpp"
#include "hv/core/frame_table.hpp"
#include "lib/status.hpp"

namespace vireo {

// Xen's FIRST_RESERVED_GDT_ENTRY: the guest owns entries below it.
inline constexpr unsigned kGuestGdtEntries = 14 * 512;

// Checks one descriptor, raising its DPL as needed. False: refused.
bool check_descriptor(uint64_t& desc);

// Validates a frame as a page of descriptors (the SEG_DESC type).
class DescriptorRules final : public TypeValidator {
public:
    Status validate(Mfn mfn, PageType type) override;
    void invalidate(Mfn, PageType) override {}
};

// Whether v may return to (iret) a segment selector: one of Xen's flat
// ring-3 selectors, or a present ring-3 descriptor of the right kind in
// the vCPU's own GDT (no LDT). The hypervisor's iretq then cannot fault.
enum class SegmentUse { CODE, STACK };
bool guest_selector_ok(const Vcpu& v, uint16_t selector, SegmentUse use);

// set_gdt: the vCPU's GDT becomes `entries` descriptors in `frames`.
Status set_guest_gdt(Vcpu& v, const uint64_t* frames, unsigned entries);
// Drops the vCPU's GDT (teardown, or before a new one).
void drop_guest_gdt(Vcpu& v);
// update_descriptor: one descriptor at machine address maddr.
Status update_guest_descriptor(Domain& d, uint64_t maddr, uint64_t desc);

}  // namespace vireo

#include "hv/core/descriptors.hpp"
#include "hv/core/hot_path.hpp"

#include "hv/core/frame_allocator.hpp"
#include "hv/core/ldt.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

// Descriptor fields (Intel SDM vol. 3A, 3.4.5), in the 64-bit word.
constexpr uint64_t kPresent = uint64_t{1} << 47;
constexpr uint64_t kCodeOrData = uint64_t{1} << 44;  // S
constexpr unsigned kDplShift = 45;
constexpr uint64_t kDplMask = uint64_t{3} << kDplShift;
constexpr uint64_t kTypeMask = uint64_t{0xf} << 40;

uint64_t* descriptors_of(Mfn mfn) { return static_cast<uint64_t*>(map_machine_memory(mfn.raw << kPageShift)); }

// Tells every vCPU of d that uses `mfn` in its GDT to reload it.
void gdt_frame_changed(Domain& d, Mfn mfn)
{
    for (unsigned i = 0; i < d.nr_vcpus; ++i) {
        Vcpu& v = d.vcpus[i];
        for (unsigned f = 0; f < v.gdt_nr_frames; ++f)
            if (v.gdt_frames[f] == mfn.raw) {
                ++v.gdt_generation;
                break;
            }
    }
    if (platform().reload_guest_gdt)
        platform().reload_guest_gdt();
}

}  // namespace

VIREO_HOT bool guest_selector_ok(const Vcpu& v, uint16_t selector, SegmentUse use)
{
    constexpr uint16_t kFlatCs64 = 0xe033, kFlatCs32 = 0xe023, kFlatSs = 0xe02b;
    if (use == SegmentUse::CODE && (selector == kFlatCs64 || selector == kFlatCs32))
        return true;
    if (use == SegmentUse::STACK && selector == kFlatSs)
        return true;
    unsigned index = selector >> 3;
    if ((selector & 4) || (selector & 3) != 3 || index >= v.gdt_entries || index == 0)
        return false;
    uint64_t desc = descriptors_of(Mfn(v.gdt_frames[index / 512]))[index % 512];
    constexpr uint64_t kExec = uint64_t{1} << 43, kWritable = uint64_t{1} << 41;
    if (!(desc & kPresent) || !(desc & kCodeOrData) || ((desc & kDplMask) >> kDplShift) != 3)
        return false;
    return use == SegmentUse::CODE ? (desc & kExec) != 0 : !(desc & kExec) && (desc & kWritable);
}

bool check_descriptor(uint64_t& desc)
{
    if (!(desc & kPresent))
        return true;  // loading it faults: harmless
    if (desc & kCodeOrData) {
        desc |= kDplMask;  // DPL 3: the guest kernel runs in ring 3
        return true;
    }
    if ((desc & kTypeMask) == 0)
        return true;  // harmless (also the upper half of a 64-bit gate)
    // A call gate is kept, as Xen keeps it, when it leads to guest code:
    // its DPL becomes 0 so that every use from ring 3 faults (the old DPL
    // goes into the target selector's RPL), and a gate into the
    // hypervisor's own code is refused. System descriptors otherwise are.
    constexpr uint64_t kCallGate = uint64_t{0xc} << 40;
    if ((desc & kTypeMask) != kCallGate)
        return false;
    uint16_t sel = static_cast<uint16_t>(desc >> 16);
    uint16_t flat = static_cast<uint16_t>(sel | 3);
    bool guest_target = (sel & 4) || (sel >> 3) < kGuestGdtEntries || flat == 0xe033 || flat == 0xe023;
    if (!guest_target)
        return false;
    uint64_t dpl = (desc & kDplMask) >> kDplShift;
    sel = static_cast<uint16_t>((sel & ~3u) | dpl);
    desc = (desc & ~kDplMask & ~(uint64_t{0xffff} << 16)) | (uint64_t{sel} << 16);
    return true;
}

Status DescriptorRules::validate(Mfn mfn, PageType type)
{
    if (type != PageType::SEG_DESC)
        return Status::INVALID;
    uint64_t* descs = descriptors_of(mfn);
    // Check all first, so a refused page is left exactly as it was.
    for (unsigned i = 0; i < 512; ++i) {
        uint64_t copy = descs[i];
        if (!check_descriptor(copy))
            return Status::INVALID;
    }
    for (unsigned i = 0; i < 512; ++i)
        (void)check_descriptor(descs[i]);
    return Status::OK;
}

void drop_guest_gdt(Vcpu& v)
{
    DescriptorRules rules;
    for (unsigned f = 0; f < v.gdt_nr_frames; ++f) {
        (void)frame_table().put_type(Mfn(v.gdt_frames[f]), &rules);
        (void)frame_table().put_page(Mfn(v.gdt_frames[f]));
        v.gdt_frames[f] = 0;
    }
    v.gdt_nr_frames = 0;
    v.gdt_entries = 0;
    ++v.gdt_generation;
}

Status set_guest_gdt(Vcpu& v, const uint64_t* frames, unsigned entries)
{
    if (entries > kGuestGdtEntries)
        return Status::INVALID;
    Domain& d = *v.domain;
    unsigned nr = (entries + 511) / 512;
    flush_stale_tlbs(d);  // no stale writable translation may outlive the typing
    DescriptorRules rules;
    unsigned taken = 0;
    for (; taken < nr; ++taken) {
        Mfn mfn(frames[taken]);
        if (frame_table().get_page(mfn, d.id) != Status::OK)
            break;
        if (frame_table().get_type(mfn, PageType::SEG_DESC, &rules) != Status::OK) {
            (void)frame_table().put_page(mfn);
            break;
        }
    }
    if (taken < nr) {
        for (unsigned i = 0; i < taken; ++i) {
            (void)frame_table().put_type(Mfn(frames[i]), &rules);
            (void)frame_table().put_page(Mfn(frames[i]));
        }
        return Status::INVALID;  // as Xen: any bad frame is EINVAL
    }
    drop_guest_gdt(v);
    for (unsigned i = 0; i < nr; ++i)
        v.gdt_frames[i] = frames[i];
    v.gdt_nr_frames = nr;
    v.gdt_entries = entries;
    ++v.gdt_generation;
    if (platform().reload_guest_gdt)
        platform().reload_guest_gdt();
    return Status::OK;
}

Status update_guest_descriptor(Domain& d, uint64_t maddr, uint64_t desc)
{
    if (maddr & 7)
        return Status::INVALID;
    if (!check_descriptor(desc))
        return Status::INVALID;
    Mfn mfn(maddr >> kPageShift);
    if (frame_table().get_page(mfn, d.id) != Status::OK)
        return Status::INVALID;
    // A descriptor page keeps its type; any other frame must be one the
    // guest could write anyway.
    PageInfo* info = frame_table().get(mfn);
    PageType type = info->type == PageType::SEG_DESC && info->type_count ? PageType::SEG_DESC : PageType::WRITABLE;
    DescriptorRules rules;
    if (frame_table().get_type(mfn, type, &rules) != Status::OK) {
        (void)frame_table().put_page(mfn);
        return Status::INVALID;
    }
    __atomic_store_n(&descriptors_of(mfn)[(maddr & 0xfff) >> 3], desc, __ATOMIC_RELAXED);
    (void)frame_table().put_type(mfn, &rules);
    (void)frame_table().put_page(mfn);
    if (type == PageType::SEG_DESC) {
        gdt_frame_changed(d, mfn);
        ldt_frame_written(d, mfn);
    }
    return Status::OK;
}

}  // namespace vireo

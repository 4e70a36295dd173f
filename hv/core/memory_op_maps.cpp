// memory_op's memory maps (E820 entries, Xen 4.17 semantics).
//
// memory_map: Xen answers with the map a toolstack set for the domain, or
// -ENOSYS when none was set. xl sets one RAM entry of the domain's maximum
// for every PV domU, and nothing for dom0 (which reads the machine map).
// Vireo builds its domUs itself, so it answers as that toolstack would
// have set: one RAM entry of max_pages for a domU, -ENOSYS for dom0.
//
// machine_memory_map (privileged only): the firmware's entries, plus, in
// the holes between them, the device ranges the hypervisor keeps
// (machine_memory.hpp) as RESERVED entries, so dom0 never places a device
// there. Xen derives those from dom0's I/O memory rights; Vireo keeps a
// fixed list. A null buffer asks only for the number of entries.
#include "abi/memory.hpp"
#include "hv/core/guest_handle.hpp"
#include "hv/core/machine_memory.hpp"
#include "hv/core/memory_op.hpp"
#include "hv/core/platform.hpp"

namespace vireo {
namespace {

// Writes the machine map's entries one at a time, with Xen's room rules: a
// firmware entry needs a slot for itself and every one still to come, plus
// one spare; a hole's entry needs itself plus one spare.
struct MapWriter {
    uint64_t buffer;    // 0: count only
    uint32_t room;
    uint32_t n = 0;

    Status put(uint64_t base, uint64_t end, uint32_t type, uint32_t slots_needed)
    {
        if (buffer) {
            if (room < n + slots_needed)
                return Status::INVALID;
            xen::e820entry e{base, end - base, type};
            VIREO_TRY(platform().copy_to_guest(buffer + uint64_t{n} * sizeof e, &e, sizeof e));
        }
        ++n;
        return Status::OK;
    }
};

// The kept ranges inside the hole [from, to), as RESERVED entries.
Status put_kept(MapWriter& w, const MachineMemory& mm, uint64_t from, uint64_t to)
{
    for (unsigned k = 0; k < mm.nr_kept; ++k) {
        uint64_t b = mm.kept[k].base > from ? mm.kept[k].base : from;
        uint64_t e = mm.kept[k].end < to ? mm.kept[k].end : to;
        if (b < e)
            VIREO_TRY(w.put(b, e, xen::E820_RESERVED, 2));
    }
    return Status::OK;
}

Status write_machine_map(MapWriter& w)
{
    const MachineMemory& mm = machine_memory();
    const MemoryMap& fw = mm.firmware;
    uint64_t hole = 0;
    for (unsigned i = 0; i < fw.count(); ++i) {
        const MemRange& r = fw.at(i);
        uint32_t left = fw.count() - i;
        VIREO_TRY(put_kept(w, mm, hole, page_align_down(r.base)));
        VIREO_TRY(w.put(r.base, r.end, static_cast<uint32_t>(r.type), left + 1));
        hole = page_align_up(r.end);
    }
    uint64_t top = platform().max_device_mfn << kPageShift;
    return fw.count() && hole < top ? put_kept(w, mm, hole, top) : Status::OK;
}

}  // namespace

HypercallResult memop_memory_map(Vcpu& v, uint64_t arg)
{
    const Domain& d = *v.domain;
    xen::xen_memory_map map;
    if (platform().copy_from_guest(&map, arg, sizeof map) != Status::OK)
        return hc_error(Status::FAULT);
    if (d.privileged)
        return hc_error(Status::NOT_SUPPORTED);
    xen::e820entry ram{0, d.max_pages << kPageShift, xen::E820_RAM};
    map.nr_entries = map.nr_entries < 1 ? map.nr_entries : 1;
    if (map.nr_entries && platform().copy_to_guest(map.buffer, &ram, sizeof ram) != Status::OK)
        return hc_error(Status::FAULT);
    if (platform().copy_to_guest(arg, &map, sizeof map) != Status::OK)
        return hc_error(Status::FAULT);
    return 0;
}

HypercallResult memop_machine_memory_map(Vcpu& v, uint64_t arg)
{
    if (!v.domain->privileged)
        return hc_error(Status::PERMISSION);
    xen::xen_memory_map map;
    if (platform().copy_from_guest(&map, arg, sizeof map) != Status::OK)
        return hc_error(Status::FAULT);
    MapWriter w{map.buffer, map.nr_entries};
    if (map.buffer) {
        if (map.nr_entries < machine_memory().firmware.count() + 1)
            return hc_error(Status::INVALID);
        if (!guest_array_ok(map.buffer, map.nr_entries, sizeof(xen::e820entry)))
            return hc_error(Status::FAULT);
    }
    Status s = write_machine_map(w);
    if (s != Status::OK)
        return hc_error(s);
    map.nr_entries = w.n;
    if (platform().copy_to_guest(arg, &map, sizeof map) != Status::OK)
        return hc_error(Status::FAULT);
    return 0;
}

}  // namespace vireo

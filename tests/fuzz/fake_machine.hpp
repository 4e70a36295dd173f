// What the memory fuzzers share: a machine of a few frames in host arrays,
// the platform hooks the core needs over it, and the end of every run, the
// domain destroyed by the real teardown code with every frame it owned back
// in the allocator.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "hv/core/domain.hpp"
#include "hv/core/domain_teardown.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/frame_table.hpp"
#include "hv/core/platform.hpp"

namespace vireo::fuzz {

// The platform over `memory` (machine address = offset), with the guest
// accessors the fuzzer gives; TLB and mode changes do nothing.
inline void install_platform(Status (*copy_from)(void*, uint64_t, size_t),
                             Status (*copy_to)(uint64_t, const void*, size_t), void* (*map_machine)(uint64_t))
{
    Platform ops{};
    ops.map_machine = map_machine;
    ops.fill_hypervisor_slots = [](uint64_t* l4) { l4[256] = 0; };
    ops.copy_from_guest = copy_from;
    ops.copy_to_guest = copy_to;
    ops.flush_tlb_local = [] {};
    ops.invlpg_local = [](uint64_t) {};
    ops.load_guest_mode = [](const Vcpu&) {};
    ops.m2p_set = [](uint64_t, uint64_t) {};
    ops.max_device_mfn = 1u << 20;
    platform_install(ops);
}

// Destroys d with the real teardown: nothing may be kept, and every frame
// d owned must be freed and counted back in the allocator. Aborts with a
// line on stderr otherwise.
inline void teardown_frees_everything(Domain& d, const std::vector<PageInfo>& info)
{
    uint64_t owned = 0;
    for (const PageInfo& p : info)
        owned += p.owner == d.id;
    uint64_t free_before = frame_allocator().free_frames();
    TeardownReport report = domain_release_resources(d);
    if (report.frames_kept != 0 || report.frames_freed != owned ||
        frame_allocator().free_frames() != free_before + owned) {
        fprintf(stderr, "teardown: %lu of %lu frames freed, %lu kept, free %lu -> %lu\n", report.frames_freed, owned,
                report.frames_kept, free_before, frame_allocator().free_frames());
        abort();
    }
}

}  // namespace vireo::fuzz

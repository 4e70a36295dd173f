// A fake machine for hosted tests of the memory rules: 64 frames of memory
// in an array (map_machine points into it), the frame table and allocator
// over them, and one fresh domain per test. Fixtures derive from it and
// add their own platform hooks with `platform_ops()` before SetUp's end.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "hv/core/domain.hpp"
#include "hv/core/frame_allocator.hpp"
#include "hv/core/page_tables.hpp"
#include "hv/core/platform.hpp"

namespace vireo::test {

inline constexpr uint64_t kFakeFrames = 64;

inline std::vector<uint8_t>& fake_memory()
{
    static std::vector<uint8_t> memory(kFakeFrames * 4096);
    return memory;
}
inline void* fake_map_machine(uint64_t maddr) { return &fake_memory()[maddr]; }
// Slot 256 (the hypervisor's first) gets a recognisable entry.
inline void fake_fill_slots(uint64_t* l4) { l4[256] = 0xabc000 | 1; }

class FakeMachine : public ::testing::Test {
protected:
    std::vector<PageInfo> entries = std::vector<PageInfo>(kFakeFrames);
    MemoryMap map;
    Domain* d = nullptr;

    // The platform every fake-machine test starts from; a fixture adds to it.
    static Platform base_ops()
    {
        Platform ops{};
        ops.map_machine = fake_map_machine;
        ops.fill_hypervisor_slots = fake_fill_slots;
        ops.max_device_mfn = 1u << 20;
        return ops;
    }
    // Installs `ops`, clears memory and gives the test a domain named `name`.
    void start(const Platform& ops, const char* name)
    {
        platform_install(ops);
        std::fill(fake_memory().begin(), fake_memory().end(), 0);
        frame_table().init(entries.data(), kFakeFrames);
        ASSERT_EQ(map.add(0, kFakeFrames * 4096, 1), Status::OK);
        frame_allocator().init(frame_table(), map);
        static uint16_t next_id = 100;
        d = domain_create(next_id++, name, false);
        ASSERT_NE(d, nullptr);
    }
    void TearDown() override
    {
        if (d)
            domain_destroy(*d);
    }

    Mfn alloc() { return frame_allocator().alloc(d->id).value(); }
    uint64_t* table(Mfn m) { return reinterpret_cast<uint64_t*>(fake_map_machine(m.raw * 4096)); }
    PageInfo& info(Mfn m) { return *frame_table().get(m); }
    Status type(Mfn m, PageType t)
    {
        PageTableRules rules(*d);
        return frame_table().get_type(m, t, &rules);
    }
    Status untype(Mfn m)
    {
        PageTableRules rules(*d);
        return frame_table().put_type(m, &rules);
    }
};

}  // namespace vireo::test

// Which frames become DOMID_IO's: every frame below the top of RAM that the
// firmware does not call RAM in full, unless someone else holds it.
#include "hv/core/machine_memory.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "hv/core/frame_allocator.hpp"
#include "hv/core/frame_table.hpp"

using namespace vireo;

TEST(MachineMemory, FirmwareHolesBelowTheTopOfRamBecomeIoFrames)
{
    constexpr uint64_t kFrames = 0x300;
    std::vector<PageInfo> entries(kFrames);
    FrameTable ft;
    ft.init(entries.data(), kFrames);
    MemoryMap firmware;
    ASSERT_EQ(firmware.add(0, 0x9fc00, 1), Status::OK);           // conventional memory, EBDA above
    ASSERT_EQ(firmware.add(0xf0000, 0x10000, 2), Status::OK);     // BIOS
    ASSERT_EQ(firmware.add(0x100000, 0x180000, 1), Status::OK);   // RAM to 0x280000
    ASSERT_EQ(firmware.add(0x280000, 0x10000, 2), Status::OK);    // ACPI tables
    ASSERT_EQ(firmware.add(0x290000, 0x70000, 1), Status::OK);    // RAM to the top
    // What the hypervisor allocates from: RAM above 1 MiB.
    MemoryMap usable = firmware;
    ASSERT_EQ(usable.reserve(0, 0x100000), Status::OK);
    FrameAllocator alloc;
    alloc.init(ft, usable);
    ft.set_owner_unchecked(Mfn(0xa0), 0);  // already someone's: left alone
    ft.get(Mfn(0xa0))->count = 1;

    uint64_t n = mark_io_frames(ft, firmware);
    // 0x9f (part EBDA) to 0xff except 0xa0, and the ACPI tables' 16 frames.
    EXPECT_EQ(n, (0x100u - 0x9fu - 1) + 0x10u);
    EXPECT_EQ(ft.get(Mfn(0x9e))->owner, kOwnerHypervisor);  // RAM the hypervisor keeps
    EXPECT_EQ(ft.get(Mfn(0x9f))->owner, kOwnerIo);          // partly RAM: not RAM in full
    EXPECT_EQ(ft.get(Mfn(0xa0))->owner, 0);
    EXPECT_EQ(ft.get(Mfn(0xf5))->owner, kOwnerIo);
    EXPECT_EQ(ft.get(Mfn(0x100))->owner, kOwnerFree);
    EXPECT_EQ(ft.get(Mfn(0x285))->owner, kOwnerIo);
    EXPECT_EQ(ft.get(Mfn(0x290))->owner, kOwnerFree);
}

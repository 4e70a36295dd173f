#include "hv/core/pv_builder.hpp"
#include "hv/core/pv_image.hpp"

#include <gtest/gtest.h>

#include "tests/unit/elf_builder.hpp"

using namespace vireo;
using namespace testing_elf;

namespace {

const uint32_t kAll = pv_supported_features();

ImageError parse(const ElfSpec& s, PvImage& out)
{
    std::vector<uint8_t> bytes = build(s);
    return parse_pv_image(bytes.data(), bytes.size(), kAll, out);
}

std::string error_of(const ElfSpec& s)
{
    PvImage img;
    ImageError e = parse(s, img);
    return e.ok() ? "ok" : e.what;
}

}  // namespace

TEST(PvImage, ParsesAGoodKernel)
{
    PvImage img;
    ASSERT_TRUE(parse(ElfSpec{}, img).ok());
    EXPECT_EQ(img.entry, 0xffffffff80000000u);
    EXPECT_EQ(img.virt_base, 0xffffffff80000000u);
    EXPECT_EQ(img.virt_kstart, 0xffffffff80000000u);
    EXPECT_EQ(img.virt_kend, 0xffffffff80003000u);
    EXPECT_EQ(img.hypercall_page, 0xffffffff80001000u);
    EXPECT_EQ(img.segment_count, 1u);
    EXPECT_STREQ(img.guest_os, "test");
    EXPECT_EQ(img.features_required, 1u << 0);
    EXPECT_EQ(img.features_supported, (1u << 0) | (1u << 4));
}

TEST(PvImage, LinuxStylePaddrOffsetZeroMovesTheKernel)
{
    ElfSpec s;
    s.segments = {{0x1000000, 0x2000, std::vector<uint8_t>(16, 1)}};
    s.notes[3] = u64_note(4, 0);  // PADDR_OFFSET 0, as Linux
    s.notes[4] = u64_note(1, 0xffffffff81000000);
    s.notes[6] = u64_note(2, 0xffffffff81001000);
    PvImage img;
    ASSERT_TRUE(parse(s, img).ok()) << error_of(s);
    EXPECT_EQ(img.virt_kstart, 0xffffffff81000000u);
    EXPECT_EQ(img.segments[0].vaddr, 0xffffffff81000000u);
}

TEST(PvImage, EachBadImageGetsItsOwnMessage)
{
    struct Case {
        const char* name;
        void (*spoil)(ElfSpec&, std::vector<uint8_t>&);
        const char* message;
    };
    const Case cases[] = {
        {"not elf", [](ElfSpec&, std::vector<uint8_t>& b) { if (!b.empty()) b[0] = 'M'; }, "not an ELF image"},
        {"class", [](ElfSpec& s, std::vector<uint8_t>&) { s.elf_class = 1; }, "not a 64-bit ELF image"},
        {"machine", [](ElfSpec& s, std::vector<uint8_t>&) { s.machine = 3; }, "not for x86-64"},
        {"type", [](ElfSpec& s, std::vector<uint8_t>&) { s.type = 3; }, "not an executable"},
        {"no notes", [](ElfSpec& s, std::vector<uint8_t>&) { s.notes.clear(); }, "no Xen ELF notes"},
        {"xen version", [](ElfSpec& s, std::vector<uint8_t>&) { s.notes[1] = str_note(5, "xen-2.0"); },
         "XEN_VERSION"},
        {"overlap",
         [](ElfSpec& s, std::vector<uint8_t>&) {
             s.segments.push_back({0xffffffff80001000, 0x1000, {}});
         },
         "segments overlap"},
        {"outside file",
         [](ElfSpec&, std::vector<uint8_t>& b) { if (!b.empty()) b.resize(b.size() - 0x1000); },
         "outside the file"},
        {"entry", [](ElfSpec& s, std::vector<uint8_t>&) { s.notes[4] = u64_note(1, 0xffffffff90000000); },
         "entry point lies outside"},
        {"hv hole",
         [](ElfSpec& s, std::vector<uint8_t>&) {
             s.notes[2] = u64_note(3, 0xffff800000000000);
             s.notes[3] = u64_note(4, 0xffffffff80000000 - 0xffff800000000000 + 0xffff800000000000);
             s.segments[0].paddr = 0xffff800000000000;
             s.notes[3] = u64_note(4, 0xffff800000000000);
             s.notes[4] = u64_note(1, 0xffff800000000000);
             s.notes[6] = u64_note(2, 0xffff800000001000);
         },
         "hypervisor's reserved addresses"},
        {"feature",
         [](ElfSpec& s, std::vector<uint8_t>&) { s.notes[5] = str_note(10, "!auto_translated_physmap"); },
         "requires a Xen feature"},
        {"unknown feature",
         [](ElfSpec& s, std::vector<uint8_t>&) { s.notes[5] = str_note(10, "!flying_pigs"); },
         "unknown to Vireo"},
        {"hypercall page", [](ElfSpec& s, std::vector<uint8_t>&) { s.notes[6] = u64_note(2, 0xffffffff80001800); },
         "hypercall page"},
    };
    for (const Case& c : cases) {
        ElfSpec s;
        std::vector<uint8_t> dummy;
        c.spoil(s, dummy);
        std::vector<uint8_t> bytes = build(s);
        c.spoil(s, bytes);  // byte-level spoilers act on the built image
        PvImage img;
        ImageError e = parse_pv_image(bytes.data(), bytes.size(), kAll, img);
        ASSERT_FALSE(e.ok()) << c.name;
        EXPECT_NE(std::string(e.what).find(c.message), std::string::npos) << c.name << ": " << e.what;
    }
}

TEST(PvImage, TruncatedImagesNeverReadPastTheEnd)
{
    std::vector<uint8_t> good = build(ElfSpec{});
    for (size_t n = 0; n < good.size(); n += 7) {
        std::vector<uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));
        PvImage img;
        (void)parse_pv_image(cut.data(), cut.size(), kAll, img);  // ASan checks the reads
    }
}

TEST(PvLayout, MatchesXensStartOfDayLayout)
{
    // The hello test kernel's numbers, as Xen 4.17 printed them for it:
    // p2m ffffffff8000d000, start info ffffffff8002d000, page tables
    // ffffffff8002e000 (5 frames), boot stack ffffffff80033000, total to
    // ffffffff80400000 with 16384 pages and an 18-byte initrd.
    PvImage img;
    img.virt_base = 0xffffffff80000000;
    img.virt_kstart = 0xffffffff80000000;
    img.virt_kend = 0xffffffff8000ba24;
    PvLayout l;
    ASSERT_TRUE(plan_pv_layout(img, 18, 16384, true, l).ok());
    EXPECT_EQ(l.initrd_start, 0xffffffff8000c000u);
    EXPECT_EQ(l.p2m_start, 0xffffffff8000d000u);
    EXPECT_EQ(l.start_info, 0xffffffff8002d000u);
    EXPECT_EQ(l.pt_start, 0xffffffff8002e000u);
    EXPECT_EQ(l.pt_frames, 5u);
    EXPECT_EQ(l.stack_start, 0xffffffff80033000u);
    EXPECT_EQ(l.v_end, 0xffffffff80400000u);
}

TEST(PvLayout, PaddingIsAtLeastHalfAMegabyteTo4MiB)
{
    PvImage img;
    img.virt_base = img.virt_kstart = 0xffffffff80000000;
    for (uint64_t kend = 0x1000; kend < 0x1000000; kend = kend * 3 + 0x1000) {
        img.virt_kend = img.virt_kstart + kend;
        PvLayout l;
        ASSERT_TRUE(plan_pv_layout(img, 0, 65536, false, l).ok());
        EXPECT_EQ(l.v_end % (4u << 20), 0u);
        EXPECT_GE(l.v_end - (l.stack_start + 4096), 512u << 10);
        EXPECT_GT(l.console_page, l.xenstore_page);
        EXPECT_EQ(l.pt_start, l.console_page + 4096);
    }
}

TEST(PvLayout, RefusesImagesLargerThanTheDomain)
{
    PvImage img;
    img.virt_base = img.virt_kstart = 0xffffffff80000000;
    img.virt_kend = img.virt_kstart + (64u << 20);
    PvLayout l;
    ImageError e = plan_pv_layout(img, 0, 8192, true, l);  // 32 MiB domain
    ASSERT_FALSE(e.ok());
    EXPECT_NE(std::string(e.what).find("larger than the domain"), std::string::npos);
}

TEST(PvLayout, InitP2mPutsTheListApartAsXensBuildersDo)
{
    // A Linux-shaped domU (INIT_P2M = 512 GiB), 256 MiB, 2 MiB initrd: no
    // list in the window, start_info right after the initrd, and the list's
    // 128 frames plus its L3, L2 and L1 in the frames after v_end.
    PvImage img;
    img.virt_base = 0xffffffff80000000;
    img.virt_kstart = 0xffffffff81000000;
    img.virt_kend = 0xffffffff84400000;
    img.init_p2m = 0x8000000000;
    PvLayout l;
    ASSERT_TRUE(plan_pv_layout(img, 2u << 20, 65536, false, l).ok());
    EXPECT_EQ(l.initrd_end, 0xffffffff84600000u);
    EXPECT_EQ(l.start_info, 0xffffffff84600000u);
    EXPECT_EQ(l.xenstore_page, 0xffffffff84601000u);
    EXPECT_EQ(l.console_page, 0xffffffff84602000u);
    EXPECT_EQ(l.pt_start, 0xffffffff84603000u);
    EXPECT_EQ(l.pt_frames, 39u);  // L4, L3, L2 and 36 L1s for 72 MiB
    EXPECT_EQ(l.stack_start, 0xffffffff8462a000u);
    EXPECT_EQ(l.v_end, 0xffffffff84800000u);
    EXPECT_EQ(l.p2m_start, 0x8000000000u);
    EXPECT_EQ(l.p2m_end, 0x8000000000u + 65536 * 8);
    EXPECT_EQ(l.p2m_pfn, 0x4800u);
    EXPECT_EQ(l.p2m_frames, 131u);

    // Without the note the list stays in the window, after the initrd.
    img.init_p2m = 0;
    ASSERT_TRUE(plan_pv_layout(img, 2u << 20, 65536, false, l).ok());
    EXPECT_EQ(l.p2m_start, 0xffffffff84600000u);
    EXPECT_EQ(l.start_info, 0xffffffff84680000u);
    EXPECT_EQ(l.p2m_frames, 0u);
}

TEST(PvLayout, InitP2mTakenOrRefusedAsXenDoes)
{
    PvImage img;
    img.virt_base = img.virt_kstart = 0xffffffff80000000;
    img.virt_kend = img.virt_kstart + (4u << 20);
    PvLayout l;
    // Xen's toolstack ignores a note that is unaligned or not below the window.
    for (uint64_t ignored : {0x8000000800ull, 0xffffffff80000000ull, 0xffffffffc0000000ull}) {
        img.init_p2m = ignored;
        ASSERT_TRUE(plan_pv_layout(img, 0, 65536, false, l).ok()) << std::hex << ignored;
        EXPECT_EQ(l.p2m_frames, 0u);
        EXPECT_EQ(l.p2m_start, 0xffffffff80400000u);
    }
    struct Case {
        uint64_t p2m;
        uint64_t pages;
        const char* message;
    } cases[] = {
        {0xffffff8000000000, 65536, "shares an L4 slot"},     // the window's slot 511
        {0xffffffff7ffff000, 65536, "overlap the initial mapping"},
        {0xffff800000000000, 65536, "hypervisor's range"},
        {0x00007ffffffff000, 65536, "not at a guest address"},  // runs past the lower half
        {0x8000000000, 2048 + 3, "larger than the domain"},   // window fits, list does not
    };
    for (const Case& c : cases) {
        img.init_p2m = c.p2m;
        ImageError e = plan_pv_layout(img, 0, c.pages, false, l);
        ASSERT_FALSE(e.ok()) << std::hex << c.p2m;
        EXPECT_NE(std::string(e.what).find(c.message), std::string::npos) << std::hex << c.p2m << ": " << e.what;
    }
}

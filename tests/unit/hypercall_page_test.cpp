#include "hv/core/hypercall_page.hpp"

#include <gtest/gtest.h>

#include <cstring>

using namespace vireo;

TEST(HypercallPage, EveryStubSavesCallsAndRestores)
{
    uint8_t page[4096];
    fill_hypercall_page(page);
    for (unsigned nr = 0; nr < kHypercallStubs; ++nr) {
        const uint8_t* s = page + nr * 32;
        ASSERT_EQ(s[0], 0x51) << nr;                      // push %rcx
        ASSERT_EQ(s[1], 0x41) << nr;                      // push %r11
        ASSERT_EQ(s[2], 0x53) << nr;
        unsigned off = nr == kHypercallIret ? 4 : 3;      // iret also pushes %rax
        ASSERT_EQ(s[off], 0xb8) << nr;                    // mov $nr, %eax
        uint32_t imm;
        std::memcpy(&imm, s + off + 1, 4);
        EXPECT_EQ(imm, nr);
        EXPECT_EQ(s[off + 5], 0x0f);                      // syscall
        EXPECT_EQ(s[off + 6], 0x05);
        if (nr == kHypercallIret) {
            EXPECT_EQ(s[3], 0x50);
            EXPECT_EQ(s[off + 7], 0xcc);  // no return path
        } else {
            EXPECT_EQ(s[off + 7], 0x41);  // pop %r11
            EXPECT_EQ(s[off + 8], 0x5b);
            EXPECT_EQ(s[off + 9], 0x59);  // pop %rcx
            EXPECT_EQ(s[off + 10], 0xc3); // ret
        }
        for (unsigned i = off + 11; i < 32; ++i)
            EXPECT_EQ(s[i], 0xcc);
    }
}

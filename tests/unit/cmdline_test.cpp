#include "hv/core/cmdline.hpp"

#include <gtest/gtest.h>

using namespace vireo;

TEST(Cmdline, Dom0MemSizes)
{
    EXPECT_EQ(parse_cmdline("dom0_mem=512M").dom0_mem_bytes, 512ull << 20);
    EXPECT_EQ(parse_cmdline("console=com1 dom0_mem=2G,max:2G").dom0_mem_bytes, 2ull << 30);
    EXPECT_EQ(parse_cmdline("dom0_mem=4096").dom0_mem_bytes, 4096u);
    EXPECT_EQ(parse_cmdline("dom0_mem=12X").dom0_mem_bytes, 0u);
    EXPECT_EQ(parse_cmdline("dom0_mem=99999999999999999999G").dom0_mem_bytes, 0u);
    EXPECT_EQ(parse_cmdline("").dom0_mem_bytes, 0u);
}

TEST(Cmdline, LogLevel)
{
    auto o = parse_cmdline("loglvl=debug");
    EXPECT_TRUE(o.log_level_given);
    EXPECT_EQ(o.log_level, 3u);
    EXPECT_FALSE(parse_cmdline("loglvl=loud").log_level_given);
}

TEST(Cmdline, ModuleArgs)
{
    EXPECT_STREQ(module_args("/boot/vmlinuz console=hvc0 quiet"), "console=hvc0 quiet");
    EXPECT_STREQ(module_args("kernel"), "");
    EXPECT_STREQ(module_args(""), "");
}

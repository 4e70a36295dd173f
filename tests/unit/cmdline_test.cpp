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

TEST(Cmdline, Dom0MaxVcpus)
{
    auto count = [](const char* line, unsigned cpus) { return dom0_vcpu_count(parse_cmdline(line), cpus, 8); };
    EXPECT_EQ(count("", 4), 1u);                     // Vireo's default: one vCPU
    EXPECT_EQ(count("dom0_max_vcpus=2", 1), 2u);     // n: exactly n, even beyond the CPUs (as Xen)
    EXPECT_EQ(count("dom0_max_vcpus=2", 4), 2u);
    EXPECT_EQ(count("dom0_max_vcpus=1-4", 2), 2u);   // one per CPU, within [min, max]
    EXPECT_EQ(count("dom0_max_vcpus=1-4", 6), 4u);
    EXPECT_EQ(count("dom0_max_vcpus=3-", 2), 3u);
    EXPECT_EQ(count("dom0_max_vcpus=-2", 6), 2u);
    EXPECT_EQ(count("dom0_max_vcpus=64", 2), 8u);    // the per-domain limit
    EXPECT_EQ(count("dom0_max_vcpus=0", 4), 1u);     // refused: the default stays
    EXPECT_EQ(count("dom0_max_vcpus=4-2", 4), 1u);
    EXPECT_EQ(count("dom0_max_vcpus=x", 4), 1u);
    EXPECT_EQ(count("dom0_max_vcpus=", 4), 1u);
}

TEST(Cmdline, Dom0MemMax)
{
    auto o = parse_cmdline("dom0_mem=512M,max:1G");
    EXPECT_EQ(o.dom0_mem_bytes, 512ull << 20);
    EXPECT_EQ(o.dom0_max_bytes, 1ull << 30);
    o = parse_cmdline("dom0_mem=max:256M");
    EXPECT_EQ(o.dom0_mem_bytes, 0u);
    EXPECT_EQ(o.dom0_max_bytes, 256ull << 20);
    o = parse_cmdline("dom0_mem=min:64M,384M,max:2G");
    EXPECT_EQ(o.dom0_mem_bytes, 384ull << 20);
    EXPECT_EQ(o.dom0_max_bytes, 2ull << 30);
    EXPECT_EQ(parse_cmdline("dom0_mem=512M").dom0_max_bytes, 0u);
    // A bad item leaves both as they were.
    o = parse_cmdline("dom0_mem=512M,max:lots");
    EXPECT_EQ(o.dom0_mem_bytes, 0u);
    EXPECT_EQ(o.dom0_max_bytes, 0u);
    EXPECT_EQ(parse_cmdline("dom0_mem=512M,").dom0_mem_bytes, 0u);
}

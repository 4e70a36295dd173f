// The boot-time domain configuration: good lines become domains, each bad
// line is reported with its number and what is wrong, and only it is left
// out.
#include "hv/core/domain_config.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "hv/core/scheduler.hpp"

using namespace vireo;

namespace {

std::vector<std::string> g_reports;
void collect(const char* message) { g_reports.emplace_back(message); }

DomainConfig parse(const std::string& text, unsigned modules = 4)
{
    g_reports.clear();
    static DomainConfig config;  // large: not on the stack
    parse_domain_config(text.data(), text.size(), modules, config, collect);
    return config;
}

}  // namespace

TEST(DomainConfig, RecognisesItsMagicLineOnly)
{
    const char good[] = "#!vireo-domains\ndomain name=a kernel=2 memory=1M\n";
    EXPECT_TRUE(is_domain_config(reinterpret_cast<const uint8_t*>(good), sizeof good - 1));
    const char elf[] = "\x7f" "ELF";
    EXPECT_FALSE(is_domain_config(reinterpret_cast<const uint8_t*>(elf), 4));
    const char longer[] = "#!vireo-domainsX\n";
    EXPECT_FALSE(is_domain_config(reinterpret_cast<const uint8_t*>(longer), sizeof longer - 1));
}

TEST(DomainConfig, ParsesEveryKey)
{
    DomainConfig c = parse("#!vireo-domains\n# a comment\n\n"
                           "domain name=web kernel=3 ramdisk=4 memory=64M vcpus=2 mcu_advance=20 "
                           "warp=2000 warp_limit=5000 unwarp=20000 cmdline=\"console=hvc0 quiet\"\r\n"
                           "  domain name=db kernel=2 memory=1G\n");
    ASSERT_EQ(c.count, 2u);
    EXPECT_EQ(c.errors, 0u);
    const DomainSpec& web = c.domains[0];
    EXPECT_STREQ(web.name, "web");
    EXPECT_EQ(web.line, 4u);
    EXPECT_EQ(web.kernel_module, 3u);
    EXPECT_EQ(web.ramdisk_module, 4u);
    EXPECT_EQ(web.memory_bytes, 64ull << 20);
    EXPECT_EQ(web.vcpus, 2u);
    EXPECT_EQ(web.bvt.mcu_advance, 20u);
    EXPECT_TRUE(web.bvt.warp_enabled);
    EXPECT_EQ(web.bvt.warp, 2000ull * 1000 * 20);  // 2 ms of CPU time at its own rate
    EXPECT_EQ(web.bvt.warp_limit_ns, 5000000u);
    EXPECT_EQ(web.bvt.unwarp_req_ns, 20000000u);
    EXPECT_STREQ(web.cmdline, "console=hvc0 quiet");
    const DomainSpec& db = c.domains[1];
    EXPECT_EQ(db.vcpus, 1u);
    EXPECT_EQ(db.bvt.mcu_advance, kBvtDefaultMcuAdvance);
    EXPECT_FALSE(db.bvt.warp_enabled);
    EXPECT_EQ(db.cmdline[0], '\0');
}

TEST(DomainConfig, EachBadLineIsNamedAndSkipped)
{
    struct Case {
        const char* line;
        const char* message;
    } cases[] = {
        {"dom name=a kernel=2 memory=1M", "'dom': expected 'domain"},
        {"domain kernel=2 memory=1M", "no name="},
        {"domain name=a memory=1M", "no kernel="},
        {"domain name=a kernel=2", "no memory="},
        {"domain name=a kernel=1 memory=1M", "kernel=1: not a boot module"},
        {"domain name=a kernel=9 memory=1M", "kernel=9: not a boot module"},
        {"domain name=a kernel=2 memory=12Q", "memory=12Q"},
        {"domain name=a kernel=2 memory=100K", "memory=100K"},
        {"domain name=a kernel=2 memory=1M vcpus=0", "vcpus=0"},
        {"domain name=a kernel=2 memory=1M vcpus=99", "vcpus=99"},
        {"domain name=a kernel=2 memory=1M mcu_advance=0", "mcu_advance=0"},
        {"domain name=a kernel=2 memory=1M warp=100", "warp needs warp_limit"},
        {"domain name=a kernel=2 memory=1M colour=blue", "unknown key 'colour'"},
        {"domain name=a kernel=2 memory=1M bare", "'bare' is not key=value"},
        {"domain name=a kernel=2 memory=1M cmdline=\"open", "unterminated quote"},
        {"domain name=a/b kernel=2 memory=1M", "may hold only"},
        {"domain name=aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa kernel=2 memory=1M", "name must be"},
    };
    for (const Case& c : cases) {
        DomainConfig config = parse(std::string("#!vireo-domains\ndomain name=ok kernel=2 memory=1M\n") + c.line +
                                    "\ndomain name=ok2 kernel=2 memory=1M\n");
        EXPECT_EQ(config.count, 2u) << c.line;
        EXPECT_EQ(config.errors, 1u) << c.line;
        ASSERT_EQ(g_reports.size(), 1u) << c.line;
        EXPECT_NE(g_reports[0].find("domain config line 3: "), std::string::npos) << g_reports[0];
        EXPECT_NE(g_reports[0].find(c.message), std::string::npos) << g_reports[0];
    }
}

TEST(DomainConfig, DuplicateNamesAndTooManyDomainsAreRefused)
{
    DomainConfig c = parse("#!vireo-domains\ndomain name=a kernel=2 memory=1M\ndomain name=a kernel=2 memory=1M\n");
    EXPECT_EQ(c.count, 1u);
    ASSERT_EQ(g_reports.size(), 1u);
    EXPECT_NE(g_reports[0].find("line 3: a domain named 'a' is already defined"), std::string::npos);

    std::string many = "#!vireo-domains\n";
    for (unsigned i = 0; i <= kMaxBootDomains; ++i)
        many += "domain name=d" + std::to_string(i) + " kernel=2 memory=1M\n";
    c = parse(many);
    EXPECT_EQ(c.count, kMaxBootDomains);
    EXPECT_EQ(c.errors, 1u);
}

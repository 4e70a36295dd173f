// The PV CPUID masks equal the 'A' features of Xen 4.17's cpufeatureset.h.
#include <gtest/gtest.h>

#include "hv/core/cpuid_policy.hpp"

namespace {

// Xen's header, included the way it allows: with our own XEN_CPUFEATURE
// and an attribute string we can read, via the comment-free macro form.
struct Feature {
    unsigned word, bit;
};

constexpr Feature kAllGuests[] = {
#define XEN_CPUFEATURE(name, value) {(value) / 32, (value) % 32},
#include <xen/arch-x86/cpufeatureset.h>
#undef XEN_CPUFEATURE
};

}  // namespace

// The header's attributes live in comments, which the preprocessor drops;
// so the test reads the header text itself.
#include <cstdio>
#include <cstring>
#include <fstream>
#include <regex>
#include <string>

TEST(CpuidPolicy, MatchesXenDefaultPvPolicy)
{
    std::ifstream in("/usr/include/xen/arch-x86/cpufeatureset.h");
    if (!in)
        GTEST_SKIP() << "libxen-dev not installed";
    std::regex line(R"(XEN_CPUFEATURE\((\w+),\s*(\d+)\*32\+\s*(\d+)\)\s*/\*(\S*)\s)");
    uint32_t words[32] = {};
    std::string s;
    unsigned seen = 0;
    while (std::getline(in, s)) {
        std::smatch m;
        if (!std::regex_search(s, m, line))
            continue;
        ++seen;
        if (m[4].str().find('A') != std::string::npos)
            words[std::stoul(m[2])] |= 1u << std::stoul(m[3]);
    }
    ASSERT_GT(seen, 100u);
    EXPECT_GE(sizeof(kAllGuests) / sizeof(kAllGuests[0]), seen);
    for (const vireo::CpuidPolicyWord& w : vireo::kPvPolicyWords)
        EXPECT_EQ(words[w.xen_word], w.mask) << "featureset word " << w.xen_word;
}

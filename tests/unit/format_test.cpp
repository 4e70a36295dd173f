#include "lib/format.hpp"

#include <gtest/gtest.h>

#include <cstdint>

using vireo::format_to;

TEST(Format, IntegersAndPadding)
{
    char buf[64];
    format_to(buf, sizeof buf, "%d %u %x %08lx %-4d|", -42, 7u, 0xbeefu, 0x1234ul, 5);
    EXPECT_STREQ(buf, "-42 7 beef 00001234 5   |");
}

TEST(Format, StringsAndPointers)
{
    char buf[64];
    format_to(buf, sizeof buf, "[%5s][%-3s][%c][%p]", "ab", "x", 'z', reinterpret_cast<void*>(0x10));
    EXPECT_STREQ(buf, "[   ab][x  ][z][0x0000000000000010]");
}

TEST(Format, TruncatesButReportsFullLength)
{
    char buf[8];
    size_t n = format_to(buf, sizeof buf, "hello, world");
    EXPECT_EQ(n, 12u);
    EXPECT_STREQ(buf, "hello, ");
}

TEST(Format, LongLongExtremes)
{
    char buf[64];
    format_to(buf, sizeof buf, "%lld %llu %llx", INT64_MIN, UINT64_MAX, UINT64_MAX);
    EXPECT_STREQ(buf, "-9223372036854775808 18446744073709551615 ffffffffffffffff");
}

TEST(Format, StringPrecision)
{
    char buf[64];
    format_to(buf, sizeof buf, "[%.3s][%.*s][%.9s]", "abcdef", 2, "xyz", "ab");
    EXPECT_STREQ(buf, "[abc][xy][ab]");
}

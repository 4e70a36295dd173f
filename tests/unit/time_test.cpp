// The wall clock's calendar arithmetic and the TSC-to-nanoseconds scale
// that guests use (Xen's pvclock formula).
#include <gtest/gtest.h>

#include "hv/core/calendar.hpp"
#include "hv/core/vcpu_time.hpp"

using namespace vireo;

TEST(Calendar, KnownDates)
{
    EXPECT_EQ(unix_seconds({1970, 1, 1, 0, 0, 0}), 0u);
    EXPECT_EQ(unix_seconds({2000, 3, 1, 0, 0, 0}), 951868800u);   // after a 400-year leap day
    EXPECT_EQ(unix_seconds({2026, 11, 25, 12, 34, 56}), 1795610096u);
    EXPECT_EQ(unix_seconds({2100, 3, 1, 0, 0, 0}), 4107542400u);  // 2100 is not leap
}

TEST(Calendar, RefusesNonsense)
{
    EXPECT_FALSE(calendar_valid({2023, 2, 29, 0, 0, 0}));
    EXPECT_TRUE(calendar_valid({2024, 2, 29, 0, 0, 0}));
    EXPECT_FALSE(calendar_valid({2024, 13, 1, 0, 0, 0}));
    EXPECT_FALSE(calendar_valid({2024, 1, 0, 0, 0, 0}));
    EXPECT_FALSE(calendar_valid({2024, 1, 1, 24, 0, 0}));
    EXPECT_FALSE(calendar_valid({1969, 12, 31, 23, 59, 59}));
}

class TscScaleTest : public ::testing::TestWithParam<uint64_t> {};

TEST_P(TscScaleTest, OneSecondOfTicksIsOneSecond)
{
    uint64_t hz = GetParam();
    TscScale s = tsc_scale_for(hz);
    EXPECT_GE(s.mul, 1u << 31);  // full precision in the multiplier
    uint64_t ns = tsc_delta_to_ns(hz, s);
    EXPECT_NEAR(static_cast<double>(ns), 1e9, 2.0);
    // An hour in ticks is still exact to a few ppb.
    EXPECT_NEAR(static_cast<double>(tsc_delta_to_ns(hz * 3600, s)), 3600e9, 3600e9 * 1e-8);
}

INSTANTIATE_TEST_SUITE_P(Rates, TscScaleTest,
                         ::testing::Values(1'000'000ull, 999'999'999ull, 1'000'000'001ull, 2'400'000'000ull,
                                           3'999'000'000ull, 5'000'000'000ull));

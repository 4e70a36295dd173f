#include "hv/core/calendar.hpp"

namespace vireo {
namespace {

bool leap(unsigned y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && leap(y) ? 29 : kDays[m - 1];
}

}  // namespace

bool calendar_valid(const CalendarTime& t)
{
    return t.year >= 1970 && t.year < 10000 && t.month >= 1 && t.month <= 12 && t.day >= 1 &&
           t.day <= days_in_month(t.year, t.month) && t.hour < 24 && t.minute < 60 && t.second < 60;
}

uint64_t unix_seconds(const CalendarTime& t)
{
    // Whole years, then whole months of the last year, then the rest.
    uint64_t days = 0;
    for (unsigned y = 1970; y < t.year; ++y)
        days += leap(y) ? 366 : 365;
    for (unsigned m = 1; m < t.month; ++m)
        days += days_in_month(t.year, m);
    days += t.day - 1;
    return ((days * 24 + t.hour) * 60 + t.minute) * 60 + t.second;
}

}  // namespace vireo

// Calendar arithmetic for the wall clock: a broken-down UTC date and time
// (as the CMOS clock gives it) to seconds since 1970-01-01.
#pragma once

#include <stdint.h>

namespace vireo {

struct CalendarTime {
    unsigned year;    // e.g. 2026
    unsigned month;   // 1..12
    unsigned day;     // 1..31
    unsigned hour, minute, second;
};

// False when a field is out of range (a CMOS clock that was never set).
bool calendar_valid(const CalendarTime& t);
// Seconds since the Unix epoch; t must be valid.
uint64_t unix_seconds(const CalendarTime& t);

}  // namespace vireo
